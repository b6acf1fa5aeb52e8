"""One reader and one exporter for the CLI and the API (``kg.io``).

Each test here was written for a finding of the "one path for each thing" issue and
failed before: a Turtle claim ``POST /claims`` accepted was refused by ``gbkg load``;
``gbkg export --format turtle`` ended in a traceback; the CLI and ``/export`` wrote
different JSON-LD; exports carried no prefixes; a misspelt property in an RDF claim was
dropped; JSON-LD wrote ``obo:MONDO_0002050``, ``"hedged": "false"`` and a context URL of
the serving host.
"""

from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient

from gbkg.cli import main
from gbkg.kg.errors import InputError, ValidationFailed
from gbkg.kg.formats import RDF_FORMATS, JsonFormat, format_name
from gbkg.kg.io import rdf_bytes, read_claim, read_claims
from gbkg.kg.jsonld import CONTEXT_IRI, context_document, inline_contexts
from gbkg.kg.model import Claim, ClaimIn
from gbkg.kg.record.form import parse_claim
from gbkg.kg.record.writer import claim_quads
from gbkg.kg.settings import Settings
from tests.conftest import CURATOR_TOKEN
from tests.test_model import base_claim

AUTH = {"Authorization": f"Bearer {CURATOR_TOKEN}"}

TURTLE_CLAIM = """
@prefix gba: <https://w3id.org/gbkg/ontology#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix prov: <http://www.w3.org/ns/prov#> .
@prefix dct: <http://purl.org/dc/terms/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix gbkg: <https://w3id.org/gbkg/entity/> .
@prefix MONDO: <http://purl.obolibrary.org/obo/MONDO_> .
[] a gba:Claim ;
   rdf:subject gbkg:probiotic ; rdf:predicate gba:improves ; rdf:object MONDO:0002050 ;
   gba:finding gba:EffectFinding ;
   gba:statement "Probiotics improve depressive symptoms, written in Turtle." ;
   gba:quote [ a oa:TextQuoteSelector ; oa:exact "modest improvements" ] ;
   gba:statistics [ a gba:Statistics ; gba:effectMeasure gba:StandardizedMeanDifference ;
                    gba:effectSize -0.3 ; gba:ciLow -0.5 ; gba:ciHigh -0.1 ; gba:pValue 0.01 ] ;
   gba:evidence [ a gba:Evidence ; gba:studyDesign gba:MetaAnalysisDesign ] ;
   prov:wasDerivedFrom [ a gba:NewsArticle ; dct:title "A Turtle report" ] .
"""


def app_settings(tmp_path: Path) -> Settings:
    return Settings(
        store=str(tmp_path / "store"),
        curator_tokens=f"alice:{CURATOR_TOKEN}",  # type: ignore[arg-type]
    )


# Reading: one reader --------------------------------------------------------------------


def test_a_turtle_claim_the_api_accepts_loads_from_the_cli(tmp_path: Path, capsys) -> None:
    from gbkg.api.app import create_app

    path = tmp_path / "claim.ttl"
    path.write_text(TURTLE_CLAIM, encoding="utf-8")
    code = main(["--store", str(tmp_path / "cli-store"), "load", str(path)])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "1 claim(s) stored" in out
    with TestClient(create_app(app_settings(tmp_path))) as client:
        response = client.post(
            "/claims",
            content=TURTLE_CLAIM.encode(),
            headers={**AUTH, "Content-Type": "text/turtle"},
        )
    assert response.status_code == 201, response.text
    assert response.json()["object"] == "MONDO:0002050"


@pytest.mark.parametrize("fmt", [f for f in RDF_FORMATS if f != ox.RdfFormat.RDF_XML])
def test_every_format_reads_back_what_the_writer_wrote(fmt: ox.RdfFormat) -> None:
    claim = parse_claim(base_claim())
    if not fmt.supports_datasets:
        # One claim's graphs merged: the reader finds its parts by their links.
        merged = [ox.Quad(q.subject, q.predicate, q.object) for q in claim_quads(claim)]
        document = rdf_bytes(merged, fmt)
    else:
        document = rdf_bytes(claim_quads(claim), fmt)
    read = read_claim(document, fmt)
    assert read.iri == claim.iri
    # What the writer wrote, read back: the sources now carry their ids.
    assert read.model_dump(exclude={"source", "primary_source"}) == claim.model_dump(
        exclude={"source", "primary_source"}
    )
    assert read.source == claim.source.model_copy(update={"id": read.source.id})


def test_json_lines_and_json_lists_hold_many_claims() -> None:
    first, second = base_claim(), base_claim(statement="Another statement.")
    lines = f"{json.dumps(first)}\n\n{json.dumps(second)}\n".encode()
    from_lines = read_claims(lines, JsonFormat.JSON_LINES)
    from_list = read_claims(json.dumps([first, second]).encode(), JsonFormat.JSON)
    assert from_lines == from_list == [parse_claim(first), parse_claim(second)]


