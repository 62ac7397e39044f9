"""The identity of what arrived, on its journal row: whatever can arrive twice is journaled once.

``journal.identity`` holds what names an arrival across resends, re-imports and retries (an OEM message's
sender, interchange and message reference, or its feed, sequence number and content digest; an HMI command's
user and request id); the unique index is what makes "already journaled = a duplicate" hold across restarts.
Rows written before this revision, and events that have no identity (ticks, device reports), keep NULL:
both databases allow any number of NULLs under a unique index.

Revision ID: 0004
Revises: 0003
Create Date: 2025-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("journal", sa.Column("identity", sa.String(200), nullable=True))
    op.create_index("ix_journal_identity", "journal", ["identity"], unique=True)


def downgrade() -> None:
    op.drop_index("ix_journal_identity", table_name="journal")
    with op.batch_alter_table("journal") as batch:  # SQLite before 3.35 cannot drop a column in place
        batch.drop_column("identity")
