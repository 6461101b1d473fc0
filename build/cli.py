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
    min_confidence: Annotated[float, typer.Option(help="Drop relations whose best rule confidence is below this.")] = 0.0,
    views: Annotated[bool, typer.Option("--views/--no-views", help="Write the HTML views.")] = True,
    validate: Annotated[bool, typer.Option("--validate/--no-validate", help="Check the graph with the SHACL shapes.")] = True,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress and no summary.")] = False,
) -> None:
    """Build the knowledge graph of a corpus: RDF dumps, the SPARQL store and HTML views in --out."""
    from policykg.build.pipeline import BuildOptions, OutputError, build_corpus

    if not 0.0 <= min_confidence <= 1.0:
        raise _fail(f"--min-confidence must be between 0 and 1, got {min_confidence}")
    if segmenter not in ("rjieba", "jieba"):
        raise _fail(f"--segmenter must be rjieba or jieba, got {segmenter!r}")
    missing = [str(p) for p in paths if not p.exists() and not p.is_symlink()]
    if missing:
        raise _fail(f"no such file or folder: {', '.join(missing)}")
    opts = BuildOptions(segmenter=segmenter, min_confidence=min_confidence, views=views,
                        validate=validate)
    try:
        if quiet:
            report = build_corpus(paths, out=out_dir, options=opts)
        else:
            with err.status("building…") as status:
                report = build_corpus(paths, out=out_dir, options=opts,
                                      progress=lambda src: status.update(f"extracting {src}"))
    except OutputError as e:
        raise _fail(str(e))
    if not quiet:
        _print_summary(report)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_PARTIAL)


def _print_summary(report) -> None:  # noqa: ANN001 - BuildReport
    out.print(f"built {len(report.articles)} articles into {report.out}/ in {report.seconds:.1f}s")
    out.print("  entities:  " + ", ".join(f"{k} {v}" for k, v in report.entities_by_type.items()))
    out.print("  relations: " + ", ".join(f"{k} {v}" for k, v in report.relations_by_predicate.items()))
    if report.conforms is not None:
        out.print(f"  SHACL: {'conforms' if report.conforms else 'DOES NOT CONFORM (see validation.txt)'}")
    if "views" in report.outputs:
        out.print(f"  views: {report.out / report.outputs['views']}")
    for s in report.skipped:
        err.print(f"skipped {s.path}: {s.reason}", markup=False)


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
    params: dict[str, str] = {}
    for item in param or []:
        if "=" not in item:
            raise _fail(f"--param expects NAME=VALUE, got {item!r}")
        k, v = item.split("=", 1)
        params[k.strip().lstrip("?")] = v
    if sparql in queries:
        q = queries[sparql]
    elif sparql.endswith(".rq") and Path(sparql).is_file():
        q = Path(sparql).read_text(encoding="utf-8")
    else:
        q = sparql
    store_dir = store / "store" if (store / "store").is_dir() else store
    if not store_dir.is_dir():
        raise _fail(f"{store}: no store found; run `policykg build … --out {store}` first")
    try:
        with GraphStore.open(store_dir, read_only=True) as gs:
            result = run_query(gs, q, params=params, timeout=timeout)
    except QueryError as e:
        raise _fail(str(e))
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
) -> None:
    """Score the built graph against gold annotations (P/R/F1 per type and per predicate)."""
    from policykg.graph import evaluate as ev

    files: list[Path] = []
    for g in gold:
        if g.is_dir():
            files += sorted(g.rglob("*.yaml")) + sorted(g.rglob("*.yml"))
        elif g.is_file():
            files.append(g)
        else:
            raise _fail(f"{g}: no such gold file or folder")
    if not files:
        raise _fail(f"no .yaml gold files in {', '.join(map(str, gold))}")
    graph = store / "graph.nq" if store.is_dir() else store
    if not graph.exists():
        raise _fail(f"{store}: no graph found; run `policykg build … --out {store}` first")
    try:
        result = ev.score_files(files, graph)
    except ev.GoldError as e:
        raise _fail(str(e))
    sys.stdout.write(ev.to_json(result) if as_json else ev.to_text(result, errors=errors))


@app.command("validate")
def validate_cmd(
    store: Annotated[Path, typer.Option("--store", "-s", help="Output folder of a build, or an RDF file.")] = Path("out"),
) -> None:
    """Check a built graph against the SHACL shapes of the ontology."""
    import rdflib

    from policykg.graph.validate import validate

    graph = store / "graph.trig" if store.is_dir() else store
    if not graph.exists():
        raise _fail(f"{store}: no graph found; run `policykg build … --out {store}` first")
    ds = rdflib.Dataset(default_union=True)
    ds.parse(graph)
    rep = validate(ds)
    out.print(rep.text, markup=False)
    raise typer.Exit(EXIT_OK if rep.conforms else EXIT_PARTIAL)


def main() -> None:
    """Console-script entry point: typer's usage errors exit with 2 as documented."""
    app()


if __name__ == "__main__":  # pragma: no cover
    main()
