-- pets, version 1: the two models of the SQLModel tutorial (seed 1),
-- as SQLAlchemy creates them on SQLite with the tutorial's naming
-- convention (pk_%(table_name)s, fk_%(table_name)s_%(column_0_name)s_
-- %(referred_table_name)s, uq_%(table_name)s_%(column_0_name)s,
-- ix_%(column_0_label)s).
CREATE TABLE user (
  id INTEGER NOT NULL,
  name VARCHAR NOT NULL,
  CONSTRAINT pk_user PRIMARY KEY (id)
);
CREATE TABLE pet (
  id INTEGER NOT NULL,
  name VARCHAR NOT NULL,
  CONSTRAINT pk_pet PRIMARY KEY (id)
);
