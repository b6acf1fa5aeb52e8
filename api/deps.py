"""Every dependency of the routes, typed: one :class:`Services` per app, and an
``Annotated`` alias for each thing a route receives.

The app factory builds the services once (:meth:`Services.build`) and keeps them on
``app.state.services``, the one attribute of ``app.state`` the service sets; this
module is the only place that reads it. A route declares what it needs
(``claims: ClaimsDep``) and calls it, as bioregistry's routes call their manager: no
route assembles internals. Tests override a dependency with
``app.dependency_overrides``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

import anyio
from fastapi import Depends, Request

from gbkg.kg.analytics import ClaimGraph, ClaimGraphCache
from gbkg.kg.curation import ClaimService
from gbkg.kg.queries import QueryCatalog
from gbkg.kg.query_runner import QueryRunner
from gbkg.kg.settings import Settings
from gbkg.kg.store import Backend
from gbkg.kg.suggest.engine import Suggester


@dataclass(frozen=True)
class Services:
    """What the routes of one app use."""

    settings: Settings
    store: Backend
    #: Claims: read, validate, write, retract.
    claims: ClaimService
    #: Every SPARQL evaluation (``/sparql``, ``/queries/{name}``): limits, fairness, workers.
    query_runner: QueryRunner
    catalog: QueryCatalog
    #: The claim graph of ``/entities``, ``/evidence``, ``/paths``: built on first use,
    #: kept in step with writes.
    claim_graph: ClaimGraphCache
    suggester: Suggester
    #: At most ``GBKG_BODY_WORKERS`` bodies decoded at once, off the event loop.
    body_limiter: anyio.CapacityLimiter

    @classmethod
    def build(cls, settings: Settings, store: Backend) -> Services:
        """The services of an app on ``store``; the claim graph and the suggester follow
        every write of the claim service."""
        claims = ClaimService(store, max_triples=settings.max_claim_triples)
        claim_graph = ClaimGraphCache(store)
        claims.listeners.append(claim_graph.update)
        return cls(
            settings=settings,
            store=store,
            claims=claims,
            query_runner=QueryRunner.from_settings(store, settings),
            catalog=QueryCatalog(),
            claim_graph=claim_graph,
            suggester=Suggester(store, claims),
            body_limiter=anyio.CapacityLimiter(settings.body_workers),
        )


def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_store(services: ServicesDep) -> Backend:
    return services.store


def get_settings(services: ServicesDep) -> Settings:
    return services.settings


def get_claims(services: ServicesDep) -> ClaimService:
    return services.claims


def get_query_runner(services: ServicesDep) -> QueryRunner:
    return services.query_runner


def get_catalog(services: ServicesDep) -> QueryCatalog:
    return services.catalog


def get_claim_graph(services: ServicesDep) -> ClaimGraph:
    """The claim graph, built on first use (the app warms it up at start)."""
    return services.claim_graph.get()


def get_suggester(services: ServicesDep) -> Suggester:
    return services.suggester


def get_body_limiter(services: ServicesDep) -> anyio.CapacityLimiter:
    return services.body_limiter


StoreDep = Annotated[Backend, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ClaimsDep = Annotated[ClaimService, Depends(get_claims)]
QueryRunnerDep = Annotated[QueryRunner, Depends(get_query_runner)]
CatalogDep = Annotated[QueryCatalog, Depends(get_catalog)]
ClaimGraphDep = Annotated[ClaimGraph, Depends(get_claim_graph)]
SuggesterDep = Annotated[Suggester, Depends(get_suggester)]
BodyLimiterDep = Annotated[anyio.CapacityLimiter, Depends(get_body_limiter)]
