"""Harder DDL for ddl()/models() to get exactly as create_all() does: a
bare MetaData (no declarative base) with a naming convention, composite
keys, a unique index, a partial and an expression index, ON DELETE
actions, a self-reference, a foreign-key cycle (use_alter, inline on
SQLite), server defaults, named CHECKs (also from Enum and Boolean),
AUTOINCREMENT, names that need quoting, and DDL attached to the
after_create events of a table and of the metadata (a trigger, a view)."""
from sqlalchemy import (DDL, Boolean, CheckConstraint, Column, Enum,
                        ForeignKey, ForeignKeyConstraint, Index, Integer,
                        MetaData, String, Table, Text, UniqueConstraint,
                        event, func, text)

from pets.naming import NAMING_CONVENTION

metadata = MetaData(naming_convention=NAMING_CONVENTION)

team = Table(
    "team", metadata,
    Column("id", Integer, primary_key=True),
    Column("name", String(40), nullable=False, unique=True),
    Column("captain_id", Integer,
           ForeignKey("player.id", use_alter=True, name="fk_team_captain")),
    sqlite_autoincrement=True,
)

player = Table(
    "player", metadata,
    Column("id", Integer, primary_key=True),
    Column("team_id", Integer, ForeignKey("team.id", ondelete="CASCADE"),
           nullable=False, index=True),
    Column("mentor_id", Integer, ForeignKey("player.id", ondelete="SET NULL")),
    Column("email", String(100), nullable=False),
    Column("role", Enum("keeper", "field", name="role",
                        create_constraint=True), nullable=False,
           server_default="field"),
    Column("active", Boolean(create_constraint=True, name="active"),
           nullable=False, server_default=text("1")),
    Column("joined", String, server_default=func.current_timestamp()),
    Column("note; with \"quotes\"", Text),
    CheckConstraint("length(email) > 3", name="email_len"),
)
Index("ix_player_email_lower", func.lower(player.c.email), unique=True)
Index("ix_player_active_team", player.c.team_id, player.c.role,
      sqlite_where=player.c.active == 1)

order = Table(
    "order", metadata,
    Column("team_id", Integer, primary_key=True),
    Column("season", Integer, primary_key=True),
    Column("position", Integer, nullable=False),
    UniqueConstraint("season", "position", name="uq_order_season_position"),
)

membership = Table(
    "membership", metadata,
    Column("team_id", Integer, primary_key=True),
    Column("season", Integer, primary_key=True),
    Column("player_id", Integer, ForeignKey("player.id"), primary_key=True),
    ForeignKeyConstraint(["team_id", "season"],
                         ["order.team_id", "order.season"],
                         onupdate="CASCADE"),
)

event.listen(player, "after_create", DDL(
    "CREATE TRIGGER player_email_lower AFTER INSERT ON player BEGIN "
    "UPDATE player SET email = lower(NEW.email) WHERE id = NEW.id; END"))
event.listen(metadata, "after_create", DDL(
    "CREATE VIEW team_size AS SELECT team_id, count(*) AS n "
    "FROM player GROUP BY team_id;"))
