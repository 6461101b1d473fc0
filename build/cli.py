"""The ``policykg`` command: thin wrappers over functions that return data.

Exit codes (also in ``policykg --help`` and the README):

* 0 — success
* 1 — built, but some inputs were skipped or the graph failed SHACL validation;
  ``evaluate`` below a ``--min-f1`` gate
* 2 — bad invocation or a fatal input (no such store, malformed query or gold file)
"""
from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

EXIT_OK, EXIT_PARTIAL, EXIT_FATAL = 0, 1, 2
EXIT_CODES_HELP = (
    "Exit codes: 0 success; 1 built with skipped inputs or failed SHACL validation "
    "(evaluate: below --min-f1); 2 bad invocation or fatal input."
)

app = typer.Typer(
    name="policykg",
    help="Turn Chinese policy articles into a knowledge graph (RDF + SPARQL + offline HTML views).\n\n"
    + EXIT_CODES_HELP,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False)
out = Console(highlight=False)


class Format(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


def _fail(message: str, code: int = EXIT_FATAL) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}", markup=True, soft_wrap=True)
    return typer.Exit(code)


@app.command()
def build(
    paths: Annotated[list[Path], typer.Argument(help="Corpus files or folders (.txt / .md, UTF-8 or GB18030).")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output folder (replaced atomically).")] = Path("out"),
    segmenter: Annotated[str, typer.Option(help="Segmenter backend: rjieba (fast) or jieba (reference).")] = "rjieba",
    min_confidence: Annotated[float, typer.Option(help="Drop relations whose best rule confidence (or learned probability) is below this.")] = 0.0,
    rules_only: Annotated[bool, typer.Option("--rules-only", help="Build without the learned model (rules alone), for comparison.")] = False,
    model: Annotated[Optional[Path], typer.Option("--model", help="Learned model file (default: the shipped one; write another with `policykg train --out`).")] = None,
    views: Annotated[bool, typer.Option("--views/--no-views", help="Write the HTML views.")] = True,
    validate: Annotated[bool, typer.Option("--validate/--no-validate", help="Check the graph with the SHACL shapes.")] = True,
    shacl_engine: Annotated[str, typer.Option(help="SHACL engine: fast (pyshacl-turbo) or pyshacl (the reference).")] = "fast",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress and no summary.")] = False,
    jobs: Annotated[int, typer.Option("--jobs", "-j", help="Extract in this many worker processes (output is identical for any N).")] = 1,
    full: Annotated[bool, typer.Option("--full", help="Re-extract every article (ignore the previous build in --out).")] = False,
    wait: Annotated[float, typer.Option(help="Seconds to wait when another build is writing --out.")] = 60.0,
    cluster: Annotated[Optional[str], typer.Option(help="Extract on a Dask cluster: tcp://HOST:8786 (a running `dask scheduler`) or local (a LocalCluster of --jobs workers, default one per CPU); needs policykg[cluster].")] = None,
) -> None:
    """Build the knowledge graph of a corpus: RDF dumps, the SPARQL store and HTML views in --out.

    Rebuilding into the same --out re-extracts only new or changed articles.
    """
    from rich.markup import escape

    from policykg.build.learn import ModelError
    from policykg.build.parallel import ClusterError
    from policykg.build.pipeline import BuildOptions, OutputError, build_corpus

    if not 0.0 <= min_confidence <= 1.0:
        raise _fail(f"--min-confidence must be between 0 and 1, got {min_confidence}")
    if segmenter not in ("rjieba", "jieba"):
        raise _fail(f"--segmenter must be rjieba or jieba, got {segmenter!r}")
    if jobs < 1:
        raise _fail(f"--jobs must be at least 1, got {jobs}")
    _check_engine(shacl_engine)
    if wait < 0:
        raise _fail(f"--wait must be 0 or more seconds, got {wait:g}")
    if cluster is not None and cluster != "local" and "://" not in cluster:
        raise _fail(f"--cluster must be tcp://HOST:PORT of a Dask scheduler or local, got {cluster!r}")
    if cluster not in (None, "local") and jobs > 1:
        raise _fail(f"--jobs {jobs} sets this machine's processes; with --cluster {cluster} the "
                    "workers are the ones `dask worker` started: drop --jobs")
    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise _fail(f"no such file or folder: {', '.join(missing)}")
    opts = BuildOptions(segmenter=segmenter, min_confidence=min_confidence, views=views,
                        validate=validate, shacl_engine=shacl_engine, jobs=jobs,
                        incremental=not full, wait=wait, cluster=cluster,
                        rules_only=rules_only, model_path=str(model) if model else None)
    try:
        if quiet:
            report = build_corpus(paths, out=out_dir, options=opts)
        else:
            with _BuildProgressBar() as bar:
                report = build_corpus(paths, out=out_dir, options=opts, progress=bar.update)
    except (OutputError, ClusterError, ModelError) as e:
        raise _fail(escape(str(e)))
    except OSError as e:  # unwritable folder, full disk …: the previous output is untouched
        where = f" ({e.filename})" if e.filename else ""
        raise _fail(escape(f"{out_dir}: cannot write the output: {e.strerror or e}{where}; "
                           "the previous output is unchanged — choose a writable folder with "
                           "free space with --out"))
    if not quiet:
        _print_summary(report)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_PARTIAL)


