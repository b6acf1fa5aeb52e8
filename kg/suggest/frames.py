"""Sentence frames a relation cue and its nearest entities do not read: effect
modification, stated limitations of the evidence, and proposed approaches.

A relation cue names a relation between the entities beside it ("probiotics reduce
IL-6"). Three frequent forms of scientific prose name theirs otherwise, and each is
read here from a documented cue table (``docs/suggest.md``):

- **Effect modification** (``gba:effectDependsOn``). A result said to be stronger in
  one condition of use: a *modifier* cue ("worked particularly well", "most
  effective", "strongest", "greater", "synergistic") together, in its clause, with a
  co-treatment ("alongside X", "combined with X", "add-on to X") or an *add-on* cue
  ("as an add-on therapy", "adjunctive treatment"). The subject is the intervention the
  clause names (else the text's main one), the object the co-treatment; an add-on whose
  base is not named continues the text's previous modification claim. A *confounder*
  cue ("…X, which may have influenced the results") makes the co-treatment X, named just
  before it, a modifier of the text's main intervention. Effect modification read from
  a subgroup comparison is tested only by an interaction test: a past-tense report
  ("found that", "were strongest") is an ``assertion`` (:func:`modification_finding`).
- **Limitations** (``gba:hasAttribute``). A stated weakness of the studies (small
  samples, heterogeneous interventions, short follow-up, risk of bias, publication
  bias, confounding, limited generalizability), named after the domains reviewers rate
  evidence by (the Cochrane risk-of-bias tool; GRADE: imprecision, inconsistency,
  indirectness, publication bias). The subject is the *body of evidence* the text
  reports (the graph's ``gba:BodyOfEvidence`` on the text's main intervention and
  condition, else a proposed one); the object is the graph's entity for the limitation
  (by its name), else a proposed ``gba:Attribute``. A limitation said not to hold ("no
  publication bias", "low heterogeneity") is not one.
- **Proposals** (``gba:studiedFor``). An approach proposed or under study, not a
  result: "a promising avenue/candidate", "explored as a treatment", "researchers have
  been exploring complementary approaches". The subject is the intervention named (in
  the next sentence when this one leaves it unnamed: "…exploring complementary
  approaches. One promising avenue: … probiotics."), the object the condition named
  here or just before, else the text's main condition. "Promising", "potential",
  "emerging" and "candidate" mark the claim as hedged (a prospect, not a finding).

>>> [c.name for c in LIMITATIONS if c.pattern.search("Most trials had small sample sizes")]
['small sample size']
>>> bool(MODIFIERS[0].pattern.search("probiotics worked particularly well when"))
True
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from gbkg.kg.namespaces import GBA
from gbkg.kg.suggest.linking import INTERVENTION_TYPES, EntityIndex, Mention, key, slug
from gbkg.kg.suggest.record import Argument, argument
from gbkg.kg.suggest.relations import RelationCue, RelationHit

#: The kind of a frame's relation cue (``RelationCue.kind``).
FRAME = "frame"
MODIFICATION = "modification"
LIMITATION = "limitation"
PROPOSAL = "proposal"

#: What can be given, hence be the agent of a frame: interventions, treatments, and the
#: taxa probiotics are made of.
AGENT_TYPES = INTERVENTION_TYPES | {str(GBA.MicrobialTaxon), str(GBA.Treatment)}
CONDITION = str(GBA.Condition)
BODY_OF_EVIDENCE = str(GBA.BodyOfEvidence)
ATTRIBUTE = str(GBA.Attribute)


def _frame_cue(name: str, predicate: str, pattern: str) -> RelationCue:
    # Rank 5: a frame is more specific than any relation cue it overlaps.
    return RelationCue(name, predicate, re.compile(pattern, re.I), 5, FRAME)


# Effect modification -------------------------------------------------------------------

#: A result stronger under some condition of use (needs a co-treatment or add-on cue).
MODIFIERS: tuple[RelationCue, ...] = (
    _frame_cue(
        "works particularly well",
        "gba:effectDependsOn",
        r"\b(?:work(?:s|ed|ing)?|was|were|is|are|be|been|being|prove[sd]?)\s+(?:\w+\s+)?"
        r"(?:particularly|especially|most|more|better|best)\s+(?:well|effective|efficacious|"
        r"beneficial|helpful|pronounced)\b|\bwork(?:s|ed)?\s+best\b",
    ),
    _frame_cue(
        "strongest when",
        "gba:effectDependsOn",
        r"\b(?:strongest|greatest|largest|most\s+pronounced|more\s+pronounced|stronger|greater|"
        r"larger)\b",
    ),
    _frame_cue("synergistic", "gba:effectDependsOn", r"\bsynerg(?:y|ies|istic(?:ally)?)\b"),
)
#: Use as an add-on to another treatment, its base named or not.
ADD_ON = re.compile(
    r"\b(?:as\s+an?\s+)?(?:add-?on|adjunct(?:ive)?|adjuvant|augmentation)"
    r"(?:\s+(?:therapy|treatment|intervention|agent|option|use))?\b",
    re.I,
)
#: "…X, which may have influenced the results": X is a possible modifier (a confounder).
CONFOUNDER = _frame_cue(
    "may have influenced the results",
    "gba:effectDependsOn",
    r"\b(?:which|this|that|these|it)\s+(?:\w+\s+)?(?:(?:may|might|could|can|probably|likely)\s+)?"
    r"(?:have\s+)?(?:influenced|affected|biased|confounded|distorted|skewed|modified)\s+"
    r"(?:the\s+|these\s+|our\s+|their\s+)?(?:results?|findings?|outcomes?|estimates?|"
    r"(?:observed\s+)?effects?)\b",
)


# Limitations ---------------------------------------------------------------------------


@dataclass(frozen=True)
class LimitationCue:
    """A stated limitation: ``name`` is the label the graph's entity is looked up by."""

    name: str
    pattern: re.Pattern[str]
    why: str
    synonyms: tuple[str, ...] = ()


