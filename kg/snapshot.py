"""The claim graph's snapshot: what the projection read from the store, saved beside it.

Building the claim graph reads every claim from the store (~10 s and a peak of
memory at a million triples). The server saves what it read (the relation
vocabulary, the entity names and one row per claim) as JSON inside the store's
directory, with the store's :attr:`~kg.store.OxigraphStore.write_token`; the next
start reads the file instead of the store when the token is still the same (no
write since), and the claim graph is built from the rows.

The token changes before the first write of each opening of the store, by any
process that writes through :class:`~kg.store.OxigraphStore` (``gbkg serve``,
``gbkg load``, ``gbkg add``): a snapshot taken before a write is never read after
it. The server saves the snapshot when it has built the graph and again when it
stops (the graph followed its writes). A snapshot that does not parse, was made
for other record fields or another token is ignored (and the graph built from the
store). JSON rather than pickle: reading the file runs no code.

>>> from gbkg.kg.projection import ClaimRecord
>>> from gbkg.kg.model import Finding
>>> row = encode_record(ClaimRecord("urn:c", "urn:s", "urn:p", "urn:o", Finding.EFFECT))
>>> decode_record(row).finding
<Finding.EFFECT: 'effect'>
"""

from __future__ import annotations

import dataclasses
import enum
import json
import logging
import os
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from gbkg.kg.projection import ClaimRecord, EntityName, Relation, SourceRef

log = logging.getLogger("gbkg.snapshot")

#: The snapshot's file, inside the store's directory.
SNAPSHOT_FILE = "gbkg-claim-graph.json"
FORMAT = 2


def _field_codecs() -> list[tuple[str, Any, Any]]:
    """(name, encode, decode) for each field of :class:`ClaimRecord`, from its types."""
    hints = typing.get_type_hints(ClaimRecord)
    codecs = []
    for f in dataclasses.fields(ClaimRecord):
        hint = hints[f.name]
        union = typing.get_origin(hint) in (typing.Union, types.UnionType)
        kinds = [a for a in typing.get_args(hint) if a is not type(None)] if union else [hint]
        kind = kinds[0] if len(kinds) == 1 else None
        origin = typing.get_origin(kind)
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            codecs.append((f.name, _enum_value, _enum_of(kind)))
        elif kind is SourceRef:
            codecs.append((f.name, _source_row, _source))
        elif kind in (str, int, float, bool):
            codecs.append((f.name, _same, _same))
        elif origin in (Mapping, dict):
            codecs.append((f.name, _same, _mapping))
        elif origin is tuple:
            codecs.append((f.name, _list, _tuple))
        else:  # a field this codec does not know: no snapshot, rather than a wrong one
            raise TypeError(f"ClaimRecord.{f.name}: {hints[f.name]} has no snapshot form")
    return codecs


def _same(value: Any) -> Any:
    return value


def _mapping(value: Any) -> Any:
    """JSON gives a tuple value (a context field holding several) back as a list."""
    if value is None:
        return None
    return {k: tuple(v) if isinstance(v, list) else v for k, v in value.items()}


def _list(value: Any) -> Any:
    return None if value is None else list(value)


def _tuple(value: Any) -> Any:
    return None if value is None else tuple(value)


def _enum_value(value: Any) -> Any:
    return None if value is None else value.value


def _enum_of(kind: type[enum.Enum]) -> Any:
    members = {member.value: member for member in kind}
    return lambda value: None if value is None else members[value]


def _source_row(value: SourceRef | None) -> Any:
    return None if value is None else [value.iri, value.title]


def _source(value: Any) -> SourceRef | None:
    return None if value is None else SourceRef(value[0], value[1])


try:
    _CODECS = _field_codecs()
except TypeError as error:  # pragma: no cover - only if a record field gains a new type
    log.warning("claim graph snapshots are off: %s", error)
    _CODECS = []
FIELDS = [name for name, _, _ in _CODECS]


def encode_record(record: ClaimRecord) -> list[Any]:
    return [encode(getattr(record, name)) for name, encode, _ in _CODECS]


#: Positions of the fields whose value is not kept as JSON gives it, with their decoders.
_DECODED = [(i, decode) for i, (_, _, decode) in enumerate(_CODECS) if decode is not _same]


def decode_record(row: list[Any]) -> ClaimRecord:
    if len(row) != len(_CODECS):
        raise ValueError(f"a record of {len(row)} fields, not {len(_CODECS)}")
    for i, decode in _DECODED:
        row[i] = decode(row[i])
    return ClaimRecord(*row)


@dataclasses.dataclass
class Snapshot:
    """What the claim graph is built from."""

    relations: list[Relation]
    entities: dict[str, EntityName]
    entity_classes: frozenset[str]
    records: list[ClaimRecord]


def save(directory: Path, token: str, snapshot: Snapshot) -> None:
    """Write the snapshot for ``token`` (atomically: a reader sees the old file or the new)."""
    if not _CODECS:
        return
    body = {
        "format": FORMAT,
        "token": token,
        "fields": FIELDS,
        "relations": [
            [r.iri, r.label, r.opposite, r.inverse, r.symmetric, sorted(r.parents)]
            for r in snapshot.relations
        ],
        "entities": [[n.iri, n.label, sorted(n.types)] for n in snapshot.entities.values()],
        "entity_classes": sorted(snapshot.entity_classes),
        "records": [encode_record(r) for r in snapshot.records],
    }
    tmp = directory / (SNAPSHOT_FILE + ".tmp")
    with open(tmp, "w", encoding="utf-8") as out:
        json.dump(body, out, separators=(",", ":"), ensure_ascii=False)
    os.replace(tmp, directory / SNAPSHOT_FILE)


def load(directory: Path, token: str | None) -> Snapshot | None:
    """The snapshot saved for ``token``; ``None`` if there is none, or not for it."""
    path = directory / SNAPSHOT_FILE
    if token is None or not _CODECS or not path.exists():
        return None
    try:
        with open(path, encoding="utf-8") as file:
            body = json.load(file)
        if body.get("format") != FORMAT or body.get("token") != token:
            return None
        if body.get("fields") != FIELDS:
            return None
        return Snapshot(
            relations=[
                Relation(iri, label, opposite, inverse, bool(symmetric), frozenset(parents))
                for iri, label, opposite, inverse, symmetric, parents in body["relations"]
            ],
            entities={
                iri: EntityName(iri, label, set(kinds)) for iri, label, kinds in body["entities"]
            },
            entity_classes=frozenset(body["entity_classes"]),
            records=[decode_record(row) for row in body["records"]],
        )
    except (OSError, ValueError, TypeError, KeyError) as error:
        log.warning("ignoring the claim graph snapshot %s: %s", path, error)
        return None
