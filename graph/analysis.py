"""Analyses the notebooks run: SPARQL into DataFrames, centrality, communities, typed paths,
linkages and the mechanisms they share, and two matplotlib charts.

Everything works on the graph of :func:`policykg.graph.network.to_networkx` (a
``MultiDiGraph``: nodes keyed by entity IRI with ``label``/``types``/``type``,
one edge per predicate keyed by its local name) or, for :func:`query_frame`, on a
:class:`~policykg.graph.store.GraphStore`. A *place* is a node typed ``City`` or
``Region``; a *linkage* is a ``Strategy`` that ``involves`` at least two places
(济青联动 → 济南, 青岛).

pandas and matplotlib are imported inside the functions that need them (they come
with the ``notebooks`` and ``test`` extras), so importing this module is cheap.

>>> import networkx as nx
>>> G = nx.MultiDiGraph()
>>> for n, label, t in [("j", "济南", "City"), ("q", "青岛", "City"), ("s", "济青联动", "Strategy")]:
...     G.add_node(n, label=label, types=(t,), type=t)
>>> _ = G.add_edge("j", "q", key="coordinatesWith")
>>> _ = G.add_edge("s", "j", key="involves"); _ = G.add_edge("s", "q", key="involves")
>>> ("青岛", "济南") in relation_pairs(G, "coordinatesWith")
True
>>> [G.nodes[n]["label"] for n in linkages(G)]
['济青联动']
>>> [str(h) for h in paths_between(G, "济南", "青岛")[0]]
['济南 —coordinatesWith— 青岛']
"""
from __future__ import annotations

import itertools
import os
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING

import networkx as nx

from policykg.graph.network import _find_node, iri_slug
from policykg.graph.query import NamedQuery, QueryError, QueryResult, named_queries, run_query
from policykg.ontology.namespace import ENTITY_TYPES, PREDICATES, SYMMETRIC_PREDICATES

if TYPE_CHECKING:  # pandas / matplotlib stay optional at import time
    import pandas as pd
    from matplotlib.axes import Axes

    from policykg.graph.store import GraphStore

__all__ = [
    "PLACE_TYPES", "CJK_FONTS", "find_project_root", "query_frame", "result_frame",
    "result_subgraph", "relation_pairs", "centrality_table", "communities", "community_table", "Hop",
    "paths_between", "linkages", "linkage_table", "mechanism_kind", "shared_mechanisms",
    "setup_matplotlib", "plot_centrality", "plot_communities",
]

#: Entity types that count as places.
PLACE_TYPES: tuple[str, ...] = ("City", "Region")
#: Fonts tried, in order, so that Chinese labels render in charts (first installed wins).
CJK_FONTS: tuple[str, ...] = (
    "Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei", "Microsoft YaHei", "PingFang SC", "SimHei", "Heiti SC",
    "Arial Unicode MS",
)
_NAME = re.compile(r"^[\w-]+$")


# ------------------------------------------------------------------ project
def find_project_root(start: str | os.PathLike[str] | None = None) -> Path:
    """The nearest folder at or above *start* (default: the cwd) that holds a
    ``pyproject.toml`` and a ``corpus/`` folder: how a notebook (run with the
    notebooks folder as working directory) finds the sample corpus.
    """
    here = Path(start if start is not None else Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "corpus").is_dir():
            return folder
    raise FileNotFoundError(
        f"no folder with pyproject.toml and corpus/ at or above {str(here)!r}; "
        "start from inside the policykg checkout (e.g. its notebooks/ folder) or pass start="
    )


# ------------------------------------------------------------------ SPARQL
def result_frame(result: QueryResult) -> pd.DataFrame:
    """A :class:`~policykg.graph.query.QueryResult` as a DataFrame.

    SELECT: one column per variable (unbound → ``None``; ``xsd:decimal`` → float);
    CONSTRUCT/DESCRIBE: ``subject predicate object``; ASK: one ``boolean`` column.
    """
    import pandas as pd

    if result.kind == "ask":
        return pd.DataFrame({"boolean": [bool(result.boolean)]})
    rows = [tuple(float(v) if isinstance(v, Decimal) else v for v in row) for row in result.rows]
    return pd.DataFrame.from_records(rows, columns=list(result.variables))


