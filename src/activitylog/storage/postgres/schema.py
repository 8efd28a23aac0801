"""PostgreSQL DDL (filled in by the PostgreSQL backend work)."""

from __future__ import annotations


def initial_statements() -> list[str]:
    raise NotImplementedError("the PostgreSQL backend is not built yet")
