"""Evidence: propositions, evidence lines, roll-up, consensus and certainty.

Modelled on GA4GH VA-Spec / SEPIO (Proposition → Statement → EvidenceLine →
StudyResult); ``docs/evidence.md`` says where it differs.

- :mod:`.proposition` — what is claimed, content-addressed; how a claim bears on it;
- :mod:`.context` — qualifiers normalized and compared;
- :mod:`.rollup` — narrower entities (subclass, taxon, product, marker);
- :mod:`.lines` — one line per (proposition, independent study);
- :mod:`.verdict` — consensus and certainty over lines, with reasons;
- :mod:`.weigh` — :func:`evidence` for two entities;
- :mod:`.index` — what is derived once per claim-graph version;
- :mod:`.paths` — paths ranked by their steps' evidence.
"""

from gbkg.kg.evidence.proposition import Direction
from gbkg.kg.evidence.verdict import RULE, Certainty, Consensus
from gbkg.kg.evidence.weigh import EvidenceSummary, PropositionSummary, evidence

__all__ = [
    "RULE",
    "Certainty",
    "Consensus",
    "Direction",
    "EvidenceSummary",
    "PropositionSummary",
    "evidence",
]
