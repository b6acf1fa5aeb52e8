"""The curation assistant scored against gold data: what a curator would have kept.

Gold texts (``tests/suggest/gold/`` and the seed article):

- **seed** (development): the seed article (``../shared/seed/article.txt``) against
  the claims curated from it, read from ``curation/seed_article.py`` each time (so
  records added or re-curated there count at once);
- **ng2018** (development): two result sentences of Ng et al. 2018;
- **huang2016** (held out): three result sentences of Huang et al. 2016, not run
  while the cue lists were written.

Figures, per part and per text:

- *sentence recall*: the share of gold quotes a candidate covers (its quote overlaps
  at least half of the gold quote);
- for each gold claim, the covering candidate that fits it best (same statistics,
  subject, object, relation; one candidate per gold claim where possible) is its
  match, and *finding*, *hedge*, *relation* and *design agreement* are the shares of
  matched gold claims whose candidate has the same value;
- *entity linking* precision and recall: per sentence holding gold quotes, the
  entities the candidates name as subject or object against those of the gold claims;
- *statistics exact-match*: each statistic of a gold claim (measure, estimate, CI
  bounds and level, p as a value or a bound) read exactly; CIs and p-values counted
  on their own (target: all);
- *kept*: the share of candidates that are some gold claim's match.

    python -m bench.suggest_eval            # the table, the targets, the failures
    python -m bench.suggest_eval --json     # the figures as JSON
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gbkg.kg.bootstrap import ensure_loaded
from gbkg.kg.store import OxigraphStore
from gbkg.kg.suggest.candidate import Candidate
from gbkg.kg.suggest.engine import Suggester

REPO = Path(__file__).resolve().parent.parent
GOLD_DIR = REPO / "tests" / "suggest" / "gold"
TARGETS = {"sentence_recall": 0.9, "finding": 0.9, "hedge": 0.9, "ci_exact": 1.0, "p_exact": 1.0}
STATISTICS = ("effect_measure", "effect_size", "ci_low", "ci_high", "ci_level", "p_value")


@dataclass
class GoldClaim:
    quote: str
    start: int
    end: int
    fields: dict[str, Any]

    def get(self, path: str) -> Any:
        node: Any = self.fields
        for part in path.split("."):
            if not isinstance(node, dict):
                return None
            node = node.get(part)
        return node


@dataclass
class GoldText:
    id: str
    part: str  #: development or held-out
    text: str
    source: dict[str, Any] | None
    claims: list[GoldClaim]


def seed_gold(shared: Path | None = None) -> GoldText | None:
    """The seed article and its curated claims, from ``curation/seed_article.py``."""
    sys.path.insert(0, str(REPO))
    from curation import seed_article

    path = seed_article.article_path() if shared is None else shared / "seed" / "article.txt"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    claims = []
    for claim in seed_article.build(text):
        data = claim.model_dump(mode="json", exclude_none=True)
        position = claim.quote_position
        assert position is not None and claim.quote is not None
        claims.append(GoldClaim(claim.quote, position.start, position.end, data))
    return GoldText("seed", "development", text, dict(seed_article.SOURCE), claims)


def file_gold(path: Path) -> GoldText:
    data = json.loads(path.read_text(encoding="utf-8"))
    text = data["text"]
    claims = []
    for item in data["claims"]:
        quote = item["quote"]
        start = text.find(quote)
        if start < 0 or text.find(quote, start + 1) >= 0:
            raise ValueError(f"{path.name}: the quote is not found exactly once: {quote[:60]!r}")
        claims.append(GoldClaim(quote, start, start + len(quote), item))
    return GoldText(data["id"], data["part"], text, data.get("source"), claims)


def load_gold(shared: Path | None = None) -> list[GoldText]:
    texts = [seed_gold(shared)] + [file_gold(p) for p in sorted(GOLD_DIR.glob("*.json"))]
    return [t for t in texts if t is not None]


# Scoring ------------------------------------------------------------------------------


@dataclass
class Tally:
    """Counts that make the figures; tallies add up across texts."""

    quotes: int = 0
    quotes_covered: int = 0
    claims: int = 0
    matched: int = 0
    agree: dict[str, int] = field(default_factory=dict)
    entities_true: int = 0
    entities_predicted: int = 0
    entities_gold: int = 0
    statistics: int = 0
    statistics_exact: int = 0
    cis: int = 0
    cis_exact: int = 0
    ps: int = 0
    ps_exact: int = 0
    candidates: int = 0
    kept: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, other: Tally) -> None:
        for name, value in vars(other).items():
            mine = getattr(self, name)
            if isinstance(value, int):
                setattr(self, name, mine + value)
            elif isinstance(value, dict):
                for k, v in value.items():
                    mine[k] = mine.get(k, 0) + v
            else:
                mine.extend(value)

    def figures(self) -> dict[str, float | None]:
        def share(a: int, b: int) -> float | None:
            return round(a / b, 3) if b else None

        return {
            "sentence_recall": share(self.quotes_covered, self.quotes),
            "finding": share(self.agree.get("finding", 0), self.matched),
            "hedge": share(self.agree.get("hedged", 0), self.matched),
            "relation": share(self.agree.get("predicate", 0), self.matched),
            "design": share(self.agree.get("evidence.study_design", 0), self.matched),
            "entity_precision": share(self.entities_true, self.entities_predicted),
            "entity_recall": share(self.entities_true, self.entities_gold),
            "statistics_exact": share(self.statistics_exact, self.statistics),
            "ci_exact": share(self.cis_exact, self.cis),
            "p_exact": share(self.ps_exact, self.ps),
            "kept": share(self.kept, self.candidates),
        }

    def counts(self) -> dict[str, int]:
        return {
            "gold_quotes": self.quotes,
            "gold_claims": self.claims,
            "matched": self.matched,
            "candidates": self.candidates,
            "cis": self.cis,
            "p_values": self.ps,
        }


def _covers(candidate: Candidate, gold: GoldClaim) -> bool:
    position = candidate.claim.get("quote_position") or {}
    start, end = position.get("start", -1), position.get("end", -1)
    overlap = min(end, gold.end) - max(start, gold.start)
    return overlap * 2 >= gold.end - gold.start


def _value(candidate: Candidate, path: str) -> Any:
    """A candidate's value for a record path: from the claim, else from ``extracted``."""
    node: Any = candidate.claim
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    if node is None:
        node = candidate.extracted.get(path)
    return node


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, int | float) and isinstance(b, int | float):
        return float(a) == float(b)
    return a is not None and a == b


