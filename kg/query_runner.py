"""Run the queries of HTTP requests: pre-checks, a fair queue, then an isolated evaluation.

:class:`QueryRunner` is the one path of ``/sparql`` and ``/queries/{name}``:

1. **pre-checks** in the server (cheap, linear): the query's length
   (``GBKG_QUERY_MAX_BYTES``) and nesting (:func:`kg.sparql_analysis.check_shape`);
2. **admission** (:class:`kg.query_admission.Admission`): per-client limit, fair
   queue, 429 when full, 503 when the wait reaches the time limit;
3. **evaluation**, one of:

   - *isolated* (an on-disk store, ``GBKG_QUERY_ISOLATION`` on, the default): a
     worker process of :class:`kg.query_pool.WorkerPool` checks the query
     (SERVICE, FROM), evaluates and serializes it in its sandbox (no sockets, a
     memory ceiling, a large stack), and is killed at the deadline;
   - *in-process* (in-memory stores, the CLI, and the benchmark's baseline): the
     same functions (:func:`kg.sparql.answer`) on a thread of this process with
     the same large stack. The deadline is checked between rows; a thread stuck
     in one long step is abandoned, holding its slot until Oxigraph returns.
     Nothing isolates these queries from the process: no network sandbox, no
     memory ceiling, no kill. Only trusted callers should get this path.

Either way the answer is the serialized bytes and the row count
(:class:`~kg.sparql.QueryOutput`).
"""

from __future__ import annotations

import asyncio
import threading
import time
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING

from gbkg.kg.errors import StoreError
from gbkg.kg.query_admission import Admission
from gbkg.kg.query_pool import Task, WorkerPool
from gbkg.kg.sparql import (
    EVALUATION_STACK_MB,
    QueryJob,
    QueryOutput,
    QueryResult,
    answer,
    collect,
    plan_query,
    timeout_error,
)
from gbkg.kg.sparql_analysis import check_shape

if TYPE_CHECKING:
    from gbkg.kg.settings import Settings
    from gbkg.kg.store import Backend

#: Extra wait past a deadline before a request stops waiting for its worker thread.
GRACE_S = 10.0

_STACK_LOCK = threading.Lock()


