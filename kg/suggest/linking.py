"""Entity mentions, linked to the store's entities by label and synonym.

The index holds every label and ``skos:altLabel`` of every entity the store knows
(the entities graph and entities described by claims), read once per store
generation. A name and a stretch of text match when they are the same after
normalization:

- case-folded, Greek letters spelled out (``TNF-α`` = ``tnf alpha``);
- hyphens, dashes and spaces alike, letters split from digits (``IL6`` = ``IL-6``);
- each word singular (``probiotics`` = ``probiotic``, ``SSRIs`` = ``SSRI``);
- articles, possessives and ``of``/``in`` ignored (``diversity in their gut
  microbiota`` = ``diversity of the gut microbiota``).

The longest name wins. Stretches that match no name exactly are compared by edit
similarity (rapidfuzz ``ratio`` ≥ :data:`FUZZY_CUTOFF`) with the names that begin with
the same two letters (typos rarely hit the first letters; this keeps the comparison
cheap); numbers must agree, so ``IL-8`` is never ``IL-6``. A near miss is linked,
marked ``fuzzy`` with its score. Unknown names that look like entities are
*proposed*, never guessed: binomial taxon names (``Lactobacillus rhamnosus GG``,
``L. reuteri``) and cytokine markers (``IL-10``, ``IFN-γ``) get a minted ``gbkg:``
identifier, a type and the status ``proposed``, for the curator to confirm or replace.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum

import pyoxigraph as ox
from rapidfuzz import fuzz, process

from gbkg.kg.ids import compress
from gbkg.kg.namespaces import GBA
from gbkg.kg.resources import internal_query
from gbkg.kg.store import Backend

FUZZY_CUTOFF = 90.0
#: Shorter stretches are not compared fuzzily (too many near misses among short words).
FUZZY_MIN_CHARS = 6

TAXON = str(GBA.MicrobialTaxon)
MARKER = str(GBA.InflammatoryMarker)
#: The types of what a text gives (its intervention): supplements, foods, drugs.
INTERVENTION_TYPES = frozenset(
    str(t)
    for t in (
        GBA.Probiotic,
        GBA.Prebiotic,
        GBA.Food,
        GBA.FermentedFood,
        GBA.PrebioticFood,
        GBA.ChemicalEntity,
        GBA.Antidepressant,
        GBA.SSRI,
    )
)

GREEK = {"α": "alpha", "β": "beta", "γ": "gamma", "δ": "delta", "κ": "kappa", "ε": "epsilon"}
STOPWORDS = frozenset(
    {"a", "an", "the", "of", "in", "their", "your", "its", "our", "his", "her", "my", "s"}
)
_PIECE = re.compile(r"[^\W\d_]+|\d+")
#: What may separate the words of one name: spaces, hyphens, dashes, apostrophes.
_JOINERS = frozenset(" \t\n\xa0\u2009\u202f-\u2010\u2011\u2013'’")
_INVARIANT = frozenset(
    {
        "species",
        "series",
        "diabetes",
        "bacteria",
        "status",
        "news",
        "mellitus",
        "axis",
        "analysis",
        "diagnosis",
        "sepsis",
        "psychosis",
        "gas",
    }
)


class MentionStatus(StrEnum):
    KNOWN = "known"  #: a label or synonym of a known entity (after normalization)
    FUZZY = "fuzzy"  #: a near miss of a known name (edit similarity), to confirm
    PROPOSED = "proposed"  #: not known; a new entity is proposed for the curator


def singular(word: str) -> str:
    """A lower-case word's singular, by suffix: enough to make names plural-tolerant."""
    if word in _INVARIANT or len(word) <= 3:
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "xes", "ches", "shes")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


@dataclass(frozen=True)
class Token:
    norm: str
    start: int
    end: int

    @property
    def stop(self) -> bool:
        return self.norm in STOPWORDS


