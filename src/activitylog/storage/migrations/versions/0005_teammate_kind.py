"""Console members and actors known from events are different things: `teammates.kind`.

Recording an event puts its teammate actor into `teammates`, so the entry's name and email show and the
actor joins the activity log's teammate filter. Such a row is an *actor*: it never signs in, is never found
by email for sign-in or invitations, holds no role and never counts as someone who can manage teammates. A
*member* is a teammate of the console: created by an accepted invitation, the demo, or a directory push.

Rows that exist already are members when anything but recording could have made them: a password, a role,
own permissions, a status other than active, a session or an invitation sent. The rest, active rows with
only a name and email, are what recording inserts: actors.

Revision ID: 0005
Revises: 0004
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "ALTER TABLE teammates ADD COLUMN kind TEXT NOT NULL DEFAULT 'actor' CHECK (kind IN ('member', 'actor'))"
    )
    op.execute(
        """
        UPDATE teammates SET kind = 'member'
        WHERE password_hash IS NOT NULL OR role IS NOT NULL OR permissions IS NOT NULL OR status <> 'active'
           OR EXISTS (SELECT 1 FROM sessions s WHERE s.workspace_id = teammates.workspace_id
                                                 AND s.teammate_id = teammates.id)
           OR EXISTS (SELECT 1 FROM invites i WHERE i.workspace_id = teammates.workspace_id
                                                AND i.invited_by = teammates.id)
        """
    )
    # Sign-in and invitations look members up by email: only members.
    op.execute("DROP INDEX teammates_by_email")
    op.execute("CREATE INDEX teammates_by_email ON teammates (workspace_id, lower(email)) WHERE kind = 'member'")


def downgrade() -> None:
    raise NotImplementedError("the activity log keeps its data: downgrades are not supported")
