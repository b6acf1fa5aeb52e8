"""``gbkg``: the command line.

Every command opens the store named by ``--store`` (before or after the command)
or ``GBKG_STORE`` (default ``./data/store``); an empty store first receives the
ontology, the known entities and the curated claims. While ``gbkg serve`` runs on
the same on-disk store (it holds the store's one write lock), the reading commands
(``stats``, ``query``, ``export``, ``paths``, ``validate``, ``suggest``) open it
read-only beside the server; ``load`` is refused in one line naming the
alternatives. Errors print a one-line message naming what is wrong and exit
non-zero (1: violations or failures found; 2: bad usage, input or settings).
"""

from __future__ import annotations

import argparse
import errno
import getpass
import os
import socket
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import pyoxigraph as ox

from gbkg import __version__, terminal
from gbkg.kg.backends import open_store
from gbkg.kg.bootstrap import curated_quads, ensure_loaded, reference_quads
from gbkg.kg.curation import ClaimService
from gbkg.kg.errors import (
    InputError,
    KGError,
    ParseError,
    StoreLockedError,
    ValidationFailed,
)
from gbkg.kg.formats import RDF_FORMATS, format_name, rdf_format
from gbkg.kg.io import export_store, read_claim_file
from gbkg.kg.model import Claim
from gbkg.kg.query_runner import QueryRunner
from gbkg.kg.settings import Settings, read_settings
from gbkg.kg.sparql import QueryJob, QueryResult, serialize
from gbkg.kg.sparql_analysis import QueryForm
from gbkg.kg.sparql_formats import GraphFormat, ResultFormat
from gbkg.kg.store import Backend, OxigraphStore
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
    # --store is accepted before the command and after it (`gbkg serve --store X`);
    # after it, it wins (SUPPRESS: a command that is not given it keeps the first).
    store = argparse.ArgumentParser(add_help=False)
    store.add_argument(
        "--store",
        default=argparse.SUPPRESS,
        metavar="PATH|URL",
        help="the store: a directory (embedded Oxigraph) or an http(s):// SPARQL endpoint "
        "(default: $GBKG_STORE or ./data/store)",
    )
    parser = argparse.ArgumentParser(
        prog="gbkg",
        description="gut-brain-kg: scientific claims about the gut-brain axis, as RDF. "
        "Settings come from GBKG_* environment variables (docs/deploy.md).",
        parents=[store],
    )
    parser.add_argument(
        "--version", action="version", version=f"gbkg {__version__}", help="print the version"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, summary: str, description: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=summary, description=description, parents=[store])

    serve = command(
        "serve",
        "run the HTTP service",
        "Run the HTTP service (SPARQL endpoint, claims, evidence, paths) on the store. "
        "The port is checked before the store is opened.",
    )
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    serve.add_argument(
        "--port", type=int, default=8000, help="port to listen on (default: %(default)s)"
    )
    serve.add_argument(
        "--forwarded-allow-ips",
        default=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        metavar="ADDRESSES",
        help="proxies whose X-Forwarded-For names the client (comma-separated addresses or "
        "networks, '*' for any; default: $FORWARDED_ALLOW_IPS or 127.0.0.1). The client "
        "address decides the per-client query limits.",
    )
    serve.set_defaults(run=cmd_serve)

    load = command(
        "load",
        "validate claim files and store them (all or nothing)",
        "Validate the claims of each file against the shapes, the store and the claims "
        "before them, then store the file's claims in one transaction, or none of them. "
        "Not while `gbkg serve` runs on the store: send claims to its POST /claims.",
    )
    load.add_argument(
        "files",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="claims as JSON (one claim or a list), JSON Lines, TriG, Turtle, N-Quads, "
        "N-Triples or JSON-LD",
    )
    load.add_argument("--curator", default=None, help="curator to record (default: your user)")
    load.add_argument(
        "--trusted",
        action="store_true",
        help="an export of this service signed with GBKG_SIGNING_KEY (FILE.sig beside it): "
        "checked against its signature, then bulk-loaded at the engine's speed without "
        "validating each claim; not one transaction (back the store up first)",
    )
    load.set_defaults(run=cmd_load)

    validate = command(
        "validate",
        "check claim files, or the whole store",
        "Check claim files as `gbkg load` would (nothing is stored), or, with no file, "
        "the whole store and the curated claims. Exit 1 when something does not conform.",
    )
    validate.add_argument(
        "files", nargs="*", type=Path, metavar="FILE", help="claim files (default: the store)"
    )
    validate.set_defaults(run=cmd_validate)

    query = command(
        "query",
        "run a named query or a .rq file",
        "Run a named query of the catalog (`gbkg queries` lists them) or a SPARQL query "
        "file, with the service's checks, and print the answer.",
    )
    query.add_argument("name", metavar="NAME|FILE.rq", help="a named query, or a .rq file")
    query.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="K=V",
        help="a parameter of the query (repeatable), e.g. entity=CHEBI:28790",
    )
    query.add_argument(
        "--format",
        choices=["table", "json", "csv"],
        default="table",
        help="table (default; cut to the terminal's width), SPARQL results JSON, or CSV",
    )
    query.add_argument(
        "--wide", action="store_true", help="tables: print every cell whole, however wide"
    )
    query.set_defaults(run=cmd_query)

    queries = command(
        "queries", "list the named queries", "List the named queries and their parameters."
    )
    queries.set_defaults(run=cmd_queries)

    export = command(
        "export",
        "write the whole store to standard output",
        "Write every quad of the store to standard output.",
    )
    export.add_argument(
        "--format",
        choices=[format_name(f) for f in RDF_FORMATS],
        default="trig",
        help="RDF format (default: %(default)s)",
    )
    export.add_argument(
        "--signature",
        type=Path,
        default=None,
        metavar="FILE.sig",
        help="also write an HMAC-SHA256 of the output, with GBKG_SIGNING_KEY, to this file "
        "(what `gbkg load --trusted` checks)",
    )
    export.set_defaults(run=cmd_export)

    stats = command(
        "stats",
        "counts of triples, claims, findings, sources",
        "Count the store's triples, claims (by finding and study design) and sources.",
    )
    stats.set_defaults(run=cmd_stats)

    suggest = command(
        "suggest",
        "candidate claims read from a text (stores nothing)",
        "Read a text and suggest candidate claims (quotes, entities, findings, "
        "statistics), each checked against the shapes. Nothing is stored.",
    )
    suggest.add_argument("file", type=Path, metavar="FILE", help="a UTF-8 text file")
    suggest.add_argument("--source", default=None, help="the source, as JSON or a .json file")
    suggest.add_argument(
        "--format",
        choices=["table", "json", "jsonl"],
        default="table",
        help="table (default), JSON, or JSON Lines (one candidate a line)",
    )
    suggest.add_argument("--no-validate", action="store_true", help="skip the SHACL checks")
    suggest.set_defaults(run=cmd_suggest)

    paths = command(
        "paths",
        "mechanism paths between two entities",
        "Chains of claims from one entity to another, best supported first (as GET /paths). "
        "Exit 1 when there is none.",
    )
    paths.add_argument("source", metavar="FROM", help="the first entity, as a CURIE or IRI")
    paths.add_argument("target", metavar="TO", help="the last entity, as a CURIE or IRI")
    paths.add_argument(
        "--max-hops", type=int, default=4, help="longest path, in steps (default: %(default)s)"
    )
    paths.add_argument(
        "--format",
        choices=["table", "json"],
        default="table",
        help="table (default: one line per step), or JSON (the body of GET /paths)",
    )
    paths.set_defaults(run=cmd_paths)
    return parser