def query_frame(store: GraphStore | str | os.PathLike[str], query: str | NamedQuery, *,
                params: Mapping[str, str] | None = None,
                timeout: float | None = None) -> pd.DataFrame:
    """Run a named query (by name, e.g. ``"coordinates-with"``) or SPARQL text into a DataFrame.

    *store* is an open :class:`~policykg.graph.store.GraphStore` or a store folder
    (opened read-only for the call). *params* are bound as values, never pasted
    into the text (see :func:`~policykg.graph.query.run_query`).
    """
    if isinstance(query, str) and _NAME.match(query.strip()):
        known = named_queries()
        if query.strip() not in known:
            raise QueryError(
                f"no named query {query.strip()!r}; use one of {', '.join(known)} "
                "or pass SPARQL text"
            )
        query = known[query.strip()]
    if isinstance(store, (str, os.PathLike)):
        from policykg.graph.store import GraphStore

        with GraphStore.open(store, read_only=True) as st:
            return result_frame(run_query(st, query, params=params, timeout=timeout))
    return result_frame(run_query(store, query, params=params, timeout=timeout))


# ------------------------------------------------------------------ helpers
def _label(G: nx.MultiDiGraph, n: str) -> str:
    return G.nodes[n].get("label") or iri_slug(n)


def _types(G: nx.MultiDiGraph, n: str) -> tuple[str, ...]:
    return tuple(G.nodes[n].get("types") or ())


def _is_place(G: nx.MultiDiGraph, n: str) -> bool:
    return any(t in PLACE_TYPES for t in _types(G, n))


def _labels(G: nx.MultiDiGraph, nodes: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({_label(G, n) for n in nodes}))


def _check_predicates(predicates: Iterable[str] | None, where: str) -> frozenset[str] | None:
    if predicates is None:
        return None
    preds = frozenset([predicates] if isinstance(predicates, str) else predicates)
    bad = sorted(preds - set(PREDICATES))
    if bad:
        raise ValueError(
            f"{where}: unknown predicate(s) {', '.join(map(repr, bad))}; "
            f"use local names among {', '.join(PREDICATES)}"
        )
    return preds


def _undirected(G: nx.MultiDiGraph, predicates: frozenset[str] | None = None) -> nx.Graph:
    """A simple undirected graph over all nodes; ``weight`` = number of relations folded in."""
    H = nx.Graph()
    H.add_nodes_from(sorted(G.nodes))
    for u, v, k in sorted(G.edges(keys=True)):
        if u == v or (predicates is not None and k not in predicates):
            continue
        if H.has_edge(u, v):
            H[u][v]["weight"] += 1
        else:
            H.add_edge(u, v, weight=1)
    return H


def relation_pairs(G: nx.MultiDiGraph, predicate: str) -> set[tuple[str, str]]:
    """``(subject label, object label)`` of every *predicate* edge; both orders for a
    symmetric predicate, so ``("济南", "青岛") in pairs`` does not depend on storage order."""
    _check_predicates([predicate], "relation_pairs")
    out = set()
    for u, v, k in G.edges(keys=True):
        if k == predicate:
            out.add((_label(G, u), _label(G, v)))
            if predicate in SYMMETRIC_PREDICATES:
                out.add((_label(G, v), _label(G, u)))
    return out


def result_subgraph(G: nx.MultiDiGraph, frame: pd.DataFrame, *,
                    columns: Sequence[str] | None = None) -> nx.MultiDiGraph:
    """The part of *G* a query result names: every node whose label, alias or IRI is a
    value of *columns* (default: all columns) of *frame*, and the edges among them.

    Turns a SELECT into a view: ``show(result_subgraph(G, query_frame(store, "mechanisms")))``.
    Values that name no node (sentences, titles, numbers) are ignored. Returns a copy.
    """
    cols = list(frame.columns) if columns is None else list(columns)
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise KeyError(
            f"result_subgraph: no column(s) {', '.join(map(repr, missing))}; "
            f"the result has {', '.join(map(repr, frame.columns))}"
        )
    values = {v for c in cols for v in frame[c] if isinstance(v, str)}
    keep = set()
    for n, d in G.nodes(data=True):
        if n in values or d.get("label") in values or values.intersection(d.get("aliases") or ()):
            keep.add(n)
    return G.subgraph(sorted(keep)).copy()


