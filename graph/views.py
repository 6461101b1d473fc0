"""Offline HTML explorer pages for the entity graph (vis-network, no CDN, no server).

Every view is the same page layout (``templates/explorer.html``): a vis-network
canvas with a legend, and a side panel with search (label, alias, pinyin or its
initials), type, predicate and year filters, the entities without relations (listed,
not drawn), and a details panel that shows a node's or an edge's relations with their
evidence sentences, each with its article's title (a link), date and source.

:func:`write_views` writes a site whose size is linear in the corpus: an article or
place page carries only its own evidence (the rest is counted and linked to the whole
graph), and the article table is one shared script (``data/articles.js``).

Nothing is fetched: vis-network's JS and CSS (shipped with pyvis) are inlined or
written beside the pages, and no ``http://`` / ``https://`` string is left in
any file. Data goes in as JSON inside ``<script type="application/json">`` with
``<``, ``>``, ``&`` escaped, and the page script only ever uses ``textContent``,
so labels and sentences can never become markup. Layout is computed in Python
(:func:`layout`, a fixed seed) and the browser does no physics: output is
deterministic and a page is usable from its first frame. Pages of graphs with more
than :data:`REDUCE_ABOVE` nodes start with the :data:`INITIAL_NODES`
best-connected ones and add the rest on demand. ``bench/bench_views.py`` measures
all this in headless Chromium.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("urn:x:a", label="<b>A</b>", type="City", types=("City",), aliases=(), articles=())
>>> page = render_explorer(G, title="demo")
>>> "<b>A</b>" in page, "\\\\u003cb\\\\u003eA" in page, "http://" in page
(False, True, False)
"""
from __future__ import annotations

import hashlib
import html
import json
import math
import os
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import quote

import networkx as nx

from policykg.graph.network import article_subgraphs, ego_graph, iri_slug, to_networkx
from policykg.graph.rdf import atomic_write
from policykg.ontology.namespace import ENTITY_TYPES, PKG, PREDICATES

__all__ = [
    "TYPE_COLORS", "TYPE_NAMES_ZH", "PREDICATE_NAMES_ZH", "FONT_STACK",
    "predicate_label", "vis_assets", "layout", "node_size", "render_explorer", "write_explorer",
    "write_views", "write_assets", "place_slugs", "graph_for_result", "View", "show",
    "ArticleMeta", "article_meta", "search_keys",
]

#: One colour per entity type (Tableau 10); "Entity" is the fallback for untyped nodes.
TYPE_COLORS: dict[str, str] = {
    "City": "#4e79a7", "Region": "#76b7b2", "Industry": "#f28e2b", "Technology": "#e15759",
    "Strategy": "#59a14f", "Mechanism": "#edc948", "PolicyDocument": "#b07aa1",
    "Organization": "#9c755f", "Entity": "#bab0ac",
}
TYPE_NAMES_ZH: dict[str, str] = {
    "City": "城市", "Region": "区域", "Industry": "产业", "Technology": "技术",
    "Strategy": "战略", "Mechanism": "机制", "PolicyDocument": "政策文件",
    "Organization": "机构", "Entity": "实体",
}
PREDICATE_NAMES_ZH: dict[str, str] = {
    "coordinatesWith": "协同", "complements": "互补", "modeledOn": "借鉴",
    "specializesIn": "专长", "partOf": "属于", "involves": "涉及", "implements": "落实",
    "establishes": "建立", "focusesOn": "聚焦", "enables": "赋能", "issuedBy": "发布",
}
_PREDICATE_COLORS: dict[str, str] = dict(zip(PREDICATES, (
    "#1f77b4", "#17becf", "#9467bd", "#ff7f0e", "#7f7f7f", "#2ca02c",
    "#8c564b", "#bcbd22", "#d62728", "#e377c2", "#393b79",
)))
FONT_STACK = '"Noto Sans CJK SC", "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", sans-serif'

_VIS_VERSION = "vis-9.1.2"
_URL_RE = re.compile(r"(?i)https?://")


def predicate_label(predicate: str) -> str:
    """The edge label of a predicate: Chinese name, then the local name.

    >>> predicate_label("coordinatesWith")
    '协同 coordinatesWith'
    """
    zh = PREDICATE_NAMES_ZH.get(predicate)
    return f"{zh} {predicate}" if zh else predicate