def test_the_errors_of_every_claim_of_a_file_come_together() -> None:
    bad = [base_claim(finding="maybe"), base_claim(), base_claim(statistics={"p_value": "x"})]
    with pytest.raises(ValidationFailed) as caught:
        read_claims(json.dumps(bad).encode(), JsonFormat.JSON)
    fields = {v.field for v in caught.value.violations}
    assert {"0.finding", "2.statistics.p_value"} <= fields


def test_a_turtle_file_of_several_claims_gives_each_its_entities() -> None:
    text = (
        TURTLE_CLAIM
        + """
    [] a gba:Claim ; rdf:subject <https://w3id.org/gbkg/entity/new-strain> ;
       rdf:predicate gba:improves ; rdf:object MONDO:0002050 ;
       gba:finding gba:AssertionFinding ; gba:statement "A second claim." ;
       gba:quote [ a oa:TextQuoteSelector ; oa:exact "second" ] ;
       prov:wasDerivedFrom [ a gba:NewsArticle ; dct:title "A Turtle report" ] .
    <https://w3id.org/gbkg/entity/new-strain> a gba:MicrobialTaxon ;
       <http://www.w3.org/2000/01/rdf-schema#label> "a new strain" .
    """
    )
    first, second = read_claims(text, ox.RdfFormat.TURTLE)
    assert first.entities == []
    assert [e.id for e in second.entities] == ["gbkg:new-strain"]


def test_a_document_of_one_claim_must_hold_one(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="exactly one gba:Claim; it describes 0"):
        read_claim(b"<https://e.org/a> <https://e.org/b> <https://e.org/c> .", ox.RdfFormat.TURTLE)


# RDF input is closed --------------------------------------------------------------------


def test_a_misspelt_property_in_an_rdf_claim_is_a_422_naming_it(client, auth) -> None:
    typo = TURTLE_CLAIM.replace("gba:pValue 0.01", "gba:pvalue 0.01")
    response = client.post(
        "/claims", content=typo.encode(), headers={**auth, "Content-Type": "text/turtle"}
    )
    assert response.status_code == 422, response.text
    (violation,) = response.json()["violations"]
    assert violation["field"] == "statistics.pvalue"
    assert "gba:pvalue" in violation["message"]
    assert "did you mean gba:pValue?" in violation["message"]
    same_in_json = base_claim(statistics={"pvalue": 0.01})
    response = client.post("/claims", json=same_in_json, headers=auth)
    assert response.status_code == 422
    assert "statistics.pvalue" in {v["field"] for v in response.json()["violations"]}


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        (("gba:pValue 0.01", 'gba:pValue "small"'), "statistics.p_value", "not a number"),
        (("gba:EffectFinding", "gba:Nonsense"), "finding", "not one of"),
        (("rdf:object MONDO:0002050", "rdf:object MONDO:0002050, MONDO:1"), "object", "two values"),
        (('dct:title "A Turtle report"', 'dct:title "A Turtle report" ; dct:titel "x"'),
         "source.titel", "dct:titel"),
        (("gba:studyDesign gba:MetaAnalysisDesign", "gba:studyDesign gba:MetaAnalysisDesign ; "
          "a gba:Quantity"), "evidence.type", "gba:Quantity"),
    ],
)  # fmt: skip
def test_rdf_that_maps_to_no_field_is_named(
    change: tuple[str, str], field: str, words: str
) -> None:
    text = TURTLE_CLAIM.replace(*change)
    assert text != TURTLE_CLAIM
    with pytest.raises(ValidationFailed) as caught:
        read_claim(text, ox.RdfFormat.TURTLE)
    found = {v.field: v.message for v in caught.value.violations}
    assert field in found, found
    assert words in found[field]


def test_statements_about_what_no_claim_names_are_refused() -> None:
    text = TURTLE_CLAIM + "<https://e.org/x> <https://e.org/p> <https://e.org/y> ."
    with pytest.raises(ValidationFailed, match="belong to no claim"):
        read_claims(text, ox.RdfFormat.TURTLE)


def test_an_export_loads_with_its_reference_graphs_skipped(tmp_path: Path, capsys) -> None:
    assert main(["--store", str(tmp_path / "a"), "export", "--format", "jsonld"]) == 0
    out, _ = capsys.readouterr()
    claims = read_claims(out, ox.RdfFormat.JSON_LD, model=Claim)
    assert len(claims) >= 20 and all(c.curator for c in claims)


# Writing: one exporter ------------------------------------------------------------------


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, tuple[bytes, str]]]:
    """The store's directory, and each format's ``GET /export`` bytes and Content-Type."""
    from gbkg.api.app import create_app

    settings = app_settings(tmp_path_factory.mktemp("exports"))
    found: dict[str, tuple[bytes, str]] = {}
    with TestClient(create_app(settings)) as client:
        for fmt in RDF_FORMATS:
            response = client.get("/export", params={"format": format_name(fmt)})
            assert response.status_code == 200, response.text
            found[format_name(fmt)] = (response.content, response.headers["content-type"])
    return settings.store, found


