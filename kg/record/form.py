"""A claim record's form: decoded JSON, or an RDF-decoded record, as a model or violations.

The model (:class:`~kg.model.ClaimIn`) checks types, enumerations and identifiers;
each error becomes a :class:`~kg.violations.Violation` naming the field, so a curator
gets a 422 listing every malformed field at once (:class:`~kg.errors.ValidationFailed`),
whether the claim came as JSON or as RDF.

The server's fields (:data:`~kg.model.SERVER_FIELDS`: id, labels, curator, created,
status, retraction) are ignored in what a curator sends: a claim read with ``GET``
can be sent back as it is, and the token, not the body, names the curator.
``gbkg load`` reads exported claims with them (``model=Claim``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import ValidationError

from gbkg.kg.errors import ValidationFailed
from gbkg.kg.model import SERVER_FIELDS, ClaimIn
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
        data = {k: v for k, v in data.items() if k not in SERVER_FIELDS}
    violations = list(found)
    claim: C | None = None
    try:
        claim = model.model_validate(data)
    except ValidationError as error:
        violations += [
            Violation.of(
                ".".join(str(p) for p in e["loc"]) or None,
                _form_message(e),
                constraint=f"form:{e['type']}",
                value=e.get("input"),
            )
            for e in error.errors()
        ]
    if violations or claim is None:
        raise ValidationFailed(
            f"the claim has {len(violations)} malformed field(s): "
            + ", ".join(dict.fromkeys(v.field or "claim" for v in violations)),
            violations,
        )
    return claim


def _form_message(error: Mapping[str, Any]) -> str:
    field = ".".join(str(p) for p in error["loc"]) or "claim"
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return f"{field} is not a field of a claim; check its spelling"
    return f"{field}: {message}"


__all__ = ["claim_from_decoded", "parse_claim"]
