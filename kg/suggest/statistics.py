"""Statistics as printed: effect measure and size, confidence interval, p, I², τ², counts.

Numbers are read exactly as the source prints them: the Unicode minus (−), en and em
dashes between bounds (``−0.51–−0.09``), a middle dot as decimal point (``0·03``),
thin or no-break spaces in thousands (``1 192``), and p as a value (``P=0.059``) or a
bound (``p < 0.01``). Each value keeps its printed text and its offsets, so a curator
can check it against the source.

Effect sizes, intervals and p-values are grouped into *results*: a result starts at an
effect measure (``SMD``, ``MD``, ``OR`` ...) and takes the interval and p that follow
it, up to the next measure; an interval or p with no measure before it is a result
of its own.

>>> [r.as_dict() for r in results("SMD was −0.128 (95% CI −0.261 to 0.00463, P=0.059)")]
... # doctest: +NORMALIZE_WHITESPACE
[{'effect_measure': 'SMD', 'effect_size': -0.128, 'ci_low': -0.261, 'ci_high': 0.00463,
  'ci_level': 95.0, 'p_value': 0.059}]
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from gbkg.kg.model import EffectMeasure
from gbkg.kg.suggest.cues import APOS

MINUS = "-−–"
_DIGITS = r"(?:\d+(?:[.·]\d+)?|[.·]\d+)"
NUMBER = rf"[{MINUS}]?{_DIGITS}"
_SEP = r"\s*(?:to|–|—|-|~|,|;|and)\s*"


def number(text: str) -> float:
    """A printed number as a float: ``−0.30`` → -0.3, ``0·03`` → 0.03, ``1 192`` → 1192."""
    cleaned = re.sub(r"[\s,\u2009\u202f\xa0]", "", text)
    cleaned = cleaned.replace("·", ".")
    if cleaned[:1] in MINUS:
        cleaned = "-" + cleaned[1:]
    return float(cleaned)


@dataclass(frozen=True)
class Printed:
    """A value with the text it was read from and where."""

    value: Any
    text: str
    start: int
    end: int

    def span(self) -> list[int]:
        return [self.start, self.end]


@dataclass
class Result:
    """One reported result: an estimate with its interval and p (any may be missing)."""

    measure: Printed | None = None
    size: Printed | None = None
    ci_low: Printed | None = None
    ci_high: Printed | None = None
    ci_level: Printed | None = None
    p: Printed | None = None
    #: ``"="`` for a p value, else the bound's relation (``"<"``, ``"≤"``, ``">"``, ``"≥"``).
    p_relation: str = "="
    start: int = 0
    end: int = 0

    @property
    def p_is_bound(self) -> bool:
        return self.p is not None and self.p_relation != "="

    def p_text(self) -> str | None:
        """p as the record's future bound form: ``"<0.01"``, or the value's text."""
        if self.p is None:
            return None
        value = format(self.p.value, "g") if re.search("[×x]", self.p.text) else _plain(self.p.text)
        return value if self.p_relation == "=" else self.p_relation + value

    def no_effect(self) -> float:
        """The value that means no effect for this measure (ratios 1, differences 0)."""
        ratio = self.measure is not None and self.measure.value in RATIOS
        return 1.0 if ratio else 0.0

    def significant(self) -> bool | None:
        """Whether the result is significant at 0.05, from p, else from the interval."""
        if self.p is not None:
            p = float(self.p.value)
            if self.p_relation in ("<", "≤"):
                return True if p <= 0.05 else None
            if self.p_relation in (">", "≥"):
                return False if p >= 0.05 else None
            return p < 0.05
        if self.ci_low is not None and self.ci_high is not None:
            low, high, none = self.ci_low.value, self.ci_high.value, self.no_effect()
            return not (low <= none <= high)
        return None

    def as_dict(self) -> dict[str, Any]:
        """The record's statistics fields that were found (p only as a value)."""
        out: dict[str, Any] = {}
        if self.measure is not None:
            out["effect_measure"] = self.measure.value.value
        for name in ("size", "ci_low", "ci_high", "ci_level"):
            printed = getattr(self, name)
            if printed is not None:
                out["effect_size" if name == "size" else name] = printed.value
        if self.p is not None and self.p_relation == "=":
            out["p_value"] = self.p.value
        return out

    def spans(self) -> list[tuple[str, Printed]]:
        named = [
            ("effect_measure", self.measure),
            ("effect_size", self.size),
            ("ci_low", self.ci_low),
            ("ci_high", self.ci_high),
            ("ci_level", self.ci_level),
            ("p_value", self.p),
        ]
        return [(n, p) for n, p in named if p is not None]


