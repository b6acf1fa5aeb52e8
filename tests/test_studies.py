"""Studies described once, citation chains, retraction records, supersession, quote offsets.

Test data, not curated claims: the study records below (counts, arms, shares) are made
up to exercise the fields; the quotes come from the seed article where its text is
stored (its source), and from a source without stored text otherwise.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.curation import ClaimService
from gbkg.kg.errors import ConflictError, ValidationFailed
from gbkg.kg.ids import compress, expand
from gbkg.kg.model import Claim, ClaimIn, Status
from gbkg.kg.record.form import parse_claim
from gbkg.kg.record.layout import GraphRole, retraction_iri
from gbkg.kg.record.reader import decode_claims
from gbkg.kg.record.writer import claim_quads
from gbkg.kg.store import OxigraphStore
from tests.test_model import base_claim

ARTICLE_QUOTE = "Neither IL-6 nor TNF-α levels decreased meaningfully"

NEWS = {"title": "A news report of a trial", "type": "news-article", "url": "https://example.org/n"}
META: dict[str, Any] = {
    "type": "meta-analysis",
    "journal": "Clinical Nutrition",
    "country": "Spain",
    "design": "meta-analysis",
    "counts": {"screened": 120, "reviewed": 13, "meta_analysed": 7, "participants": 938},
    "population_shares": [{"population": "MONDO:0002050", "percent": 62},
                          {"population": "taking antidepressants", "percent": 60,
                           "relation": "~"}],
    "duration": {"min": 4, "max": 8, "mean": 6.5, "mean_relation": "≈", "unit": "weeks"},
    "interventions": ["capsules", "fermented milk"],
    "outcomes": ["depressive symptoms"],
    "reports": ["https://doi.org/10.1000/rct.1"],
}
RCT = {"arms": [{"label": "probiotic", "n": 46, "role": "intervention"},
                {"label": "placebo", "n": 30, "role": "control"}]}  # fmt: skip


def study_claim(statement: str = "A study claim.", **changes: Any) -> ClaimIn:
    body = base_claim(statement=statement, **{"source": NEWS, "primary_source": META, **changes})
    body.pop("quote_position", None)
    return parse_claim(body)


def violations(service: ClaimService, claim: ClaimIn) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as raised:
        service.add(claim, curator="alice")
    return {v.field or "": v.message for v in raised.value.violations}


def own_graphs(store: OxigraphStore, iri: str) -> set[str]:
    return {
        str(q)
        for role in (GraphRole.HEAD, GraphRole.ASSERTION, GraphRole.PROVENANCE, GraphRole.PUBINFO)
        for q in store.quads(ox.NamedNode(role.graph_name(iri)))
    }


# Study records -----------------------------------------------------------------------


def test_a_study_record_round_trips() -> None:
    claim = study_claim()
    stored = Claim.stored(claim, curator="alice", created=None, entities=[])
    (decoded,), stray = decode_claims(claim_quads(stored))
    assert not stray and not decoded.violations
    again = Claim.model_validate(decoded.data)
    assert again.primary_source == stored.primary_source
    assert again.primary_source is not None and again.primary_source.counts is not None
    assert again.primary_source.counts.meta_analysed == 7
    # "about 60%", "about 6.5 weeks": the relation travels (and "~" is read as ≈)
    shares = {s.population: s.relation for s in again.primary_source.population_shares}
    assert shares == {"MONDO:0002050": None, "taking antidepressants": "≈"}
    assert again.primary_source.duration is not None
    assert again.primary_source.duration.mean_relation == "≈"


def test_how_exactly_a_share_is_stated_does_not_change_the_study() -> None:
    exact = META["population_shares"][1] | {"relation": None}
    plain = study_claim(primary_source={**META, "population_shares": [exact],
                                        "duration": {"min": 4, "max": 8, "mean": 6.5}})
    about = study_claim(primary_source={**META, "population_shares": [META["population_shares"][1]],
                                        "duration": {"min": 4, "max": 8, "mean": 6.5,
                                                     "mean_relation": "≈"}})
    assert plain.primary_source is not None and about.primary_source is not None
    assert plain.primary_source.iri == about.primary_source.iri


def test_partly_known_studies_of_two_sources_never_merge() -> None:
    one = study_claim()
    other = parse_claim({**one.model_dump(mode="json", exclude_none=True),
                         "source": {**NEWS, "url": "https://example.org/other"}})  # fmt: skip
    assert one.primary_source is not None and other.primary_source is not None
    assert one.primary_source.iri != other.primary_source.iri


def test_a_study_is_described_once_and_referred_to_by_id(store: OxigraphStore) -> None:
    service = ClaimService(store)
    first, _ = service.add(study_claim(), curator="alice")
    assert first.primary_source is not None
    by_id = study_claim("Again, by id.", primary_source={"id": first.primary_source.id})
    second, created = service.add(by_id, curator="alice")
    assert created and second.primary_source is not None
    assert second.primary_source.id == first.primary_source.id
    read = service.get(second.iri)
    assert read.primary_source == first.primary_source
    assert second.primary_source == read.primary_source, "the answer is the study as recorded"
    # A conflicting description of the recorded study is refused, naming the field.
    changed = {"id": first.primary_source.id, "design": "rct"}
    found = violations(service, study_claim("Conflicting.", primary_source=changed))
    assert "primary_source.design" in found and "recorded with design" in found[
        "primary_source.design"
    ]


def test_the_reports_chain_is_walkable(store: OxigraphStore) -> None:
    service = ClaimService(store)
    stored, _ = service.add(study_claim(), curator="alice")
    assert stored.source is not None
    rct = parse_claim({**base_claim(statement="The trial."), "quote_position": None,
                       "source": {"doi": "10.1000/rct.1", "title": "A trial", "type": "rct",
                                  **RCT}})  # fmt: skip
    service.add(rct, curator="alice")
    walk = store.query(
        "SELECT ?news ?study WHERE { ?news <https://w3id.org/gbkg/ontology#reports>+ ?study }",
        substitutions={"news": ox.NamedNode(stored.source.iri)},
    )
    assert isinstance(walk, ox.QuerySolutions)
    found = {row["study"].value for row in walk}
    assert stored.primary_source is not None  # news → meta-analysis → the trial
    assert {stored.primary_source.iri, "https://doi.org/10.1000/rct.1"} <= found


def test_a_reports_cycle_is_refused(store: OxigraphStore) -> None:
    service = ClaimService(store)
    stored, _ = service.add(study_claim(), curator="alice")  # news → meta-analysis → RCT
    assert stored.source is not None
    back = {"doi": "10.1000/rct.1", "title": "A trial", "type": "rct",
            "reports": [stored.source.iri]}  # the trial reporting the news: a cycle
    body = {**base_claim(statement="Cycle."), "source": back, "primary_source": None}
    body.pop("quote_position")
    found = violations(service, parse_claim(body))
    assert "would report itself" in found["source.reports"]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"counts": {"screened": 0}}, "primary_source.counts.screened", "positive"),
        ({"counts": {"reviewed": 13, "meta_analysed": 20}}, "primary_source.counts.meta_analysed",
         "more than counts.reviewed"),
        ({"population_shares": [{"population": "adults", "percent": 150}]},
         "primary_source.population_shares.percent", "0 to 100"),
        ({"duration": {"min": 8, "max": 4, "unit": "weeks"}}, "primary_source.duration.min",
         "not more than duration.max"),
        ({"duration": {"min": 1, "unit": "fortnights"}}, "primary_source.duration.unit",
         "days, weeks"),

        ({"arms": [{"label": "placebo", "n": 0}]}, "primary_source.arms.n", "positive"),
    ],
)  # fmt: skip
def test_a_bad_study_record_is_refused(
    store: OxigraphStore, change: dict[str, Any], field: str, words: str
) -> None:
    found = violations(ClaimService(store), study_claim(primary_source={**META, **change}))
    assert field in found, found
    assert words in found[field]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"duration": {"mean": 6, "mean_relation": "roughly"}},
         "primary_source.duration.mean_relation"),
        ({"population_shares": [{"population": "adults", "percent": 60, "relation": "~~"}]},
         "primary_source.population_shares.0.relation"),
    ],
)  # fmt: skip
def test_an_unknown_relation_is_refused_naming_its_field(
    change: dict[str, Any], field: str
) -> None:
    with pytest.raises(ValidationFailed) as raised:
        study_claim(primary_source={**META, **change})
    (violation,) = raised.value.violations
    assert violation.field == field and "≈" in violation.message


def test_a_curator_supplied_title_counts_as_a_title(store: OxigraphStore) -> None:
    source = {"type": "news-article", "url": "https://example.org/untitled",
              "title_supplied_by_curator": "News report on probiotics"}  # fmt: skip
    stored, _ = ClaimService(store).add(study_claim(source=source), curator="alice")
    assert stored.source is not None and stored.source.title is None
    untitled = {"type": "news-article", "url": "https://example.org/none"}
    found = violations(ClaimService(store), study_claim(source=untitled))
    assert "title_supplied_by_curator" in found["source.title"]


# Quote offsets against the source's text ------------------------------------------------


def test_quote_offsets_are_checked_against_the_stored_text(store: OxigraphStore) -> None:
    service = ClaimService(store)
    seed = next(c for c in service.find(limit=100).claims if c.source and c.source.type)
    assert seed.source is not None
    body = base_claim(statement="Offsets.", source={"id": seed.source.id}, primary_source=None)
    body["quote_position"] = {"start": 4000, "end": 4052}
    found = violations(service, parse_claim(body))
    message = found["quote_position"]
    assert "start 4000, end 4052 cover" in message and ARTICLE_QUOTE in message
    assert "the quote is at start 4048, end 4100" in message
    body["quote_position"] = {"start": 4048, "end": 4100}
    assert service.add(parse_claim(body), curator="alice")[1]


def test_a_quote_with_prefix_and_suffix_is_checked_where_the_text_is_known(
    store: OxigraphStore,
) -> None:
    service = ClaimService(store)
    text = "Intro. The trial found “no change” in IL-6 levels. End."
    source = {"title": "A trial report", "type": "report", "url": "https://example.org/t",
              "text": text}  # fmt: skip
    good = base_claim(statement="Prefix.", source=source, primary_source=None,
                      quote="“no change” in IL-6", quote_prefix="The trial found ",
                      quote_suffix=" levels")  # fmt: skip
    good.pop("quote_position")
    assert service.add(parse_claim(good), curator="alice")[1]
    bad = {**good, "statement": "Wrong prefix.", "quote_prefix": "The study found "}
    assert "quote" in violations(service, parse_claim(bad))


# Retraction and supersession -------------------------------------------------------------


def test_a_retraction_is_a_record_of_its_own(store: OxigraphStore) -> None:
    service = ClaimService(store)
    claim, _ = service.add(study_claim(), curator="alice")
    before = own_graphs(store, claim.iri)
    retracted = service.retract(claim.iri, reason="a duplicate", curator="bob")
    assert retracted.status is Status.RETRACTED
    assert own_graphs(store, claim.iri) == before  # the claim's graphs are untouched
    graph = ox.NamedNode(retraction_iri(claim.iri))
    assert store.contains_graph(graph)
    read = service.get(claim.iri)
    assert read.status is Status.RETRACTED and read.retraction is not None
    assert read.retraction.reason == "a duplicate" and read.retraction.by == "bob"
    assert claim.iri not in {c.iri for c in service.find(limit=1000).claims}
    assert claim.iri in {c.iri for c in service.find(limit=1000, include_retracted=True).claims}
    quads = list(store.quads(graph))
    with pytest.raises(ConflictError, match="already retracted"):
        service.retract(claim.iri, reason="again", curator="alice")
    assert list(store.quads(graph)) == quads  # no second record


def test_a_claim_supersedes_another(store: OxigraphStore) -> None:
    service = ClaimService(store)
    old, _ = service.add(study_claim("The old reading."), curator="alice")
    before = own_graphs(store, old.iri)
    new, created = service.add(
        study_claim("The corrected reading.", supersedes=old.iri), curator="bob"
    )
    assert created and new.supersedes is not None
    assert str(expand(new.supersedes)) == old.iri
    assert own_graphs(store, old.iri) == before
    read = service.get(old.iri)
    assert read.status is Status.SUPERSEDED and read.retraction is not None
    assert read.retraction.superseded_by == compress(new.iri)
    assert read.retraction.reason == f"superseded by {compress(new.iri)}"
    listed = {c.iri for c in service.find(limit=1000).claims}
    assert new.iri in listed and old.iri not in listed
    # The same write again changes nothing; superseding the old claim again is refused.
    assert service.add(study_claim("The corrected reading.", supersedes=old.iri),
                       curator="bob") == (service.get(new.iri), False)  # fmt: skip
    again = violations(service, study_claim("Another.", supersedes=old.iri))
    assert "already superseded by" in again["supersedes"]


def test_superseding_what_is_not_stored_is_refused(store: OxigraphStore) -> None:
    service = ClaimService(store)
    missing = "claim:" + "0" * 32
    found = violations(service, study_claim(supersedes=missing))
    assert "no claim" in found["supersedes"]
    claim, _ = service.add(study_claim("To retract."), curator="alice")
    service.retract(claim.iri, reason="wrong", curator="alice")
    found = violations(service, study_claim("After.", supersedes=claim.iri))
    assert "already retracted" in found["supersedes"]


def test_a_batch_supersedes_and_a_retraction_travels_with_its_claim(
    store: OxigraphStore, tmp_path: Path
) -> None:
    """``gbkg load``'s path: a file may supersede a claim given earlier in it; an exported
    retracted claim loads retracted, with its retraction record."""
    service = ClaimService(store)
    old = study_claim("The batch's first reading.")
    new = study_claim("The batch's correction.", supersedes=old.iri)
    results = service.add_many([old, new], curator="alice")
    assert [created for _, created in results] == [True, True]
    assert service.get(old.iri).status is Status.SUPERSEDED
    exported = service.quads_of(old.iri)
    (decoded,), _ = decode_claims(exported)
    again = Claim.model_validate(decoded.data)
    assert again.status is Status.SUPERSEDED and again.retraction is not None
    fresh = OxigraphStore(tmp_path / "fresh")
    ensure_loaded(fresh)
    other = ClaimService(fresh)
    other.add_many([again], curator="loader")
    read = other.get(old.iri)
    assert read.status is Status.SUPERSEDED and read.retraction == again.retraction
    assert list(fresh.quads(ox.NamedNode(retraction_iri(old.iri)))) == list(
        store.quads(ox.NamedNode(retraction_iri(old.iri)))
    )
    fresh.close()
