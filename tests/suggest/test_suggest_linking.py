"""Entity mentions linked to the store's entities, near misses, and proposed new entities."""

from __future__ import annotations

from pathlib import Path

import pytest

from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.curation import ClaimService
from gbkg.kg.store import OxigraphStore
from gbkg.kg.suggest.engine import Suggester
from gbkg.kg.suggest.linking import EntityIndex, MentionStatus, singular
from tests.linking_support import add


def linked(index: EntityIndex, text: str) -> list[tuple[str, str, str]]:
    return [(m.text, m.id, m.status.value) for m in index.mentions(text)]


@pytest.mark.parametrize(
    ("text", "curie"),
    [
        ("probiotics", "gbkg:probiotic"),  # plural of the label
        ("Probiotic Supplementation", "gbkg:probiotic"),  # case, a synonym
        ("bananas", "gbkg:banana"),
        ("SSRIs", "gbkg:ssri"),
        ("IL6", "HGNC:6018"),  # hyphen-tolerant: the synonym is IL-6
        ("il-6", "HGNC:6018"),
        ("TNF-α", "HGNC:11892"),
        ("tumour necrosis factor-alpha", "HGNC:11892"),
        ("gut–brain axis", "gbkg:gut-brain-axis"),  # an en dash
        ("diversity in their gut microbiota", "gbkg:gut-microbiota-diversity"),
        ("depressive disorders", "MONDO:0002050"),
        ("L. acidophilus", "NCBITaxon:1579"),
    ],
)
def test_known_names(index: EntityIndex, text: str, curie: str) -> None:
    (mention,) = index.mentions(text)
    assert (mention.id, mention.status) == (curie, MentionStatus.KNOWN)
    assert mention.text == text


def test_the_longest_name_wins(index: EntityIndex) -> None:
    assert linked(index, "major depressive disorder and gut bacteria") == [
        ("major depressive disorder", "MONDO:0002009", "known"),
        ("gut bacteria", "gbkg:gut-microbiota", "known"),
    ]


def test_a_list_is_not_one_name(index: EntityIndex) -> None:
    assert [m.id for m in index.mentions("yogurt, kefir and garlic")] == [
        "gbkg:yogurt",
        "gbkg:kefir",
        "gbkg:garlic",
    ]


def test_near_misses_are_linked_and_marked(index: EntityIndex) -> None:
    found = index.mentions("serotonine and Lactobacillus acidophillus")
    assert [(m.id, m.status) for m in found] == [
        ("CHEBI:28790", MentionStatus.FUZZY),
        ("NCBITaxon:1579", MentionStatus.FUZZY),
    ]
    assert all(90 <= m.score < 100 for m in found)
    assert "near miss" in found[0].why()


def test_numbers_must_agree(index: EntityIndex) -> None:
    """ "interleukin 8" is one letter from "interleukin 6": not a near miss of it."""
    assert index.mentions("interleukin 8") == []
    assert [(m.id, m.status.value) for m in index.mentions("IL-8")] == [("gbkg:il-8", "proposed")]


def test_unknown_taxa_and_markers_are_proposed_never_guessed(index: EntityIndex) -> None:
    found = index.mentions(
        "Lactobacillus rhamnosus GG, L. reuteri DSM 17938 and Akkermansia muciniphila "
        "raised IL-10 and IFN-γ."
    )
    assert [(m.text, m.id, m.label, m.status.value) for m in found] == [
        (
            "Lactobacillus rhamnosus GG",
            "gbkg:lactobacillus-rhamnosus-gg",
            "Lactobacillus rhamnosus GG",
            "proposed",
        ),
        (
            "L. reuteri DSM 17938",
            "gbkg:lactobacillus-reuteri-dsm-17938",
            "Lactobacillus reuteri DSM 17938",
            "proposed",
        ),
        (
            "Akkermansia muciniphila",
            "gbkg:akkermansia-muciniphila",
            "Akkermansia muciniphila",
            "proposed",
        ),
        ("IL-10", "gbkg:il-10", "IL-10", "proposed"),
        ("IFN-γ", "gbkg:ifn-gamma", "IFN-γ", "proposed"),
    ]
    assert "proposed as a new entity" in found[0].why()


def test_english_after_a_genus_is_not_a_species(index: EntityIndex) -> None:
    found = index.mentions("Lactobacillus strains were used; Bifidobacterium were tested.")
    assert [(m.id, m.status.value) for m in found] == [
        ("NCBITaxon:1578", "known"),
        ("NCBITaxon:1678", "known"),
    ]


def test_a_proposal_is_a_new_entity_of_the_candidate(suggester: Suggester) -> None:
    text = "Lactobacillus rhamnosus significantly reduced depressive symptoms (p = 0.01)."
    source = {"title": "A trial", "type": "rct"}
    (candidate,) = suggester.suggest(text, source).candidates
    assert candidate.claim["subject"] == "gbkg:lactobacillus-rhamnosus"
    assert candidate.claim["entities"] == [
        {
            "id": "gbkg:lactobacillus-rhamnosus",
            "label": "Lactobacillus rhamnosus",
            "type": "gba:MicrobialTaxon",
        },
    ]
    subject = next(r for r in candidate.reasons if r.field == "subject")
    assert subject.cue == "proposed" and "confirm it" in subject.why
    assert candidate.validation is not None and candidate.validation.conforms


def test_singular() -> None:
    assert [
        singular(w)
        for w in ("probiotics", "species", "bacteria", "studies", "status", "analysis", "diseases")
    ] == [
        "probiotic",
        "species",
        "bacteria",
        "study",
        "status",
        "analysis",
        "disease",
    ]


def test_entities_added_by_a_claim_count_at_the_next_reading(tmp_path: Path) -> None:
    store = OxigraphStore(tmp_path / "store")
    ensure_loaded(store, curated=False)
    service = ClaimService(store)
    suggester = Suggester(store, service)
    text = "Lactobacillus reuteri DSM 17938 significantly reduced depressive symptoms (p = 0.01)."
    before = suggester.suggest(text, validate=False).candidates[0]
    assert before.claim["subject"] == "gbkg:lactobacillus-reuteri-dsm-17938"
    entity = {
        "id": "NCBITaxon:1598",
        "label": "Limosilactobacillus reuteri",
        "type": "gba:MicrobialTaxon",
        "synonyms": ["Lactobacillus reuteri DSM 17938"],
    }
    add(service, "NCBITaxon:1598", "gba:improves", "MONDO:0002050", entities=[entity])
    after = suggester.suggest(text, validate=False).candidates[0]
    assert after.claim["subject"] == "NCBITaxon:1598"
    store.close()
