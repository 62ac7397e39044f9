"""Read models: vehicle status and hourly KPIs for screens, reports and the MES side, kept by the service.

Derivable from the journal (``jis migrate read-models`` rebuilds them); a database upgraded from 0002 with a
journal already in it is filled by the service's first start (``app.persist.read_models.ReadModels.resume``).

Revision ID: 0003
Revises: 0002
Create Date: 2025-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COUNTS = (
    "broadcasts",
    "vehicles_completed",
    "vehicles_on_time",
    "picks_confirmed",
    "wrong_picks",
    "labels_printed",
    "racks_completed",
    "racks_shipped",
    "deviations_raised",
)


def upgrade() -> None:
    op.create_table(
        "vehicle_status",
        sa.Column("feed", sa.String(40), primary_key=True),
        sa.Column("position", sa.BigInteger(), primary_key=True, autoincrement=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("vehicle_id", sa.String(64), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("received_at", sa.Float(), nullable=False),
        sa.Column("due_at", sa.Float(), nullable=False),
        sa.Column("completed_at", sa.Float(), nullable=True),
        sa.Column("picks", sa.JSON(), nullable=False),
        sa.Column("journal_id", sa.BigInteger(), nullable=False),
    )
    op.create_index("ix_vehicle_status_vehicle_id", "vehicle_status", ["vehicle_id"])
    op.create_index("ix_vehicle_status_status", "vehicle_status", ["status"])
    op.create_table(
        "kpi_hourly",
        sa.Column("hour", sa.BigInteger(), primary_key=True, autoincrement=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS),
    )
    op.create_table(
        "read_model_mark",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=False),
        sa.Column("journal_id", sa.BigInteger(), nullable=False),
        sa.Column("totals", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("read_model_mark")
    op.drop_table("kpi_hourly")
    op.drop_index("ix_vehicle_status_status", table_name="vehicle_status")
    op.drop_index("ix_vehicle_status_vehicle_id", table_name="vehicle_status")
    op.drop_table("vehicle_status")
