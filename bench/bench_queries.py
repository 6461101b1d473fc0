"""Named-query latency on a ~1 M-triple graph in the embedded Oxigraph store.

Run from the repository root::

    python bench/bench_queries.py                 # ~1 M quads, 20 runs per query
    python bench/bench_queries.py --quads 300000 --runs 10

The graph is **synthetic**: the bundled corpus (corpus/sample, corpus/dev) is
extracted once, then its article graphs are cloned under new article ids until
the store holds the requested number of article quads (the summary graph
of graph/summary.py comes on top, as in a build); each clone swaps the big cities
of its article for other prefecture cities (so entity counts and the places a
query matches grow with size, as in a real corpus). The store is loaded by the
build's own loader: bulk loads of 32 MB N-Quads slices, then the summary. Every
bundled named query (ontology/queries/*.rq) runs through
``policykg.graph.query.run_query`` (the path ``policykg query`` takes, results
materialised), after one warm-up run; p50 and p95 of the wall times are printed. Goal: p50 ≤ 100 ms each.
Results go to ``bench/results/queries-<date>.json`` and ``.txt``.
"""
from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_build import SWAPPED, _prefecture_cities  # noqa: E402

#: parameters for the named queries (several variants where a parameter is optional)
CASES: list[tuple[str, dict[str, str]]] = [
    ("coordinates-with", {"place": "济南"}),
    ("entities", {"type": "City"}),
    ("entities", {}),
    ("evidence", {"subject": "济南", "predicate": "coordinatesWith", "object": "青岛"}),
    ("industries-of", {"place": "济南"}),
    ("industries-of", {}),
    ("mechanisms", {"subject": "杭甬联动"}),
    ("mechanisms", {}),
    ("modeled-on", {"x": "济青联动"}),
    ("relations", {}),
    # over time (issue 16): the bundled dev texts are dated, and so are their clones
    ("relations", {"since": "2026"}),
    ("coordinates-with", {"place": "广州", "since": "2026"}),
    ("industries-of", {"since": "2022", "until": "2023"}),
    ("timeline", {"subject": "广州"}),
    ("timeline", {"predicate": "coordinatesWith", "since": "2026"}),
]


def _clone(ag, k: int, swap: dict[str, str]):  # noqa: ANN001 - ArticleGraph
    """Article graph ``ag`` as copy ``k``, with city labels swapped."""
    from policykg.graph.model import Evidence, Relation

    pattern = re.compile("|".join(map(re.escape, swap))) if swap else None

    def s(text: str) -> str:
        return pattern.sub(lambda m: swap[m.group()], text) if pattern else text

    art = replace(ag.article, id=f"{ag.article.id}-c{k}", title=s(ag.article.title) + f"（{k}）",
                  paragraphs=tuple(s(p) for p in ag.article.paragraphs))
    ents = {}
    for e in ag.entities:
        label = s(e.label)
        ents[label] = replace(e, label=label,
                              aliases=tuple(sorted({s(a) for a in e.aliases} - {label})),
                              adcode=e.adcode if label == e.label else None)
    rels = tuple(sorted((Relation(s(r.subject), r.predicate, s(r.object), tuple(
        Evidence(art.id, s(ev.sentence), ev.start, ev.end, ev.rule, ev.confidence, ev.negated)
        for ev in r.evidence)) for r in ag.relations if s(r.subject) != s(r.object)),
        key=lambda r: (r.subject, r.predicate, r.object)))
    mentions = {}
    for label, n in ag.mentions:
        mentions[s(label)] = mentions.get(s(label), 0) + n
    return replace(ag, article=art, entities=tuple(sorted(ents.values(), key=lambda e: e.label)),
                   relations=rels, mentions=tuple(sorted(mentions.items())))


def make_store(path: Path, quads: int, *, seed: int = 11):  # noqa: ANN201 - GraphStore
    from policykg.build.extract import Extractor
    from policykg.build.pipeline import _StoreLoader
    from policykg.build.reader import iter_corpus
    from policykg.graph.model import Article
    from policykg.graph.rdf import article_nquads
    from policykg.graph.store import GraphStore
    from policykg.graph.summary import article_facts, summary_table, write_summary

    shutil.rmtree(path, ignore_errors=True)
    ex = Extractor()
    base = [ex.extract(a) for a in iter_corpus([ROOT / "corpus" / "sample", ROOT / "corpus" / "dev"])
            if isinstance(a, Article)]
    cities = _prefecture_cities()
    rng = random.Random(seed)

    # loaded by the build's own store loader (build/pipeline.py): the article graphs'
    # N-Quads files bulk-loaded in slices, then the summary graph
    store = GraphStore.open(path)
    k = n = 0
    facts = []
    with tempfile.TemporaryDirectory(dir=path.parent, prefix=".bench-load-") as tmp, \
            _StoreLoader(store, Path(tmp)) as loader:
        while n < quads:
            swap = dict(zip(SWAPPED, rng.sample(cities, len(SWAPPED)))) if k else {}
            for ag in base:
                clone = _clone(ag, k, swap)
                nq = article_nquads(clone)
                n += nq.count("\n")
                f = Path(tmp) / f"{clone.article.id}.nq"
                f.write_text(nq, encoding="utf-8")
                loader.add(f)
                facts.append(article_facts(clone))
            k += 1
        summary_file = Path(tmp) / "summary.nq"
        with open(summary_file, "wb") as fh:
            write_summary(summary_table(facts), fh)
        loader.replace_summary(summary_file)
        loader.close()
    store.flush()
    return store, k * len(base)


