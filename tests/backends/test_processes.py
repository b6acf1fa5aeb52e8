"""Several ``gbkg serve`` processes on one remote store.

Curators write through different processes at once; no claim may be lost or
written twice (two creation times, two curators, two retractions). A write through
one process must reach the others' reads at once and their claim graph (``/paths``)
within the change-log poll interval.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest

from gbkg.kg.bootstrap import ensure_loaded
from tests.backends.conftest import REMOTE_KINDS
from tests.backends.servers import TriplestoreServer, wipe
from tests.conftest import CURATOR_TOKEN, OTHER_TOKEN
from tests.linking_support import claim_data
from tests.sparql_helpers import Server

POLL_S = 0.5
CREATED = "http://purl.org/dc/terms/created"
ATTRIBUTED = "http://www.w3.org/ns/prov#wasAttributedTo"


@pytest.fixture(params=REMOTE_KINDS)
def servers(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[tuple[TriplestoreServer, list[Server]]]:
    """Three ``gbkg serve`` processes on one freshly wiped remote store."""
    name = "oxigraph_server" if request.param == "oxigraph" else "virtuoso"
    remote: TriplestoreServer = request.getfixturevalue(name)
    store = remote.open()
    wipe(store)
    ensure_loaded(store, curated=False)
    store.close()
    env = {
        **remote.env,
        "GBKG_CURATOR_TOKENS": f"alice:{CURATOR_TOKEN},bob:{OTHER_TOKEN}",
        "GBKG_CHANGE_POLL_S": str(POLL_S),
    }
    started = [Server(remote.url, tmp_path / f"serve-{i}.log", **env) for i in range(3)]  # type: ignore[arg-type]
    try:
        for server in started:
            server.wait_ready()
        yield remote, started
    finally:
        for server in started:
            server.stop()


def post(url: str, token: str, body: dict[str, object]) -> int:
    response = httpx.post(
        url + "/claims", json=body, headers={"Authorization": f"Bearer {token}"}, timeout=60
    )
    assert response.status_code in (200, 201), response.text
    return response.status_code


def test_concurrent_writers_lose_and_duplicate_nothing(
    servers: tuple[TriplestoreServer, list[Server]],
) -> None:
    remote, processes = servers
    shared = [
        claim_data("gbkg:probiotic", "gba:improves", "MONDO:0002050", note=f"s{i}")
        for i in range(8)
    ]
    own = [
        claim_data("gbkg:probiotic", "gba:improves", "MONDO:0002050", note=f"p{i}")
        for i in range(12)
    ]
    jobs = []
    for index, server in enumerate(processes):
        token = CURATOR_TOKEN if index % 2 == 0 else OTHER_TOKEN
        jobs += [(server.url, token, body) for body in shared]  # everyone writes these
        jobs += [(server.url, token, body) for body in own[index::3]]
    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(lambda job: post(*job), jobs))
    assert statuses.count(201) == len(shared) + len(own), "each claim created exactly once"

    store = remote.open()
    rows = store.query(
        "SELECT ?c ?p ?v WHERE { GRAPH ?g { ?c ?p ?v } "
        f"VALUES ?p {{ <{CREATED}> <{ATTRIBUTED}> }}"
        " FILTER(STRENDS(STR(?g), '#pubinfo')) }"
    )
    values = Counter((r["c"].value, r["p"].value) for r in rows)  # type: ignore[union-attr, index]
    claims = {c for c, _ in values}
    store.close()
    assert len(claims) == len(shared) + len(own), "no claim lost"
    assert all(n == 1 for n in values.values()), f"duplicated: {values.most_common(3)}"


def test_a_write_through_one_process_reaches_the_others(
    servers: tuple[TriplestoreServer, list[Server]],
) -> None:
    _, (a, b, _) = servers
    assert (
        httpx.get(
            b.url + "/paths",
            params={"source": "gbkg:probiotic", "target": "MONDO:0002050"},
            timeout=30,
        ).json()["paths"]
        == []
    )
    body = claim_data("gbkg:probiotic", "gba:improves", "MONDO:0002050", note="visible")
    response = httpx.post(
        a.url + "/claims",
        json=body,
        timeout=60,
        headers={"Authorization": f"Bearer {CURATOR_TOKEN}"},
    )
    assert response.status_code == 201, response.text
    claim_id = response.json()["id"]
    seen = httpx.get(b.url + "/claims/" + claim_id.rsplit("/", 1)[-1], timeout=30)
    assert seen.status_code == 200 and seen.json()["curator"] == "alice"
    deadline = time.monotonic() + 30
    paths: list[object] = []
    while time.monotonic() < deadline and not paths:
        paths = httpx.get(
            b.url + "/paths",
            params={"source": "gbkg:probiotic", "target": "MONDO:0002050"},
            timeout=30,
        ).json()["paths"]
        time.sleep(POLL_S / 2)
    assert paths, "process B's claim graph never followed process A's write"
    retract = httpx.post(
        b.url + f"/claims/{claim_id.rsplit('/', 1)[-1]}/retract",
        json={"reason": "test"},
        timeout=60,
        headers={"Authorization": f"Bearer {OTHER_TOKEN}"},
    )
    assert retract.status_code == 200, retract.text
    again = httpx.post(
        a.url + f"/claims/{claim_id.rsplit('/', 1)[-1]}/retract",
        json={"reason": "again"},
        timeout=60,
        headers={"Authorization": f"Bearer {CURATOR_TOKEN}"},
    )
    assert again.status_code == 409


def test_the_change_log_is_not_part_of_the_data(
    servers: tuple[TriplestoreServer, list[Server]],
) -> None:
    remote, (a, _, _) = servers
    post(a.url, CURATOR_TOKEN, claim_data("gbkg:probiotic", "gba:improves", "MONDO:0002050"))
    store = remote.open()
    graphs = {q.graph_name.value for q in store.quads() if isinstance(q.graph_name, ox.NamedNode)}
    store.close()
    assert not any(g.startswith("https://w3id.org/gbkg/graph/changes/") for g in graphs)
