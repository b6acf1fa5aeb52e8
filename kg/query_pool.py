"""The query worker processes, seen from the server: start, feed, stop at the deadline, replace.

Each :class:`WorkerProcess` is one ``python -m gbkg.kg.query_worker`` process
(started with :class:`subprocess.Popen`, never forked from the server, which has
RocksDB open) and one thread of the server that owns it. The thread takes a
:class:`Task`, sends the request, and waits for the answer until the task's
deadline:

- the answer comes: its bytes are handed to the request as they are;
- the deadline passes: the process gets SIGKILL and is reaped at once, so its
  CPU and memory are released before the request is answered with 503
  (:class:`~kg.errors.QueryTimeoutError`);
- the process dies: SIGSEGV or SIGBUS (the engine crashed on this query) is a
  400 (:class:`~kg.errors.QueryEngineError`); SIGABRT is Rust's answer to a
  failed allocation, i.e. the memory ceiling (:class:`~kg.errors.QueryMemoryError`,
  503); anything else a 503 :class:`~kg.errors.StoreError`.

After a kill or a death a fresh process is started at once; the worker's next
task waits for it. Processes start lazily (on the first task, or by :meth:`WorkerPool.start`)
and die with the server (``PR_SET_PDEATHSIG``, and end of input).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from gbkg.kg.errors import (
    KGError,
    QueryEngineError,
    QueryMemoryError,
    QueryTimeoutError,
    StoreError,
)
from gbkg.kg.query_protocol import (
    HEADER_SIZE,
    Failure,
    ProtocolError,
    Ready,
    Request,
    Success,
    decode_reply,
    encode_request,
    frame_length,
    write_frame,
)
from gbkg.kg.sparql import EVALUATION_STACK_MB, QueryJob, QueryOutput

if TYPE_CHECKING:
    from gbkg.kg.store import Backend

log = logging.getLogger("gbkg.query")

#: How long a new worker may take to open the store and install its sandbox.
START_TIMEOUT_S = 60.0
#: How a worker process is started (tests may start a wrapper of it instead).
WORKER_COMMAND = (sys.executable, "-m", "gbkg.kg.query_worker")
#: A worker's environment, besides the server's. One malloc arena per thread
#: reserves 64-128 MB of address space at a time, which under ``RLIMIT_AS`` made a
#: thread start fail at random (RocksDB: "terminate called after throwing an
#: instance of 'std::system_error'"); two arenas keep the address space steady.
WORKER_ENVIRONMENT = {"MALLOC_ARENA_MAX": "2"}
#: Signals that mean the engine itself crashed on the query.
CRASH_SIGNALS = frozenset({signal.SIGSEGV, signal.SIGBUS, signal.SIGILL, signal.SIGFPE})


@dataclass(eq=False)
class Task:
    """One query handed to a worker, and how to deliver its outcome to the request."""

    job: QueryJob
    deadline: float
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[QueryOutput]
    #: Called once the worker is free again (the admission slot is released there).
    release: Callable[[], None] | None = None

    def settle(self, value: QueryOutput | None, error: BaseException | None) -> None:
        def resolve() -> None:
            if self.future.done():
                return
            if error is not None:
                self.future.set_exception(error)
            else:
                self.future.set_result(value)  # type: ignore[arg-type]

        # RuntimeError: the loop has closed, nobody waits for this answer.
        with contextlib.suppress(RuntimeError):
            self.loop.call_soon_threadsafe(resolve)


#: Commands to a worker's thread besides tasks.
WARM_UP: Final = "warm up"
STOP: Final = "stop"


class _Deadline(Exception):
    """The task's deadline passed while waiting for the worker."""


class _Died(Exception):
    """The worker process ended (its output closed)."""


@dataclass(frozen=True)
class Stopped:
    """How the last process of a worker ended, for the log and the benchmarks."""

    pid: int
    reason: str
    #: From the deadline (or the death) to the process being reaped, in seconds.
    stop_s: float


