"""What the command line draws on a terminal: tables that fit it, and progress bars.

Progress bars are tqdm's: it has no dependencies of its own, and its two options
``disable=None`` (nothing drawn when the stream is not a terminal: a pipe, a log,
CI) and ``delay`` (nothing drawn for a task that ends sooner) are exactly the two
rules a bar on standard error should follow; rich would bring a rendering engine
(markdown-it-py, Pygments) for one bar.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterable, Sequence
from typing import IO, Any, TextIO, TypeVar

from tqdm import tqdm

#: Columns of a table when standard output is not a terminal (a file, a pipe).
DEFAULT_COLUMNS = 100
#: Space between two columns of a table.
GAP = "  "
#: Narrowest cut column of a table; below it, rows are printed as records instead.
MIN_COLUMN = 12
#: A bar appears only for a task that has run this long (seconds).
PROGRESS_DELAY_S = 2.0

T = TypeVar("T")


def columns(out: TextIO) -> int:
    """The width to fit: the terminal's, or :data:`DEFAULT_COLUMNS` off a terminal."""
    if out.isatty():
        return shutil.get_terminal_size((DEFAULT_COLUMNS, 24)).columns
    return DEFAULT_COLUMNS


def fit_widths(widths: Sequence[int], limit: int) -> list[int]:
    """Column widths whose line (with :data:`GAP` between columns) fits ``limit``.

    The widest columns give way first: every column keeps its width up to a common
    cap, chosen as large as the line allows (narrow columns are never cut).

    >>> fit_widths([4, 120, 30], 60)
    [4, 26, 26]
    """
    widths = list(widths)
    room = limit - len(GAP) * (len(widths) - 1)
    if sum(widths) <= room or not widths:
        return widths
    cap = max(widths)
    while cap > 1 and sum(min(w, cap) for w in widths) > room:
        cap -= 1
    fitted = [min(w, cap) for w in widths]
    spare = room - sum(fitted)
    for index, width in enumerate(widths):
        if spare <= 0:
            break
        if width > fitted[index]:
            fitted[index] += 1
            spare -= 1
    return fitted


def write_table(
    names: Sequence[str], rows: Sequence[Sequence[str]], out: TextIO, *, wide: bool = False
) -> None:
    """An aligned table with a row count; cells cut with "…" to fit the terminal
    (:func:`columns`) unless ``wide``. When fitting would cut a column below
    :data:`MIN_COLUMN` characters, each row is printed as a record instead."""
    cells = [[" ".join(c.split()) for c in row] for row in rows]
    natural = [max([len(n), *(len(r[i]) for r in cells)]) for i, n in enumerate(names)]
    widths = natural if wide else fit_widths(natural, columns(out))
    if any(w < min(n, MIN_COLUMN) for w, n in zip(widths, natural, strict=True)):
        write_records(names, cells, out, limit=columns(out))
        return

    def line(values: Sequence[str]) -> str:
        return GAP.join(clip(v, w).ljust(w) for v, w in zip(values, widths, strict=True)).rstrip()

    out.write(line(names) + "\n")
    out.write(line(["-" * w for w in widths]) + "\n")
    for row in cells:
        out.write(line(row) + "\n")
    out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")


def write_records(
    names: Sequence[str], rows: Sequence[Sequence[str]], out: TextIO, *, limit: int
) -> None:
    """Each row as a block of ``name  value`` lines (too many columns for a table that
    fits: psql's expanded display), values cut to ``limit``."""
    width = max(map(len, names), default=0)
    for number, row in enumerate(rows, 1):
        out.write(f"-[ row {number} ]".ljust(min(limit, 40), "-") + "\n")
        for name, value in zip(names, row, strict=True):
            out.write(clip(f"{name.ljust(width)}{GAP}{value}", limit).rstrip() + "\n")
    out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")


def clip(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters, the last one "…" when cut.

    >>> clip("serotonin", 6)
    'serot…'
    """
    return text if len(text) <= width else text[: max(0, width - 1)] + "…"


def progress(
    iterable: Iterable[T] | None = None,
    *,
    total: int | None,
    what: str,
    out: TextIO | None = None,
    delay_s: float | None = None,
    unit_scale: bool = False,
) -> tqdm[T]:
    """A progress bar on ``out`` (standard error) counting ``what``: drawn only on a
    terminal and only once the task has run :data:`PROGRESS_DELAY_S`. Iterate over
    it, or call ``update(n)``; close it (or use it as a context manager) at the end."""
    stream = out if out is not None else sys.stderr
    return tqdm(
        iterable,
        total=total,
        unit=f" {what}",
        file=stream,
        disable=not stream.isatty(),
        delay=PROGRESS_DELAY_S if delay_s is None else delay_s,
        dynamic_ncols=True,
        unit_scale=unit_scale,
    )


class CountingWriter:
    """A binary stream that tells a progress bar how many bytes went through it."""

    def __init__(self, out: IO[bytes], bar: tqdm[Any]) -> None:
        self.out = out
        self.bar = bar

    def write(self, data: bytes) -> int:
        written = self.out.write(data)
        self.bar.update(len(data))
        return written

    def flush(self) -> None:
        self.out.flush()
