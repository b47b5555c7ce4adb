-- pets, version 4: pets are looked up by owner
-- (owner_id: ... Field(foreign_key="user.id", index=True)).
CREATE TABLE user (
  id INTEGER NOT NULL,
  name VARCHAR NOT NULL,
  CONSTRAINT pk_user PRIMARY KEY (id),
  CONSTRAINT uq_user_name UNIQUE (name)
);
CREATE TABLE pet (
  id INTEGER NOT NULL,
  name VARCHAR NOT NULL,
  owner_id INTEGER,
  CONSTRAINT pk_pet PRIMARY KEY (id),
  CONSTRAINT fk_pet_owner_id_user FOREIGN KEY (owner_id) REFERENCES user (id)
);
CREATE INDEX ix_pet_owner_id ON pet (owner_id);
