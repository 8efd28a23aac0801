"""Every producer names its channel (issue 17): each call in the package that records entries through the
service passes `channel=` explicitly, so no surface can forget it and leave its entries without one (which
`ActivityLog.record` allows only for applications embedding the library). The checked calls: `record`,
`record_one`, `record_async` and `set_retention` of an ActivityLog (a receiver named `log`, `self.log`,
`ctx.log`, ...), and the token and download functions that record on a producer's behalf.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "src" / "activitylog"
_LOG_METHODS = {"record", "record_one", "record_async", "set_retention"}
_FUNCTIONS = {"create_token", "revoke_token", "log_download", "logged_export", "csv_download"}
# The console's own wrappers take a signed-in viewer and name the console themselves; `stored` is storage's SQL.
_WRAPPERS = {"settings", "stored"}


def _receiver(node: ast.expr) -> str:
    return ast.unparse(node)


def _checked_calls(tree: ast.Module) -> list[ast.Call]:
    calls = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute):
            receiver = _receiver(func.value)
            of_a_log = func.attr in _LOG_METHODS and (receiver == "log" or receiver.endswith(".log"))
            if of_a_log or (func.attr in _FUNCTIONS and receiver not in _WRAPPERS):
                calls.append(node)
        elif isinstance(func, ast.Name) and func.id in _FUNCTIONS:
            calls.append(node)
    return calls


def test_every_recording_call_names_its_channel() -> None:
    missing, seen = [], 0
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "sdk":  # the SDK's `record` is a client's call to the API, not a producer's
            continue
        for call in _checked_calls(ast.parse(path.read_text(), str(path))):
            seen += 1
            if not any(keyword.arg == "channel" for keyword in call.keywords):
                missing.append(f"{relative}:{call.lineno}: {ast.unparse(call)[:100]}")
    assert seen >= 12, f"the check found only {seen} recording calls: has the code moved?"
    assert not missing, "calls that record without naming their channel:\n" + "\n".join(missing)
