"""Who evaluates next: a fair queue in front of the query workers.

One flood of slow queries from one client must not starve everyone else, so:

- **per-client limit**: a client (its peer address) has at most
  ``client_limit`` queries evaluated at once; with fewer than ``slots``, a single
  client can never take every worker;
- **fair queue**: when a worker frees, the next query comes from the next client
  in turn (round-robin over the clients that have queries waiting and are under
  their limit), not from whoever sent the most;
- **bounded queue**: a client may have ``client_queue`` queries waiting and all
  clients together ``queue``; past either, :class:`~kg.errors.QueryOverloadError`
  (HTTP 429 with ``Retry-After``) at once, nothing is queued;
- a waiting query gives up at its deadline (:class:`~kg.errors.QueryTimeoutError`).

Nothing polls: a waiter holds a future of its own event loop, and whoever frees a
slot hands it over under the lock and resolves the future with
``call_soon_threadsafe``. The state is guarded by a threading lock, not asyncio
primitives, because slots are released from worker threads and the admission
outlives event loops (test clients run one loop per request).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import threading
import time
from collections import Counter, deque
from dataclasses import dataclass, field

from gbkg.kg.errors import QueryOverloadError, QueryTimeoutError


@dataclass(eq=False)
class _Waiter:
    client: str
    loop: asyncio.AbstractEventLoop
    future: asyncio.Future[None]
    granted: bool = False


@dataclass
class Admission:
    """``slots`` queries at once, fairly shared; see the module docstring."""

    slots: int
    client_limit: int
    client_queue: int
    queue: int
    #: Seconds after which a slot is sure to have freed (the query time limit).
    retry_after_s: float
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _free: int = field(init=False)
    _running: Counter[str] = field(default_factory=Counter, repr=False)
    _waiting: dict[str, deque[_Waiter]] = field(default_factory=dict, repr=False)
    #: Clients with waiters, in turn order.
    _turns: deque[str] = field(default_factory=deque, repr=False)

    def __post_init__(self) -> None:
        self._free = self.slots

    @property
    def waiting(self) -> int:
        with self._lock:
            return sum(len(q) for q in self._waiting.values())

    @property
    def running(self) -> int:
        with self._lock:
            return self.slots - self._free

    async def acquire(self, client: str, deadline: float) -> None:
        """Wait for a slot for ``client`` until ``deadline`` (a :func:`time.monotonic` time)."""
        with self._lock:
            if self._free > 0 and self._running[client] < self.client_limit:
                self._take(client)
                return
            waiter = self._enqueue(client)
        try:
            await asyncio.wait_for(
                asyncio.shield(waiter.future), timeout=max(0.0, deadline - time.monotonic())
            )
        except (TimeoutError, asyncio.CancelledError) as error:
            with self._lock:
                if not waiter.granted:
                    self._drop(waiter)
                    waiter = None  # type: ignore[assignment]
            if waiter is not None:  # granted while timing out: pass the slot on
                self.release(client)
            if isinstance(error, asyncio.CancelledError):
                raise
            raise QueryTimeoutError(
                "the query waited for a free query worker until its time limit "
                f"({self.retry_after_s:g} s, GBKG_QUERY_TIMEOUT_S); the service is busy, "
                "try again later",
                timeout_s=self.retry_after_s,
            ) from None

    def release(self, client: str) -> None:
        """A query of ``client`` ended: its slot goes to the next client in turn."""
        with self._lock:
            self._running[client] -= 1
            if self._running[client] <= 0:
                del self._running[client]
            self._free += 1
            self._dispatch()

    # Under the lock --------------------------------------------------------------

    def _take(self, client: str) -> None:
        self._free -= 1
        self._running[client] += 1

    def _enqueue(self, client: str) -> _Waiter:
        mine = self._waiting.get(client)
        total = sum(len(q) for q in self._waiting.values())
        retry = max(1, math.ceil(self.retry_after_s))
        if len(mine or ()) >= self.client_queue:
            raise QueryOverloadError(
                f"this client already has {self._running[client]} queries running and "
                f"{len(mine or ())} waiting, the most allowed (GBKG_QUERY_CLIENT_LIMIT, "
                "GBKG_QUERY_CLIENT_QUEUE); retry when one has finished",
                retry_after=retry,
            )
        if total >= self.queue:
            raise QueryOverloadError(
                f"{total} queries are already waiting, the most the service queues "
                "(GBKG_QUERY_QUEUE); retry later",
                retry_after=retry,
            )
        loop = asyncio.get_running_loop()
        waiter = _Waiter(client, loop, loop.create_future())
        if mine is None:
            mine = self._waiting[client] = deque()
            self._turns.append(client)
        mine.append(waiter)
        return waiter

    def _drop(self, waiter: _Waiter) -> None:
        queue = self._waiting.get(waiter.client)
        if queue is None:
            return
        with contextlib.suppress(ValueError):
            queue.remove(waiter)
        if not queue:
            del self._waiting[waiter.client]
            with contextlib.suppress(ValueError):
                self._turns.remove(waiter.client)

    def _dispatch(self) -> None:
        """Hand free slots to waiters, one client at a time in turn."""
        while self._free > 0:
            client = next((c for c in self._turns if self._running[c] < self.client_limit), None)
            if client is None:
                return
            self._turns.remove(client)
            queue = self._waiting[client]
            waiter = queue.popleft()
            if queue:
                self._turns.append(client)
            else:
                del self._waiting[client]
            self._take(client)
            waiter.granted = True
            try:
                waiter.loop.call_soon_threadsafe(_resolve, waiter.future)
            except RuntimeError:  # its event loop has closed: nobody waits any more
                waiter.granted = False
                self._free += 1
                self._running[client] -= 1
                if self._running[client] <= 0:
                    del self._running[client]


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