RATIOS = {EffectMeasure.OR, EffectMeasure.RR, EffectMeasure.HR}

_MEASURES: tuple[tuple[EffectMeasure, str], ...] = (
    (
        EffectMeasure.SMD,
        r"\bSMDs?\b|\bstandardi[sz]ed\s+mean\s+differences?\b|"
        rf"\bHedges{APOS}?\s*g\b|\bCohen{APOS}?s?\s*d\b",
    ),
    (EffectMeasure.MD, r"\b(?:W)?MDs?\b|\b(?:weighted\s+)?mean\s+differences?\b"),
    (EffectMeasure.OR, r"\b(?:a)?ORs?\b(?=\s*(?:[:=(]|of\b|was\b|\d|[−-]))|\bodds\s+ratios?\b"),
    (EffectMeasure.RR, r"\bRRs?\b|\b(?:risk|rate)\s+ratios?\b|\brelative\s+risks?\b"),
    (EffectMeasure.HR, r"\bHRs?\b|\bhazard\s+ratios?\b"),
    (EffectMeasure.R, r"(?<![A-Za-z])r(?=\s*=)|\bcorrelation\s+coefficients?\b"),
)
MEASURE = re.compile("|".join(f"(?P<m{i}>{p})" for i, (_, p) in enumerate(_MEASURES)))
#: Between a measure's name and its value: "(SMD) was", "(depressive disorder) =", ":".
_GAP = r"(?:\s*\([^()\d]{1,40}\))*\s*(?:was|were|of|is|=|:|,)?\s*(?:=|:)?\s*"
MEASURE_VALUE = re.compile(_GAP + rf"(?P<value>{NUMBER})(?![\d.])")

_LEVEL = r"(?P<level>\d{2}(?:[.·]\d+)?)\s?%\s*"
CI = re.compile(
    rf"(?:{_LEVEL})?(?:CIs?|CrIs?|confidence\s+intervals?|credible\s+intervals?)"
    rf"(?:\s*(?P<level2>\d{{2}})\s?%)?"
    rf"\s*(?:[:=,]|of|was)?\s*[(\[]?\s*"
    rf"(?P<low>{NUMBER}){_SEP}(?P<high>{NUMBER})\s*[)\]]?",
    re.I,
)
#: An unlabelled interval right after an estimate: "−0.30 (−0.51 to −0.09)".
BARE_CI = re.compile(rf"\s*[(\[]\s*(?P<low>{NUMBER}){_SEP}(?P<high>{NUMBER})\s*[)\]]")
P_VALUE = re.compile(
    r"(?<![A-Za-z])[pP]\s*(?:-?\s*values?)?\s*(?:for\s+\w+\s*)?"
    r"(?P<rel><=|>=|=<|=>|≤|≥|<|>|=|:|\bwas\b|\bof\b)\s*"
    rf"(?P<num>{_DIGITS})(?:\s*[×x]\s*10\s*\^?\s*(?P<exp>[{MINUS}]\s*\d+))?(?![\d])"
)
I_SQUARED = re.compile(
    r"\bI\s*(?:²|\^?2)\s*(?:statistic\s*)?(?:=|:|of|was)?\s*(?P<v>\d+(?:[.·]\d+)?)\s?%"
)
TAU_SQUARED = re.compile(
    rf"(?:τ|\btau)\s*(?:²|\^?2|-squared)\s*(?:=|:|of|was)?\s*(?P<v>{_DIGITS})", re.I
)
ANALYSIS_MODEL = re.compile(r"\b(?P<m>fixed|random)[- ]effects?\b", re.I)


