"""The app factory."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio
from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from gbkg import __version__
from gbkg.api import errors, linking
from gbkg.api.parameters import single_valued
from gbkg.api.request_guard import RequestGuard
from gbkg.api.routers import claims, downloads, entities, evidence, health, paths, queries, sparql
from gbkg.api.routers.sparql import LIMIT_HEADER, TRUNCATED_HEADER
from gbkg.api.routers.suggest import install as install_suggest
from gbkg.api.routers.suggest import router as suggest_router
from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.curation import ClaimService
from gbkg.kg.queries import QueryCatalog
from gbkg.kg.query_runner import QueryRunner
from gbkg.kg.settings import Settings, get_settings
from gbkg.kg.store import Backend, open_store


def create_app(settings: Settings | None = None, *, store: Backend | None = None) -> FastAPI:
    """Build the service on ``store`` (default: the one ``settings.store`` names).

    An empty store is filled with the ontology, the known entities and (unless
    ``settings.load_curated`` is off) the curated claims.
    """
    settings = settings or get_settings()
    owns_store = store is None
    store = store if store is not None else open_store(settings.store, settings=settings)
    ensure_loaded(store, curated=settings.load_curated)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Build the claim graph (for /paths, /evidence, /entities) in the background
        # at start-up, so the first such request does not pay for it (~11 s at 1M triples).
        warm_up = threading.Thread(
            target=app.state.claim_graph.get, name="claim-graph-warm-up", daemon=True
        )
        warm_up.start()
        # Claims written through other processes (a remote store) reach the claim graph.
        stop_watching = store.watch(app.state.claim_graph.update)
        yield
        stop_watching()
        app.state.query_runner.close()
        warm_up.join(timeout=60)  # never close the store under it
        if owns_store:
            store.close()

    app = FastAPI(
        title="gut-brain-kg",
        version=__version__,
        summary="Claims about the gut-brain axis: SPARQL, SHACL-validated writes, evidence.",
        lifespan=lifespan,
        responses=errors.COMMON_RESPONSES,
        dependencies=[Depends(single_valued)],
    )
    app.state.settings = settings
    app.state.store = store
    app.state.query_runner = QueryRunner.from_settings(store, settings)
    app.state.claims = ClaimService(store, max_triples=settings.max_claim_triples)
    app.state.catalog = QueryCatalog()
    app.state.body_limiter = anyio.CapacityLimiter(settings.body_workers)
    linking.install(app)
    # Inside CORS (added later, so outside it): refusals carry the CORS headers too.
    app.add_middleware(
        RequestGuard,
        max_body_bytes=settings.max_body_bytes,
        body_timeout_s=settings.body_timeout_s,
    )
    install_suggest(app)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["Location", "Content-Type", TRUNCATED_HEADER, LIMIT_HEADER],
    )
    errors.install(app)
    app.include_router(health.router)
    app.include_router(sparql.router)
    app.include_router(claims.router)
    app.include_router(downloads.router)
    app.include_router(entities.router)
    app.include_router(evidence.router)
    app.include_router(paths.router)
    app.include_router(queries.router)
    app.include_router(suggest_router)
    return app
