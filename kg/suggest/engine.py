"""The curation assistant: a text in, candidate claims out; nothing is ever stored.

:class:`Suggester` holds what a reading needs from the store: the entity index
(labels and synonyms of every entity, :class:`~kg.suggest.linking.EntityIndex`) and the
relation labels. Both are read once per *store generation*: registered as a listener
of the :class:`~kg.curation.ClaimService`, the suggester starts a new generation on
every write (a claim may describe a new entity), and the next reading rebuilds them.

Each candidate carries the result of the checks ``POST /claims/validate`` runs
(:meth:`ClaimService.validate`; all candidates in one SHACL run, :mod:`~kg.suggest.checks`),
so the curator sees at once what is missing.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from gbkg.kg.curation import ClaimService
from gbkg.kg.errors import InputError, ParseError
from gbkg.kg.ids import compress
from gbkg.kg.model import Source
from gbkg.kg.projection import Vocabulary
from gbkg.kg.store import Backend
from gbkg.kg.suggest import record
from gbkg.kg.suggest.assemble import assemble
from gbkg.kg.suggest.candidate import Candidate, MentionOut, Reason, Suggestions
from gbkg.kg.suggest.checks import validate_all
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
        if source is not None:
            source = check_source(source)
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
                    subgroup_of=subgroup,
                )
            )
        if validate:
            checked = validate_all(self.claims, [c.claim for c in candidates])
            for candidate, validation in zip(candidates, checked, strict=True):
                candidate.validation = validation
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


def read_source(value: str) -> dict[str, Any]:
    """A source description from JSON text or a ``.json`` file, checked as a claim source."""
    text = value
    if not value.lstrip().startswith("{"):
        path = Path(value)
        if not path.is_file():
            raise InputError(f"--source: {value!r} is neither JSON nor a file", parameter="source")
        text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ParseError(f"source: not valid JSON: {error.msg}", parameter="source") from None
    return check_source(data)


def check_source(data: Any) -> dict[str, Any]:
    """``data`` if it is a valid claim source (``{id?, title, type, doi?, url?, ...}``)."""
    try:
        source = Source.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'source'}: {e['msg']}" for e in error.errors()
        )
        raise InputError(f"source: {problems}", parameter="source") from None
    return source.model_dump(mode="json", exclude_none=True)


__all__ = ["Candidate", "Reason", "Suggester", "Suggestions", "check_source", "read_source"]
