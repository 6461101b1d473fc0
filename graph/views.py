"""Offline HTML explorer pages for the entity graph (vis-network, no CDN, no server).

Every view is the same page layout (``templates/explorer.html``): a vis-network
canvas with a legend, and a side panel with search (label or alias), type and
predicate filters, and a details panel that shows a node's or an edge's
relations with their evidence sentences and links to the article pages.

Nothing is fetched: vis-network's JS and CSS (shipped with pyvis) are inlined or
written beside the pages, and no ``http://`` / ``https://`` string is left in
any file. Data goes in as JSON inside ``<script type="application/json">`` with
``<``, ``>``, ``&`` escaped, and the page script only ever uses ``textContent``,
so labels and sentences can never become markup. Layout is computed in Python
with a fixed seed and physics is off: output is deterministic and big graphs
open fast.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> G.add_node("urn:x:a", label="<b>A</b>", type="City", types=("City",), aliases=(), articles=())
>>> page = render_explorer(G, title="demo")
>>> "<b>A</b>" in page, "\\\\u003cb\\\\u003eA" in page, "http://" in page
(False, True, False)
"""
from __future__ import annotations

import html
import json
import math
import os
import re
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from string import Template
from typing import Any
from urllib.parse import quote

import networkx as nx

from policykg.graph.network import ego_graph, iri_slug, subgraph_for_article, to_networkx
from policykg.ontology.namespace import ENTITY_TYPES, PREDICATES

__all__ = [
    "TYPE_COLORS", "TYPE_NAMES_ZH", "PREDICATE_NAMES_ZH", "FONT_STACK",
    "predicate_label", "vis_assets", "render_explorer", "write_explorer",
    "write_views", "place_slugs", "View", "show",
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
    import pyvis

    base = Path(pyvis.__file__).parent
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
#: Above this many nodes the layout is finished in the browser (see :func:`_layout`).
PY_LAYOUT_MAX_NODES = 500


def _layout(G: nx.MultiDiGraph, nodes: list[str]) -> tuple[dict[str, tuple[int, int]], bool]:
    """``(integer positions, needs browser physics)``; deterministic for a given graph.

    Up to :data:`PY_LAYOUT_MAX_NODES` nodes the layout is final (Kamada-Kawai up
    to 60 nodes, else networkx spring with a fixed seed) and physics stays off.
    networkx's spring layout is quadratic (tens of seconds at 2000 nodes), so
    bigger graphs get seeded random start positions and vis-network's
    Barnes-Hut solver finishes them in the browser in a bounded number of
    stabilisation iterations, after which physics is switched off.
    """
    n = len(nodes)
    if n == 0:
        return {}, False
    if n == 1:
        return {nodes[0]: (0, 0)}, False
    scale = 100.0 * math.sqrt(n) + 100.0
    if n > PY_LAYOUT_MAX_NODES:
        import random

        rng = random.Random(7)
        return {k: (round(rng.uniform(-scale, scale)), round(rng.uniform(-scale, scale))) for k in nodes}, True
    H = nx.Graph()
    H.add_nodes_from(nodes)
    H.add_edges_from(sorted({tuple(sorted((u, v))) for u, v in G.edges() if u != v}))
    try:
        if n <= 60:
            pos = nx.kamada_kawai_layout(H, scale=1.0)
        else:
            pos = nx.spring_layout(H, seed=7, iterations=100, scale=1.0)
    except ImportError:
        # numpy/scipy missing: a ring in sorted order still opens instantly and is stable
        return {k: (round(scale * math.cos(2 * math.pi * i / n)), round(scale * math.sin(2 * math.pi * i / n)))
                for i, k in enumerate(nodes)}, False
    return {k: (round(float(x) * scale), round(float(y) * scale)) for k, (x, y) in pos.items()}, False


# ---------------------------------------------------------------- page data
def _page_data(
    G: nx.MultiDiGraph,
    *,
    title: str,
    article_links: Mapping[str, str],
    article_titles: Mapping[str, str],
    place_links: Mapping[str, str],
    focus: str | None,
    edge_labels: bool | None,
) -> dict[str, Any]:
    nodes = sorted(G.nodes)
    ids = {n: i for i, n in enumerate(nodes)}
    pos, physics = _layout(G, nodes)
    degree = dict(G.degree())
    node_recs = []
    used_articles: set[str] = set()
    for n in nodes:
        d = G.nodes[n]
        types = tuple(d.get("types") or ())
        arts = list(d.get("articles") or ())
        used_articles.update(arts)
        x, y = pos[n]
        node_recs.append({
            "id": ids[n], "iri": n, "label": str(d.get("label") or iri_slug(n)),
            "type": d.get("type") or (types[0] if types else "Entity"), "types": list(types),
            "aliases": list(d.get("aliases") or ()), "articles": arts,
            "adcode": d.get("adcode"), "x": x, "y": y, "degree": degree[n],
            "size": round(min(10 + 6 * math.sqrt(degree[n]), 60), 1),
        })
    edge_recs = []
    pair_count: dict[tuple[str, str], int] = {}
    for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda e: (e[0], e[1], str(e[2]))):
        pair = tuple(sorted((u, v)))
        i = pair_count.get(pair, 0)
        pair_count[pair] = i + 1
        evs = []
        for ev in d.get("evidence") or ():
            used_articles.add(ev.get("article_id", ""))
            evs.append({key: ev.get(key, "") for key in
                        ("sentence", "article_id", "article_title", "rule", "confidence")})
        edge_recs.append({
            "id": len(edge_recs), "from": ids[u], "to": ids[v],
            "predicate": d.get("predicate", str(k)), "symmetric": bool(d.get("symmetric", False)),
            "confidence": d.get("confidence", max((e["confidence"] or 0 for e in evs), default=1.0)),
            "evidence": evs,
            # parallel edges of one pair curve away from each other (physics is off)
            "roundness": round(0.18 * i, 2),
        })
    type_count: dict[str, int] = {}
    for r in node_recs:
        type_count[r["type"]] = type_count.get(r["type"], 0) + 1
    pred_count: dict[str, int] = {}
    for r in edge_recs:
        pred_count[r["predicate"]] = pred_count.get(r["predicate"], 0) + 1
    type_names = list(ENTITY_TYPES) + sorted(t for t in type_count if t not in ENTITY_TYPES)
    pred_names = list(PREDICATES) + sorted(p for p in pred_count if p not in PREDICATES)
    used_articles.discard("")
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
        "articleLinks": {a: article_links[a] for a in sorted(used_articles) if a in article_links},
        "articleTitles": {a: article_titles[a] for a in sorted(used_articles) if a in article_titles},
        "placeLinks": {n: place_links[n] for n in nodes if n in place_links},
        "focus": ids.get(focus) if focus is not None else None,
        "edgeLabels": len(edge_recs) <= 300 if edge_labels is None else edge_labels,
        "physics": physics,
    }


