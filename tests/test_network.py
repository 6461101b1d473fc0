"""RDF → networkx (policykg.graph.network) on a hand-built two-article Dataset."""
from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import XSD, BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SKOS

from policykg.graph.network import (
    article_titles, ego_graph, subgraph_for_article, to_networkx,
)
from policykg.ontology.namespace import PKG, PKGID

XSS = "<script>alert(1)</script>"
TRICKY_SENTENCE = '济南与青岛<b>联动</b>，打造"双核"与\'半岛\'。'

ENTITIES = {  # slug: (label, types, aliases, adcode)
    "jinan": ("济南", ("City",), ("济南市",), "370100"),
    "qingdao": ("青岛", ("City",), ("青岛市",), "370200"),
    "shandong": ("山东", ("Region",), ("山东省",), "370000"),
    "jiqing": ("济青联动", ("Strategy",), (), None),
    "chaosuan": ("超算", ("Industry", "Technology"), (), None),
    "lianxi": ("联席会议机制", ("Mechanism",), ("联席会议制度",), None),
    "guihua": ("发展规划", ("PolicyDocument",), (), None),
    "xss": (XSS, ("Organization",), ("<i>x</i>",), None),
}
ARTICLES = {"a-1": "济青联动研究", "b-1": "山东<超算>发展 & 规划"}

# (subject, predicate, object, article, sentence, rule, confidence, negated)
RELATIONS = [
    ("qingdao", "coordinatesWith", "jinan", "a-1", TRICKY_SENTENCE, "coord.cue-pair", 0.9, False),
    ("jinan", "coordinatesWith", "qingdao", "b-1", "济南和青岛协同发展。", "coord.cue-pair", 0.8, False),
    ("jinan", "partOf", "shandong", "a-1", "济南是山东省会。", "partof.capital", 1.0, False),
    ("jiqing", "involves", "jinan", "a-1", "济青联动包括济南、青岛。", "involves.abbrev", 1.0, False),
    ("jiqing", "involves", "qingdao", "a-1", "济青联动包括济南、青岛。", "involves.abbrev", 1.0, False),
    ("jinan", "specializesIn", "chaosuan", "b-1", "济南超算优势突出。", "spec.cue", 0.7, False),
    ("jiqing", "establishes", "lianxi", "a-1", "济青建立联席会议机制。", "estab.cue", 0.8, False),
    ("guihua", "issuedBy", "xss", "b-1", "《发展规划》由<script>机构发布。", "issued.cue", 0.6, False),
    # negated: the text says 青岛 does NOT model itself on 济南
    ("qingdao", "modeledOn", "jinan", "b-1", "青岛并未借鉴济南经验。", "model.cue", 0.5, True),
]


def E(slug: str) -> URIRef:
    return PKGID[f"entity/{slug}"]


def A(aid: str) -> URIRef:
    return PKGID[f"article/{aid}"]


def build_dataset(*, direct_for_negated: bool = False) -> Dataset:
    ds = Dataset()
    graphs = {aid: ds.graph(PKGID[f"graph/{aid}"]) for aid in ARTICLES}
    for aid, title in ARTICLES.items():
        g = graphs[aid]
        g.add((A(aid), RDF.type, PKG.Article))
        g.add((A(aid), DCTERMS.title, Literal(title, lang="zh")))
        g.add((A(aid), PKG.sourceFile, Literal(f"{aid}.txt")))
    used: dict[str, set[str]] = {aid: set() for aid in ARTICLES}
    for s, _, o, aid, *_ in RELATIONS:
        used[aid] |= {s, o}
    used["a-1"].add("guihua")  # mentioned in a-1 without any relation there
    for aid, slugs in used.items():
        g = graphs[aid]
        for slug in sorted(slugs):
            label, types, aliases, adcode = ENTITIES[slug]
            g.add((E(slug), RDF.type, PKG.Entity))
            for t in types:
                g.add((E(slug), RDF.type, PKG[t]))
            g.add((E(slug), RDFS.label, Literal(label, lang="zh")))
            for al in aliases:
                g.add((E(slug), SKOS.altLabel, Literal(al, lang="zh")))
            if adcode:
                g.add((E(slug), PKG.adcode, Literal(adcode)))
    for i, (s, p, o, aid, sent, rule, conf, neg) in enumerate(RELATIONS):
        g = graphs[aid]
        if not neg or direct_for_negated:
            g.add((E(s), PKG[p], E(o)))
        a, ev = PKGID[f"assertion/{aid}-{i}"], PKGID[f"evidence/{aid}-{i}"]
        g.add((a, RDF.type, PKG.Assertion))
        g.add((a, RDF.subject, E(s)))
        g.add((a, RDF.predicate, PKG[p]))
        g.add((a, RDF.object, E(o)))
        g.add((a, PKG.confidence, Literal(conf, datatype=XSD.decimal)))
        g.add((a, PKG.rule, PKGID[f"rule/{rule}"]))
        if neg:
            g.add((a, PKG.negated, Literal(True)))
        g.add((a, PKG.evidence, ev))
        g.add((ev, RDF.type, PKG.Evidence))
        g.add((ev, PKG.sentence, Literal(sent, lang="zh")))
        g.add((ev, PKG.startOffset, Literal(10 * i)))
        g.add((ev, PKG.endOffset, Literal(10 * i + len(sent))))
        g.add((ev, PROV.wasDerivedFrom, A(aid)))
    return ds


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return build_dataset()