# ------------------------------------------------------------------ centrality
def centrality_table(G: nx.MultiDiGraph, *, types: Sequence[str] = PLACE_TYPES,
                     predicates: Iterable[str] | None = None) -> pd.DataFrame:
    """Degree and betweenness of the nodes of *types* (places by default).

    Computed on the whole graph made undirected and simple (a place that is only
    linked through a strategy still lies on paths), then filtered to *types*.
    Columns: ``label``, ``type``, ``degree`` (distinct neighbours), ``relations``
    (edges, parallel ones counted), ``betweenness`` (normalised), ``articles``
    (how many articles mention it). Sorted by betweenness, degree, label.
    """
    import pandas as pd

    bad = [t for t in types if t not in ENTITY_TYPES]
    if bad or not types:
        raise ValueError(
            f"centrality_table: types {tuple(types)!r} are not allowed; "
            f"use one or more of {', '.join(ENTITY_TYPES)}"
        )
    H = _undirected(G, _check_predicates(predicates, "centrality_table"))
    between = nx.betweenness_centrality(H, normalized=True)
    rows = []
    for n in H.nodes:
        if not any(t in types for t in _types(G, n)):
            continue
        relations = sum(1 for _ in G.out_edges(n, keys=True)) + sum(1 for _ in G.in_edges(n, keys=True))
        rows.append({
            "label": _label(G, n), "type": G.nodes[n].get("type", ""), "degree": H.degree(n),
            "relations": relations, "betweenness": round(between[n], 6),
            "articles": len(G.nodes[n].get("articles") or ()),
        })
    cols = ["label", "type", "degree", "relations", "betweenness", "articles"]
    df = pd.DataFrame(rows, columns=cols)
    return df.sort_values(["betweenness", "degree", "label"], ascending=[False, False, True],
                          kind="mergesort").reset_index(drop=True)


# ------------------------------------------------------------------ communities
def communities(G: nx.MultiDiGraph, *, seed: int = 0, resolution: float = 1.0,
                predicates: Iterable[str] | None = None,
                min_size: int = 2) -> list[tuple[str, ...]]:
    """Louvain communities (networkx, fixed *seed*: same graph → same answer).

    The graph is made undirected and simple, with the number of relations
    between two nodes as weight; isolated nodes (mentioned, never related) are
    left out, and so are communities smaller than *min_size*. Each community is
    a tuple of node IRIs sorted by label; the list is sorted largest first.
    """
    if min_size < 1:
        raise ValueError(f"communities: min_size={min_size!r}; use 1 or more")
    H = _undirected(G, _check_predicates(predicates, "communities"))
    H.remove_nodes_from([n for n in list(H.nodes) if H.degree(n) == 0])
    if H.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(H, weight="weight", resolution=resolution, seed=seed)
    out = [tuple(sorted(c, key=lambda n: (_label(G, n), n))) for c in found if len(c) >= min_size]
    return sorted(out, key=lambda c: (-len(c), _label(G, c[0]), c[0]))


def community_table(G: nx.MultiDiGraph, comms: Sequence[Sequence[str]]) -> pd.DataFrame:
    """One row per community: ``community`` (1-based), ``size``, ``places`` and
    ``members`` (labels, sorted)."""
    import pandas as pd

    rows = [{"community": i, "size": len(c),
             "places": _labels(G, (n for n in c if _is_place(G, n))),
             "members": _labels(G, c)} for i, c in enumerate(comms, 1)]
    return pd.DataFrame(rows, columns=["community", "size", "places", "members"])


# ------------------------------------------------------------------ typed paths
@dataclass(frozen=True)
class Hop:
    """One step of a path: from *source* to *target* along *predicate*.

    ``forward`` is True when *source* is the relation's subject (for symmetric
    predicates the direction carries no meaning and is always True).

    >>> str(Hop("济南", "involves", "济青联动", forward=False))
    '济南 ←involves— 济青联动'
    """

    source: str
    predicate: str
    target: str
    forward: bool = True

    def __str__(self) -> str:
        if self.predicate in SYMMETRIC_PREDICATES:
            return f"{self.source} —{self.predicate}— {self.target}"
        if self.forward:
            return f"{self.source} —{self.predicate}→ {self.target}"
        return f"{self.source} ←{self.predicate}— {self.target}"