class _BuildProgressBar:
    """A rich progress display on stderr: articles done, reused, chars/s, elapsed."""

    def __init__(self) -> None:
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
            TextColumn("{task.fields[stats]}"), TimeElapsedColumn(),
            console=err, transient=True)
        self._task = self._progress.add_task("building", total=None, stats="")
        self._t0 = 0.0

    def __enter__(self) -> "_BuildProgressBar":
        import time

        self._t0 = time.perf_counter()
        self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._progress.stop()

    def update(self, e) -> None:  # noqa: ANN001 - pipeline.BuildProgress
        import time

        if e.stage == "waiting":
            err.print(e.message, markup=False)
            return
        rate = e.chars / max(time.perf_counter() - self._t0, 1e-9)
        stats = (f"{e.articles} articles ({e.extracted} extracted, {e.reused} reused) "
                 f"· {rate / 1e3:,.0f} k chars/s")
        desc = e.message or "extracting"
        self._progress.update(self._task, description=desc, stats=stats)


def _print_summary(report) -> None:  # noqa: ANN001 - BuildReport
    out.print(f"built {len(report.articles)} articles into {report.out}/ in {report.seconds:.1f}s "
              f"({report.extracted} extracted, {report.reused} reused, {report.removed} removed; "
              f"{report.chars:,} chars, {report.quads:,} quads)")
    out.print("  entities:  " + ", ".join(f"{k} {v}" for k, v in report.entities_by_type.items()))
    out.print("  relations: " + ", ".join(f"{k} {v}" for k, v in report.relations_by_predicate.items()))
    if report.conforms is not None:
        out.print(f"  SHACL: {'conforms' if report.conforms else 'DOES NOT CONFORM (see validation.txt)'}")
    if "views" in report.outputs:
        out.print(f"  views: {report.out / report.outputs['views']}")
    t = report.timings
    if t:
        parts = []
        for key, name in (("extract", "extraction"), ("rdf", "RDF"), ("validate", "SHACL"),
                          ("store", "store"), ("summary", "summary graph"),
                          ("validate_summary", "summary SHACL"), ("dumps", "dumps"),
                          ("views", "views")):
            if key not in t or (key == "validate" and report.conforms is None):
                continue
            parts.append(f"{name} {t[key]:.1f}s")
            if key == "store" and report.extracted and "store_wait" in t:
                # loads while extracting and while the dumps are written
                parts[-1] += f" ({t['store_wait']:.1f}s after the dumps)"
            if key == "summary" and "summary_load" in t:
                parts[-1] += f" (+{t['summary_load']:.1f}s loading it beside the dumps)"
        out.print("  time:      " + ", ".join(parts)
                  + (" (extraction, RDF and SHACL summed over workers)" if report.extracted else ""))
    if report.skipped:
        out.print(f"  skipped: {len(report.skipped)} input(s)")
    for s in report.skipped:
        err.print(f"skipped {s.path}: {s.reason}", markup=False, soft_wrap=True)  # one line: paths stay copyable
    for w in report.warnings:   # built without the value: a warning, not a failure
        err.print(f"warning: {w}", markup=False, soft_wrap=True)