def _limitation(name: str, pattern: str, why: str, *synonyms: str) -> LimitationCue:
    return LimitationCue(name, re.compile(pattern, re.I), why, synonyms)


_INTERVENTION_PARTS = (
    r"(?:strains?|species|doses?|dosages?|dosing|durations?|formulations?|interventions?|"
    r"regimens?|products?|preparations?|treatment\s+periods?)"
)
LIMITATIONS: tuple[LimitationCue, ...] = (
    _limitation(
        "small sample size",
        r"\b(?:small|limited|modest)\s+(?:sample\s+sizes?|samples?|numbers?\s+of\s+"
        r"(?:participants|patients|subjects)|cohorts?)\b|\bfew\s+participants\b|"
        r"\bunderpowered\b|\black(?:ed)?\s+(?:of\s+)?(?:statistical\s+)?power\b|"
        r"\b(?:studies|trials|samples)\s+(?:were|was|are)\s+(?:(?!not\b)\w+\s+)?small\b",
        "imprecision: few participants (GRADE)",
        "small sample sizes",
    ),
    _limitation(
        "intervention heterogeneity",
        rf"\b(?:varied|vary|varies|differed|differ|differs|ranged)\s+(?:\w+\s+)?(?:in|with\s+"
        rf"respect\s+to|regarding|across|in\s+terms\s+of)\s+(?:the\s+|their\s+)?(?:\w+\s+){{0,2}}"
        rf"{_INTERVENTION_PARTS}|\bheterogene(?:ity|ous)\s+(?:in|of|among|between|across)\s+"
        rf"(?:the\s+)?(?:\w+\s+)?{_INTERVENTION_PARTS}|\bheterogeneous\s+(?:\w+\s+)?"
        rf"{_INTERVENTION_PARTS}|\b(?:different|diverse|various)\s+(?:probiotic\s+)?"
        rf"{_INTERVENTION_PARTS}[^.;]{{0,40}}\b(?:were|was)\s+used\b",
        "inconsistency: the studies gave different interventions (GRADE)",
        "heterogeneous interventions",
    ),
    _limitation(
        "statistical heterogeneity",
        r"\b(?:substantial|considerable|high|significant|marked|moderate|large)\s+"
        r"(?:statistical\s+|between-?\s?study\s+)?heterogeneity\b|\bhighly\s+heterogeneous\b",
        "inconsistency: the results differ between studies (GRADE)",
        "between-study heterogeneity",
    ),
    _limitation(
        "short follow-up",
        r"\bshort(?:er)?\s+(?:follow-?\s?ups?|durations?|treatment\s+periods?|interventions?|"
        r"trials?)\b|\bshort-term\s+(?:follow-?\s?ups?|trials?|studies|interventions?)\b|"
        r"\black\s+of\s+long-term\s+(?:follow-?\s?up|data)\b|"
        r"\b(?:follow-?\s?ups?|durations?|interventions?)\s+(?:was|were|is|are)\s+(?:\w+\s+)?"
        r"(?:short|brief)\b",
        "the effects were followed for a short time",
    ),
    _limitation(
        "risk of bias",
        r"\b(?:high|unclear|serious)\s+risk\s+of\s+bias\b|\b(?:low|poor)\s+(?:methodological\s+)?"
        r"quality\b|\black\s+of\s+blinding\b|\bnot\s+(?:double-)?blinded\b",
        "risk of bias in the studies (Cochrane risk-of-bias tool)",
    ),
    _limitation(
        "publication bias",
        r"\bpublication\s+bias\b|\bsmall-study\s+effects?\b",
        "publication bias (GRADE)",
    ),
    _limitation(
        "possible confounding",
        r"\bconfound(?:ed|ing|ers?)\b|\b(?:may|might|could)\s+have\s+(?:influenced|affected|"
        r"biased|distorted|skewed)\s+(?:the\s+)?(?:results|findings|outcomes?|estimates?)\b",
        "other factors may explain the results",
        "confounding",
    ),
    _limitation(
        "limited generalizability",
        r"\blimit(?:s|ed)?\s+(?:the\s+)?generali[sz]ab\w+|\b(?:may|might)\s+not\s+generali[sz]e\b|"
        r"\bindirectness\b",
        "indirectness: the studies may not apply to the population of interest (GRADE)",
    ),
)
#: Words just before a limitation that say it does not hold.
NOT_A_LIMITATION = re.compile(
    r"\b(?:no|not|without|little|low|minimal|negligible|absence\s+of|free\s+of|neither|nor)"
    r"\s+(?:\w+\s+){0,2}$",
    re.I,
)
#: The subject of a limitation stated about the studies ("the studies", "most trials").
HAS_LIMITATION = _frame_cue("limitation", "gba:hasAttribute", r"$^")


