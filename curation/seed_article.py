"""The seed article's claims, curated by hand as claim records, and their build into RDF.

``kg/claims/seed-article.trig`` is generated from the records below: each quote
is looked up in the article (``../shared/seed/article.txt``; a space in a quote
written here matches a space or a no-break space, and the stored quote is the
exact text of the article with its code-point offsets), then every claim is
written by ``kg.record.writer``. ``tests/test_curated.py`` checks that the committed
TriG is what this script builds.

    python curation/seed_article.py            # rewrite kg/claims/seed-article.trig
    python curation/seed_article.py --check    # exit 1 if the TriG is out of date
    python curation/seed_article.py --table    # the claims table of docs/ontology.md
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any

from gbkg.kg.model import Claim
from gbkg.kg.record.writer import claims_trig

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "kg" / "claims" / "seed-article.trig"


def article_path() -> Path:
    return Path(os.environ.get("GBKG_SHARED", REPO.parent / "shared")) / "seed" / "article.txt"


SOURCE = {
    # The article's own headline is not in the seed text: a descriptive title, supplied
    # by the curator, in its own field. The article's text is stored with it (build()),
    # so the store checks every quote's offsets against it.
    "title_supplied_by_curator": (
        "News report: probiotics linked to modest improvements in depressive symptoms "
        "(a Clinical Nutrition meta-analysis)"
    ),
    "type": "news-article",
}
#: The systematic review and meta-analysis the article reports: one study record, shared
#: by every claim read from it. Title, authors, DOI and year are unknown; its id is minted
#: from these fields and the article's IRI (a partly known study, never merged with
#: another Spanish meta-analysis in Clinical Nutrition).
META = {
    "type": "meta-analysis",
    "journal": "Clinical Nutrition",
    "country": "Spain",
    "design": "meta-analysis",
    # "nearly 1,500" articles screened is not a count: not recorded as one.
    "counts": {"reviewed": 13, "meta_analysed": 7, "participants": 938},
    "population_shares": [
        {"population": "MONDO:0002009", "percent": 62},
        # "about 60% of participants were taking antidepressants"
        {"population": "taking antidepressants", "percent": 60, "relation": "≈"},
    ],
    # "an average of about 6.5 weeks, ranging from 28 days to eight weeks"
    "duration": {"min": 4, "max": 8, "mean": 6.5, "mean_relation": "≈", "unit": "weeks"},
    "interventions": ["capsules", "powders", "fermented milk", "tablets"],
    "outcomes": [
        "depressive symptoms (validated clinical scales)",
        "interleukin-6 in blood",
        "tumor necrosis factor-alpha in blood",
    ],
}
WHO = {"title": "World Health Organization", "type": "organization"}

#: "probiotics containing Lactobacillus and Bifidobacterium strains": strains of two genera.
LB = ["NCBITaxon:1578", "NCBITaxon:1678"]
ADULTS_WITH_DEPRESSION = {"condition": "MONDO:0002050", "age": "adults"}
#: "changes in depressive symptoms using validated clinical scales": a lower score is better.
SYMPTOMS = {
    "measure": "depressive symptoms",
    "instrument": "validated clinical depression scales",
    "benefit_direction": "lower",
}
INFLAMMATION = {"measure": "GO:0006954"}
EXPERT = {"study_design": "expert-opinion"}
#: Which level of the study a claim comes from; the counts are the study record's (META),
#: stated once: the pooled result (7 studies), the review (13 studies, 938 participants
#: "across all the studies"), or what the review looked at without pooling.
POOLED = {"study_design": "meta-analysis"}
REVIEWED = {"study_design": "systematic-review"}
LOOKED_AT = {"study_design": "systematic-review"}

RECORDS: list[dict] = [
    # --- the meta-analysis: the headline and the results ------------------------------------
    {
        "subject": "gbkg:probiotic", "predicate": "gba:improves", "object": "MONDO:0002050",
        "finding": "effect", "hedged": False,
        "statement": "Probiotics were linked to modest improvements in depressive symptoms in adults.",
        "quote": "Probiotics were linked to modest improvements in depressive symptoms in adults.",
        "outcome": SYMPTOMS,
        "primary_source": META,
        "evidence": POOLED,
        "context": ADULTS_WITH_DEPRESSION,
    },
    {
        "subject": "gbkg:probiotic", "predicate": "gba:effectDependsOn", "object": "gbkg:antidepressant",
        "finding": "assertion", "hedged": False,
        "statement": "The benefits of probiotics on depressive symptoms were strongest when probiotics were used alongside antidepressants.",
        "quote": "Benefits were strongest when probiotics were used alongside antidepressants.",
        "outcome": SYMPTOMS,
        "primary_source": META,
        "evidence": LOOKED_AT,
        "context": ADULTS_WITH_DEPRESSION,
    },
    {
        "subject": "gbkg:probiotic", "predicate": "gba:improves", "object": "MONDO:0002050",
        "finding": "effect", "hedged": False,
        "statement": "Probiotic supplementation was significantly associated with improvements in depressive symptoms.",
        "quote": "Probiotic supplementation was significantly associated with improvements in depressive symptoms.",
        "outcome": SYMPTOMS,
        "primary_source": META,
        "evidence": POOLED,
        "context": ADULTS_WITH_DEPRESSION,
    },
    {
        "subject": "gbkg:probiotic", "predicate": "gba:improves", "object": "MONDO:0002050",
        "finding": "effect", "hedged": False,
        "statement": "Seven of the 13 reviewed studies found that probiotics containing Lactobacillus and Bifidobacterium strains improved depression.",
        "quote": "Of the 13 studies reviewed, seven found that probiotics containing Lactobacillus and Bifidobacterium strains improved depression in patients with the condition.",
        "outcome": {"measure": "depression"},
        "primary_source": META,
        "evidence": REVIEWED,
        "quantity": {"value": 7, "unit": "studies", "of": "the 13 reviewed studies that found an improvement in depression"},
        "context": {**ADULTS_WITH_DEPRESSION, "strain": LB},
    },
    {
        "subject": "gbkg:probiotic", "predicate": "gba:effectDependsOn", "object": "gbkg:conventional-depression-treatment",
        "finding": "assertion", "hedged": False,
        "statement": "Several of the reviewed studies found that probiotics worked particularly well when used alongside conventional treatments.",
        "quote": "several studies found that probiotics worked particularly well when used alongside conventional treatments",
        "outcome": SYMPTOMS,
        "primary_source": META,
        "evidence": LOOKED_AT,
        "context": ADULTS_WITH_DEPRESSION,
    },
    {
        "subject": "gbkg:probiotic", "predicate": "gba:improves", "object": "MONDO:0002050",
        "finding": "effect", "hedged": False,
        "statement": "In one trial, probiotics significantly improved depression in women who were already taking SSRIs.",
        "quote": "one study found significant improvements in women with depression who were already taking selective serotonin reuptake inhibitors (SSRIs)",
        "primary_source": META,
        "evidence": {"study_design": "rct", "n_studies": 1},
        "context": {"condition": "MONDO:0002050", "sex": "female", "co_intervention": "gbkg:ssri"},
        "outcome": {"measure": "depressive symptoms"},
    },
    {
        "subject": "gbkg:probiotic", "predicate": "gba:effectDependsOn", "object": "gbkg:conventional-depression-treatment",
        "finding": "assertion", "hedged": True,
        "statement": "Probiotics may be most effective as an add-on to conventional treatment rather than as a standalone treatment.",
        "quote": "This suggests that probiotics may be most effective as an add-on therapy rather than a standalone treatment.",
        "outcome": SYMPTOMS,
        "evidence": EXPERT,
        "context": ADULTS_WITH_DEPRESSION,
    },
    {
        "subject": "gbkg:probiotic", "predicate": "gba:decreases", "object": "HGNC:6018",
        "finding": "null", "hedged": False,
        "statement": "In the reviewed studies, probiotic supplementation did not significantly lower blood levels of IL-6.",
        "outcome": {"measure": "HGNC:6018", "specimen": "blood"},
        "quote": "Neither IL-6 nor TNF-α levels decreased meaningfully with probiotic supplementation.",
        "primary_source": META,
        "evidence": LOOKED_AT,
        "context": ADULTS_WITH_DEPRESSION,
    },
    {
        "subject": "gbkg:probiotic", "predicate": "gba:decreases", "object": "HGNC:11892",
        "finding": "null", "hedged": False,
        "statement": "In the reviewed studies, probiotic supplementation did not significantly lower blood levels of TNF-α.",
        "outcome": {"measure": "HGNC:11892", "specimen": "blood"},
        "quote": "Neither IL-6 nor TNF-α levels decreased meaningfully with probiotic supplementation.",
        "primary_source": META,
        "evidence": LOOKED_AT,
        "context": ADULTS_WITH_DEPRESSION,
    },
    {
        "subject": "GO:0006954", "predicate": "gba:mediates", "object": "gbkg:mood",
        "finding": "assertion", "hedged": True,
        "statement": "Inflammation is thought to be one pathway through which gut bacteria might influence mood.",
        "quote": "inflammation is thought to be one pathway through which gut bacteria might influence mood",
        "evidence": EXPERT,
    },
    {
        "subject": "gbkg:probiotic", "predicate": "gba:effectDependsOn", "object": "gbkg:probiotic-strain",
        "outcome": INFLAMMATION,
        "finding": "assertion", "hedged": True,
        "statement": "The researchers suggest that the effects of probiotics on inflammation may depend on the specific strains used.",
        "quote": "The researchers suggest that the effects of probiotics on inflammation may depend on factors like the specific strains used and an individual’s baseline inflammatory status.",
        "primary_source": META,
        "evidence": EXPERT,
    },
    {
        "subject": "gbkg:probiotic", "predicate": "gba:effectDependsOn", "object": "gbkg:baseline-inflammatory-status",
        "outcome": INFLAMMATION,
        "finding": "assertion", "hedged": True,
        "statement": "The researchers suggest that the effects of probiotics on inflammation may depend on a person's baseline inflammatory status.",
        "quote": "The researchers suggest that the effects of probiotics on inflammation may depend on factors like the specific strains used and an individual’s baseline inflammatory status.",
        "primary_source": META,
        "evidence": EXPERT,
    },
    # --- the study's stated limitations -------------------------------------------------------
    {
        "subject": "gbkg:probiotic-depression-trials", "predicate": "gba:hasAttribute", "object": "gbkg:intervention-heterogeneity",
        "finding": "assertion", "hedged": False,
        "statement": "The reviewed studies varied in the probiotic strains, doses and treatment durations used, which makes direct comparison difficult.",
        "quote": "The studies varied in the probiotic strains, dosages and treatment durations used, which makes direct comparisons tricky.",
        "primary_source": META,
        "evidence": LOOKED_AT,
    },
    {
        "subject": "gbkg:probiotic-depression-trials", "predicate": "gba:hasAttribute", "object": "gbkg:small-sample-size",
        "finding": "assertion", "hedged": False,
        "statement": "Most of the reviewed studies had relatively small sample sizes.",
        "quote": "Most studies also had relatively small sample sizes",
        "primary_source": META,
        "evidence": LOOKED_AT,
    },
    {
        "subject": "gbkg:probiotic", "predicate": "gba:effectDependsOn", "object": "gbkg:antidepressant",
        "finding": "assertion", "hedged": True,
        "statement": "About 60% of the participants were taking antidepressants, which may have influenced the results.",
        "quote": "about 60% of participants were taking antidepressants, which may have influenced the results",
        "primary_source": META,
        "evidence": LOOKED_AT,
    },
    {
        "subject": "gbkg:probiotic-strain", "predicate": "gba:improves", "object": "MONDO:0002050",
        "finding": "undetermined", "hedged": False,
        "statement": "The researchers could not determine which specific probiotic strains were most effective for depression.",
        "quote": "the researchers couldn’t determine which specific probiotic strains were most effective for depression",
        "primary_source": META,
        "evidence": REVIEWED,
        "outcome": {"measure": "depression"},
    },
    {
        "subject": "gbkg:probiotic", "predicate": "gba:improves", "object": "MONDO:0002050",
        "finding": "assertion", "hedged": False,
        "statement": "In the reviewed studies, people took probiotics for at least four weeks before seeing benefits.",
        "quote": "In the studies reviewed, people took probiotics for at least four weeks before seeing benefits.",
        "primary_source": META,
        "evidence": REVIEWED,
        "quantity": {"value": 4, "relation": "≥", "unit": "weeks", "of": "time taking probiotics before benefits were seen"},
    },
    # --- background: the gut-brain axis ---------------------------------------------------
    {
        "subject": "gbkg:gut-microbiota", "predicate": "gba:affects", "object": "gbkg:mood",
        "finding": "assertion", "hedged": True,
        "statement": "The microorganisms living in the digestive tract may influence mood.",
        "quote": "They may also influence your mood.",
        "evidence": EXPERT,
    },
    {
        "subject": "gbkg:probiotic", "predicate": "gba:studiedFor", "object": "MONDO:0002050",
        "finding": "assertion", "hedged": True,
        "statement": "Researchers have been exploring probiotics, which target the gut microbiome, as a complementary approach that could enhance depression treatment outcomes.",
        "quote": "researchers have been exploring complementary approaches that could enhance treatment outcomes. One promising avenue: targeting the gut microbiome with probiotics.",
        "evidence": EXPERT,
        "context": {"co_intervention": "gbkg:conventional-depression-treatment"},
    },
    {
        "subject": "GO:0006954", "predicate": "gba:associatedWith", "object": "MONDO:0002050",
        "finding": "assertion", "hedged": False,
        "statement": "Inflammation has been linked to depression.",
        "quote": "since inflammation has been linked to depression",
        "evidence": EXPERT,
    },
    {
        "subject": "gbkg:gut-microbiota", "predicate": "gba:communicatesWith", "object": "UBERON:0000955",
        "finding": "assertion", "hedged": False,
        "statement": "The gut microbiota communicates with the brain through the gut-brain axis.",
        "quote": "Your gut microbiota communicates with your brain through what scientists call the gut-brain axis",
        "evidence": EXPERT,
    },
    *[
        {
            "subject": "gbkg:gut-brain-axis", "predicate": "gba:communicatesVia", "object": channel,
            "finding": "assertion", "hedged": False,
            "statement": f"The gut-brain axis is a bidirectional communication system that involves {words}.",
            "quote": "a bidirectional communication system involving the vagus nerve, immune signaling and the production of neurotransmitters like serotonin",
            "evidence": EXPERT,
        }
        for channel, words in (
            ("UBERON:0001759", "the vagus nerve"),
            ("gbkg:immune-signaling", "immune signaling"),
            ("gbkg:neurotransmitter-production", "the production of neurotransmitters such as serotonin"),
        )
    ],
    {
        "subject": "UBERON:0001555", "predicate": "gba:produces", "object": "CHEBI:28790",
        "finding": "assertion", "hedged": False,
        "statement": "About 95% of the body's serotonin is produced in the gut.",
        "quote": "about 95% of your body’s serotonin is produced in the gut",
        "evidence": EXPERT,
        "quantity": {"value": 95, "relation": "≈", "unit": "percent", "of": "the body's serotonin"},
    },
    {
        "subject": "gbkg:gut-dysbiosis", "predicate": "gba:contributesTo", "object": "MONDO:0005371",
        "finding": "assertion", "hedged": True,
        "statement": "A disrupted balance of gut bacteria may contribute to mood disorders.",
        "quote": "When the balance of gut bacteria is disrupted, it may contribute to mood disorders.",
        "evidence": EXPERT,
    },
    {
        "subject": "MONDO:0002050", "predicate": "gba:negativelyAssociatedWith",
        "object": "gbkg:gut-microbiota-diversity",
        "finding": "assertion", "hedged": False,
        "statement": "People with depression often have less diversity in their gut microbiota than people without depression.",
        "quote": "Research has shown that people with depression often have less diversity in their gut microbiota compared to those without depression.",
        "evidence": EXPERT,
    },
    {
        "subject": "MONDO:0002050", "predicate": "gba:hasPrevalence", "object": "gbkg:people-worldwide",
        "finding": "assertion", "hedged": False,
        "statement": "Depression affects more than 280 million people worldwide, according to the World Health Organization.",
        "quote": "Depression affects more than 280 million people worldwide, according to the World Health Organization",
        "primary_source": WHO,
        "evidence": {"study_design": "expert-opinion", "population": "people worldwide"},
        "quantity": {"value": 280_000_000, "relation": ">", "unit": "people", "of": "people worldwide with depression"},
    },
    {
        "subject": "MONDO:0002050", "predicate": "gba:contributesTo", "object": "gbkg:disability",
        "finding": "assertion", "hedged": False,
        "statement": "Depression is one of the leading causes of disability globally.",
        "quote": "making it one of the leading causes of disability globally",
        "primary_source": WHO,
        "evidence": {"study_design": "expert-opinion", "population": "people worldwide"},
        "context": {"population": "gbkg:people-worldwide"},
    },
    # --- practical advice ------------------------------------------------------------------
    *[
        {
            "subject": taxon, "predicate": "gba:studiedFor", "object": "gbkg:mood",
            "finding": "assertion", "hedged": False,
            "statement": f"{name} is among the probiotics most studied for mood benefits.",
            "quote": "Some of the probiotics most studied for mood benefits include Lactobacillus acidophilus, Lactobacillus casei, Lactobacillus helveticus, Bifidobacterium longum and Bifidobacterium bifidum.",
            "evidence": EXPERT,
        }
        for taxon, name in (
            ("NCBITaxon:1579", "Lactobacillus acidophilus"),
            ("NCBITaxon:1582", "Lactobacillus casei (now Lacticaseibacillus casei)"),
            ("NCBITaxon:1587", "Lactobacillus helveticus"),
            ("NCBITaxon:216816", "Bifidobacterium longum"),
            ("NCBITaxon:1681", "Bifidobacterium bifidum"),
        )
    ],
    *[
        {
            "subject": food, "predicate": "gba:contains", "object": "gbkg:probiotic",
            "finding": "assertion", "hedged": False,
            "statement": f"{name.capitalize()} is a fermented food that naturally contains probiotics.",
            "quote": "Fermented foods like yogurt, kefir, sauerkraut, kimchi and kombucha naturally contain probiotics.",
            "evidence": EXPERT,
        }
        for food, name in (
            ("gbkg:yogurt", "yogurt"), ("gbkg:kefir", "kefir"), ("gbkg:sauerkraut", "sauerkraut"),
            ("gbkg:kimchi", "kimchi"), ("gbkg:kombucha", "kombucha"),
        )
    ],
    *[
        {
            "subject": food, "predicate": "gba:promotesGrowthOf", "object": "gbkg:beneficial-gut-bacteria",
            "finding": "assertion", "hedged": False,
            "statement": f"{name.capitalize()} are prebiotic foods that feed the beneficial bacteria in the gut." if name.endswith("s") else f"{name.capitalize()} is a prebiotic food that feeds the beneficial bacteria in the gut.",
            "quote": "Prebiotic foods like garlic, onions, bananas and oats feed the beneficial bacteria already in your gut.",
            "evidence": EXPERT,
        }
        for food, name in (
            ("gbkg:garlic", "garlic"), ("gbkg:onion", "onions"), ("gbkg:banana", "bananas"),
            ("gbkg:oat", "oats"),
        )
    ],
    {
        "subject": "gbkg:probiotic", "predicate": "gba:hasAttribute", "object": "gbkg:low-risk-of-harm",
        "finding": "assertion", "hedged": True,
        "statement": "Probiotics appear to be a safe, low-risk option alongside conventional depression treatment.",
        "quote": "probiotics appear to be a safe, low-risk option that may provide added benefits when used alongside conventional depression treatments",
        "evidence": EXPERT,
    },
]  # fmt: skip

CURATOR = "gbkg-curators"
CREATED = "2026-11-27T21:00:00Z"


def build(article: str) -> list[Claim]:
    """The claim records with their exact quotes, offsets, source and curator."""
    claims = []
    for record in RECORDS:
        words = record["quote"].split(" ")
        pattern = re.compile(r"[ \xa0]".join(re.escape(w) for w in words))
        matches = list(pattern.finditer(article))
        if len(matches) != 1:
            raise SystemExit(f"quote found {len(matches)} times: {record['quote']!r}")
        found = matches[0]
        full: dict[str, Any] = {
            # The article's text is stored once with its source: quote offsets are
            # checked against it on every write.
            "source": {**SOURCE, "text": article},
            **record,
            "quote": found.group(0),
            "quote_position": {"start": found.start(), "end": found.end()},
            "curator": CURATOR,
            "created": CREATED,
            "status": "active",
        }
        claims.append(Claim.model_validate(full))
    iris = [c.iri for c in claims]
    if len(set(iris)) != len(iris):
        raise SystemExit("two claims have the same content")
    return claims


HEADER = (
    "# Claims curated from the seed article (../shared/seed/article.txt): a news report of a\n"
    "# systematic review and meta-analysis of probiotics for depression in Clinical Nutrition.\n"
    "# One source; each claim is a nanopublication (head, assertion, provenance, pubinfo graphs);\n"
    "# sources (the article with its full text, the meta-analysis as one study record, the WHO)\n"
    "# and curators are described once, in their shared graphs. The article's headline, URL,\n"
    "# publisher and date are not in the seed text: its title is supplied by the curator, in\n"
    "# its own field. The meta-analysis's title, DOI and year are unknown.\n"
    "# Generated by curation/seed_article.py; quote offsets are code-point offsets into the\n"
    "# article text. See docs/curation-notes.md.\n\n"
)


def render(article: str) -> str:
    return claims_trig(build(article), header=HEADER)


def table(article: str) -> str:
    """The curated claims as the Markdown table of docs/ontology.md, in file order."""
    rows = [
        "| # | subject → predicate → object | finding | hedged | statement |",
        "|---|---|---|---|---|",
    ]
    for n, claim in enumerate(build(article), 1):
        triple = f"`{claim.subject}` → `{claim.predicate}` → `{claim.object}`"
        finding = claim.finding.value if claim.finding else ""
        hedged = "yes" if claim.hedged else "no"
        rows.append(f"| {n} | {triple} | {finding} | {hedged} | {claim.statement} |")
    return "\n".join(rows) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    parser.add_argument("--table", action="store_true", help="print the docs' claims table")
    args = parser.parse_args()
    if args.table:
        print(table(article_path().read_text(encoding="utf-8")), end="")
        return 0
    text = render(article_path().read_text(encoding="utf-8"))
    if args.check:
        same = OUT.read_text(encoding="utf-8") == text
        print(f"{OUT}: {'up to date' if same else 'OUT OF DATE'}")
        return 0 if same else 1
    OUT.write_text(text, encoding="utf-8")
    print(f"{len(RECORDS)} claims -> {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
