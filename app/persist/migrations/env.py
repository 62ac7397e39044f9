"""Alembic's environment for the service database: the ``app.persist.store`` models, online or as an SQL script.

``app.persist.migrations.upgrade`` hands over an open connection (``config.attributes["connection"]``) so the upgrade
runs inside the caller's transaction; ``jis migrate`` and the plain ``alembic`` command give a URL instead.
Autogenerate looks only at the tables ``app.persist.store`` declares: other modules' tables on the same database are
not this migration history's business. Must not create tables itself (``create_all``): only revisions do.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from app.persist.store import Base, make_engine

config = context.config
target_metadata = Base.metadata


def include_name(name: str | None, type_: str, parent_names: object) -> bool:
    return type_ != "table" or name in target_metadata.tables


def _configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_offline() -> None:
    """``jis migrate upgrade --sql``: the DDL as a script, for a DBA to review and run."""
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        include_name=include_name,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
    )
    with context.begin_transaction():
        context.run_migrations()


def run_online() -> None:
    given = config.attributes.get("connection")
    if given is not None:
        _configure(given)
        return
    engine = make_engine(str(config.get_main_option("sqlalchemy.url")))
    try:
        with engine.begin() as connection:
            _configure(connection)
    finally:
        engine.dispose()


if context.is_offline_mode():
    run_offline()
else:
    run_online()