# Proposals -----------------------------------------------------------------------------

PROPOSALS: tuple[RelationCue, ...] = (
    _frame_cue(
        "promising avenue",
        "gba:studiedFor",
        r"\b(?:promising|potential|emerging|candidate)\s+(?:new\s+|novel\s+|therapeutic\s+){0,2}"
        r"(?:avenues?|approach(?:es)?|strateg(?:y|ies)|targets?|candidates?|options?|directions?|"
        r"interventions?|therap(?:y|ies)|treatments?|adjuncts?|tools?)\b",
    ),
    _frame_cue(
        "explored as a treatment",
        "gba:studiedFor",
        r"\b(?:is|are|has\s+been|have\s+been|being)\s+(?:increasingly\s+|now\s+|currently\s+)?"
        r"(?:explored|investigated|studied|examined|evaluated|considered|proposed|tested)\s+as\s+"
        r"(?:an?\s+)?(?:\w+\s+){0,2}(?:treatments?|therap(?:y|ies)|approach(?:es)?|options?|"
        r"strateg(?:y|ies)|adjuncts?|interventions?)\b",
    ),
    _frame_cue(
        "exploring approaches",
        "gba:studiedFor",
        r"\b(?:exploring|investigating|studying|testing|evaluating|developing|seeking)\s+"
        r"(?:\w+\s+){0,2}(?:approaches|strategies|therapies|treatments|interventions|options|"
        r"avenues)\b",
    ),
)
#: Proposal cues that make the claim hedged (a prospect).
PROSPECT = re.compile(r"\b(?:promising|potential|emerging|candidate)\b", re.I)
#: Proposal cues for an approach added to the standard treatment.
COMPLEMENT = re.compile(
    r"\b(?:complementary|adjunct(?:ive)?|add-?on|additional|augment\w*)\b", re.I
)
TREATMENT = str(GBA.Treatment)


