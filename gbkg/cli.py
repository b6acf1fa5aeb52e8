"""``gbkg``: the command line.

Every command opens the store named by ``--store`` or ``GBKG_STORE`` (default
``./data/store``); an empty store first receives the ontology, the known entities
and the curated claims. Errors print a message naming what is wrong and exit
non-zero (1: violations or failures found; 2: bad usage or input).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

import pyoxigraph as ox

from gbkg import __version__
from gbkg.kg.backends import open_store
from gbkg.kg.bootstrap import curated_quads, ensure_loaded, reference_quads
from gbkg.kg.curation import ClaimService
from gbkg.kg.errors import InputError, KGError, ParseError, ValidationFailed
from gbkg.kg.formats import RDF_FORMATS, format_name, rdf_format
from gbkg.kg.io import export_store, read_claim_file
from gbkg.kg.model import Claim
from gbkg.kg.query_runner import QueryRunner
from gbkg.kg.settings import Settings
from gbkg.kg.sparql import QueryJob, QueryResult, serialize
from gbkg.kg.sparql_analysis import QueryForm
from gbkg.kg.sparql_formats import GraphFormat, ResultFormat
from gbkg.kg.store import Backend
from gbkg.kg.violations import ValidationReport, Violation


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:
        result: int = args.run(args)
        return result
    except ValidationFailed as error:
        print(f"error: {error}", file=sys.stderr)
        _print_violations(error.violations, sys.stderr)
        return 1
    except KGError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # `gbkg export | head`: the reader left; not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gbkg", description="gut-brain-kg: claims about the gut-brain axis, as RDF."
    )
    parser.add_argument("--version", action="version", version=f"gbkg {__version__}")
    parser.add_argument(
        "--store", help="store directory (default: $GBKG_STORE or ./data/store)", default=None
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--forwarded-allow-ips",
        default=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        metavar="ADDRESSES",
        help="proxies whose X-Forwarded-For names the client (comma-separated addresses or "
        "networks, '*' for any; default: $FORWARDED_ALLOW_IPS or 127.0.0.1). The client "
        "address decides the per-client query limits.",
    )
    serve.set_defaults(run=cmd_serve)

    load = sub.add_parser(
        "load",
        help="validate claim files (JSON, JSON Lines, Turtle, TriG, N-Triples, N-Quads, "
        "JSON-LD) and store them (all or nothing)",
    )
    load.add_argument("files", nargs="+", type=Path, metavar="FILE")
    load.add_argument("--curator", default=None, help="curator to record (default: your user)")
    load.set_defaults(run=cmd_load)

    validate = sub.add_parser("validate", help="check claim files, or the whole store")
    validate.add_argument("files", nargs="*", type=Path, metavar="FILE")
    validate.set_defaults(run=cmd_validate)

    query = sub.add_parser("query", help="run a named query or a .rq file")
    query.add_argument("name", metavar="NAME|FILE.rq")
    query.add_argument("--param", action="append", default=[], metavar="K=V")
    query.add_argument("--format", choices=["table", "json", "csv"], default="table")
    query.set_defaults(run=cmd_query)

    queries = sub.add_parser("queries", help="list the named queries")
    queries.set_defaults(run=cmd_queries)

    export = sub.add_parser("export", help="write the whole store to standard output")
    export.add_argument(
        "--format", choices=[format_name(f) for f in RDF_FORMATS], default="trig"
    )
    export.set_defaults(run=cmd_export)

    stats = sub.add_parser("stats", help="counts of triples, claims, findings, sources")
    stats.set_defaults(run=cmd_stats)

    suggest = sub.add_parser("suggest", help="candidate claims read from a text (stores nothing)")
    suggest.add_argument("file", type=Path, metavar="FILE", help="a UTF-8 text file")
    suggest.add_argument("--source", default=None, help="the source, as JSON or a .json file")
    suggest.add_argument("--format", choices=["table", "json", "jsonl"], default="table")
    suggest.add_argument("--no-validate", action="store_true", help="skip the SHACL checks")
    suggest.set_defaults(run=cmd_suggest)

    paths = sub.add_parser("paths", help="mechanism paths between two entities")
    paths.add_argument("source", metavar="FROM")
    paths.add_argument("target", metavar="TO")
    paths.add_argument("--max-hops", type=int, default=4)
    paths.set_defaults(run=cmd_paths)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    settings = Settings()
    if args.store:
        settings = settings.model_copy(update={"store": args.store})
    return settings


def _open(args: argparse.Namespace) -> Backend:
    settings = _settings(args)
    store = open_store(settings.store, settings=settings)
    ensure_loaded(store, curated=settings.load_curated)
    return store


# Commands -------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gbkg.api.app import create_app

    app = create_app(_settings(args))
    # Behind a reverse proxy the peer is the proxy: trust its X-Forwarded-For only
    # when it connects from an address given here, so clients cannot choose their
    # own address (and escape the per-client query limits) by sending the header.
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        proxy_headers=True,
        forwarded_allow_ips=args.forwarded_allow_ips,
    )
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    store = _open(args)
    service = ClaimService(store)
    curator = args.curator or getpass.getuser()
    status = 0
    for path in args.files:
        try:
            claims: list[Claim] = read_claim_file(path)
            results = service.add_many(claims, curator=curator)
        except ValidationFailed as error:
            print(f"{path}: refused, nothing stored: {error}", file=sys.stderr)
            _print_violations(error.violations, sys.stderr)
            status = 1
            continue
        except InputError as error:
            print(f"error: {error}", file=sys.stderr)
            status = 2
            continue
        new = len([1 for _, created in results if created])
        print(f"{path}: {new} claim(s) stored, {len(results) - new} already present")
    store.close()
    return status


def cmd_validate(args: argparse.Namespace) -> int:
    from gbkg.kg.validation import Validator

    validator = Validator()
    started = time.perf_counter()
    if args.files:
        store = _open(args)
        service = ClaimService(store, validator)
        reports: list[tuple[str, ValidationReport]] = []
        for path in args.files:
            # As `gbkg load` would store the file: each claim against the store and
            # the claims before it in the file.
            claims: list[Claim] = read_claim_file(path)
            for claim, report in zip(claims, service.validate_many(claims), strict=True):
                reports.append((f"{path} {claim.iri}", report))
        store.close()
    else:
        store = _open(args)
        quads = list(store.quads())
        store.close()
        curated = [*reference_quads(), *curated_quads()]
        reports = [
            ("store", validator.validate_all(quads)),
            ("curated claims (kg/claims)", validator.validate_all(curated)),
        ]
    failed = 0
    for where, report in reports:
        if not report.conforms:
            failed += 1
            print(f"{where}: does not conform", file=sys.stderr)
        _print_violations(report.violations, sys.stderr if not report.conforms else sys.stdout)
    seconds = time.perf_counter() - started
    checked = f"{len(reports)} claim(s)" if args.files else "the whole store and the curated claims"
    print(f"validated {checked} in {seconds:.2f} s: {'FAIL' if failed else 'ok'}")
    return 1 if failed else 0


def _parse_params(pairs: list[str]) -> dict[str, str]:
    params = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise InputError(f"--param {pair!r}: expected NAME=VALUE")
        params[key.strip()] = value
    return params


def cmd_query(args: argparse.Namespace) -> int:
    from gbkg.kg.queries import NamedQuery, QueryCatalog

    catalog = QueryCatalog()
    params = _parse_params(args.param)
    if args.name.endswith(".rq"):
        path = Path(args.name)
        if not path.is_file():
            raise InputError(f"{path}: no such file")
        query = NamedQuery.from_text(path.stem, path.read_text(encoding="utf-8"))
    else:
        query = catalog.get(args.name)
    store = _open(args)
    try:
        # In this process, with the service's checks (length, nesting, SERVICE, FROM);
        # not isolated: the CLI runs the operator's own queries (docs/security.md).
        runner = QueryRunner.in_process(store, _settings(args), max_results=sys.maxsize)
        job = QueryJob(query.text, ResultFormat.JSON, substitutions=query.bind(params))
        result = runner.evaluate_sync(job)
        if result.form is QueryForm.SELECT:
            write_solutions(result, args.format, sys.stdout)
        elif result.form is QueryForm.ASK:
            print("true" if result.boolean else "false")
        else:
            sys.stdout.write(_text(serialize(result, GraphFormat.TURTLE)))
    finally:
        store.close()
    return 0


def write_solutions(result: QueryResult, fmt: str, out: TextIO) -> None:
    """SELECT results as an aligned table, SPARQL results JSON, or CSV."""
    if fmt == "json":
        out.write(_text(serialize(result, ResultFormat.JSON)) + "\n")
        return
    if fmt == "csv":
        out.write(_text(serialize(result, ResultFormat.CSV)))
        return
    from gbkg.kg.ids import compress

    names = result.variables
    rows = []
    for solution in result.rows:
        row = []
        for term in solution:
            if term is None:
                row.append("")
            elif isinstance(term, ox.NamedNode):
                row.append(compress(term.value))
            else:
                row.append(str(getattr(term, "value", term)))
        rows.append(row)
    widths = [min(60, max([len(n), *(len(r[i]) for r in rows)])) for i, n in enumerate(names)]

    def line(cells: list[str]) -> str:
        return "  ".join(_clip(c, w).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out.write(line(names) + "\n")
    out.write(line(["-" * w for w in widths]) + "\n")
    for row in rows:
        out.write(line(row) + "\n")
    out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8")


def _clip(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def cmd_queries(args: argparse.Namespace) -> int:
    from gbkg.kg.queries import QueryCatalog

    for query in QueryCatalog().list():
        params = ", ".join(f"{p.name} ({p.type})" for p in query.params) or "-"
        print(f"{query.name:24} {query.summary}  [params: {params}]")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    store = _open(args)
    try:
        # The same bytes as GET /export?format=...
        export_store(store, rdf_format(args.format), sys.stdout.buffer)
        sys.stdout.buffer.flush()
    finally:
        store.close()
    return 0


def cmd_stats(args: argparse.Namespace) -> int:
    from gbkg.kg.stats import store_stats

    store = _open(args)
    try:
        stats = store_stats(store)
    finally:
        store.close()
    width = max(len(k) for k in stats)
    for key, value in stats.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for sub, count in value.items():
                print(f"  {sub:{width}} {count}")
        else:
            print(f"{key:{width}}  {value}")
    return 0


def cmd_suggest(args: argparse.Namespace) -> int:
    from gbkg.kg.suggest.engine import Suggester, read_source
    from gbkg.kg.suggest.render import OutputFormat, render

    if not args.file.is_file():
        raise InputError(f"{args.file}: no such file")
    try:
        text = args.file.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise ParseError(f"{args.file}: not UTF-8 text (byte {error.start})") from None
    source = read_source(args.source) if args.source else None
    store = _open(args)
    try:
        found = Suggester(store).suggest(text, source, validate=not args.no_validate)
    finally:
        store.close()
    sys.stdout.write(render(found, OutputFormat(args.format)))
    return 0


def cmd_paths(args: argparse.Namespace) -> int:
    from gbkg.kg.analytics import ClaimGraph

    store = _open(args)
    try:
        graph = ClaimGraph.from_store(store)
        found = graph.paths(args.source, args.target, max_hops=args.max_hops)
    finally:
        store.close()
    if not found:
        print(f"no path from {args.source} to {args.target} within {args.max_hops} hops")
        return 1
    for number, path in enumerate(found, 1):
        print(f"{number}. score {path.score:.2f}")
        for step in path.steps:
            print(
                f"   {step.source_label} --{step.relation_label} [{step.finding}]--> "
                f"{step.target_label}   ({step.claim})"
            )
    return 0


def _print_violations(violations: Sequence[Violation], out: TextIO) -> None:
    for v in violations:
        where = v.field or v.path or "claim"
        value = f" (value: {v.value})" if v.value is not None else ""
        print(f"  [{v.severity}] {where}: {v.message}{value}", file=out)


__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
