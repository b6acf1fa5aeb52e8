"""A SPARQL 1.1 Protocol client (query, update, Graph Store) over httpx.

What :class:`~kg.remote_store.RemoteStore` sends to an external triplestore goes
through :class:`ProtocolClient`, which knows the few things servers do
differently (:class:`Dialect`), measured here against ``oxigraph serve`` 0.5 and
Virtuoso 7.2:

- **Where things are.** Oxigraph: ``/query``, ``/update``, ``/store`` (Graph Store
  Protocol, whole datasets in N-Quads or TriG). Virtuoso: ``/sparql`` for both
  query and update, ``/sparql-auth`` with HTTP digest authentication for updates.
  ``GBKG_STORE`` names the query endpoint; ``GBKG_UPDATE_URL`` the update endpoint
  when it differs (default: derived per dialect).
- **The default graph.** Oxigraph answers from its real default graph unless asked
  for the union of all graphs (``union-default-graph``); Virtuoso's default graph is
  already the union of all graphs.
- **Time limit.** Virtuoso takes a per-request ``timeout`` (ms) and then returns a
  *partial* answer marked ``X-SQL-State: S1TAT``; without it, its
  ``MaxQueryExecutionTime`` gives a 500 ``S1T00``. ``oxigraph serve --timeout-s``
  cancels a query between results and ends the 200 response early with "The SPARQL
  operation has been cancelled". All three are a :class:`~kg.errors.QueryTimeoutError`
  here, never a (partial) answer. The client's own timeout is the limit plus
  :data:`CLIENT_MARGIN_S`.
- **Result cap.** Virtuoso takes ``maxrows`` and marks a capped answer with
  ``X-SPARQL-MaxRows``; a capped answer is reported as :attr:`Answer.capped`.

Errors: a 400 is the query's fault (:class:`~kg.errors.QueryError`, with the
server's message); anything else that fails (connection refused, 5xx, bad
credentials) is a :class:`~kg.errors.StoreError` naming the server.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pyoxigraph as ox

from gbkg.kg.errors import QueryError, QueryTimeoutError, StoreError

#: Seconds the client waits beyond the server's own time limit before giving up.
CLIENT_MARGIN_S = 2.0
RESULTS_JSON = "application/sparql-results+json"
N_TRIPLES = "application/n-triples"
N_QUADS = "application/n-quads"
CANCELLED = b"has been cancelled"
ASK_VARIABLE = "__ASK_RETVAL"


class Dialect(StrEnum):
    """The kind of triplestore behind ``GBKG_STORE``."""

    OXIGRAPH = "oxigraph"
    VIRTUOSO = "virtuoso"
    GENERIC = "generic"

    @classmethod
    def guess(cls, url: str) -> Dialect:
        """From the URL's path: ``/query`` is Oxigraph's, ``/sparql`` Virtuoso's."""
        path = urlsplit(url).path.rstrip("/")
        if path.endswith("/query"):
            return cls.OXIGRAPH
        if path.endswith(("/sparql", "/sparql-auth")):
            return cls.VIRTUOSO
        return cls.GENERIC


class AuthScheme(StrEnum):
    BASIC = "basic"
    DIGEST = "digest"


@dataclass(frozen=True)
class Endpoint:
    """Where the triplestore answers, and how to authenticate."""

    query_url: str
    update_url: str
    dialect: Dialect
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    auth_scheme: AuthScheme = AuthScheme.DIGEST

    @classmethod
    def from_settings(
        cls,
        query_url: str,
        *,
        update_url: str | None = None,
        dialect: str | None = None,
        user: str | None = None,
        password: str | None = None,
        auth_scheme: str = "digest",
    ) -> Endpoint:
        kind = Dialect(dialect) if dialect else Dialect.guess(query_url)
        return cls(
            query_url=query_url,
            update_url=update_url or _default_update_url(query_url, kind),
            dialect=kind,
            user=user or None,
            password=password or None,
            auth_scheme=AuthScheme(auth_scheme),
        )

    @property
    def store_url(self) -> str | None:
        """Oxigraph's Graph Store endpoint for whole datasets."""
        if self.dialect is Dialect.OXIGRAPH:
            return _replace_path(self.query_url, "/query", "/store")
        return None

    def auth(self) -> httpx.Auth | None:
        if self.user is None:
            return None
        if self.auth_scheme is AuthScheme.BASIC:
            return httpx.BasicAuth(self.user, self.password or "")
        return httpx.DigestAuth(self.user, self.password or "")


def _replace_path(url: str, old: str, new: str) -> str:
    parts = urlsplit(url)
    path = parts.path.rstrip("/")
    path = path[: -len(old)] + new if path.endswith(old) else path + new
    return urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