@dataclass
class Frame:
    """One frame read in a sentence: a relation, its arguments, and what is left to infer."""

    kind: str
    hit: RelationHit
    clause: tuple[int, int]
    subject: Argument | None = None
    object: Argument | None = None
    subject_mention: Mention | None = None
    object_mention: Mention | None = None
    notes: list[str] = field(default_factory=list)
    #: the subject is the text's main intervention (not named here)
    main_intervention: bool = False
    #: an add-on whose base is not named: continue the previous modification claim
    add_on: bool = False
    #: the approach is not named here: the next sentence names it
    look_ahead: bool = False
    #: the condition is not named here: the nearest one before, or the text's main one
    condition_before: bool = False
    prospect: RelationHit | None = None
    #: the standard treatments a complementary approach is added to (context)
    bases: list[Mention] = field(default_factory=list)

    def take_subject(self, mention: Mention) -> None:
        self.subject, self.subject_mention = argument(mention), mention

    def take_object(self, mention: Mention) -> None:
        self.object, self.object_mention = argument(mention), mention


def _hit(cue: RelationCue, m: re.Match[str], offset: int) -> RelationHit:
    return RelationHit(cue, m.start() + offset, m.end() + offset, m.group(0))


def _in(span: tuple[int, int], position: int) -> bool:
    return span[0] <= position < span[1]


def modifications(
    text: str,
    start: int,
    mentions: list[Mention],
    co_interventions: set[int],
    spans: list[tuple[int, int]],
) -> list[Frame]:
    """Effect-modification frames of one sentence (``co_interventions``: the starts of
    the mentions a co-treatment cue introduces)."""
    frames: list[Frame] = []
    for cue in MODIFIERS:
        for m in cue.pattern.finditer(text):
            hit = _hit(cue, m, start)
            clause = next((s for s in spans if _in(s, hit.start)), (start, start + len(text)))
            clause_text = text[clause[0] - start : clause[1] - start]
            bases = [x for x in mentions if x.start in co_interventions and _in(clause, x.start)]
            add_on = ADD_ON.search(clause_text)
            if not bases and not add_on:
                continue
            agents = [
                x
                for x in mentions
                if _in(clause, x.start)
                and x.start not in co_interventions
                and x.types & AGENT_TYPES
            ]
            frame = Frame(MODIFICATION, hit, clause)
            named = repr(bases[0].text) if bases else repr(add_on.group(0) if add_on else "")
            frame.notes.append(f"effect modification: {hit.text!r} with {named}")
            if agents:
                frame.take_subject(agents[0])
            else:
                frame.main_intervention = True
            if bases:
                frame.take_object(bases[0])
            else:
                frame.add_on = True
            frames.append(frame)
            break  # the first modification of each cue in the sentence
    return _first_per_clause(frames)


def confounders(text: str, start: int, mentions: list[Mention]) -> list[Frame]:
    """Confounder frames of one sentence: in "…X, which may have influenced the results",
    the treatment X modifies the effect of the text's main intervention."""
    frames = []
    for m in CONFOUNDER.pattern.finditer(text):
        hit = _hit(CONFOUNDER, m, start)
        before = [x for x in mentions if x.end <= hit.start]
        if not before or not before[-1].types & AGENT_TYPES:
            continue
        antecedent = before[-1]
        if len(text[antecedent.end - start : hit.start - start].split()) > 3:
            continue
        clause_start = text.rfind(",", 0, antecedent.start - start)
        clause = (start + clause_start + 1 if clause_start >= 0 else start, hit.end)
        frame = Frame(MODIFICATION, hit, clause, main_intervention=True)
        frame.take_object(antecedent)
        frame.notes.append(
            f"a possible confounder: {antecedent.text!r} {hit.text!r}; the effect of the "
            "text's intervention may depend on it"
        )
        frames.append(frame)
    return frames


def _first_per_clause(frames: list[Frame]) -> list[Frame]:
    seen: set[tuple[int, int]] = set()
    kept = []
    for frame in sorted(frames, key=lambda f: f.hit.start):
        if frame.clause not in seen:
            seen.add(frame.clause)
            kept.append(frame)
    return kept


