"""The examples in the docstrings of ``kg.suggest`` run as written."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import gbkg.kg.suggest as package

MODULES = [f"{package.__name__}.{m.name}" for m in pkgutil.iter_modules(package.__path__)]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert result.failed == 0
