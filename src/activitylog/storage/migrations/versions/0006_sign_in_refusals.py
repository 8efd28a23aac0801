"""Refusals while locked are counted, not logged one by one: `sign_in_refusals`.

Past a lock (an account's five failures, an IP's twenty), the first refused attempt of the window is logged as
before; the further ones only add to this row's `refused`, and one entry ("N further attempts ... refused")
logs them when the window is over. So a flood against a locked account or from a locked IP costs the log two
entries per window, not one per request. `kind` and `key` are those of `sign_in_failures`.

Revision ID: 0006
Revises: 0005
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    big = "BIGINT" if postgres else "INTEGER"
    key = 'TEXT COLLATE "C"' if postgres else "TEXT"
    op.execute(
        f"""
        CREATE TABLE sign_in_refusals (
            workspace_id {key} NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('account', 'ip')),
            key {key} NOT NULL,
            since_us {big} NOT NULL,
            refused INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (workspace_id, kind, key)
        )
        """
    )


def downgrade() -> None:
    raise NotImplementedError("the activity log keeps its data: downgrades are not supported")