def _json_for_script(data: Any) -> str:
    """JSON that is inert inside ``<script>`` and holds no ``http(s)://`` substring."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("://", ":\\/\\/"))


def _text_html(s: str) -> str:
    """Escaped text for element content / attributes; ``/`` as an entity keeps URLs out."""
    return html.escape(s, quote=True).replace("/", "&#47;")


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
) -> str:
    """The explorer page for *G* as a string (pure; same input → same bytes).

    * *article_links*: ``{article id: href}`` for evidence and article lists;
      titles come from ``G.graph["articles"]`` (set by :func:`to_networkx`).
    * *place_links*: ``{node IRI: href}`` of ego pages, linked from node details.
    * *nav*: ``{link text: href}`` shown under the title (e.g. back to the index).
    * *focus*: node IRI selected and shown on load (drawn with a thick border).
    * *assets_href*: ``None`` inlines vis-network; otherwise the relative folder
      holding ``vis-network.min.js`` and ``vis-network.css`` (see :func:`write_views`).
    * *edge_labels*: show predicate labels on edges; default only up to 300 edges.
    """
    if focus is not None and focus not in G:
        raise KeyError(f"render_explorer: focus {focus!r} is not a node of the graph; pass a node IRI or None")
    for href in [*(article_links or {}).values(), *(place_links or {}).values(), *(nav or {}).values(),
                 assets_href or ""]:
        if _URL_RE.search(href) or href.lower().lstrip().startswith(("javascript:", "data:")):
            raise ValueError(
                f"render_explorer: link {href!r} is not a relative path; the pages work offline, "
                "so pass links relative to the page (e.g. '../article/x-1.html')"
            )
    data = _page_data(
        G, title=title, article_links=dict(article_links or {}),
        article_titles=dict(G.graph.get("articles") or {}), place_links=dict(place_links or {}),
        focus=focus, edge_labels=edge_labels,
    )
    if assets_href is None:
        js, css = vis_assets()
        vis_js, vis_css = f"<script>\n{js}\n</script>", f"<style>\n{css}\n</style>"
    else:
        prefix = assets_href.rstrip("/") + "/" if assets_href else ""
        vis_js = f'<script src="{html.escape(prefix)}vis-network.min.js"></script>'
        vis_css = f'<link rel="stylesheet" href="{html.escape(prefix)}vis-network.css">'
    nav_html = " ".join(f'<a href="{html.escape(h)}">{_text_html(t)}</a>' for t, h in (nav or {}).items())
    page = Template(_pkg_text("templates", "explorer.html")).substitute(
        title=_text_html(title),
        nav=nav_html,
        vis_css=vis_css,
        vis_js=vis_js,
        app_css=_pkg_text("static", "explorer.css"),
        app_js=_pkg_text("static", "explorer.js"),
        data=_json_for_script(data),
    )
    if _URL_RE.search(page):  # a guard, not a filter: every input path above is escaped
        raise RuntimeError("render_explorer: page would contain an http(s):// URL; this is a bug in views.py")
    return page


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _atomic_write(path: Path, text: str) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; pages are meant to be shared
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(text)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return path


def write_explorer(G: nx.MultiDiGraph, path: Path | str, *, title: str, **kw: Any) -> Path:
    """Render :func:`render_explorer` (same keywords) and write it atomically as UTF-8."""
    return _atomic_write(Path(path), render_explorer(G, title=title, **kw))


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


def write_views(
    source: Any,
    out_dir: Path | str,
    *,
    articles: Mapping[str, str] | None = None,
    inline_assets: bool = False,
) -> list[Path]:
    """Write the whole explorer site under *out_dir*; returns the written files.

    * ``index.html``: the whole graph;
    * ``article/<article id>.html``: one per article in *articles* (``{id: title}``;
      default: the articles of the graph);
    * ``place/<slug>.html``: the depth-1 ego view of every City / Region node;
    * ``static/vis-network.min.js`` and ``static/vis-network.css`` (URL-free), unless
      *inline_assets*, which puts them in every page instead.

    *source* is a graph from :func:`~policykg.graph.network.to_networkx` or anything
    that function accepts. All links are relative, so the folder can be moved or
    opened from ``file://``. Files are written atomically; nothing else is removed.
    """
    G = source if isinstance(source, nx.MultiDiGraph) else to_networkx(source)
    titles = dict(G.graph.get("articles") or {})
    titles.update(articles if articles is not None else {})
    if articles is None:
        articles = titles
    G = G.copy()
    G.graph["articles"] = dict(sorted(titles.items()))
    out = Path(out_dir)
    written: list[Path] = []

    if not inline_assets:
        js, css = vis_assets()
        written.append(_atomic_write(out / "static" / "vis-network.min.js", js))
        written.append(_atomic_write(out / "static" / "vis-network.css", css))

    slugs = place_slugs(G)

    def links(prefix_articles: str, prefix_places: str) -> tuple[dict[str, str], dict[str, str]]:
        return ({a: f"{prefix_articles}{quote(a)}.html" for a in titles},
                {n: f"{prefix_places}{quote(s)}.html" for n, s in slugs.items()})

    # index
    a_links, p_links = links("article/", "place/")
    written.append(write_explorer(
        G, out / "index.html", title="政策知识图谱 Policy knowledge graph",
        article_links=a_links, place_links=p_links,
        assets_href=None if inline_assets else "static",
    ))
    # per article
    a_links, p_links = links("", "../place/")
    sub_kw = dict(nav={"← 全图 Whole graph": "../index.html"},
                  assets_href=None if inline_assets else "../static")
    for aid in sorted(articles):
        if not aid or "/" in aid or "\\" in aid or aid in (".", ".."):
            raise ValueError(
                f"write_views: article id {aid!r} cannot be a file name; "
                "article ids are ASCII slugs like '000_3c32-1' (no slashes)"
            )
        H = subgraph_for_article(G, aid)
        written.append(write_explorer(
            H, out / "article" / f"{aid}.html", title=articles[aid] or aid,
            article_links=a_links, place_links=p_links, **sub_kw,
        ))
    # per place
    a_links, p_links = links("../article/", "")
    for n, slug in slugs.items():
        H = ego_graph(G, n, depth=1)
        label = G.nodes[n].get("label") or slug
        written.append(write_explorer(
            H, out / "place" / f"{slug}.html", title=f"{label} · 关联网络 ego network",
            article_links=a_links, place_links=p_links, focus=n, **sub_kw,
        ))
    return written


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
