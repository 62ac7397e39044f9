"""Traced parts: one row per pick's last scan, so ``jis trace`` and the cockpit's ``TraceParts`` answer by index.

A read model like those of 0003 (kept by the service with the journal, derivable: ``jis migrate read-models``).
The upgrade removes ``read_model_mark``: the new table is empty while the journal may hold scans, so the mark no
longer describes all the read models; the service's next start (or ``jis migrate read-models``) rebuilds them
from the journal (``app.persist.read_models.ReadModels.resume``: no mark on a journal with rows). Until then
``jis trace`` answers by replaying the journal, as before this revision.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

INDEXED = ("vehicle_id", "serial", "batch")


def upgrade() -> None:
    op.create_table(
        "traced_parts",
        sa.Column("pick_id", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("journal_id", sa.BigInteger(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("vehicle_id", sa.String(64), nullable=False),
        sa.Column("feed", sa.String(40), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("family", sa.Text(), nullable=False),
        sa.Column("part", sa.Text(), nullable=False),
        sa.Column("serial", sa.Text(), nullable=False),
        sa.Column("batch", sa.Text(), nullable=False),
        sa.Column("rack_no", sa.Integer(), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("station", sa.Text(), nullable=False),
        sa.Column("code", sa.Text(), nullable=False),
    )
    for column in INDEXED:
        op.create_index(f"ix_traced_parts_{column}", "traced_parts", [column])
    op.execute("DELETE FROM read_model_mark")  # the read models are rebuilt, this table with them


def downgrade() -> None:
    for column in INDEXED:
        op.drop_index(f"ix_traced_parts_{column}", table_name="traced_parts")
    op.drop_table("traced_parts")
