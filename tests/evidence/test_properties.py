"""Properties of the evidence rule (hypothesis), on claim records built in memory.

- Restating an existing line (another claim of the same study, same proposition) never
  changes the counts of lines.
- Permuting the order of the claims never changes the verdict.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gbkg.kg.evidence.lines import Item, build_lines
from gbkg.kg.evidence.proposition import read
from gbkg.kg.evidence.verdict import weigh_lines
from gbkg.kg.model import Finding, StudyDesign
from gbkg.kg.projection import ClaimRecord, Relation, SourceRef, Vocabulary

G = "https://w3id.org/gbkg/ontology#"
VOCABULARY = Vocabulary(
    [
        Relation(
            G + "improves", "improves", opposite=G + "worsens", parents=frozenset({G + "affects"})
        ),
        Relation(
            G + "worsens", "worsens", opposite=G + "improves", parents=frozenset({G + "affects"})
        ),
    ]
)
SUBJECT, OBJECT = (
    "https://w3id.org/gbkg/entity/probiotic",
    "http://purl.obolibrary.org/obo/MONDO_0002050",
)
STUDIES = [f"https://w3id.org/gbkg/source/s{i}" for i in range(4)]
POPULATIONS = [None, "adults", "Adults ", "older adults", "  older   adults"]

claims = st.builds(
    lambda n, predicate, finding, study, population, design: ClaimRecord(
        iri=f"https://w3id.org/gbkg/claim/c{n}",
        subject=SUBJECT,
        predicate=G + predicate,
        object=OBJECT,
        finding=finding,
        study_design=design,
        context={"population": population} if population else {},
        source=SourceRef(study, f"study {study[-2:]}"),
    ),
    st.integers(0, 10_000),
    st.sampled_from(["improves", "worsens"]),
    st.sampled_from([Finding.EFFECT, Finding.NULL, Finding.ASSERTION]),
    st.sampled_from(STUDIES),
    st.sampled_from(POPULATIONS),
    st.sampled_from([StudyDesign.META_ANALYSIS, StudyDesign.RCT, StudyDesign.COHORT, None]),
)


def verdict(records: list[ClaimRecord]) -> tuple[str, str | None, int]:
    readings = [read(r, VOCABULARY) for r in records]
    lines = build_lines("p", [Item(r) for r in readings])
    v = weigh_lines(lines)
    return v.consensus.value, v.certainty.value if v.certainty else None, len(lines)


def unique(records: list[ClaimRecord]) -> list[ClaimRecord]:
    return list({r.iri: r for r in records}.values())


@settings(max_examples=60, deadline=None)
@given(st.lists(claims, min_size=1, max_size=8), st.randoms(use_true_random=False))
def test_permuting_claims_never_changes_the_verdict(records: list[ClaimRecord], rnd) -> None:  # type: ignore[no-untyped-def]
    records = unique(records)
    shuffled = list(records)
    rnd.shuffle(shuffled)
    assert verdict(records) == verdict(shuffled)


@settings(max_examples=60, deadline=None)
@given(st.lists(claims, min_size=1, max_size=8), st.data())
def test_restating_an_existing_line_never_changes_the_line_counts(
    records: list[ClaimRecord], data: st.DataObject
) -> None:
    records = unique(records)
    tested = [r for r in records if r.finding is not Finding.ASSERTION]
    if not tested:
        return
    original = data.draw(st.sampled_from(tested))
    restated = ClaimRecord(
        iri=original.iri + "-restated",
        subject=original.subject,
        predicate=original.predicate,
        object=original.object,
        finding=original.finding,
        study_design=original.study_design,
        context=dict(original.context),
        source=original.source,
        statement="the same result, said again",
    )
    before = build_lines("p", [Item(read(r, VOCABULARY)) for r in records])
    after = build_lines("p", [Item(read(r, VOCABULARY)) for r in [*records, restated]])
    count = lambda lines: sorted((ln.iri, ln.direction.value) for ln in lines)  # noqa: E731
    assert count(before) == count(after)
    assert verdict(records)[:1] == verdict([*records, restated])[:1]
