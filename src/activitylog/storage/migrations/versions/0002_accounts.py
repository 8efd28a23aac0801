"""Accounts: roles, teammates' credentials, invites, sessions, sign-in failures, workspace security settings.

The same statements serve both backends but for the integer type of microsecond times (BIGINT on
PostgreSQL) and the collation of keys (byte order on PostgreSQL, as in 0001). Every key is led by the
workspace id except the two looked up by a secret's hash (an invite link, a session cookie), which are
unique on their own. Secrets are stored only as hashes: passwords as Argon2id, session and invite tokens and
recovery codes as SHA-256 (they carry 256 bits of entropy). The authenticator secret must be read back to
check codes, so it is stored as it is.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def statements(dialect: str) -> list[str]:
    big = "BIGINT" if dialect == "postgresql" else "INTEGER"
    key = 'TEXT COLLATE "C"' if dialect == "postgresql" else "TEXT"
    return [
        # A role is a named set of permissions (codes, comma-separated, in catalog order).
        f"""
        CREATE TABLE roles (
            workspace_id {key} NOT NULL REFERENCES workspaces (id),
            id {key} NOT NULL,
            name TEXT NOT NULL,
            permissions TEXT NOT NULL DEFAULT '',
            created_us {big} NOT NULL,
            PRIMARY KEY (workspace_id, id)
        )
        """,
        # Role names are unique in a workspace, whatever their case.
        "CREATE UNIQUE INDEX roles_by_name ON roles (workspace_id, lower(name))",
        # A teammate has a role (`role` holds its id) or, with no role, permissions of their own.
        "ALTER TABLE teammates ADD COLUMN permissions TEXT",
        "ALTER TABLE teammates ADD COLUMN password_hash TEXT",
        "ALTER TABLE teammates ADD COLUMN totp_secret TEXT",
        "ALTER TABLE teammates ADD COLUMN recovery_codes TEXT",  # JSON list of SHA-256 hex digests, unused ones
        "ALTER TABLE teammates ADD COLUMN away INTEGER NOT NULL DEFAULT 0",
        # Sign-in finds a teammate by email, whatever its case.
        "CREATE INDEX teammates_by_email ON teammates (workspace_id, lower(email))",
        f"""
        CREATE TABLE invites (
            workspace_id {key} NOT NULL REFERENCES workspaces (id),
            id {key} NOT NULL,
            email TEXT NOT NULL,
            role_id {key},
            token_hash TEXT NOT NULL,
            invited_by {key},
            created_us {big} NOT NULL,
            expires_us {big} NOT NULL,
            accepted_us {big},
            revoked_us {big},
            PRIMARY KEY (workspace_id, id)
        )
        """,
        # Accepting an invite finds it by the hash of its link's token.
        "CREATE UNIQUE INDEX invites_by_token ON invites (token_hash)",
        f"""
        CREATE TABLE sessions (
            token_hash {key} PRIMARY KEY,
            workspace_id {key} NOT NULL REFERENCES workspaces (id),
            teammate_id {key} NOT NULL,
            csrf_token TEXT NOT NULL,
            stage TEXT NOT NULL CHECK (stage IN ('two_factor', 'complete')),
            ip TEXT,
            user_agent TEXT,
            created_us {big} NOT NULL,
            last_seen_us {big} NOT NULL,
            ended_us {big}
        )
        """,
        # Deleting a teammate ends their sessions.
        "CREATE INDEX sessions_by_teammate ON sessions (workspace_id, teammate_id)",
        # Throttling counts recent failures per account (`kind` 'account', key the email) and per IP.
        f"""
        CREATE TABLE sign_in_failures (
            workspace_id {key} NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('account', 'ip')),
            key {key} NOT NULL,
            at_us {big} NOT NULL
        )
        """,
        "CREATE INDEX sign_in_failures_by_key ON sign_in_failures (workspace_id, kind, key, at_us)",
        # Security settings: the idle timeout of a session, whether two-factor sign-in is required, and which
        # ways of signing in are allowed (comma-separated: email_and_password, recovery_codes).
        "ALTER TABLE workspaces ADD COLUMN session_timeout_minutes INTEGER NOT NULL DEFAULT 60",
        "ALTER TABLE workspaces ADD COLUMN require_two_factor INTEGER NOT NULL DEFAULT 0",
        "ALTER TABLE workspaces ADD COLUMN sign_in_methods TEXT NOT NULL DEFAULT 'email_and_password,recovery_codes'",
    ]


def upgrade() -> None:
    for statement in statements(op.get_bind().dialect.name):
        op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the activity log keeps its data: downgrades are not supported")
