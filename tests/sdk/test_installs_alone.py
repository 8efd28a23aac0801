"""Plain `pip install activitylog` is the SDK alone: httpx, and none of the server's dependencies.

The project is copied and installed into a fresh virtual environment (dependencies from the package index,
as a user's install would fetch them); the client is then imported and built there without FastAPI.
"""

from __future__ import annotations

import shutil
import subprocess
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SERVER_ONLY = ("fastapi", "pydantic", "sqlalchemy", "psycopg", "uvicorn", "click", "jinja2")


@pytest.mark.slow
def test_the_sdk_installs_and_imports_without_the_server(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    shutil.copy(ROOT / "pyproject.toml", project)
    shutil.copy(ROOT / "README.md", project)
    shutil.copytree(ROOT / "src", project / "src", ignore=shutil.ignore_patterns("*.egg-info", "__pycache__"))
    env = tmp_path / "env"
    venv.create(env, with_pip=True)
    python = env / "bin" / "python"
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(project)],
        check=True,
        timeout=900,
    )
    installed = subprocess.run(
        [python, "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.lower()
    assert "httpx==" in installed
    for name in SERVER_ONLY:
        assert f"\n{name}==" not in f"\n{installed}", f"{name} was installed with the SDK"
    probe = (
        "import sys; from activitylog import Client, AsyncClient; "
        "c = Client('http://127.0.0.1:9', token='t'); c.close(); "
        f"bad = [m for m in {SERVER_ONLY!r} if m in sys.modules]; "
        "assert not bad, bad; print('ok')"
    )
    ran = subprocess.run([python, "-c", probe], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip() == "ok"
