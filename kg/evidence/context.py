"""Qualifiers compared as a curator means them: normalized, case-folded, set-valued.

A claim holds in its context (population, co-intervention, condition, strain, dose,
age, ...). Two values are the same when they are equal after Unicode NFC, trimming,
collapsing runs of spaces and case-folding, so ``"adults "`` and ``"Adults"`` are one
stratum. A field may hold several values; two contexts are *separated* by a field when
both state it and their values share nothing. A context that leaves a field out is
compared with every value of it (an unqualified claim meets every stratum).

>>> normalize("  Adults   over 65 ")
'adults over 65'
>>> a = Context.of({"population": "adults "})
>>> a == Context.of({"population": "Adults"})
True
>>> Context.of({"age": "over 65"}).separated_from(Context.of({"age": "under 60"}))
('age',)
>>> Context.of({}).separated_from(Context.of({"age": "under 60"}))
()
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any


def normalize(value: str) -> str:
    """NFC, trimmed, single spaces, case-folded."""
    return " ".join(unicodedata.normalize("NFC", value).split()).casefold()


def _values(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Iterable):
        return tuple(str(v) for v in value)
    return (str(value),)


@dataclass(frozen=True)
class Context:
    """A normalized context: field → the set of its normalized values (and how it was written)."""

    fields: tuple[tuple[str, frozenset[str]], ...]
    shown: tuple[tuple[str, str | tuple[str, ...]], ...] = ()

    @classmethod
    def of(cls, context: Mapping[str, Any]) -> Context:
        fields = []
        shown: list[tuple[str, str | tuple[str, ...]]] = []
        for name in sorted(context):
            raw = [
                " ".join(unicodedata.normalize("NFC", v).split()) for v in _values(context[name])
            ]
            raw = [v for v in raw if v]
            if not raw:
                continue
            fields.append((name, frozenset(v.casefold() for v in raw)))
            ordered = tuple(sorted(set(raw), key=str.casefold))
            shown.append((name, ordered[0] if len(ordered) == 1 else ordered))
        return cls(tuple(fields), tuple(shown))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Context) and self.fields == other.fields

    def __hash__(self) -> int:
        return hash(self.fields)

    @property
    def mapping(self) -> dict[str, frozenset[str]]:
        return dict(self.fields)

    def as_dict(self) -> dict[str, str | list[str]]:
        """As written (normalized spaces, first spelling kept): a string, or a list when several."""
        return {k: (v if isinstance(v, str) else list(v)) for k, v in self.shown}

    def separated_from(self, other: Context) -> tuple[str, ...]:
        """The fields both state with no value in common."""
        mine, theirs = self.mapping, other.mapping
        return tuple(f for f in sorted(mine) if f in theirs and not mine[f] & theirs[f])

    def narrower_than(self, other: Context) -> bool:
        """States everything ``other`` states (same values) and more: a subgroup of it."""
        mine, theirs = self.mapping, other.mapping
        return len(mine) > len(theirs) and all(
            f in mine and mine[f] <= v for f, v in theirs.items()
        )

    def common(self, other: Context) -> Context:
        """The fields both share with the same values."""
        theirs = other.mapping
        keep = {f for f, v in self.fields if theirs.get(f) == v}
        return Context(
            tuple(x for x in self.fields if x[0] in keep),
            tuple(x for x in self.shown if x[0] in keep),
        )

    def __bool__(self) -> bool:
        return bool(self.fields)

    def describe(self) -> str:
        """``population adults, age over 65``; ``no qualifier`` when empty."""
        if not self.shown:
            return "no qualifier"
        return ", ".join(
            f"{k.replace('_', ' ')} {v if isinstance(v, str) else ' / '.join(v)}"
            for k, v in self.shown
        )
