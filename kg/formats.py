"""The formats of documents the project reads and writes, from ``pyoxigraph.RdfFormat``.

There is no table of media types, extensions or names here: each RDF format's media
type, file extension, name and whether it holds named graphs come from pyoxigraph
(``RdfFormat.from_media_type``, ``from_extension``, ``media_type``,
``file_extension``, ``supports_datasets``). This module only says which of them the
project offers, and adds the claim record's own JSON forms.

>>> rdf_format("turtle"), rdf_format("ttl"), rdf_format("text/turtle")
(<RdfFormat Turtle>, <RdfFormat Turtle>, <RdfFormat Turtle>)
>>> format_name(ox.RdfFormat.N_QUADS)
'nquads'
"""

from __future__ import annotations

import re
from enum import StrEnum
from pathlib import Path

import pyoxigraph as ox

from gbkg.kg.errors import InputError

#: The RDF formats every RDF document of the project is offered in (downloads, exports,
#: one claim, one entity), the default first where a route has no other preference.
RDF_FORMATS: tuple[ox.RdfFormat, ...] = (
    ox.RdfFormat.TURTLE,
    ox.RdfFormat.TRIG,
    ox.RdfFormat.N_QUADS,
    ox.RdfFormat.N_TRIPLES,
    ox.RdfFormat.JSON_LD,
    ox.RdfFormat.RDF_XML,
)
#: The RDF formats claims are read in. RDF/XML is not: its parser expands the entities
#: a document declares, which a body could use to grow without bound.
CLAIM_RDF_FORMATS: tuple[ox.RdfFormat, ...] = (
    ox.RdfFormat.TURTLE,
    ox.RdfFormat.TRIG,
    ox.RdfFormat.N_TRIPLES,
    ox.RdfFormat.N_QUADS,
    ox.RdfFormat.JSON_LD,
)


class JsonFormat(StrEnum):
    """The claim record as JSON: one claim or a list, or one claim per line."""

    JSON = "application/json"
    JSON_LINES = "application/jsonl"

    @property
    def file_extension(self) -> str:
        return "json" if self is JsonFormat.JSON else "jsonl"


#: What a claim document may be in.
ClaimFormat = JsonFormat | ox.RdfFormat
#: Other names of the JSON Lines media type, as clients send it.
JSON_LINES_ALIASES = ("application/x-ndjson", "application/jsonlines", "application/x-jsonlines")


def format_name(fmt: ox.RdfFormat) -> str:
    """A format's short name for ``--format`` and ``?format=``: pyoxigraph's name in lower
    case, letters and digits only (``N-Quads`` → ``nquads``, ``JSON-LD`` → ``jsonld``)."""
    return re.sub(r"[^a-z0-9]", "", fmt.name.lower())


def rdf_format(text: str, *, offered: tuple[ox.RdfFormat, ...] = RDF_FORMATS) -> ox.RdfFormat:
    """The offered RDF format ``text`` names: a short name (:func:`format_name`), a file
    extension or a media type. :class:`~kg.errors.InputError` naming the choices."""
    key = text.strip().lower()
    for fmt in offered:
        if key in (format_name(fmt), fmt.file_extension, fmt.media_type):
            return fmt
    known = ", ".join(format_name(f) for f in offered)
    raise InputError(f"{text!r} is not a format offered here; use one of: {known}", value=text)


def claim_format_of_media_type(media_type: str) -> ClaimFormat | None:
    """The claim document format of a request's media type (no parameters), or ``None``."""
    key = media_type.strip().lower()
    if key == JsonFormat.JSON:
        return JsonFormat.JSON
    if key == JsonFormat.JSON_LINES or key in JSON_LINES_ALIASES:
        return JsonFormat.JSON_LINES
    fmt = ox.RdfFormat.from_media_type(key) if key else None
    return fmt if fmt in CLAIM_RDF_FORMATS and fmt.media_type == key else None


def claim_format_of_path(path: Path) -> ClaimFormat:
    """The claim document format of a file, by its extension."""
    extension = path.suffix.lstrip(".").lower()
    for json_format in JsonFormat:
        if extension == json_format.file_extension:
            return json_format
    fmt = ox.RdfFormat.from_extension(extension) if extension else None
    if fmt is None or fmt not in CLAIM_RDF_FORMATS:
        known = ", ".join(
            "." + e for e in [*(j.file_extension for j in JsonFormat), *claim_extensions()]
        )
        raise InputError(f"{path}: unknown file type {path.suffix!r} (known: {known})")
    return fmt


def claim_extensions() -> list[str]:
    return [f.file_extension for f in CLAIM_RDF_FORMATS]


def claim_media_types() -> list[str]:
    """The media types a claim may be sent as, JSON first."""
    return [JsonFormat.JSON.value, *(f.media_type for f in CLAIM_RDF_FORMATS)]


def content_type(fmt: ClaimFormat) -> str:
    """The ``Content-Type`` of a document in ``fmt``: UTF-8 said, except for RDF/XML,
    which says its encoding itself."""
    if isinstance(fmt, JsonFormat):
        return fmt.value
    if fmt == ox.RdfFormat.RDF_XML:
        return fmt.media_type
    return f"{fmt.media_type}; charset=utf-8"