def _fit(candidate: Candidate, gold: GoldClaim) -> int:
    score = 0
    if gold.get("statistics.effect_size") is not None:
        same = _same(
            _value(candidate, "statistics.effect_size"), gold.get("statistics.effect_size")
        )
        score += 8 if same else 0
    for path, weight in (("subject", 2), ("object", 2), ("predicate", 1)):
        score += weight if _same(_value(candidate, path), gold.get(path)) else 0
    return score


def score_text(gold: GoldText, candidates: list[Candidate]) -> Tally:
    tally = Tally(candidates=len(candidates), claims=len(gold.claims))
    spans = {(c.start, c.end) for c in gold.claims}
    tally.quotes = len(spans)
    for start, end in spans:
        probe = GoldClaim("", start, end, {})
        if any(_covers(c, probe) for c in candidates):
            tally.quotes_covered += 1
        else:
            tally.failures.append(f"{gold.id}: no candidate covers {gold.text[start:end][:70]!r}")
    used: set[int] = set()
    for claim in gold.claims:
        covering = [c for c in candidates if _covers(c, claim)]
        if not covering:
            continue
        fresh = [c for c in covering if c.index not in used] or covering
        best = max(fresh, key=lambda c: (_fit(c, claim), -c.index))
        used.add(best.index)
        tally.matched += 1
        _agreements(gold, claim, best, tally)
        _statistics(gold, claim, best, tally)
    tally.kept = len(used)
    _entities(gold, candidates, tally)
    return tally


def _agreements(gold: GoldText, claim: GoldClaim, best: Candidate, tally: Tally) -> None:
    for path in ("finding", "hedged", "predicate", "evidence.study_design"):
        expected = claim.get(path)
        if path == "hedged":
            expected = bool(expected)
        got = _value(best, path)
        got = bool(got) if path == "hedged" else got
        if got == expected:
            tally.agree[path] = tally.agree.get(path, 0) + 1
        elif path != "evidence.study_design":
            tally.failures.append(
                f"{gold.id}: {path}: gold {expected!r}, candidate {got!r} "
                f"in {claim.quote[:60]!r} (candidate {best.index})"
            )


