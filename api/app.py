"""The app factory."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.staticfiles import StaticFiles

from gbkg import __version__
from gbkg.api import errors
from gbkg.api.deps import Services
from gbkg.api.parameters import single_valued
from gbkg.api.query_jobs import LIMIT_HEADER, TRUNCATED_HEADER
from gbkg.api.request_guard import RequestGuard
from gbkg.api.routers import (
    claims,
    downloads,
    entities,
    evidence,
    health,
    paths,
    queries,
    sparql,
    suggest,
)
from gbkg.api.web import pages
from gbkg.api.web.html import STATIC_DIR, VaryAccept
from gbkg.kg.backends import open_store
from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.settings import Settings, get_settings
from gbkg.kg.store import Backend, OxigraphStore


def create_app(settings: Settings | None = None, *, store: Backend | None = None) -> FastAPI:
    """Build the service on ``store`` (default: the one ``settings.store`` names).

    An empty store is filled with the ontology, the known entities and (unless
    ``settings.load_curated`` is off) the curated claims.
    """
    settings = settings or get_settings()
    owns_store = store is None
    store = store if store is not None else open_store(settings.store, settings=settings)
    ensure_loaded(store, curated=settings.load_curated)
    services = Services.build(settings, store)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Build the claim graph (for /paths, /evidence, /entities) in the background
        # at start-up, so the first such request does not pay for it (~11 s at 1M triples).
        # The embedded store's counts too (/health then reads two numbers kept on
        # write; a remote store counts on the server at each call).
        def warm() -> None:
            services.claim_graph.get()
            if isinstance(store, OxigraphStore):
                store.triple_count()

        warm_up = threading.Thread(target=warm, name="claim-graph-warm-up", daemon=True)
        warm_up.start()
        # Claims written through other processes (a remote store) reach the claim graph.
        stop_watching = store.watch(services.claim_graph.update)
        yield
        stop_watching()
        services.query_runner.close()
        warm_up.join(timeout=60)  # never close the store under it
        services.claim_graph.save()  # the next start reads it, if no write comes between
        if owns_store:
            store.close()

    app = FastAPI(
        title="gut-brain-kg",
        version=__version__,
        summary="Claims about the gut-brain axis: SPARQL, SHACL-validated writes, evidence.",
        lifespan=lifespan,
        responses=errors.COMMON_RESPONSES,
        dependencies=[Depends(single_valued)],
        docs_url=None,  # served from the package (api/web/pages.py): works offline
        redoc_url=None,  # ReDoc would load from a CDN: not offered
    )
    # The one attribute of app.state: every route gets what it needs from it through a
    # typed dependency (api.deps).
    app.state.services = services
    # Inside CORS (added later, so outside it): refusals carry the CORS headers too.
    app.add_middleware(
        RequestGuard,
        max_body_bytes=settings.max_body_bytes,
        body_timeout_s=settings.body_timeout_s,
    )
    app.add_middleware(VaryAccept)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=["*"],
        allow_methods=["GET", "POST", "OPTIONS"],
        allow_headers=["*"],
        expose_headers=["Location", "Content-Type", TRUNCATED_HEADER, LIMIT_HEADER],
    )
    errors.install(app)
    # The pages first: each matches only a request that wants HTML (api/web/html.py).
    app.include_router(pages.router)
    app.include_router(pages.pages_only)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.include_router(health.router)
    app.include_router(sparql.router)
    app.include_router(claims.router)
    app.include_router(downloads.router)
    app.include_router(entities.router)
    app.include_router(evidence.router)
    app.include_router(paths.router)
    app.include_router(queries.router)
    app.include_router(suggest.router)
    return app
