"""`activitylog types`: the activity-type catalog.

A code is what a person copies into `--type` or an event, so it is never cut short: in the table its column
is as wide as the longest code and never wraps, and the other columns wrap in the width that is left. A
terminal too narrow for that table gets one block per type instead: the code on a line of its own, then the
label, category and example sentence wrapped beneath it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import click
from rich.console import Console
from rich.padding import Padding
from rich.table import Table

from activitylog.catalog import REGISTRY, ActivityType, render

SENTENCE_WIDTH = 24  # narrower, the example sentence would wrap a word or two a line


def _longest_word(texts: Iterable[str]) -> int:
    return max((len(word) for text in texts for word in text.split()), default=1)


def _sentence(t: ActivityType) -> str:
    return render(t, t.code, "Beth-Ann Sher", t.example)


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
    chosen.sort(key=lambda t: (t.category, t.label))
    console = Console()
    title = f"{len(chosen)} activity types"
    widest = max((len(t.code) for t in chosen), default=4)
    # Four columns: the rules and padding of the table take 13 characters. What is left beside the codes goes
    # to the label, the category and the sentence, each at least as wide as its longest word.
    room = console.width - widest - 13
    label_width = max(_longest_word(t.label for t in chosen), room * 3 // 10)
    category_width = max(_longest_word(t.category for t in chosen), room // 5)
    sentence_width = room - label_width - category_width
    if sentence_width >= SENTENCE_WIDTH:
        table = Table(title=title)
        table.add_column("Code", no_wrap=True, width=widest)
        # A word longer than its column (a URL) folds onto the next line: nothing is cut.
        table.add_column("Label", width=label_width, overflow="fold")
        table.add_column("Category", width=category_width, overflow="fold")
        table.add_column("Example sentence", width=sentence_width, overflow="fold")
        for t in chosen:
            table.add_row(t.code, t.label, t.category, _sentence(t))
        console.print(table)
        return
    console.print(title, style="bold")
    for t in chosen:
        # The code as plain text, longer than the terminal or not: the terminal wraps it, nothing cuts it.
        console.print()
        console.print(t.code, style="bold", no_wrap=True, overflow="ignore", crop=False)
        details = Table.grid(padding=(0, 1))
        details.add_column(style="dim", no_wrap=True)
        details.add_column(overflow="fold")
        details.add_row("Label", t.label)
        details.add_row("Category", t.category)
        details.add_row("Example", _sentence(t))
        console.print(Padding(details, (0, 0, 0, 2)))
