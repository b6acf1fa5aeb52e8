"""``GET /health``."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel

from gbkg import __version__
from gbkg.api.deps import StoreDep

router = APIRouter(tags=["service"])


class Health(BaseModel):
    status: str
    backend: str
    triples: int
    claims: int


class ServiceIndex(BaseModel):
    name: str
    version: str
    description: str
    links: dict[str, str]


@router.get(
    "/",
    summary="What this service is, with links to its routes and documentation",
    response_model=ServiceIndex,
)
def index(request: Request) -> ServiceIndex:
    base = str(request.base_url).rstrip("/")
    routes = {
        route: route
        for route in (
            "health",
            "sparql",
            "claims",
            "queries",
            "ontology",
            "shapes",
            "export",
            "docs",
            "openapi.json",
            "context.jsonld",
        )
    }
    routes.update(
        {
            "entities": "entities?q=serotonin",
            "evidence": "evidence?subject=gbkg:probiotic&object=MONDO:0002050",
            "paths": "paths?source=gbkg:probiotic&target=MONDO:0002050",
        }
    )
    return ServiceIndex(
        name="gut-brain-kg",
        version=__version__,
        description=(
            "Scientific claims about the gut-brain axis as RDF: SHACL-validated writes, "
            "a read-only SPARQL 1.1 endpoint, evidence summaries and mechanism paths."
        ),
        links={name: f"{base}/{path}" for name, path in routes.items()},
    )


@router.get("/health", summary="Service status with triple and claim counts", response_model=Health)
def health(store: StoreDep) -> Health:
    """The counts are kept by the embedded store on each write (counted once, at start);
    a remote store counts on the server, since other processes write to it."""
    return Health(
        status="ok", backend=store.name, triples=store.triple_count(), claims=store.claim_total()
    )
