"""The web interface in a real browser, as a user meets it (issue 10), and the
workbench's paste → suggest → accept → submit flow (issue 13).

Runs in file order: the last test checks the whole session's request log.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from shared_folder import shared_dir
from web_helpers import TOKEN, check_page

pytestmark = pytest.mark.server

PAIR = {"subject": "gbkg:probiotic", "object": "MONDO:0002050"}


def api(server: Any, path: str, **params: str) -> Any:
    response = httpx.get(server.url + path, params=params, headers={"Accept": "application/json"})
    response.raise_for_status()
    return response.json()


def test_search_entity_claim_with_the_quote_highlighted(page: Any, server: Any) -> None:
    page.goto("/")
    check_page(page, "home")
    page.fill("#q", "serotonin")
    page.press("#q", "Enter")
    page.wait_for_selector("ol.hits li a")
    check_page(page, "search")
    page.click("ol.hits li a >> nth=0")
    page.wait_for_selector("h1")
    assert "serotonin" in page.inner_text("h1").lower()
    # claims grouped by proposition, findings told apart
    page.goto("/entities/" + PAIR["subject"])
    assert page.locator("article.proposition").count() >= 2
    assert page.locator(".badge.finding-effect").count() >= 1
    check_page(page, "entity")
    page.click("article.proposition li.claim a.statement >> nth=0")
    page.wait_for_selector("#quote")
    claim_id = page.url.rsplit("/", 1)[-1]
    stored = api(server, "/claims/" + claim_id)
    highlighted = page.eval_on_selector("#quote", "el => el.textContent")
    assert highlighted == stored["quote"]
    if "quote_position" in stored:
        assert int(page.get_attribute("#quote", "data-start")) == stored["quote_position"]["start"]
    assert page.locator("ul.formats a").count() == 4
    assert stored["statement"] in page.inner_text("h1")
    check_page(page, "claim-quote-only")


def test_a_quote_is_highlighted_in_its_stored_source_text(page: Any, server: Any) -> None:
    """The seed article's text is stored with its source: the mark sits in it at the
    stored offsets (code points, NBSPs kept)."""
    listed = api(server, "/claims", limit="100")["data"]
    claim = next(c for c in listed if (c.get("source") or {}).get("type") == "news-article")
    page.goto("/claims/" + claim["id"].rsplit("/", 1)[-1])
    page.wait_for_selector(".source-text[role=region] #quote")
    assert page.eval_on_selector("#quote", "el => el.textContent") == claim["quote"]
    before = page.evaluate(
        """() => {
          const mark = document.getElementById('quote');
          const r = document.createRange();
          r.setStart(mark.closest('.source-text'), 0);
          r.setEnd(mark, 0);
          return Array.from(r.toString()).length;
        }"""
    )
    assert before == claim["quote_position"]["start"]
    text = (shared_dir() / "seed" / "article.txt").read_text(encoding="utf-8")
    start, end = claim["quote_position"]["start"], claim["quote_position"]["end"]
    assert text[start:end] == claim["quote"]
    check_page(page, "claim")


def test_the_formats_links_serve_the_claim_as_data(page: Any, server: Any) -> None:
    claim = api(server, "/claims", limit="1")["data"][0]
    local = claim["id"].rsplit("/", 1)[-1]
    for fmt, expected in (
        ("json", "application/json"),
        ("ttl", "text/turtle"),
        ("jsonld", "application/ld+json"),
        ("trig", "application/trig"),
    ):
        response = page.request.get(
            f"/claims/{local}?format={fmt}", headers={"Accept": "text/html"}
        )
        assert response.ok and response.headers["content-type"].startswith(expected)


def test_evidence_view_draws_one_mark_per_line_and_the_claims_as_edges(
    page: Any, server: Any
) -> None:
    data = api(server, "/evidence", **PAIR)
    if "lines" in data:
        lines = len(data["lines"])
        pair = len(
            {c["id"] for line in data["lines"] for c in line["claims"]}
            | {c["id"] for c in data.get("assertions", [])}
        )
    else:
        lines = sum(1 for c in data["claims"] if c["role"] in ("supporting", "opposing", "null"))
        pair = len(data["claims"])
    assert lines > 0
    page.goto("/evidence?subject=gbkg:probiotic&object=MONDO:0002050")
    assert page.locator("svg.forest .line-mark").count() == lines
    assert page.locator("table.lines tbody tr").count() == lines
    assert page.locator("svg.forest .no-effect-line").count() >= 1
    assert page.locator("svg.neighbourhood .edge.pair").count() == pair
    assert page.locator("svg.neighbourhood .edge").count() >= pair
    assert data["consensus"].replace("-", " ") in page.inner_text(".verdict")
    check_page(page, "evidence")


def test_paths_are_drawn_ranked(page: Any, server: Any) -> None:
    data = api(server, "/paths", source="gbkg:yogurt", target="MONDO:0002050")
    page.goto("/paths?source=gbkg:yogurt&target=MONDO:0002050")
    assert page.locator("svg.path-picture").count() == len(data["paths"])
    steps = sum(len(p["steps"]) for p in data["paths"])
    assert page.locator("svg.path-picture .edge").count() == steps
    check_page(page, "paths")


def test_a_named_query_shows_rows_and_a_syntax_error_its_line(page: Any) -> None:
    page.goto("/sparql")
    page.wait_for_selector(".CodeMirror")  # the editor took over the textarea
    assert page.locator(".CodeMirror .cm-keyword").count() > 0  # highlighted
    check_page(page, "query")
    form = page.locator("form.named", has=page.locator("input[value=claims-about]"))
    form.locator("input[name='param.entity']").fill("CHEBI:28790")
    form.locator("button").click()
    page.wait_for_selector("table.results tbody tr")
    assert page.locator("table.results tbody tr").count() > 0
    assert page.locator("table.results tbody a[href^='/claims/']").count() > 0
    assert page.locator(".downloads a").count() == 2
    check_page(page, "query-results")
    # prefix completion
    page.click(".CodeMirror")
    page.evaluate("document.querySelector('.CodeMirror').CodeMirror.setValue('')")
    page.keyboard.type("PREFIX gb")
    page.keyboard.press("Control+Space")
    page.wait_for_selector(".CodeMirror-hints li")
    assert "gba: <https://w3id.org/gbkg/ontology#>" in page.inner_text(".CodeMirror-hints")
    page.keyboard.press("Escape")
    page.evaluate(
        "document.querySelector('.CodeMirror').CodeMirror.setValue("
        "'SELECT ?s WHERE {\\n  ?s ?p\\n}')"
    )
    page.click("#query-form button[type=submit]")
    page.wait_for_selector("#query-error")
    assert page.get_attribute("#query-error", "data-line") == "3"
    assert "line 3" in page.inner_text("#query-error")
    assert page.locator(".CodeMirror .cm-error-line").count() == 1
    check_page(page, "query-error")


def test_downloads_come_as_csv_and_json(page: Any) -> None:
    url = "/sparql?named=claims-about&param.entity=CHEBI%3A28790"
    csv_text = page.request.get(url + "&download=csv", headers={"Accept": "text/html"}).text()
    assert "claim" in csv_text.splitlines()[0].split(",")
    body = page.request.get(url + "&download=json", headers={"Accept": "text/html"}).json()
    assert body["results"]["bindings"]


def _token(page: Any) -> None:
    page.fill("#token", TOKEN)


def _fill_claim(page: Any) -> None:
    page.fill("#f-subject", "gbkg:probiotic")
    page.select_option("#f-predicate", "gba:improves")
    page.fill("#f-object", "MONDO:0002050")
    page.select_option("#f-finding", "effect")


def test_the_workbench_puts_a_violation_beside_its_field(page: Any) -> None:
    page.goto("/workbench")
    _token(page)
    check_page(page, "workbench")
    _fill_claim(page)
    page.select_option("#f-statistics\\.effect_measure", "OR")
    assert "1" in page.inner_text("#no-effect")
    page.fill("#f-statistics\\.p_value", "3")
    message = page.locator("#v-statistics\\.p_value")
    message.get_by_text("between 0 and 1").wait_for()
    assert page.get_attribute("#f-statistics\\.p_value", "aria-invalid") == "true"
    page.click("#submit")
    page.locator("#form-summary").get_by_text("problem").wait_for()
    assert "/workbench" in page.url  # nothing stored, still here
    check_page(page, "workbench-violations")
    # without the mouse: a typed quote found in the text, NBSP and typographic apostrophe kept
    text = "Gut 🦠 microbes\u00a0matter; the brain’s response varies."
    page.fill("#source-input", text)
    quote = "the brain’s response"
    page.fill("#f-quote", quote)
    page.click("#find-quote")
    start_cp = text.index(quote)  # code points: the microbe emoji counts once
    assert page.input_value("#f-quote_position\\.start") == str(start_cp)
    assert page.input_value("#f-quote_position\\.end") == str(start_cp + len(quote))


#: Where code points ``start`` and ``end - 1`` of the source view are on screen (scrolled
#: into view first).
RECTS_JS = """([start, end]) => {
  const view = document.getElementById('source-view');
  const node = view.firstChild;
  const text = node.textContent;
  const index = (cp) => {
    let i = 0;
    for (let k = 0; k < cp; k++) i += text.codePointAt(i) > 0xffff ? 2 : 1;
    return i;
  };
  const s = index(start), e = index(end);
  const first = document.createRange();
  first.setStart(node, s);
  first.setEnd(node, s + 1);
  view.scrollIntoView({block: 'start'});
  view.scrollTop += first.getBoundingClientRect().top - view.getBoundingClientRect().top - 20;
  const a = first.getBoundingClientRect();
  const last = document.createRange();
  last.setStart(node, e - 1);
  last.setEnd(node, e);
  const b = last.getBoundingClientRect();
  return {x1: a.left + 0.5, y1: a.top + a.height / 2, x2: b.right - 0.5, y2: b.top + b.height / 2};
}"""


def _drag_select(page: Any, start: int, end: int) -> None:
    """Select code points [start, end) of the source view with the mouse."""
    box = page.evaluate(RECTS_JS, [start, end])
    page.mouse.move(box["x1"], box["y1"])
    page.mouse.down()
    page.mouse.move((box["x1"] + box["x2"]) / 2, (box["y1"] + box["y2"]) / 2, steps=5)
    page.mouse.move(box["x2"], box["y2"], steps=5)
    page.mouse.up()


def test_the_workbench_stores_a_claim_whose_quote_was_selected_with_the_mouse(
    page: Any, server: Any
) -> None:
    text = (shared_dir() / "seed" / "article.txt").read_text(encoding="utf-8")
    # A sentence with NBSPs in it: the offsets count code points, NBSPs kept.
    quote = next(line for line in text.split("\n") if "\u00a0" in line and len(line) < 400)
    quote = quote.strip()
    start = text.index(quote)
    start_cp, end_cp = len(text[:start]), len(text[:start]) + len(quote)
    page.goto("/workbench")
    _token(page)
    page.fill("#source-input", text)
    page.wait_for_function("document.getElementById('source-view').textContent.length > 100")
    _drag_select(page, start_cp, end_cp)
    assert page.input_value("#f-quote") == quote
    assert page.input_value("#f-quote_position\\.start") == str(start_cp)
    assert page.input_value("#f-quote_position\\.end") == str(end_cp)
    _fill_claim(page)
    page.fill("#f-statement", "Web test: a claim whose quote was selected with the mouse.")
    page.fill("#f-source\\.title", "Seed article (browser test)")
    page.select_option("#f-source\\.type", "news-article")
    page.select_option("#f-evidence\\.study_design", "meta-analysis")
    page.locator("#form-summary").get_by_text("conforms").wait_for()
    page.click("#submit")
    page.wait_for_url("**/claims/*")
    page.wait_for_selector("#quote")
    stored = api(server, "/claims/" + page.url.rsplit("/", 1)[-1])
    assert stored["quote"] == quote
    assert stored["quote_position"] == {"start": start_cp, "end": end_cp}
    assert text[start_cp:end_cp] == stored["quote"]
    assert stored["curator"].endswith("webtester")


SUGGEST_TEXT = (
    "In a meta-analysis of 13 randomised trials, probiotics significantly reduced "
    "depressive symptoms (SMD −0.31, 95% CI −0.52 to −0.10; p = 0.004). "
    "Probiotics may also improve anxiety, but the evidence is weak."
)


def test_the_workbench_turns_a_suggested_candidate_into_a_claim(page: Any, server: Any) -> None:
    """Issue 13: paste → candidates highlighted in the text → accept → edit → submit.
    The text is test data written for this test (not a curated source)."""
    page.goto("/workbench")
    _token(page)
    page.fill("#source-input", SUGGEST_TEXT)
    page.fill("#f-source\\.title", "Browser test text")
    page.select_option("#f-source\\.type", "journal-article")
    page.click("#suggest")
    page.wait_for_selector("#candidates li.candidate")
    marks = page.locator("#source-view .cand")
    assert marks.count() >= 1
    first = page.locator("#candidates li.candidate >> nth=0")
    first.get_by_role("button", name="Accept into the form").click()
    quote = page.input_value("#f-quote")
    assert quote and quote in SUGGEST_TEXT
    start = int(page.input_value("#f-quote_position\\.start"))
    assert SUGGEST_TEXT[start : start + len(quote)] == quote
    check_page(page, "workbench-candidates")
    # the curator edits what the candidate left open, then submits
    for selector, value in (("#f-subject", "gbkg:probiotic"), ("#f-object", "MONDO:0002050")):
        if not page.input_value(selector):
            page.fill(selector, value)
    if not page.input_value("#f-predicate"):
        page.select_option("#f-predicate", "gba:improves")
    if not page.input_value("#f-statement"):
        page.fill("#f-statement", "Probiotics reduced depressive symptoms (browser test).")
    page.fill("#f-source\\.title", "Browser test text")
    page.select_option("#f-source\\.type", "journal-article")
    if not page.input_value("#f-evidence\\.study_design"):
        page.select_option("#f-evidence\\.study_design", "meta-analysis")
    page.locator("#form-summary").get_by_text("conforms").wait_for()
    page.click("#submit")
    page.wait_for_url("**/claims/*")
    stored = api(server, "/claims/" + page.url.rsplit("/", 1)[-1])
    assert stored["quote"] == quote


def test_a_file_of_claims_loads_with_progress_and_results(page: Any, tmp_path: Any) -> None:
    good = api_claim("Web test batch claim one.")
    bad = {**api_claim("Web test batch claim two."), "statistics": {"p_value": 7}}
    path = tmp_path / "claims.jsonl"
    path.write_text("\n".join(json.dumps(c) for c in (good, bad)), encoding="utf-8")
    page.goto("/workbench")
    _token(page)
    page.set_input_files("#batch-file", str(path))
    page.click("#batch-form button[type=submit]")
    page.wait_for_selector("#batch-results li:nth-child(2)")
    assert page.get_attribute("#batch-progress", "value") == "2"
    assert page.locator("#batch-results li.ok").count() == 1
    assert "p_value" in page.inner_text("#batch-results li.failed")


def api_claim(statement: str) -> dict[str, Any]:
    return {
        "subject": "gbkg:probiotic",
        "predicate": "gba:improves",
        "object": "MONDO:0002050",
        "finding": "effect",
        "statement": statement,
        "quote": statement,
        "source": {"title": "Browser test batch", "type": "journal-article"},
        "evidence": {"study_design": "rct"},
    }


def test_retract_from_the_claim_page(page: Any, server: Any) -> None:
    created = httpx.post(
        server.url + "/claims",
        json=api_claim("Web test claim to retract."),
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert created.status_code == 201
    local = created.json()["id"].rsplit("/", 1)[-1]
    page.goto("/claims/" + local)
    page.fill("#retract-reason", "Browser test: retracted from the page.")
    page.fill("#retract-token", TOKEN)
    page.click("#retract-form button")
    page.wait_for_selector(".notice")
    assert "retracted from the page" in page.inner_text(".notice")
    assert api(server, "/claims/" + local)["status"] == "retracted"
    # hidden from the entity page unless asked for
    page.goto("/entities/gbkg:probiotic")
    assert "Web test claim to retract." not in page.inner_text("main")
    page.goto("/entities/gbkg:probiotic?include_retracted=true")
    assert "Web test claim to retract." in page.inner_text("main")


def test_supersede_from_the_claim_page(page: Any, server: Any) -> None:
    created = httpx.post(
        server.url + "/claims",
        json=api_claim("Web test claim with a wrong statement."),
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    old = created.json()["id"]
    page.goto("/claims/" + old.rsplit("/", 1)[-1])
    page.click("text=Supersede: correct this claim in the workbench")
    page.wait_for_function("document.getElementById('f-statement').value.length > 0")
    _token(page)
    page.fill("#f-statement", "Web test claim, corrected.")
    page.locator("#form-summary").get_by_text("conforms").wait_for()
    page.click("#submit")
    page.wait_for_url("**/claims/*")
    new = api(server, "/claims/" + page.url.rsplit("/", 1)[-1])
    assert new["statement"] == "Web test claim, corrected." and new["id"] != old
    before = api(server, "/claims/" + old.rsplit("/", 1)[-1])
    assert before["status"] == "superseded"
    page.goto("/claims/" + old.rsplit("/", 1)[-1])
    assert "Superseded" in page.inner_text(".notice")
    assert page.locator(".notice a[href='/claims/" + new["id"].rsplit("/", 1)[-1] + "']").count()


def test_pages_work_with_javascript_disabled(
    browser: Any, server: Any, requests_seen: list[str]
) -> None:
    ctx = browser.new_context(base_url=server.url, java_script_enabled=False)
    ctx.on("request", lambda request: requests_seen.append(request.url))
    try:
        page = ctx.new_page()
        page.goto("/entities/gbkg:probiotic")
        assert page.locator("li.claim").count() > 0
        page.goto("/?q=depress")
        assert page.locator("ol.hits li").count() > 0
        page.goto("/evidence?subject=gbkg:probiotic&object=MONDO:0002050")
        assert page.locator("svg.forest .line-mark").count() > 0
        page.goto("/sparql?named=claims-about&param.entity=CHEBI%3A28790")
        assert page.locator("table.results tbody tr").count() > 0
    finally:
        ctx.close()


def test_a_missing_entity_is_an_error_page(page: Any) -> None:
    response = page.goto("/entities/gbkg:no-such-entity")
    assert response.status == 404
    assert "no entity" in page.inner_text("[role=alert]")
    check_page(page, "error")


def test_api_docs_work_offline(page: Any) -> None:
    page.goto("/docs")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "gut-brain-kg" in page.inner_text(".swagger-ui .info .title")
    check_page(page, "docs")


def test_no_request_left_loopback(requests_seen: list[str]) -> None:
    assert requests_seen, "the browser tests made no request"
    hosts = {urlsplit(url).hostname for url in requests_seen if not url.startswith("data:")}
    assert hosts == {"127.0.0.1"}, hosts