@app.command()
def query(
    sparql: Annotated[Optional[str], typer.Argument(help="SPARQL text, a .rq file, or the name of a bundled query.")] = None,
    store: Annotated[Path, typer.Option("--store", "-s", help="Output folder of a build (or its store/).")] = Path("out"),
    param: Annotated[Optional[list[str]], typer.Option("--param", "-p", help="NAME=VALUE for a named query's parameter (bound, never pasted).")] = None,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    timeout: Annotated[Optional[float], typer.Option(help="Stop the query after this many seconds.")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the bundled named queries and their parameters.")] = False,
) -> None:
    """Run SPARQL against the built store: inline text, a .rq file or a bundled query name."""
    from rich.markup import escape

    from policykg.graph.query import QueryError, named_queries, run_query, to_csv, to_json, to_table
    from policykg.graph.store import GraphStore

    queries = named_queries()
    if list_:
        for q in queries.values():
            out.print(f"[bold]{q.name}[/] — {q.title}")
            for p in q.params:
                out.print(f"    --param {p.name}=…  {p.description}", markup=False)
        raise typer.Exit(EXIT_OK)
    if not sparql:
        raise _fail("give a SPARQL query, a .rq file or a named query (see --list)")
    if timeout is not None and not timeout > 0:
        raise _fail(f"--timeout must be more than 0 seconds, got {timeout:g}")
    params: dict[str, str] = {}
    for item in param or []:
        if "=" not in item:  # messages are escaped: '[b]' in user text is no rich markup
            raise _fail(escape(f"--param expects NAME=VALUE, got {item!r}"))
        k, v = item.split("=", 1)
        params[k.strip().lstrip("?")] = v
    if sparql in queries:
        q = queries[sparql]
    elif sparql.endswith(".rq") and not any(c in sparql for c in "{\n"):  # a file, not SPARQL
        try:
            q = Path(sparql).read_text(encoding="utf-8")
        except UnicodeDecodeError as e:
            raise _fail(escape(f"{sparql}: not UTF-8 ({e.reason} at byte {e.start}); "
                               "save the query file as UTF-8"))
        except OSError as e:
            raise _fail(escape(f"{sparql}: cannot read the query file ({e.strerror or e}); give an "
                               "existing .rq file, SPARQL text or a named query (see --list)"))
    else:
        q = sparql
    store_dir = store / "store" if (store / "store").is_dir() else store
    if not store_dir.is_dir():
        raise _fail(escape(f"{store}: no store found; run `policykg build … --out {store}` first"))
    try:
        with GraphStore.open(store_dir, read_only=True) as gs:
            result = run_query(gs, q, params=params, timeout=timeout)
    except (QueryError, OSError) as e:
        raise _fail(escape(str(e)))
    render = {Format.table: to_table, Format.csv: to_csv, Format.json: to_json}[fmt]
    sys.stdout.write(render(result))
    if not render(result).endswith("\n"):
        sys.stdout.write("\n")


@app.command()
def evaluate(
    gold: Annotated[list[Path], typer.Argument(help="Gold YAML files or folders of them.")],
    store: Annotated[Path, typer.Option("--store", "-s", help="Output folder of a build, or an RDF file (.trig/.nq/.ttl).")] = Path("out"),
    errors: Annotated[bool, typer.Option("--errors", help="List missed and spurious items.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable output.")] = False,
    min_f1: Annotated[Optional[float], typer.Option("--min-f1", help="Exit 1 when the micro-averaged entity or relation F1 is below this.")] = None,
) -> None:
    """Score the built graph against gold annotations (P/R/F1 per type and per predicate)."""
    from rich.markup import escape

    from policykg.graph import evaluate as ev

    files: list[Path] = []
    for g in gold:
        if g.is_dir():
            files += sorted(g.rglob("*.yaml")) + sorted(g.rglob("*.yml"))
        elif g.is_file():
            files.append(g)
        else:
            raise _fail(escape(f"{g}: no such gold file or folder"))
    if not files:
        raise _fail(escape(f"no .yaml gold files in {', '.join(map(str, gold))}"))
    graph = store / "graph.nq" if store.is_dir() else store
    if not graph.exists():
        raise _fail(escape(f"{store}: no graph found; run `policykg build … --out {store}` first"))
    try:
        for f in files:
            ev.read_gold(f)        # gold errors first, before reading a big graph
        result = ev.score_files(files, _read_graph(graph))
    except ev.GoldError as e:
        raise _fail(escape(str(e)))
    sys.stdout.write(ev.to_json(result) if as_json else ev.to_text(result, errors=errors))
    if min_f1 is not None:
        worst = min(result.micro.entity("ALL").f1, result.micro.relation("ALL").f1)
        if worst < min_f1:
            err.print(f"below --min-f1 {min_f1}: entity F1 {result.micro.entity('ALL').f1}, "
                      f"relation F1 {result.micro.relation('ALL').f1}", markup=False, soft_wrap=True)
            raise typer.Exit(EXIT_PARTIAL)


@app.command()
def train(
    gold_dir: Annotated[Path, typer.Argument(help="Folder of gold YAML files (e.g. tests/data/gold).")],
    corpus_dir: Annotated[Path, typer.Argument(help="Folder holding the texts the gold files describe (e.g. corpus/).")],
    out: Annotated[Optional[Path], typer.Option("--out", "-o", help="Model file to write (default: the shipped ontology/models/learned.json).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of the training (recorded in the model).")] = 14,
) -> None:
    """Train the learned entity and relation model from gold files (offline, deterministic)."""
    from rich.markup import escape

    from policykg.build.learn import default_model_path, write_model
    from policykg.build.training import load_gold_texts
    from policykg.build.training import train as fit
    from policykg.graph.evaluate import GoldError

    for p in (gold_dir, corpus_dir):
        if not p.is_dir():
            raise _fail(escape(f"{p}: no such folder; pass the gold folder and the corpus folder"))
    try:
        texts = load_gold_texts(gold_dir, corpus_dir)
    except GoldError as e:
        raise _fail(escape(str(e)))
    target = out or default_model_path()
    model = fit(texts, seed=seed)
    try:
        write_model(model, target)
    except OSError as e:
        raise _fail(escape(f"{target}: cannot write the model: {e.strerror or e}; choose a writable path with --out"))
    err.print(f"trained on {len(texts)} gold files → {target} (entity threshold {model.entity_threshold}, "
              f"relation threshold {model.relation_threshold})", markup=False, soft_wrap=True)


@app.command("validate")
def validate_cmd(
    store: Annotated[Path, typer.Option("--store", "-s", help="Output folder of a build, or an RDF file.")] = Path("out"),
    shacl_engine: Annotated[str, typer.Option(help="SHACL engine: fast (pyshacl-turbo) or pyshacl (the reference).")] = "fast",
) -> None:
    """Check a built graph against the SHACL shapes of the ontology."""
    from rich.markup import escape

    from policykg.graph.validate import validate

    _check_engine(shacl_engine)
    graph = store / "graph.trig" if store.is_dir() else store
    if not graph.exists():
        raise _fail(escape(f"{store}: no graph found; run `policykg build … --out {store}` first"))
    rep = validate(_read_graph(graph), engine=shacl_engine)  # type: ignore[arg-type]
    sys.stdout.write(rep.text)   # as is: one tab-separated line per result
    raise typer.Exit(EXIT_OK if rep.conforms else EXIT_PARTIAL)


def _check_engine(engine: str) -> None:
    from policykg.graph.validate import ENGINES

    if engine not in ENGINES:
        raise _fail(f"--shacl-engine must be {' or '.join(ENGINES)}, got {engine!r}")


def _read_graph(path: Path):  # noqa: ANN202 - rdflib.Dataset, imported lazily
    """An RDF file (format from its suffix) as an rdflib Dataset, or a clear error (exit 2)."""
    import rdflib
    from rich.markup import escape

    fmt = rdflib.util.guess_format(str(path))
    if fmt is None:
        raise _fail(escape(f"{path}: cannot tell the RDF format from the file name; pass a "
                           "build's output folder or a .trig, .nq, .ttl, .nt, .jsonld or .rdf file"))
    ds = rdflib.Dataset(default_union=True)
    try:
        ds.parse(str(path), format=fmt)
    except Exception as e:  # noqa: BLE001 - rdflib's parsers raise SyntaxError, ParserError,
        # AssertionError, UnicodeDecodeError…: whichever, the file is not readable RDF
        detail = " ".join(str(e).split())
        detail = detail if len(detail) <= 200 else detail[:199] + "…"
        raise _fail(escape(f"{path}: not valid {fmt} ({type(e).__name__}: {detail}); pass a "
                           "build's output folder or an RDF file it wrote"))
    return ds


@app.command()
def serve(
    store: Annotated[Path, typer.Option("--store", "-s", help="Output folder of a build (or its store/).")] = Path("out"),
    port: Annotated[int, typer.Option(help="TCP port to listen on.")] = 7878,
    bind: Annotated[str, typer.Option(help="Address to listen on; loopback by default (only this machine).")] = "127.0.0.1",
    timeout: Annotated[Optional[float], typer.Option(help="Stop queries after this many seconds.")] = None,
) -> None:
    """Serve the built store as a read-only SPARQL 1.1 endpoint with a query web UI (Ctrl-C stops).

    A rebuild into the same folder is picked up by itself: once the new output is in
    place, the server restarts on it (same port) and prints a line saying so.
    """
    import signal

    from rich.markup import escape

    from policykg.graph.server import ReloadingServer, ServeError, is_loopback

    if not 0 < port < 65536:
        raise _fail(f"--port must be between 1 and 65535, got {port}")
    try:
        server = ReloadingServer(store, host=bind, port=port, timeout_s=timeout)
    except ServeError as e:
        raise _fail(escape(str(e)))

    def terminate(signum: int, frame: object) -> None:     # `kill PID` stops it like Ctrl-C
        raise KeyboardInterrupt

    def say(text: str) -> None:
        # not rich: a Ctrl-C right after its write would print the text again with the next
        sys.stdout.write(text + "\n")
        sys.stdout.flush()

    before = signal.signal(signal.SIGTERM, terminate)
    try:
        try:
            server.start()
        except ServeError as e:
            raise _fail(escape(str(e)))
        if not is_loopback(bind):
            err.print(f"warning: listening on {bind}: other machines on the network can query "
                      "this graph (read-only)", markup=False)
        watching = (f"reloads by itself when {server.watcher.root} is rebuilt\n"
                    if server.watcher is not None else "")
        say(f"SPARQL endpoint  {server.url}/query  (read-only; the default graph is the "
            f"union of all article graphs)\nquery UI         {server.url}/\n{watching}"
            "press Ctrl-C to stop")
        code = server.run(on_reload=say)
    except KeyboardInterrupt:
        server.stop()
        say("stopped")
        raise typer.Exit(EXIT_OK)
    except ServeError as e:     # the restart after a rebuild failed
        server.stop()
        raise _fail(escape(f"{store} was rebuilt, but the server could not restart on it: {e}"))
    finally:
        signal.signal(signal.SIGTERM, before)
    log = server.log().strip()[-500:] or "no output"
    server.stop()
    raise _fail(escape(f"the oxigraph server stopped unexpectedly (exit code {code}): {log}"))


@app.command()
def push(
    endpoint: Annotated[str, typer.Option("--endpoint", "-e", help="Graph Store Protocol URL of the server, e.g. http://localhost:7878/store (see README).")],
    store: Annotated[Path, typer.Option("--store", "-s", help="Output folder of a build (or its store/).")] = Path("out"),
    dry_run: Annotated[bool, typer.Option("--dry-run", help="List what would be sent and deleted; change nothing (still asks the server which graphs it has, unless --no-prune).")] = False,
    prune: Annotated[bool, typer.Option("--prune/--no-prune", help="Delete the server's policykg article graphs that the build no longer has (articles removed from the corpus), so the server mirrors the build. Other graphs are never touched.")] = True,
    query_endpoint: Annotated[Optional[str], typer.Option(help="SPARQL query URL of the server, to list its graphs for --prune. Default: guessed from --endpoint (…/store → …/query, …/data → …/query, …/rdf-graphs/service → the repository, …/sparql-graph-crud-auth → …/sparql-auth, else the same URL).")] = None,
    auth_env: Annotated[Optional[str], typer.Option(help="Environment variable holding user:password (basic/digest auth). Default: ~/.netrc entry of the host, if any.")] = None,
    token_env: Annotated[Optional[str], typer.Option(help="Environment variable holding a bearer token (QLever access token).")] = None,
    graph_param: Annotated[str, typer.Option(help="Query parameter naming the graph (Virtuoso: graph-uri).")] = "graph",
    timeout: Annotated[float, typer.Option(help="Seconds to wait for each answer of the server.")] = 60.0,
) -> None:
    """Load the graph into a SPARQL 1.1 server: one PUT per article graph (replaces it; repeatable),
    then delete the graphs of articles removed from the corpus (--no-prune keeps them).

    Failures (server unreachable, refused, timed out) print one line naming the server
    and exit with 2; nothing is written locally, and running the same push again finishes it.
    """
    from rich.markup import escape

    from policykg.graph.push import PushError, credentials, push as push_graphs

    if auth_env and token_env:
        raise _fail("give either --auth-env or --token-env, not both")
    try:
        creds = credentials(endpoint, auth_env=auth_env, token_env=token_env)
        report = push_graphs(store, endpoint=endpoint, creds=creds, dry_run=dry_run,
                             timeout=timeout, graph_param=graph_param, prune=prune,
                             query_endpoint=query_endpoint)
    except PushError as e:
        raise _fail(escape(str(e)))

    def graphs(n: int) -> str:
        return f"{n} graph{'' if n == 1 else 's'}"

    if dry_run:
        for g in report.graphs:
            out.print(f"would PUT    {g.triples:>7} triples  {g.url}", markup=False, soft_wrap=True)
        for d in report.deleted:
            out.print(f"would DELETE {'':>7}          {d.url}", markup=False, soft_wrap=True)
        deleting = (f"; {graphs(len(report.deleted))} of removed articles to delete"
                    if report.deleted else "")
        out.print(f"dry run: {graphs(len(report.graphs))}, {report.triples} triples{deleting}; "
                  "nothing sent", markup=False, soft_wrap=True)
    else:
        for d in report.deleted:
            out.print(f"deleted {d.graph} (article {d.article_id} is no longer in the build)",
                      markup=False, soft_wrap=True)
        deleted = (f"; deleted {graphs(len(report.deleted))} of removed articles"
                   if report.deleted else "")
        out.print(f"pushed {graphs(len(report.graphs))} ({report.triples} triples) to {endpoint}"
                  f"{deleted}", markup=False, soft_wrap=True)


@app.command()
def view(
    sparql: Annotated[Optional[str], typer.Argument(help="SPARQL SELECT/CONSTRUCT text, a .rq file, or the name of a bundled query.")] = None,
    store: Annotated[Path, typer.Option("--store", "-s", help="Output folder of a build (or its store/).")] = Path("out"),
    param: Annotated[Optional[list[str]], typer.Option("--param", "-p", help="NAME=VALUE for a named query's parameter.")] = None,
    around: Annotated[Optional[str], typer.Option(help="Label, alias or IRI of an entity: view its neighbourhood instead of a query.")] = None,
    depth: Annotated[int, typer.Option(help="With --around: how many hops to include.")] = 1,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", help="HTML file to write (default: <store>/views/custom/<name>.html).")] = None,
    title: Annotated[Optional[str], typer.Option(help="Page title.")] = None,
    open_: Annotated[bool, typer.Option("--open", help="Open the page in the default browser.")] = False,
) -> None:
    """Write an explorer page (self-contained HTML) for a query result or for the neighbourhood of one entity."""
    import hashlib
    import os
    import webbrowser

    from rich.markup import escape

    from policykg.graph.network import ego_graph, find_node, iri_slug, to_networkx
    from policykg.graph.query import QueryError, named_queries, run_query
    from policykg.graph.store import GraphStore
    from policykg.graph.views import graph_for_result, place_slugs, write_explorer

    if (sparql is None) == (around is None):
        raise _fail("give a SPARQL query (text, .rq file or named query) or --around ENTITY, not both")
    if depth < 0:
        raise _fail(f"--depth must be 0 or more, got {depth}")
    params: dict[str, str] = {}
    for item in param or []:
        if "=" not in item:
            raise _fail(escape(f"--param expects NAME=VALUE, got {item!r}"))
        k, v = item.split("=", 1)
        params[k.strip().lstrip("?")] = v
    if params and around is not None:
        raise _fail("--param goes with a query, not with --around")
    root = store if (store / "store").is_dir() else store.parent
    store_dir = root / "store"
    if not store_dir.is_dir():
        raise _fail(escape(f"{store}: no store found; run `policykg build … --out {store}` first"))
    center = None
    try:
        with GraphStore.open(store_dir, read_only=True) as gs:
            G = to_networkx(gs.inner)
            if around is not None:
                H = ego_graph(G, around, depth=depth)
                center = find_node(G, around)
                name = f"around-{iri_slug(center)}-d{depth}"
                default_title = f"{G.nodes[center].get('label')} · {depth} 跳 hops"
            else:
                queries = named_queries()
                if sparql in queries:
                    q, name, default_title = queries[sparql], sparql, queries[sparql].title
                elif sparql.endswith(".rq") and Path(sparql).is_file():
                    q, name = Path(sparql).read_text(encoding="utf-8"), Path(sparql).stem
                    default_title = name
                else:
                    q, name, default_title = sparql, "query", "SPARQL"
                if params or name == "query":
                    key = q if isinstance(q, str) else q.name
                    key += "\n" + "\n".join(f"{k}={v}" for k, v in sorted(params.items()))
                    name += "-" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:10]
                if params:
                    default_title += " · " + ", ".join(f"{k}={v}" for k, v in sorted(params.items()))
                H = graph_for_result(G, run_query(gs, q, params=params), params=params)
    except (QueryError, ValueError) as e:
        raise _fail(escape(str(e)))  # _fail prints rich markup: keep '[...]' in messages
    except KeyError as e:  # ego_graph: no such entity, or an ambiguous name
        raise _fail(escape(str(e.args[0])))
    path = output or root / "views" / "custom" / f"{name}.html"
    # link evidence to the build's article pages and places to their ego pages, where they exist
    here = path.resolve().parent
    views_dir = (root / "views").resolve()

    def rel(target: Path) -> str | None:
        try:
            return Path(os.path.relpath(target, here)).as_posix() if target.is_file() else None
        except ValueError:  # another drive (Windows): no relative link possible
            return None

    article_links = {a: r for a in H.graph.get("articles", {})
                     if (r := rel(views_dir / "article" / f"{a}.html"))}
    place_links = {n: r for n, s in place_slugs(G).items()
                   if n in H and (r := rel(views_dir / "place" / f"{s}.html"))}
    nav = {"← 全图 Whole graph": r} if (r := rel(views_dir / "index.html")) else None
    write_explorer(H, path, title=title or default_title, article_links=article_links,
                   place_links=place_links, nav=nav, focus=center)
    out.print(f"{path}  ({H.number_of_nodes()} nodes, {H.number_of_edges()} relations)", markup=False,
              soft_wrap=True)
    if open_:
        webbrowser.open(path.resolve().as_uri())


def main() -> None:
    """Console-script entry point: typer's usage errors exit with 2 as documented."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
