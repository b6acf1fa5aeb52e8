"""Curator tokens: ``Authorization: Bearer <token>``, compared in constant time.

Write routes take :data:`CuratorDep` and read their bodies only after it has
run (:mod:`api.body`), so a request without a valid token is refused before any
byte of its body is read. The offered token and each known token are compared as
SHA-256 digests with :func:`hmac.compare_digest`, every known token each time:
the time taken says nothing about how much of a token matched, nor its length.
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
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPProblem(
            401,
            "Unauthorized",
            "this route needs a curator token: Authorization: Bearer <token>",
            headers=CHALLENGE,
        )
    offered = _digest(token.strip())
    name = None
    for known, curator in settings.curators().items():
        if hmac.compare_digest(offered, _digest(known)):
            name = curator
    if name is None:
        raise HTTPProblem(401, "Unauthorized", "the curator token is not valid", headers=CHALLENGE)
    return name


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


CuratorDep = Annotated[str, Depends(current_curator)]
