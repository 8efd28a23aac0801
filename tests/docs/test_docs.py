"""The documentation is checked against the code, so it cannot go stale (as Datasette's test_docs.py does).

- the README's configuration table names every setting's environment variable, and nothing else;
- the OpenAPI document says what ids are: UUIDv7s (they once were documented as ULIDs);
- every package-data pattern in pyproject.toml matches a file that exists;
- every path under tests/ the README cites exists (tests move: issue 13).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from activitylog.app import create_app
from activitylog.settings import Settings, load

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _configuration_table() -> str:
    section = README.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return "\n".join(line for line in section.splitlines() if line.startswith("| `ACTIVITYLOG_"))


def test_the_configuration_table_names_every_setting_and_no_other() -> None:
    prefix = Settings.model_config["env_prefix"]
    documented = set(re.findall(r"`(ACTIVITYLOG_[A-Z_]+)`", _configuration_table()))
    expected = {f"{prefix}{name.upper()}" for name in Settings.model_fields}
    assert documented - expected == set(), "documented but not a setting"
    assert expected - documented == set(), "a setting the README does not document"


def test_each_setting_documented_has_a_description_in_the_code() -> None:
    """`activitylog serve --help` shows these descriptions: a setting without one would show nothing."""
    missing = [name for name, field in Settings.model_fields.items() if not field.description]
    assert not missing


def test_the_openapi_document_says_ids_are_uuidv7s(tmp_path: Path) -> None:
    document = create_app(load(database_url=f"sqlite:///{tmp_path / 'docs.db'}")).openapi()
    text = str(document)
    assert "ULID" not in text
    assert "UUIDv7" in text


def test_every_package_data_pattern_matches_a_file() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    package = ROOT / "src" / "activitylog"
    for pattern in config["tool"]["setuptools"]["package-data"]["activitylog"]:
        assert any(package.glob(pattern)), f"{pattern!r} matches no file in the package"


def test_every_test_path_the_readme_cites_exists() -> None:
    cited = set(re.findall(r"\btests/[\w./-]*[\w/]", README)) - {"tests/X/", "tests/test_X.py"}
    assert cited
    assert sorted(path for path in cited if not (ROOT / path).exists()) == []
