"""A query worker: a process that evaluates SPARQL queries for the server, one at a time.

Started by :mod:`kg.query_pool` as ``python -m gbkg.kg.query_worker --store PATH
--memory-mb N``, it talks over its standard input and output
(:mod:`kg.query_protocol`); whatever it prints goes to its standard error.

Start-up, in this order:

1. open the store read-only (``pyoxigraph.Store.read_only``);
2. start the evaluation thread, with a stack of :data:`EVALUATION_STACK_MB` (Oxigraph
   recurses once per nesting level of a query: on the 8 MB of a main thread about
   2,200 ``{`` crash the process; with 512 MB no query within
   ``GBKG_QUERY_MAX_BYTES`` can, measured in ``docs/security.md``);
3. install the sandbox (:mod:`kg.query_sandbox`): no sockets, then the memory
   ceiling (``RLIMIT_AS`` = the size now + ``GBKG_QUERY_MEMORY_MB``);
4. announce itself (:class:`~kg.query_protocol.Ready`) and serve requests until
   its input closes.

If the sandbox cannot be installed the worker prints why and exits with status
:data:`EXIT_NO_SANDBOX` without evaluating anything.

Freshness. A read-only RocksDB instance sees the store as it was when it was
opened. Each request carries the server's write generation
(:attr:`kg.store.OxigraphStore.generation`); when it moved since the store was
opened, the store is reopened before the query, so a write is visible to the
next query after it returns. Opening read-only beside the server's writer is
what the RocksDB documentation calls undefined behaviour; what actually happens
is that the read-only instance reads the files listed when it opened, and the
writer's compactions may delete some of them afterwards: a read then fails with
an I/O error ("No such file or directory", reported by pyoxigraph as
``OSError`` or as a ``RuntimeError`` "Corruption: IO error"); an open can fail the
same way when the writer replaces its MANIFEST meanwhile. The worker then
reopens the store and runs the query again (at most :data:`RETRIES` times).

Nothing here imports rdflib until a query mentions ``SERVICE`` or ``FROM``
(:func:`kg.sparql_analysis.inspect_query`), so a worker starts in about a tenth
of a second.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import time
import traceback
from collections.abc import Callable
from typing import IO

from gbkg.kg import errors
from gbkg.kg.query_protocol import (
    Failure,
    Ready,
    Request,
    Success,
    decode_request,
    encode_reply,
    read_frame,
    write_frame,
)
from gbkg.kg.query_sandbox import SandboxError, forbid_network, limit_memory
from gbkg.kg.sparql import EVALUATION_STACK_MB, QueryJob, QueryOutput, answer
from gbkg.kg.sparql_analysis import mentions_service
from gbkg.kg.store import OxigraphStore

#: Exit status of a worker that could not install its sandbox.
EXIT_NO_SANDBOX = 3
PR_SET_PDEATHSIG = 1

#: What a failure of the store looks like (see the module docstring): translated
#: by kg.sparql, or raw from opening it (pyoxigraph: OSError, or RuntimeError
#: "Corruption: IO error ..."). Errors of the query itself are QueryErrors.
STORE_FAILURES = (errors.StoreError, OSError, RuntimeError)
#: Reopen-and-retry rounds after such a failure, and the pause before each.
RETRIES = 2
RETRY_PAUSE_S = 0.01


class Worker:
    """The store (reopened when the server has written since) and the request loop."""

    def __init__(self, path: str, inbox: IO[bytes], outbox: IO[bytes]) -> None:
        self.path = path
        self.inbox = inbox
        self.outbox = outbox
        self.generation = -1
        self.store: OxigraphStore | None = None

    def open(self, generation: int) -> OxigraphStore:
        """The store as of ``generation`` (reopened when it moved)."""
        if self.store is None or generation != self.generation:
            self.store = None  # close the old instance before opening a new one
            self.generation = generation
            self.store = OxigraphStore(self.path, read_only=True)
        return self.store

    def reopen(self) -> OxigraphStore:
        self.store = None
        store = self.store = OxigraphStore(self.path, read_only=True)
        return store

    def evaluate(self, request: Request) -> QueryOutput:
        """Open (or reopen) the store and answer; on an I/O failure, reopen and retry."""
        for attempt in range(1 + RETRIES):
            try:
                store = self.open(request.generation) if attempt == 0 else self.reopen()
                return answer(
                    store,
                    request.job,
                    max_results=request.max_results,
                    max_bytes=request.max_bytes,
                )
            except STORE_FAILURES as error:
                if _network_refused(error, request.job):
                    raise NetworkRefused from error
                if attempt == RETRIES:
                    raise
                time.sleep(RETRY_PAUSE_S)
        raise AssertionError("unreachable")

    def serve(self) -> None:
        """Answer requests until the server closes the pipe."""
        while (payload := read_frame(self.inbox)) is not None:
            request = decode_request(payload)
            try:
                output = self.evaluate(request)
            except BaseException as error:  # every failure is answered, never fatal
                self.reply_failure(error)
                continue
            write_frame(
                self.outbox,
                encode_reply(Success(output.form, output.count, output.truncated)),
            )
            write_frame(self.outbox, output.body)
            self.outbox.flush()

    def reply_failure(self, error: BaseException) -> None:
        failure = _failure(error)
        traceback.clear_frames(error.__traceback__)
        write_frame(self.outbox, encode_reply(failure))
        self.outbox.flush()


class NetworkRefused(Exception):
    """The sandbox refused the query engine a socket: a SERVICE got past the pre-check."""


def _network_refused(error: BaseException, job: QueryJob) -> bool:
    """Whether ``error`` is the sandbox's refusal (``EACCES`` on ``socket()``): a
    permission error from a query that can call a service. Reading the store never
    needs a permission the worker lacks: it opened the store before the sandbox."""
    cause = error if isinstance(error, PermissionError) else error.__cause__
    return isinstance(cause, PermissionError) and mentions_service(job.text)


def _failure(error: BaseException) -> Failure:
    if isinstance(error, NetworkRefused):
        return Failure(
            "ForbiddenQueryError",
            "federated queries (SERVICE) are not allowed: the endpoint never contacts "
            "other services (the query engine was refused the network)",
            {},
        )
    if isinstance(error, MemoryError):
        return Failure("QueryMemoryError", "", {})
    if isinstance(error, errors.KGError):
        details = {k: v for k, v in error.details.items() if _plain(v)}
        return Failure(type(error).__name__, error.message, details)
    if isinstance(error, STORE_FAILURES):
        return Failure("StoreError", f"the store could not answer: {error}", {})
    return Failure("StoreError", f"the query worker failed: {type(error).__name__}: {error}", {})


def _plain(value: object) -> bool:
    if isinstance(value, list | tuple):
        return all(_plain(v) for v in value)
    return value is None or isinstance(value, str | int | float | bool)


def _die_with_parent(parent: int) -> None:
    """Get SIGKILL when the server process ends, however it ends."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl.argtypes = [ctypes.c_int] + [ctypes.c_ulong] * 4
    libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


