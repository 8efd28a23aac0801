"""An export opened in LibreOffice Calc, the way a teammate opens it: no hostile value becomes a formula.

The CSV comes from the project's own writer (`export.csv.stream`) with hostile values in every column an event
fills. LibreOffice reads it headless (`soffice --convert-to fods`) with the separators a spreadsheet uses in
different locales (comma, semicolon, tab), with and without "trim spaces", and with formulas evaluated; the
flat ODF it writes says, cell by cell, whether a cell became a formula. A control line written by hand (a bare
`=40+2`) proves each reading does evaluate formulas. Read with commas, every cell must also hold exactly the
text Python's csv module reads.

LibreOffice comes from Debian (`scripts/services.sh` installs libreoffice-calc-nogui). Without `soffice` this
test fails, naming the fix; ACTIVITYLOG_SKIP_LIBREOFFICE=1 skips it on purpose.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import pytest

from activitylog.domain.entry import Actor, Entry
from activitylog.export.csv import BOM, COLUMNS, stream

pytestmark = pytest.mark.slow

SOFFICE = os.environ.get("ACTIVITYLOG_SOFFICE", "soffice")
TIMEOUT = 300  # seconds for one conversion; the first start of a fresh profile is the slow one

HOSTILE = [
    "Sam;=1+2",
    "Sam;=1+2;x",
    "Mozilla/5.0;=2+3",
    "Mozilla/5.0 (X11);=2+3;",
    " =1+1",
    "\t=1+1",
    "\r=1+1",
    "\n=1+1",
    "@SUM(1)",
    "-2+3",
    "+2+3",
    "=1+1",
    "a,=1+1",
    "a,=1+1,b",
    "a, =1+1,b",
    "a; =1+1; b",
    "a;\t=1+1;b",
    "a;-2+3;b",
    "a;+2+3;b",
    "a;@SUM(1);b",
    ';"=4+4";',
    "a\t=7+7\tb",
    "a\n=1+1",
    "a\r\n=1+1\r\nb",
    '=HYPERLINK("http://evil.test";"x")',
    'x;=HYPERLINK("http://evil.test";"x");y',
]

#: LibreOffice's CSV import options, by position: separator, text delimiter ("), charset (76 = UTF-8), first
#: line, column formats, language, quoted fields as text, detect special numbers, (two export options), trim
#: spaces, (an export option), evaluate formulas.
SEPARATORS = {"comma": 44, "semicolon": 59, "tab": 9}


def options(separator: int, *, trim: bool) -> str:
    return f"CSV:{separator},34,76,1,,0,false,false,false,false,{str(trim).lower()},,true"


NS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
}
TABLE, OFFICE, TEXT = (f"{{{NS[p]}}}" for p in ("table", "office", "text"))


@dataclass(frozen=True)
class Cell:
    row: int
    column: int
    value_type: str | None
    formula: str | None
    text: str


def _text(element: ET.Element) -> str:
    """A text:p's text, with its encoded spaces, tabs and line breaks."""
    parts = [element.text or ""]
    for child in element:
        if child.tag == TEXT + "s":
            parts.append(" " * int(child.get(TEXT + "c", "1")))
        elif child.tag == TEXT + "tab":
            parts.append("\t")
        elif child.tag == TEXT + "line-break":
            parts.append("\n")
        else:
            parts.append(_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def cells_of(fods: Path) -> list[Cell]:
    """The sheet's cells that hold something; equal neighbours, written once and repeated, counted out."""
    found = []
    sheet = ET.parse(fods).getroot().find(".//table:table", NS)
    assert sheet is not None, fods
    r = 0
    for row in sheet.iter(TABLE + "table-row"):
        rows = int(row.get(TABLE + "number-rows-repeated", "1"))
        column = 0
        for c in row:
            if c.tag not in (TABLE + "table-cell", TABLE + "covered-table-cell"):
                continue
            text = "\n".join(_text(p) for p in c.findall("text:p", NS))
            columns = int(c.get(TABLE + "number-columns-repeated", "1"))
            if text or c.get(TABLE + "formula"):
                kind, formula = c.get(OFFICE + "value-type"), c.get(TABLE + "formula")
                found += [Cell(r + i, column + j, kind, formula, text) for i in range(rows) for j in range(columns)]
            column += columns
        r += rows
    return found


@pytest.fixture(scope="module")
def soffice() -> str:
    if os.environ.get("ACTIVITYLOG_SKIP_LIBREOFFICE") == "1":
        pytest.skip("LibreOffice test skipped on purpose (ACTIVITYLOG_SKIP_LIBREOFFICE=1)")
    found = shutil.which(SOFFICE)
    if found is None:
        pytest.fail(
            f"LibreOffice is not installed ({SOFFICE} not found): run `bash scripts/services.sh` "
            "(apt-get install libreoffice-calc-nogui), or set ACTIVITYLOG_SKIP_LIBREOFFICE=1 to skip it on purpose.",
            pytrace=False,
        )
    return found


CONTROL = "=40+2"  # appended by hand, unguarded: each reading must evaluate it, or it proves nothing


def hostile_export() -> str:
    """The writer's CSV of one entry per hostile value, the value in every column an event fills."""
    entries = []
    for i, value in enumerate(HOSTILE):
        entries.append(
            Entry(
                id=f"entry-{i:02d}",
                workspace_id="ws",
                type="app_name_change",
                actor=Actor("teammate", f"tm{i}", value, value if i % 2 else f"tm{i}@acme.test"),
                occurred_us=1_767_225_600_000_000 + i * 1_000_000,
                recorded_us=1_767_225_600_000_000 + i * 1_000_000,
                ip=value if i % 3 == 0 else "203.0.113.7",
                user_agent=value,
                metadata_raw={"before": value, "after": [value, -2]},
                request_id=value if i % 2 == 0 else f"req-{i}",
            )
        )
    return "".join(stream(entries, "America/New_York"))


def convert(soffice: str, source: Path, infilter: str, out: Path, profile: Path) -> list[Cell]:
    out.mkdir()
    done = subprocess.run(
        [
            soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
            f"--infilter={infilter}", "--convert-to", "fods", "--outdir", str(out), str(source),
        ],
        capture_output=True, text=True, timeout=TIMEOUT, check=False,
    )  # fmt: skip
    converted = out / (source.stem + ".fods")
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)
    assert converted.exists(), (done.stdout, done.stderr)
    return cells_of(converted)