def limitations(
    text: str,
    start: int,
    mentions: list[Mention],
    spans: list[tuple[int, int]],
    index: EntityIndex,
    taken: list[tuple[int, int]],
) -> list[Frame]:
    """Limitation frames of one sentence; ``taken``: spans other frames read already."""
    frames = []
    for cue in LIMITATIONS:
        for m in cue.pattern.finditer(text):
            a, b = m.start() + start, m.end() + start
            if any(x < b and a < y for x, y in taken):
                continue
            clause = next((s for s in spans if _in(s, a)), (start, start + len(text)))
            lead = text[clause[0] - start : m.start()]
            if NOT_A_LIMITATION.search(lead):
                continue
            hit = RelationHit(HAS_LIMITATION, a, b, m.group(0))
            frame = Frame(LIMITATION, hit, clause)
            named = [x for x in mentions if x.start < b and a < x.end and ATTRIBUTE in x.types]
            if named:
                frame.take_object(named[0])
            else:
                frame.object = concept(index, cue.name, ATTRIBUTE, cue.synonyms)
            assert frame.object is not None
            frame.notes.append(
                f"a stated limitation of the studies ({cue.why}): {m.group(0)!r} is "
                f"{frame.object.label!r}"
            )
            taken.append((a, b))
            frames.append(frame)
            break
    return frames


def concept(index: EntityIndex, label: str, type_: str, synonyms: tuple[str, ...] = ()) -> Argument:
    """The graph's entity named ``label`` (or one of ``synonyms``) and of ``type_``, else a
    proposed one with a minted id (status ``proposed``, for the curator to confirm)."""
    for name in (label, *synonyms):
        for found in index.names.get(key(name), []):
            entity = index.entities[found.iri]
            if type_ in entity.types:
                return Argument(entity.id, entity.label, entity.types, "inferred")
    identifier = "gbkg:" + slug(label)
    new = {"id": identifier, "label": label, "type": "gba:" + type_.rsplit("#", 1)[-1]}
    return Argument(identifier, label, frozenset({type_}), "proposed", new)


def body_of_evidence(
    index: EntityIndex, intervention: Mention | None, condition: Mention | None
) -> Argument | None:
    """The graph's body of evidence on the text's intervention and condition (a name of
    each within one of its names), else a proposed one; None when the text names neither."""
    if intervention is None or condition is None:
        return None
    own: dict[str, list[set[str]]] = {}
    for k, names in index.names.items():
        for name in names:
            own.setdefault(name.iri, []).append(set(k))
    agent = [k for k in own.get(_iri(index, intervention.id), []) if k]
    topic = [k for k in own.get(_iri(index, condition.id), []) if k]
    for iri, keys in own.items():
        entity = index.entities[iri]
        if BODY_OF_EVIDENCE not in entity.types:
            continue
        if any(any(a <= k for a in agent) and any(t <= k for t in topic) for k in keys):
            return Argument(entity.id, entity.label, entity.types, "inferred")
    label = f"studies of {intervention.label} for {condition.label}"
    return concept(index, label, BODY_OF_EVIDENCE)


def _iri(index: EntityIndex, identifier: str) -> str:
    return next((iri for iri, e in index.entities.items() if e.id == identifier), "")


def proposals(
    text: str, start: int, mentions: list[Mention], spans: list[tuple[int, int]]
) -> list[Frame]:
    """Proposal frames of one sentence (at most one)."""
    for cue in PROPOSALS:
        m = cue.pattern.search(text)
        if m is None:
            continue
        hit = _hit(cue, m, start)
        frame = Frame(PROPOSAL, hit, (start, start + len(text)))
        agents = [x for x in mentions if x.types & AGENT_TYPES and CONDITION not in x.types]
        if COMPLEMENT.search(hit.text):
            # "complementary approaches" to the standard treatments the sentence names:
            # those are what the approach is added to, not the approach.
            frame.bases = [x for x in agents if TREATMENT in x.types]
            agents = [x for x in agents if TREATMENT not in x.types]
        conditions = [x for x in mentions if CONDITION in x.types]
        # What is explored follows "exploring"; what precedes it explores or is contrasted.
        explored = cue.name == "exploring approaches"
        before = [] if explored else [x for x in agents if x.end <= hit.start]
        after = [x for x in agents if x.start >= hit.end]
        agent = before[-1] if before else after[0] if after else None
        if agent is not None:
            frame.take_subject(agent)
        else:
            frame.look_ahead = True
        if conditions:
            frame.take_object(conditions[0])
        else:
            frame.condition_before = True
        prospect = PROSPECT.search(text)
        if prospect:
            frame.prospect = RelationHit(cue, prospect.start() + start, prospect.end() + start,
                                         prospect.group(0))  # fmt: skip
        frame.notes.append(f"an approach proposed or under study ({hit.text!r}), not a result")
        return [frame]
    return []
