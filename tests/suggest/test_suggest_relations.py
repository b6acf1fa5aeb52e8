"""Relation cues, their direction, lists, members, qualifiers: claims as a curator reads them."""

from __future__ import annotations

import pytest

from gbkg.kg.ids import expand
from gbkg.kg.projection import Vocabulary
from gbkg.kg.store import OxigraphStore
from gbkg.kg.suggest.engine import Suggester
from gbkg.kg.suggest.relations import RELATION_CUES


def triples(suggester: Suggester, text: str) -> list[tuple[str | None, ...]]:
    found = suggester.suggest(text, validate=False).candidates
    return [
        (c.claim.get("subject"), c.claim.get("predicate"), c.claim.get("object")) for c in found
    ]


def test_every_cue_names_a_relation_of_the_ontology(reference: OxigraphStore) -> None:
    relations = Vocabulary.from_store(reference).relations
    for cue in RELATION_CUES:
        assert str(expand(cue.predicate)) in relations, cue.name


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Probiotics reduce IL-6.", ("gbkg:probiotic", "gba:decreases", "HGNC:6018")),
        # passive: the entity after the verb is the subject
        (
            "About 95% of serotonin is produced in the gut.",
            ("UBERON:0001555", "gba:produces", "CHEBI:28790"),
        ),
        # an agent after "with"
        (
            "IL-6 levels decreased with probiotic supplementation.",
            ("gbkg:probiotic", "gba:decreases", "HGNC:6018"),
        ),
        # the means after "with"
        (
            "Targeting the gut microbiome with probiotics.",
            ("gbkg:probiotic", "gba:affects", "gbkg:gut-microbiota"),
        ),
        # a decrease of a condition is an improvement
        (
            "Probiotics reduced depressive symptoms.",
            ("gbkg:probiotic", "gba:improves", "MONDO:0002050"),
        ),
        # the more specific cue wins
        (
            "Probiotic supplementation was associated with improvements in depressive symptoms.",
            ("gbkg:probiotic", "gba:improves", "MONDO:0002050"),
        ),
        (
            "Inflammation has been linked to depression.",
            ("GO:0006954", "gba:associatedWith", "MONDO:0002050"),
        ),
        (
            "Depression affects more than 280 million people worldwide.",
            ("MONDO:0002050", "gba:hasPrevalence", "gbkg:people-worldwide"),
        ),
        (
            "People with depression have less diversity in their gut microbiota.",
            ("MONDO:0002050", "gba:negativelyAssociatedWith", "gbkg:gut-microbiota-diversity"),
        ),
        (
            "Probiotics appear to be a safe option.",
            ("gbkg:probiotic", "gba:hasAttribute", "gbkg:low-risk-of-harm"),
        ),
    ],
)
def test_direction(suggester: Suggester, text: str, expected: tuple[str, ...]) -> None:
    assert expected in triples(suggester, text)


def test_a_list_gives_one_claim_per_member(suggester: Suggester) -> None:
    text = "Fermented foods like yogurt, kefir and kimchi naturally contain probiotics."
    assert triples(suggester, text) == [
        (food, "gba:contains", "gbkg:probiotic")
        for food in ("gbkg:yogurt", "gbkg:kefir", "gbkg:kimchi")
    ]


def test_members_stand_for_what_they_include(suggester: Suggester) -> None:
    text = (
        "Some of the probiotics most studied for mood benefits include Lactobacillus "
        "acidophilus and Bifidobacterium longum."
    )
    assert triples(suggester, text) == [
        ("NCBITaxon:1579", "gba:studiedFor", "gbkg:mood"),
        ("NCBITaxon:216816", "gba:studiedFor", "gbkg:mood"),
    ]


def test_examples_of_an_entity_stay_out(suggester: Suggester) -> None:
    text = (
        "The gut-brain axis is a communication system involving the vagus nerve and the "
        "production of neurotransmitters like serotonin."
    )
    assert triples(suggester, text) == [
        ("gbkg:gut-brain-axis", "gba:communicatesVia", "UBERON:0001759"),
        ("gbkg:gut-brain-axis", "gba:communicatesVia", "gbkg:neurotransmitter-production"),
    ]


def test_co_intervention_and_strains_are_qualifiers(suggester: Suggester) -> None:
    text = (
        "Seven studies found that probiotics containing Lactobacillus strains improved "
        "depression in women who were already taking SSRIs."
    )
    (candidate,) = suggester.suggest(text, validate=False).candidates
    claim = candidate.claim
    assert (claim["subject"], claim["predicate"], claim["object"]) == (
        "gbkg:probiotic",
        "gba:improves",
        "MONDO:0002050",
    )
    assert claim["context"]["co_intervention"] == "gbkg:ssri"
    assert claim["context"]["strain"] == "NCBITaxon:1578"
    assert claim["finding"] == "effect"


def test_a_qualifier_phrase_that_is_more_than_an_entity_stays_words(suggester: Suggester) -> None:
    # "conventional depression treatments" alone is now a known entity
    # (gbkg:conventional-depression-treatment); with "in older adults" it is more than one.
    text = (
        "Probiotics may provide added benefits when used alongside conventional depression "
        "treatments in older adults."
    )
    (candidate,) = suggester.suggest(text, validate=False).candidates
    assert (
        candidate.claim["context"]["co_intervention"]
        == "conventional depression treatments in older adults"
    )


def test_comparator_and_outcome_are_in_the_claim(suggester: Suggester) -> None:
    text = (
        "There was no significant difference in mood between the probiotic and placebo "
        "groups (SMD −0.128, 95% CI −0.261 to 0.00463, P=0.059)."
    )
    (candidate,) = suggester.suggest(text, validate=False).candidates
    assert candidate.claim["comparator"] == "placebo"
    assert candidate.claim["outcome"] == {"measure": "gbkg:mood"}


def test_an_aim_is_not_a_claim(suggester: Suggester) -> None:
    text = "To investigate the connection between probiotics and depression, trials were pooled."
    assert triples(suggester, text) == []


def test_a_pronoun_subject_is_left_unknown(suggester: Suggester) -> None:
    (candidate,) = suggester.suggest(
        "They may also influence your mood.", validate=False
    ).candidates
    assert "subject" not in candidate.claim
    assert candidate.claim["hedged"] is True
    subject = next(r for r in candidate.reasons if r.field == "subject")
    assert "unknown" in subject.why
