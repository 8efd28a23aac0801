"""What a spreadsheet could run in a CSV export, however it splits the text into cells.

A spreadsheet begins a cell at the start of a line and after each separator. Which separator depends on the
locale and the reader (`,` in most, `;` where the decimal mark is a comma, tab), and one that splits on `;` or
tab, or ignores quotes, begins cells in the middle of our quoted ones. So this looks at every such place in
the raw text, quoting ignored: none may hold, after spaces and double quotes, a formula character.
"""

from __future__ import annotations

import re

_CELL_BREAK = re.compile(r"[,;\t\r\n]")
_FORMULA = re.compile(r'[\s"]*[=+\-@]')


def formula_starts(csv_text: str) -> list[str]:
    """The pieces of the text, split at every place a cell could begin, that would start a formula."""
    return [piece for piece in _CELL_BREAK.split(csv_text) if _FORMULA.match(piece)]
