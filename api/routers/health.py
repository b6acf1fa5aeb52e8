"""``GET /health``."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from api.deps import StoreDep
from kg.store import claim_count

router = APIRouter(tags=["service"])


class Health(BaseModel):
    status: str
    backend: str
    triples: int
    claims: int


@router.get("/health", summary="Service status with triple and claim counts", response_model=Health)
def health(store: StoreDep) -> Health:
    return Health(
        status="ok", backend=store.name, triples=store.triple_count(), claims=claim_count(store)
    )