def _default_update_url(query_url: str, dialect: Dialect) -> str:
    if dialect is Dialect.OXIGRAPH:
        return _replace_path(query_url, "/query", "/update")
    if dialect is Dialect.VIRTUOSO and not query_url.rstrip("/").endswith("-auth"):
        return _replace_path(query_url, "/sparql", "/sparql-auth")
    return query_url


@dataclass
class Answer:
    """A query's response, read as it streams."""

    response: httpx.Response
    #: The server capped the rows (Virtuoso's ``maxrows`` / ``ResultSetMaxRows``).
    capped: bool = False


class ProtocolClient:
    """Query and update one triplestore; thread-safe (one httpx connection pool)."""

    def __init__(self, endpoint: Endpoint, *, timeout_s: float) -> None:
        self.endpoint = endpoint
        self.timeout_s = timeout_s
        self._http = httpx.Client(
            auth=endpoint.auth(),
            timeout=httpx.Timeout(timeout_s + CLIENT_MARGIN_S, connect=5.0),
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
            trust_env=False,
        )

    def close(self) -> None:
        self._http.close()

    # Queries -----------------------------------------------------------------------

    def query_params(
        self,
        *,
        union_default_graph: bool,
        default_graph: Sequence[str] | None,
        named_graphs: Sequence[str] | None,
        timeout_s: float | None,
        max_rows: int | None,
    ) -> list[tuple[str, str]]:
        params: list[tuple[str, str]] = []
        params += [("default-graph-uri", g) for g in default_graph or ()]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        dialect = self.endpoint.dialect
        if dialect is Dialect.OXIGRAPH and union_default_graph and default_graph is None:
            params.append(("union-default-graph", ""))
        if dialect is Dialect.VIRTUOSO:
            limit = timeout_s if timeout_s is not None else self.timeout_s
            params.append(("timeout", str(max(1, int(limit * 1000)))))
            if max_rows is not None:
                params.append(("maxrows", str(max_rows)))
        return params

    @contextlib.contextmanager
    def query(
        self,
        text: str,
        *,
        accept: str = RESULTS_JSON,
        union_default_graph: bool = True,
        default_graph: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        timeout_s: float | None = None,
        max_rows: int | None = None,
    ) -> Iterator[Answer]:
        """POST ``text`` to the query endpoint; the answer streams inside the block."""
        params = self.query_params(
            union_default_graph=union_default_graph,
            default_graph=default_graph,
            named_graphs=named_graphs,
            timeout_s=timeout_s,
            max_rows=max_rows,
        )
        limit = (timeout_s if timeout_s is not None else self.timeout_s) + CLIENT_MARGIN_S
        request = self._http.build_request(
            "POST",
            self.endpoint.query_url,
            data={"query": text, **_multi(params)},
            headers={"Accept": accept},
            timeout=httpx.Timeout(limit, connect=5.0),
        )
        try:
            response = self._http.send(request, stream=True)
        except httpx.TimeoutException as error:
            raise self._timeout(timeout_s) from error
        except httpx.HTTPError as error:
            raise self._unreachable(error) from error
        try:
            self._check(response, timeout_s)
            if response.headers.get("x-sql-state") == "S1TAT":
                raise self._timeout(timeout_s)
            yield Answer(response, capped="x-sparql-maxrows" in response.headers)
        except httpx.TimeoutException as error:
            raise self._timeout(timeout_s) from error
        except httpx.HTTPError as error:
            raise self._unreachable(error) from error
        finally:
            response.close()

    def solutions(self, text: str, **options: Any) -> ox.QuerySolutions | ox.QueryBoolean:
        """A SELECT or ASK answer, parsed by pyoxigraph (read whole, then parsed)."""
        with self.query(text, **options) as answer:
            body = answer.response.read()
        return self.parse_results(body, options.get("timeout_s"))

    def parse_results(
        self, body: bytes | IO[bytes], timeout_s: float | None
    ) -> ox.QuerySolutions | ox.QueryBoolean:
        if isinstance(body, bytes) and CANCELLED in body[-200:]:
            # oxigraph serve's --timeout-s ends a 200 answer with this message; the
            # rows are parsed lazily, so it must be caught before they are read.
            raise self._timeout(timeout_s)
        try:
            parsed = ox.parse_query_results(body, format=ox.QueryResultsFormat.JSON)
        except SyntaxError as error:
            raise self._broken(body, timeout_s, error) from error
        if isinstance(parsed, ox.QuerySolutions) and [v.value for v in parsed.variables] == [
            ASK_VARIABLE
        ]:
            # Virtuoso answers a false ASK as a SELECT of __ASK_RETVAL with no rows
            # (a true one as a boolean, or one row of 1).
            row = next(iter(parsed), None)
            value = row is not None and row[0] is not None and row[0].value in ("1", "true")
            return ox.parse_query_results(
                b'{"head":{},"boolean":%s}' % (b"true" if value else b"false"),
                format=ox.QueryResultsFormat.JSON,
            )
        return parsed

    def triples(self, text: str, **options: Any) -> list[ox.Triple]:
        """A CONSTRUCT or DESCRIBE answer as triples."""
        with self.query(text, accept=N_TRIPLES, **options) as answer:
            body = answer.response.read()
        try:
            return list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
        except SyntaxError as error:
            raise self._broken(body, options.get("timeout_s"), error) from error

    # Writes ------------------------------------------------------------------------

    def update(self, text: str, *, timeout_s: float | None = None) -> None:
        """POST one SPARQL update request."""
        limit = (timeout_s or self.timeout_s) + CLIENT_MARGIN_S
        try:
            response = self._http.post(
                self.endpoint.update_url,
                data={"update": text},
                timeout=httpx.Timeout(limit, connect=5.0),
            )
        except httpx.HTTPError as error:
            raise self._unreachable(error, action="write to") from error
        if response.status_code >= 400:
            raise StoreError(
                f"the triplestore at {self.endpoint.update_url} refused the write "
                f"(HTTP {response.status_code}): {_message(response)}"
            )

    def post_dataset(self, data: bytes | IO[bytes], *, media_type: str) -> None:
        """Add a whole dataset through the Graph Store Protocol (Oxigraph's ``/store``)."""
        url = self.endpoint.store_url
        if url is None:
            raise StoreError(f"{self.endpoint.dialect} has no dataset Graph Store endpoint")
        try:
            response = self._http.post(
                url, content=data, headers={"Content-Type": media_type}, timeout=None
            )
        except httpx.HTTPError as error:
            raise self._unreachable(error, action="load into") from error
        if response.status_code == 400:
            raise StoreError(f"the data does not parse: {_message(response)}")
        if response.status_code >= 400:
            raise StoreError(
                f"the triplestore at {url} refused the load "
                f"(HTTP {response.status_code}): {_message(response)}"
            )

    @contextlib.contextmanager
    def get_dataset(self) -> Iterator[httpx.Response]:
        """Every quad (Oxigraph's ``/store``, N-Quads), streaming."""
        url = self.endpoint.store_url
        if url is None:
            raise StoreError(f"{self.endpoint.dialect} has no dataset Graph Store endpoint")
        try:
            with self._http.stream(
                "GET", url, headers={"Accept": N_QUADS}, timeout=None
            ) as response:
                if response.status_code >= 400:
                    response.read()
                    raise StoreError(
                        f"the triplestore at {url} refused the export "
                        f"(HTTP {response.status_code}): {_message(response)}"
                    )
                yield response
        except httpx.HTTPError as error:
            raise self._unreachable(error, action="read from") from error

    # Errors ------------------------------------------------------------------------

    def _check(self, response: httpx.Response, timeout_s: float | None) -> None:
        if response.status_code < 400:
            return
        response.read()
        message = _message(response)
        if response.status_code == 400:
            raise QueryError(f"the SPARQL query was refused by the triplestore: {message}")
        if "S1T00" in message or "timed out" in message.lower():
            raise self._timeout(timeout_s)
        if response.status_code in (401, 403):
            raise StoreError(
                f"the triplestore at {self.endpoint.query_url} refused the credentials "
                "(GBKG_STORE_USER / GBKG_STORE_PASSWORD)"
            )
        raise StoreError(
            f"the triplestore at {self.endpoint.query_url} failed "
            f"(HTTP {response.status_code}): {message}"
        )

    def _broken(
        self, body: bytes | IO[bytes], timeout_s: float | None, error: Exception
    ) -> Exception:
        text = body if isinstance(body, bytes) else b""
        if CANCELLED in text[-200:]:
            return self._timeout(timeout_s)
        return StoreError(f"the triplestore sent an answer that does not parse: {error}")

    def _timeout(self, timeout_s: float | None) -> QueryTimeoutError:
        limit = timeout_s if timeout_s is not None else self.timeout_s
        return QueryTimeoutError(
            f"the query ran longer than the {limit:g} s limit (GBKG_QUERY_TIMEOUT_S); "
            "narrow it with more specific patterns or a LIMIT",
            timeout_s=limit,
        )

    def _unreachable(self, error: Exception, *, action: str = "query") -> StoreError:
        return StoreError(
            f"could not {action} the triplestore at {self.endpoint.query_url}: {error}"
        )


def _multi(params: list[tuple[str, str]]) -> Mapping[str, str | list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in params:
        grouped.setdefault(key, []).append(value)
    return {k: v[0] if len(v) == 1 else v for k, v in grouped.items()}


def _message(response: httpx.Response) -> str:
    text = response.text.strip()
    first = text.split("\n\nSPARQL query:")[0]
    return " ".join(first.split())[:500] or response.reason_phrase
