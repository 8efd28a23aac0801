"""`activitylog token create / list / revoke`."""

from __future__ import annotations

import json

from click.testing import CliRunner

from activitylog.cli import main
from activitylog.service import ActivityLog
from activitylog.storage import open_store
from activitylog.tokens import authenticate


def test_create_list_revoke(sqlite_url: str) -> None:
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(main, ["--database-url", sqlite_url, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    run("workspace", "create", "Acme", "--id", "ws_acme")
    secret = run("token", "create", "--workspace", "ws_acme", "--scopes", "read,write", "--name", "CI").strip()
    assert secret.startswith("al_")
    assert "\n" not in secret
    details = json.loads(run("token", "create", "--scopes", "read", "--json"))
    assert details["scopes"] == ["read"]
    assert details["token"].startswith("al_")
    assert details["workspace"] == "ws_acme"

    listed = run("token", "list")
    assert secret not in listed
    assert details["token"] not in listed
    assert listed.count("\tactive") == 2
    assert "read,write" in listed

    run("token", "revoke", details["id"])
    assert "revoked" in run("token", "list").splitlines()[1]
    failed = runner.invoke(main, ["--database-url", sqlite_url, "token", "revoke", details["id"]])
    assert failed.exit_code == 1
    assert "no active token" in failed.output
    bad = runner.invoke(main, ["--database-url", sqlite_url, "token", "create", "--scopes", "root"])
    assert bad.exit_code == 1
    assert "unknown scope" in bad.output

    store = open_store(sqlite_url)
    try:
        log = ActivityLog(store)
        assert authenticate(log, secret) is not None
        assert authenticate(log, details["token"]) is None
        logged = run("query", "--format", "json")
        types = [e["type"] for e in json.loads(logged)["entries"]]
        assert types == ["api_token_revocation", "api_token_creation", "api_token_creation"]
    finally:
        store.close()


def test_the_log_names_the_token_once(sqlite_url: str) -> None:
    runner = CliRunner()

    def run(*args: str) -> str:
        result = runner.invoke(main, ["--database-url", sqlite_url, *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.stdout

    run("workspace", "create", "Acme", "--id", "ws_acme")
    demo = json.loads(run("token", "create", "--name", "Demo token", "--json"))
    assert run("token", "revoke", demo["id"]).strip() == f"revoked the API token Demo token ({demo['id']})"
    # A token named as the old default was: the sentence does not say "the API token API token".
    old = json.loads(run("token", "create", "--name", "API token", "--json"))
    run("token", "revoke", old["id"])
    default = json.loads(run("token", "create", "--json"))
    assert default["name"] == "CLI token"
    sentences = [e["sentence"] for e in json.loads(run("query", "--format", "json"))["entries"]]
    assert sentences == [
        "The command line created the API token CLI token with read access.",
        "The command line revoked the API token.",
        "The command line created the API token with read access.",
        "The command line revoked the API token Demo token.",
        "The command line created the API token Demo token with read access.",
    ]
