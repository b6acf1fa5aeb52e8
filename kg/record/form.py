"""A claim record's form: decoded JSON, or an RDF-decoded record, as a model or violations.

The model (:class:`~kg.model.ClaimIn`) checks types, enumerations and identifiers;
each error becomes a :class:`~kg.violations.Violation` naming the field, so a curator
gets a 422 listing every malformed field at once (:class:`~kg.errors.ValidationFailed`),
whether the claim came as JSON or as RDF.

The server's fields (:data:`~kg.model.SERVER_FIELDS`: id, labels, curator, created,
status, retraction) and the answer's (:data:`~kg.model.ANSWER_FIELDS`: the warnings
``POST /claims`` returns) are ignored in what a curator sends: a claim read with ``GET``
can be sent back as it is, and the token, not the body, names the curator.
``gbkg load`` reads exported claims with them (``model=Claim``).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any, TypeVar, get_args

from pydantic import BaseModel, ValidationError

from gbkg.kg.errors import ValidationFailed
from gbkg.kg.model import ANSWER_FIELDS, SERVER_FIELDS, ClaimIn
from gbkg.kg.near_miss import hint
from gbkg.kg.record.reader import Decoded
from gbkg.kg.violations import Violation

C = TypeVar("C", bound=ClaimIn)


def parse_claim(data: Any, model: type[C] = ClaimIn) -> C:  # type: ignore[assignment]
    """``data`` (decoded JSON) as ``model``; form errors raise a 422 naming each field."""
    return _validated(data, model, [])


def claim_from_decoded(decoded: Decoded, model: type[C] = ClaimIn) -> C:  # type: ignore[assignment]
    """A claim read from RDF as ``model``: what the reader could not map and what the
    model refuses, in one 422."""
    return _validated(decoded.data, model, decoded.violations)


def _validated(data: Any, model: type[C], found: list[Violation]) -> C:
    if not isinstance(data, dict):
        raise ValidationFailed(
            "a claim must be a JSON object",
            [
                Violation.of(
                    None,
                    "a claim must be a JSON object",
                    constraint="form:type",
                    value=type(data).__name__,
                )
            ],
        )
    if model is ClaimIn:
        data = {k: v for k, v in data.items() if k not in SERVER_FIELDS and k not in ANSWER_FIELDS}
    violations = list(found)
    claim: C | None = None
    try:
        claim = model.model_validate(data)
    except ValidationError as error:
        violations += _violations(error, model)
    if violations or claim is None:
        raise ValidationFailed(
            f"the claim has {len(violations)} malformed field(s): "
            + ", ".join(dict.fromkeys(v.field or "claim" for v in violations)),
            violations,
            partial=claim if claim is not None else _partial(data, model),
        )
    return claim


def _violations(error: ValidationError, model: type[BaseModel]) -> list[Violation]:
    return [
        Violation.of(
            ".".join(str(p) for p in e["loc"]) or None,
            _form_message(e, model),
            constraint=f"form:{e['type']}",
            value=e.get("input"),
        )
        for e in error.errors()
    ]


#: Rounds of dropping malformed fields before :func:`_partial` gives up.
_PARTIAL_ROUNDS = 4


def _partial(data: dict[str, Any], model: type[C]) -> C | None:
    """The claim ``data`` makes without its malformed fields (a field that is missing
    drops the part that needs it), or ``None`` when nothing valid is left."""
    current: Any = copy.deepcopy(data)
    for _ in range(_PARTIAL_ROUNDS):
        try:
            return model.model_validate(current)
        except ValidationError as error:
            locs = [
                tuple(e["loc"][:-1]) if e["type"] == "missing" else tuple(e["loc"])
                for e in error.errors()
            ]
            if any(not loc for loc in locs):
                return None
            for loc in sorted(set(locs), key=len, reverse=True):
                current = _dropped(current, loc)
    return None


_GONE = object()


def _dropped(data: Any, loc: tuple[Any, ...]) -> Any:
    """``data`` without the value at ``loc`` (a list item is removed)."""
    *parents, last = loc
    node = data
    for step in parents:
        if not _has(node, step):
            return data
        node = node[step]
    if isinstance(node, dict):
        node.pop(last, None)
    elif isinstance(node, list) and isinstance(last, int) and 0 <= last < len(node):
        node[last] = _GONE
    return _without_gone(data)


def _has(node: Any, step: Any) -> bool:
    if isinstance(node, dict):
        return step in node
    return isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)


def _without_gone(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_gone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_gone(v) for v in value if v is not _GONE]
    return value


def _form_message(error: Mapping[str, Any], model: type[BaseModel] = ClaimIn) -> str:
    field = ".".join(str(p) for p in error["loc"]) or "claim"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        loc = tuple(error["loc"])
        known = _fields_at(model, loc[:-1])
        owner = "a claim" if len(loc) == 1 else f"{'.'.join(str(p) for p in loc[:-1])}"
        return (
            f"{field} is not a field of {owner}; check its spelling"
            + hint(str(loc[-1]), [name for name in known if name not in SERVER_FIELDS])
        )
    return f"{field}: {message}"


def _fields_at(model: type[BaseModel], loc: tuple[Any, ...]) -> list[str]:
    """The fields of the part of ``model`` at ``loc`` (``("statistics",)``: the
    statistics' fields; list indexes are skipped)."""
    current: type[BaseModel] | None = model
    for step in loc:
        if current is None:
            return []
        if isinstance(step, int):
            continue
        info = current.model_fields.get(str(step))
        current = _model_in(info.annotation) if info is not None else None
    return list(current.model_fields) if current is not None else []


def _model_in(annotation: Any) -> type[BaseModel] | None:
    """The model class an annotation holds (``Outcome | None``, ``list[Arm] | None``)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _model_in(arg)
        if found is not None:
            return found
    return None


__all__ = ["claim_from_decoded", "parse_claim"]
