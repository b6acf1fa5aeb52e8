"""SPARQL queries for fuzzing ``/sparql``, built by hypothesis from a small grammar.

Three sources, mixed by :func:`queries`:

- **the grammar**: SELECT / ASK / CONSTRUCT / DESCRIBE over nested groups
  (OPTIONAL, UNION, MINUS, GRAPH, FILTER EXISTS, sub-selects), property paths,
  FILTER and BIND expressions (functions, operators, IN lists, casts), VALUES,
  solution modifiers, dataset clauses (FROM, FROM NAMED), SERVICE in its
  variants, BASE and PREFIX declarations; terms carry random Unicode, escapes
  (``\\u0041`` in names and IRIs, ``\\n`` in strings), comments ended by CR;
- **a corpus** of real queries: the named queries of ``queries/`` and a few
  written for this project's tests;
- **mutations** of either: truncation, a slice repeated or dropped, a character
  or keyword inserted, keywords in other cases, comments ended by ``\\r``.

Every IRI that could reach the network (SERVICE, FROM, FROM NAMED, BASE,
``IRI()``) names the ``trap`` URL given (a loopback listener that must receive
nothing) or a graph of the store. The strategies are deterministic under a seed
(``hypothesis.seed``), so a CI run sees the same queries every time.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import strategies as st

REPO = Path(__file__).resolve().parent.parent

PREFIXES = (
    "PREFIX gba: <https://w3id.org/gbkg/ontology#>\n"
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>\n"
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#>\n"
)
STORE_GRAPHS = (
    "https://w3id.org/gbkg/graph/ontology",
    "https://w3id.org/gbkg/graph/entities",
    "https://w3id.org/gbkg/graph/sources",
)

#: Queries of this project's tests, beside the named queries: seeds for mutation.
CORPUS = (
    "SELECT * WHERE { ?s ?p ?o } LIMIT 5",
    "ASK { ?s ?p ?o }",
    "ASK {}",
    "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 3",
    "DESCRIBE ?s WHERE { ?s a ?t } LIMIT 2",
    PREFIXES + "SELECT ?claim ?statement WHERE { ?claim a gba:Claim ; gba:statement ?statement }"
    " LIMIT 5",
    PREFIXES + "SELECT ?c (COUNT(?o) AS ?n) WHERE { ?c rdf:subject ?o } GROUP BY ?c"
    " HAVING (COUNT(?o) > 0) ORDER BY DESC(?n) LIMIT 3",
    "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g",
    'SELECT ?x WHERE { BIND("SERVICE <http://x> {}" AS ?x) }',
    "SELECT * WHERE { ?a ?b ?c # x\rSERVICE <{trap}/x> { ?s ?p ?o }\n} LIMIT 1",
    "SELECT * FROM <{trap}/graph> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <{trap}/graph> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "BASE <{trap}/> SELECT * FROM <graph> WHERE { ?s ?p ?o }",
    "SELECT * WHERE { \\u0053ERVICE <{trap}/sparql> { ?s ?p ?o } }",
    'SELECT * WHERE { BIND(IRI("{trap}/x") AS ?u) SERVICE ?u { ?s ?p ?o } }',
    "SELECT * WHERE { ?s (<http://e/p>|^<http://e/q>)*/!(rdf:type|^rdf:type) ?o } LIMIT 3",
    'SELECT * WHERE { VALUES (?a ?b) { (1 "x") (UNDEF <http://e/a>) } } ',
    "SELECT ?a WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c LIMIT 1",
)

VARIABLES = ("?s", "?p", "?o", "?x", "?y", "?g", "$z", "?claim", "?n")
IRIS = (
    "<https://w3id.org/gbkg/entity/probiotic>",
    "<http://purl.obolibrary.org/obo/MONDO_0002050>",
    "gba:Claim",
    "gba:statement",
    "gba:improves",
    "rdf:type",
    "a",
    "rdfs:label",
    "<>",
    "<#frag>",
    "<relative/iri>",
    "<\\u0068ttps://w3id.org/gbkg/ontology#Claim>",
    "<http://example.org/ü/\U0001f9a0>",
)
FUNCTIONS_1 = (
    "STR", "LANG", "DATATYPE", "IRI", "URI", "BNODE", "ABS", "CEIL", "FLOOR", "ROUND",
    "STRLEN", "UCASE", "LCASE", "ENCODE_FOR_URI", "YEAR", "MONTH", "HOURS", "TZ", "MD5",
    "SHA1", "SHA256", "SHA512", "isIRI", "isBlank", "isLiteral", "isNumeric", "BOUND",
    "xsd:integer", "xsd:decimal", "xsd:double", "xsd:boolean", "xsd:dateTime", "xsd:string",
)  # fmt: skip
FUNCTIONS_2 = (
    "CONTAINS", "STRSTARTS", "STRENDS", "STRBEFORE", "STRAFTER", "LANGMATCHES",
    "REGEX", "SUBSTR", "STRDT", "STRLANG", "sameTerm",
)  # fmt: skip
OPERATORS = ("=", "!=", "<", ">", "<=", ">=", "&&", "||", "+", "-", "*", "/")
KEYWORDS = (
    "SELECT", "WHERE", "FILTER", "OPTIONAL", "UNION", "MINUS", "GRAPH", "SERVICE", "BIND",
    "VALUES", "FROM", "NAMED", "BASE", "PREFIX", "LIMIT", "OFFSET", "ORDER BY", "GROUP BY",
    "HAVING", "EXISTS", "NOT", "AS", "DISTINCT", "LOAD", "INSERT", "DELETE", "DATA", "CLEAR",
    "DROP", "WITH", "USING", "{", "}", "(", ")", ".", ";", ",", "<", ">", '"', "#", "\\",
    "\r", "\n", "\x00", "\\u", "'''", "<<", ">>", "_:b", "[]", "^^", "@en",
)  # fmt: skip


def _text(max_size: int = 12) -> st.SearchStrategy[str]:
    """Short text: mostly letters, sometimes any Unicode (surrogates excluded: UTF-8)."""
    return st.one_of(
        st.text("abcxyz 019", max_size=max_size),
        st.text(st.characters(exclude_categories=["Cs"]), max_size=max_size),
    )


def _literals() -> st.SearchStrategy[str]:
    escaped = st.sampled_from(('"\\n"', '"\\""', "'\\''", '"\\u00e9"', '"\\U0001F9A0"', '"\\t\\r"'))
    plain = _text().map(lambda s: '"' + s.replace("\\", "").replace('"', "") + '"')
    long = _text(40).map(lambda s: '"""' + s.replace("\\", "").replace('"', "") + '"""')
    numbers = st.one_of(
        st.integers(-(10**30), 10**30).map(str),
        st.sampled_from(("1.5", "-0.0", "1e308", "1e-400", ".5", "0x1", "1E999", "NaN")),
    )
    return st.one_of(
        plain,
        escaped,
        long,
        numbers,
        st.sampled_from(("true", "false")),
        st.tuples(plain, st.sampled_from(("@en", "@fr-CA", "@x", "^^xsd:integer", "^^<x>"))).map(
            "".join
        ),
    )


