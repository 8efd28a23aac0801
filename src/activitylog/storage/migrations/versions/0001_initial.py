"""The first released schema: workspaces, teammates, API tokens, append-only activities, retention runs.

Each index names the query it serves. Every key is led by the workspace id, so a workspace's rows sit
together and the tables could be sharded by workspace.

Revision ID: 0001
Revises:
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SQLITE = [
    """
    CREATE TABLE workspaces (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        timezone TEXT NOT NULL DEFAULT 'UTC',
        retention_days INTEGER NOT NULL DEFAULT 365 CHECK (retention_days BETWEEN 30 AND 3650),
        created_us INTEGER NOT NULL
    )
    """,
    """
    CREATE TABLE teammates (
        workspace_id TEXT NOT NULL REFERENCES workspaces (id),
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        email TEXT,
        role TEXT,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('invited', 'active', 'deleted')),
        PRIMARY KEY (workspace_id, id)
    ) WITHOUT ROWID
    """,
    """
    CREATE TABLE activities (
        seq INTEGER PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        id TEXT NOT NULL,
        type TEXT NOT NULL,
        actor_type TEXT NOT NULL CHECK (actor_type IN ('teammate', 'api_token', 'system')),
        actor_id TEXT,
        actor_name TEXT,
        actor_email TEXT,
        occurred_us INTEGER NOT NULL,
        recorded_us INTEGER NOT NULL,
        ip TEXT,
        ip_key BLOB,
        user_agent TEXT,
        metadata TEXT NOT NULL DEFAULT '{}',
        request_id TEXT,
        idempotency_key TEXT
    )
    """,
    # GET /v1/events/{id}; also makes ids unique within a workspace.
    "CREATE UNIQUE INDEX activities_by_id ON activities (workspace_id, id)",
    # The timeline: the unfiltered page, date ranges, the CSV export, keyset on (occurred_us, id).
    "CREATE INDEX activities_by_time ON activities (workspace_id, occurred_us, id)",
    # The action filter: one index range per selected type, already in page order.
    "CREATE INDEX activities_by_type ON activities (workspace_id, type, occurred_us, id)",
    # The teammate filter: one index range per selected teammate, already in page order.
    "CREATE INDEX activities_by_actor ON activities (workspace_id, actor_id, occurred_us, id)",
    # The IP / CIDR filter: a key range over 16-byte addresses.
    "CREATE INDEX activities_by_ip ON activities (workspace_id, ip_key, occurred_us)",
    # Idempotent recording: a workspace's key is used once.
    """
    CREATE UNIQUE INDEX activities_by_idempotency_key ON activities (workspace_id, idempotency_key)
    WHERE idempotency_key IS NOT NULL
    """,
    """
    CREATE TABLE api_tokens (
        workspace_id TEXT NOT NULL REFERENCES workspaces (id),
        id TEXT NOT NULL,
        name TEXT NOT NULL,
        secret_hash TEXT NOT NULL,
        scopes TEXT NOT NULL,
        created_us INTEGER NOT NULL,
        revoked_us INTEGER,
        last_used_us INTEGER,
        PRIMARY KEY (workspace_id, id)
    )
    """,
    # Authentication: a request's token is found by the hash of its secret.
    "CREATE UNIQUE INDEX api_tokens_by_hash ON api_tokens (secret_hash)",
    """
    CREATE TABLE retention_runs (
        id INTEGER PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        cutoff_us INTEGER NOT NULL,
        started_us INTEGER NOT NULL,
        finished_us INTEGER,
        removed INTEGER
    )
    """,
    # The append-only trigger asks for a workspace's latest cut-off on every deleted row.
    "CREATE INDEX retention_runs_by_workspace ON retention_runs (workspace_id, cutoff_us)",
    """
    CREATE TRIGGER activities_no_update BEFORE UPDATE ON activities
    BEGIN
        SELECT RAISE(ABORT, 'activities are append-only: an entry cannot be changed');
    END
    """,
    # Only retention deletes, and only entries older than a cut-off it has recorded for the workspace.
    """
    CREATE TRIGGER activities_no_delete BEFORE DELETE ON activities
    WHEN OLD.occurred_us >= COALESCE(
        (SELECT max(cutoff_us) FROM retention_runs WHERE workspace_id = OLD.workspace_id), -1)
    BEGIN
        SELECT RAISE(ABORT, 'activities are append-only: only retention deletes entries past their period');
    END
    """,
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE:
            op.execute(statement)
    else:
        from activitylog.storage.postgres.schema import initial_statements

        for statement in initial_statements():
            op.execute(statement)


def downgrade() -> None:
    raise NotImplementedError("the activity log keeps its data: downgrades are not supported")
