"""Frames: effect modification, stated limitations, proposed approaches.

The sentences here are test data written for these tests (general forms of the
prose, not quotes of a source and not the seed article's wording); the seed article's
own sentences are scored by ``bench/suggest_eval.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from gbkg.kg.suggest.engine import Suggester
from gbkg.kg.suggest.frames import LIMITATIONS, MODIFIERS, PROPOSALS

#: A short text that names its intervention and condition (the body of evidence on
#: probiotics for depression is an entity of the graph).
CONTEXT = "Probiotics improved depression (p = 0.01). "


def claims(suggester: Suggester, text: str) -> list[dict[str, Any]]:
    found = suggester.suggest(text, None, validate=False)
    return [c.claim for c in found.candidates]


def triple(claim: dict[str, Any]) -> tuple[Any, ...]:
    return claim.get("subject"), claim["predicate"], claim.get("object")


def reasons(suggester: Suggester, text: str, predicate: str) -> str:
    found = suggester.suggest(text, None, validate=False)
    (candidate,) = [c for c in found.candidates if c.claim["predicate"] == predicate]
    return " | ".join(r.why for r in candidate.reasons)


@pytest.mark.parametrize(
    ("text", "subject", "obj", "hedged"),
    [
        (
            "Probiotics were most effective as an adjunct to antidepressants.",
            "gbkg:probiotic",
            "gbkg:antidepressant",
            False,
        ),
        (
            "Bifidobacterium longum may work best when combined with prebiotics.",
            "NCBITaxon:216816",
            "gbkg:prebiotic",
            True,
        ),
        (
            "The benefit of probiotics was greater in combination with SSRIs.",
            "gbkg:probiotic",
            "gbkg:ssri",
            False,
        ),
    ],
)
def test_a_stronger_effect_with_a_co_treatment_is_effect_modification(
    suggester: Suggester, text: str, subject: str, obj: str, hedged: bool
) -> None:
    (claim,) = [c for c in claims(suggester, text) if c["predicate"] == "gba:effectDependsOn"]
    assert triple(claim) == (subject, "gba:effectDependsOn", obj)
    assert claim["finding"] == "assertion" and claim["hedged"] is hedged


def test_a_reported_subgroup_comparison_is_an_assertion_not_an_effect(
    suggester: Suggester,
) -> None:
    text = "Two trials found that probiotics worked especially well alongside SSRIs."
    (claim,) = claims(suggester, text)
    assert triple(claim) == ("gbkg:probiotic", "gba:effectDependsOn", "gbkg:ssri")
    assert claim["finding"] == "assertion"
    assert "not a test of interaction" in reasons(suggester, text, "gba:effectDependsOn")


def test_an_add_on_without_its_base_continues_the_previous_modification(
    suggester: Suggester,
) -> None:
    text = (
        "Probiotics were most effective when combined with antidepressants. "
        "Probiotics may therefore work best as an add-on therapy."
    )
    found = [c for c in claims(suggester, text) if c["predicate"] == "gba:effectDependsOn"]
    assert [c["object"] for c in found] == ["gbkg:antidepressant", "gbkg:antidepressant"]
    assert found[1]["hedged"] is True


@pytest.mark.parametrize(
    "text",
    [
        "The largest improvement was seen at week 8.",  # no co-treatment: not a modifier
        "Probiotics had greater effects on depression than placebo.",  # a comparator
        "Adjunctive probiotic therapy improved depressive symptoms.",  # add-on, no modifier
    ],
)
def test_no_modification_without_both_cues(suggester: Suggester, text: str) -> None:
    assert all(c["predicate"] != "gba:effectDependsOn" for c in claims(suggester, text))


def test_a_co_treatment_that_may_have_influenced_the_results_is_a_modifier(
    suggester: Suggester,
) -> None:
    text = (
        CONTEXT
        + "Many participants used antidepressants, which could have confounded the findings."
    )
    found = [c for c in claims(suggester, text) if c["predicate"] == "gba:effectDependsOn"]
    assert [triple(c) for c in found] == [
        ("gbkg:probiotic", "gba:effectDependsOn", "gbkg:antidepressant")
    ]
    assert found[0]["hedged"] is True
    alone = "Many participants used antidepressants, which could have confounded the findings."
    (claim,) = claims(suggester, alone)  # the text's only intervention: subject left open
    assert claim.get("subject") is None and claim["object"] == "gbkg:antidepressant"


@pytest.mark.parametrize(
    ("limitation", "obj", "new"),
    [
        ("The trials were underpowered.", "gbkg:small-sample-size", False),
        ("Most studies had small samples.", "gbkg:small-sample-size", False),
        (
            "The included trials differed in probiotic strains and doses.",
            "gbkg:intervention-heterogeneity",
            False,
        ),
        ("Follow-up was short.", "gbkg:short-follow-up", True),
        (
            "Substantial heterogeneity was found between the trials.",
            "gbkg:statistical-heterogeneity",
            True,
        ),
        ("Several trials had a high risk of bias.", "gbkg:risk-of-bias", True),
        ("Dietary changes may have biased the results.", "gbkg:possible-confounding", True),
    ],
)
def test_a_stated_limitation_is_an_attribute_of_the_body_of_evidence(
    suggester: Suggester, limitation: str, obj: str, new: bool
) -> None:
    found = suggester.suggest(CONTEXT + limitation, None, validate=False)
    (candidate,) = [c for c in found.candidates if c.claim["predicate"] == "gba:hasAttribute"]
    claim = candidate.claim
    assert triple(claim) == ("gbkg:probiotic-depression-trials", "gba:hasAttribute", obj)
    assert claim["finding"] == "assertion"
    proposed = [e["id"] for e in claim.get("entities", [])]
    assert proposed == ([obj] if new else [])  # unknown limitations are proposed, marked
    assert any(r.field == "subject" and r.cue == "inferred" for r in candidate.reasons)


@pytest.mark.parametrize(
    "text",
    [
        "There was no evidence of publication bias.",
        "Heterogeneity was low (I² = 12%).",
        "The trials were not small.",
    ],
)
def test_a_limitation_said_not_to_hold_is_none(suggester: Suggester, text: str) -> None:
    assert all(c["predicate"] != "gba:hasAttribute" for c in claims(suggester, CONTEXT + text))


def test_without_a_known_body_of_evidence_one_is_proposed(suggester: Suggester) -> None:
    text = "Kefir improved gut dysbiosis (p = 0.02). Most trials were small."
    (claim,) = [c for c in claims(suggester, text) if c["predicate"] == "gba:hasAttribute"]
    assert claim["subject"] == "gbkg:studies-of-kefir-for-gut-dysbiosis"
    assert {
        "id": "gbkg:studies-of-kefir-for-gut-dysbiosis",
        "type": "gba:BodyOfEvidence",
        "label": "studies of kefir for gut dysbiosis",
    } in claim["entities"]


def test_a_proposed_approach_is_studied_for_and_hedged(suggester: Suggester) -> None:
    text = "Lactobacillus plantarum is being investigated as a potential treatment for depression."
    (claim,) = claims(suggester, text)
    assert triple(claim) == ("gbkg:lactobacillus-plantarum", "gba:studiedFor", "MONDO:0002050")
    assert claim["finding"] == "assertion" and claim["hedged"] is True


def test_an_unnamed_approach_is_named_in_the_next_sentence(suggester: Suggester) -> None:
    text = (
        "Besides antidepressants, clinicians are exploring new treatments for depression. "
        "A promising candidate: kefir."
    )
    found = suggester.suggest(text, None, validate=False)
    studied = [c for c in found.candidates if c.claim["predicate"] == "gba:studiedFor"]
    (candidate,) = studied  # one claim for both sentences
    assert triple(candidate.claim) == ("gbkg:kefir", "gba:studiedFor", "MONDO:0002050")
    assert candidate.claim["quote"] == text
    assert candidate.claim["hedged"] is True  # "promising"


def test_the_cue_tables_are_documented() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parents[2] / "docs" / "suggest.md").read_text()
    doc = " ".join(text.split())  # a cue's name may be wrapped across lines
    for cue in (*MODIFIERS, *PROPOSALS, *LIMITATIONS):
        assert f"`{cue.name}`" in doc, cue.name
