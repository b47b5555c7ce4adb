-- blog, version 1: users and posts of the SQLAlchemy ORM guide (seed 2),
-- as SQLAlchemy creates them on SQLite.
CREATE TABLE users (
  id INTEGER NOT NULL,
  username VARCHAR(50) NOT NULL,
  email VARCHAR(100) NOT NULL,
  created_at DATETIME,
  PRIMARY KEY (id),
  UNIQUE (username),
  UNIQUE (email)
);
CREATE TABLE posts (
  id INTEGER NOT NULL,
  user_id INTEGER NOT NULL,
  title VARCHAR(200) NOT NULL,
  body VARCHAR NOT NULL,
  created_at DATETIME,
  PRIMARY KEY (id),
  FOREIGN KEY (user_id) REFERENCES users (id)
);
