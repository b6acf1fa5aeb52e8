"""Claim documents in, RDF documents out: one reader and one exporter for the CLI and the API.

**Reading** (:func:`read_claims`, :func:`read_claim`): the claim record as JSON (one
claim or a list), JSON Lines (one claim a line), or RDF — Turtle, TriG, N-Triples,
N-Quads, JSON-LD (:data:`~kg.formats.CLAIM_RDF_FORMATS`) — one claim or many. ``POST
/claims`` and ``gbkg load`` read with the same function, so a document one accepts the
other accepts. JSON is decoded by :func:`kg.json_input.decode_json`, RDF parsed by
pyoxigraph (:mod:`kg.rdf_input`: nothing is ever fetched; JSON-LD contexts are the
project's own, resolved locally) and read along the layout by
:mod:`kg.record.reader`, closed: a triple no field maps is a 422 naming it, as an
unknown JSON key is.

**Writing** (:func:`write_rdf`, :func:`rdf_chunks`, :func:`export_store`): quads as any
of :data:`~kg.formats.RDF_FORMATS`, with the project's prefixes, streamed — triple
formats get the union of the graphs; JSON-LD is compacted with the project's context
(:mod:`kg.jsonld_writer`). ``gbkg export --format X`` and ``GET /export?format=X``
write the same bytes (``tests/test_io.py`` compares them).
"""

from __future__ import annotations

import io
import queue
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import IO, Protocol, TypeVar

import pyoxigraph as ox

from gbkg.kg.errors import InputError, ParseError, TooLargeError, ValidationFailed
from gbkg.kg.formats import ClaimFormat, JsonFormat, claim_format_of_path
from gbkg.kg.ids import prefixes
from gbkg.kg.json_input import count_values, decode_json
from gbkg.kg.jsonld_writer import jsonld_chunks
from gbkg.kg.model import Claim, ClaimIn
from gbkg.kg.rdf_input import read_quads
from gbkg.kg.record.form import claim_from_decoded, parse_claim
from gbkg.kg.record.reader import Decoded, decode_claims
from gbkg.kg.store import Backend
from gbkg.kg.violations import Violation

C = TypeVar("C", bound=ClaimIn)


# Reading ---------------------------------------------------------------------------


def read_claims(
    data: bytes | str,
    fmt: ClaimFormat,
    *,
    model: type[C] = ClaimIn,  # type: ignore[assignment]
    base_iri: str | None = None,
    max_triples: int | None = None,
    contexts: Sequence[str] = (),
    what: str = "the body",
) -> list[C]:
    """Every claim of the document ``data`` in ``fmt``, in document order.

    ``model`` is :class:`~kg.model.ClaimIn` for what a curator sends (the server's
    fields are ignored) or :class:`~kg.model.Claim` for exported records (``gbkg
    load`` keeps their curator and dates). Form errors of every claim are one
    :class:`~kg.errors.ValidationFailed`, each field prefixed with the claim's index
    when the document holds several (``3.statistics.p_value``); a document that does
    not parse is a :class:`~kg.errors.ParseError` saying where. ``max_triples`` bounds
    what one claim may hold (RDF is counted while it is parsed, JSON by its values).
    ``contexts`` are other URLs of the project's JSON-LD context (where a service
    serves it); ``base_iri`` resolves relative IRIs.
    """
    text = _text(data, what)
    if isinstance(fmt, JsonFormat):
        items, several = _json_items(text, fmt, what)
        if max_triples is not None:
            for item in items:
                values = count_values(item)
                if values > max_triples:
                    raise _too_many(max_triples, f"its JSON holds {values} values")
        return _all_or_errors([partial(parse_claim, item, model) for item in items], several)
    decoded, stray = _decoded(text, fmt, base_iri, max_triples, contexts, what)
    if not decoded:
        raise InputError(
            f"{what} holds no claim: no subject is typed gba:Claim "
            "(https://w3id.org/gbkg/ontology#Claim)"
        )
    if stray:
        raise ValidationFailed(f"{what} says {len(stray)} thing(s) that belong to no claim", stray)
    several = len(decoded) > 1
    return _all_or_errors([partial(claim_from_decoded, d, model) for d in decoded], several)


