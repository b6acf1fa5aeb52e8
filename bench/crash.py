"""Crash safety of writes: ``gbkg serve`` SIGKILLed under concurrent writers, and
``gbkg load`` killed mid-file.

What is checked, on the store on disk after the last kill (opened directly, no server):

- **lost**: a claim a writer saw acknowledged (201, or 200 "already stored") that is
  not in the store with all its graphs;
- **partial**: a claim with some of its four named graphs (``#head``, ``#assertion``,
  ``#provenance``, ``#pubinfo``) missing, or a publication info without its head or
  assertion;
- **duplicate**: one claim written twice: two ``dct:created``, two curators or two
  statuses in its publication info;
- **load**: each file given to a ``gbkg load`` killed at some point is in the store
  whole or not at all.

Writers are separate processes (``python -m bench.crash writer``), each posting its
own claims one after another and recording every acknowledged id (flushed at once,
so a record is never ahead of an acknowledgement). A POST that got no answer (the
server died under it) is sent again, unchanged, once the server is back: claim ids
are content hashes, so the retry finds the claim if it was stored. Every loop is
bounded in count and time; traffic goes to 127.0.0.1 only.

Used by ``tests/security/test_crash_safety.py`` (short) and ``bench/crash_long.py``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
TOKEN = "crash-token"
CURATOR = "crasher"
CLAIM_NS = "https://w3id.org/gbkg/claim/"
PARTS = ("head", "assertion", "provenance", "pubinfo")
ACKNOWLEDGED = (200, 201)


def claim(label: str) -> dict[str, object]:
    """A valid claim whose content (and so its id) is fixed by ``label``."""
    return {
        "subject": "gbkg:probiotic",
        "predicate": "gba:improves",
        "object": "MONDO:0002050",
        "finding": "effect",
        "statement": f"Crash test claim {label}.",
        "quote": f"crash test {label}",
        "source": {"title": "Crash test source", "type": "report"},
        "evidence": {"study_design": "rct"},
    }


# The writer process -------------------------------------------------------------------


def write(url: str, writer: int, count: int, out: Path, deadline_s: float) -> int:
    """Post ``count`` claims, each until acknowledged; record each id as it is."""
    end = time.monotonic() + deadline_s
    headers = {"Authorization": f"Bearer {TOKEN}"}
    with out.open("a", encoding="utf-8") as record, httpx.Client(timeout=30) as client:
        for n in range(count):
            body = claim(f"w{writer}-{n}")
            while True:
                if time.monotonic() > end:
                    return 1
                try:
                    response = client.post(url + "/claims", json=body, headers=headers)
                except httpx.HTTPError:
                    time.sleep(0.05)  # the server is down: send the same claim again
                    continue
                if response.status_code in ACKNOWLEDGED:
                    record.write(f"{response.json()['id']}\t{response.status_code}\n")
                    record.flush()
                    break
                if response.status_code >= 500 or response.status_code == 429:
                    time.sleep(0.05)
                    continue
                print(f"writer {writer}: {response.status_code} {response.text[:300]}")
                return 2
    return 0


# A server that keeps its port across restarts ----------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Service:
    """``gbkg serve`` on a fixed loopback port, to be killed and started again."""

    def __init__(self, store: Path, log: Path) -> None:
        self.store = store
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout_s: float = 60) -> None:
        env = {
            **os.environ,
            "GBKG_STORE": str(self.store),
            "GBKG_LOAD_CURATED": "false",
            "GBKG_CURATOR_TOKENS": f"{CURATOR}:{TOKEN}",
            "PYTHONUNBUFFERED": "1",
        }
        command = [sys.executable, "-m", "gbkg.cli", "serve", "--host", "127.0.0.1"]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, "--port", str(self.port)], cwd=REPO, env=env, stdout=log, stderr=log
            )
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.tail()}")
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(self.url + "/health", timeout=1).status_code == 200:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"the server did not start within {timeout_s} s: {self.tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown, no flush; the process and its workers are gone."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self) -> str:
        return self.log.read_text(errors="replace")[-2000:]


# What the store holds -----------------------------------------------------------------


@dataclass
class Verdict:
    acknowledged: int = 0
    claims: int = 0
    lost: list[str] = field(default_factory=list)
    partial: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    loads_whole: int = 0
    loads_absent: int = 0
    loads_torn: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.partial or self.duplicates or self.loads_torn)

    def summary(self) -> str:
        return (
            f"{self.acknowledged} acknowledged, {self.claims} claims in the store: "
            f"{len(self.lost)} lost, {len(self.partial)} partial, "
            f"{len(self.duplicates)} duplicates; killed loads: {self.loads_whole} whole, "
            f"{self.loads_absent} absent, {len(self.loads_torn)} torn"
        )


#: The claims' graph names (each claim's IRI with ``#head``, ``#assertion``, ...).
PARTS_QUERY = (
    "SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } "
    f'FILTER(STRSTARTS(STR(?g), "{CLAIM_NS}")) }} GROUP BY ?g'
)

PUBINFO_QUERY = """
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX gba: <https://w3id.org/gbkg/ontology#>
SELECT ?g (COUNT(DISTINCT ?created) AS ?c) (COUNT(DISTINCT ?who) AS ?w)
       (COUNT(DISTINCT ?status) AS ?s)
