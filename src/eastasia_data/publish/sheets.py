"""The spreadsheet exports: an Excel workbook and CSV files, safe to open in a spreadsheet.

**Spreadsheet safety.** A text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or
a carriage return could run as a formula when a spreadsheet opens the file. In CSV such a
cell gets a leading apostrophe (``'=1+1``), the usual neutraliser; in XLSX the cell is
stored as a text cell marked "quote prefix", so it shows its value unchanged and never
runs. The curated data holds no such cell (``validate`` forbids them), but a frame you
modified and export yourself might.

Examples
--------
>>> import pandas as pd
>>> print(csv_text(pd.DataFrame({"id": ["a"], "note": ["+1"]}, dtype=object)), end="")
id,note
a,'+1
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from eastasia_data.errors import ExportError

__all__ = ["FORMULA_START", "XLSX_MAX_CELL", "csv_field", "csv_text", "neutralise", "write_csv", "write_xlsx",
           "xlsx_problem"]

#: First characters that make a spreadsheet treat a text cell as a formula.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Make a text cell safe to open in a spreadsheet: prefix an apostrophe to a formula.

    Parameters
    ----------
    value : object
        A cell value; only strings are changed.

    Returns
    -------
    object
        ``value`` with a leading ``'`` when it is a string starting with ``=``, ``+``,
        ``-``, ``@``, a tab or a carriage return; otherwise ``value`` itself.

    Examples
    --------
    >>> neutralise("=HYPERLINK(\\"http://example.org\\")")
    '\\'=HYPERLINK("http://example.org")'
    >>> neutralise("Pyongyang"), neutralise(3)
    ('Pyongyang', 3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_xlsx(path: Path, schemas, texts) -> None:
    """Write the tables (``texts``, as :func:`~eastasia_data.publish.tables.text_columns` gives them) as one workbook, a sheet each.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from openpyxl import load_workbook
    >>> from eastasia_data.publish.tables import release_texts
    >>> schemas, texts = release_texts()
    >>> path = Path(tempfile.mkdtemp()) / "e.xlsx"
    >>> write_xlsx(path, schemas, texts)
    >>> load_workbook(path, read_only=True).sheetnames == sorted(texts)
    True
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for name in sorted(texts):
        sheet = book.create_sheet(name[:31])
        frame = texts[name]
        sheet.append(list(frame.columns))
        for cell in sheet[1]:
            cell.font = bold
        key = [list(frame.columns).index(c) for c in schemas[name].primary_key]
        for values in frame.itertuples(index=False, name=None):
            for column, value in zip(frame.columns, values):
                problem = xlsx_problem(value)
                if problem:
                    row = ", ".join(str(values[i]) for i in key) or "?"
                    raise ExportError(f"table {name}, row {row}, column {column}: {problem}; "
                                      "Excel cannot hold it: export as csv, sqlite or duckdb instead")
            sheet.append(list(values))
        for row in sheet.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str) and (cell.data_type == "f" or cell.value.startswith(FORMULA_START)):
                    cell.data_type = "s"  # text, never a formula
                    cell.quotePrefix = True
        sheet.freeze_panes = "A2"
        for column in sheet.columns:
            width = max(len(str(c.value or "")) for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width, 8) + 2, 60)
    book.save(path)


def csv_field(value: Any) -> str:
    r"""One cell as an RFC 4180 field: quoted when it holds a comma, a quote or any line break.

    Python's ``csv`` writer quotes only the characters of its line terminator, so with
    ``\n`` line ends a bare carriage return stayed unquoted and split the record for an
    RFC 4180 reader. Here a cell is quoted when it holds ``,``, ``"`` or any character
    that :meth:`str.splitlines` breaks on (CR, LF, VT, FF, FS, GS, RS, NEL, U+2028,
    U+2029); quotes inside are doubled. A missing value is an empty field.

    Parameters
    ----------
    value : object
        The cell; None is missing, anything else is written as ``str(value)``.

    Returns
    -------
    str

    Examples
    --------
    >>> [csv_field(v) for v in ("Pyongyang", "a\rb", 'say "no" twice', None, 3)]
    ['Pyongyang', '"a\rb"', '"say ""no"" twice"', '', '3']
    """
    if value is None:
        return ""
    text = str(value)
    if _NEEDS_QUOTES.search(text):
        return '"' + text.replace('"', '""') + '"'
    return text

#: Characters that make a CSV field need quotes: the separator, the quote, every line break.
_NEEDS_QUOTES = re.compile('[,"\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]')
#: The longest text an Excel cell holds.
XLSX_MAX_CELL = 32_767
#: Characters that XML 1.0, and so an XLSX file, cannot hold (openpyxl refuses them).
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")

def xlsx_problem(value: Any) -> str | None:
    r"""Why a cell cannot be written to an Excel workbook, or None when it can.

    Excel holds at most 32,767 characters in a cell, and the XML an XLSX file is made of
    cannot hold control characters other than tab, LF and CR (nor U+FFFE, U+FFFF or
    lone surrogates). Rather than truncate or drop anything, the export refuses.

    Parameters
    ----------
    value : object
        The cell.

    Returns
    -------
    str or None
        What is wrong, naming the first bad character by its code point.

    Examples
    --------
    >>> xlsx_problem("Pyongyang") is None
    True
    >>> xlsx_problem("a\x07b")
    'holds the control character U+0007 at position 2'
    >>> xlsx_problem("x" * 40_000)
    'holds 40000 characters, more than the 32767 an Excel cell can hold'
    """
    if not isinstance(value, str):
        return None
    if len(value) > XLSX_MAX_CELL:
        return f"holds {len(value)} characters, more than the {XLSX_MAX_CELL} an Excel cell can hold"
    bad = _XML_ILLEGAL.search(value)
    if bad:
        return f"holds the control character U+{ord(bad.group()):04X} at position {bad.start() + 1}"
    return None

def csv_text(texts) -> str:
    """A table as the CSV export writes it: a header, RFC 4180 fields, formulas neutralised, LF ends.

    Parameters
    ----------
    texts : pandas.DataFrame
        The table as :func:`eastasia_data.publish.tables.text_columns` gives it.

    Returns
    -------
    str

    Examples
    --------
    >>> import pandas as pd
    >>> print(csv_text(pd.DataFrame({"id": ["a", "b"], "note": ["=1+1", None]}, dtype=object)), end="")
    id,note
    a,'=1+1
    b,
    """
    # Cell by cell: DataFrame.map would infer a str dtype and turn each missing None into NaN ("nan").
    lines = [",".join(csv_field(c) for c in texts.columns)]
    lines += [",".join(csv_field(neutralise(v)) for v in row) for row in texts.itertuples(index=False, name=None)]
    return "\n".join(lines) + "\n"


def write_csv(directory: Path, schemas, texts) -> None:
    """Write the tables (``texts``) as one ``<table>.csv`` each into the new directory ``directory``.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import pandas as pd
    >>> out = Path(tempfile.mkdtemp()) / "tables"
    >>> write_csv(out, {}, {"notes": pd.DataFrame({"id": ["a"], "note": ["=1"]}, dtype=object)})
    >>> (out / "notes.csv").read_text()
    "id,note\\na,'=1\\n"
    """
    directory.mkdir()
    for name in sorted(texts):
        (directory / f"{name}.csv").write_text(csv_text(texts[name]), encoding="utf-8", newline="")