@pytest.fixture
def exports(exported) -> dict[str, bytes]:
    return {name: body for name, (body, _) in exported[1].items()}


@pytest.mark.parametrize("fmt", RDF_FORMATS, ids=format_name)
def test_the_cli_and_http_export_the_same_bytes(exported, capsysbinary, fmt: ox.RdfFormat) -> None:
    store, found = exported
    http, content_type = found[format_name(fmt)]
    assert main(["--store", store, "export", "--format", format_name(fmt)]) == 0
    cli = capsysbinary.readouterr().out
    assert cli == http
    assert content_type.startswith(fmt.media_type)
    if fmt != ox.RdfFormat.JSON_LD:
        assert len(list(ox.parse(http, format=fmt))) > 1000


@pytest.mark.parametrize("name", ["turtle", "trig"])
def test_turtle_and_trig_exports_carry_the_prefixes(exports, name: str) -> None:
    text = exports[name].decode("utf-8")
    assert "@prefix gba: <https://w3id.org/gbkg/ontology#> ." in text
    assert "MONDO:0002050" in text and "obo:MONDO_0002050" not in text


def test_json_ld_reads_as_the_json_api(exports) -> None:
    document = json.loads(exports["jsonld"])
    assert document["@context"] == CONTEXT_IRI
    nodes = [n for graph in document["@graph"] for n in graph.get("@graph", [graph])]
    claims = [n for n in nodes if n.get("@type") == "gba:Claim"]
    assert claims and all(isinstance(c["hedged"], bool) for c in claims)
    assert any(c.get("object") == "MONDO:0002050" for c in claims)
    assert "obo:" not in exports["jsonld"].decode()
    # Read with the context resolved locally, it is the store again.
    nquads = {str(q) for q in ox.parse(exports["nquads"], format=ox.RdfFormat.N_QUADS)}
    local = json.dumps(inline_contexts(document))
    assert {str(q) for q in ox.parse(local, format=ox.RdfFormat.JSON_LD)} == nquads


def test_the_context_is_generated_from_the_layout_and_prefixes() -> None:
    from gbkg.kg.ids import PREFIX_MAP
    from gbkg.kg.jsonld import build_context

    assert context_document() == build_context(), (
        "ontology/context.jsonld is out of date: run python -m gbkg.kg.jsonld"
    )
    context = context_document()["@context"]
    for prefix, namespace in PREFIX_MAP.items():
        value = context[prefix]
        if isinstance(value, dict):
            assert value == {"@id": namespace, "@prefix": True}
        else:
            assert value == namespace
    assert context["MONDO"]["@prefix"] is True
    assert context["curator"] == PREFIX_MAP["curator"] and context["source"] == PREFIX_MAP["source"]


def test_one_claim_as_json_ld_from_the_api(client, auth) -> None:
    sent = base_claim(
        object="MONDO:0002050", predicate="gba:improves", finding="effect", statistics=None
    )
    claim = client.post("/claims", json=sent, headers=auth)
    assert claim.status_code == 201, claim.text
    local = claim.json()["id"].rsplit("/", 1)[-1]
    document = client.get(f"/claims/{local}", headers={"Accept": "application/ld+json"}).json()
    assert document["@context"] == CONTEXT_IRI
    (assertion,) = [g for g in document["@graph"] if g["@id"].endswith("#assertion")]
    (node,) = [n for n in assertion["@graph"] if n["@id"] == "claim:" + local]
    assert node["object"] == "MONDO:0002050" and node["hedged"] is False
    posted_back = client.post(
        "/claims",
        content=json.dumps(document).encode(),
        headers={**auth, "Content-Type": "application/ld+json"},
    )
    assert posted_back.status_code == 200, posted_back.text
    assert posted_back.json()["id"] == claim.json()["id"]


def test_the_model_that_reads_exports_keeps_the_server_fields() -> None:
    claim = parse_claim(base_claim(curator="alice", created="2026-01-01T00:00:00Z"), Claim)
    document = rdf_bytes(claim_quads(claim), ox.RdfFormat.TRIG)
    (read,) = read_claims(document, ox.RdfFormat.TRIG, model=Claim)
    assert read.curator == "alice"
    (sent,) = read_claims(document, ox.RdfFormat.TRIG)
    assert type(sent) is ClaimIn and sent.iri == claim.iri


def test_the_sparql_graph_formats_are_the_rdf_formats() -> None:
    """/sparql offers CONSTRUCT results in its own order, in the same formats, each
    mapped by pyoxigraph (no second table of RDF formats)."""
    from gbkg.kg.sparql_formats import GraphFormat

    assert {f.oxigraph for f in GraphFormat} == set(RDF_FORMATS)
    assert all(f.oxigraph.media_type == f.value for f in GraphFormat)
