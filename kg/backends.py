"""The store ``GBKG_STORE`` names: the embedded Oxigraph store, or a remote triplestore.

This module knows both backends; each backend module knows only the :class:`Backend`
protocol (``kg.store`` and ``kg.remote_store`` never import each other).
"""

from __future__ import annotations

from pathlib import Path

from gbkg.kg.settings import Settings, get_settings
from gbkg.kg.store import Backend, OxigraphStore


def open_store(
    location: str | Path, *, read_only: bool = False, settings: Settings | None = None
) -> Backend:
    """The backend for ``GBKG_STORE``: a directory opens the embedded store, an
    ``http(s)://`` URL a triplestore over the SPARQL 1.1 Protocol
    (:class:`~kg.remote_store.RemoteStore`, configured by ``settings``)."""
    text = str(location)
    store: Backend
    if text.startswith(("http://", "https://")):
        # Imported here: the embedded store's users (the CLI) do without an HTTP client.
        from gbkg.kg.remote_store import RemoteStore
        from gbkg.kg.sparql_protocol_client import Endpoint

        settings = settings or get_settings()
        endpoint = Endpoint.from_settings(
            text,
            update_url=settings.update_url,
            dialect=settings.store_dialect,
            user=settings.store_user,
            password=settings.store_password.get_secret_value(),
            auth_scheme=settings.store_auth,
        )
        store = RemoteStore(
            endpoint, timeout_s=settings.query_timeout_s, poll_s=settings.change_poll_s
        )
        return store
    store = OxigraphStore(text, read_only=read_only)
    return store
