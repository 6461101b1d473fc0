"""Benchmark the explorer pages on synthetic graphs of 500, 5,000 and 20,000 nodes.

For each size it builds a deterministic synthetic entity graph (Chinese labels,
the eight entity types, scale-free degrees, one evidence sentence per edge),
renders the whole-graph page with :func:`policykg.graph.views.write_explorer`
(vis-network written beside it, as ``policykg build`` does) and opens it from
``file://`` in headless Chromium (Debian's ``/usr/bin/chromium`` driven by
playwright, network blocked). It reports:

* ``render s``   — Python: layout + page, seconds;
* ``layout s``   — the layout part of it;
* ``page MB``    — size of the HTML file (vis-network itself is 0.5 MB beside it);
* ``ready s``    — navigation start → first frame drawn with final positions (the page
  has no physics: it is stable and interactive from its first frame);
* ``frame ms``   — one redraw at the fitted zoom (what panning / zooming costs);
* ``click ms``   — clicking a node until its details are in the side panel;
* ``shown``      — nodes drawn at start (big graphs start reduced, see ``REDUCE_ABOVE``).

Each size is measured twice: the default page, and ``--full`` pages that draw every
node from the start (``reduce_above=None``), for comparison.

Run::

    python bench/bench_views.py                 # 500, 5000, 20000; default + full
    python bench/bench_views.py --sizes 5000 --no-full

Results also go to ``bench/results/views.json`` (git-ignored).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

import networkx as nx

from policykg.graph import views
from policykg.ontology.namespace import ENTITY_TYPES, PREDICATES, SYMMETRIC_PREDICATES

CHROMIUM = os.environ.get("POLICYKG_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
_SYLLABLES = "济青烟潍淄临泰威日德聊滨菏枣东莱数智链创联新港湾城区产业技术机制规划协同"
_TYPE_WEIGHTS = (("City", 8), ("Region", 6), ("Industry", 20), ("Technology", 14), ("Strategy", 16),
                 ("Mechanism", 12), ("PolicyDocument", 6), ("Organization", 8))


def synthetic_graph(n: int, *, seed: int = 1) -> nx.MultiDiGraph:
    """A scale-free entity graph of *n* nodes and about 1.5 n edges, shaped like policykg's.

    Preferential attachment (hubs like big cities), plus local extra edges
    (communities, like articles) and a few long-range ones.

    >>> G = synthetic_graph(50)
    >>> G.number_of_nodes(), G.number_of_edges() > 50
    (50, True)
    """
    rng = random.Random(seed)
    assert {t for t, _ in _TYPE_WEIGHTS} == set(ENTITY_TYPES)
    types = [t for t, w in _TYPE_WEIGHTS for _ in range(w)]
    G = nx.MultiDiGraph(articles={f"a{i:03d}-1": f"合成文章 {i}" for i in range(max(1, n // 50))})
    arts = sorted(G.graph["articles"])
    for i in range(n):
        label = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 5))) + str(i)
        t = rng.choice(types)
        G.add_node(f"urn:x:e{i}", label=label, type=t, types=(t,), aliases=(label + "市",) if t == "City" else (),
                   articles=(arts[i % len(arts)],), adcode=None)
    targets: list[int] = [0]
    pairs: set[tuple[int, int]] = set()
    for i in range(1, n):
        j = rng.choice(targets)  # preferential attachment: a node is in targets once per edge
        pairs.add((i, j))
        targets += [i, j]
        if i % 2 == 0:
            j = i - rng.randint(1, 30) if rng.random() < 0.9 else rng.randrange(n)
            if 0 <= j < n and j != i:
                pairs.add((i, j))
    for k, (i, j) in enumerate(sorted(pairs)):
        p = PREDICATES[k % len(PREDICATES)]
        u, v = f"urn:x:e{i}", f"urn:x:e{j}"
        aid = arts[k % len(arts)]
        G.add_edge(u, v, key=p, predicate=p, symmetric=p in SYMMETRIC_PREDICATES, confidence=0.8,
                   evidence=({"sentence": f"{G.nodes[u]['label']}与{G.nodes[v]['label']}相关。",
                              "article_id": aid, "article_title": G.graph["articles"][aid],
                              "rule": "synthetic", "confidence": 0.8, "start": 0, "end": 10},))
    return G


def _open_and_measure(ctx, url: str, *, timeout_s: float) -> dict[str, float]:
    page = ctx.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(url, wait_until="load", timeout=timeout_s * 1000)
    page.wait_for_function("window.policykg && window.policykg.ready", timeout=timeout_s * 1000,
                           polling=50)
    ready_ms = page.evaluate("window.policykg.readyMs")
    frame_ms = page.evaluate("""() => {
        const r = window.policykg.network.renderer; const t = performance.now();
        for (let i = 0; i < 5; i++) { r._redraw(); }
        return (performance.now() - t) / 5; }""")
    shown = page.evaluate("window.policykg.nodes.length")
    # a real click on the best-connected drawn node that no other dot covers at this zoom
    nid, xy = page.evaluate("""() => { const P = window.policykg, net = P.network;
        const ids = P.nodes.getIds().sort((a, b) => P.data.nodes[b].degree - P.data.nodes[a].degree || a - b);
        for (const id of ids) { const p = net.canvasToDOM(net.getPositions([id])[id]);
            const xy = { x: Math.round(p.x), y: Math.round(p.y) };  // where the mouse can click
            if (net.getNodeAt(xy) === id) { return [id, xy]; } }
        return [null, null]; }""")
    if nid is None:
        raise RuntimeError(f"{url}: no node can be clicked at the fitted zoom")
    box = page.locator("#network").bounding_box()
    t = time.perf_counter()
    page.mouse.click(box["x"] + xy["x"], box["y"] + xy["y"])
    page.wait_for_function(f"document.getElementById('details').getAttribute('data-node') === '{nid}'",
                           timeout=timeout_s * 1000, polling=10)
    click_ms = (time.perf_counter() - t) * 1000
    page.close()
    if errors:
        raise RuntimeError(f"{url}: console errors: {errors[:3]}")
    return {"ready_s": ready_ms / 1000, "frame_ms": frame_ms, "click_ms": click_ms, "shown": shown}


def run(sizes: list[int], *, full: bool, out_dir: Path) -> list[dict]:
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).is_file():
        sys.exit(f"no Chromium at {CHROMIUM}; install Debian's chromium (apt-get install chromium) "
                 "or set POLICYKG_CHROMIUM")
    work = Path(tempfile.mkdtemp(prefix="policykg-bench-"))
    results = []
    try:
        views.write_assets(work / "static")   # vis-network and the page script / style
        with sync_playwright() as p:
            for n in sizes:
                G = synthetic_graph(n)
                t = time.perf_counter()
                views.layout(G)
                layout_s = time.perf_counter() - t
                for variant in (("default", "full") if full else ("default",)):
                    kw = {"reduce_above": None} if variant == "full" else {}
                    path = work / f"g{n}-{variant}.html"
                    t = time.perf_counter()
                    views.write_explorer(G, path, title=f"bench {n}", assets_href="static", **kw)
                    render_s = time.perf_counter() - t
                    # fresh profile per page: no cache between runs
                    ctx = p.chromium.launch_persistent_context(
                        str(work / f"profile-{n}-{variant}"), executable_path=CHROMIUM, args=CHROMIUM_ARGS,
                        headless=True, viewport={"width": 1400, "height": 850})
                    ctx.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                              else route.abort())
                    try:
                        m = _open_and_measure(ctx, path.as_uri(), timeout_s=180)
                    finally:
                        ctx.close()
                    row = {"nodes": n, "edges": G.number_of_edges(), "variant": variant,
                           "render_s": render_s, "layout_s": layout_s,
                           "page_mb": path.stat().st_size / 1e6, **m}
                    results.append(row)
                    print(_fmt(row), flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "views.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return results


HEADER = (f"{'nodes':>6} {'edges':>6} {'variant':>8} {'render s':>9} {'layout s':>9} {'page MB':>8} "
          f"{'ready s':>8} {'frame ms':>9} {'click ms':>9} {'shown':>6}")


def _fmt(r: dict) -> str:
    return (f"{r['nodes']:>6} {r['edges']:>6} {r['variant']:>8} {r['render_s']:>9.2f} {r['layout_s']:>9.2f} "
            f"{r['page_mb']:>8.2f} {r['ready_s']:>8.2f} {r['frame_ms']:>9.1f} {r['click_ms']:>9.0f} "
            f"{r['shown']:>6}")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[500, 5000, 20000])
    ap.add_argument("--full", action=argparse.BooleanOptionalAction, default=True,
                    help="also measure pages that draw every node from the start")
    ap.add_argument("--out", type=Path, default=Path(__file__).with_name("results"))
    args = ap.parse_args(argv)
    print(f"Chromium {CHROMIUM}, {os.cpu_count()} CPUs; REDUCE_ABOVE={views.REDUCE_ABOVE}, "
          f"INITIAL_NODES={views.INITIAL_NODES}")
    print(HEADER, flush=True)
    run(args.sizes, full=args.full, out_dir=args.out)


if __name__ == "__main__":
    main()