def runs(text: str, start: int = 0, end: int | None = None) -> Iterator[list[Token]]:
    """Normalized word tokens of ``text[start:end]``, in runs that no punctuation breaks."""
    end = len(text) if end is None else end
    run: list[Token] = []
    previous_end: int | None = None
    for m in _PIECE.finditer(text, start, end):
        if previous_end is not None:
            gap = text[previous_end : m.start()]
            abbreviation = (
                gap.startswith(".") and len(run[-1].norm) == 1 and text[previous_end - 1].isupper()
            )
            gap_chars = gap[1:] if abbreviation else gap
            if any(c not in _JOINERS for c in gap_chars):
                yield run
                run = []
        piece = m.group(0)
        if len(piece) > 2 and piece.endswith("s") and piece[:-1].isupper():
            piece = piece[:-1]  # an acronym's plural: SSRIs, RCTs
        norm = "".join(GREEK.get(c, c) for c in piece.casefold())
        run.append(Token(singular(norm), m.start(), m.end()))
        previous_end = m.end()
    if run:
        yield run


def key(name: str) -> tuple[str, ...]:
    """The normalized form a name is indexed by."""
    return tuple(t.norm for run in runs(name) for t in run if not t.stop)


@dataclass(frozen=True)
class KnownEntity:
    iri: str
    label: str
    types: frozenset[str]

    @property
    def id(self) -> str:
        return compress(self.iri)


@dataclass(frozen=True)
class Name:
    iri: str
    text: str
    kind: str  #: ``label`` or ``synonym``


@dataclass(frozen=True)
class Mention:
    """A stretch of the text that names an entity (known, near miss, or proposed)."""

    start: int
    end: int
    text: str
    id: str
    label: str
    types: frozenset[str]
    status: MentionStatus
    matched: str  #: the name it matched, or the pattern that proposed it
    kind: str  #: label, synonym, binomial, marker
    score: float = 100.0
    alternatives: tuple[str, ...] = ()

    def is_a(self, *types: str) -> bool:
        return bool(self.types.intersection(types))

    def why(self) -> str:
        if self.status is MentionStatus.PROPOSED:
            return (
                f"not in the graph; proposed as a new entity ({self.kind} pattern) with the "
                f"minted id {self.id}: confirm it, or replace it by its identifier"
            )
        how = "exactly" if self.matched == self.text else "case, plural and hyphens ignored"
        if self.status is MentionStatus.FUZZY:
            how = f"near miss, similarity {self.score:.0f}: check it"
        others = f"; also named so: {', '.join(self.alternatives)}" if self.alternatives else ""
        return f"the {self.kind} {self.matched!r} of {self.id} ({how}){others}"


