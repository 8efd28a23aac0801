"""An authenticator code is good for one sign-in: the last TOTP time step each teammate used.

A sign-in with a code of that step or an earlier one is refused, so a code seen over a shoulder or lifted from
a phishing page cannot be replayed within the ~90 s it would otherwise stay valid (RFC 6238, section 5.2).

Revision ID: 0004
Revises: 0003
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    big = "BIGINT" if op.get_bind().dialect.name == "postgresql" else "INTEGER"
    op.execute(f"ALTER TABLE teammates ADD COLUMN totp_last_step {big}")


def downgrade() -> None:
    raise NotImplementedError("the activity log keeps its data: downgrades are not supported")