def _plain(text: str) -> str:
    """A printed number in ASCII: ``−0·30`` → ``-0.30`` (digits kept as printed)."""
    cleaned = re.sub(r"[\s\u2009\u202f\xa0]", "", text).replace("·", ".")
    if cleaned[:1] in MINUS:
        cleaned = "-" + cleaned[1:]
    return re.sub(r"^(-?)\.", r"\g<1>0.", cleaned)


def _printed(m: re.Match[str], group: str, offset: int, value: Any = None) -> Printed:
    text = m.group(group)
    return Printed(
        number(text) if value is None else value,
        text,
        m.start(group) + offset,
        m.end(group) + offset,
    )


_RELATIONS = {"<=": "≤", "=<": "≤", ">=": "≥", "=>": "≥", ":": "=", "of": "=", "was": "="}


def results(text: str, offset: int = 0) -> list[Result]:
    """The results printed in ``text`` (offsets shifted by ``offset``), in order."""
    found: list[Result] = []
    taken: list[tuple[int, int]] = []
    for m in MEASURE.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        measure = _MEASURES[int(next(k for k, v in m.groupdict().items() if v)[1:])][0]
        estimate = MEASURE_VALUE.match(text, m.end())
        if estimate is None:
            continue
        result = Result(
            measure=Printed(measure, m.group(0), m.start() + offset, m.end() + offset),
            size=_printed(estimate, "value", offset),
            start=m.start() + offset,
            end=estimate.end() + offset,
        )
        bare = BARE_CI.match(text, estimate.end())
        if bare is not None:
            result.ci_low = _printed(bare, "low", offset)
            result.ci_high = _printed(bare, "high", offset)
            result.end = bare.end() + offset
        found.append(result)
        taken.append((m.start(), estimate.end()))
    for m in CI.finditer(text):
        result = _owner(found, m.start() + offset, text, offset)
        level = m.group("level") or m.group("level2")
        result.ci_low = _printed(m, "low", offset)
        result.ci_high = _printed(m, "high", offset)
        if level:
            group = "level" if m.group("level") else "level2"
            result.ci_level = _printed(m, group, offset)
        result.end = max(result.end, m.end() + offset)
        taken.append((m.start(), m.end()))
    for m in P_VALUE.finditer(text):
        if any(s <= m.start() < e for s, e in taken):
            continue
        value = number(m.group("num"))
        if m.group("exp"):
            value *= 10 ** int(number(m.group("exp")))
        if not 0 <= value <= 1:
            continue
        result = _owner(found, m.start() + offset, text, offset)
        result.p = Printed(
            value, text[m.start("num") : m.end()], m.start("num") + offset, m.end() + offset
        )
        result.p_relation = _RELATIONS.get(m.group("rel"), m.group("rel"))
        result.end = max(result.end, m.end() + offset)
    return sorted(found, key=lambda r: r.start)


def _owner(found: list[Result], position: int, text: str, offset: int) -> Result:
    """The result an interval or p at ``position`` belongs to: the last one before it that
    has no such value yet and no sentence break in between; else a new result."""
    for result in reversed(found):
        if result.start <= position:
            between = text[result.end - offset : position - offset]
            if re.search(r"[.;]\s+[A-Z]|\bwhile\b|\bwhereas\b", between):
                break
            return result
    result = Result(start=position, end=position)
    found.append(result)
    return result


@dataclass
class Meta:
    """Figures about the analysis rather than one result."""

    i_squared: Printed | None = None
    tau_squared: Printed | None = None
    analysis_model: Printed | None = None
    extra: dict[str, Printed] = field(default_factory=dict)


def meta(text: str, offset: int = 0) -> Meta:
    found = Meta()
    if m := I_SQUARED.search(text):
        found.i_squared = _printed(m, "v", offset)
    if m := TAU_SQUARED.search(text):
        found.tau_squared = _printed(m, "v", offset)
    if m := ANALYSIS_MODEL.search(text):
        found.analysis_model = _printed(m, "m", offset, m.group("m").lower())
    return found
