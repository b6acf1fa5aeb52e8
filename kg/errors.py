"""The project's exception tree.

Foreign errors (rdflib, pyshacl, pyoxigraph, pydantic) are translated into these at
the boundary where they occur; ``api/errors.py`` maps each class to one HTTP status
and an ``application/problem+json`` body, and the CLI prints ``str(error)`` and exits
non-zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from gbkg.kg.violations import Violation


class KGError(Exception):
    """Base of every error this project raises on purpose."""

    title = "Knowledge graph error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details


class InputError(KGError):
    """The caller sent something malformed: bad JSON or RDF, a bad parameter."""

    title = "Bad request"


class ParseError(InputError):
    """RDF or JSON that cannot be parsed; ``details`` says where when known."""

    title = "Unparseable input"


class TooLargeError(InputError):
    """Input past a size limit: a body's bytes, or the triples of a one-claim body."""

    title = "Payload too large"


class ParameterError(InputError):
    """A query or route parameter is missing or has the wrong form."""

    title = "Bad parameter"


class CurieError(InputError, ValueError):
    """A CURIE with an unknown prefix, or an IRI that is not absolute."""

    title = "Unknown identifier"


class QueryError(InputError):
    """A SPARQL query that is malformed or asks for what the endpoint refuses."""

    title = "Bad SPARQL query"


class ForbiddenQueryError(QueryError):
    """An update, SERVICE, LOAD or a remote FROM sent to the read-only endpoint."""

    title = "Operation not allowed on the query endpoint"


class QueryEngineError(QueryError):
    """The query engine died evaluating the query (a crash, not a limit): the query
    is refused and the worker that ran it is replaced."""

    title = "Query could not be evaluated"


class QueryLimitError(KGError):
    """A query went past a resource limit of the service (time, memory, answer size)."""

    title = "Query went past a limit"


class QueryTimeoutError(QueryLimitError):
    """The query ran past ``GBKG_QUERY_TIMEOUT_S``."""

    title = "Query timed out"


class QueryMemoryError(QueryLimitError):
    """The query needed more memory than ``GBKG_QUERY_MEMORY_MB``."""

    title = "Query went past the memory limit"


class QueryOverloadError(KGError):
    """Too many queries are waiting (from this client, or in all); ``retry_after`` is in
    seconds."""

    title = "Too many queries"

    def __init__(self, message: str, *, retry_after: int, **details: Any) -> None:
        super().__init__(message, **details)
        self.retry_after = retry_after


class NotFoundError(KGError):
    """No claim, entity or named query with that identifier."""

    title = "Not found"


class ConflictError(KGError):
    """The request contradicts the stored state (e.g. retracting a retracted claim)."""

    title = "Conflict"


class ValidationFailed(KGError):
    """SHACL found violations; ``violations`` lists them.

    A form error (a malformed field) carries ``partial``: the claim without its
    malformed fields, when what is left is a claim, so that the shapes can be run on
    it and one 422 lists both (:meth:`kg.curation.ClaimService.form_and_shape_errors`).
    """

    title = "Claim does not conform to the shapes"

    def __init__(
        self, message: str, violations: Sequence[Violation], *, partial: object | None = None
    ) -> None:
        super().__init__(message)
        self.violations = list(violations)
        self.partial = partial


class StoreError(KGError):
    """The store could not be opened, read or written (locked, corrupt, unreachable)."""

    title = "Store unavailable"


class StoreLockedError(StoreError):
    """Another process (a running ``gbkg serve``) holds the on-disk store's write lock."""

    title = "Store in use by another process"


class SettingsError(KGError):
    """A ``GBKG_*`` setting has a value of the wrong form; the message names each one."""

    title = "Bad setting"