def paths_between(G: nx.MultiDiGraph, a: str, b: str, *,
                  predicates: Iterable[str] | None = None,
                  max_paths: int = 20) -> list[tuple[Hop, ...]]:
    """The shortest paths between two entities through typed relations.

    *a* and *b* are labels, unambiguous aliases or IRIs. Edges are followed in
    both directions; each hop keeps its predicate and whether it was followed
    subject → object. Two nodes joined by several predicates give one path per
    predicate. Only *predicates* are followed when given. Returns at most
    *max_paths* paths sorted by their text, ``[]`` when none exists and ``[()]``
    when *a* and *b* are the same node.
    """
    if max_paths < 1:
        raise ValueError(f"paths_between: max_paths={max_paths!r}; use 1 or more")
    preds = _check_predicates(predicates, "paths_between")
    s, t = _find_node(G, a), _find_node(G, b)
    if s == t:
        return [()]
    H = _undirected(G, preds)
    out: list[tuple[Hop, ...]] = []
    try:
        for nodes in itertools.islice(nx.all_shortest_paths(H, s, t), max_paths):
            steps = []
            for u, v in zip(nodes, nodes[1:]):
                options = [Hop(_label(G, u), k, _label(G, v), True)
                           for k in G.get_edge_data(u, v, default={}) if preds is None or k in preds]
                options += [Hop(_label(G, u), k, _label(G, v), k in SYMMETRIC_PREDICATES)
                            for k in G.get_edge_data(v, u, default={}) if preds is None or k in preds]
                steps.append(sorted(set(options), key=str))
            out.extend(itertools.product(*steps))
    except nx.NetworkXNoPath:
        return []
    return sorted(set(out), key=lambda p: [str(h) for h in p])[:max_paths]


# ------------------------------------------------------------------ linkages
def _targets(G: nx.MultiDiGraph, n: str, predicate: str, *, incoming: bool = False) -> list[str]:
    if incoming:
        return [u for u, _, k in G.in_edges(n, keys=True) if k == predicate]
    return [v for _, v, k in G.out_edges(n, keys=True) if k == predicate]


def linkages(G: nx.MultiDiGraph, *, min_places: int = 2) -> list[str]:
    """IRIs of the Strategy nodes that ``involves`` at least *min_places* places, by label."""
    out = [n for n in G.nodes if "Strategy" in _types(G, n)
           and len({v for v in _targets(G, n, "involves") if _is_place(G, v)}) >= min_places]
    return sorted(out, key=lambda n: (_label(G, n), n))


def _resolve_all(G: nx.MultiDiGraph, names: Iterable[str] | None, default: list[str]) -> list[str]:
    if names is None:
        return default
    return sorted({_find_node(G, x) for x in names}, key=lambda n: (_label(G, n), n))


def linkage_table(G: nx.MultiDiGraph, *, min_places: int = 2,
                  names: Iterable[str] | None = None) -> pd.DataFrame:
    """A comparison of linkages (see :func:`linkages`; or the entities *names*).

    Columns (tuples of labels, sorted): ``linkage``, ``places`` it involves,
    ``mechanisms`` it establishes, ``focus`` (industries and technologies it
    focusesOn), ``modeled_on`` (what it follows), ``model_for`` (what follows it),
    ``implements``; and ``articles`` (ids of the articles that mention it).
    """
    import pandas as pd

    rows = []
    for n in _resolve_all(G, names, linkages(G, min_places=min_places)):
        rows.append({
            "linkage": _label(G, n),
            "places": _labels(G, (v for v in _targets(G, n, "involves") if _is_place(G, v))),
            "mechanisms": _labels(G, _targets(G, n, "establishes")),
            "focus": _labels(G, _targets(G, n, "focusesOn")),
            "modeled_on": _labels(G, _targets(G, n, "modeledOn")),
            "model_for": _labels(G, _targets(G, n, "modeledOn", incoming=True)),
            "implements": _labels(G, _targets(G, n, "implements")),
            "articles": tuple(G.nodes[n].get("articles") or ()),
        })
    cols = ["linkage", "places", "mechanisms", "focus", "modeled_on", "model_for",
            "implements", "articles"]
    return pd.DataFrame(rows, columns=cols)


_MECH_SUFFIX = re.compile(r"(机制|制度)$")


def mechanism_kind(label: str) -> str:
    """What kind of arrangement a mechanism is, so that differently worded ones compare.

    A trailing 机制 / 制度 is dropped (the guidelines treat the two as one
    arrangement); then, when the rest ends with a Mechanism head of
    ``heads.tsv`` (联席会议, 领导小组, 工作组 …), that head is the kind;
    otherwise the rest is.

    >>> mechanism_kind("市级联席会议制度"), mechanism_kind("党政联席会议")
    ('联席会议', '联席会议')
    >>> mechanism_kind("利益共享机制")
    '利益共享'
    """
    from policykg.ontology.lexicons import heads

    rest = _MECH_SUFFIX.sub("", label) or label
    for h in heads():  # longest first
        if h.type == "Mechanism" and h.head not in ("机制", "制度") and rest.endswith(h.head):
            return h.head
    return rest


