"""Candidates as text for a terminal: a table, JSON, or one JSON object per line.

In the table an entity is its CURIE, marked when it is not a plain match: ``?`` a
near miss to check, ``+`` a proposed new entity, ``~`` inferred (not named in the
sentence); a relation is its local name (``improves`` for ``gba:improves``). ``check``
is the validation result: ``ok``, or the fields to fix.
"""

from __future__ import annotations

from enum import StrEnum

from gbkg.kg.suggest.candidate import Candidate, Suggestions


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    JSONL = "jsonl"


MARKS = {"fuzzy": "?", "proposed": "+", "inferred": "~"}
COLUMNS = ("#", "conf", "finding", "hedge", "subject", "relation", "object", "check", "quote")
WIDTHS = (3, 4, 10, 5, 22, 22, 24, 20, 44)


def render(suggestions: Suggestions, fmt: OutputFormat) -> str:
    if fmt is OutputFormat.JSON:
        return suggestions.model_dump_json(indent=2, exclude_none=True) + "\n"
    if fmt is OutputFormat.JSONL:
        return "".join(c.model_dump_json(exclude_none=True) + "\n" for c in suggestions.candidates)
    return table(suggestions)


def table(suggestions: Suggestions) -> str:
    lines = [_row(COLUMNS), _row(tuple("-" * w for w in WIDTHS))]
    lines.extend(_row(_cells(c)) for c in suggestions.candidates)
    proposed = sorted({m.id for m in suggestions.mentions if m.status == "proposed"})
    lines.append(
        f"({suggestions.count} candidate{'s' if suggestions.count != 1 else ''} from "
        f"{suggestions.sentences} sentences; nothing was stored)"
    )
    if proposed:
        lines.append("proposed new entities (check them): " + ", ".join(proposed))
    return "\n".join(lines) + "\n"


def _cells(c: Candidate) -> tuple[str, ...]:
    claim = c.claim
    status = {r.field: r.cue for r in c.reasons if r.field in ("subject", "object")}
    finding = c.extracted.get("finding", claim.get("finding", ""))

    def entity(role: str) -> str:
        value = claim.get(role)
        return f"{value}{MARKS.get(status.get(role) or '', '')}" if value else "?"

    return (
        str(c.index),
        f"{c.confidence:.2f}",
        str(finding),
        "yes" if claim.get("hedged") else "",
        entity("subject"),
        (claim.get("predicate") or "?").removeprefix("gba:"),
        entity("object"),
        _check(c),
        claim.get("quote", ""),
    )


def _check(c: Candidate) -> str:
    if c.validation is None:
        return "-"
    if c.validation.conforms:
        return "ok"
    fields = [
        str(v.get("field") or "claim")
        for v in c.validation.violations
        if v.get("severity") == "violation"
    ]
    return "fix: " + ", ".join(dict.fromkeys(fields))


def _row(cells: tuple[str, ...]) -> str:
    return "  ".join(_clip(c, w).ljust(w) for c, w in zip(cells, WIDTHS, strict=True)).rstrip()


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
