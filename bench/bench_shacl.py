"""SHACL benchmark: pySHACL (the reference) vs the fast engine (pyshacl-turbo), as the build runs them.

Run from the repository root::

    python bench/bench_shacl.py              # 2 copies of the bundled texts (~0.3 MB)
    python bench/bench_shacl.py --copies 8   # more (pySHACL takes ~25 s per MB)

The corpus is bench_build.py's synthetic one (the bundled real texts, corpus/sample
and corpus/dev, repeated with per-article variation) of ``copies`` times their size.
It is built once (in this process: no validation, no views, ``jobs=1``); then, in this process and
in the same run, each engine validates what the build validates: every article graph
on its own (its N-Quads, as the workers do) and the summary graph. Shapes are
compiled / imports done before timing (one warm-up graph). Prints seconds per engine,
the ratio, the fast engine's time against the build's extraction time (same corpus) and checks that both engines found the same results.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_build import SOURCES, make_corpus  # noqa: E402 - a sibling script

from policykg.build.pipeline import BuildOptions, build_corpus  # noqa: E402
from policykg.graph.validate import validate  # noqa: E402


def graphs_of(nquads: Path) -> dict[str, bytes]:
    """graph.nq split into its graphs (graph name → N-Quads), in file order."""
    out: dict[str, list[bytes]] = {}
    with open(nquads, "rb") as fh:
        for line in fh:
            out.setdefault(line[line.rindex(b" <"):], []).append(line)
    return {name.decode().strip(" <>."): b"".join(lines) for name, lines in out.items()}


def time_engine(engine: str, graphs: dict[str, bytes]) -> tuple[float, list]:
    validate(next(iter(graphs.values())), engine=engine)        # warm-up: imports, shapes
    t0 = time.perf_counter()
    results = [validate(g, engine=engine).results for g in graphs.values()]
    return time.perf_counter() - t0, results


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--copies", type=float, default=2, help="corpus size in copies of the bundled texts")
    args = ap.parse_args(argv)
    size = int(args.copies * sum(p.stat().st_size for p in SOURCES))
    work = Path(tempfile.gettempdir()) / "policykg-bench-shacl"
    corpus = make_corpus(work / f"corpus-{size}", size)
    out = work / f"out-{size}"
    report = build_corpus([work / f"corpus-{size}"], out=out, options=BuildOptions(
        views=False, validate=False, jobs=1, incremental=False))
    graphs = graphs_of(out / "graph.nq")
    quads = sum(g.count(b"\n") for g in graphs.values())
    print(f"corpus: {corpus['files']} articles, {corpus['chars']:,} chars; {len(graphs)} graphs "
          f"(articles + summary), {quads:,} quads; load average {os.getloadavg()[0]:.1f}")
    fast_s, fast = time_engine("fast", graphs)
    ref_s, ref = time_engine("pyshacl", graphs)
    extract = report.timings["extract"]
    print(f"pyshacl {ref_s:.2f} s   fast {fast_s:.2f} s   ratio {ref_s / fast_s:.1f}x   "
          f"fast / extraction ({extract:.2f} s) {fast_s / extract:.2f}   "
          f"fast {fast_s / quads * 1e6:.1f} µs per quad")
    print("same results:", fast == ref)
    return 0 if fast == ref else 1


if __name__ == "__main__":
    raise SystemExit(main())
