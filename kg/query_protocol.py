"""The pipe protocol between the server and its query workers.

Each message is a frame: a 4-byte big-endian length, then that many bytes. The
server sends a request (one JSON frame); the worker answers with one JSON frame
and, when the query succeeded, a second frame holding the serialized answer (the
server relays those bytes unchanged). A worker announces itself with a
:class:`Ready` frame once its store is open and its sandbox is in place.

Bound values of named queries travel as N-Triples terms (``<iri>``,
``"text"^^<datatype>``), written and read by Oxigraph, never spliced into the
query text.

>>> payload = encode_request(Request(QueryJob("ASK {}", ResultFormat.JSON), 5, 1000, 2))
>>> request = decode_request(payload)
>>> request.job.text, request.job.format, request.max_results, request.generation
('ASK {}', <ResultFormat.JSON: 'application/sparql-results+json'>, 5, 2)
"""

from __future__ import annotations

import json
import struct
from dataclasses import asdict, dataclass
from typing import IO, Any

import pyoxigraph as ox

from gbkg.kg import errors
from gbkg.kg.sparql import Binding, ProtocolDataset, QueryJob
from gbkg.kg.sparql_analysis import QueryForm
from gbkg.kg.sparql_formats import GraphFormat, OutputFormat, ResultFormat

_LENGTH = struct.Struct(">I")
#: Largest frame accepted (an answer is at most ``max_results`` rows, but rows can be long).
MAX_FRAME = 1 << 31


class ProtocolError(RuntimeError):
    """The other side sent something that is not a frame of this protocol, or hung up."""


def write_frame(stream: IO[bytes], payload: bytes) -> None:
    stream.write(_LENGTH.pack(len(payload)))
    stream.write(payload)


def read_exact(stream: IO[bytes], size: int) -> bytes:
    """``size`` bytes, or :class:`ProtocolError` if the stream ends first."""
    chunks: list[bytes] = []
    remaining = size
    while remaining:
        chunk = stream.read(remaining)
        if not chunk:
            raise ProtocolError("the pipe closed in the middle of a frame")
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def read_frame(stream: IO[bytes]) -> bytes | None:
    """The next frame's payload, or ``None`` at a clean end of stream."""
    head = stream.read(_LENGTH.size)
    if not head:
        return None
    if len(head) < _LENGTH.size:
        head += read_exact(stream, _LENGTH.size - len(head))
    (size,) = _LENGTH.unpack(head)
    if size > MAX_FRAME:
        raise ProtocolError(f"a frame of {size} bytes is larger than the protocol allows")
    return read_exact(stream, size)


def frame_length(head: bytes) -> int:
    (size,) = _LENGTH.unpack(head)
    if size > MAX_FRAME:
        raise ProtocolError(f"a frame of {size} bytes is larger than the protocol allows")
    return int(size)


HEADER_SIZE = _LENGTH.size


# Requests --------------------------------------------------------------------------


def _output_format(media_type: str) -> OutputFormat:
    for kind in (ResultFormat, GraphFormat):
        try:
            return kind(media_type)
        except ValueError:
            continue
    raise ProtocolError(f"unknown output format {media_type!r}")


def _term_text(term: Binding) -> str:
    return str(term)


def _term(text: str) -> Binding:
    """An N-Triples term, read by Oxigraph as the object of a triple."""
    triple = next(iter(ox.parse(f"<urn:x:s> <urn:x:p> {text} .", format=ox.RdfFormat.N_TRIPLES)))
    term = triple.object
    if not isinstance(term, ox.NamedNode | ox.Literal):
        raise ProtocolError(f"a binding must be an IRI or a literal, not {text!r}")
    return term


@dataclass(frozen=True)
class Request:
    """One query for a worker, with its limits and the store generation to read."""

    job: QueryJob
    max_results: int
    #: The longest serialized answer, in bytes.
    max_bytes: int
    #: The server's write generation: the worker reopens the store when it moved.
    generation: int


def encode_request(request: Request) -> bytes:
    job = request.job
    return json.dumps(
        {
            "text": job.text,
            "format": job.format.value,
            "default_graphs": list(job.dataset.default_graphs),
            "named_graphs": list(job.dataset.named_graphs),
            "base_iri": job.base_iri,
            "substitutions": {k: _term_text(v) for k, v in job.substitutions.items()},
            "max_results": request.max_results,
            "max_bytes": request.max_bytes,
            "generation": request.generation,
        }
    ).encode()


def decode_request(payload: bytes) -> Request:
    data = json.loads(payload)
    job = QueryJob(
        text=data["text"],
        format=_output_format(data["format"]),
        dataset=ProtocolDataset(tuple(data["default_graphs"]), tuple(data["named_graphs"])),
        base_iri=data["base_iri"],
        substitutions={k: _term(v) for k, v in data["substitutions"].items()},
    )
    return Request(job, int(data["max_results"]), int(data["max_bytes"]), int(data["generation"]))


# Replies ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Ready:
    """A worker is ready: its store is open, its sandbox installed, its memory capped."""

    pid: int
    baseline_mb: float
    limit_mb: float


@dataclass(frozen=True)
class Success:
    """The answer's metadata (its bytes follow in the next frame)."""

    form: QueryForm
    count: int
    truncated: bool


@dataclass(frozen=True)
class Failure:
    """The query was refused or failed: the :mod:`kg.errors` class to raise, and why."""

    error: str
    message: str
    details: dict[str, Any]

    def exception(self) -> errors.KGError:
        kind = REPLY_ERRORS.get(self.error, errors.StoreError)
        return kind(self.message, **self.details)


#: The errors a worker may report, by name (anything else becomes a StoreError).
REPLY_ERRORS: dict[str, type[errors.KGError]] = {
    cls.__name__: cls
    for cls in (
        errors.QueryError,
        errors.ForbiddenQueryError,
        errors.ParameterError,
        errors.QueryLimitError,
        errors.QueryTimeoutError,
        errors.QueryMemoryError,
        errors.StoreError,
    )
}


def encode_reply(reply: Ready | Success | Failure) -> bytes:
    return json.dumps({"kind": type(reply).__name__, **asdict(reply)}).encode()


def decode_reply(payload: bytes) -> Ready | Success | Failure:
    data = json.loads(payload)
    kind = data.pop("kind", None)
    if kind == "Ready":
        return Ready(**data)
    if kind == "Success":
        return Success(QueryForm(data["form"]), int(data["count"]), bool(data["truncated"]))
    if kind == "Failure":
        return Failure(str(data["error"]), str(data["message"]), dict(data["details"]))
    raise ProtocolError(f"unknown reply {kind!r}")
