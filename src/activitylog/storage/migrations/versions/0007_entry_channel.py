"""How each entry arrived: `activities.via`, its channel (issue 17; see `activitylog.domain.channel`).

`kind` or `kind:token_id` (`console`, `cli`, `system`, `api:tok_...`, `scim:tok_...`), set by whoever records the
entry, never by the event's body. Entries stored before this revision keep NULL: nobody knows how they arrived,
and guessing would put words in the log's mouth. Nothing is backfilled or rehashed: the canonical form hashes the
channel only when there is one (`integrity.canonical`), so every existing entry keeps its chain hash, and no
frozen copy of the canonical form is needed here.

A nullable column without a default: a change of the catalog only on both backends (no table rewrite, no lock
held while rows are touched); on PostgreSQL, adding it to the partitioned table adds it to every partition,
present and future.

The revision id is a plain constant: another branch may take 0007 first, and whoever merges renumbers this
file's `revision` and `down_revision` (and its name) alone.

Revision ID: 0007
Revises: 0006
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("ALTER TABLE activities ADD COLUMN via TEXT")


def downgrade() -> None:
    raise NotImplementedError("the activity log keeps its data: downgrades are not supported")
