"""`activitylog demo`: create the demo workspace (the generator lives in activitylog.demo)."""

from __future__ import annotations

import click


@click.command()
def demo() -> None:
    """Create the demo workspace "Acme" with a year of realistic activity."""
    raise click.ClickException("not built yet")
