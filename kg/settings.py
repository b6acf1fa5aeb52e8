"""Settings from the environment (prefix ``GBKG_``), read once by :func:`get_settings`.

A value of the wrong form is a :class:`~kg.errors.SettingsError` whose one-line
message names the variable and what it should be (:func:`read_settings`), never
pydantic's multi-line report: the CLI prints it and exits 2, before it opens a
store or a port.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from gbkg.kg.errors import SettingsError

ENV_PREFIX = "GBKG_"


class Settings(BaseSettings):
    """Where the store is, who may write, and the limits of queries and request bodies."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    store: str = Field(
        default="./data/store",
        description="The embedded Oxigraph store's directory, or an http(s):// SPARQL endpoint.",
    )
    curator_tokens: SecretStr = Field(
        default=SecretStr(""),
        description="Curators allowed to write, as 'name:token,name:token'.",
    )
    signing_key: SecretStr = Field(
        default=SecretStr(""),
        description="Key of signed exports: `gbkg export --signature` signs with it, "
        "`gbkg load --trusted` bulk-loads only files it signed.",
    )
    query_timeout_s: float = Field(default=10.0, gt=0, description="Time limit of one query.")
    max_results: int = Field(
        default=10_000, gt=0, description="Most rows or triples one query returns."
    )
    max_body_bytes: int = Field(
        default=1_000_000,
        gt=0,
        description="Largest request body accepted (413 past it, before or while it is read).",
    )
    body_timeout_s: float = Field(
        default=20.0,
        gt=0,
        description="Time a request's body has to arrive, from the request's start (else 408).",
    )
    max_claim_triples: int = Field(
        default=1_000, gt=0, description="Most triples a one-claim RDF body may hold (else 413)."
    )
    body_workers: int = Field(
        default=2, gt=0, description="Request bodies decoded at once (in worker threads)."
    )
    query_workers: int = Field(
        default=4,
        gt=0,
        description="Queries evaluated at once: the number of query worker processes.",
    )
    query_memory_mb: int = Field(
        default=1024,
        ge=64,
        description="Memory one query may use above its worker's own (MB); past it the "
        "query is stopped with a 503.",
    )
    query_client_limit: int = Field(
        default=2,
        gt=0,
        description="Queries one client (peer address) may have evaluated at once; its "
        "others wait their turn.",
    )
    query_client_queue: int = Field(
        default=8,
        ge=0,
        description="Queries one client may have waiting; past it the client gets 429.",
    )
    query_queue: int = Field(
        default=64,
        ge=0,
        description="Queries waiting from all clients together; past it, 429.",
    )
    query_max_bytes: int = Field(
        default=131_072,
        gt=0,
        description="Longest SPARQL query text accepted (UTF-8 bytes).",
    )
    query_max_answer_mb: int = Field(
        default=64,
        gt=0,
        description="Longest answer of one query, serialized (MB); past it, 503.",
    )
    query_isolation: bool = Field(
        default=True,
        description="Evaluate /sparql and /queries in sandboxed worker processes. Turn it off "
        "only to measure what isolation costs (bench/query_isolation.py): queries then run "
        "in threads of the server, with no network sandbox, memory limit or stop.",
    )
    update_url: str | None = Field(
        default=None,
        description="The SPARQL update endpoint of a remote store, when it is not derived "
        "from GBKG_STORE (Oxigraph: /update, Virtuoso: /sparql-auth).",
    )
    store_dialect: str | None = Field(
        default=None,
        description="The remote store's kind: oxigraph, virtuoso or generic "
        "(default: guessed from the URL path).",
    )
    store_user: str | None = Field(default=None, description="User of a remote store.")
    store_password: SecretStr = Field(
        default=SecretStr(""), description="Password of GBKG_STORE_USER."
    )
    store_auth: str = Field(
        default="digest", description="HTTP authentication of a remote store: digest or basic."
    )
    change_poll_s: float = Field(
        default=2.0,
        gt=0,
        description="Seconds between polls of a remote store's change log (how stale another "
        "process's writes may be in /paths and /evidence).",
    )
    load_curated: bool = Field(
        default=True, description="Load the curated claims into an empty store on first use."
    )

    @field_validator("curator_tokens")
    @classmethod
    def _well_formed(cls, value: SecretStr) -> SecretStr:
        for pair in filter(None, (p.strip() for p in value.get_secret_value().split(","))):
            name, sep, token = pair.partition(":")
            if not sep or not name.strip() or not token.strip():
                raise ValueError(
                    "GBKG_CURATOR_TOKENS must be 'name:token' pairs separated by commas"
                )
        return value

    def curators(self) -> dict[str, str]:
        """Token → curator name."""
        pairs = (p.strip() for p in self.curator_tokens.get_secret_value().split(","))
        return {
            token.strip(): name.strip() for name, _, token in (p.partition(":") for p in pairs if p)
        }


def read_settings(**overrides: Any) -> Settings:
    """The settings from the environment, with ``overrides`` (e.g. the CLI's ``--store``).

    >>> read_settings(query_timeout_s="abc")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    gbkg.kg.errors.SettingsError: GBKG_QUERY_TIMEOUT_S='abc': should be a valid number, ...
    """
    try:
        return Settings(**overrides)
    except ValidationError as error:
        raise SettingsError(
            "; ".join(_problem(problem) for problem in error.errors()),
            settings=[ENV_PREFIX + str(p["loc"][0]).upper() for p in error.errors() if p["loc"]],
        ) from None


def _problem(problem: Any) -> str:
    """One of pydantic's errors as ``GBKG_NAME='value': what it should be``; secrets
    are named, never shown."""
    field = str(problem["loc"][0]) if problem["loc"] else ""
    name = ENV_PREFIX + field.upper()
    message = str(problem["msg"]).removeprefix("Value error, ").removeprefix("Input ")
    if Settings.model_fields.get(field) and Settings.model_fields[field].annotation is SecretStr:
        return f"{name}: {message.replace(name + ' ', '')}"
    return f"{name}={problem['input']!r}: {message}"


@lru_cache
def get_settings() -> Settings:
    return read_settings()