def _iris(trap: str) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(IRIS),
        st.sampled_from((f"<{trap}/x>", f"<{trap}>", "<urn:x>", "<file:///etc/passwd>")),
        _text(8).map(lambda s: "<http://e/" + "".join(c for c in s if c.isalnum()) + ">"),
    )


def _terms(trap: str) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(VARIABLES), _iris(trap), _literals(), st.sampled_from(("[]", "_:b1"))
    )


def _paths(trap: str) -> st.SearchStrategy[str]:
    base = st.one_of(_iris(trap), st.just("a"))
    return st.recursive(
        base,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(("*", "+", "?"))).map("".join),
            inner.map(lambda p: "^" + p),
            st.tuples(inner, inner).map("/".join),
            st.tuples(inner, inner).map("|".join),
            inner.map(lambda p: f"({p})"),
            st.sampled_from(("!rdf:type", "!(rdf:type|^rdfs:label)", "!^a")),
        ),
        max_leaves=6,
    )


def _expressions(trap: str, groups: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    base = st.one_of(st.sampled_from(VARIABLES), _literals(), _iris(trap))
    return st.recursive(
        base,
        lambda inner: st.one_of(
            st.tuples(inner, st.sampled_from(OPERATORS), inner).map(" ".join),
            st.tuples(st.sampled_from(FUNCTIONS_1), inner).map(lambda t: f"{t[0]}({t[1]})"),
            st.tuples(st.sampled_from(FUNCTIONS_2), inner, inner).map(
                lambda t: f"{t[0]}({t[1]}, {t[2]})"
            ),
            st.tuples(inner, inner, inner).map(lambda t: f"IF({t[0]}, {t[1]}, {t[2]})"),
            st.lists(inner, min_size=1, max_size=4).map(lambda a: f"CONCAT({', '.join(a)})"),
            st.lists(inner, max_size=4).map(lambda a: f"COALESCE({', '.join(a)})"),
            st.tuples(inner, st.lists(inner, max_size=3)).map(
                lambda t: f"{t[0]} IN ({', '.join(t[1])})"
            ),
            inner.map(lambda e: f"!({e})"),
            inner.map(lambda e: f"-({e})"),
            inner.map(lambda e: f"({e})"),
            st.sampled_from(("NOW()", "RAND()", "UUID()", "STRUUID()")),
            groups.map(lambda g: f"EXISTS {g}"),
            groups.map(lambda g: f"NOT EXISTS {g}"),
        ),
        max_leaves=8,
    )


def _service(trap: str) -> st.SearchStrategy[str]:
    return st.sampled_from(
        (
            f"SERVICE <{trap}/sparql>",
            f"SERVICE SILENT <{trap}/x>",
            "SERVICE ?s",
            "service silent ?u",
            f"SeRvIcE <{trap}>",
            f"\\u0053ERVICE <{trap}/e>",
            f"# c\rSERVICE <{trap}/c>",
        )
    )


def _group_patterns(trap: str) -> st.SearchStrategy[str]:
    terms = _terms(trap)
    triple = st.tuples(terms, st.one_of(_paths(trap), st.sampled_from(VARIABLES)), terms).map(
        lambda t: " ".join(t) + " ."
    )

    def extend(groups: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        expressions = _expressions(trap, groups)
        element = st.one_of(
            triple,
            expressions.map(lambda e: f"FILTER({e})"),
            st.tuples(expressions, st.sampled_from(VARIABLES)).map(
                lambda t: f"BIND({t[0]} AS {t[1]})"
            ),
            st.tuples(st.sampled_from(VARIABLES), st.lists(_terms(trap), max_size=3)).map(
                lambda t: f"VALUES {t[0]} {{ {' '.join(t[1])} }}"
            ),
            groups.map(lambda g: "OPTIONAL " + g),
            groups.map(lambda g: "MINUS " + g),
            st.tuples(groups, groups).map(lambda t: f"{t[0]} UNION {t[1]}"),
            st.tuples(st.one_of(st.just("?g"), _iris(trap)), groups).map(
                lambda t: f"GRAPH {t[0]} {t[1]}"
            ),
            st.tuples(_service(trap), groups).map(" ".join),
            groups.map(lambda g: f"{{ SELECT * WHERE {g} LIMIT 3 }}"),
            groups,
        )
        return st.lists(element, max_size=4).map(lambda items: "{ " + " ".join(items) + " }")

    return st.recursive(
        st.lists(triple, max_size=2).map(lambda t: "{ " + " ".join(t) + " }"),
        extend,
        max_leaves=6,
    )


def _prologue(trap: str) -> st.SearchStrategy[str]:
    declarations = st.sampled_from(
        (
            "",
            "",
            f"BASE <{trap}/>\n",
            f"PREFIX t: <{trap}/>\n",
            "PREFIX : <http://e/>\n",
            "# a comment\r",
            "PREFIX gba: <https://w3id.org/gbkg/ontology#> # c\r",
        )
    )
    return st.tuples(st.just(PREFIXES), declarations).map("".join)


def _dataset(trap: str) -> st.SearchStrategy[str]:
    graphs = st.sampled_from((*STORE_GRAPHS, f"{trap}/g", "relative", "urn:x"))
    clause = st.tuples(st.sampled_from(("FROM", "FROM NAMED", "from named")), graphs).map(
        lambda t: f"{t[0]} <{t[1]}>"
    )
    return st.lists(clause, max_size=2).map(" ".join)


def _modifiers() -> st.SearchStrategy[str]:
    return st.tuples(
        st.sampled_from(("", "GROUP BY ?s", "GROUP BY ?s HAVING (COUNT(*) > 1)")),
        st.sampled_from(("", "ORDER BY ?s", "ORDER BY DESC(?o) ?x", "ORDER BY RAND()")),
        st.sampled_from(("LIMIT 5", "LIMIT 0", "LIMIT 20 OFFSET 3", "OFFSET 99999999999", "")),
    ).map(" ".join)


def grammar_queries(trap: str) -> st.SearchStrategy[str]:
    """Queries built from the grammar: mostly well-formed, aimed only at ``trap``."""
    where = _group_patterns(trap)
    projection = st.one_of(
        st.just("*"),
        st.lists(st.sampled_from(VARIABLES), min_size=1, max_size=3, unique=True).map(" ".join),
        _expressions(trap, where).map(lambda e: f"({e} AS ?v)"),
        st.sampled_from(("(COUNT(*) AS ?n)", "(SAMPLE(?s) AS ?x)", "(GROUP_CONCAT(?o) AS ?c)")),
    )
    select = st.tuples(
        st.sampled_from(("SELECT", "SELECT DISTINCT", "select reduced")),
        projection,
        _dataset(trap),
        st.sampled_from(("WHERE", "")),
        where,
        _modifiers(),
    ).map(" ".join)
    ask = st.tuples(_dataset(trap), where).map(lambda t: f"ASK {t[0]} {t[1]}")
    construct = st.tuples(_dataset(trap), where).map(
        lambda t: f"CONSTRUCT {{ ?s ?p ?o }} {t[0]} WHERE {t[1]} LIMIT 10"
    )
    describe = st.tuples(st.sampled_from(("?s", "*", "<http://e/x>")), where).map(
        lambda t: f"DESCRIBE {t[0]} WHERE {t[1]} LIMIT 3"
    )
    form = st.one_of(select, select, ask, construct, describe)
    return st.tuples(_prologue(trap), form).map("".join)


def corpus(trap: str) -> list[str]:
    """The named queries and :data:`CORPUS`, with ``{trap}`` filled in."""
    texts = [path.read_text(encoding="utf-8") for path in sorted(REPO.glob("queries/**/*.rq"))]
    return [*texts, *(q.replace("{trap}", trap) for q in CORPUS)]


def mutate(text: str, data: st.DataObject) -> str:
    """One to three random edits of ``text``."""
    for _ in range(data.draw(st.integers(1, 3))):
        if not text:
            break
        at = data.draw(st.integers(0, len(text)))
        kind = data.draw(
            st.sampled_from(("truncate", "insert", "repeat", "drop", "case", "keyword"))
        )
        if kind == "truncate":
            text = text[:at]
        elif kind == "insert":
            text = text[:at] + data.draw(_text(4)) + text[at:]
        elif kind == "repeat":
            end = data.draw(st.integers(at, min(len(text), at + 40)))
            text = text[:at] + text[at:end] * data.draw(st.integers(2, 6)) + text[end:]
        elif kind == "drop":
            end = data.draw(st.integers(at, min(len(text), at + 20)))
            text = text[:at] + text[end:]
        elif kind == "case":
            text = text.swapcase() if data.draw(st.booleans()) else text.lower()
        else:
            text = text[:at] + " " + data.draw(st.sampled_from(KEYWORDS)) + " " + text[at:]
    return text


def queries(trap: str) -> st.SearchStrategy[str]:
    """Grammar queries, corpus queries and mutations of both."""
    seeds = corpus(trap)

    @st.composite
    def mutated(draw: st.DrawFn) -> str:
        data = draw(st.data())
        base = draw(st.one_of(st.sampled_from(seeds), grammar_queries(trap)))
        return mutate(base, data)

    return st.one_of(grammar_queries(trap), st.sampled_from(seeds), mutated())
