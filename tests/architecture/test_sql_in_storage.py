"""SQL lives in storage only (issue 13). integrity/ reads the database through its own protocol
(`integrity.reader`), which storage answers; accounts/, tokens.py and demo/ through storage's repositories
(`storage.accounts`, `storage.sessions`, `storage.tokens`); everything else through the service. The layer
test cannot see SQL text passed to a store; this keeps it out of every module outside storage/, written inline
or built up in strings, anywhere but in docstrings (which may name a statement to explain an invariant).
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "activitylog"
# Each checked module, and where its SQL belongs instead.
_HOMES = {
    "integrity": "storage/integrity.py",
    "accounts": "storage/accounts.py or storage/sessions.py",
    "tokens.py": "storage/tokens.py",
    "demo": "storage/accounts.py",
}
CHECKED = {
    path: _HOMES.get(path.relative_to(PACKAGE).parts[0], "a repository in storage/, reached through the service")
    for path in sorted(PACKAGE.rglob("*.py"))
    if path.relative_to(PACKAGE).parts[0] != "storage"
}
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


@pytest.mark.parametrize("path", list(CHECKED), ids=lambda path: str(path.relative_to(PACKAGE)))
def test_holds_no_sql(path: Path) -> None:
    hits = sql_in(path.read_text(encoding="utf-8"))
    assert not hits, f"SQL belongs in storage ({CHECKED[path]}): {hits}"


def test_every_module_named_is_checked() -> None:
    # A glob that finds nothing (a package moved) would pass every check above without reading a line.
    assert {path.parent.name for path in CHECKED} >= {"integrity", "accounts", "demo", "api", "web", "cli"}
    assert all(path.is_file() for path in CHECKED)


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
        'change.tx.execute("UPDATE teammates SET away = ? WHERE workspace_id = ? AND id = ?", (1, w, t))',
        'tx.fetchone(f"SELECT name, timezone FROM workspaces WHERE id = ?{change.lock}", (w,))',
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
