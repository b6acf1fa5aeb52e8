"""Curator tokens: ``Authorization: Bearer <token>``, compared in constant time."""

from __future__ import annotations

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
    offered = token.strip().encode("utf-8")
    name = None
    # Compare against every token, whatever matches, so timing says nothing.
    for known, curator in settings.curators().items():
        if hmac.compare_digest(offered, known.encode("utf-8")):
            name = curator
    if name is None:
        raise HTTPProblem(401, "Unauthorized", "the curator token is not valid", headers=CHALLENGE)
    return name


CuratorDep = Annotated[str, Depends(current_curator)]
