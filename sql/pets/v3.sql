-- pets, version 3: user names are unique
-- (name: str = Field(sa_column_kwargs={"unique": True})).
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
