"""The test tree's layout (issue 13, README's "How the code is laid out"): the tests mirror the source tree, and
shared helpers live in one package, tests/support/.

- A test module or conftest imports from `tests` only `tests.support.*`, or its own folder (its conftest, or a
  sibling module). Never another folder's test module or conftest, the root conftest included: pytest hands
  fixtures to every folder below a conftest without an import, and what is imported is a helper, so it belongs
  in tests/support/.
- Each folder under tests/ mirrors a package of src/activitylog/ (a test of src/activitylog/X/Y.py lives under
  tests/X/), or is in `ALLOWED`, which says why. A module directly in tests/ mirrors a root module
  (tests/test_tokens.py tests src/activitylog/tokens.py).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
PACKAGE = ROOT / "src" / "activitylog"

# Folders of tests/ that mirror no package of src/activitylog/, and why.
ALLOWED: dict[str, str] = {
    "architecture": "rules over the whole source tree (layers, purity, this layout)",
    "support": "the helpers shared by the tests of more than one folder",
    "data": "data files the tests read, no tests",
    "docs": "the README's and docs/'s claims, checked against the code",
    "system": "whole-system tests that test no single module: a server killed at random, faults, isolation",
    "browser": "the console in headless Chromium; its conftest starts the browser and a seeded server",
    "spreadsheet": "exports opened in headless LibreOffice Calc; needs LibreOffice",
    "web/activity_page": "the activity log page (web/activity_pages.py, activity_view.py, activity_filters.py) "
    "over HTTP, with a server of its own",
}


def _folders() -> list[Path]:
    return sorted(
        path
        for path in TESTS.rglob("*")
        if path.is_dir() and "__pycache__" not in path.parts and not path.name.startswith(".")
    )


def _package_of(path: Path) -> str:
    return ".".join(path.parent.relative_to(ROOT).parts)


def _is_module(name: str) -> bool:
    path = ROOT / Path(*name.split("."))
    return path.with_suffix(".py").is_file() or path.is_dir()


def _imported(path: Path) -> list[tuple[int, str]]:
    """Every module of `tests` the file imports (at the top, in functions, relative imports resolved)."""
    package = _package_of(path).split(".")
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:  # `from tests import people` imports the module tests.people
                submodule = f"{module}.{alias.name}"
                found.append((node.lineno, submodule if _is_module(submodule) else module))
    return [(line, name) for line, name in found if name == "tests" or name.startswith("tests.")]


def _allowed(importer: Path, module: str) -> bool:
    if module == "tests.support" or module.startswith("tests.support."):
        return True
    own = _package_of(importer)  # its own folder: its conftest or a sibling module, never the root conftest
    return own != "tests" and module.rpartition(".")[0] == own


def test_test_modules_import_only_tests_support_and_their_own_folder() -> None:
    wrong = [
        f"{path.relative_to(ROOT)}:{line} imports {module}"
        for path in sorted(TESTS.rglob("*.py"))
        if "__pycache__" not in path.parts
        for line, module in _imported(path)
        if not _allowed(path, module)
    ]
    assert not wrong, "move the helper into tests/support/ and import it from there:\n" + "\n".join(wrong)


def test_each_test_folder_mirrors_a_source_package_or_says_why_not() -> None:
    stray = []
    for folder in _folders():
        relative = folder.relative_to(TESTS).as_posix()
        if relative in ALLOWED or any(relative.startswith(f"{name}/") for name in ALLOWED):
            continue
        if not (PACKAGE / relative / "__init__.py").is_file():
            stray.append(relative)
    assert not stray, f"tests/<dir> must mirror src/activitylog/<dir>, or be in ALLOWED with a reason: {stray}"


def test_every_allowed_folder_exists() -> None:
    assert [name for name in ALLOWED if not (TESTS / name).is_dir()] == []


def test_a_test_module_directly_in_tests_mirrors_a_root_module() -> None:
    stray = [
        path.name
        for path in sorted(TESTS.glob("test_*.py"))
        if not (PACKAGE / f"{path.name.removeprefix('test_')}").is_file()
    ]
    assert not stray, f"tests/test_X.py tests src/activitylog/X.py; these mirror none: {stray}"
