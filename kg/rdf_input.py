"""RDF documents written by someone else (request bodies), read at a bounded cost.

They are parsed by pyoxigraph rather than rdflib, for three reasons measured on
1 MB bodies: it has no document loader, so no document can make it fetch
anything (rdflib's JSON-LD parser fetches any context IRI, ``file:`` included);
it runs in linear time (25,000 ``@prefix`` lines: rdflib 32 s, pyoxigraph 0.03 s;
30,000 triples: 1.1 s and 0.13 s); and it streams, so :func:`read_quads` stops
at ``max_triples`` instead of building the whole graph first. JSON-LD is decoded
by :func:`kg.json_input.decode_json` and its contexts are resolved locally by
:func:`kg.jsonld.inline_contexts` before pyoxigraph reads it.

Relative IRIs are resolved against ``base_iri`` (for a request body, the
request's URL), never against a file path of the server.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

import pyoxigraph as ox

from gbkg.kg.errors import InputError, ParseError, TooLargeError
from gbkg.kg.formats import CLAIM_RDF_FORMATS
from gbkg.kg.json_input import decode_json
from gbkg.kg.jsonld import inline_contexts


def read_quads(
    text: str,
    fmt: ox.RdfFormat,
    *,
    base_iri: str | None,
    max_triples: int,
    contexts: Iterable[str] = (),
    what: str = "the body",
) -> list[ox.Quad]:
    """The quads of the document ``text`` in ``fmt``.

    :class:`~kg.errors.ParseError` when it does not parse, with the parser's
    message (line and column); :class:`~kg.errors.TooLargeError` past
    ``max_triples``; :class:`~kg.errors.InputError` for a JSON-LD context other
    than the project's (``contexts`` are other URLs of it) and for RDF 1.2 triple
    terms, which a claim never holds.
    """
    if fmt not in CLAIM_RDF_FORMATS:
        raise InputError(f"RDF in {fmt.name} is not read here")
    if fmt == ox.RdfFormat.JSON_LD:
        document = inline_contexts(decode_json(text, what=what), also=contexts)
        text = json.dumps(document, ensure_ascii=False)
    quads: list[ox.Quad] = []
    try:
        for quad in ox.parse(text, format=fmt, base_iri=base_iri):
            if len(quads) == max_triples:
                raise TooLargeError(
                    f"a claim body may make at most {max_triples} triples; this one holds more"
                )
            if isinstance(quad.subject, ox.Triple) or isinstance(quad.object, ox.Triple):
                raise InputError(f"{what} holds an RDF 1.2 triple term; a claim holds none")
            quads.append(quad)
    except SyntaxError as error:
        raise ParseError(
            f"{what} does not parse as {fmt.media_type}: {_first_line(error)}"
        ) from None
    return quads


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0][:300] if lines else type(error).__name__
