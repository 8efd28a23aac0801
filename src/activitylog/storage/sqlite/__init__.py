"""The SQLite backend: one file in WAL mode, for running with no other process."""