def read_claim(
    data: bytes | str,
    fmt: ClaimFormat,
    *,
    model: type[C] = ClaimIn,  # type: ignore[assignment]
    base_iri: str | None = None,
    max_triples: int | None = None,
    contexts: Sequence[str] = (),
    what: str = "the body",
) -> C:
    """The one claim of a document (``POST /claims``); more or fewer is an
    :class:`~kg.errors.InputError`."""
    if fmt is JsonFormat.JSON_LINES:
        raise InputError(f"{what} must be one claim; JSON Lines holds many (send JSON)")
    text = _text(data, what)
    if fmt is JsonFormat.JSON:
        item = decode_json(text, what=what)
        if max_triples is not None and (values := count_values(item)) > max_triples:
            raise _too_many(max_triples, f"its JSON holds {values} values")
        return parse_claim(item, model)
    decoded, stray = _decoded(text, fmt, base_iri, max_triples, contexts, what)
    if len(decoded) != 1:
        raise InputError(f"{what} must describe exactly one gba:Claim; it describes {len(decoded)}")
    try:
        claim = claim_from_decoded(decoded[0], model)
    except ValidationFailed as error:
        raise ValidationFailed(
            str(error), [*error.violations, *stray], partial=error.partial
        ) from None
    if stray:
        raise ValidationFailed(f"{what} says {len(stray)} thing(s) that belong to no claim", stray)
    return claim


def _decoded(
    text: str,
    fmt: ox.RdfFormat,
    base_iri: str | None,
    max_triples: int | None,
    contexts: Sequence[str],
    what: str,
) -> tuple[list[Decoded], list[Violation]]:
    quads = read_quads(
        text,
        fmt,
        base_iri=base_iri,
        max_triples=max_triples if max_triples is not None else 2**62,
        contexts=contexts,
        what=what,
    )
    return decode_claims(quads)


def read_claim_file(path: Path, *, model: type[C] = Claim) -> list[C]:  # type: ignore[assignment]
    """The claims of a file, in the format its extension names (``.json``, ``.jsonl``,
    ``.ttl``, ``.trig``, ``.nt``, ``.nq``, ``.jsonld``). Exported records keep their
    curator and dates (``model=Claim``); relative IRIs resolve against the file's URI."""
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    fmt = claim_format_of_path(path)
    return read_claims(
        path.read_bytes(), fmt, model=model, base_iri=path.resolve().as_uri(), what=str(path)
    )


def _text(data: bytes | str, what: str) -> str:
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ParseError(f"{what} is not UTF-8 (byte {error.start})") from None


def _json_items(text: str, fmt: JsonFormat, what: str) -> tuple[list[object], bool]:
    """The decoded JSON values of a JSON or JSON Lines document; whether it holds a list."""
    if fmt is JsonFormat.JSON:
        value = decode_json(text, what=what)
        return (value, True) if isinstance(value, list) else ([value], False)
    items: list[object] = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip():
            items.append(decode_json(line, what=f"{what}, line {number},"))
    return items, True


def _all_or_errors(parsers: list[Callable[[], C]], several: bool) -> list[C]:
    """Every claim, or one :class:`ValidationFailed` with the form errors of all of them."""
    claims: list[C] = []
    violations: list[Violation] = []
    for index, parse in enumerate(parsers):
        try:
            claims.append(parse())
        except ValidationFailed as error:
            violations += [v.for_item(index) if several else v for v in error.violations]
    if violations:
        bad = len({v.field.split(".", 1)[0] for v in violations if v.field}) if several else 1
        raise ValidationFailed(
            f"{bad} claim(s) with malformed fields: "
            + ", ".join(dict.fromkeys(v.field or "claim" for v in violations)),
            violations,
        )
    return claims


def _too_many(max_triples: int, counted: str) -> TooLargeError:
    return TooLargeError(f"a claim body may make at most {max_triples} triples; {counted}")


