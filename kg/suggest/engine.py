"""The curation assistant: a text in, candidate claims out; nothing is ever stored.

:class:`Suggester` holds what a reading needs from the store: the entity index
(labels and synonyms of every entity, :class:`~kg.suggest.linking.EntityIndex`) and the
relation labels. Both are read once per *store generation*: registered as a listener
of the :class:`~kg.curation.ClaimService`, the suggester starts a new generation on
every write (a claim may describe a new entity), and the next reading rebuilds them.

Each candidate carries the result of the checks ``POST /claims/validate`` runs
(:meth:`ClaimService.validate`), so the curator sees at once what is missing.
"""

from __future__ import annotations

import threading
from typing import Any

from gbkg.kg.curation import ClaimService, parse_claim
from gbkg.kg.errors import InputError, ValidationFailed
from gbkg.kg.ids import compress
from gbkg.kg.projection import Vocabulary
from gbkg.kg.store import Backend
from gbkg.kg.suggest import record
from gbkg.kg.suggest.assemble import assemble
from gbkg.kg.suggest.candidate import (
    Candidate,
    CandidateValidation,
    MentionOut,
    Reason,
    Suggestions,
)
from gbkg.kg.suggest.linking import EntityIndex
from gbkg.kg.suggest.reading import Reading

#: The longest text read at once (characters): about 100,000 words.
MAX_TEXT = 600_000


class Suggester:
    """Candidate claims from texts, against the entities of one store."""

    def __init__(self, store: Backend, claims: ClaimService | None = None) -> None:
        self.store = store
        self.claims = claims or ClaimService(store)
        self.claims.listeners.append(self.changed)
        self._lock = threading.Lock()
        self._generation = 0
        self._built: tuple[int, EntityIndex, dict[str, str]] | None = None

    def changed(self, iris: list[str]) -> None:
        """A write happened: the next reading rebuilds the index (new entities count)."""
        with self._lock:
            self._generation += 1

    def reference(self) -> tuple[EntityIndex, dict[str, str]]:
        """The entity index and the relation labels of the current store generation."""
        with self._lock:
            generation = self._generation
            if self._built is None or self._built[0] != generation:
                index = EntityIndex.from_store(self.store)
                vocabulary = Vocabulary.from_store(self.store)
                labels = {compress(r.iri): r.label for r in vocabulary.relations.values()}
                self._built = (generation, index, labels)
            return self._built[1], self._built[2]

    def suggest(
        self, text: str, source: dict[str, Any] | None = None, *, validate: bool = True
    ) -> Suggestions:
        """The candidate claims of ``text``, read as coming from ``source`` (a claim source)."""
        if not text.strip():
            raise InputError("text: give the text to read", parameter="text")
        if len(text) > MAX_TEXT:
            raise InputError(
                f"text: at most {MAX_TEXT} characters ({len(text)} given); split the text",
                parameter="text",
            )
        if source is not None and not isinstance(source, dict):
            raise InputError("source: a JSON object describing the source", parameter="source")
        index, labels = self.reference()
        reading = Reading(text, index, source)
        drafts = reading.drafts()
        positions = {id(d): i for i, d in enumerate(drafts)}
        candidates = []
        for i, draft in enumerate(drafts):
            extraction, reasons, confidence = assemble(draft, reading, labels)
            claim, extracted = record.fit(*record.draft(extraction))
            subgroup = positions.get(id(draft.overall)) if draft.overall else None
            candidates.append(
                Candidate(
                    index=i,
                    sentence=draft.sentence.index,
                    claim=claim,
                    confidence=confidence,
                    reasons=reasons,
                    extracted=extracted,
                    validation=self.validate(claim) if validate else None,
                    subgroup_of=subgroup,
                )
            )
        mentions = [
            MentionOut(
                start=m.start,
                end=m.end,
                text=m.text,
                id=m.id,
                label=m.label,
                status=m.status.value,
                score=m.score,
            )
            for found in reading.mentions.values()
            for m in found
        ]
        return Suggestions(
            candidates=candidates,
            count=len(candidates),
            sentences=len(reading.sentences),
            mentions=mentions,
        )

    def validate(self, claim: dict[str, Any]) -> CandidateValidation:
        """The checks of ``POST /claims/validate`` on a candidate's claim."""
        try:
            parsed = parse_claim(claim)
        except ValidationFailed as error:
            return CandidateValidation(
                conforms=False, violations=[v.as_json() for v in error.violations]
            )
        report = self.claims.validate(parsed)
        return CandidateValidation(
            conforms=report.conforms, violations=[v.as_json() for v in report.violations]
        )


__all__ = ["Candidate", "Reason", "Suggester", "Suggestions"]