@pytest.fixture(scope="module")
def G(ds):
    return to_networkx(ds)


def test_counts(G):
    assert G.number_of_nodes() == 8
    # 9 relations: the two coordinatesWith directions fold into one edge, the negated one is dropped
    assert G.number_of_edges() == 7
    assert sorted(k for _, _, k in G.edges(keys=True)) == [
        "coordinatesWith", "establishes", "involves", "involves", "issuedBy", "partOf", "specializesIn"]


def test_node_attributes(G):
    jinan = G.nodes[str(E("jinan"))]
    assert jinan["label"] == "济南"
    assert jinan["types"] == ("City",)
    assert jinan["type"] == "City"
    assert jinan["aliases"] == ("济南市",)
    assert jinan["articles"] == ("a-1", "b-1")
    assert jinan["adcode"] == "370100"
    cs = G.nodes[str(E("chaosuan"))]
    assert cs["types"] == ("Industry", "Technology") and cs["type"] == "Industry"
    assert cs["articles"] == ("b-1",)
    # mentioned in a-1's named graph without a relation there: membership comes from the graph
    assert G.nodes[str(E("guihua"))]["articles"] == ("a-1", "b-1")
    assert G.nodes[str(E("xss"))]["label"] == XSS


def test_symmetric_edge_is_one_edge_with_both_evidences(G):
    j, q = str(E("jinan")), str(E("qingdao"))
    assert G.number_of_edges(j, q) + G.number_of_edges(q, j) == 1
    u, v = sorted((j, q))
    d = G.edges[u, v, "coordinatesWith"]
    assert d["predicate"] == "coordinatesWith" and d["symmetric"] is True
    assert d["evidence"] == (
        {"sentence": TRICKY_SENTENCE, "article_id": "a-1", "article_title": "济青联动研究",
         "rule": "coord.cue-pair", "confidence": 0.9, "start": 0, "end": len(TRICKY_SENTENCE)},
        {"sentence": "济南和青岛协同发展。", "article_id": "b-1", "article_title": ARTICLES["b-1"],
         "rule": "coord.cue-pair", "confidence": 0.8, "start": 10, "end": 20},
    )
    assert d["confidence"] == 0.9


def test_negated_assertion_excluded_even_with_a_direct_triple():
    for direct in (False, True):
        H = to_networkx(build_dataset(direct_for_negated=direct))
        assert not H.has_edge(str(E("qingdao")), str(E("jinan")), "modeledOn")
        assert H.number_of_edges() == 7


def test_direct_triple_without_assertion_is_kept_without_evidence():
    g = Graph()
    g.add((E("jinan"), RDF.type, PKG.City))
    g.add((E("shandong"), RDF.type, PKG.Region))
    g.add((E("jinan"), PKG.partOf, E("shandong")))
    H = to_networkx(g)
    assert H.edges[str(E("jinan")), str(E("shandong")), "partOf"]["evidence"] == ()
    assert H.nodes[str(E("jinan"))]["label"] == "jinan"  # no rdfs:label: IRI's last segment


def test_article_titles(ds):
    assert article_titles(ds) == ARTICLES
    assert to_networkx(ds).graph["articles"] == ARTICLES


