"""The PostgreSQL backend: entries range-partitioned by month, every key led by the workspace."""
