"""Near misses: the known name closest to a misspelt one, for "did you mean" hints.

One helper for every message that names something unknown: a field of the claim
record (``statisticz`` → ``statistics``), a property of its RDF form
(``gba:pvalue`` → ``gba:pValue``), a CURIE prefix (``MONDOO`` → ``MONDO``), an entity
(``gbkg:probiotics`` → ``gbkg:probiotic``), an entity class.

>>> did_you_mean("statisticz", ["statistics", "quantity", "context"])
'statistics'
>>> did_you_mean("gbkg:probiotics", ["gbkg:probiotic", "gbkg:prebiotic", "MONDO:0002050"])
'gbkg:probiotic'
>>> did_you_mean("zzz", ["statistics"]) is None
True
>>> hint("statisticz", ["statistics"])
' (did you mean statistics?)'
"""

from __future__ import annotations

from collections.abc import Iterable

from rapidfuzz import fuzz, process, utils

#: The least similarity (0-100, rapidfuzz's ratio on case-folded text) of a suggestion.
CUTOFF = 80.0


def did_you_mean(word: str, candidates: Iterable[str], *, cutoff: float = CUTOFF) -> str | None:
    """The candidate most like ``word`` (case-insensitive), if one is close enough and is
    not ``word`` itself."""
    choices = [c for c in dict.fromkeys(candidates) if c != word]
    if not word or not choices:
        return None
    found = process.extractOne(
        word, choices, scorer=fuzz.ratio, processor=utils.default_process, score_cutoff=cutoff
    )
    return None if found is None else str(found[0])


def hint(word: str, candidates: Iterable[str], *, cutoff: float = CUTOFF) -> str:
    """``" (did you mean X?)"`` for the nearest candidate, or ``""``."""
    found = did_you_mean(word, candidates, cutoff=cutoff)
    return f" (did you mean {found}?)" if found else ""


__all__ = ["CUTOFF", "did_you_mean", "hint"]
