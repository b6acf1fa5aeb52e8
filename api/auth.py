"""Curator tokens: ``Authorization: Bearer <token>``, compared in constant time.

Write routes take :data:`CuratorDep` and read their bodies only after it has
run (:mod:`api.body`), so a request without a valid token is refused before any
byte of its body is read. The offered token and each known token are compared as
SHA-256 digests with :func:`hmac.compare_digest`, every known token each time:
the time taken says nothing about how much of a token matched, nor its length.
Tokens are compared as bytes: a configured token is UTF-8, as a client sends a
token with non-ASCII characters. ``Authorization`` given twice is a 400 (which
one a proxy in front checked is unknown).
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Annotated

from fastapi import Depends, Request

from gbkg.api.deps import SettingsDep
from gbkg.api.errors import HTTPProblem

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="gbkg curators"'}


def current_curator(request: Request, settings: SettingsDep) -> str:
    """The curator's name for the request's bearer token; 401 otherwise."""
    given = request.headers.getlist("authorization")
    if len(given) > 1:
        # Which one counts is not defined (a proxy in front may check the other).
        raise HTTPProblem(
            400,
            "Bad request",
            f"the Authorization header is given {len(given)} times: send it once",
        )
    # Starlette decodes header bytes as Latin-1: encoding back gives the bytes as sent,
    # which a client sends as UTF-8 for a token with non-ASCII characters.
    scheme, _, token = (given[0] if given else "").encode("latin-1").partition(b" ")
    token = token.strip(b" \t")
    if scheme.lower() != b"bearer" or not token:
        raise HTTPProblem(
            401,
            "Unauthorized",
            "this route needs a curator token: Authorization: Bearer <token>",
            headers=CHALLENGE,
        )
    offered = hashlib.sha256(token).digest()
    name = None
    for known, curator in settings.curators().items():
        if hmac.compare_digest(offered, _digest(known)):
            name = curator
    if name is None:
        raise HTTPProblem(401, "Unauthorized", "the curator token is not valid", headers=CHALLENGE)
    return name


def _digest(token: str) -> bytes:
    """A configured token's digest: its UTF-8 bytes, as a client sends them."""
    return hashlib.sha256(token.encode("utf-8")).digest()


CuratorDep = Annotated[str, Depends(current_curator)]
