"""An entity's identifiers linked to their registries, with the Bioregistry's resolver
patterns vendored in ``registries.json`` (no network at run time).

>>> link("http://purl.obolibrary.org/obo/NCBITaxon_1582").url
'https://www.ncbi.nlm.nih.gov/Taxonomy/Browser/wwwtax.cgi?mode=Info&id=1582'
>>> link("https://identifiers.org/ncbigene:3569").curie
'ncbigene:3569'
>>> link("https://w3id.org/gbkg/entity/probiotic") is None
True
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

PATTERNS = [
    re.compile(r"^https?://purl\.obolibrary\.org/obo/(?P<prefix>[A-Za-z]+)_(?P<id>.+)$"),
    re.compile(r"^https?://identifiers\.org/(?P<prefix>[A-Za-z.]+):(?P<id>.+)$"),
    re.compile(r"^https?://(?:dx\.)?doi\.org/(?P<id>.+)$"),
]


@dataclass(frozen=True)
class RegistryLink:
    curie: str
    registry: str
    url: str


@cache
def _registries() -> dict[str, Any]:
    text = files("gbkg.api.web").joinpath("registries.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def link(iri: str) -> RegistryLink | None:
    """Where ``iri``'s registry shows it; ``None`` for an identifier minted here."""
    for pattern in PATTERNS:
        match = pattern.match(iri)
        if match is None:
            continue
        prefix = match.groupdict().get("prefix") or "doi"
        local = match["id"]
        data = _registries()
        entry = data["prefixes"].get(prefix) or next(
            (v for k, v in data["prefixes"].items() if k.lower() == prefix.lower()), None
        )
        if entry is None:
            url = data["fallback"].replace("$prefix", prefix).replace("$1", local)
            return RegistryLink(f"{prefix}:{local}", "Bioregistry", url)
        url = entry["uri_format"].replace("$1", local)
        return RegistryLink(f"{prefix}:{local}", entry["name"], url)
    return None
