"""`activitylog types`: the activity-type catalog."""

from __future__ import annotations

import json

import click
from rich.console import Console
from rich.table import Table

from activitylog.catalog import REGISTRY, render


@click.command("types")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--category", help="Only the types of this category.")
def types_command(fmt: str, category: str | None) -> None:
    """List every activity type: code, label, category and an example sentence."""
    chosen = [t for t in REGISTRY if category is None or t.category.lower() == category.lower()]
    if fmt == "json":
        data = [t.as_dict() for t in chosen]
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    table = Table("Code", "Label", "Category", "Example sentence", title=f"{len(chosen)} activity types")
    for t in sorted(chosen, key=lambda t: (t.category, t.label)):
        table.add_row(t.code, t.label, t.category, render(t, t.code, "Beth-Ann Sher", t.example))
    Console().print(table)
