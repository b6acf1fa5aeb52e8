"""Acknowledged writes survive SIGKILL: a short form of ``bench/crash_long.py``.

A real ``gbkg serve`` takes claims from three writer processes at once and is
SIGKILLed three times while they write (and once more after they finish); then a
``gbkg load`` of a 40-claim file is killed part way, twice. On the store left on
disk: every acknowledged claim is there with its four graphs (0 lost), no claim
has only some of its graphs (0 partial), none has two creation times, curators
or statuses (0 duplicates), and each killed load's file is stored whole or not
at all. A server then starts on that store. See ``bench/crash.py``.
"""

from __future__ import annotations

from pathlib import Path

from bench.crash import Plan, run


def test_writes_survive_repeated_sigkills(tmp_path: Path) -> None:
    plan = Plan(kills=3, writers=3, claims_per_writer=35, load_kills=2, load_claims=40)
    verdict, log = run(plan, tmp_path)
    report = verdict.summary() + "\n" + "\n".join(log)
    assert verdict.acknowledged == plan.writers * plan.claims_per_writer, report
    assert verdict.lost == [], report
    assert verdict.partial == [], report
    assert verdict.duplicates == [], report
    assert verdict.loads_torn == [], report
    assert verdict.loads_whole >= 1, report  # the unkilled load, at least