def _statistics(gold: GoldText, claim: GoldClaim, best: Candidate, tally: Tally) -> None:
    stats = claim.get("statistics") or {}
    for name in STATISTICS:
        if name not in stats:
            continue
        tally.statistics += 1
        if _same(_value(best, f"statistics.{name}"), stats[name]):
            tally.statistics_exact += 1
        else:
            tally.failures.append(
                f"{gold.id}: statistics.{name}: gold {stats[name]!r}, "
                f"candidate {_value(best, 'statistics.' + name)!r}"
            )
    if "ci_low" in stats or "ci_high" in stats:
        tally.cis += 1
        parts = [n for n in ("ci_low", "ci_high", "ci_level") if n in stats]
        if all(_same(_value(best, f"statistics.{n}"), stats[n]) for n in parts):
            tally.cis_exact += 1
    if "p_value" in stats:
        tally.ps += 1
        if _same(_value(best, "statistics.p_value"), stats["p_value"]):
            tally.ps_exact += 1


def _entities(gold: GoldText, candidates: list[Candidate], tally: Tally) -> None:
    """Per sentence holding gold quotes: candidate entities against gold entities."""
    by_sentence: dict[int, list[Candidate]] = {}
    for c in candidates:
        by_sentence.setdefault(c.sentence, []).append(c)
    for group in by_sentence.values():
        golds = [g for g in gold.claims if any(_covers(c, g) for c in group)]
        if not golds:
            continue
        expected = {g.get(r) for g in golds for r in ("subject", "object")} - {None}
        named = {_value(c, r) for c in group for r in ("subject", "object")} - {None}
        tally.entities_gold += len(expected)
        tally.entities_predicted += len(named)
        tally.entities_true += len(expected & named)
    covered = {
        id(g)
        for group in by_sentence.values()
        for g in gold.claims
        if any(_covers(c, g) for c in group)
    }
    for g in gold.claims:
        if id(g) not in covered:
            tally.entities_gold += len({g.get("subject"), g.get("object")} - {None})


@dataclass
class Evaluation:
    texts: dict[str, Tally]
    parts: dict[str, Tally]
    total: Tally

    def as_json(self) -> dict[str, Any]:
        return {
            "parts": {k: {**v.figures(), **v.counts()} for k, v in self.parts.items()},
            "texts": {k: {**v.figures(), **v.counts()} for k, v in self.texts.items()},
            "total": {**self.total.figures(), **self.total.counts()},
        }

    def targets(self) -> dict[str, tuple[float | None, float, bool]]:
        """Each target against the figure over all gold: (figure, target, met)."""
        figures = self.total.figures()
        return {
            name: (figures[name], target, figures[name] is not None and figures[name] >= target)
            for name, target in TARGETS.items()
        }


def evaluate(suggester: Suggester, gold: list[GoldText]) -> Evaluation:
    texts: dict[str, Tally] = {}
    parts: dict[str, Tally] = {}
    total = Tally()
    for text in gold:
        found = suggester.suggest(text.text, text.source, validate=False)
        tally = score_text(text, found.candidates)
        texts[text.id] = tally
        parts.setdefault(text.part, Tally()).add(tally)
        total.add(tally)
    return Evaluation(texts, parts, total)


def reference_store() -> OxigraphStore:
    """An in-memory store with the ontology and the known entities (no claims)."""
    store = OxigraphStore(None)
    ensure_loaded(store, curated=False)
    return store


def _table(evaluation: Evaluation) -> str:
    columns = {
        **{f"part:{k}": v for k, v in evaluation.parts.items()},
        **evaluation.texts,
        "all": evaluation.total,
    }
    names = list(next(iter(columns.values())).figures())
    width = max(len(n) for n in names)
    lines = [" " * width + "".join(f"{c:>18}" for c in columns)]
    for name in names:
        cells = []
        for tally in columns.values():
            value = tally.figures()[name]
            cells.append(f"{'-' if value is None else f'{value:.3f}':>18}")
        lines.append(f"{name:<{width}}" + "".join(cells))
    for name in next(iter(columns.values())).counts():
        lines.append(
            f"{name:<{width}}" + "".join(f"{t.counts()[name]:>18}" for t in columns.values())
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--part",
        choices=["development", "held-out"],
        default=None,
        help="score one part of the gold only",
    )
    args = parser.parse_args(argv)
    store = reference_store()
    gold = [t for t in load_gold() if args.part in (None, t.part)]
    evaluation = evaluate(Suggester(store), gold)
    store.close()
    if args.json:
        print(json.dumps(evaluation.as_json(), indent=2))
        return 0
    print(_table(evaluation))
    print()
    met = True
    for name, (figure, target, ok) in evaluation.targets().items():
        met = met and ok
        print(f"target {name}: {figure} (>= {target}) {'met' if ok else 'NOT MET'}")
    print()
    print("failures:")
    for line in evaluation.total.failures:
        print("  " + line)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
