"""A fresh clone without ``../shared``: the cases that need it skip, and say how to
point the suite at a copy (``GBKG_SHARED``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from shared_folder import REPO


@pytest.mark.parametrize("module", ["tests/test_sparql_conformance.py", "tests/test_curated.py"])
def test_without_the_shared_folder_every_skip_names_gbkg_shared(
    module: str, tmp_path: Path
) -> None:
    env = {**os.environ, "GBKG_SHARED": str(tmp_path / "no-shared-here")}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", module],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    skips = [line for line in done.stdout.splitlines() if line.startswith("SKIPPED")]
    assert done.returncode == 0, done.stdout[-3000:]
    assert skips, done.stdout[-3000:]
    assert all("GBKG_SHARED" in line and "no-shared-here" in line for line in skips), skips