@dataclass(frozen=True)
class Readings:
    csv: str  # what the writer wrote (without the control line)
    cells: dict[str, list[Cell]]  # "semicolon, trimmed" -> LibreOffice's cells


@pytest.fixture(scope="module")
def readings(soffice: str, tmp_path_factory: pytest.TempPathFactory) -> Readings:
    """The export read by LibreOffice six ways, with one private profile for the module."""
    here = tmp_path_factory.mktemp("libreoffice")
    text = hostile_export()
    source = here / "export.csv"
    # As a download is: after the byte-order mark (which LibreOffice, like Excel, must not show in a cell).
    source.write_text(BOM + text + CONTROL + "\r\n", encoding="utf-8", newline="")
    cells = {}
    for name, separator in SEPARATORS.items():
        for trim in (False, True):
            label = f"{name}{', trimmed' if trim else ''}"
            cells[label] = convert(soffice, source, options(separator, trim=trim), here / label, here / "profile")
    return Readings(text, cells)


def test_no_hostile_value_becomes_a_formula_whatever_the_separator(readings: Readings) -> None:
    formulas = {
        label: [(c.row, c.column, c.formula, c.text) for c in cells if c.formula]
        for label, cells in readings.cells.items()
    }
    for label, found in formulas.items():
        # The control line is the last row, however many rows each separator splits the export into.
        control = (max(c.row for c in readings.cells[label]), 0, "of:" + CONTROL, "42")
        assert control in found, f"{label}: LibreOffice evaluated not even the control line"
        found.remove(control)
    assert formulas == {label: [] for label in formulas}


def test_read_with_commas_each_cell_holds_the_text_python_reads(readings: Readings) -> None:
    expected = list(csv.reader(io.StringIO(readings.csv, newline="")))
    assert expected[0] == list(COLUMNS)
    assert len(expected) == len(HOSTILE) + 1
    cells = [c for c in readings.cells["comma"] if c.row < len(expected)]
    for c in cells:
        assert c.formula is None, c
        assert c.value_type == "string", c

    def same(value: str) -> str:  # LibreOffice keeps a line break inside a cell as LF, whatever the CSV had
        return value.replace("\r\n", "\n").replace("\r", "\n")

    got = {(c.row, c.column): same(c.text) for c in cells}
    assert got == {
        (r, column): same(value) for r, row in enumerate(expected) for column, value in enumerate(row) if value
    }
