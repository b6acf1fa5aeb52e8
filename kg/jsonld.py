"""The project's JSON-LD context, generated, and JSON-LD documents from outside read
without fetching.

The context (``ontology/context.jsonld``, :func:`build_context`) is generated from the
prefixes (:data:`kg.ids.PREFIX_MAP`) and the layout table (:mod:`kg.record.layout`):

- every prefix, so identifiers read as in the JSON API (``MONDO:0002050``); a prefix
  whose namespace does not end in ``/``, ``#`` or ``:`` (the OBO ones end in ``_``) is
  declared with ``"@prefix": true``, which JSON-LD 1.1 requires to use it;
- one term per property of the claim record, named as its JSON field (``p_value``),
  typed by the field's kind (``xsd:decimal``; ``@id`` for identifiers and vocabulary
  terms; none for text, integers and booleans, which JSON writes natively), unless the
  name is taken — by a prefix (``source``, ``curator`` and ``doi`` name namespaces), or
  by a link to a part (the claim's ``quote`` is its selector, so the selector's text is
  ``oa:exact``) — or the property carries several names (``prov:wasAttributedTo`` is a
  claim's ``curator`` and a retraction's ``by``): such a property is written as its
  compact IRI.

``tests/test_jsonld.py`` checks that the packaged file is :func:`build_context`'s
output (``python -m gbkg.kg.jsonld`` rewrites it).

A JSON-LD processor dereferences every context a document names: a ``@context``
IRI at the top, in a list, on any node, in a term's scoped context, or an
``@import`` inside an inline context. For a document sent to the service, that
would let the sender make the server fetch any URL (or read any ``file:``) and
wait for it. So the only context read here is the project's own,
``ontology/context.jsonld`` (its IRI is :data:`CONTEXT_IRI`; the service also
serves it at ``/context.jsonld``), and it is read from the package:
:func:`inline_contexts` puts its content where a document names it, and refuses
any other reference, naming it, before anything is parsed. Definitions of one's
own go inline (``"@context": {...}``).

>>> inline_contexts({"@context": "https://example.org/c.jsonld", "@id": "x"})
... # doctest: +ELLIPSIS
Traceback (most recent call last):
...
gbkg.kg.errors.InputError: JSON-LD context 'https://example.org/c.jsonld' is not allowed: ...
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from gbkg.kg.errors import InputError
from gbkg.kg.resources import ontology_file

#: The IRI of the project's context (``ontology/context.jsonld``).
CONTEXT_IRI = "https://w3id.org/gbkg/context.jsonld"

CONTEXT = "@context"
IMPORT = "@import"


#: Characters a namespace may end with to be used as a prefix without ``"@prefix": true``.
GEN_DELIMS = ":/?#[]@"
XSD = "http://www.w3.org/2001/XMLSchema#"


@lru_cache(maxsize=1)
def context_document() -> dict[str, Any]:
    """``ontology/context.jsonld``: ``{"@context": {...}}``."""
    document: dict[str, Any] = json.loads(ontology_file("context.jsonld").read_text("utf-8"))
    return document


def build_context() -> dict[str, Any]:
    """The context, from the prefixes and the layout table (see the module's docstring)."""
    from gbkg.kg.ids import PREFIX_MAP, compress
    from gbkg.kg.record import layout

    context: dict[str, Any] = {"@version": 1.1}
    for prefix, namespace in sorted(PREFIX_MAP.items(), key=lambda kv: kv[0].lower()):
        if namespace[-1] in GEN_DELIMS:
            context[prefix] = namespace
        else:
            context[prefix] = {"@id": namespace, "@prefix": True}
    # Links to the claim's parts and sources first: the claim's "quote" is its selector
    # (gba:quote); the selector's text (oa:exact, the record's quote too) is oa:exact.
    names: dict[str, set[str]] = {}
    kinds: dict[str, layout.Kind | None] = {}
    for part in layout.parts():
        assert part.link is not None
        names.setdefault(str(part.link), set()).add(part.name)
        kinds[str(part.link)] = None
    for ref in layout.REFERENCES:
        names.setdefault(str(ref.link), set()).add(ref.path)
        kinds[str(ref.link)] = None
    for items in layout.ITEMS:
        names.setdefault(str(items.link), set()).add(items.name)
        kinds[str(items.link)] = None
    records = [layout.SOURCE, layout.ENTITY, *(i.record for i in layout.ITEMS)]
    for f in [*layout.FIELDS, *(f for r in records for f in r.fields)]:
        names.setdefault(str(f.prop), set()).add(f.name)
        kinds.setdefault(str(f.prop), f.kind)
    taken = set(context)
    for prop, spelled in names.items():
        if prop == layout.RDF_TYPE or len(spelled) != 1:
            continue
        (name,) = spelled
        if name in taken:
            continue
        taken.add(name)
        context[name] = _term(compress(prop), kinds[prop])
    return {"@context": context}


def _term(curie: str, kind: Any) -> str | dict[str, str]:
    """A term definition: the property, and the type its values are written with."""
    from gbkg.kg.record.layout import Kind

    datatypes = {
        Kind.DECIMAL: "xsd:decimal",
        Kind.DATETIME: "xsd:dateTime",
        Kind.YEAR: "xsd:gYear",
    }
    if kind is None or kind in (Kind.URL, Kind.IDENTIFIER, Kind.TERM, Kind.CURATOR):
        return {"@id": curie, "@type": "@id"}
    if kind in datatypes:
        return {"@id": curie, "@type": datatypes[kind]}
    return curie


def write_context_file(path: str) -> None:
    """Write :func:`build_context` as the packaged context file."""
    text = json.dumps(build_context(), indent=2, ensure_ascii=False) + "\n"
    with open(path, "w", encoding="utf-8") as out:
        out.write(text)


def inline_contexts(document: Any, *, also: Iterable[str] = ()) -> Any:
    """``document`` (decoded JSON-LD) with each reference to the project's context
    replaced by the context itself.

    ``also`` are other URLs of the project's context (where a service serves it).
    Any other reference is an :class:`~kg.errors.InputError` naming it; so is a
    ``@context`` that is neither an IRI, an object, ``null`` nor a list of them.
    ``document`` is expected from :func:`kg.json_input.decode_json` (its nesting is
    bounded); it is not modified.
    """
    return _Inliner(frozenset({CONTEXT_IRI, *also})).document(document)


class _Inliner:
    def __init__(self, ours: frozenset[str]) -> None:
        self.ours = ours

    def document(self, value: Any) -> Any:
        """Any JSON value of a document: every ``@context`` key in it is a context."""
        if isinstance(value, list):
            return [self.document(item) for item in value]
        if isinstance(value, dict):
            return {
                key: self.context(item) if key == CONTEXT else self.document(item)
                for key, item in value.items()
            }
        return value

    def context(self, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, str):
            return self._ours(value)
        if isinstance(value, list):
            return [self.context(item) for item in value]
        if isinstance(value, dict):
            inline: dict[str, Any] = {}
            if IMPORT in value:
                imported = value[IMPORT]
                if not isinstance(imported, str):
                    raise InputError(
                        f"a JSON-LD @import must be an IRI (got {_kind(imported)})",
                        context=_shown(imported),
                    )
                inline.update(self._ours(imported))
            # Term definitions may carry scoped contexts: any @context key below is one.
            inline.update(
                (key, self.document(item))
                for key, item in value.items()
                if key not in (IMPORT, CONTEXT)
            )
            if CONTEXT in value:
                inline[CONTEXT] = self.context(value[CONTEXT])
            return inline
        raise InputError(
            "a JSON-LD @context must be an IRI, an object, null or a list of them "
            f"(got {_kind(value)})",
            context=_shown(value),
        )

    def _ours(self, reference: str) -> dict[str, Any]:
        if reference not in self.ours:
            allowed = ", ".join(sorted(self.ours))
            raise InputError(
                f"JSON-LD context {reference!r} is not allowed: this service fetches no "
                f"context; it reads only its own ({allowed}), so put other definitions "
                "inline",
                context=reference,
            )
        inline: dict[str, Any] = copy.deepcopy(context_document()[CONTEXT])
        return inline


def _kind(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", list: "a list"}.get(
        type(value), type(value).__name__
    )


def _shown(value: Any) -> str:
    return json.dumps(value)[:200]


if __name__ == "__main__":
    from gbkg.kg.resources import ontology_file as _file

    write_context_file(str(_file("context.jsonld")))