# ---------------------------------------------------------------- assets
@lru_cache(maxsize=None)
def _pkg_text(folder: str, name: str) -> str:
    return resources.files("policykg.graph").joinpath(folder, name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def vis_assets() -> tuple[str, str]:
    """``(js, css)`` of the vis-network build that pyvis ships, made URL-free.

    ``://`` becomes ``:\\/\\/``: the same string inside JS string literals and
    regexes, inert in comments, so no ``http://`` substring remains.

    >>> js, css = vis_assets()
    >>> "vis-network" in js and "https://" not in js and "http://" not in js
    True
    """
    import importlib.util

    spec = importlib.util.find_spec("pyvis")  # locate only: importing pyvis pulls in jinja2 & co.
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("pyvis is not installed; install pyvis==0.3.2, which ships vis-network 9.1.2")
    base = Path(list(spec.submodule_search_locations)[0])
    candidates = [base / "templates" / "lib" / _VIS_VERSION, base / "lib" / _VIS_VERSION]
    for d in candidates:
        js_p, css_p = d / "vis-network.min.js", d / "vis-network.css"
        if js_p.is_file() and css_p.is_file():
            break
    else:
        raise FileNotFoundError(
            f"vis-network not found in pyvis at {', '.join(map(str, candidates))}; "
            "install pyvis==0.3.2, which ships vis-network 9.1.2"
        )
    js = js_p.read_text(encoding="utf-8").replace("://", r":\/\/")
    css = css_p.read_text(encoding="utf-8")
    for name, text, closer in ((js_p.name, js, "</script"), (css_p.name, css, "</style")):
        if _URL_RE.search(text) or closer in text.lower() or "<!--" in text:
            raise RuntimeError(
                f"{name} from pyvis still holds a URL, {closer} or '<!--' after scrubbing; "
                "it cannot be inlined safely — pin pyvis==0.3.2"
            )
    return js, css


# ---------------------------------------------------------------- layout
#: Connected components up to this size get an exact (all-pairs) force layout;
#: bigger ones a multilevel one with approximate far-field repulsion.
DENSE_MAX_NODES = 400
#: Pixels per unit of layout length (the median edge of a component is one unit).
EDGE_PX = 90


def _fr_dense(x: Any, y: Any, ei: Any, ej: Any, *, iters: int, t0: float) -> None:
    """Fruchterman-Reingold with exact repulsion, in place; O(n²) per iteration."""
    import numpy as np

    n, t = len(x), t0
    cool = (0.02 / t0) ** (1.0 / iters)
    bins = _spring_index(ei, ej, n)
    for _ in range(iters):
        dx = x[:, None] - x[None, :]
        dy = y[:, None] - y[None, :]
        d2 = dx * dx + dy * dy
        np.fill_diagonal(d2, np.inf)
        np.maximum(d2, 1e-4, out=d2)
        np.reciprocal(d2, out=d2)
        fx, fy = (dx * d2).sum(1), (dy * d2).sum(1)
        _spring(x, y, ei, ej, fx, fy, n, bins)
        _move(x, y, fx, fy, t)
        t *= cool


def _fr_grid(x: Any, y: Any, ei: Any, ej: Any, *, iters: int, t0: float) -> None:
    """Fruchterman-Reingold, in place, for big components: repulsion from the centroids
    of a coarse grid (far field) plus exact repulsion between nodes closer than 1."""
    import numpy as np
    from scipy.spatial import cKDTree

    n, t = len(x), t0
    cool = (0.05 / t0) ** (1.0 / iters)
    bins = _spring_index(ei, ej, n)
    cells = max(4, min(12, int(math.sqrt(n / 20))))
    for _ in range(iters):
        lx, ly = x.min(), y.min()
        sx, sy = max(x.max() - lx, 1e-6), max(y.max() - ly, 1e-6)
        flat = (np.minimum(((x - lx) / sx * cells).astype(np.int64), cells - 1) * cells
                + np.minimum(((y - ly) / sy * cells).astype(np.int64), cells - 1))
        mass = np.bincount(flat, minlength=cells * cells).astype(float)
        nz = mass > 0
        m = mass[nz]
        # float32 is plenty for an approximate far field and twice as fast
        cx = (np.bincount(flat, x, cells * cells)[nz] / m).astype(np.float32)
        cy = (np.bincount(flat, y, cells * cells)[nz] / m).astype(np.float32)
        dx = x.astype(np.float32)[:, None] - cx[None, :]
        dy = y.astype(np.float32)[:, None] - cy[None, :]
        w = m.astype(np.float32)[None, :] / (dx * dx + dy * dy + np.float32(sx * sy / cells / cells))
        fx, fy = (dx * w).sum(1, dtype=np.float64), (dy * w).sum(1, dtype=np.float64)
        pairs = cKDTree(np.stack([x, y], 1)).query_pairs(1.0, output_type="ndarray")
        if len(pairs):
            a, b = pairs[:, 0], pairs[:, 1]
            px, py = x[a] - x[b], y[a] - y[b]
            q = 1.0 / np.maximum(px * px + py * py, 1e-4)
            px *= q
            py *= q
            fx += np.bincount(a, px, n) - np.bincount(b, px, n)
            fy += np.bincount(a, py, n) - np.bincount(b, py, n)
        _spring(x, y, ei, ej, fx, fy, n, bins)
        _move(x, y, fx, fy, t)
        t *= cool


def _spring_index(ei: Any, ej: Any, n: int) -> Any:
    """The bins :func:`_spring` adds into: both ends of every edge, for x then for y."""
    import numpy as np

    return np.concatenate([ei, ej, ei + n, ej + n])


def _spring(x: Any, y: Any, ei: Any, ej: Any, fx: Any, fy: Any, n: int, bins: Any) -> None:
    import numpy as np

    ex, ey = x[ei] - x[ej], y[ei] - y[ej]
    el = np.sqrt(ex * ex + ey * ey)
    ax, ay = ex * el, ey * el
    # one bincount for both axes and both ends (small graphs: the per-call cost dominates)
    f = np.bincount(bins, np.concatenate([ax, -ax, ay, -ay]), 2 * n)
    fx -= f[:n]
    fy -= f[n:]


def _move(x: Any, y: Any, fx: Any, fy: Any, t: float) -> None:
    import numpy as np

    ln = np.maximum(np.sqrt(fx * fx + fy * fy), 1e-9)
    s = np.minimum(ln, t) / ln
    x += fx * s
    y += fy * s


def _coarsen(n: int, ei: Any, ej: Any) -> tuple[Any, int, Any, Any]:
    """Collapse every node into its highest-degree free neighbour (stars fold into hubs)."""
    import numpy as np

    adj: list[list[int]] = [[] for _ in range(n)]
    for a, b in zip(ei.tolist(), ej.tolist()):
        adj[a].append(b)
        adj[b].append(a)
    deg = [len(a) for a in adj]
    cluster, center, m = [-1] * n, [False] * n, 0
    for u in sorted(range(n), key=lambda u: (deg[u], u)):
        if cluster[u] != -1:
            continue
        best = -1
        for v in adj[u]:
            if (cluster[v] == -1 or center[v]) and (best < 0 or (deg[v], -v) > (deg[best], -best)):
                best = v
        if best < 0:
            cluster[u], center[u], m = m, True, m + 1
        else:
            if cluster[best] == -1:
                cluster[best], center[best], m = m, True, m + 1
            cluster[u] = cluster[best]
    c = np.array(cluster, dtype=np.int64)
    ci, cj = c[ei], c[ej]
    keep = ci != cj
    pairs = np.unique(np.minimum(ci[keep], cj[keep]) * m + np.maximum(ci[keep], cj[keep]))
    return c, m, pairs // m, pairs % m


def _component_layout(n: int, ei: Any, ej: Any, rng: Any) -> tuple[Any, Any]:
    """Positions of one connected component (multilevel above DENSE_MAX_NODES)."""
    import numpy as np

    if n <= DENSE_MAX_NODES:
        x, y = (rng.uniform(-1.0, 1.0, (2, n)) * math.sqrt(n))
        _fr_dense(x, y, ei, ej, iters=60 if n <= 10 else 150 if n <= 100 else 100,
                  t0=max(1.0, 0.5 * math.sqrt(n)))
        return x, y
    c, m, ci, cj = _coarsen(n, ei, ej)
    if m > 0.85 * n:  # nothing to fold: plain approximate layout from a random start
        x, y = rng.uniform(-1.0, 1.0, (2, n)) * math.sqrt(n)
        _fr_grid(x, y, ei, ej, iters=60, t0=0.3 * math.sqrt(n))
        return x, y
    cx, cy = _component_layout(m, ci, cj, rng)
    f = math.sqrt(n / m)  # keep the area per node when unfolding
    # members start in a disc around their cluster's position, sized for one node per unit²
    r = np.sqrt(np.bincount(c, minlength=m)[c] / math.pi) * np.sqrt(rng.uniform(0.0, 1.0, n))
    a = rng.uniform(0.0, 2 * math.pi, n)
    x, y = cx[c] * f + r * np.cos(a), cy[c] * f + r * np.sin(a)
    _fr_grid(x, y, ei, ej, iters=15, t0=2.0)
    return np.asarray(x), np.asarray(y)


#: Components up to this size are laid out once per shape (see :func:`_small_layout`).
SMALL_MAX_NODES = 10


@lru_cache(maxsize=4096)
def _small_layout(n: int, edges: bytes) -> tuple[Any, Any]:
    """Positions of a small component, from its shape alone (node count and local edge
    list, as bytes of int64 pairs), with a generator seeded by that shape. Article pages
    hold many small components of the same few shapes (a pair, a path of three, a star),
    so each shape is laid out once per process instead of once per page."""
    import numpy as np

    e = np.frombuffer(edges, dtype=np.int64).reshape(-1, 2)
    x, y = _component_layout(n, e[:, 0], e[:, 1], np.random.default_rng([n, *e.ravel().tolist()]))
    x.setflags(write=False)
    y.setflags(write=False)
    return x, y


def node_size(degree: int) -> float:
    """The radius (pixels) of a node's dot: grows with its number of relations.

    >>> node_size(0), node_size(4), node_size(1000)
    (10.0, 22.0, 60.0)
    """
    return round(min(10 + 6 * math.sqrt(degree), 60.0), 1)


def _unit_scale(x: Any, y: Any, e: Any, r: Any) -> float:
    """Scale that makes the median edge one unit long, enlarged where needed (up to
    2.5 times) so that dots of radius *r* (units) do not overlap and 90 % of the nodes
    are at least 0.5 units from their nearest neighbour (room for labels)."""
    import numpy as np

    base = 1.0 / max(float(np.median(np.hypot(x[e[:, 0]] - x[e[:, 1]], y[e[:, 0]] - y[e[:, 1]]))), 1e-9)
    if len(x) <= DENSE_MAX_NODES:
        d = np.hypot(x[:, None] - x[None, :], y[:, None] - y[None, :])
        np.fill_diagonal(d, np.inf)
        nn = d.min(1)
        gap = float(((r[:, None] + r[None, :] + 0.4) / np.maximum(d, 1e-9)).max())
    else:
        from scipy.spatial import cKDTree

        nn = cKDTree(np.stack([x, y], 1)).query(np.stack([x, y], 1), k=2)[0][:, 1]
        gap = 0.0
    q = float(np.quantile(nn, 0.1))
    spacing = 0.5 / q if q > 0 else 0.0
    return max(base, min(max(spacing, gap), 2.5 * base))


def _landscape(x: Any, y: Any) -> tuple[Any, Any]:
    """Rotate a component so that its longest extent is horizontal (screens are wide)."""
    import numpy as np

    x, y = x - x.mean(), y - y.mean()
    if len(x) < 3:
        return (np.hypot(x, y) * np.sign(x + (x == 0)), np.zeros_like(y))
    _, vec = np.linalg.eigh(np.cov(np.stack([x, y])))
    (ax, ay), (bx, by) = vec[:, 1], vec[:, 0]
    return ax * x + ay * y, bx * x + by * y


#: Width / height of the canvas the packing aims for (the page minus its side panel).
CANVAS_ASPECT = 1.35


def _pack(sizes: list[tuple[float, float]], *, gap: float = 1.5) -> list[tuple[float, float]]:
    """Offsets that pack boxes in rows (in order), trying row widths and keeping the
    one that fills a :data:`CANVAS_ASPECT` canvas best."""
    if not sizes:
        return []
    lo = max(w for w, _ in sizes)
    hi = max(lo, sum(w + gap for w, _ in sizes))
    best: tuple[float, list[tuple[float, float]]] | None = None
    for k in range(16):
        width = lo * (hi / lo) ** (k / 15) if lo > 0 else hi
        offsets, cx, cy, row_h, used_w = [], 0.0, 0.0, 0.0, 0.0
        for w, h in sizes:
            if cx > 0 and cx + w > width + 1e-9:
                cx, cy, row_h = 0.0, cy + row_h + gap, 0.0
            offsets.append((cx, cy))
            used_w = max(used_w, cx + w)
            cx += w + gap
            row_h = max(row_h, h)
        zoom = max(used_w / CANVAS_ASPECT, cy + row_h)  # the fitted view must show this much
        if best is None or zoom < best[0] - 1e-9:
            best = (zoom, offsets)
    return best[1]


def layout(G: nx.MultiDiGraph, *, seed: int = 7) -> dict[str, tuple[int, int]]:
    """Integer positions (pixels) for every node; deterministic for a given graph.

    Each connected component is laid out by force direction (exact up to
    :data:`DENSE_MAX_NODES` nodes, multilevel with approximate repulsion above,
    about 2 s for 20,000 nodes) and scaled so that its median edge is
    :data:`EDGE_PX` long; components are then packed in rows, biggest first, and
    isolated nodes go in a grid beside them, grouped by type. The browser does no
    physics, so pages open as fast as vis-network can draw.

    >>> G = nx.MultiDiGraph()
    >>> _ = G.add_edge("a", "b"); G.add_node("c", type="City")
    >>> pos = layout(G)
    >>> sorted(pos), all(isinstance(v, int) for p in pos.values() for v in p)
    (['a', 'b', 'c'], True)
    >>> round(abs(complex(*pos["a"]) - complex(*pos["b"])) / EDGE_PX, 2)
    1.0
    """
    import numpy as np

    nodes = sorted(G.nodes)
    if not nodes:
        return {}
    index = {v: i for i, v in enumerate(nodes)}
    pairs = {(min(a, b), max(a, b)) for a, b in ((index[u], index[v]) for u, v in G.edges()) if a != b}
    E = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    H = nx.Graph()
    H.add_nodes_from(range(len(nodes)))
    H.add_edges_from(E.tolist())
    comps = sorted((sorted(c) for c in nx.connected_components(H)), key=lambda c: (-len(c), c[0]))
    comp_of = np.empty(len(nodes), dtype=np.int64)
    local = np.empty(len(nodes), dtype=np.int64)
    for k, members in enumerate(comps):
        comp_of[members] = k
        local[members] = np.arange(len(members))
    order = np.argsort(comp_of[E[:, 0]], kind="stable")
    bounds = np.searchsorted(comp_of[E[order, 0]], np.arange(len(comps) + 1))
    degree = dict(G.degree())
    radius = np.array([node_size(degree[n]) / EDGE_PX for n in nodes])
    rng = np.random.default_rng(seed)
    type_rank = {t: i for i, t in enumerate(ENTITY_TYPES)}
    isolates: list[int] = []
    blocks: list[tuple[list[int], Any, Any]] = []   # (node indices, x, y) in edge units
    for k, members in enumerate(comps):
        if len(members) == 1:
            isolates.append(members[0])
            continue
        e = local[E[order[bounds[k]:bounds[k + 1]]]]
        if len(members) <= SMALL_MAX_NODES:
            x, y = _small_layout(len(members), np.ascontiguousarray(e, dtype=np.int64).tobytes())
        else:
            x, y = _component_layout(len(members), e[:, 0], e[:, 1], rng)
        f = _unit_scale(x, y, e, radius[members])
        x, y = _landscape(x * f, y * f)
        blocks.append((members, x - x.min(), y - y.min()))
    if isolates:
        isolates.sort(key=lambda i: (type_rank.get(G.nodes[nodes[i]].get("type") or "", 99),
                                     str(G.nodes[nodes[i]].get("label") or ""), nodes[i]))
        # labels are wide and short: rows closer than columns
        cols = math.ceil(math.sqrt(len(isolates)) * 1.3)
        ii = np.arange(len(isolates))
        blocks.append((isolates, (ii % cols) * 1.0, (ii // cols) * 0.6))
    sizes = [(float(x.max()), float(y.max())) for _, x, y in blocks]
    pos: dict[str, tuple[float, float]] = {}
    for (members, x, y), (ox, oy) in zip(blocks, _pack(sizes)):
        for k, i in enumerate(members):
            pos[nodes[i]] = (float(x[k]) + ox, float(y[k]) + oy)
    mx = (min(p[0] for p in pos.values()) + max(p[0] for p in pos.values())) / 2
    my = (min(p[1] for p in pos.values()) + max(p[1] for p in pos.values())) / 2
    return {n: (round((p[0] - mx) * EDGE_PX), round((p[1] - my) * EDGE_PX)) for n, p in pos.items()}


# ---------------------------------------------------------------- page data
#: Whole-graph pages with more nodes start reduced (see :func:`render_explorer`).
REDUCE_ABOVE = 2000
#: How many of the best-connected nodes a reduced page starts with.
INITIAL_NODES = 1000
#: How many of the best-connected nodes get labels big enough to read on the whole graph.
HUB_LABELS = 30

_HAN_RE = re.compile(r"[\u3400-\u9fff]")
_YEAR_RE = re.compile(r"^(\d{4})(?:-\d{2}(?:-\d{2})?)?$")


@dataclass(frozen=True)
class ArticleMeta:
    """What the pages show of an article wherever its evidence appears."""

    title: str
    issued: str | None = None   #: ``YYYY-MM-DD`` or ``YYYY`` (dcterms:issued)
    origin: str | None = None   #: 来源 (dcterms:source)

    @property
    def year(self) -> int | None:
        """The year it was issued, if known.

        >>> ArticleMeta("t", issued="2023-05-01").year, ArticleMeta("t", issued="n.d.").year
        (2023, None)
        """
        m = _YEAR_RE.match(self.issued or "")
        return int(m.group(1)) if m else None


def article_meta(G: nx.MultiDiGraph, articles: Mapping[str, Any] | None = None) -> dict[str, ArticleMeta]:
    """``{article id: ArticleMeta}`` from ``G.graph`` (titles, ``article_meta``), updated
    by *articles*: ``{id: title}`` or ``{id: Article}`` (its ``title``, ``issued``, ``origin``).

    >>> from policykg.graph.model import Article
    >>> a = Article(id="a-1", source="a.txt", index=1, title="T", authors=(), affiliations=(),
    ...             paragraphs=(), issued="2021", origin="新华网")
    >>> G = nx.MultiDiGraph(articles={"b-1": "B"}, article_meta={"b-1": {"issued": "2020-01-02"}})
    >>> article_meta(G, {"a-1": a})
    {'a-1': ArticleMeta(title='T', issued='2021', origin='新华网'), 'b-1': ArticleMeta(title='B', issued='2020-01-02', origin=None)}
    """
    extra = G.graph.get("article_meta") or {}
    out = {a: ArticleMeta(str(t), (extra.get(a) or {}).get("issued"), (extra.get(a) or {}).get("origin"))
           for a, t in (G.graph.get("articles") or {}).items()}
    for a, v in (articles or {}).items():
        if isinstance(v, str):
            old = out.get(a)
            out[a] = ArticleMeta(v, old.issued if old else None, old.origin if old else None)
        else:
            out[a] = ArticleMeta(str(v.title), getattr(v, "issued", None), getattr(v, "origin", None))
    return dict(sorted(out.items()))


@lru_cache(maxsize=65536)
def search_keys(label: str) -> tuple[str, str] | None:
    """``(full pinyin, initials)`` of a label with Chinese characters, for search.

    Lower-case letters and digits only; ``None`` when the label has no Chinese.

    >>> search_keys("济南"), search_keys("重庆市"), search_keys("5G网络"), search_keys("ABC")
    (('jinan', 'jn'), ('chongqingshi', 'cqs'), ('5gwangluo', '5gwl'), None)
    """
    if not _HAN_RE.search(label):
        return None
    from pypinyin import Style, lazy_pinyin

    def clean(parts: list[str]) -> str:
        return re.sub(r"[^a-z0-9]", "", "".join(parts).lower())

    return clean(lazy_pinyin(label)), clean(lazy_pinyin(label, style=Style.FIRST_LETTER))


class _Years:
    """The distinct years of a set of articles and whether one of them (or none at all)
    is undated; cached, since every page of an entity asks for the same articles."""

    def __init__(self, meta: Mapping[str, ArticleMeta]) -> None:
        self.year = {a: m.year for a, m in meta.items()}
        self.cache: dict[tuple[str, ...], tuple[list[int], bool]] = {}

    def of(self, arts: Iterable[str]) -> tuple[list[int], bool]:
        key = tuple(arts)
        hit = self.cache.get(key)
        if hit is None:
            ys = [self.year.get(a) for a in key]
            hit = self.cache[key] = (sorted({y for y in ys if y is not None}), not key or None in ys)
        return hit


@dataclass(frozen=True)
class _Scope:
    """Which evidence a page carries in full: an article's (article pages), that of the
    edges at one node (place pages), or all (``None``). Everything else is counted."""

    article: str | None = None
    node: str | None = None


def _page_data(
    G: nx.MultiDiGraph,
    *,
    title: str,
    meta: Mapping[str, ArticleMeta],
    years: _Years,
    article_links: Mapping[str, str],
    inline_articles: bool,
    root: str,
    place_links: Mapping[str, str],
    focus: str | None,
    edge_labels: bool | None,
    reduce_above: int | None,
    initial_nodes: int,
    scope: _Scope | None = None,
) -> dict[str, Any]:
    """The page's JSON object without node positions (:func:`_page_json` adds them)."""
    nodes = sorted(G.nodes)
    ids = {n: i for i, n in enumerate(nodes)}
    degree = dict(G.degree())
    # the best-connected nodes get bigger labels (readable on the fitted whole graph);
    # only a few, or big graphs would drown in them
    hubs = set(sorted(nodes, key=lambda n: (-degree[n], n))[:HUB_LABELS])
    initial: list[int] | None = None
    if reduce_above is not None and len(nodes) > reduce_above:
        # big graph: start with the best-connected nodes (plus the focus and its
        # neighbours); the page adds the rest on demand
        keep = set(sorted(nodes, key=lambda n: (-degree[n], n))[:initial_nodes])
        if focus is not None:
            keep |= {focus, *G.successors(focus), *G.predecessors(focus)}
        initial = sorted(ids[n] for n in keep)
    node_recs = []
    used_articles: set[str] = set()
    for n in nodes:
        d = G.nodes[n]
        types = tuple(d.get("types") or ())
        arts = list(d.get("articles") or ())
        if scope is None or (scope.node is not None and n == scope.node):
            shown = arts
        else:
            shown = [scope.article] if scope.article in arts else []
        used_articles.update(shown)
        label = str(d.get("label") or iri_slug(n))
        primary = d.get("type") or (types[0] if types else "Entity")
        rec = {"id": ids[n], "iri": n, "label": label, "type": primary, "degree": degree[n],
               "size": node_size(degree[n])}
        # left out when they hold the default (the page fills them in): article pages hold
        # many entities without aliases or relations, and every byte is repeated per page
        if list(types) != [primary]:
            rec["types"] = list(types)
        for key, value in (("aliases", list(d.get("aliases") or ())), ("articles", shown),
                           ("adcode", d.get("adcode"))):
            if value:
                rec[key] = value
        if n in hubs:
            rec["font"] = round(min(44.0, 14 + max(0.0, node_size(degree[n]) - 16)))
        if len(shown) < len(arts):
            rec["nart"] = len(arts)   # the page lists only its own; the whole graph has all
        _put_years(rec, years.of(arts))
        if (keys := search_keys(label)) is not None:
            rec["py"] = list(keys)
        node_recs.append(rec)
    edge_recs = []
    pair_count: dict[tuple[str, str], int] = {}
    for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        pair = tuple(sorted((u, v)))
        i = pair_count.get(pair, 0)
        pair_count[pair] = i + 1
        all_evs = d.get("evidence") or ()
        evs = []
        for ev in all_evs:
            aid = ev.get("article_id", "")
            if scope is not None and aid != scope.article and scope.node not in (u, v):
                continue
            used_articles.add(aid)
            rec = {key: ev.get(key, "") for key in ("sentence", "article_id", "rule", "confidence")}
            if ev.get("article_title") and (aid not in meta or ev["article_title"] != meta[aid].title):
                rec["article_title"] = ev["article_title"]  # else the page looks it up in its article table
            evs.append(rec)
        erec = {
            "id": len(edge_recs), "from": ids[u], "to": ids[v],
            "predicate": d.get("predicate", str(k)), "symmetric": bool(d.get("symmetric", False)),
            "confidence": d.get("confidence", max((ev.get("confidence") or 0 for ev in all_evs), default=1.0)),
            "evidence": evs,
            # parallel edges of one pair curve away from each other (physics is off)
            "roundness": round(0.18 * i, 2),
        }
        if len(evs) < len(all_evs):   # evidence from other articles: counted, shown on the whole graph
            erec["nev"] = len(all_evs)
            erec["nevart"] = len({ev.get("article_id", "") for ev in all_evs})
        if all_evs:  # evidence-less edges (gazetteer) have no date: they follow their nodes
            _put_years(erec, years.of(sorted({ev.get("article_id", "") for ev in all_evs})))
        edge_recs.append(erec)
    type_count: dict[str, int] = {}
    for r in node_recs:
        type_count[r["type"]] = type_count.get(r["type"], 0) + 1
    pred_count: dict[str, int] = {}
    for r in edge_recs:
        pred_count[r["predicate"]] = pred_count.get(r["predicate"], 0) + 1
    type_names = list(ENTITY_TYPES) + sorted(t for t in type_count if t not in ENTITY_TYPES)
    pred_names = list(PREDICATES) + sorted(p for p in pred_count if p not in PREDICATES)
    used_articles.discard("")
    table = None
    if inline_articles:
        table = {a: _article_entry(meta[a] if a in meta else ArticleMeta(a), article_links.get(a))
                 for a in sorted(used_articles)}
    return {
        "title": title,
        "font": FONT_STACK,
        "types": [{"name": t, "zh": TYPE_NAMES_ZH.get(t, t), "color": TYPE_COLORS.get(t, TYPE_COLORS["Entity"]),
                   "count": type_count.get(t, 0)} for t in type_names],
        "predicates": [{"name": p, "zh": PREDICATE_NAMES_ZH.get(p, p), "label": predicate_label(p),
                        "color": _PREDICATE_COLORS.get(p, "#999999"), "count": pred_count.get(p, 0)}
                       for p in pred_names],
        "nodes": node_recs,
        "edges": edge_recs,
        "articles": table,
        "root": root,
        "placeLinks": {n: place_links[n] for n in nodes if n in place_links},
        "focus": ids.get(focus) if focus is not None else None,
        "edgeLabels": len(edge_recs) <= 300 if edge_labels is None else edge_labels,
        "initial": initial,
    }


def _put_years(rec: dict[str, Any], years_undated: tuple[list[int], bool]) -> None:
    years, undated = years_undated
    if years:
        rec["years"] = years
    if undated:
        rec["undated"] = True


def _article_entry(m: ArticleMeta, href: str | None) -> dict[str, str]:
    """One row of an article table (inline, or the shared ``data/articles.js``)."""
    row = {"title": m.title}
    for key, value in (("href", href), ("issued", m.issued), ("origin", m.origin)):
        if value:
            row[key] = value
    return row


def _page_json(data: dict[str, Any], G: nx.MultiDiGraph, *, text: str | None = None) -> str:
    """The page's JSON: :func:`_page_data` (*text*: already encoded) plus ``pos``, the node
    positions (one layout per page) in node order, spliced in front so that the data is
    encoded once (its encoding without positions is the page's content key)."""
    pos = layout(G)
    text = _json_for_script(data) if text is None else text
    return '{"pos":' + _json_for_script([pos[r["iri"]] for r in data["nodes"]]) + "," + text[1:]


def _json_for_script(data: Any) -> str:
    """JSON that is inert inside ``<script>`` and holds no ``http(s)://`` substring."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("://", ":\\/\\/"))


def _text_html(s: str) -> str:
    """Escaped text for element content / attributes; ``/`` as an entity keeps URLs out."""
    return html.escape(s, quote=True).replace("/", "&#47;")


def _check_links(links: Iterable[str]) -> None:
    for href in links:
        if _URL_RE.search(href) or href.lower().lstrip().startswith(("javascript:", "data:")):
            raise ValueError(
                f"render_explorer: link {href!r} is not a relative path; the pages work offline, "
                "so pass links relative to the page (e.g. '../article/x-1.html')"
            )


def render_explorer(
    G: nx.MultiDiGraph,
    *,
    title: str,
    article_links: Mapping[str, str] | None = None,
    place_links: Mapping[str, str] | None = None,
    nav: Mapping[str, str] | None = None,
    focus: str | None = None,
    assets_href: str | None = None,
    edge_labels: bool | None = None,
    reduce_above: int | None = REDUCE_ABOVE,
    initial_nodes: int = INITIAL_NODES,
) -> str:
    """The explorer page for *G* as a string (pure; same input → same bytes).

    * *article_links*: ``{article id: href}`` for evidence and article lists;
      titles, dates and sources come from ``G.graph`` (see :func:`article_meta`).
    * *place_links*: ``{node IRI: href}`` of ego pages, linked from node details.
    * *nav*: ``{link text: href}`` shown under the title (e.g. back to the index).
    * *focus*: node IRI selected and shown on load (drawn with a thick border).
    * *assets_href*: ``None`` inlines vis-network and the page's own script and
      style; otherwise the relative folder holding them (see :func:`write_assets`).
    * *edge_labels*: show predicate labels on edges; default only up to 300 edges.
    * *reduce_above*: with more nodes than this (``None``: never), the page starts
      with the *initial_nodes* best-connected ones (plus *focus* and its
      neighbours) and adds the others on demand: "more", "all", double-click a
      node for its neighbours, or search for it.
    """
    _check_args(G, focus=focus, reduce_above=reduce_above, initial_nodes=initial_nodes)
    _check_links([*(article_links or {}).values(), *(place_links or {}).values(), *(nav or {}).values(),
                  assets_href or ""])
    data = _page_data(
        G, title=title, meta=(meta := article_meta(G)), years=_Years(meta),
        article_links=dict(article_links or {}), inline_articles=True,
        root="", place_links=dict(place_links or {}), focus=focus, edge_labels=edge_labels,
        reduce_above=reduce_above, initial_nodes=initial_nodes,
    )
    return _html(_page_json(data, G), title=title, nav=nav, assets_href=assets_href)


def _check_args(G: nx.MultiDiGraph, *, focus: str | None, reduce_above: int | None, initial_nodes: int) -> None:
    if reduce_above is not None and reduce_above < 0 or initial_nodes < 1:
        raise ValueError(
            f"render_explorer: reduce_above={reduce_above!r}, initial_nodes={initial_nodes!r}; "
            "use reduce_above >= 0 (or None) and initial_nodes >= 1"
        )
    if focus is not None and focus not in G:
        raise KeyError(f"render_explorer: focus {focus!r} is not a node of the graph; pass a node IRI or None")


#: Files of the page script and style, written beside vis-network by :func:`write_assets`.
APP_JS, APP_CSS = "explorer.js", "explorer.css"


def _html(data_json: str, *, title: str, nav: Mapping[str, str] | None, assets_href: str | None,
          articles_js: str | None = None, key: str = "") -> str:
    if assets_href is None:
        js, css = vis_assets()
        vis_js, vis_css = f"<script>\n{js}\n</script>", f"<style>\n{css}\n</style>"
        app_js = f"<script>\n{_pkg_text('static', APP_JS)}</script>"
        app_css = f"<style>\n{_pkg_text('static', APP_CSS)}</style>"
    else:
        prefix = html.escape(assets_href.rstrip("/") + "/" if assets_href else "")
        vis_js = f'<script src="{prefix}vis-network.min.js"></script>'
        vis_css = f'<link rel="stylesheet" href="{prefix}vis-network.css">'
        app_js = f'<script src="{prefix}{APP_JS}"></script>'
        app_css = f'<link rel="stylesheet" href="{prefix}{APP_CSS}">'
    if articles_js is not None:  # the shared article table: a script that sets a global (works from file://)
        app_js = f'<script src="{html.escape(articles_js)}"></script>\n{app_js}'
    nav_html = " ".join(f'<a href="{html.escape(h)}">{_text_html(t)}</a>' for t, h in (nav or {}).items())
    page = Template(_pkg_text("templates", "explorer.html")).substitute(
        title=_text_html(title), nav=nav_html, vis_css=vis_css, vis_js=vis_js,
        app_css=app_css, app_js=app_js, data=data_json,
        key=f'<meta name="policykg-key" content="{html.escape(key)}">\n' if key else "",
    )
    if _URL_RE.search(page):  # a guard, not a filter: every input path above is escaped
        raise RuntimeError("render_explorer: page would contain an http(s):// URL; this is a bug in views.py")
    return page


def _atomic_write(path: Path, text: str) -> Path:
    return atomic_write(path, text.encode("utf-8"))


def write_explorer(G: nx.MultiDiGraph, path: Path | str, *, title: str, **kw: Any) -> Path:
    """Render :func:`render_explorer` (same keywords) and write it atomically as UTF-8."""
    return _atomic_write(Path(path), render_explorer(G, title=title, **kw))


def write_assets(folder: Path | str) -> list[Path]:
    """Write vis-network (URL-free) and the page script and style into *folder*: what
    pages rendered with ``assets_href`` pointing there load."""
    return [_atomic_write(Path(folder) / name, text) for name, text in _assets().items()]


def _assets() -> dict[str, str]:
    js, css = vis_assets()
    return {"vis-network.min.js": js, "vis-network.css": css,
            APP_JS: _pkg_text("static", APP_JS), APP_CSS: _pkg_text("static", APP_CSS)}


def place_slugs(G: nx.MultiDiGraph) -> dict[str, str]:
    """``{node IRI: file slug}`` for every City / Region node.

    The slug is the IRI's last path segment; unusable or clashing segments get a
    stable suffix so that no two places share a file.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("https://w3id.org/policykg/id/entity/jinan", types=("City",))
    >>> G.add_node("https://w3id.org/policykg/id/other/jinan", types=("Region",))
    >>> G.add_node("https://w3id.org/policykg/id/entity/x", types=("Industry",))
    >>> sorted(place_slugs(G).values())
    ['jinan', 'jinan-2']
    """
    out: dict[str, str] = {}
    taken: set[str] = set()
    for n in sorted(G.nodes):
        types = G.nodes[n].get("types") or ()
        if not ({"City", "Region"} & set(types)):
            continue
        base = iri_slug(n)
        base = re.sub(r'[\\:*?"<>|\x00-\x1f]', "_", base)
        if base in ("", ".", ".."):
            base = "place"
        slug, i = base, 1
        while slug.lower() in taken:  # case-insensitive file systems
            i += 1
            slug = f"{base}-{i}"
        taken.add(slug.lower())
        out[n] = slug
    return out


_KEY_RE = re.compile(rb'<meta name="policykg-key" content="([0-9a-f]{64})">')


@lru_cache(maxsize=1)
def _code_key() -> str:
    """Hash of what renders a page besides its data: a change to either rewrites every page."""
    h = hashlib.sha256()
    for folder, name in (("templates", "explorer.html"), ("static", APP_JS), ("static", APP_CSS)):
        h.update(_pkg_text(folder, name).encode("utf-8"))
    h.update(Path(__file__).read_bytes())
    return h.hexdigest()


class _Site:
    """Writes the files of one views folder, keeping those of *reuse* that did not change:
    an unchanged file is hard-linked (same inode and mtime; a copy where links fail)."""

    def __init__(self, out: Path, reuse: Path | None) -> None:
        self.out, self.reuse = out, reuse
        self.written: list[Path] = []

    def _old(self, rel: str) -> Path | None:
        p = (self.reuse / rel) if self.reuse is not None else None
        return p if p is not None and p.is_file() else None

    def keep(self, rel: str, key: str) -> bool:
        """Keep the previous page *rel* if it was made from the same content key."""
        old = self._old(rel)
        if old is None:
            return False
        with open(old, "rb") as fh:
            m = _KEY_RE.search(fh.read(4096))
        if not m or m.group(1).decode() != key:
            return False
        self._link(old, rel)
        return True

    def put(self, rel: str, text: str) -> Path:
        data = text.encode("utf-8")
        old = self._old(rel)
        if old is not None and old.stat().st_size == len(data) and old.read_bytes() == data:
            return self._link(old, rel)
        self.written.append(atomic_write(self.out / rel, data))
        return self.written[-1]

    def _link(self, old: Path, rel: str) -> Path:
        dst = self.out / rel
        self.written.append(dst)
        if dst.exists() and os.path.samefile(old, dst):
            return dst
        dst.parent.mkdir(parents=True, exist_ok=True)
        tmp = dst.with_name(f".{dst.name}.link")
        tmp.unlink(missing_ok=True)
        try:
            os.link(old, tmp)
        except OSError:  # another file system, or no hard links: a copy with the same mtime
            shutil.copy2(old, tmp)
        os.replace(tmp, dst)
        return dst


def write_views(
    source: Any,
    out_dir: Path | str,
    *,
    articles: Mapping[str, Any] | None = None,
    inline_assets: bool = False,
    reuse: Path | str | None = None,
) -> list[Path]:
    """Write the whole explorer site under *out_dir*; returns its files.

    * ``index.html``: the whole graph, with every evidence sentence;
    * ``article/<article id>.html``: one per article in *articles* (``{id: title}``
      or ``{id: Article}``; default: the articles of the graph) — its entities and
      relations with its own evidence; evidence from other articles is counted and
      linked to the whole graph;
    * ``place/<slug>.html``: the depth-1 ego view of every City / Region node, with
      the evidence of the place's own relations;
    * ``data/articles.js``: the one table of article titles, links, dates and
      sources that every page loads (so no page repeats it);
    * ``static/``: vis-network (URL-free) and the page script and style, unless
      *inline_assets*, which puts them in every page instead.

    Every page is about as big as what it shows, so the folder grows linearly with
    the corpus. *reuse* (default: *out_dir* itself) is a previous views folder: its
    pages made from the same content (a hash in each page) are hard-linked instead
    of laid out and written again, so an incremental build only rewrites the pages
    that changed; the result is byte-identical to a clean build.

    *source* is a graph from :func:`~policykg.graph.network.to_networkx` or anything
    that function accepts. All links are relative, so the folder can be moved or
    opened from ``file://``. Files are written atomically; nothing else is removed.
    """
    G = source if isinstance(source, nx.MultiDiGraph) else to_networkx(source)
    meta = article_meta(G, articles)
    ids = sorted(articles) if articles is not None else sorted(meta)
    for aid in ids:
        if not aid or "/" in aid or "\\" in aid or aid in (".", ".."):
            raise ValueError(
                f"write_views: article id {aid!r} cannot be a file name; "
                "article ids are ASCII slugs like '000_3c32-1' (no slashes)"
            )
    out = Path(out_dir)
    site = _Site(out, Path(reuse) if reuse is not None else out)
    if not inline_assets:
        for name, text in _assets().items():
            site.put(f"static/{name}", text)
    # the shared article table: hrefs relative to the views folder (pages add their root)
    with_page = set(ids)
    table = {a: _article_entry(m, f"article/{quote(a)}.html" if a in with_page else None)
             for a, m in meta.items()}
    site.put("data/articles.js", f"window.POLICYKG_ARTICLES = {_json_for_script(table)};\n")
    slugs = place_slugs(G)
    years = _Years(meta)

    def page(rel: str, H: nx.MultiDiGraph, *, title: str, root: str, scope: _Scope | None,
             focus: str | None = None, nav: Mapping[str, str] | None = None) -> None:
        places = {n: f"{root}place/{quote(slugs[n])}.html" for n in H if n in slugs}
        data = _page_data(
            H, title=title, meta=meta, years=years, article_links={}, inline_articles=False, root=root,
            place_links=places, focus=focus, edge_labels=None, reduce_above=REDUCE_ABOVE,
            initial_nodes=INITIAL_NODES, scope=scope,
        )
        text = _json_for_script(data)
        key = hashlib.sha256(f"{_code_key()}\x00{inline_assets}\x00{rel}\x00".encode()
                             + text.encode()).hexdigest()
        if site.keep(rel, key):
            return
        site.put(rel, _html(_page_json(data, H, text=text), title=title, nav=nav,
                            assets_href=None if inline_assets else f"{root}static",
                            articles_js=f"{root}data/articles.js", key=key))

    page("index.html", G, title="政策知识图谱 Policy knowledge graph", root="", scope=None)
    back = {"← 全图 Whole graph": "../index.html"}
    for aid, H in article_subgraphs(G, ids):
        page(f"article/{aid}.html", H, title=meta[aid].title or aid, root="../",
             scope=_Scope(article=aid), nav=back)
    for n, slug in slugs.items():
        label = G.nodes[n].get("label") or slug
        page(f"place/{slug}.html", ego_graph(G, n, depth=1), title=f"{label} · 关联网络 ego network",
             root="../", scope=_Scope(node=n), focus=n, nav=back)
    return site.written


# ---------------------------------------------------------------- query results
def graph_for_result(
    G: nx.MultiDiGraph, result: Any, *, params: Mapping[str, str] | None = None,
) -> nx.MultiDiGraph:
    """The part of *G* that a SPARQL result names (for ``policykg view QUERY``).

    *result* is a :class:`~policykg.graph.query.QueryResult` (SELECT or
    CONSTRUCT). Its nodes are the entities that any cell names — by IRI, or by a
    literal equal to a canonical label (else to an alias) — plus those named by
    the *params* values (the named query's subject, e.g. ``place=济南``). Its
    edges are the relations of *G* between two entities named in the same row
    (or by a parameter); when the row also names predicates (a ``pkg:`` IRI or a
    local name such as ``coordinatesWith``), only those. A copy; ``G.graph`` kept.

    >>> from policykg.graph.query import QueryResult, Term
    >>> G = nx.MultiDiGraph()
    >>> for n, label in (("urn:a", "济南"), ("urn:b", "青岛"), ("urn:c", "山东")):
    ...     G.add_node(n, label=label, aliases=())
    >>> _ = G.add_edge("urn:a", "urn:b", key="coordinatesWith"); _ = G.add_edge("urn:a", "urn:c", key="partOf")
    >>> row = (Term("literal", "青岛"), Term("literal", "济南"))
    >>> H = graph_for_result(G, QueryResult("select", ("x", "y"), (("青岛", "济南"),), (row,)))
    >>> sorted(H.nodes), list(H.edges(keys=True))
    (['urn:a', 'urn:b'], [('urn:a', 'urn:b', 'coordinatesWith')])
    """
    kind = getattr(result, "kind", None)
    if kind not in ("select", "graph"):
        raise ValueError(
            f"graph_for_result: got a result of kind {kind!r}; use a SELECT or CONSTRUCT query "
            "(an ASK answer names no entities)"
        )
    by_label: dict[str, list[str]] = {}
    by_alias: dict[str, list[str]] = {}
    for n, d in sorted(G.nodes(data=True)):
        by_label.setdefault(str(d.get("label") or ""), []).append(n)
        for a in d.get("aliases") or ():
            by_alias.setdefault(a, []).append(n)
    pred_iris = {str(PKG[p]): p for p in PREDICATES}

    def names(value: str, is_iri: bool) -> tuple[list[str], str | None]:
        if is_iri:
            return ([value] if value in G else []), pred_iris.get(value)
        return by_label.get(value) or by_alias.get(value) or [], value if value in PREDICATES else None

    fixed: set[str] = set()
    for v in (params or {}).values():
        fixed.update(names(v, False)[0] or names(v, True)[0])
    keep: set[str] = set(fixed)
    edges: set[tuple[str, str, Any]] = set()
    for row in result.terms:
        row_nodes, row_preds = set(fixed), set()
        for t in row:
            if t is None or t.type not in ("uri", "literal"):
                continue
            found, pred = names(t.value, t.type == "uri")
            row_nodes.update(found)
            if pred:
                row_preds.add(pred)
        keep |= row_nodes
        for u in row_nodes:
            for v in row_nodes:
                for k, d in (G.get_edge_data(u, v) or {}).items():
                    if not row_preds or d.get("predicate", k) in row_preds:
                        edges.add((u, v, k))
    if not keep:
        raise ValueError(
            "the query result names no entity of the graph; return entity IRIs or their "
            "labels (e.g. SELECT ?x ?label WHERE { ?x rdfs:label ?label })"
        )
    H = nx.MultiDiGraph(**G.graph)
    for n in sorted(keep):
        H.add_node(n, **G.nodes[n])
    for u, v, k in sorted(edges, key=lambda e: (e[0], e[1], str(e[2]))):
        H.add_edge(u, v, key=k, **G.edges[u, v, k])
    return H


# ---------------------------------------------------------------- Jupyter
@dataclass(frozen=True)
class View:
    """A rendered page; displays inline in Jupyter (sandboxed ``iframe srcdoc``)."""

    html: str
    height: int = 650

    def _repr_html_(self) -> str:
        return (f'<iframe srcdoc="{html.escape(self.html, quote=True)}" '
                f'style="width:100%;height:{int(self.height)}px;border:1px solid #ddd" '
                'sandbox="allow-scripts"></iframe>')

    def save(self, path: Path | str) -> Path:
        """Write the page atomically as UTF-8."""
        return _atomic_write(Path(path), self.html)


def show(source: Any, *, title: str = "policykg", height: int = 650, **kw: Any) -> View:
    """A :class:`View` of a graph (or of anything :func:`to_networkx` accepts).

    Keywords are those of :func:`render_explorer`; vis-network is inlined.
    """
    G = source if isinstance(source, nx.MultiDiGraph) else to_networkx(source)
    kw.pop("assets_href", None)
    return View(render_explorer(G, title=title, **kw), height=height)