@dataclass
class EntityIndex:
    """Every known entity's names, normalized, for matching text against."""

    entities: dict[str, KnownEntity]
    names: dict[tuple[str, ...], list[Name]]
    longest: int = 1
    genera: frozenset[str] = frozenset()
    _choices: list[str] = field(default_factory=list)
    _choice_keys: list[tuple[str, ...]] = field(default_factory=list)
    _by_prefix: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, str, str]]) -> EntityIndex:
        """From ``(entity IRI, type IRI, name, kind)`` rows."""
        types: dict[str, set[str]] = defaultdict(set)
        labels: dict[str, str] = {}
        names: dict[tuple[str, ...], list[Name]] = defaultdict(list)
        seen: set[tuple[str, str]] = set()
        for iri, type_, text, kind in rows:
            types[iri].add(type_)
            if kind == "label":
                labels[iri] = min(labels.get(iri, text), text)
            k = key(text)
            if k and (iri, text) not in seen:
                seen.add((iri, text))
                names[k].append(Name(iri, text, kind))
        entities = {
            iri: KnownEntity(iri, labels.get(iri, compress(iri)), frozenset(t))
            for iri, t in types.items()
        }
        genera = {
            n.text.split()[0].lower()
            for found in names.values()
            for n in found
            if TAXON in entities[n.iri].types and n.text[:1].isupper() and "." not in n.text
        }
        for found in names.values():
            found.sort(key=lambda n: (n.kind != "label", n.iri))
        index = cls(entities, dict(names), max(map(len, names), default=1), frozenset(genera))
        index._choice_keys = sorted(names)
        index._choices = [" ".join(k) for k in index._choice_keys]
        for column, choice in enumerate(index._choices):
            index._by_prefix.setdefault(choice[:2], []).append(column)
        return index

    @classmethod
    def from_store(cls, store: Backend) -> EntityIndex:
        result = store.query(internal_query("suggest-entity-names"))
        assert isinstance(result, ox.QuerySolutions)
        return cls.from_rows(
            (row["entity"].value, row["type"].value, row["name"].value, row["kind"].value)
            for row in result
            if isinstance(row["entity"], ox.NamedNode)
        )

    # Matching -----------------------------------------------------------------------

    def mentions(self, text: str, start: int = 0, end: int | None = None) -> list[Mention]:
        """The mentions in ``text[start:end]``: exact, then proposals, then near misses."""
        end = len(text) if end is None else end
        found: list[Mention] = []
        token_runs = [[t for t in run if not t.stop] for run in runs(text, start, end)]
        for run in token_runs:
            found.extend(self._exact(text, run))
        for proposal in proposals(text, start, end, self):
            near = self._near(" ".join(key(proposal.label)))
            if near is not None:  # a misspelt known name, not a new entity
                window = [t for run in runs(text, proposal.start, proposal.end) for t in run]
                names = self.names[self._choice_keys[near[1]]]
                proposal = self._mention(text, window, names, MentionStatus.FUZZY, near[0])
            # A proposal replaces the known names inside it ("Lactobacillus" in
            # "Lactobacillus rhamnosus"), never a known name as long or longer.
            inside = [m for m in found if _overlaps(proposal, [m])]
            if all(
                proposal.start <= m.start
                and m.end <= proposal.end
                and m.end - m.start < proposal.end - proposal.start
                for m in inside
            ):
                found = [m for m in found if m not in inside] + [proposal]
        found.extend(self._fuzzy(text, token_runs, found))
        return sorted(found, key=lambda m: m.start)

    def _exact(self, text: str, run: list[Token]) -> Iterator[Mention]:
        i = 0
        while i < len(run):
            for length in range(min(self.longest, len(run) - i), 0, -1):
                window = run[i : i + length]
                names = self.names.get(tuple(t.norm for t in window))
                if names:
                    yield self._mention(text, window, names, MentionStatus.KNOWN, 100.0)
                    i += length
                    break
            else:
                i += 1

    def _mention(
        self, text: str, window: list[Token], names: list[Name], status: MentionStatus, score: float
    ) -> Mention:
        best = names[0]
        entity = self.entities[best.iri]
        others = tuple(sorted({self.entities[n.iri].id for n in names} - {entity.id}))
        s, e = window[0].start, window[-1].end
        return Mention(
            s,
            e,
            text[s:e],
            entity.id,
            entity.label,
            entity.types,
            status,
            best.text,
            best.kind,
            score,
            others,
        )

    def _near(self, query: str, columns: list[int] | None = None) -> tuple[float, int] | None:
        """The best known name within :data:`FUZZY_CUTOFF` of ``query``: (score, column)."""
        if columns is None:
            columns = self._by_prefix.get(query[:2], [])
        low, high = len(query) * 9 // 11, len(query) * 11 // 9 + 1
        choices = {c: self._choices[c] for c in columns if low <= len(self._choices[c]) <= high}
        if not choices:
            return None
        hit = process.extractOne(query, choices, scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF)
        if hit is None or _digits(query) != _digits(hit[0]):
            return None
        return float(hit[1]), int(hit[2])

    def _fuzzy(self, text: str, runs_: list[list[Token]], taken: list[Mention]) -> list[Mention]:
        """Near misses: windows compared with the names that start with the same two
        letters and have about the same length (a ratio of 90 allows little else)."""
        best: list[tuple[float, int, list[Token]]] = []
        for run in runs_:
            for i in range(len(run)):
                columns = self._by_prefix.get(run[i].norm[:2])
                if not columns:
                    continue
                for length in range(1, min(self.longest, len(run) - i) + 1):
                    window = run[i : i + length]
                    query = " ".join(t.norm for t in window)
                    if len(query) < FUZZY_MIN_CHARS or _overlaps_span(window, taken):
                        continue
                    near = self._near(query, columns)
                    if near is not None:
                        best.append((near[0], near[1], window))
        chosen: list[Mention] = []
        for score, column, window in sorted(best, key=lambda b: (-b[0], b[2][0].start)):
            names = self.names[self._choice_keys[column]]
            mention = self._mention(text, window, names, MentionStatus.FUZZY, score)
            if not _overlaps(mention, chosen):
                chosen.append(mention)
        return chosen


def _digits(text: str) -> list[str]:
    return re.findall(r"\d+", text)


def _overlaps_span(window: list[Token], others: Iterable[Mention]) -> bool:
    return any(m.start < window[-1].end and window[0].start < m.end for m in others)


