"""The checks of ``POST /claims/validate`` on every candidate, in one SHACL run.

Validating claims one by one costs a pySHACL run each (about 20-30 ms here, most of it
the run's fixed cost): 200 candidates of an article would take seconds. The
candidates are therefore validated together, each as ``ClaimService.validate`` would
store it (its IRI, a curator, a time, the entities the store knows left out), in one
run of the same shapes on the union of their graphs, the ontology and the labels and
types of the entities they touch. Each result belongs to the claim whose node it is
on (the claim or one of its parts, ``<claim>#statistics``...).

A result on a node several claims may share (a source, an entity) could come from
another claim's description of it: the claims that name that node are checked alone
with :meth:`ClaimService.validate`. The source-title check against the store, which
is not SHACL, is probed once per source, and only for a source the store already
records. The write rules (:func:`~gbkg.kg.integrity.check_write`: a claim refers to
recorded sources as recorded, names only entities as entities) are checked for each
claim against the store. ``tests/suggest`` compares the batch with claims checked alone.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from gbkg.kg.claim_rdf import claim_to_dataset, new_dataset
from gbkg.kg.curation import ClaimService, parse_claim
from gbkg.kg.errors import ValidationFailed
from gbkg.kg.ids import expand
from gbkg.kg.integrity import Recorded, check_write
from gbkg.kg.model import Claim, NewEntity, Status
from gbkg.kg.suggest.candidate import CandidateValidation
from gbkg.kg.validation import Severity, ValidationReport, Violation


def validate_all(service: ClaimService, claims: list[dict[str, Any]]) -> list[CandidateValidation]:
    """The validation of each claim (JSON), in order."""
    found: dict[int, CandidateValidation] = {}
    parsed: dict[int, Claim] = {}
    for i, data in enumerate(claims):
        try:
            parsed[i] = parse_claim(data)
        except ValidationFailed as error:
            found[i] = _out(False, error.violations)
    if parsed:
        found.update(_batch(service, parsed))
    return [found[i] for i in range(len(claims))]


def _batch(service: ClaimService, claims: dict[int, Claim]) -> dict[int, CandidateValidation]:
    now = datetime.now(UTC).replace(microsecond=0)
    recorded = Recorded(service.store)
    dataset = new_dataset()
    iris: dict[int, str] = {}
    shared: dict[int, set[str]] = {}
    checks: dict[int, list[Violation]] = {}
    for i, claim in claims.items():
        check = check_write(claim, recorded, entity_classes=service.entity_classes)
        checks[i] = list(check.violations)
        stored = _as_stored(claim, check.new_entities, now)
        claim_to_dataset(stored, dataset)
        iris[i] = stored.iri
        shared[i] = _shared_nodes(stored)
    report = service.validator.validate_claim(dataset, entity_graph=service.reference_for(dataset))
    own: dict[int, list[Violation]] = {i: [] for i in claims}
    alone: set[int] = set()
    for violation in report.violations:
        focus = violation.focus or ""
        owners = [i for i, iri in iris.items() if focus == iri or focus.startswith(iri + "#")]
        if owners:
            for i in owners:
                own[i].append(violation)
        else:  # on a source or an entity several claims may share: check them alone
            alone.update(i for i, nodes in shared.items() if focus in nodes)
    out: dict[int, CandidateValidation] = {}
    for i, claim in claims.items():
        if i in alone:
            out[i] = _report(service.validate(claim))
            continue
        violations = [*checks[i], *own[i]]
        conforms = not any(v.severity == Severity.VIOLATION for v in violations)
        out[i] = _out(conforms, violations)
    return out


def _as_stored(claim: Claim, entities: list[NewEntity], now: datetime) -> Claim:
    """The claim as ``ClaimService.validate`` checks it: as it would be stored."""
    return claim.with_id().model_copy(
        update={
            "curator": "validator",
            "created": now,
            "status": Status.ACTIVE,
            "retraction": None,
            "subject_label": None,
            "object_label": None,
            "entities": entities,
        }
    )


def _shared_nodes(claim: Claim) -> set[str]:
    """Nodes of the claim that other claims may name too: sources and entities."""
    nodes = {str(expand(e.id)) for e in claim.entities}
    for value in (claim.subject, claim.object):
        if value:
            nodes.add(str(expand(value)))
    for source in (claim.source, claim.primary_source):
        if source is not None:
            nodes.add(source.minted_id())
    if claim.context is not None:
        for value in claim.context.model_dump(exclude_none=True).values():
            try:
                nodes.add(str(expand(value)))
            except ValueError:
                continue
    return nodes


def _report(report: ValidationReport) -> CandidateValidation:
    return _out(report.conforms, report.violations)


def _out(conforms: bool, violations: list[Violation]) -> CandidateValidation:
    return CandidateValidation(conforms=conforms, violations=[v.as_json() for v in violations])
