"""Files shipped inside the package (ontology, shapes, entities, queries, curated claims).

Found through :mod:`importlib.resources`, so they work from a wheel as from a checkout.
"""

from __future__ import annotations

from importlib.resources import files
from importlib.resources.abc import Traversable


def ontology_file(name: str) -> Traversable:
    """``gba.ttl``, ``shapes.ttl``, ``entities.ttl`` or ``context.jsonld``."""
    return files("gbkg.ontology").joinpath(name)


def query_files() -> list[Traversable]:
    return sorted(
        (f for f in files("gbkg.queries").iterdir() if f.name.endswith(".rq")), key=lambda f: f.name
    )


def curated_files() -> list[Traversable]:
    """The curated claims, one TriG file per source."""
    return sorted(
        (f for f in files("gbkg.kg.claims").iterdir() if f.name.endswith(".trig")),
        key=lambda f: f.name,
    )


def internal_query(name: str) -> str:
    """The text of ``queries/api/{name}.rq``: a query the service itself runs."""
    return files("gbkg.queries").joinpath("api", f"{name}.rq").read_text(encoding="utf-8")
