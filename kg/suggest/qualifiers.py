"""What a claim holds in, as the sentence words it: population, comparator, outcome,
duration, counts and quantities.

Each reader returns the words as printed (a :class:`~kg.suggest.statistics.Printed`
with offsets) and never invents a value the sentence does not state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from gbkg.kg.suggest.cues import APOS
from gbkg.kg.suggest.statistics import NUMBER, Printed, number

_WORDS = """zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen
fifteen sixteen seventeen eighteen nineteen twenty"""
NUMBER_WORDS = {w: i for i, w in enumerate(_WORDS.split())}
_COUNT = r"(?:\d{1,3}(?:[,\u2009\u202f\xa0 ]\d{3})+|\d+|" + "|".join(NUMBER_WORDS) + r")"
_PEOPLE = (
    r"(?:participants|patients|subjects|adults|people|individuals|women|men|volunteers|"
    r"children|adolescents|persons|cases|students)"
)
PARTICIPANTS = re.compile(
    rf"\b(?:a\s+total\s+of\s+)?(?P<n>{_COUNT})\s+(?:\w+\s+)?{_PEOPLE}\b|"
    rf"\(?\b[nN]\s*=\s*(?P<n2>\d{{1,3}}(?:[,\u2009\u202f\xa0 ]\d{{3}})+|\d+)\b",
    re.I,
)
STUDIES = re.compile(
    rf"\b(?P<n>{_COUNT})\s+(?:(?:randomi[sz]ed\s+)?(?:controlled\s+)?(?:clinical\s+)?)"
    rf"(?:studies|trials|RCTs)\b(?P<where>\s+(?:were\s+)?(?:included\s+)?(?:in|into)\s+"
    rf"(?:the|their|this|our)\s+(?:meta-?analysis|systematic\s+review))?",
    re.I,
)
#: "the researchers included 13 studies in their systematic review and seven studies in
#: the meta-analysis": counts per design.
_UNIT = r"(?P<unit>days?|weeks?|months?|years?)"
_AMOUNT = rf"(?P<n>{NUMBER}|{'|'.join(NUMBER_WORDS)})"
DURATION = re.compile(
    rf"\b(?:ranging\s+from\s+)?(?:at\s+least\s+|about\s+|approximately\s+|up\s+to\s+|an\s+"
    rf"average\s+of\s+(?:about\s+)?)?{_AMOUNT}[\s\xa0-]*(?:{_UNIT})(?:\s*(?:to|–|-)\s*"
    rf"(?:{NUMBER}|{'|'.join(NUMBER_WORDS)})[\s\xa0-]*(?:days?|weeks?|months?|years?))?\b",
    re.I,
)
_DURATION_CONTEXT = re.compile(
    r"\b(?:for|lasted|lasting|over|after|during|within|ranging|duration|took)\b", re.I
)
PERCENT = re.compile(
    rf"(?P<rel>about|approximately|around|nearly|almost|over|more\s+than|less\s+than|up\s+to|"
    rf"at\s+least)?\s*(?P<n>{NUMBER})\s?%\s+of\s+(?P<of>[^,.;:()—]+?)"
    r"(?=\s+(?:is|are|was|were|has|have|had|took|take|in|from|who|that)\b|[,.;:()—]|$)",
    re.I,
)
LARGE = re.compile(
    rf"(?P<rel>about|approximately|around|nearly|almost|over|more\s+than|less\s+than|up\s+to|"
    rf"at\s+least)?\s*(?P<n>{NUMBER})\s+(?P<scale>thousand|million|billion)\s+(?P<unit>\w+)",
    re.I,
)
_SCALE = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_RELATION = {
    "about": "≈",
    "approximately": "≈",
    "around": "≈",
    "nearly": "≈",
    "almost": "≈",
    "over": ">",
    "more than": ">",
    "less than": "<",
    "up to": "≤",
    "at least": "≥",
}

POPULATION = re.compile(
    r"\b(?:in|among|on|for|of|and)\s+(?:both\s+)?(?:the\s+)?(?:(?:a|an)\s+)?"
    r"(?P<pop>(?:(?:healthy|older|younger|elderly|adult|depressed|pregnant|obese|"
    rf"young|hospitali[sz]ed)\s+)?(?:{_PEOPLE[3:-1]}|population)"
    r"(?:\s+(?:with|aged|diagnosed\s+with|who\s+(?:were|are|had|have)|over|under|taking)\s+"
    r"[^,.;()—]{1,60}?)?)(?=\s*[,.;()—]|\s+(?:who|while|and|but|when|were|was|had)\b|$)",
    re.I,
)
PLACEBO = re.compile(r"\bplacebo\b", re.I)
COMPARED = re.compile(
    r"\b(?:compared\s+(?:with|to)|versus|vs\.?|relative\s+to)\s+(?P<c>[^,.;()]{1,50}?)"
    r"(?=\s*[,.;()]|$)",
    re.I,
)
OUTCOME = re.compile(
    r"\b(?:differences?|changes?|improvements?|reductions?|increases?|decreases?)\s+in\s+"
    r"(?P<o>[^,.;()]{2,50}?)(?=\s+(?:between|among|in|with|for|was|were|after|post)\b|\s*[,.;()]|$)|"
    r"\b(?:decreased|reduced|increased|improved|lowered)\s+(?:the\s+)?(?P<o2>[\w\s-]{2,40}"
    r"(?:scores?|scales?|levels?|symptoms))\b|"
    r"\beffects?\s+of\s+[\w\s-]{2,40}?\s+on\s+(?P<o3>[\w\s-]{2,40}?)(?=\s+(?:may|might|was|were|"
    r"is|are|in|among)\b|\s*[,.;()]|$)",
    re.I,
)
INSTRUMENT = re.compile(
    r"\b(?:HAM-?D(?:-?\d+)?|HDRS|BDI(?:-?II)?|MADRS|PHQ-?9|CES-?D|HADS|DASS(?:-?21)?|GDS|POMS|"
    r"(?:[A-Z][a-z]+\s+){1,4}(?:Scale|Inventory|Questionnaire))\b"
)


@dataclass(frozen=True)
class Quantity:
    value: float
    unit: str
    of: str | None
    relation: str
    printed: Printed


def _count(text: str) -> int:
    lowered = text.lower()
    if lowered in NUMBER_WORDS:
        return NUMBER_WORDS[lowered]
    return int(number(text))


def participants(text: str, offset: int = 0) -> Printed | None:
    for m in PARTICIPANTS.finditer(text):
        group = "n" if m.group("n") else "n2"
        n = _count(m.group(group))
        if n > 0 and not re.match(r"\s*(?:million|billion|thousand)", text[m.end(group) :]):
            return Printed(n, m.group(0), m.start() + offset, m.end() + offset)
    return None


def studies(text: str, offset: int = 0) -> list[tuple[Printed, str | None]]:
    """Study counts, each with the design it counts for when the text says so."""
    found = []
    for m in STUDIES.finditer(text):
        where = (m.group("where") or "").lower()
        design = "meta-analysis" if "meta" in where else "systematic-review" if where else None
        printed = Printed(_count(m.group("n")), m.group(0), m.start() + offset, m.end() + offset)
        found.append((printed, design))
    return found


def duration(text: str, offset: int = 0) -> Printed | None:
    """A duration stated as how long something lasted (not "95% of ..." or a date)."""
    for m in DURATION.finditer(text):
        before = text[max(0, m.start() - 30) : m.start()]
        if _DURATION_CONTEXT.search(before + m.group(0)):
            words = " ".join(m.group(0).split())
            return Printed(words, m.group(0), m.start() + offset, m.end() + offset)
    return None


def quantities(text: str, offset: int = 0) -> list[Quantity]:
    """Percentages of something and large counts ("more than 280 million people")."""
    found = []
    for m in PERCENT.finditer(text):
        relation = _RELATION.get(" ".join((m.group("rel") or "").lower().split()), "=")
        of = " ".join(m.group("of").split())
        printed = Printed(
            number(m.group("n")), m.group(0).strip(), m.start() + offset, m.end() + offset
        )
        found.append(Quantity(number(m.group("n")), "percent", of, relation, printed))
    for m in LARGE.finditer(text):
        relation = _RELATION.get(" ".join((m.group("rel") or "").lower().split()), "=")
        value = number(m.group("n")) * _SCALE[m.group("scale").lower()]
        printed = Printed(value, m.group(0).strip(), m.start() + offset, m.end() + offset)
        found.append(Quantity(value, m.group("unit").lower(), None, relation, printed))
    return found


def populations(text: str, offset: int = 0) -> list[Printed]:
    found = []
    for m in POPULATION.finditer(text):
        words = " ".join(m.group("pop").split())
        found.append(Printed(words, m.group("pop"), m.start("pop") + offset, m.end("pop") + offset))
    return found


def comparator(text: str, offset: int = 0) -> Printed | None:
    if m := PLACEBO.search(text):
        return Printed("placebo", m.group(0), m.start() + offset, m.end() + offset)
    if m := COMPARED.search(text):
        words = " ".join(m.group("c").split())
        return Printed(words, m.group("c"), m.start("c") + offset, m.end("c") + offset)
    return None


def outcome(text: str, offset: int = 0) -> Printed | None:
    for m in OUTCOME.finditer(text):
        group = next(g for g in ("o", "o2", "o3") if m.group(g))
        words = " ".join(re.sub(rf"^(?:the|their|your){APOS}?\s+", "", m.group(group)).split())
        return Printed(words, m.group(group), m.start(group) + offset, m.end(group) + offset)
    return None


def instrument(text: str, offset: int = 0) -> Printed | None:
    if m := INSTRUMENT.search(text):
        return Printed(m.group(0), m.group(0), m.start() + offset, m.end() + offset)
    return None
