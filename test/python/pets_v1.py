"""Seed 1, version 1: the SQLModel tutorial's User and Pet, with its
naming convention.  pkg_python.test copies this file to pets/models.py
in a scratch project (then pets_v2.py over it, as a user edits it)."""
from typing import Optional

from sqlmodel import Field, SQLModel

from pets.naming import NAMING_CONVENTION

metadata = SQLModel.metadata
metadata.naming_convention = NAMING_CONVENTION


class User(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str


class Pet(SQLModel, table=True):
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str
