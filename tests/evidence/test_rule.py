"""The rule on claim records in memory: undetermined lines, certainty steps, contexts."""

from __future__ import annotations

from gbkg.kg.evidence.lines import Item, build_lines
from gbkg.kg.evidence.proposition import Direction, read
from gbkg.kg.evidence.verdict import weigh_lines
from gbkg.kg.model import Finding, StudyDesign
from gbkg.kg.projection import ClaimRecord, Relation, SourceRef, Vocabulary

G = "https://w3id.org/gbkg/ontology#"
VOCABULARY = Vocabulary(
    [
        Relation(G + "improves", "improves", opposite=G + "worsens"),
        Relation(G + "worsens", "worsens", opposite=G + "improves"),
    ]
)
SUBJECT, OBJECT = "https://w3id.org/gbkg/entity/probiotic", "http://example.org/depression"


def claim(n: int, finding: Finding, study: str, **fields: object) -> ClaimRecord:
    return ClaimRecord(
        iri=f"https://w3id.org/gbkg/claim/c{n}",
        subject=SUBJECT,
        predicate=G + str(fields.pop("predicate", "improves")),
        object=OBJECT,
        finding=finding,
        source=SourceRef(f"https://w3id.org/gbkg/source/{study}", study),
        **fields,  # type: ignore[arg-type]
    )


def verdict(*records: ClaimRecord):  # type: ignore[no-untyped-def]
    lines = build_lines("p", [Item(read(r, VOCABULARY)) for r in records])
    return lines, weigh_lines(lines)


def test_an_undetermined_finding_is_its_own_line_never_counted() -> None:
    effect = claim(1, Finding.EFFECT, "a", study_design=StudyDesign.RCT, n_participants=500)
    open_question = claim(2, Finding.UNDETERMINED, "b", study_design=StudyDesign.META_ANALYSIS)
    lines, v = verdict(effect, open_question)
    assert [ln.direction for ln in lines] == [Direction.SUPPORTS, Direction.UNDETERMINED]
    assert (v.consensus.value, v.certainty.value) == ("supported", "high")
    assert any("left the question open" in r for r in v.reasons)
    _, alone = verdict(open_question)
    assert alone.consensus.value == "insufficient" and alone.certainty is None


def test_the_opposite_relation_disputes() -> None:
    lines, v = verdict(
        claim(1, Finding.EFFECT, "a", study_design=StudyDesign.RCT),
        claim(2, Finding.EFFECT, "b", study_design=StudyDesign.COHORT, predicate="worsens"),
    )
    assert sorted(ln.direction.value for ln in lines) == ["disputes", "supports"]
    assert v.consensus.value == "contested"
    assert "down 1 for inconsistency" in " ".join(v.reasons)  # different designs: one level


def test_imprecision_and_a_crossing_interval() -> None:
    crossing = claim(
        1,
        Finding.EFFECT,
        "a",
        study_design=StudyDesign.RCT,
        statistics={"effect_size": -0.2, "ci_low": -0.5, "ci_high": 0.1},
    )
    _, v = verdict(crossing)
    assert v.certainty is not None and v.certainty.value == "moderate"
    assert any("crosses no effect" in r for r in v.reasons)
    small = claim(2, Finding.EFFECT, "b", study_design=StudyDesign.RCT, n_participants=60)
    _, v = verdict(small)
    assert v.certainty is not None and v.certainty.value == "moderate"
    assert any("60 participants" in r for r in v.reasons)


def test_animal_studies_start_low_and_are_indirect() -> None:
    _, v = verdict(
        claim(1, Finding.EFFECT, "a", study_design=StudyDesign.ANIMAL, n_participants=1000)
    )
    assert v.certainty is not None and v.certainty.value == "very low"


def test_a_multi_valued_context_overlapping_another_is_not_separated() -> None:
    a = claim(
        1,
        Finding.EFFECT,
        "a",
        study_design=StudyDesign.RCT,
        context={"population": ("adults", "older adults")},
    )
    b = claim(
        2, Finding.NULL, "b", study_design=StudyDesign.RCT, context={"population": "Older  adults"}
    )
    assert verdict(a, b)[1].consensus.value == "contested"
    c = claim(
        3, Finding.NULL, "c", study_design=StudyDesign.RCT, context={"population": "children"}
    )
    assert verdict(a, c)[1].consensus.value == "context-dependent"