# Writing ---------------------------------------------------------------------------


def write_rdf(quads: Iterable[ox.Quad], fmt: ox.RdfFormat, out: IO[bytes]) -> None:
    """``quads`` as a document in ``fmt`` on ``out``; a triple format gets the union of
    the graphs (a triple in several graphs is written once for each)."""
    if fmt == ox.RdfFormat.JSON_LD:
        for chunk in jsonld_chunks(quads):
            out.write(chunk)
        return
    if fmt.supports_datasets:
        ox.serialize(quads, out, fmt, prefixes=prefixes())
    else:
        ox.serialize((q.triple for q in quads), out, fmt, prefixes=prefixes())


def rdf_bytes(quads: Iterable[ox.Quad], fmt: ox.RdfFormat) -> bytes:
    """:func:`write_rdf` into memory, in this thread (small documents: one claim, one
    entity; a store's iterator is read in the thread that made it)."""
    buffer = io.BytesIO()
    write_rdf(quads, fmt, buffer)
    return buffer.getvalue()


class _Closed(Exception):
    """The reader of a stream went away (an HTTP client disconnected)."""


class _QueueWriter:
    """A binary file that hands what is written to a queue, in pieces of ~64 KB.

    A reader that stops reading without closing the stream (it is gone) releases the
    writer after :attr:`IDLE_S` seconds.
    """

    SIZE = 65536
    IDLE_S = 120.0

    def __init__(self, chunks: queue.Queue[bytes | BaseException | None], stop: threading.Event):
        self.chunks = chunks
        self.stop = stop
        self.buffer = bytearray()

    def write(self, data: bytes) -> int:
        if self.stop.is_set():
            raise _Closed
        self.buffer += data
        if len(self.buffer) >= self.SIZE:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buffer:
            self._put(bytes(self.buffer))
            self.buffer.clear()

    def _put(self, item: bytes | BaseException | None) -> None:
        waited = 0.0
        while not self.stop.is_set() and waited < self.IDLE_S:
            try:
                self.chunks.put(item, timeout=0.5)
                return
            except queue.Full:
                waited += 0.5
        raise _Closed


def rdf_chunks(quads: Callable[[], Iterable[ox.Quad]], fmt: ox.RdfFormat) -> Iterator[bytes]:
    """The document :func:`write_rdf` writes, as pieces to send as they are made.

    pyoxigraph's serializers write to a file: they run in a thread writing into a
    bounded queue that this generator empties, so the memory held is a few pieces
    whatever the size of the data. ``quads`` is called in that thread: pyoxigraph's
    iterators may only be read by the thread that made them. Closing the generator
    stops the thread.
    """
    chunks: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=8)
    stop = threading.Event()
    writer = _QueueWriter(chunks, stop)

    def run() -> None:
        try:
            write_rdf(quads(), fmt, writer)  # type: ignore[arg-type]
            writer.flush()
            writer._put(None)
        except _Closed:
            return
        except BaseException as error:  # handed to the reader, which raises it
            try:
                writer._put(error)
            except _Closed:
                return

    thread = threading.Thread(target=run, name="rdf-writer", daemon=True)
    thread.start()
    try:
        while True:
            item = chunks.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join(timeout=5)


def export_quads(store: Backend) -> Iterator[ox.Quad]:
    """Everything the store holds, as it yields it (claims, sources, ontology, entities)."""
    return store.quads()


class BinaryOut(Protocol):
    """Where an export is written: a binary file, or anything with ``write(bytes)``."""

    def write(self, data: bytes, /) -> int: ...


def export_store(store: Backend, fmt: ox.RdfFormat, out: BinaryOut) -> None:
    """The whole store as one document on ``out`` (``gbkg export``)."""
    for chunk in rdf_chunks(lambda: export_quads(store), fmt):
        out.write(chunk)


__all__ = [
    "export_quads",
    "export_store",
    "rdf_bytes",
    "rdf_chunks",
    "read_claim",
    "read_claim_file",
    "read_claims",
    "write_rdf",
]