WHERE { GRAPH ?g { ?claim dct:created ?created ; prov:wasAttributedTo ?who ;
                           gba:status ?status } }
GROUP BY ?g
"""

STATEMENTS_QUERY = """
PREFIX gba: <https://w3id.org/gbkg/ontology#>
SELECT ?claim ?statement WHERE { GRAPH ?g { ?claim gba:statement ?statement } }
"""


def inspect_store(store: Path, acknowledged: set[str], loads: dict[str, int]) -> Verdict:
    """Open ``store`` (no server may hold it) and count lost, partial, duplicate claims;
    ``loads`` maps the statement prefix of each killed load's file to its claim count."""
    import pyoxigraph as ox

    db = ox.Store(str(store))
    try:
        parts: dict[str, set[str]] = {}
        for row in db.query(PARTS_QUERY):  # type: ignore[union-attr]
            name = row["g"].value
            iri, _, part = name.partition("#")
            parts.setdefault(iri, set()).add(part)
        verdict = Verdict(acknowledged=len(acknowledged), claims=len(parts))
        for iri, found in parts.items():
            if set(PARTS) - found:
                verdict.partial.append(f"{iri}: has only {sorted(found)}")
        complete = {iri for iri, found in parts.items() if not set(PARTS) - found}
        verdict.lost = sorted(acknowledged - complete)
        for row in db.query(PUBINFO_QUERY):  # type: ignore[union-attr]
            counts = (int(row["c"].value), int(row["w"].value), int(row["s"].value))
            if counts != (1, 1, 1):
                verdict.duplicates.append(f"{row['g'].value}: created/curators/status {counts}")
        statements: Counter[str] = Counter()
        for row in db.query(STATEMENTS_QUERY):  # type: ignore[union-attr]
            for prefix in loads:
                if row["statement"].value.startswith(prefix):
                    statements[prefix] += 1
        for prefix, size in loads.items():
            if statements[prefix] == size:
                verdict.loads_whole += 1
            elif statements[prefix] == 0:
                verdict.loads_absent += 1
            else:
                verdict.loads_torn.append(f"{prefix}: {statements[prefix]} of {size}")
        return verdict
    finally:
        del db


def read_acknowledged(records: list[Path]) -> set[str]:
    found = set()
    for path in records:
        if path.exists():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    found.add(line.split("\t", 1)[0])
    return found


# The run ------------------------------------------------------------------------------


@dataclass
class Plan:
    kills: int = 3
    writers: int = 3
    claims_per_writer: int = 40
    load_kills: int = 2
    load_claims: int = 60
    deadline_s: float = 600.0


@contextlib.contextmanager
def writers(service: Service, plan: Plan, workdir: Path) -> Iterator[list[Path]]:
    """Writer processes, each with its record file; ended when the block ends."""
    records = [workdir / f"writer-{w}.acks" for w in range(plan.writers)]
    processes = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.crash",
                "writer",
                "--url",
                service.url,
                "--writer",
                str(w),
                "--count",
                str(plan.claims_per_writer),
                "--out",
                str(records[w]),
                "--deadline-s",
                str(plan.deadline_s),
            ],
            cwd=REPO,
            stdout=(workdir / f"writer-{w}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        for w in range(plan.writers)
    ]
    try:
        yield records
        for process in processes:
            process.wait(timeout=plan.deadline_s)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)


