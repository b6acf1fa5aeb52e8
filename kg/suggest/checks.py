"""The checks of ``POST /claims/validate`` on every candidate, in a few SHACL runs.

Validating claims one by one costs a pySHACL run each (about 20-30 ms here, most of it
the run's fixed cost): 200 candidates of an article would take seconds. The candidates
go through :meth:`ClaimService.validate_many` with ``independent=True``: each is checked
as :meth:`ClaimService.validate` would check it alone (against the store, never against
the other candidates, which are alternatives, not a batch), and all are validated by
SHACL together, each result attributed to its claim
(:meth:`~gbkg.kg.validation.Validator.validate_claims`). ``tests/suggest`` compares
the batch with claims checked alone.
"""

from __future__ import annotations

from typing import Any

from gbkg.kg.curation import ClaimService
from gbkg.kg.errors import ValidationFailed
from gbkg.kg.model import ClaimIn
from gbkg.kg.record.form import parse_claim
from gbkg.kg.suggest.candidate import CandidateValidation
from gbkg.kg.violations import Violation


def validate_all(service: ClaimService, claims: list[dict[str, Any]]) -> list[CandidateValidation]:
    """The validation of each claim (JSON), in order."""
    found: dict[int, CandidateValidation] = {}
    parsed: dict[int, ClaimIn] = {}
    for i, data in enumerate(claims):
        try:
            parsed[i] = parse_claim(data)
        except ValidationFailed as error:
            found[i] = _out(False, error.violations)
    reports = service.validate_many(list(parsed.values()), independent=True)
    for i, report in zip(parsed, reports, strict=True):
        found[i] = _out(report.conforms, report.violations)
    return [found[i] for i in range(len(claims))]


def _out(conforms: bool, violations: list[Violation]) -> CandidateValidation:
    return CandidateValidation(conforms=conforms, violations=[v.as_json() for v in violations])