def _settings(args: argparse.Namespace) -> Settings:
    """The settings, ``--store`` first; a bad ``GBKG_*`` value is a one-line error."""
    store = getattr(args, "store", None)
    return read_settings(**({"store": store} if store else {}))


def _open(args: argparse.Namespace, *, write: bool = False) -> Backend:
    """The store, bootstrapped when empty. Locked by another process (a running
    ``gbkg serve``): opened read-only beside it to read, refused to ``write``."""
    settings = _settings(args)
    try:
        store = open_store(settings.store, settings=settings)
    except StoreLockedError as error:
        if write:
            raise StoreLockedError(
                f"{error.message}. Add claims through the running server (POST /claims, "
                "a curator token), or stop it and run this command again",
                **error.details,
            ) from None
        return open_store(settings.store, read_only=True, settings=settings)
    ensure_loaded(store, curated=settings.load_curated)
    return store


# Commands -------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gbkg.api.app import create_app

    settings = _settings(args)
    # The port first: a busy one is reported before the store is opened and loaded.
    # (uvicorn binds it again itself; handing it this socket instead made clients
    # see connection resets on early answers, a 401 or 413 before the body is read.)
    _check_port(args.host, args.port)
    app = create_app(settings)
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


def _check_port(host: str, port: int) -> None:
    """Bind ``host:port`` as uvicorn will (then let it go), or a one-line error."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    where = f"[{host}]:{port}" if family == socket.AF_INET6 else f"{host}:{port}"
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise InputError(
                    f"cannot listen on {where}: the port is in use (another `gbkg serve`?); "
                    "choose another with --port"
                ) from None
            raise InputError(f"cannot listen on {where}: {error.strerror or error}") from None


def cmd_load(args: argparse.Namespace) -> int:
    if args.trusted:
        return _load_trusted(args)
    store = _open(args, write=True)
    service = ClaimService(store)
    curator = args.curator or getpass.getuser()
    status = 0
    for path in args.files:
        try:
            claims: list[Claim] = read_claim_file(path)
            with terminal.progress(total=len(claims), what="claims") as bar:
                results = service.add_many(claims, curator=curator, progress=bar.update)
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


def _load_trusted(args: argparse.Namespace) -> int:
    """Each file checked against its signature, then bulk-loaded (no claim validated)."""
    from gbkg.kg.signing import verify_file

    key = _settings(args).signing_key.get_secret_value().encode()
    if not key:
        raise InputError("--trusted: set GBKG_SIGNING_KEY, the key the files were exported with")
    formats = []
    for path in args.files:
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
        if fmt is None or fmt not in (ox.RdfFormat.N_QUADS, ox.RdfFormat.TRIG):
            raise InputError(
                f"{path}: a trusted load reads an export in N-Quads (.nq) or TriG (.trig)"
            )
        verify_file(path, key)  # every file before anything is stored
        formats.append(fmt)
    store = _open(args, write=True)
    try:
        if not isinstance(store, OxigraphStore):
            raise InputError(
                "--trusted: bulk loads go to an embedded store (load a remote one with its "
                "own tools)"
            )
        for path, fmt in zip(args.files, formats, strict=True):
            started = time.perf_counter()
            before = store.triple_count()
            with open(path, "rb") as file:
                store.bulk_load(file, format=fmt)
            added = store.triple_count() - before
            seconds = time.perf_counter() - started
            print(f"{path}: signature checked, {added} new quad(s) bulk-loaded in {seconds:.1f} s")
    finally:
        store.close()
    return 0


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
            with terminal.progress(total=len(claims), what="claims") as bar:
                found = service.validate_many(claims, progress=bar.update)
            for claim, report in zip(claims, found, strict=True):
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
            write_solutions(result, args.format, sys.stdout, wide=args.wide)
        elif result.form is QueryForm.ASK:
            print("true" if result.boolean else "false")
        else:
            sys.stdout.write(_text(serialize(result, GraphFormat.TURTLE)))
    finally:
        store.close()
    return 0


def write_solutions(result: QueryResult, fmt: str, out: TextIO, *, wide: bool = False) -> None:
    """SELECT results as a table (cut to the terminal unless ``wide``), SPARQL results
    JSON, or CSV."""
    if fmt == "json":
        out.write(_text(serialize(result, ResultFormat.JSON)) + "\n")
        return
    if fmt == "csv":
        out.write(_text(serialize(result, ResultFormat.CSV)))
        return
    from gbkg.kg.ids import compress

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
    terminal.write_table(result.variables, rows, out, wide=wide)


def _text(data: bytes | None) -> str:
    return (data or b"").decode("utf-8")


def cmd_queries(args: argparse.Namespace) -> int:
    from gbkg.kg.queries import QueryCatalog

    for query in QueryCatalog().list():
        params = ", ".join(f"{p.name} ({p.type})" for p in query.params) or "-"
        print(f"{query.name:24} {query.summary}  [params: {params}]")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from gbkg.kg.signing import Signer

    signer = (
        Signer(_settings(args).signing_key.get_secret_value().encode()) if args.signature else None
    )
    store = _open(args)
    try:
        # The same bytes as GET /export?format=...
        with terminal.progress(total=None, what="B", unit_scale=True) as bar:
            out: Any = terminal.CountingWriter(sys.stdout.buffer, bar)
            if signer is not None:
                out = signer.wrap(out)
            export_store(store, rdf_format(args.format), out)
        sys.stdout.buffer.flush()
    finally:
        store.close()
    if signer is not None:
        args.signature.write_text(signer.line(), encoding="utf-8")
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
    from gbkg.kg.evidence.paths import ranked_paths

    store = _open(args)
    try:
        graph = ClaimGraph.from_store(store)
        found = ranked_paths(graph, args.source, args.target, max_hops=args.max_hops)
    finally:
        store.close()
    if args.format == "json":
        from gbkg.api.evidence_out import paths_body

        body = paths_body(graph, found, args.source, args.target, max_hops=args.max_hops)
        sys.stdout.write(body.model_dump_json(indent=2, by_alias=True) + "\n")
        return 0 if found else 1
    if not found:
        print(f"no path from {args.source} to {args.target} within {args.max_hops} hops")
        return 1
    for number, path in enumerate(found, 1):
        print(f"{number}. score {path.score:.2f}")
        for step in path.steps:
            verdict = step.verdict
            kind = (
                "assertion only"
                if step.assertion_only
                else f"{verdict.consensus.value}, "
                f"{verdict.certainty.value if verdict.certainty else '-'}"
            )
            print(
                f"   {graph.label(step.source)} --{graph.vocabulary.label(step.relation)} "
                f"[{kind}]--> {graph.label(step.target)}   ({step.proposition})"
            )
        print(f"   why: {path.explanation}")
    return 0


def _print_violations(violations: Sequence[Violation], out: TextIO) -> None:
    for v in violations:
        where = v.field or v.path or "claim"
        value = f" (value: {v.value})" if v.value is not None else ""
        print(f"  [{v.severity}] {where}: {v.message}{value}", file=out)


__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
