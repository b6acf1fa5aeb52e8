"""Query-string parameters come once each, unless the route declares a list.

FastAPI binds a repeated single-valued parameter (``?entity=A&entity=B``) to one
of its values and drops the other without a word; routes that read
``request.query_params`` directly (the named queries) would do the same. So
every route runs :func:`single_valued` first (an app-wide dependency): a
parameter given more than once is a 400 naming it, unless the route declares it
as a list (``default-graph-uri`` on ``/sparql``).
"""

from __future__ import annotations

import types
from collections import Counter
from collections.abc import Iterator
from typing import Annotated, Any, Union, get_args, get_origin

from fastapi import Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute

from gbkg.kg.errors import ParameterError

LIST_TYPES = (list, set, frozenset, tuple)


def single_valued(request: Request) -> None:
    """A 400 for any query-string parameter given twice that the route does not declare
    as a list."""
    counts = Counter(name for name, _ in request.query_params.multi_items())
    repeated = [name for name, count in counts.items() if count > 1]
    if not repeated:
        return
    route = request.scope.get("route")
    lists = set(_list_parameters(route.dependant)) if isinstance(route, APIRoute) else set()
    for name in repeated:
        if name not in lists:
            raise ParameterError(
                f"parameter {name!r} was given {counts[name]} times; give it once",
                parameter=name,
            )


def _list_parameters(dependant: Dependant) -> Iterator[str]:
    for field in dependant.query_params:
        if _is_list(field.field_info.annotation):
            yield field.alias
    for sub in dependant.dependencies:
        yield from _list_parameters(sub)


def _is_list(annotation: Any) -> bool:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _is_list(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return any(_is_list(arg) for arg in get_args(annotation))
    return annotation in LIST_TYPES or origin in LIST_TYPES