class QueryRunner:
    """Pre-checks, admission and evaluation of untrusted queries; see the module docstring."""

    def __init__(
        self,
        store: Backend,
        *,
        workers: int,
        timeout_s: float,
        max_results: int,
        max_bytes: int = 131_072,
        max_answer_bytes: int = 64_000_000,
        memory_mb: int = 1024,
        client_limit: int | None = None,
        client_queue: int = 8,
        queue: int = 64,
        isolation: bool = True,
    ) -> None:
        self.store = store
        self.timeout_s = timeout_s
        self.max_results = max_results
        self.max_bytes = max_bytes
        self.max_answer_bytes = max_answer_bytes
        self.admission = Admission(
            slots=workers,
            client_limit=client_limit if client_limit is not None else workers,
            client_queue=client_queue,
            queue=queue,
            retry_after_s=timeout_s,
        )
        self.pool: WorkerPool | None = None
        if isolation and store.path is not None:
            self.pool = WorkerPool(
                store,
                size=workers,
                memory_mb=memory_mb,
                timeout_s=timeout_s,
                max_results=max_results,
                max_bytes=max_answer_bytes,
            )
        self._lock = threading.Lock()
        self._threads = 0

    @classmethod
    def from_settings(cls, store: Backend, settings: Settings) -> QueryRunner:
        return cls(
            store,
            workers=settings.query_workers,
            timeout_s=settings.query_timeout_s,
            max_results=settings.max_results,
            max_bytes=settings.query_max_bytes,
            max_answer_bytes=settings.query_max_answer_mb * 1_000_000,
            memory_mb=settings.query_memory_mb,
            client_limit=min(settings.query_client_limit, settings.query_workers),
            client_queue=settings.query_client_queue,
            queue=settings.query_queue,
            isolation=settings.query_isolation,
        )

    @classmethod
    def in_process(cls, store: Backend, settings: Settings, *, max_results: int) -> QueryRunner:
        """A runner that evaluates in this process (the CLI), with the service's checks."""
        return cls(
            store,
            workers=1,
            timeout_s=settings.query_timeout_s,
            max_results=max_results,
            max_bytes=settings.query_max_bytes,
            isolation=False,
        )

    @property
    def isolated(self) -> bool:
        return self.pool is not None

    @property
    def running(self) -> int:
        """Queries holding a slot (in-process: including abandoned threads)."""
        return self.admission.running

    def start(self) -> None:
        """Start the worker processes now rather than on the first query."""
        if self.pool is not None:
            self.pool.start()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.close()

    def check(self, job: QueryJob) -> None:
        """The pre-checks (length, nesting): :class:`~kg.errors.QueryError` if refused."""
        check_shape(job.text, max_bytes=self.max_bytes)

    async def run(self, job: QueryJob, *, client: str) -> QueryOutput:
        """Evaluate ``job`` for ``client`` (its peer address) within the time limit."""
        self.check(job)
        deadline = time.monotonic() + self.timeout_s
        await self.admission.acquire(client, deadline)
        loop = asyncio.get_running_loop()
        task = Task(job, deadline, loop, loop.create_future())
        task.release = lambda: self.admission.release(client)
        try:
            if self.pool is not None:
                worker = self.pool.dispatch(task)
            else:
                self._start_in_process(task)
        except BaseException:
            self.admission.release(client)
            raise
        try:
            if self.pool is not None:
                # The worker's thread settles the task by the deadline (it kills the
                # process there); the grace only guards against a bug in it.
                timeout = deadline - time.monotonic() + GRACE_S
                try:
                    return await asyncio.wait_for(asyncio.shield(task.future), timeout)
                except TimeoutError:
                    raise StoreError("the query worker did not answer") from None
            try:
                remaining = max(0.0, deadline - time.monotonic())
                return await asyncio.wait_for(asyncio.shield(task.future), remaining)
            except TimeoutError:
                # The abandoned thread settles the future later (a remote store's own
                # timeout error, as a rule): retrieve it then, so asyncio logs nothing.
                task.future.add_done_callback(_retrieve)
                raise timeout_error(self.timeout_s) from None
        except asyncio.CancelledError:
            if self.pool is not None:
                worker.abort(task)
            raise

    def evaluate_sync(self, job: QueryJob) -> QueryResult:
        """For the CLI: the same checks, then evaluation in this process on a thread with
        the large stack; the rows are kept (not serialized) for display. No time limit:
        the operator can interrupt it."""
        self.check(job)
        outcome: list[QueryResult] = []
        failure: list[BaseException] = []

        def target() -> None:
            try:
                plan = plan_query(self.store, job.text, dataset=job.dataset, base_iri=job.base_iri)
                outcome.append(
                    collect(
                        self.store,
                        plan,
                        max_results=self.max_results,
                        substitutions=job.substitutions,
                    )
                )
            except BaseException as error:
                traceback.clear_frames(error.__traceback__)
                failure.append(error)

        _start_big_stack_thread(target, daemon=False).join()
        if failure:
            raise failure[0]
        return outcome[0]

    # In-process evaluation -------------------------------------------------------

    def _start_in_process(self, task: Task) -> None:
        """Evaluate ``task`` on a new thread of this process."""

        def target() -> None:
            value: QueryOutput | None = None
            error: BaseException | None = None
            try:
                value = answer(
                    self.store,
                    task.job,
                    max_results=self.max_results,
                    max_bytes=self.max_answer_bytes,
                    deadline=task.deadline,
                    timeout_s=self.timeout_s,
                )
            except BaseException as exc:
                # Oxigraph's result iterators may only be dropped by the thread that
                # made them: clear the frames the traceback keeps alive here.
                traceback.clear_frames(exc.__traceback__)
                error = exc
            finally:
                with self._lock:
                    self._threads -= 1
                if task.release is not None:
                    task.release()
            task.settle(value, error)

        with self._lock:
            self._threads += 1
        try:
            _start_big_stack_thread(target)
        except StoreError:
            with self._lock:
                self._threads -= 1
            raise

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no in-process query thread runs (tests, shutdown)."""
        end = time.monotonic() + timeout
        while True:
            with self._lock:
                if self._threads == 0:
                    return True
            if time.monotonic() >= end:
                return False
            time.sleep(0.01)


def _start_big_stack_thread(target: Callable[[], None], *, daemon: bool = True) -> threading.Thread:
    """Start a daemon thread with a :data:`EVALUATION_STACK_MB` stack.

    ``threading.stack_size`` is process-wide and read when a thread starts: set,
    start, restore, under a lock.
    """
    with _STACK_LOCK:
        previous = threading.stack_size(EVALUATION_STACK_MB * 1024 * 1024)
        thread = threading.Thread(target=target, name="gbkg-query", daemon=daemon)
        try:
            thread.start()
        except RuntimeError as error:
            raise StoreError(f"no thread for the query: {error}") from error
        finally:
            threading.stack_size(previous)
    return thread


def _retrieve(future: asyncio.Future[QueryOutput]) -> None:
    """Mark the outcome of an abandoned evaluation as seen."""
    if not future.cancelled():
        future.exception()
