"""JSON written by someone else (request bodies), decoded with the limits Python's decoder lacks.

``json.loads`` alone turns hostile JSON into errors no caller expects: nesting
about 1,000 deep raises ``RecursionError``, an integer past 4,300 digits raises
``ValueError``, ``NaN`` and ``Infinity`` (not JSON) are accepted, ``1e999`` becomes
infinity, and ``"\\ud800"`` becomes a string Python cannot encode. :func:`decode_json`
turns each into a :class:`~kg.errors.ParseError` naming what is wrong, and caps the
nesting far below Python's recursion limit, so nothing that walks the decoded value
(pydantic, the JSON-LD reader, error messages) can exhaust it.

>>> decode_json('{"n": 7, "p": 0.01}')
{'n': 7, 'p': 0.01}
>>> decode_json("[NaN]")
Traceback (most recent call last):
...
gbkg.kg.errors.ParseError: the body is not valid JSON: NaN is not a JSON number
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from gbkg.kg.errors import ParseError

#: Deepest nesting of arrays and objects accepted (a claim needs about 4; JSON-LD about 8).
MAX_DEPTH = 64
#: Most digits of a JSON number (counts and years need a handful).
MAX_DIGITS = 100

_SURROGATE = re.compile("[\ud800-\udfff]")


class _Refused(ValueError):
    """Raised from inside the decoder's hooks; becomes a ParseError."""


def decode_json(text: str, *, what: str = "the body") -> Any:
    """The value of the JSON ``text``; :class:`ParseError` for anything JSON does not allow
    or that passes :data:`MAX_DEPTH` or :data:`MAX_DIGITS`."""
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as error:
        raise ParseError(
            f"{what} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}",
            line=error.lineno,
            column=error.colno,
        ) from None
    except RecursionError:
        raise ParseError(_too_deep(what)) from None
    except _Refused as error:
        raise ParseError(f"{what} is not valid JSON: {error}") from None
    _check(value, what)
    return value


def count_values(value: Any) -> int:
    """How many strings, numbers and booleans ``value`` holds (``null`` is not counted).

    >>> count_values({"a": [1, "x", None], "b": {"c": True}})
    3
    """
    count = 0
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif item is not None:
            count += 1
    return count


def _integer(text: str) -> int:
    _check_length(text)
    return int(text)


def _float(text: str) -> float:
    _check_length(text)
    value = float(text)
    if not math.isfinite(value):
        raise _Refused(f"the number {text[:40]} is too large")
    return value


def _check_length(number: str) -> None:
    if len(number.lstrip("-")) > MAX_DIGITS:
        raise _Refused(f"a number is {len(number)} characters long (at most {MAX_DIGITS} digits)")


def _constant(name: str) -> Any:
    raise _Refused(f"{name} is not a JSON number")


def _too_deep(what: str) -> str:
    return f"{what} nests arrays and objects more than {MAX_DEPTH} deep"


def _check(value: Any, what: str) -> None:
    """Nesting within :data:`MAX_DEPTH`, and no lone surrogate in any string or key."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth >= MAX_DEPTH:
                raise ParseError(_too_deep(what))
            if isinstance(item, dict):
                for key, member in item.items():
                    _check_text(key, what)
                    stack.append((member, depth + 1))
            else:
                stack.extend((member, depth + 1) for member in item)
        elif isinstance(item, str):
            _check_text(item, what)


def _check_text(text: str, what: str) -> None:
    match = _SURROGATE.search(text)
    if match is not None:
        raise ParseError(
            f"{what} is not valid JSON: a string holds the lone surrogate "
            f"\\u{ord(match.group()):04x}, which is not a character (UTF-8 cannot encode it)"
        )
