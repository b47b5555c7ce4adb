"""Seed 1, version 2: every pet may have an owner (a foreign key, looked
up by an index: SQLite cannot add a foreign key with ALTER TABLE, so pet
is rebuilt), user names are unique, and a new table of vets."""
from typing import Optional

from sqlmodel import Field, SQLModel

from pets.naming import NAMING_CONVENTION

metadata = SQLModel.metadata
metadata.naming_convention = NAMING_CONVENTION


class User(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column_kwargs={"unique": True})


class Pet(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str
    owner_id: Optional[int] = Field(default=None, foreign_key="user.id",
                                    index=True)


class Vet(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str
    phone: Optional[str] = None
