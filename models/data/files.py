"""Reading a user's file safely: the path check, a CSV reader that checks the header and the row
widths, and cell parsers; every problem is a DataError naming the file, the line and column."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path

from .containers import DataError, PathLike


def check_file(path: PathLike, what: str) -> Path:
    p = Path(path)
    if not p.exists():
        raise DataError(f"{p}: file not found. Download the {what} and pass the path to it.")
    if not p.is_file():
        raise DataError(f"{p}: is not a regular file. Pass the path to the {what} file itself.")
    return p


def read_csv(
    path: PathLike, required: Sequence[str], what: str
) -> tuple[Path, dict[str, int], list[tuple[int, list[str]]]]:
    """Read a comma-separated UTF-8 file; return (path, column index, [(line, fields)])."""
    p = check_file(path, what)
    try:
        # utf-8-sig drops a BOM (Excel adds one); newline="" lets csv handle quoted newlines.
        with p.open("r", encoding="utf-8-sig", newline="") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            rows = [(reader.line_num, row) for row in reader if row]
    except UnicodeDecodeError as e:
        raise DataError(
            f"{p}: not UTF-8 text (bad byte at offset {e.start}). Is this really the {what}? "
            "Re-save it as UTF-8 CSV."
        ) from None
    except csv.Error as e:
        raise DataError(f"{p}: not a readable CSV ({e}). Expected the {what}.") from None
    except OSError as e:
        raise DataError(
            f"{p}: cannot read the file ({e.strerror}). Check its permissions."
        ) from None
    if not header:
        raise DataError(
            f"{p}: the file is empty. Expected the {what} with header columns "
            f"{', '.join(required)}."
        )
    header = [h.strip() for h in header]
    columns: dict[str, int] = {}
    for i, name in enumerate(header):
        if name in required and name in columns:
            raise DataError(
                f"{p}, line 1: column '{name}' appears twice (columns {columns[name] + 1} and "
                f"{i + 1}). Remove the duplicate."
            )
        columns.setdefault(name, i)
    missing = [c for c in required if c not in columns]
    if missing:
        shown = ", ".join(header[:15]) + (", ..." if len(header) > 15 else "")
        raise DataError(
            f"{p}, line 1 (header): missing column(s) {', '.join(repr(m) for m in missing)}; "
            f"found: {shown}. Expected the {what}."
        )
    width = len(header)
    for line, row in rows:
        if len(row) != width:
            raise DataError(
                f"{p}, line {line}: {len(row)} fields but the header has {width}. "
                "Fix or remove this row (a stray comma or a missing value?)."
            )
    if not rows:
        raise DataError(f"{p}: the header is there but there are no data rows.")
    return p, columns, rows


def cell(p: Path, line: int, columns: dict[str, int], row: list[str], col: str) -> str:
    text = row[columns[col]].strip()
    if not text:
        raise DataError(
            f"{p}, line {line}, column {columns[col] + 1} ('{col}'): empty value. "
            "Fill it in or delete the row."
        )
    return text


def float_cell(p: Path, line: int, columns: dict[str, int], row: list[str], col: str) -> float:
    text = cell(p, line, columns, row, col)
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):  # float() also accepts 'nan' and 'inf'; reject those too
        raise DataError(
            f"{p}, line {line}, column {columns[col] + 1} ('{col}'): {text!r} is not a finite "
            "number. Correct the value or delete the row."
        )
    return value


def int_cell(p: Path, line: int, columns: dict[str, int], row: list[str], col: str) -> int:
    text = cell(p, line, columns, row, col)
    try:
        return int(text)
    except ValueError:
        raise DataError(
            f"{p}, line {line}, column {columns[col] + 1} ('{col}'): {text!r} is not an "
            "integer. Correct the value or delete the row."
        ) from None