def _child(store_path: str, name: str, params: dict[str, str], runs: int, budget: float) -> dict:
    """Time one query case (runs in its own process, so a runaway query can be killed:
    pyoxigraph queries cannot be cancelled)."""
    from policykg.graph.query import named_queries, run_query
    from policykg.graph.store import GraphStore

    store = GraphStore.open(store_path, read_only=True)
    q = named_queries()[name]
    t = time.perf_counter()
    res = run_query(store, q, params=params)           # warm-up
    warm = (time.perf_counter() - t) * 1000
    times: list[float] = []
    spent = 0.0
    while len(times) < runs and (spent < budget or not times):
        t = time.perf_counter()
        run_query(store, q, params=params)
        times.append((time.perf_counter() - t) * 1000)
        spent += times[-1] / 1000
    times.sort()
    return {"rows": len(res.rows), "warmup_ms": warm, "runs": len(times),
            "p50_ms": statistics.median(times),
            "p95_ms": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]}


def _time_case(store_path: Path, name: str, params: dict[str, str], *, runs: int,
               budget: float, timeout: float) -> dict:
    import subprocess

    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", str(store_path), name,
           json.dumps(params, ensure_ascii=False), str(runs), str(budget)]
    try:
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"rows": None, "runs": 0, "p50_ms": None, "p95_ms": None,
                "error": f"no answer within {timeout:g} s (killed)"}
    if r.returncode != 0:
        return {"rows": None, "runs": 0, "p50_ms": None, "p95_ms": None,
                "error": r.stderr.strip().splitlines()[-1] if r.stderr.strip() else "failed"}
    return json.loads(r.stdout)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["--child"]:
        store_path, name, params, runs, budget = argv[1:]
        print(json.dumps(_child(store_path, name, json.loads(params), int(runs), float(budget))))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quads", type=int, default=1_000_000, help="store size (default 1,000,000)")
    ap.add_argument("--runs", type=int, default=20, help="timed runs per query (default 20)")
    ap.add_argument("--budget", type=float, default=20.0,
                    help="seconds of timed runs per query before stopping early (default 20)")
    ap.add_argument("--timeout", type=float, default=120.0,
                    help="kill a query case after this many seconds (default 120)")
    ap.add_argument("--reuse", action="store_true",
                    help="reuse bench/results/queries-store if it has the requested size")
    args = ap.parse_args(argv)
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / "queries-store"
    t0 = time.perf_counter()
    if args.reuse and path.is_dir():
        from policykg.graph.store import GraphStore

        with GraphStore.open(path, read_only=True) as st:
            n, articles = len(st), len(st.article_ids())
    else:
        store, articles = make_store(path, args.quads)
        n = len(store)
        store.close()
    head = (f"synthetic graph: the bundled corpus's article graphs cloned with swapped cities; "
            f"{n:,} quads in {articles} article graphs (built in {time.perf_counter() - t0:.0f} s)")
    print(head, flush=True)
    rows = []
    for name, params in CASES:
        label = name + ("" if not params else " " + " ".join(f"{k}={v}" for k, v in params.items()))
        res = _time_case(path, name, params, runs=args.runs, budget=args.budget,
                         timeout=args.timeout)
        res["query"] = label
        res["ok"] = res["p50_ms"] is not None and res["p50_ms"] <= 100
        rows.append(res)
        if res["p50_ms"] is None:
            print(f"  {label:<62} {res['error']}", flush=True)
        else:
            print(f"  {label:<62} {res['rows']:>7} rows  p50 {res['p50_ms']:9.1f} ms  "
                  f"p95 {res['p95_ms']:9.1f} ms  ({res['runs']} runs)  "
                  f"{'ok' if res['ok'] else 'SLOW (goal p50 <= 100 ms)'}", flush=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"queries-{stamp}.json").write_text(json.dumps(
        {"quads": n, "articles": articles, "runs": args.runs, "queries": rows}, indent=2,
        ensure_ascii=False))
    (RESULTS / f"queries-{stamp}.txt").write_text(head + "\n" + "\n".join(
        f"{r['query']}\t{r['rows']}\t" + (f"p50 {r['p50_ms']:.1f} ms\tp95 {r['p95_ms']:.1f} ms"
                                           if r["p50_ms"] is not None else r["error"])
        for r in rows) + "\n", encoding="utf-8")
    print(f"saved bench/results/queries-{stamp}.json", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
