-- blog, version 2: phone = Column(String(20)), a new nullable column.
CREATE TABLE users (
  id INTEGER NOT NULL,
  username VARCHAR(50) NOT NULL,
  email VARCHAR(100) NOT NULL,
  created_at DATETIME,
  phone VARCHAR(20),
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
