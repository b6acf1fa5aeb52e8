"""From what was extracted to the claim record: the one place that knows the record's shape.

The engine drafts every candidate in the record's *extended* layout (the claim-record
issue: ``statistics.p_value`` as a bound ``"<0.01"``, ``statistics.analysis_model``
and ``tau_squared``, ``comparator``, ``outcome`` {measure, instrument, benefit},
context qualifiers with several values, ``quantity.relation``, the finding
``"undetermined"``, ``subgroup_of``). :func:`fit` then keeps in the claim what today's
:class:`~kg.model.Claim` accepts and moves the rest, unchanged, to the candidate's
``extracted`` part, so nothing read from the text is dropped. Where a value moved out
leaves a required field empty, a fallback the record can hold takes its place (an
undetermined finding was an ``assertion`` until the record knew the word; the record
now holds it, as it holds p-value bounds, several context values, ``comparator`` and
``outcome.measure``; the engine's ``outcome.benefit``, a direction of change, is not
a field of the record and stays extracted).

As the record grows, values move from ``extracted`` into the claim by themselves:
:func:`fit` asks the model, it does not keep a list of what the model accepts.

>>> claim, extracted = fit({"finding": "undetermined", "comparator": "placebo",
...     "statistics": {"p_value": "<0.01", "effect_size": -0.3}}, {"finding": "assertion"})
>>> claim["finding"], claim["statistics"], extracted
('undetermined', {'p_value': '<0.01', 'effect_size': -0.3}, {})
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from gbkg.kg.model import Claim
from gbkg.kg.suggest.linking import Mention, MentionStatus
from gbkg.kg.suggest.statistics import Meta, Result


@dataclass
class Argument:
    """A subject or object: an entity named in the text, proposed, or inferred."""

    id: str
    label: str
    types: frozenset[str]
    #: known, fuzzy, proposed (a new entity), inferred (not named in the sentence)
    status: str
    new_entity: dict[str, Any] | None = None


def argument(mention: Mention) -> Argument:
    """The argument a mention names; a proposed entity carries its new-entity record."""
    new: dict[str, Any] | None = None
    if mention.status is MentionStatus.PROPOSED:
        new = {"id": mention.id, "label": mention.label, "type": _curie(next(iter(mention.types)))}
        if mention.text != mention.label:
            new["synonyms"] = [mention.text]
    return Argument(mention.id, mention.label, mention.types, mention.status.value, new)


def _curie(iri: str) -> str:
    return "gba:" + iri.rsplit("#", 1)[-1]


@dataclass
class Extraction:
    """Everything read for one candidate, before it is fitted to the record."""

    quote: str
    start: int
    end: int
    subject: Argument | None
    predicate: str | None
    object: Argument | None
    finding: str
    hedged: bool
    statement: str
    source: dict[str, Any] | None = None
    result: Result | None = None
    meta: Meta | None = None
    design: str | None = None
    n_studies: int | None = None
    n_participants: int | None = None
    duration: str | None = None
    study_population: str | None = None
    #: qualifier → values (CURIEs or text); ``context_phrases`` the words naming them
    context: dict[str, list[str]] = field(default_factory=dict)
    context_phrases: dict[str, str] = field(default_factory=dict)
    comparator: str | None = None
    outcome: dict[str, str] = field(default_factory=dict)
    quantity: dict[str, Any] = field(default_factory=dict)


def draft(x: Extraction) -> tuple[dict[str, Any], dict[str, Any]]:
    """The candidate in the extended record layout, and the fallbacks :func:`fit` uses."""
    statistics: dict[str, Any] = {}
    if x.result is not None:
        statistics.update(x.result.as_dict())
        if x.result.p_is_bound:
            statistics["p_value"] = x.result.p_text()
    if x.meta is not None:
        for name in ("i_squared", "tau_squared", "analysis_model"):
            printed = getattr(x.meta, name)
            if printed is not None:
                statistics[name] = printed.value
    context = {k: (v[0] if len(v) == 1 else v) for k, v in x.context.items() if v}
    record: dict[str, Any] = {
        "subject": x.subject.id if x.subject else None,
        "predicate": x.predicate,
        "object": x.object.id if x.object else None,
        "finding": x.finding,
        "statement": x.statement,
        "quote": x.quote,
        "quote_position": {"start": x.start, "end": x.end},
        "hedged": x.hedged,
        "source": x.source,
        "evidence": {
            "study_design": x.design,
            "n_studies": x.n_studies,
            "n_participants": x.n_participants,
            "duration": x.duration,
            "population": x.study_population,
        },
        "statistics": statistics,
        "quantity": x.quantity,
        "context": context,
        "comparator": x.comparator,
        "outcome": x.outcome,
        "entities": [a.new_entity for a in (x.subject, x.object) if a is not None and a.new_entity],
    }
    fallbacks: dict[str, Any] = {"finding": "assertion"}
    for name, values in x.context.items():
        if len(values) > 1:
            fallbacks[f"context.{name}"] = x.context_phrases.get(name)
    return _prune(record), fallbacks


#: Each pass moves out every field the model refuses; nested refusals need a few passes.
_ATTEMPTS = 8


def fit(draft: dict[str, Any], fallbacks: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """``(claim, extracted)``: the draft split into what :class:`Claim` accepts and the rest.

    ``fallbacks`` maps a dotted path to the value the claim gets when the draft's value
    is moved out (e.g. ``{"finding": "assertion"}``).
    """
    claim = copy.deepcopy(draft)
    extracted: dict[str, Any] = {}
    for _ in range(_ATTEMPTS):
        try:
            Claim.model_validate(claim)
            break
        except ValidationError as error:
            paths = {_path(e["loc"]) for e in error.errors()}
        for path in sorted(paths, key=len):
            value = _pop(claim, path)
            if value is _MISSING:
                continue
            extracted[path] = value
            if path in fallbacks and fallbacks[path] is not None:
                _put(claim, path, fallbacks[path])
    return _prune(claim), extracted


_MISSING = object()


def _path(loc: tuple[Any, ...]) -> str:
    """The dotted path of a form error, up to the field (not into list items)."""
    parts = []
    for part in loc:
        if isinstance(part, int):
            break
        parts.append(str(part))
    return ".".join(parts)


def _pop(data: dict[str, Any], path: str) -> Any:
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    if not isinstance(node, dict) or last not in node:
        return _MISSING
    return node.pop(last)


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    *parents, last = path.split(".")
    node = data
    for part in parents:
        node = node.setdefault(part, {})
    node[last] = value


def _prune(data: dict[str, Any]) -> dict[str, Any]:
    """Without empty parts (``statistics: {}``) and unset values."""
    out: dict[str, Any] = {}
    for k, v in data.items():
        if isinstance(v, dict):
            v = _prune(v)
        if v is None or v == {} or v == []:
            continue
        out[k] = v
    return out
