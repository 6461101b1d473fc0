"""RDF → :mod:`networkx`: the entity graph that views and analyses work on.

The RDF (see :mod:`policykg.graph.rdf`) holds typed entities, direct relation
triples and reified ``pkg:Assertion`` nodes with their evidence, one named graph
per article. :func:`to_networkx` folds all of it into one
:class:`networkx.MultiDiGraph`:

* nodes keyed by entity IRI, with ``label``, ``types``, ``type`` (primary),
  ``aliases``, ``articles`` and ``adcode``;
* edges keyed by predicate local name, with ``predicate``, ``symmetric``,
  ``confidence`` and ``evidence`` (a tuple of dicts); a symmetric predicate is
  one edge (from the smaller IRI), negated assertions and negated evidence
  sentences are left out.

>>> from rdflib import Graph, Literal, RDF, RDFS
>>> from policykg.ontology.namespace import PKG, PKGID
>>> g = Graph()
>>> for e, name in ((PKGID["e/jinan"], "济南"), (PKGID["e/qingdao"], "青岛")):
...     g += [(e, RDF.type, PKG.City), (e, RDFS.label, Literal(name, lang="zh"))]
>>> g += [(PKGID["e/qingdao"], PKG.coordinatesWith, PKGID["e/jinan"])]
>>> G = to_networkx(g)
>>> sorted(label for _, label in G.nodes(data="label"))
['济南', '青岛']
>>> [(G.nodes[u]["label"], k, G.nodes[v]["label"]) for u, v, k in G.edges(keys=True)]
[('济南', 'coordinatesWith', '青岛')]
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Any, Union
from urllib.parse import unquote

import networkx as nx
from rdflib import BNode, ConjunctiveGraph, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS
from rdflib.term import Node

from policykg.ontology.namespace import (
    ENTITY_TYPES, PKG, PREDICATES, SYMMETRIC_PREDICATES,
)

__all__ = [
    "TYPE_PRIORITY", "to_networkx", "ego_graph", "subgraph_for_article",
    "article_subgraphs", "article_titles", "article_id", "iri_slug", "find_node",
]

#: Order in which the primary ``type`` of a multi-typed entity is chosen
#: (places first, then the more specific kinds; Industry before Technology
#: because the guidelines name the industry reading first, e.g. 超算).
TYPE_PRIORITY: tuple[str, ...] = ENTITY_TYPES

Source = Union[Graph, Iterable[tuple]]  # also a pyoxigraph.Store (duck-typed)

_CLASS_BY_IRI = {PKG[t]: t for t in ENTITY_TYPES}
_PRED_BY_IRI = {PKG[p]: p for p in PREDICATES}
_TRUE = {"true", "1"}
#: The only predicates the entity graph is made of: the others (mention counts, source
#: files, the summary graph's tables, …) are skipped before their terms are converted,
#: which is most of the time of reading a big store.
_USED: frozenset[str] = frozenset(map(str, (
    RDF.type, RDFS.label, SKOS.altLabel, RDF.subject, RDF.predicate, RDF.object,
    PROV.wasDerivedFrom, DCTERMS.title, DCTERMS.issued, DCTERMS.source, *_PRED_BY_IRI,
    *(PKG[n] for n in ("adcode", "negated", "rule", "confidence", "article", "evidence", "sentence",
                       "startOffset", "endOffset")),
)))


# ---------------------------------------------------------------- terms / quads
def _ox_term(t: Any) -> Node | None:
    """A pyoxigraph term as the equal rdflib term (None for the default graph)."""
    kind = type(t).__name__
    if kind == "NamedNode":
        return URIRef(t.value)
    if kind == "BlankNode":
        return BNode(t.value)
    if kind == "Literal":
        if t.language:
            return Literal(t.value, lang=t.language)
        return Literal(t.value, datatype=URIRef(t.datatype.value))
    if kind == "DefaultGraph":
        return None
    raise TypeError(
        f"cannot convert pyoxigraph term {t!r} of type {kind}; "
        "expected NamedNode, BlankNode, Literal or DefaultGraph"
    )


def _quads(source: Any) -> Iterator[tuple[Node, Node, Node, Node | None]]:
    """(s, p, o, graph) from a Dataset, Graph, pyoxigraph Store or iterable."""
    if isinstance(source, ConjunctiveGraph):  # rdflib.Dataset included
        for s, p, o, c in source.quads((None, None, None, None)):
            yield s, p, o, (c.identifier if isinstance(c, Graph) else c)
    elif isinstance(source, Graph):
        for s, p, o in source:
            yield s, p, o, source.identifier if isinstance(source.identifier, URIRef) else None
    elif hasattr(source, "quads_for_pattern"):  # pyoxigraph.Store
        terms: dict[Any, Node | None] = {}   # labels, types, rules, … repeat across articles

        def term(t: Any) -> Node | None:
            r = terms.get(t, terms)
            if r is terms:
                r = terms[t] = _ox_term(t)
            return r  # type: ignore[return-value]

        for q in source.quads_for_pattern(None, None, None, None):
            if q.predicate.value in _USED:
                yield term(q.subject), term(q.predicate), term(q.object), term(q.graph_name)
    elif isinstance(source, Iterable) and not isinstance(source, (str, bytes)):
        for item in source:
            if len(item) == 3:
                yield item[0], item[1], item[2], None
            elif len(item) == 4:
                c = item[3]
                yield item[0], item[1], item[2], (c.identifier if isinstance(c, Graph) else c)
            else:
                raise ValueError(
                    f"to_networkx: got an item of length {len(item)} ({item!r}); "
                    "iterables must yield (s, p, o) triples or (s, p, o, graph) quads"
                )
    else:
        raise TypeError(
            f"to_networkx: got {type(source).__name__}; pass an rdflib Dataset or Graph, "
            "a pyoxigraph Store, or an iterable of (s, p, o[, graph]) tuples"
        )


class _Index:
    """Union of all graphs as subject → predicate → objects, plus graph membership."""

    def __init__(self, source: Any) -> None:
        sp: dict[Node, dict[Node, set[Node]]] = defaultdict(lambda: defaultdict(set))
        in_graph: dict[Node, set[Node]] = defaultdict(set)   # graph → terms used in it
        for s, p, o, c in _quads(source):
            if str(p) not in _USED:
                continue
            sp[s][p].add(o)
            if c is not None:
                in_graph[c].add(s)
                in_graph[c].add(o)
        self.sp = sp
        self.in_graph = in_graph

    def objects(self, s: Node, p: Node) -> set[Node]:
        d = self.sp.get(s)
        return d.get(p, set()) if d is not None else set()

    def one(self, s: Node, p: Node) -> Node | None:
        objs = self.objects(s, p)
        return min(objs, key=_term_key) if objs else None

    def subjects_of_type(self, cls: Node) -> list[Node]:
        return sorted((s for s, d in self.sp.items() if cls in d.get(RDF.type, ())), key=_term_key)


def _term_key(t: Node) -> tuple[str, str]:
    return (type(t).__name__, str(t))


def _text(objs: Iterable[Node]) -> str | None:
    """The preferred literal: Chinese first, then untagged, then any; stable."""
    lits = [o for o in objs if isinstance(o, Literal)]
    if not lits:
        return None

    def rank(lit: Literal) -> tuple[int, str]:
        lang = (lit.language or "").lower()
        return (0 if lang.startswith("zh") else 1 if not lang else 2, str(lit))

    return str(min(lits, key=rank))


def iri_slug(iri: str) -> str:
    """The last path segment of an IRI (what ``<slug>.html`` file names use).

    >>> iri_slug("https://w3id.org/policykg/id/entity/jinan")
    'jinan'
    >>> iri_slug("https://w3id.org/policykg/ontology#City")
    'City'
    """
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def article_id(iri: str | Node) -> str:
    """The article id of an article IRI: its last path segment, percent-decoded.

    >>> article_id("https://w3id.org/policykg/id/a/000_abc-1")
    '000_abc-1'
    >>> article_id("https://w3id.org/policykg/id/a/x%20y-2")
    'x y-2'
    """
    return unquote(iri_slug(str(iri)))


def _bool(o: Node | None) -> bool:
    return o is not None and str(o).strip().lower() in _TRUE


def _float(o: Node | None, default: float = 1.0) -> float:
    try:
        return float(str(o)) if o is not None else default
    except ValueError:
        return default


def _rule_id(idx: _Index, o: Node | None) -> str:
    """A rule's id: its rdfs:label, else the IRI's last segment (or the literal)."""
    if o is None:
        return ""
    if isinstance(o, Literal):
        return str(o)
    return _text(idx.objects(o, RDFS.label)) or unquote(iri_slug(str(o)))


# ---------------------------------------------------------------- public API
def article_titles(source: Any) -> dict[str, str]:
    """``{article id: title}`` for every ``pkg:Article``, sorted by id.

    Accepts what :func:`to_networkx` accepts.

    >>> from rdflib import Graph, Literal, RDF
    >>> from rdflib.namespace import DCTERMS
    >>> from policykg.ontology.namespace import PKG, PKGID
    >>> g = Graph()
    >>> _ = g.add((PKGID["article/a-1"], RDF.type, PKG.Article))
    >>> _ = g.add((PKGID["article/a-1"], DCTERMS.title, Literal("标题", lang="zh")))
    >>> article_titles(g)
    {'a-1': '标题'}
    """
    idx = source if isinstance(source, _Index) else _Index(source)
    return _article_titles(idx)


def _article_titles(idx: _Index) -> dict[str, str]:
    out = {}
    for a in idx.subjects_of_type(PKG.Article):
        aid = article_id(a)
        out[aid] = _text(idx.objects(a, DCTERMS.title)) or aid
    return dict(sorted(out.items()))


def _article_meta(idx: _Index) -> dict[str, dict[str, str]]:
    """``{article id: {"issued": …, "origin": …}}`` (only the keys the RDF states):
    ``dcterms:issued`` (``YYYY-MM-DD`` or ``YYYY``) and ``dcterms:source`` (来源)."""
    out: dict[str, dict[str, str]] = {}
    for a in idx.subjects_of_type(PKG.Article):
        meta = {}
        for key, prop in (("issued", DCTERMS.issued), ("origin", DCTERMS.source)):
            o = idx.one(a, prop)
            if o is not None:
                meta[key] = _text([o]) if isinstance(o, Literal) else str(o)
        if meta:
            out[article_id(a)] = meta
    return dict(sorted(out.items()))


def to_networkx(source: Any) -> nx.MultiDiGraph:
    """Fold the RDF of one or many articles into a :class:`networkx.MultiDiGraph`.

    *source* is an ``rdflib.Dataset`` (all named graphs are read, whatever its
    ``default_union``), an ``rdflib.Graph``, a ``pyoxigraph.Store`` or an
    iterable of ``(s, p, o)`` / ``(s, p, o, graph)`` tuples of rdflib terms.

    Node ``articles`` come from the evidence of the entity's relations and from
    the named graphs (one per article) that mention the entity. Edge
    ``evidence`` is a tuple of dicts with keys ``sentence``, ``article_id``,
    ``article_title``, ``rule``, ``confidence``, ``start``, ``end``, sorted by
    article, offset and sentence. An edge exists when a non-negated assertion
    states it, or when the direct triple exists and no assertion negates it.
    ``G.graph["articles"]`` holds :func:`article_titles`; ``G.graph["article_meta"]``
    the ``issued`` date and ``origin`` (``dcterms:source``) of the articles that have them.

    >>> G = to_networkx([])
    >>> G.number_of_nodes(), G.graph["articles"]
    (0, {})
    """
    idx = _Index(source)
    titles = _article_titles(idx)

    # graph name → article id, for graphs that type exactly one article
    graph_article: dict[Node, str] = {}
    articles_set = {a for a in idx.subjects_of_type(PKG.Article)}
    for gname, terms in idx.in_graph.items():
        arts = sorted(str(t) for t in terms & articles_set)
        if len(arts) == 1:
            graph_article[gname] = article_id(arts[0])
        elif not arts and gname in articles_set:
            graph_article[gname] = article_id(gname)

    # ---- entities
    entities: set[Node] = set(idx.subjects_of_type(PKG.Entity))
    for s, d in idx.sp.items():
        if any(c in _CLASS_BY_IRI for c in d.get(RDF.type, ())):
            entities.add(s)

    # ---- relations: (s, pred, o) → evidence dicts; negations; direct triples
    evidence: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    asserted: set[tuple[str, str, str]] = set()
    negated: set[tuple[str, str, str]] = set()
    direct: set[tuple[str, str, str]] = set()

    def key(s: Node, pred: str, o: Node) -> tuple[str, str, str]:
        a, b = str(s), str(o)
        if pred in SYMMETRIC_PREDICATES and b < a:
            a, b = b, a
        return (a, pred, b)

    for s, d in idx.sp.items():
        for p, objs in d.items():
            pred = _PRED_BY_IRI.get(p)
            if pred is not None:
                for o in objs:
                    direct.add(key(s, pred, o))

    for a in idx.subjects_of_type(PKG.Assertion):
        s, p, o = (idx.one(a, RDF.subject), idx.one(a, RDF.predicate), idx.one(a, RDF.object))
        pred = _PRED_BY_IRI.get(p) if p is not None else None
        if s is None or o is None or pred is None:
            continue  # malformed or not one of ours: nothing to draw
        k = key(s, pred, o)
        if _bool(idx.one(a, PKG.negated)):
            negated.add(k)
            continue
        asserted.add(k)
        a_rule, a_conf = idx.one(a, PKG.rule), idx.one(a, PKG.confidence)
        a_art = idx.one(a, PROV.wasDerivedFrom) or idx.one(a, PKG.article)
        for ev in sorted(idx.objects(a, PKG.evidence), key=_term_key):
            if _bool(idx.one(ev, PKG.negated)):
                continue  # this sentence denies the relation; other evidence asserts it
            art = idx.one(ev, PROV.wasDerivedFrom) or idx.one(ev, PKG.article) or a_art
            aid = article_id(art) if art is not None else ""
            start, end = idx.one(ev, PKG.startOffset), idx.one(ev, PKG.endOffset)
            evidence[k].append({
                "sentence": _text(idx.objects(ev, PKG.sentence)) or "",
                "article_id": aid,
                "article_title": titles.get(aid, aid),
                "rule": _rule_id(idx, idx.one(ev, PKG.rule) or a_rule),
                "confidence": _float(idx.one(ev, PKG.confidence) or a_conf),
                "start": int(_float(start, -1)),
                "end": int(_float(end, -1)),
            })

    keep = sorted(asserted | (direct - negated))

    # ---- nodes
    G = nx.MultiDiGraph(articles=titles, article_meta=_article_meta(idx))
    node_articles: dict[str, set[str]] = defaultdict(set)
    for gname, terms in idx.in_graph.items():
        if gname in graph_article:
            for t in terms & entities:
                node_articles[str(t)].add(graph_article[gname])
    for k in keep:
        for ev in evidence.get(k, ()):
            if ev["article_id"]:
                node_articles[k[0]].add(ev["article_id"])
                node_articles[k[2]].add(ev["article_id"])

    for e in sorted(entities | {URIRef(k[0]) for k in keep} | {URIRef(k[2]) for k in keep},
                    key=_term_key):
        iri = str(e)
        types = tuple(sorted(_CLASS_BY_IRI[c] for c in idx.objects(e, RDF.type) if c in _CLASS_BY_IRI))
        label = _text(idx.objects(e, RDFS.label)) or iri_slug(iri)
        aliases = tuple(sorted({str(o) for o in idx.objects(e, SKOS.altLabel)
                                if isinstance(o, Literal)} - {label}))
        adcode = idx.one(e, PKG.adcode)
        G.add_node(
            iri,
            label=label,
            types=types,
            type=next((t for t in TYPE_PRIORITY if t in types), "Entity"),
            aliases=aliases,
            articles=tuple(sorted(node_articles.get(iri, ()))),
            adcode=str(adcode) if adcode is not None else None,
        )

    # ---- edges
    for s, pred, o in keep:
        evs = evidence.get((s, pred, o), [])
        uniq = {tuple(sorted(ev.items())): ev for ev in evs}
        evs = sorted(uniq.values(), key=lambda ev: (ev["article_id"], ev["start"], ev["sentence"], ev["rule"]))
        G.add_edge(
            s, o, key=pred,
            predicate=pred,
            symmetric=pred in SYMMETRIC_PREDICATES,
            confidence=max((ev["confidence"] for ev in evs), default=1.0),
            evidence=tuple(evs),
        )
    return G


def find_node(G: nx.MultiDiGraph, label: str) -> str:
    """Node key by IRI, canonical label, or (unambiguous) alias; ``KeyError`` otherwise.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("urn:a", label="济南", aliases=("济南市",))
    >>> find_node(G, "济南市")
    'urn:a'
    """
    if label in G:
        return label
    by_label = sorted(n for n, d in G.nodes(data=True) if d.get("label") == label)
    if len(by_label) == 1:
        return by_label[0]
    by_alias = sorted(n for n, d in G.nodes(data=True) if label in d.get("aliases", ()))
    hits = by_label or by_alias
    if len(hits) == 1:
        return hits[0]
    if not hits:
        raise KeyError(
            f"no node with IRI, label or alias {label!r}; "
            "use a canonical label (G.nodes[n]['label']) or an entity IRI"
        )
    raise KeyError(
        f"{label!r} names {len(hits)} nodes ({', '.join(hits)}); pass one of these IRIs instead"
    )


_find_node = find_node  # the old private name (graph/analysis.py uses it)


def ego_graph(G: nx.MultiDiGraph, label: str, *, depth: int = 1) -> nx.MultiDiGraph:
    """The neighbourhood of one entity, edges followed in both directions.

    *label* is a canonical label, an unambiguous alias or a node IRI. Returns a
    copy (graph attributes kept) holding every node within *depth* hops and
    every edge between them.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", label="济南", aliases=("济南市",)); G.add_node("b", label="青岛")
    >>> G.add_node("c", label="山东"); G.add_node("d", label="烟台")
    >>> _ = G.add_edge("a", "b", key="coordinatesWith"); _ = G.add_edge("a", "c", key="partOf")
    >>> sorted(ego_graph(G, "济南市").nodes)
    ['a', 'b', 'c']
    >>> ego_graph(G, "烟台").number_of_edges()
    0
    >>> ego_graph(G, "北京")
    Traceback (most recent call last):
    ...
    KeyError: "no node with IRI, label or alias '北京'; use a canonical label (G.nodes[n]['label']) or an entity IRI"
    """
    if depth < 0:
        raise ValueError(f"ego_graph: depth={depth!r}; use 0 or a positive integer")
    center = find_node(G, label)
    keep = nx.single_source_shortest_path_length(G.to_undirected(as_view=True), center, cutoff=depth)
    return G.subgraph(keep).copy()


def subgraph_for_article(G: nx.MultiDiGraph, article_id: str) -> nx.MultiDiGraph:
    """The entities an article mentions and the relations it gives evidence for.

    Nodes are those whose ``articles`` holds *article_id*; edges are those with
    evidence from that article, plus evidence-less edges (e.g. from a
    gazetteer) between its nodes. Returns a copy; ``G.graph`` is kept.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", articles=("x-1",)); G.add_node("b", articles=("x-1", "y-1"))
    >>> G.add_node("c", articles=("y-1",))
    >>> _ = G.add_edge("a", "b", key="partOf", evidence=({"article_id": "x-1"},))
    >>> _ = G.add_edge("b", "c", key="enables", evidence=({"article_id": "y-1"},))
    >>> H = subgraph_for_article(G, "x-1")
    >>> sorted(H.nodes), list(H.edges(keys=True))
    (['a', 'b'], [('a', 'b', 'partOf')])
    """
    return next(article_subgraphs(G, [article_id]))[1]


def article_subgraphs(G: nx.MultiDiGraph, article_ids: Iterable[str]) -> Iterator[tuple[str, nx.MultiDiGraph]]:
    """``(article id, subgraph_for_article(G, article id))`` for each id, in order.

    One pass over *G* builds an index, so all the articles of a corpus cost about
    as much as one scan of the graph (not one scan per article).

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", articles=("x-1",)); G.add_node("b", articles=("x-1", "y-1"))
    >>> _ = G.add_edge("a", "b", key="partOf")
    >>> [(a, H.number_of_nodes(), H.number_of_edges()) for a, H in article_subgraphs(G, ["y-1", "x-1"])]
    [('y-1', 1, 0), ('x-1', 2, 1)]
    """
    wanted = list(article_ids)
    want = set(wanted)
    nodes: dict[str, list[str]] = defaultdict(list)
    for n, arts in sorted(G.nodes(data="articles")):
        for a in arts or ():
            if a in want:
                nodes[a].append(n)
    edges: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    for u, v, k, d in sorted(G.edges(keys=True, data=True), key=lambda e: e[:3]):
        evs = d.get("evidence") or ()
        if evs:
            arts = {ev.get("article_id") for ev in evs}
        else:  # evidence-less edges go where both ends are mentioned
            arts = set(G.nodes[u].get("articles") or ()) & set(G.nodes[v].get("articles") or ())
        for a in sorted(a for a in arts if a in want):
            edges[a].append((u, v, k, d))
    for a in wanted:
        H = nx.MultiDiGraph(**G.graph)
        for n in nodes.get(a, ()):
            H.add_node(n, **G.nodes[n])
        for u, v, k, d in edges.get(a, ()):
            for n in (u, v):
                if n not in H:
                    H.add_node(n, **G.nodes[n])
            H.add_edge(u, v, key=k, **d)
        yield a, H
