"""Seed 2: the SQLAlchemy guide's users and posts (with the phone column
of its autogenerate example).  The guide's `class Base(DeclarativeBase)`
is SQLAlchemy 2.x; declarative_base() is what 1.4 (Debian's) and 2.x
both accept.  No naming convention: SQLite names the constraints."""
from datetime import datetime

from sqlalchemy import Column, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import declarative_base, relationship

Base = declarative_base()


class User(Base):
    __tablename__ = 'users'

    id = Column(Integer, primary_key=True)
    username = Column(String(50), unique=True, nullable=False)
    email = Column(String(100), unique=True, nullable=False)
    created_at = Column(DateTime, default=datetime.utcnow)
    phone = Column(String(20))


class Post(Base):
    __tablename__ = 'posts'

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey('users.id'), nullable=False)
    title = Column(String(200), nullable=False)
    body = Column(String, nullable=False)
    created_at = Column(DateTime, default=datetime.utcnow)

    user = relationship(User, backref='posts')
