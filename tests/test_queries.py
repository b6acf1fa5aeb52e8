"""The named queries answer their questions on the curated graph; the catalog binds typed params."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.errors import NotFoundError, ParameterError, QueryError
from gbkg.kg.ids import compress, expand
from gbkg.kg.model import Claim, Finding, Retraction
from gbkg.kg.queries import NamedQuery, Parameter, ParamType, QueryCatalog, projection
from gbkg.kg.record.writer import claim_quads, retraction_quads
from gbkg.kg.resources import query_files
from gbkg.kg.store import OxigraphStore
from tests.record_helpers import curated_claims

REQUIRED = {
    "claims-about",
    "null-results",
    "gut-brain-channels",
    "quantities",
    "claims-by-source",
    "studied-strains",
    "contested",
}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphStore]:
    with OxigraphStore(tmp_path_factory.mktemp("queries") / "store") as store:
        assert ensure_loaded(store)
        yield store


@pytest.fixture(scope="module")
def catalog() -> QueryCatalog:
    return QueryCatalog()


@pytest.fixture(scope="module")
def curated() -> list[Claim]:
    return curated_claims()


def rows(result: object) -> list[dict[str, object]]:
    """Solutions as dicts of Python values: IRIs as CURIEs, literals as their text."""
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    out = []
    for solution in result:
        row: dict[str, object] = {}
        for name in names:
            term = solution[name]
            if isinstance(term, ox.NamedNode):
                row[name] = compress(term.value)
            elif term is not None:
                row[name] = term.value
        out.append(row)
    return out


def run(catalog: QueryCatalog, store: OxigraphStore, name: str, **params: str) -> list[dict]:
    return rows(catalog.run(store, name, params))


# --- the catalog -----------------------------------------------------------------------


def test_catalog_lists_the_required_queries(catalog: QueryCatalog) -> None:
    assert set(catalog.names()) >= REQUIRED
    assert len(catalog.list()) == len(query_files())


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_every_query_has_a_header(catalog: QueryCatalog, name: str) -> None:
    query = catalog.get(name)
    assert query.summary
    assert query.columns
    assert set(query.columns) <= (projection(query.text) or set(query.columns))
    for param in query.params:
        assert param.name in (projection(query.text) or set())


def test_declared_parameters(catalog: QueryCatalog) -> None:
    assert catalog.get("claims-about").params == (Parameter("entity", ParamType.IRI),)
    assert catalog.get("claims-by-source").params == (Parameter("source", ParamType.IRI),)
    assert catalog.get("null-results").params == ()


def test_every_query_runs_on_an_empty_store(catalog: QueryCatalog, tmp_path: Path) -> None:
    with OxigraphStore(tmp_path / "empty") as empty:
        for query in catalog.list():
            params = {p.name: "gbkg:probiotic" for p in query.params}
            assert rows(query.run(empty, params)) == []


def test_unknown_query(catalog: QueryCatalog) -> None:
    with pytest.raises(NotFoundError, match="no-such-query"):
        catalog.get("no-such-query")


def test_missing_parameter_is_named(catalog: QueryCatalog, store: OxigraphStore) -> None:
    with pytest.raises(ParameterError, match="'entity'") as info:
        catalog.run(store, "claims-about", {})
    assert info.value.details["parameter"] == "entity"


def test_unknown_parameter_is_named(catalog: QueryCatalog, store: OxigraphStore) -> None:
    with pytest.raises(ParameterError, match="'subject'") as info:
        catalog.run(store, "claims-about", {"entity": "CHEBI:28790", "subject": "x"})
    assert info.value.details["parameter"] == "subject"


@pytest.mark.parametrize("value", ["NOPE:1", "not an iri", "serotonin"])
def test_bad_iri_parameter_is_named(
    catalog: QueryCatalog, store: OxigraphStore, value: str
) -> None:
    with pytest.raises(ParameterError, match="'entity'"):
        catalog.run(store, "claims-about", {"entity": value})


def test_iri_parameter_accepts_a_curie_or_a_full_iri(
    catalog: QueryCatalog, store: OxigraphStore
) -> None:
    by_curie = run(catalog, store, "claims-about", entity="CHEBI:28790")
    by_iri = run(catalog, store, "claims-about", entity=str(expand("CHEBI:28790")))
    assert by_curie == by_iri and by_curie


TYPED = NamedQuery.from_text(
    "typed",
    "#+ summary: Echo typed parameters\n"
    "#+ params: n (integer), x (decimal), flag (boolean), text (string), maybe (iri, optional)\n"
    "#+ columns: n, x, flag, text, maybe\n"
    "SELECT ?n ?x ?flag ?text ?maybe WHERE {}\n",
)


def test_typed_parameters_become_typed_literals(store: OxigraphStore) -> None:
    [row] = list(TYPED.run(store, {"n": "42", "x": "1.50", "flag": "TRUE", "text": "5-HT"}))
    assert row["n"] == ox.Literal("42", datatype=ox.NamedNode(str(expand("xsd:integer"))))
    assert Decimal(row["x"].value) == Decimal("1.5")
    assert row["flag"] == ox.Literal("true", datatype=ox.NamedNode(str(expand("xsd:boolean"))))
    assert row["text"] == ox.Literal("5-HT")
    assert row["maybe"] is None


@pytest.mark.parametrize(
    ("params", "bad"),
    [
        ({"n": "4.2", "x": "1", "flag": "true", "text": "t"}, "n"),
        ({"n": "4", "x": "one", "flag": "true", "text": "t"}, "x"),
        ({"n": "4", "x": "1", "flag": "yes", "text": "t"}, "flag"),
        ({"x": "1", "flag": "true", "text": "t"}, "n"),
    ],
)
def test_typed_parameter_errors_name_the_parameter(
    store: OxigraphStore, params: dict[str, str], bad: str
) -> None:
    with pytest.raises(ParameterError, match=f"'{bad}'") as info:
        TYPED.run(store, params)
    assert info.value.details["parameter"] == bad


def test_a_parameter_must_be_projected() -> None:
    with pytest.raises(QueryError, match=r"'entity'.*projection"):
        NamedQuery.from_text(
            "bad", "#+ summary: Bad\n#+ params: entity (iri)\nSELECT ?c WHERE { ?c ?p ?entity }"
        )


@pytest.mark.parametrize(
    "header",
    [
        "#+ params: entity (iri)\n",
        "#+ summary: S\n#+ params: entity (uri)\n",
        "#+ summary: S\n#+ params: entity\n",
    ],
)
def test_malformed_headers_are_refused(header: str) -> None:
    with pytest.raises(QueryError):
        NamedQuery.from_text("bad", header + "SELECT ?entity WHERE {}")


def test_catalog_entry(catalog: QueryCatalog) -> None:
    entry = catalog.get("claims-about")
    assert [(p.name, str(p.type), p.required) for p in entry.params] == [("entity", "iri", True)]
    assert list(entry.columns[:2]) == ["entity", "entityLabel"]
    assert "SELECT" in entry.text


# --- the answers -------------------------------------------------------------------------


def test_null_results_are_exactly_il6_and_tnf(catalog: QueryCatalog, store: OxigraphStore) -> None:
    found = run(catalog, store, "null-results")
    assert {r["object"] for r in found} == {"HGNC:6018", "HGNC:11892"}
    assert len(found) == 2
    for row in found:
        assert row["subject"] == "gbkg:probiotic" and row["predicate"] == "gba:decreases"
        assert row["subjectLabel"] == "probiotic" and row["predicateLabel"] == "decreases"
        # the article does not say the markers were pooled: the review looked at them
        assert row["studyDesign"] == "systematic-review"
    assert {r["objectLabel"] for r in found} == {"interleukin-6", "tumor necrosis factor"}
    assert all(r["sourceTitle"].startswith("News report") for r in found)


def test_gut_brain_channels(catalog: QueryCatalog, store: OxigraphStore) -> None:
    found = run(catalog, store, "gut-brain-channels")
    channels = {r["channel"] for r in found}
    assert {"UBERON:0001759", "gbkg:immune-signaling", "CHEBI:28790"} <= channels
    assert "gbkg:neurotransmitter-production" in channels
    labels = {r["channelLabel"] for r in found}
    assert {"vagus nerve", "immune signaling", "serotonin"} <= labels
    assert all(r.get("quote") for r in found)


def test_quantities(catalog: QueryCatalog, store: OxigraphStore) -> None:
    found = {(Decimal(r["value"]), r["unit"]): r for r in run(catalog, store, "quantities")}
    serotonin = found[(Decimal(95), "percent")]
    assert serotonin["object"] == "CHEBI:28790" and serotonin["objectLabel"] == "serotonin"
    assert serotonin["quantityOf"] == "the body's serotonin"
    assert "primarySource" not in serotonin and "primarySourceTitle" not in serotonin
    depression = found[(Decimal(280_000_000), "people")]
    assert depression["subject"] == "MONDO:0002050"
    assert depression["primarySourceTitle"] == "World Health Organization"
    assert (Decimal(7), "studies") in found


def test_studied_strains_are_the_five_species(catalog: QueryCatalog, store: OxigraphStore) -> None:
    found = run(catalog, store, "studied-strains")
    studied = {r["taxon"] for r in found if r["predicate"] == "gba:studiedFor"}
    assert studied == {
        "NCBITaxon:1579",
        "NCBITaxon:1582",
        "NCBITaxon:1587",
        "NCBITaxon:216816",
        "NCBITaxon:1681",
    }
    casei = next(r for r in found if r["taxon"] == "NCBITaxon:1582")
    assert casei["taxonLabel"] == "Lacticaseibacillus casei"
    assert "Lactobacillus casei" in casei["synonyms"]


def test_claims_about_serotonin(catalog: QueryCatalog, store: OxigraphStore) -> None:
    found = run(catalog, store, "claims-about", entity="CHEBI:28790")
    assert found
    assert all(r["entity"] == "CHEBI:28790" and r["entityLabel"] == "serotonin" for r in found)
    produced = [r for r in found if r["predicate"] == "gba:produces"]
    assert produced and produced[0]["subjectLabel"] == "digestive tract"
    assert produced[0]["role"] == "object"


def test_claims_about_an_entity_in_context(catalog: QueryCatalog, store: OxigraphStore) -> None:
    found = run(catalog, store, "claims-about", entity="gbkg:ssri")
    assert [r["role"] for r in found] == ["context"]
    assert found[0]["studyDesign"] == "rct"


def test_claims_about_probiotics_cover_all_their_claims(
    catalog: QueryCatalog, store: OxigraphStore, curated: list[Claim]
) -> None:
    found = run(catalog, store, "claims-about", entity="gbkg:probiotic")
    expected = {c.iri for c in curated if "gbkg:probiotic" in (c.subject, c.object)}
    assert {r["claim"] for r in found if r["role"] in ("subject", "object")} == {
        compress(i) for i in expected
    }


def test_claims_by_source(
    catalog: QueryCatalog, store: OxigraphStore, curated: list[Claim]
) -> None:
    article = curated[0].source
    assert article is not None
    found = run(catalog, store, "claims-by-source", source=article.minted_id())
    assert {r["claim"] for r in found} == {compress(c.iri) for c in curated}
    assert {r["sourceType"] for r in found} == {"news article"}


def test_claims_by_source_quotes_sit_at_their_offsets(
    catalog: QueryCatalog, store: OxigraphStore, curated: list[Claim], article_text: str
) -> None:
    article = curated[0].source
    assert article is not None
    found = run(catalog, store, "claims-by-source", source=article.minted_id())
    assert len(found) == len(curated)
    for row in found:
        start, end = int(row["quoteStart"]), int(row["quoteEnd"])
        assert article_text[start:end] == row["quote"]


def test_claims_by_primary_source(
    catalog: QueryCatalog, store: OxigraphStore, curated: list[Claim]
) -> None:
    who = next(c for c in curated if c.primary_source and c.primary_source.type == "organization")
    assert who.primary_source is not None
    found = run(catalog, store, "claims-by-source", source=who.primary_source.minted_id())
    # the 280 million figure and "one of the leading causes of disability" (one sentence)
    assert [r["role"] for r in found] == ["primary source", "primary source"]
    assert {r["sourceTitle"] for r in found} == {"World Health Organization"}


def test_the_curated_graph_is_not_contested(catalog: QueryCatalog, store: OxigraphStore) -> None:
    assert run(catalog, store, "contested") == []


# --- retraction and contradiction, on a copy of the curated graph --------------------------


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[OxigraphStore]:
    with OxigraphStore(tmp_path / "scratch") as store:
        ensure_loaded(store)
        yield store


def add(store: OxigraphStore, claim: Claim) -> Claim:
    store.extend(claim_quads(claim))
    return claim


def il6_null(curated: list[Claim]) -> Claim:
    return next(c for c in curated if c.object == "HGNC:6018")


def test_effect_against_null_is_contested(
    catalog: QueryCatalog, scratch: OxigraphStore, curated: list[Claim]
) -> None:
    null = il6_null(curated)
    effect = add(
        scratch,
        null.model_copy(
            update={
                "finding": Finding.EFFECT,
                "statement": "Probiotics reduced IL-6 in a new trial.",
            }
        ),
    )
    [row] = run(catalog, scratch, "contested")
    assert row["conflict"] == "effect vs null"
    assert (row["claimA"], row["claimB"]) == (compress(effect.iri), compress(null.iri))
    assert (row["findingA"], row["findingB"]) == ("effect", "null")
    assert row["objectLabel"] == "interleukin-6"


def test_opposite_relations_are_contested_once(
    catalog: QueryCatalog, scratch: OxigraphStore, curated: list[Claim]
) -> None:
    improves = next(c for c in curated if c.predicate == "gba:improves")
    worsens = add(
        scratch,
        improves.model_copy(
            update={"predicate": "gba:worsens", "statement": "Probiotics worsened depression."}
        ),
    )
    found = run(catalog, scratch, "contested")
    assert found and {r["conflict"] for r in found} == {"opposite relations"}
    pairs = [frozenset((r["claimA"], r["claimB"])) for r in found]
    assert len(pairs) == len(set(pairs))
    assert all(compress(worsens.iri) in pair for pair in pairs)


def test_retracted_claims_are_left_out(
    catalog: QueryCatalog, scratch: OxigraphStore, curated: list[Claim]
) -> None:
    null = il6_null(curated)
    # A retraction is a record of its own; the claim's graphs are not touched.
    scratch.extend(retraction_quads(null.iri, Retraction(reason="a test", by="tester")))
    assert {r["object"] for r in run(catalog, scratch, "null-results")} == {"HGNC:11892"}
    about = run(catalog, scratch, "claims-about", entity="HGNC:6018")
    assert about == []