def acknowledged_count(records: list[Path]) -> int:
    return sum(len(path.read_bytes().splitlines()) for path in records if path.exists())


def wait_for(condition: Callable[[], bool], timeout_s: float) -> bool:
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.02)
    return False


def kill_the_server(plan: Plan, workdir: Path, log: list[str]) -> tuple[Path, set[str]]:
    """Writers against a server SIGKILLed ``plan.kills`` times, the last time after they
    finished; returns the store and the acknowledged ids."""
    store = workdir / "store"
    service = Service(store, workdir / "server.log")
    service.start()
    total = plan.writers * plan.claims_per_writer
    with writers(service, plan, workdir) as records:
        for kill in range(plan.kills):
            # kill once the writers have made progress since the last start
            target = acknowledged_count(records) + max(1, total // (plan.kills + 1))

            def progressed(target: int = target) -> bool:
                return acknowledged_count(records) >= target

            wait_for(progressed, plan.deadline_s)
            service.kill()
            log.append(f"kill {kill + 1}: {acknowledged_count(records)} acknowledged so far")
            service.start()
    service.kill()  # the last state must survive a kill too
    acknowledged = read_acknowledged(records)
    log.append(f"writers done: {len(acknowledged)} acknowledged")
    return store, acknowledged


def load_file(workdir: Path, round_: int, size: int) -> tuple[Path, str]:
    prefix = f"Crash test claim load{round_}-"
    claims = [claim(f"load{round_}-{i}") for i in range(size)]
    path = workdir / f"load-{round_}.json"
    path.write_text(json.dumps(claims), encoding="utf-8")
    return path, prefix


def load_command(store: Path, path: Path) -> list[str]:
    return [sys.executable, "-m", "gbkg.cli", "--store", str(store), "load", str(path),
            "--curator", CURATOR]  # fmt: skip


def kill_loads(store: Path, plan: Plan, workdir: Path, log: list[str]) -> dict[str, int]:
    """``gbkg load`` of a file of ``plan.load_claims`` claims, SIGKILLed at times spread
    over an unkilled load's duration (measured first on the same store)."""
    env = {**os.environ, "GBKG_LOAD_CURATED": "false"}
    path, _ = load_file(workdir, 0, plan.load_claims)
    started = time.monotonic()
    subprocess.run(load_command(store, path), cwd=REPO, env=env, check=True,
                   capture_output=True, timeout=plan.deadline_s)  # fmt: skip
    duration = time.monotonic() - started
    log.append(f"an unkilled load of {plan.load_claims} claims took {duration:.2f} s")
    loads = {"Crash test claim load0-": plan.load_claims}
    for round_ in range(1, plan.load_kills + 1):
        path, prefix = load_file(workdir, round_, plan.load_claims)
        at = duration * (0.35 + 0.6 * round_ / (plan.load_kills + 1))
        process = subprocess.Popen(load_command(store, path), cwd=REPO, env=env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT)  # fmt: skip
        try:
            process.wait(timeout=at)
            outcome = "finished before the kill"
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=30)
            outcome = "killed"
        log.append(f"load {round_}: {outcome} at {at:.2f} s")
        loads[prefix] = plan.load_claims
    return loads


def run(plan: Plan, workdir: Path) -> tuple[Verdict, list[str]]:
    log: list[str] = []
    store, acknowledged = kill_the_server(plan, workdir, log)
    loads = kill_loads(store, plan, workdir, log) if plan.load_kills else {}
    verdict = inspect_store(store, acknowledged, loads)
    # and a server starts on what is left
    service = Service(store, workdir / "server.log")
    service.start()
    service.stop()
    return verdict, log


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crash")
    sub = parser.add_subparsers(dest="command", required=True)
    writer = sub.add_parser("writer", help="one writer process (started by the run)")
    writer.add_argument("--url", required=True)
    writer.add_argument("--writer", type=int, required=True)
    writer.add_argument("--count", type=int, required=True)
    writer.add_argument("--out", type=Path, required=True)
    writer.add_argument("--deadline-s", type=float, default=600)
    args = parser.parse_args(argv)
    return write(args.url, args.writer, args.count, args.out, args.deadline_s)


if __name__ == "__main__":
    sys.exit(main())