def test_same_graph_from_pyoxigraph_store_and_quads(ds, G):
    def ox_term(t):
        if isinstance(t, URIRef):
            return ox.NamedNode(str(t))
        if isinstance(t, BNode):
            return ox.BlankNode(str(t))
        if t.language:
            return ox.Literal(str(t), language=t.language)
        return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype or XSD.string)))

    store = ox.Store()
    quads = list(ds.quads((None, None, None, None)))
    store.extend([ox.Quad(ox_term(s), ox_term(p), ox_term(o), ox.NamedNode(str(c))) for s, p, o, c in quads])
    for H in (to_networkx(store), to_networkx(quads)):
        assert sorted(H.nodes(data=True)) == sorted(G.nodes(data=True))
        assert sorted(H.edges(keys=True, data=True)) == sorted(G.edges(keys=True, data=True))


def test_ego_graph(G):
    H = ego_graph(G, "青岛市")  # alias works
    assert sorted(H.nodes[n]["label"] for n in H) == ["济南", "济青联动", "青岛"]
    H2 = ego_graph(G, "青岛", depth=2)
    assert sorted(H2.nodes[n]["label"] for n in H2) == ["山东", "济南", "济青联动", "联席会议机制", "超算", "青岛"]
    assert H2.graph["articles"] == ARTICLES
    with pytest.raises(ValueError) as e:
        ego_graph(G, "青岛", depth=-1)
    assert str(e.value) == "ego_graph: depth=-1; use 0 or a positive integer"


def test_subgraph_for_article(G):
    H = subgraph_for_article(G, "b-1")
    assert sorted(H.nodes[n]["label"] for n in H) == sorted(["济南", "青岛", "超算", "发展规划", XSS])
    assert sorted(k for *_, k in H.edges(keys=True)) == ["coordinatesWith", "issuedBy", "specializesIn"]


def test_bad_input_message():
    with pytest.raises(TypeError) as e:
        to_networkx(42)
    assert str(e.value) == (
        "to_networkx: got int; pass an rdflib Dataset or Graph, a pyoxigraph Store, "
        "or an iterable of (s, p, o[, graph]) tuples"
    )


def test_reads_what_policykg_graph_rdf_writes():
    """The real writer (graph/rdf.py): per-evidence negation and rule labels."""
    rdf = pytest.importorskip("policykg.graph.rdf")
    from policykg.graph.model import Article, ArticleGraph, Entity, Evidence, Relation

    art = Article(id="x-1", source="x.txt", index=1, title="济青", authors=(), affiliations=(),
                  paragraphs=("济南与青岛联动。青岛不学习济南。",))
    ev = Evidence("x-1", "济南与青岛联动。", 0, 8, "coord:pair", 0.9)
    rels = (
        Relation("济南", "coordinatesWith", "青岛", (ev,)),
        Relation("青岛", "coordinatesWith", "济南", (ev,)),
        Relation("青岛", "modeledOn", "济南", (Evidence("x-1", "青岛不学习济南。", 9, 17, "m", 0.5, negated=True),)),
        Relation("济南", "partOf", "山东", (Evidence("x-1", "s1", 0, 2, "p", 0.6),
                                          Evidence("x-1", "s2", 3, 5, "p", 0.8, negated=True))),
    )
    ents = (Entity("济南", ("City",), ("济南市",)), Entity("青岛", ("City",)), Entity("山东", ("Region",)))
    H = to_networkx(rdf.to_dataset([ArticleGraph(art, ents, rels)]))
    labels = {n: d["label"] for n, d in H.nodes(data=True)}
    assert sorted((labels[u], k, labels[v]) for u, v, k in H.edges(keys=True)) == [
        ("济南", "coordinatesWith", "青岛"), ("济南", "partOf", "山东")]
    coord = next(d for *_, k, d in H.edges(keys=True, data=True) if k == "coordinatesWith")
    assert [(e["sentence"], e["rule"], e["article_title"]) for e in coord["evidence"]] == [
        ("济南与青岛联动。", "coord:pair", "济青")]
    part = next(d for *_, k, d in H.edges(keys=True, data=True) if k == "partOf")
    assert [e["sentence"] for e in part["evidence"]] == ["s1"]  # the negated sentence is dropped
    assert H.nodes[str(rdf.entity_iri("济南"))]["articles"] == ("x-1",)
