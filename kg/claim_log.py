"""The change log that several ``gbkg serve`` processes share on one remote triplestore.

Every claim write through :class:`~kg.remote_store.RemoteStore` adds one
**change event** in the same SPARQL update operation as the write itself::

    <urn:uuid:…> a gbl:ChangeEvent ;
        gbl:claim <https://w3id.org/gbkg/claim/…> ;
        gbl:kind "create" | "retract" | "load" ;
        gbl:at "2026-12-02T15:27:53.123456+00:00"^^xsd:dateTime ;   # the writer's clock
        gbl:origin "<process id>" ;
        gbl:pubinfo "<the claim's publication-info graph, as N-Quads>" .

in a graph per minute of the writer's clock
(``https://w3id.org/gbkg/graph/changes/2026-12-02T15:27``). The log serves two ends:

**Race resolution.** Neither Oxigraph nor Virtuoso serializes a conditional insert
(measured here: six processes inserting the same 300 claims "unless present"
left 2 claims written twice on ``oxigraph serve`` and 1 on Virtuoso: both read
"absent" in their own snapshot). Claim ids are content hashes, so two racing
writers write the same claim, and differ only in its publication info (curator,
creation time; for a retraction, who, when, why). After every write the writer
reads the claim's events and the graph they decide back (:func:`winner`): the
creation that sorts first (by ``at``, then the event id) decides the claim's
publication info, the retraction that sorts first decides the retraction's own
graph (``gbl:pubinfo`` holds that graph's N-Quads; a retraction never touches the
claim's graphs), and if the store holds anything else the
writer replaces the graph with the winner's (one update operation), then reads
again, up to :data:`MAX_ROUNDS` times. Every writer's last step on a claim is a
read that found exactly the winner's publication info, so once all writers have
answered, no claim has two creation times, two curators or two retractions. A
writer whose event lost reports "already present" (or, for a retraction,
"already retracted").

**Projection freshness.** Each process polls the events of the last few minute
graphs every ``GBKG_CHANGE_POLL_S`` seconds (:class:`ChangeFeed`) and re-reads the
claims other processes wrote into its claim graph. A write made through one
process reaches another process's ``/paths`` and ``/evidence`` within one poll
interval plus one poll's duration, provided the writers' clocks differ by less
than :data:`LOOKBACK_MINUTES` minutes.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum

import pyoxigraph as ox

log = logging.getLogger("gbkg.claim_log")

LOG = "https://w3id.org/gbkg/log#"
CHANGES = "https://w3id.org/gbkg/graph/changes/"
EVENT = ox.NamedNode(LOG + "ChangeEvent")
CLAIM = ox.NamedNode(LOG + "claim")
KIND = ox.NamedNode(LOG + "kind")
AT = ox.NamedNode(LOG + "at")
ORIGIN = ox.NamedNode(LOG + "origin")
PUBINFO = ox.NamedNode(LOG + "pubinfo")
RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
XSD_DATETIME = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
#: Rounds of read-back and repair before a write gives up with an error.
MAX_ROUNDS = 5
#: Minute graphs a poll reads besides the current one (covers clock skew and commit delay).
LOOKBACK_MINUTES = 3


class ChangeKind(StrEnum):
    CREATE = "create"
    RETRACT = "retract"
    LOAD = "load"


_PRECEDENCE = {ChangeKind.RETRACT: 0, ChangeKind.CREATE: 1, ChangeKind.LOAD: 2}


@dataclass(frozen=True)
class ChangeEvent:
    """One write of one claim."""

    id: str
    claim: str
    kind: ChangeKind
    at: datetime
    origin: str
    pubinfo: tuple[ox.Quad, ...] = ()

    @classmethod
    def new(
        cls, claim: str, kind: ChangeKind, origin: str, pubinfo: Iterable[ox.Quad] = ()
    ) -> ChangeEvent:
        return cls(
            id=f"urn:uuid:{uuid.uuid4()}",
            claim=claim,
            kind=kind,
            at=datetime.now(UTC),
            origin=origin,
            pubinfo=tuple(pubinfo),
        )

    @property
    def graph(self) -> ox.NamedNode:
        return ox.NamedNode(minute_graph(self.at))

    def sort_key(self) -> tuple[int, datetime, str]:
        return (_PRECEDENCE[self.kind], self.at, self.id)

    def quads(self) -> list[ox.Quad]:
        """The event as quads in its minute graph."""
        node, graph = ox.NamedNode(self.id), self.graph
        text = ox.serialize(self.pubinfo, format=ox.RdfFormat.N_QUADS) if self.pubinfo else b""
        assert text is not None
        values = [
            (RDF_TYPE, EVENT),
            (CLAIM, ox.NamedNode(self.claim)),
            (KIND, ox.Literal(self.kind.value)),
            (AT, ox.Literal(self.at.isoformat(), datatype=XSD_DATETIME)),
            (ORIGIN, ox.Literal(self.origin)),
            (PUBINFO, ox.Literal(text.decode("utf-8"))),
        ]
        return [ox.Quad(node, p, o, graph) for p, o in values]  # type: ignore[arg-type]


def minute_graph(at: datetime) -> str:
    return CHANGES + at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M")


def recent_graphs(now: datetime | None = None) -> list[str]:
    """The minute graphs a poll reads: this minute, the next, and the last few."""
    now = now or datetime.now(UTC)
    return [minute_graph(now + timedelta(minutes=d)) for d in range(-LOOKBACK_MINUTES, 2)]


def is_log_graph(name: str) -> bool:
    return name.startswith(CHANGES)


def event_from_row(
    event: str, claim: str, kind: str, at: str, origin: str, pubinfo: str | None
) -> ChangeEvent:
    quads: tuple[ox.Quad, ...] = ()
    if pubinfo:
        quads = tuple(ox.parse(pubinfo.encode("utf-8"), format=ox.RdfFormat.N_QUADS))
    return ChangeEvent(
        id=event,
        claim=claim,
        kind=ChangeKind(kind),
        at=datetime.fromisoformat(at.replace("Z", "+00:00")),
        origin=origin,
        pubinfo=quads,
    )


def winner(
    events: Sequence[ChangeEvent], kind: ChangeKind = ChangeKind.CREATE
) -> ChangeEvent | None:
    """The event of ``kind`` whose graph a claim keeps (a creation decides the claim's
    publication info, a retraction its retraction's graph): the earliest, then the
    least id (every process picks the same one)."""
    deciding = [e for e in events if e.kind is kind]
    return min(deciding, key=ChangeEvent.sort_key, default=None)


def same_statements(stored: Iterable[ox.Quad], wanted: Iterable[ox.Quad]) -> bool:
    """Whether two graphs say the same, comparing literals by value where servers
    rewrite their lexical form (Virtuoso stores ``true`` as ``1``, ``+00:00`` as ``Z``)."""
    return {_comparable(q) for q in stored} == {_comparable(q) for q in wanted}


def _comparable(quad: ox.Quad) -> tuple[str, str, str]:
    value = quad.object
    if isinstance(value, ox.Literal) and value.datatype is not None:
        kind = value.datatype.value.rsplit("#", 1)[-1]
        text = value.value
        if kind == "boolean":
            text = "true" if text in ("true", "1") else "false"
        elif kind == "dateTime":
            with contextlib.suppress(ValueError):
                text = datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
        elif kind == "decimal":
            text = text.rstrip("0").rstrip(".") if "." in text else text
        return (str(quad.subject), str(quad.predicate), f"{kind}:{text}")
    return (str(quad.subject), str(quad.predicate), str(value))


class ChangeFeed:
    """Polls the change log every ``interval_s`` seconds in a daemon thread and calls
    ``on_change`` with the claims other processes wrote since the last poll."""

    def __init__(
        self,
        poll: Callable[[Sequence[str]], list[ChangeEvent]],
        on_change: Callable[[list[str]], None],
        *,
        origin: str,
        interval_s: float,
    ) -> None:
        self._poll = poll
        self._on_change = on_change
        self._origin = origin
        self.interval_s = interval_s
        self._seen: dict[str, datetime] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        #: Polls completed; tests wait on it rather than on time.
        self.polls = 0

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="gbkg-change-feed", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.interval_s + 10)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once()
            except Exception:  # a failed poll is retried at the next interval
                log.exception("polling the change log failed")
            self._stop.wait(self.interval_s)

    def poll_once(self) -> list[str]:
        """One poll: the claims other processes changed since the previous one."""
        events = self._poll(recent_graphs())
        fresh = [e for e in events if e.id not in self._seen]
        for event in fresh:
            self._seen[event.id] = event.at
        horizon = datetime.now(UTC) - timedelta(minutes=LOOKBACK_MINUTES + 2)
        self._seen = {k: v for k, v in self._seen.items() if v >= horizon}
        changed = sorted({e.claim for e in fresh if e.origin != self._origin})
        # Re-reading a claim is idempotent, so the first poll passes on what it
        # finds too (the claim graph may have been built before those writes).
        if changed:
            self._on_change(changed)
        self.polls += 1
        return changed