def _run_on_big_stack(target: Callable[[], None], stack_mb: int) -> None:
    threading.stack_size(stack_mb * 1024 * 1024)
    thread = threading.Thread(target=target, name="gbkg-query-evaluation")
    thread.start()
    thread.join()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gbkg.kg.query_worker")
    parser.add_argument("--store", required=True)
    parser.add_argument("--memory-mb", type=int, required=True)
    parser.add_argument("--parent", type=int, required=True)
    parser.add_argument("--generation", type=int, default=0)
    parser.add_argument("--stack-mb", type=int, default=EVALUATION_STACK_MB)
    args = parser.parse_args(argv)
    _die_with_parent(args.parent)
    # The protocol owns the original standard output; stray prints go to stderr.
    outbox = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    inbox = sys.stdin.buffer
    worker = Worker(args.store, inbox, outbox)
    status = 0

    def run() -> None:
        nonlocal status
        try:
            worker.open(args.generation)
            forbid_network()
            baseline, limit = limit_memory(args.memory_mb)
        except SandboxError as error:
            message = f"the query sandbox cannot be installed on this machine: {error}"
            print(f"gbkg query worker: refusing to start: {message}", file=sys.stderr, flush=True)
            write_frame(outbox, encode_reply(Failure("StoreError", message, {})))
            outbox.flush()
            status = EXIT_NO_SANDBOX
            return
        except errors.StoreError as error:
            print(f"gbkg query worker: {error}", file=sys.stderr, flush=True)
            status = 1
            return
        write_frame(outbox, encode_reply(Ready(os.getpid(), round(baseline, 1), round(limit, 1))))
        outbox.flush()
        worker.serve()

    _run_on_big_stack(run, args.stack_mb)
    return status


if __name__ == "__main__":
    sys.exit(main())
