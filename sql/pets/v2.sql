-- pets, version 2: every pet may have an owner
-- (owner_id: Optional[int] = Field(default=None, foreign_key="user.id")).
-- ALTER TABLE ADD COLUMN adds it with its foreign key (written
-- column-level, which libmig compares equal to this table constraint):
-- no row is copied.
CREATE TABLE user (
  id INTEGER NOT NULL,
  name VARCHAR NOT NULL,
  CONSTRAINT pk_user PRIMARY KEY (id)
);
CREATE TABLE pet (
  id INTEGER NOT NULL,
  name VARCHAR NOT NULL,
  owner_id INTEGER,
  CONSTRAINT pk_pet PRIMARY KEY (id),
  CONSTRAINT fk_pet_owner_id_user FOREIGN KEY (owner_id) REFERENCES user (id)
);
