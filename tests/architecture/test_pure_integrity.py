"""integrity/ holds no SQL (issue 13): it reads the database only through its own protocol (`integrity.reader`),
which storage answers. The layer test keeps storage's imports out; this keeps SQL text out, written inline or
built up in strings, anywhere but in docstrings (which may name a statement to explain an invariant).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

INTEGRITY = Path(__file__).resolve().parents[2] / "src" / "activitylog" / "integrity"
# Any piece of a statement: strings built up with + or f-strings hold it in several pieces.
SQL = re.compile(
    r"\bSELECT\s|\bINSERT\s+INTO\b|\bUPDATE\s+\w+\s+SET\b|\bDELETE\s+FROM\b|\bFROM\s+\w+\s+WHERE\b|\bON CONFLICT\b"
)


def _docstrings(tree: ast.Module) -> set[int]:
    """The ids of the nodes that are docstrings."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def sql_in(source: str) -> list[str]:
    """The string constants of `source` (f-strings' literal pieces too, docstrings left out) that hold SQL."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    texts = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]
    return [text for text in texts if SQL.search(text)]


def test_integrity_holds_no_sql() -> None:
    found = {
        path.name: hits for path in sorted(INTEGRITY.glob("*.py")) if (hits := sql_in(path.read_text(encoding="utf-8")))
    }
    assert not found, f"SQL belongs in storage (storage/integrity.py): {found}"


@pytest.mark.parametrize(
    "source",
    [
        'rows = store.read("SELECT position FROM integrity_heads WHERE workspace_id = ?", (w,))',
        'sql = f"SELECT {COLUMNS} FROM integrity_checkpoints WHERE position > ?"',
        'unit.execute("INSERT INTO integrity_checkpoints (a) VALUES (?)")',
        'tamper("UPDATE activities SET x = 1")',
        'sql = "SELECT position " + "FROM integrity_anchors"',
        'sql += " FROM integrity_tombstones WHERE workspace_id = ?"',
        'unit.execute("DELETE FROM integrity_tombstones")',
    ],
)
def test_the_check_catches_sql(source: str) -> None:
    assert sql_in(source)


def test_the_check_leaves_docstrings_and_prose_alone() -> None:
    source = (
        '"""Takes `SELECT ... FOR UPDATE` on the head row, FROM the start WHERE it begins."""\n'
        'MESSAGE = "select an entry from the list"\n'
    )
    assert not sql_in(source)
