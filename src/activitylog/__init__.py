"""activitylog: a self-hostable teammate activity log for multi-tenant SaaS workspaces."""

__version__ = "0.1.0"
