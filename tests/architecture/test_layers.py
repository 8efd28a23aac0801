"""The import-layer rule of the README's "How the code is laid out": a module imports only from its own layer or
a lower one, and never in a cycle between packages. Every import counts: at the top, inside a function, under
TYPE_CHECKING.

`KNOWN` lists, arrow by arrow, the upward imports not yet taken apart (issue 13): the list may only shrink, and
an entry that no longer exists fails the test too, so it stays true.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "activitylog"

# Lowest first; the same order as the README.
LAYERS: list[set[str]] = [
    {"errors", "ids", "timeutil", "periodic"},
    {"catalog"},
    {"domain"},
    {"integrity"},
    {"storage"},
    {"ingest"},
    {"service"},
    {"accounts", "tokens", "export", "retention_schedule", "settings"},
    {"http"},
    {"api", "web"},
    {"app", "demo"},
    {"cli", "__main__"},
]
# The SDK stands apart: an HTTP client that needs nothing of the server.
SDK_MAY_IMPORT = {"sdk", "errors", "__init__"}
# Siblings in one layer that must not know each other.
APART = {("web", "api"), ("api", "web")}

KNOWN: set[tuple[str, str]] = set()


def _module(path: Path) -> str:
    parts = list(path.with_suffix("").relative_to(SRC).parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _top(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports() -> set[tuple[str, str]]:
    found = set()
    for path in PACKAGE.rglob("*.py"):
        source = _module(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                targets = [node.module]
            elif isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                continue
            found |= {(source, t) for t in targets if t == "activitylog" or t.startswith("activitylog.")}
    return found


def _layer(top: str) -> int:
    for index, layer in enumerate(LAYERS):
        if top in layer:
            return index
    raise AssertionError(f"activitylog.{top} has no layer: add it to LAYERS and to the README's layout")


def _breaks(source: str, target: str) -> str | None:
    low, high = _top(target), _top(source)
    if low == high:
        return None
    if high == "sdk":
        return None if low in SDK_MAY_IMPORT else "the SDK imports only itself and activitylog.errors"
    if low == "__init__":
        return None
    if (high, low) in APART:
        return f"{high} and {low} are siblings that must not import each other"
    if low == "sdk":
        return "only the package root re-exports the SDK" if high != "__init__" else None
    if _layer(low) > _layer(high):
        return f"{high} (layer {_layer(high)}) imports {low} (layer {_layer(low)})"
    return None


def test_every_package_has_a_layer() -> None:
    tops = {_top(_module(p)) for p in PACKAGE.rglob("*.py")} - {"__init__", "sdk"}
    for top in tops:
        _layer(top)


def test_no_import_breaks_the_layer_order() -> None:
    broken = {
        (source, target): why
        for source, target in _imports()
        if (why := _breaks(source, target)) and (source, target) not in KNOWN
    }
    assert not broken, "\n".join(f"{s} -> {t}: {why}" for (s, t), why in sorted(broken.items()))


def test_the_known_exceptions_still_exist() -> None:
    gone = KNOWN - _imports()
    assert not gone, f"these arrows are gone: take them out of KNOWN: {sorted(gone)}"


@pytest.mark.parametrize(
    ("source", "target"),
    [
        ("activitylog.storage.sqlite.store", "activitylog.service"),
        ("activitylog.web.mount", "activitylog.api.errors"),
        ("activitylog.http.errors", "activitylog.web.responses"),
        ("activitylog.sdk.client", "activitylog.storage.base"),
    ],
)
def test_the_rule_catches_an_upward_import(source: str, target: str) -> None:
    """The checker itself: an arrow up a layer, between the console and the API, or from the SDK is refused."""
    assert _breaks(source, target)


def test_the_rule_allows_a_downward_import() -> None:
    assert _breaks("activitylog.web.mount", "activitylog.http.errors") is None
    assert _breaks("activitylog.sdk.client", "activitylog.errors") is None