class WorkerProcess:
    """One worker process and the server thread that owns it."""

    def __init__(self, pool: WorkerPool, number: int) -> None:
        self.pool = pool
        self.number = number
        self.process: subprocess.Popen[bytes] | None = None
        self.ready: Ready | None = None
        self.last_stop: Stopped | None = None
        self._tasks: deque[Task | str] = deque()
        self._wake = threading.Condition()
        self._lock = threading.Lock()
        self._current: Task | None = None
        self._aborted = False
        #: The last start failed: the next task tries again, nothing before it.
        self._start_failed = False
        self._thread = threading.Thread(
            target=self._loop, name=f"gbkg-query-worker-{number}", daemon=True
        )
        self._thread.start()

    @property
    def pid(self) -> int | None:
        process = self.process
        return process.pid if process is not None and process.returncode is None else None

    # Called from other threads ---------------------------------------------------

    def submit(self, task: Task | str) -> None:
        """Queue ``task``, or a command (:data:`WARM_UP`, :data:`STOP`)."""
        with self._wake:
            self._tasks.append(task)
            self._wake.notify()

    def abort(self, task: Task | None) -> None:
        """Stop ``task`` now if this worker is evaluating it (its request went away);
        ``None``: whatever it evaluates (the pool is closing)."""
        with self._lock:
            if self._current is None or (task is not None and self._current is not task):
                return
            if self.process is not None:
                self._aborted = True
                with contextlib.suppress(ProcessLookupError):
                    self.process.kill()

    # The owning thread -----------------------------------------------------------

    def _loop(self) -> None:
        while True:
            with self._wake:
                while not self._tasks:
                    self._wake.wait()
                task = self._tasks.popleft()
            if task == STOP:
                self._stop("the pool closed")
                return
            if task == WARM_UP:
                self._warm_up()
            elif isinstance(task, Task):
                self._serve(task)

    def _warm_up(self) -> None:
        try:
            self._ensure_process(time.monotonic() + START_TIMEOUT_S)
        except KGError as error:
            log.error("query worker %d could not start: %s", self.number, error)

    def _serve(self, task: Task) -> None:
        value: QueryOutput | None = None
        error: BaseException | None = None
        with self._lock:
            self._current = task
            self._aborted = False
        try:
            value = self._evaluate(task)
        except KGError as failure:
            error = failure
        except Exception as failure:  # a bug here must not leave the request hanging
            log.exception("query worker %d failed", self.number)
            error = StoreError(f"the query worker failed: {failure}")
        finally:
            with self._lock:
                self._current = None
        task.settle(value, error)
        self.pool._returned(self, task)
        if self.process is None and not self._start_failed:
            # Start the replacement now; a task given meanwhile waits for it here.
            with contextlib.suppress(KGError):
                self._ensure_process(time.monotonic() + START_TIMEOUT_S)

    def _evaluate(self, task: Task) -> QueryOutput:
        process = self._ensure_process(task.deadline)
        if time.monotonic() >= task.deadline:  # it took all the time to start: keep it
            raise self.pool.timeout_error()
        request = encode_request(
            Request(task.job, self.pool.max_results, self.pool.max_bytes, self.pool.generation())
        )
        try:
            assert process.stdin is not None
            write_frame(process.stdin, request)
            process.stdin.flush()
        except (BrokenPipeError, OSError):
            # It died while idle (killed from outside): start another and try once more.
            self._kill(time.monotonic(), "it had stopped while idle")
            process = self._ensure_process(task.deadline)
            assert process.stdin is not None
            write_frame(process.stdin, request)
            process.stdin.flush()
        try:
            reply = decode_reply(self._read_frame(process, task.deadline))
            if isinstance(reply, Success):
                body = self._read_frame(process, task.deadline, limit=self.pool.max_bytes)
                return QueryOutput(body, task.job.format, reply.form, reply.count, reply.truncated)
        except _Deadline:
            self._kill(task.deadline, "its query ran past the time limit")
            raise self.pool.timeout_error() from None
        except _Died:
            raise self._death_error() from None
        except ProtocolError as broken:
            self._kill(time.monotonic(), f"it broke the protocol: {broken}")
            raise StoreError("the query worker sent a malformed answer") from None
        if isinstance(reply, Failure):
            if reply.error == QueryMemoryError.__name__:
                raise self.pool.memory_error()
            raise reply.exception()
        raise StoreError("the query worker sent an unexpected reply")

    def _ensure_process(self, deadline: float) -> subprocess.Popen[bytes]:
        if self.process is not None and self.process.poll() is None:
            return self.process
        if self.process is not None:
            self._reap("it had stopped while idle")
        self.process = self.pool.spawn()
        self._start_failed = True
        limit = max(deadline, time.monotonic() + START_TIMEOUT_S)
        try:
            reply = decode_reply(self._read_frame(self.process, limit))
        except (_Deadline, _Died, ProtocolError):
            self._kill(time.monotonic(), "it did not start")
            raise StoreError(
                "a query worker could not start (see the server log); queries cannot be "
                "evaluated now"
            ) from None
        if isinstance(reply, Failure):
            self._kill(time.monotonic(), "it refused to start")
            raise reply.exception()
        if not isinstance(reply, Ready):
            self._kill(time.monotonic(), "it sent no ready message")
            raise StoreError("a query worker did not start properly")
        self.ready = reply
        self._start_failed = False
        return self.process

    def _read_frame(
        self, process: subprocess.Popen[bytes], deadline: float, *, limit: int | None = None
    ) -> bytes:
        head = self._read_exact(process, HEADER_SIZE, deadline)
        size = frame_length(head)
        if limit is not None and size > limit:  # the worker checks; never trust a pipe
            raise ProtocolError(f"a frame of {size} bytes is larger than {limit}")
        return self._read_exact(process, size, deadline)

    def _read_exact(self, process: subprocess.Popen[bytes], size: int, deadline: float) -> bytes:
        assert process.stdout is not None
        fd = process.stdout.fileno()
        poller = select.poll()
        poller.register(fd, select.POLLIN | select.POLLHUP | select.POLLERR)
        buffer = bytearray()
        while len(buffer) < size:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not poller.poll(remaining * 1000):
                raise _Deadline
            chunk = os.read(fd, min(size - len(buffer), 1 << 20))
            if not chunk:
                raise _Died
            buffer += chunk
        return bytes(buffer)

    def _kill(self, since: float, reason: str) -> None:
        process = self.process
        if process is None:
            return
        with self._lock, contextlib.suppress(ProcessLookupError):
            process.kill()
        self._reap(reason, since=since)

    def _reap(self, reason: str, *, since: float | None = None) -> int | None:
        """Wait for the process to be gone (its memory released); forget it."""
        process = self.process
        if process is None:
            return None
        started = since if since is not None else time.monotonic()
        status = process.wait()
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()
        with self._lock:
            self.process = None
            self.ready = None
        self.last_stop = Stopped(process.pid, reason, time.monotonic() - started)
        log.warning(
            "query worker %d (pid %d) stopped: %s (status %s, gone %.3f s after)",
            self.number,
            process.pid,
            reason,
            status,
            self.last_stop.stop_s,
        )
        return status

    def _death_error(self) -> KGError:
        aborted = self._aborted
        status = self._reap("it died", since=time.monotonic())
        if aborted:
            return self.pool.timeout_error()
        signal_number = -status if status is not None and status < 0 else None
        if signal_number in CRASH_SIGNALS:
            return QueryEngineError(
                "the query engine could not evaluate this query (it crashed on it); "
                "simplify the query, e.g. nest less deeply"
            )
        if signal_number == signal.SIGABRT:
            return self.pool.memory_error()
        if signal_number == signal.SIGKILL:  # not by this server: the system's OOM killer?
            return StoreError("the query worker was killed from outside; try again")
        return StoreError(f"the query worker stopped unexpectedly (status {status})")

    def _stop(self, reason: str) -> None:
        process = self.process
        if process is None:
            return
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        self._kill(time.monotonic(), reason)


