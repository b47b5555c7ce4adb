"""The SQLModel tutorial's naming convention for constraints and indexes
(seed 1).  pkg_python.test copies this file to pets/naming.py in each
scratch project, for every version of pets/models.py."""
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
