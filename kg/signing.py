"""Signed exports: what ``gbkg load --trusted`` stores without checking each claim.

``gbkg export --signature FILE.sig`` computes an HMAC-SHA256 of the bytes it writes
with the operator's key (``GBKG_SIGNING_KEY``) and saves it beside the export.
``gbkg load --trusted FILE`` recomputes it over the file with the same key and
bulk-loads the file at the engine's speed only if it matches: the file is then
byte for byte what this service exported, and its claims passed the shapes when
they were first written. Without the key, or with another signature, the file is
refused (the ordinary ``gbkg load`` validates every claim). See
``docs/security.md``, "Trusted loads".

>>> signer = Signer(b"key")
>>> signer.update(b"<a> <b> <c> .\\n")
>>> line = signer.line()
>>> line.startswith("hmac-sha256 ")
True
>>> check_line(line, b"key", [b"<a> <b> <c> .\\n"], what="x")
>>> check_line(line, b"other key", [b"<a> <b> <c> .\\n"], what="x")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
gbkg.kg.errors.InputError: x: the signature does not match this file and key ...
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable
from pathlib import Path
from typing import IO

from gbkg.kg.errors import InputError

ALGORITHM = "hmac-sha256"
CHUNK = 1 << 20


class Signer:
    """An HMAC-SHA256 of bytes written through it (:meth:`wrap` a stream)."""

    def __init__(self, key: bytes) -> None:
        if not key:
            raise InputError("set GBKG_SIGNING_KEY to sign or to load trusted files")
        self._mac = hmac.new(key, digestmod=hashlib.sha256)

    def update(self, data: bytes) -> None:
        self._mac.update(data)

    def line(self) -> str:
        return f"{ALGORITHM} {self._mac.hexdigest()}\n"

    def wrap(self, out: IO[bytes]) -> _SigningWriter:
        return _SigningWriter(out, self)


class _SigningWriter:
    def __init__(self, out: IO[bytes], signer: Signer) -> None:
        self.out, self.signer = out, signer

    def write(self, data: bytes) -> int:
        self.signer.update(data)
        return self.out.write(data)

    def flush(self) -> None:
        self.out.flush()


def signature_path(path: Path) -> Path:
    """Where the signature of ``path`` is looked for: ``path`` + ``.sig``."""
    return path.with_name(path.name + ".sig")


def check_line(line: str, key: bytes, chunks: Iterable[bytes], *, what: str) -> None:
    """Raise :class:`InputError` unless ``line`` signs ``chunks`` with ``key``."""
    algorithm, _, expected = line.strip().partition(" ")
    if algorithm != ALGORITHM or not expected:
        raise InputError(f"{what}: the signature is not '{ALGORITHM} <hex>'")
    signer = Signer(key)
    for chunk in chunks:
        signer.update(chunk)
    if not hmac.compare_digest(signer.line().strip(), line.strip()):
        raise InputError(
            f"{what}: the signature does not match this file and key (not an export of "
            "this service, changed since, or signed with another key)"
        )


def verify_file(path: Path, key: bytes, signature: Path | None = None) -> None:
    """Check ``path`` against its signature file (default :func:`signature_path`)."""
    signature = signature or signature_path(path)
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    if not signature.is_file():
        raise InputError(
            f"{path}: no signature at {signature}; a trusted load needs a file exported "
            "with `gbkg export --signature` (or load it without --trusted: every claim "
            "is then validated)"
        )
    with open(path, "rb") as file:
        check_line(
            signature.read_text(encoding="utf-8", errors="replace"),
            key,
            iter(lambda: file.read(CHUNK), b""),
            what=str(path),
        )