class WorkerPool:
    """``size`` worker processes on the store at ``store.path``; see the module docstring."""

    def __init__(
        self,
        store: Backend,
        *,
        size: int,
        memory_mb: int,
        timeout_s: float,
        max_results: int,
        max_bytes: int = 64_000_000,
        stack_mb: int = EVALUATION_STACK_MB,
        command: Sequence[str] = WORKER_COMMAND,
    ) -> None:
        if store.path is None:
            raise ValueError("query worker processes need an on-disk store")
        self.store = store
        self.path = str(store.path)
        self.size = size
        self.memory_mb = memory_mb
        self.timeout_s = timeout_s
        self.max_results = max_results
        self.max_bytes = max_bytes
        self.stack_mb = stack_mb
        self.command = [*command]
        self._lock = threading.Lock()
        self._flush_lock = threading.Lock()
        self._flushed = -1  # the first request flushes what start-up wrote
        self._idle: deque[WorkerProcess] = deque()
        self.workers = [WorkerProcess(self, number) for number in range(size)]
        self._idle.extend(self.workers)
        self._closed = False

    def generation(self) -> int:
        """The store's write generation, for a request: a worker reopens when it moved.

        The first request after writes flushes the server's memtable first: a
        read-only open replays the write-ahead log, and its cost grows with what is
        unflushed (measured: 32 ms after a flush, 85 ms after 100 small writes,
        600 ms after 1,000), while a flush takes 15-30 ms once for every worker.
        """
        with self._flush_lock:
            current = self.store.generation
            if current != self._flushed:
                try:
                    self.store.flush()
                except Exception as error:  # a slower reopen, not a failed query
                    log.warning("could not flush the store before a query: %s", error)
                self._flushed = current
        return current

    def spawn(self) -> subprocess.Popen[bytes]:
        """Start one worker process (it announces itself when ready)."""
        command = [
            *self.command,
            "--store",
            self.path,
            "--memory-mb",
            str(self.memory_mb),
            "--parent",
            str(os.getpid()),
            "--generation",
            str(self.generation()),
            "--stack-mb",
            str(self.stack_mb),
        ]
        return subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            bufsize=0,
            close_fds=True,
            env={**os.environ, **WORKER_ENVIRONMENT},
        )

    def start(self) -> None:
        """Start every worker process now, in the background (otherwise on first use).

        A task given to a worker meanwhile waits for its start-up."""
        for worker in self.workers:
            worker.submit(WARM_UP)

    def dispatch(self, task: Task) -> WorkerProcess:
        """Give ``task`` to an idle worker (the admission guarantees there is one)."""
        with self._lock:
            if self._closed:
                raise StoreError("the query service is shutting down")
            worker = self._idle.pop()  # the most recently used: its process is warm
        worker.submit(task)
        return worker

    def _returned(self, worker: WorkerProcess, task: Task) -> None:
        with self._lock:
            self._idle.append(worker)
        if task.release is not None:
            task.release()

    @property
    def idle(self) -> int:
        """Workers free for a task (the admission keeps this at least its free slots)."""
        with self._lock:
            return len(self._idle)

    def pids(self) -> list[int]:
        return [pid for w in self.workers if (pid := w.pid) is not None]

    def close(self) -> None:
        """Stop every worker process (waits for them to be gone)."""
        with self._lock:
            self._closed = True
        for worker in self.workers:
            worker.abort(None)
            worker.submit(STOP)
        for worker in self.workers:
            worker._thread.join(timeout=10)

    def timeout_error(self) -> QueryTimeoutError:
        return QueryTimeoutError(
            f"the query ran longer than the {self.timeout_s:g} s limit (GBKG_QUERY_TIMEOUT_S) "
            "and was stopped; narrow it with more specific patterns or a LIMIT",
            timeout_s=self.timeout_s,
        )

    def memory_error(self) -> QueryMemoryError:
        return QueryMemoryError(
            f"the query went past the memory limit ({self.memory_mb} MB, GBKG_QUERY_MEMORY_MB) "
            "and was stopped; narrow it, or avoid building very large values or sorts",
            memory_mb=self.memory_mb,
        )