def _overlaps(mention: Mention, others: Iterable[Mention]) -> bool:
    return any(mention.start < o.end and o.start < mention.end for o in others)


# Proposals: likely entities the graph does not know -------------------------------------

_GENUS_SUFFIX = (
    r"(?:bacillus|bacterium|bacter|coccus|ella|monas|myces|ia|ides|idium|ium|spira|vibrio)"
)
_EPITHET = r"[a-z]{2,}(?:us|um|is|ii|i|ae|a|e|ens|ans|es)"
_STRAIN = r"(?:\s+(?!and\b|or\b)(?:[A-Z]{1,5}[- ]?\d[\w-]*|\d+[a-z]?\b|GG\b))?"
BINOMIAL = re.compile(
    rf"\b(?P<genus>[A-Z][a-z]{{3,}})\s+(?P<species>{_EPITHET})\b(?P<strain>{_STRAIN})"
)
ABBREVIATED = re.compile(
    rf"\b(?P<initial>[A-Z])\.\s?(?P<species>{_EPITHET})\b(?P<strain>{_STRAIN})"
)
CYTOKINE = re.compile(
    r"(?<![\w-])(?:IL-?\d{1,2}[A-Za-z]?(?:β|α|beta|alpha)?|TNF-?(?:α|β|alpha|beta)?|"
    r"IFN-?(?:γ|α|β|gamma|alpha|beta)|TGF-?(?:β|beta)\d?|(?:hs-?)?CRP)(?![\w-])"
)
#: English words with Latin-looking endings that follow a genus in prose.
_NOT_EPITHET_WORDS = (
    "were are alone also more some same there here where while since made case cause include "
    "became become have give take make these those whose whole type data area idea extra "
    "media came true large wide little able sole once else other whereas hence twice versus "
    "plus thus bonus focus status basis analysis this genus species alike like strains use "
    "used due none "
)
_NOT_EPITHETS = frozenset(_NOT_EPITHET_WORDS.split())


def slug(text: str) -> str:
    """The local part of a minted ``gbkg:`` id: ``slug("IFN-γ") == "ifn-gamma"``."""
    spelled = "".join(GREEK.get(c, c) for c in text.lower())
    return re.sub(r"[^a-z0-9]+", "-", spelled).strip("-")


def proposals(text: str, start: int, end: int, index: EntityIndex) -> Iterator[Mention]:
    """New entities the text names: binomial taxa (full or abbreviated) and cytokines."""
    for m in BINOMIAL.finditer(text, start, end):
        genus, species = m.group("genus"), m.group("species")
        known_genus = genus.lower() in index.genera
        if species in _NOT_EPITHETS or not (
            known_genus or re.fullmatch(rf"[A-Z][a-z]*{_GENUS_SUFFIX}", genus)
        ):
            continue
        yield _proposed(m, f"{genus} {species}{m.group('strain')}", TAXON, "binomial", index)
    for m in ABBREVIATED.finditer(text, start, end):
        if m.group("species") in _NOT_EPITHETS:
            continue
        genus = _genus_for(m.group("initial"), text[: m.start()], index)
        label = f"{genus or m.group('initial') + '.'} {m.group('species')}{m.group('strain')}"
        yield _proposed(m, label, TAXON, "binomial", index)
    for m in CYTOKINE.finditer(text, start, end):
        yield _proposed(m, m.group(0), MARKER, "marker", index)


def _genus_for(initial: str, before: str, index: EntityIndex) -> str | None:
    """The genus an abbreviation stands for: the last one the text named with that initial,
    else the only known genus with it."""
    named = [g for g in re.findall(r"\b([A-Z][a-z]{3,})\b", before) if g.lower() in index.genera]
    for genus in reversed(named):
        if genus.startswith(initial):
            return genus
    known = sorted(g for g in index.genera if g.startswith(initial.lower()))
    return known[0].capitalize() if len(known) == 1 else None


def _proposed(m: re.Match[str], label: str, type_: str, kind: str, index: EntityIndex) -> Mention:
    label = " ".join(label.split())
    identifier = "gbkg:" + slug(label)
    return Mention(
        m.start(),
        m.end(),
        m.group(0),
        identifier,
        label,
        frozenset({type_}),
        MentionStatus.PROPOSED,
        kind + " pattern",
        kind,
    )