def shared_mechanisms(G: nx.MultiDiGraph, *, by: str = "kind",
                      subjects: Iterable[str] | None = None) -> pd.DataFrame:
    """Mechanisms that two or more linkages establish.

    *by* ``"mechanism"`` compares the mechanism entities themselves; ``"kind"``
    compares :func:`mechanism_kind` (联席会议机制 and 党政联席会议制度 are both
    a 联席会议). *subjects* are the establishing entities to compare (labels or
    IRIs; default: all :func:`linkages`). Columns: ``mechanism`` (the label or
    kind), ``n`` (how many linkages), ``linkages`` and ``labels`` (the mechanisms
    as written); sorted by n, then mechanism.
    """
    import pandas as pd

    if by not in ("kind", "mechanism"):
        raise ValueError(f"shared_mechanisms: by={by!r}; use 'kind' or 'mechanism'")
    groups: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for n in _resolve_all(G, subjects, linkages(G)):
        for m in _targets(G, n, "establishes"):
            label = _label(G, m)
            key = mechanism_kind(label) if by == "kind" else label
            groups[key][_label(G, n)].add(label)
    rows = [{"mechanism": key, "n": len(who), "linkages": tuple(sorted(who)),
             "labels": tuple(sorted(set().union(*who.values())))}
            for key, who in groups.items() if len(who) >= 2]
    df = pd.DataFrame(rows, columns=["mechanism", "n", "linkages", "labels"])
    return df.sort_values(["n", "mechanism"], ascending=[False, True],
                          kind="mergesort").reset_index(drop=True)


# ------------------------------------------------------------------ charts
def setup_matplotlib(*, fonts: Sequence[str] = CJK_FONTS) -> str | None:
    """Make Chinese labels render: put the first installed font of *fonts* first in
    ``font.sans-serif``; returns its name, or None when none is installed (labels
    then show as boxes). The backend is left alone: Jupyter draws inline, and
    matplotlib itself falls back to Agg where there is no display."""
    from matplotlib import font_manager, rcParams

    installed = {f.name for f in font_manager.fontManager.ttflist}
    chosen = next((f for f in fonts if f in installed), None)
    if chosen is not None:
        rcParams["font.sans-serif"] = [chosen, *[f for f in rcParams["font.sans-serif"] if f != chosen]]
        rcParams["font.family"] = "sans-serif"
    rcParams["axes.unicode_minus"] = False
    return chosen


def plot_centrality(table: pd.DataFrame, *, column: str = "betweenness", top: int = 10,
                    ax: Axes | None = None) -> Axes:
    """A horizontal bar chart of the *top* rows of :func:`centrality_table` by *column*."""
    import matplotlib.pyplot as plt

    if column not in table.columns:
        raise KeyError(f"plot_centrality: no column {column!r}; the table has {', '.join(table.columns)}")
    rows = table.sort_values([column, "label"], ascending=[False, True], kind="mergesort").head(top)
    if ax is None:
        _, ax = plt.subplots(figsize=(6, max(2.0, 0.35 * len(rows) + 1)))
    ax.barh(list(rows["label"])[::-1], list(rows[column])[::-1], color="#4e79a7")
    ax.set_xlabel(column)
    ax.set_title(f"places by {column}")
    return ax


def plot_communities(G: nx.MultiDiGraph, comms: Sequence[Sequence[str]], *,
                     ax: Axes | None = None, seed: int = 0,
                     label_types: Sequence[str] | None = (*PLACE_TYPES, "Strategy")) -> Axes:
    """Draw the members of *comms* (from :func:`communities`), one colour per community,
    with a fixed-seed spring layout. Only nodes of *label_types* are labelled (and
    drawn larger) so that big communities stay readable; ``None`` labels all."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 8))
    nodes = [n for c in comms for n in c]
    H = _undirected(G).subgraph(nodes)
    colour = {n: i for i, c in enumerate(comms) for n in c}
    named = [n for n in nodes if label_types is None
             or any(t in label_types for t in _types(G, n))]
    pos = nx.spring_layout(H, seed=seed, k=2.0 / max(1, len(nodes)) ** 0.5)
    cmap = plt.get_cmap("tab10" if len(comms) <= 10 else "tab20")
    nx.draw_networkx_edges(H, pos, ax=ax, alpha=0.25)
    for group, size in ((sorted(set(nodes) - set(named)), 25), (named, 160)):
        nx.draw_networkx_nodes(H, pos, ax=ax, nodelist=group, node_size=size,
                               node_color=[cmap(colour[n] % cmap.N) for n in group])
    nx.draw_networkx_labels(H, pos, ax=ax, font_size=9, labels={n: _label(G, n) for n in named})
    ax.set_axis_off()
    ax.set_title(f"{len(comms)} communities")
    return ax
