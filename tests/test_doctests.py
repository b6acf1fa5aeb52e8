"""The examples in the package's docstrings run, as part of the suite (and so in CI).

Each module of ``gbkg`` (``gbkg.kg``, ``gbkg.api`` ... through their links) is
imported by its package name and its docstring examples run with :mod:`doctest`,
as ``pytest --doctest-modules`` would; collecting them from the files' paths
instead would import ``kg/`` a second time as a top-level package.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil
from types import ModuleType

import pytest

import gbkg


def _modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.walk_packages(gbkg.__path__, prefix="gbkg.")
        if not info.name.endswith("__main__")
    )


def _examples(module: ModuleType) -> list[doctest.DocTest]:
    finder = doctest.DocTestFinder(exclude_empty=True)
    return [test for test in finder.find(module) if test.examples]


WITH_EXAMPLES = [name for name in _modules() if _examples(importlib.import_module(name))]


def test_the_package_has_examples() -> None:
    assert {"gbkg.kg.store", "gbkg.kg.ids", "gbkg.kg.sparql_errors"} <= set(WITH_EXAMPLES)


@pytest.mark.parametrize("name", WITH_EXAMPLES)
def test_docstring_examples(name: str) -> None:
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    failures: list[str] = []
    for test in _examples(importlib.import_module(name)):
        result = runner.run(test, out=failures.append)
        assert result.attempted > 0
    assert runner.failures == 0, "".join(failures)
