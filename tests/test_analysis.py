"""policykg.graph.analysis on a small hand-made two-article graph (fast: < 2 s)."""
from __future__ import annotations

import doctest

import matplotlib

matplotlib.use("Agg")  # before pyplot is imported anywhere

import matplotlib.pyplot as plt
import networkx as nx
import pandas as pd
import pytest

from policykg.graph import analysis as A
from policykg.graph.model import Article, ArticleGraph, Entity, Evidence, Relation
from policykg.graph.network import to_networkx
from policykg.graph.query import QueryError
from policykg.graph.rdf import entity_iri, to_dataset
from policykg.graph.store import GraphStore
from policykg.graph.summary import article_facts, to_summary

ENTITIES = {
    "a-1": [("济南", "City", ("济南市",)), ("青岛", "City", ()), ("山东", "Region", ()),
            ("济青联动", "Strategy", ()), ("杭甬联动", "Strategy", ()),
            ("市级联席会议制度", "Mechanism", ()), ("利益共享机制", "Mechanism", ()),
            ("家电电子", "Industry", ()), ("工业互联网", "Technology", ()),
            ("东数西算", "Strategy", ()), ("贵州", "Region", ()), ("北京", "City", ())],
    "b-1": [("杭州", "City", ()), ("宁波", "City", ()), ("杭甬联动", "Strategy", ()),
            ("联席会议机制", "Mechanism", ()), ("利益共享机制", "Mechanism", ())],
}
RELATIONS = {  # (subject, predicate, object, negated)
    "a-1": [("济南", "coordinatesWith", "青岛", False), ("济南", "complements", "青岛", False),
            ("济南", "partOf", "山东", False), ("青岛", "partOf", "山东", False),
            ("济青联动", "involves", "济南", False), ("济青联动", "involves", "青岛", False),
            ("济青联动", "modeledOn", "杭甬联动", False),
            ("济青联动", "establishes", "市级联席会议制度", False),
            ("济青联动", "establishes", "利益共享机制", False),
            ("济青联动", "focusesOn", "工业互联网", False), ("济青联动", "focusesOn", "家电电子", False),
            ("青岛", "specializesIn", "家电电子", False), ("东数西算", "involves", "贵州", False),
            ("青岛", "modeledOn", "济南", True)],
    "b-1": [("杭甬联动", "involves", "杭州", False), ("杭甬联动", "involves", "宁波", False),
            ("杭州", "coordinatesWith", "宁波", False),
            ("杭甬联动", "establishes", "联席会议机制", False),
            ("杭甬联动", "establishes", "利益共享机制", False)],
}


def _graphs() -> list[ArticleGraph]:
    out = []
    for aid in ("a-1", "b-1"):
        text = "。".join(f"{s}{p}{o}" for s, p, o, _ in RELATIONS[aid]) + "。"
        art = Article(id=aid, source=f"{aid}.txt", index=1, title=f"标题{aid}", authors=(),
                      affiliations=(), paragraphs=(text,))
        rels, pos = [], 0
        for s, p, o, neg in RELATIONS[aid]:
            sent = f"{s}{p}{o}。"
            ev = Evidence(aid, sent, pos, pos + len(sent), f"test.{p}", 0.9, negated=neg)
            rels.append(Relation(s, p, o, (ev,)))
            pos += len(sent)
        ents = tuple(sorted((Entity(label, (t,), aliases) for label, t, aliases in ENTITIES[aid]),
                            key=lambda e: e.label))
        out.append(ArticleGraph(art, ents, tuple(sorted(rels, key=lambda r: (r.subject, r.predicate, r.object)))))
    return out


@pytest.fixture(scope="module")
def G() -> nx.MultiDiGraph:
    return to_networkx(to_dataset(_graphs()))


@pytest.fixture(scope="module")
def store():
    with GraphStore.in_memory() as st:
        for ag in _graphs():
            st.replace_article(ag)
        st.replace_summary(to_summary(map(article_facts, _graphs())))   # as a build does
        yield st


def iri(label: str) -> str:
    return str(entity_iri(label))


def test_module_doctests():
    assert doctest.testmod(A).failed == 0


# ------------------------------------------------------------------ project root
def test_find_project_root_walks_up(tmp_path):
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")
    (tmp_path / "corpus").mkdir()
    (tmp_path / "notebooks" / "deep").mkdir(parents=True)
    assert A.find_project_root(tmp_path / "notebooks" / "deep") == tmp_path.resolve()


def test_find_project_root_error(tmp_path):
    (tmp_path / "pyproject.toml").write_text("", encoding="utf-8")  # but no corpus/
    with pytest.raises(FileNotFoundError) as e:
        A.find_project_root(tmp_path)
    assert str(e.value) == (
        f"no folder with pyproject.toml and corpus/ at or above {str(tmp_path.resolve())!r}; "
        "start from inside the policykg checkout (e.g. its notebooks/ folder) or pass start="
    )


# ------------------------------------------------------------------ SPARQL → DataFrame
def test_query_frame_named_query_with_params(store):
    df = A.query_frame(store, "coordinates-with", params={"place": "济南市"})
    assert list(df.columns) == ["partner", "sentence", "title"]
    assert list(df.partner) == ["青岛"]
    assert list(df.sentence) == ["济南coordinatesWith青岛。"]


def test_query_frame_sparql_text_and_decimals(store):
    df = A.query_frame(store, "relations")
    assert isinstance(df, pd.DataFrame)
    row = df[(df.subject == "济青联动") & (df.predicate == "modeledOn")].iloc[0]
    assert row.object == "杭甬联动" and isinstance(row.confidence, float) and row.confidence == 0.9
    assert not ((df.subject == "青岛") & (df.predicate == "modeledOn")).any()  # negated
    n = A.query_frame(store, "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a pkg:City }")
    assert n.to_dict("records") == [{"n": 5}]  # 济南 青岛 北京 杭州 宁波


def test_query_frame_ask_construct_and_unbound(store):
    ask = A.query_frame(store, 'ASK { ?e rdfs:label "宁波"@zh }')
    assert ask.to_dict("records") == [{"boolean": True}]
    con = A.query_frame(store, "CONSTRUCT { ?s pkg:partOf ?o } WHERE { ?s pkg:partOf ?o }")
    assert list(con.columns) == ["subject", "predicate", "object"] and len(con) == 2
    opt = A.query_frame(store, 'SELECT ?l ?x WHERE { ?e rdfs:label ?l . FILTER(STR(?l) = "北京") '
                               "OPTIONAL { ?e pkg:partOf ?x } }")
    assert opt.to_dict("records") == [{"l": "北京", "x": None}]


def test_query_frame_opens_a_store_folder(tmp_path):
    with GraphStore.open(tmp_path / "store") as st:
        st.replace_article(_graphs()[1])
        st.replace_summary(to_summary([article_facts(_graphs()[1])]))
    df = A.query_frame(tmp_path / "store", "modeled-on", params={"x": "济青联动"})
    assert df.empty and "model" in df.columns
    df = A.query_frame(str(tmp_path / "store"), "entities", params={"type": "City"})
    assert sorted(df.label) == ["宁波", "杭州"]


def test_query_frame_unknown_name(store):
    with pytest.raises(QueryError) as e:
        A.query_frame(store, "coordinates")
    assert str(e.value).startswith("no named query 'coordinates'; use one of coordinates-with, ")
    assert str(e.value).endswith(" or pass SPARQL text")


# ------------------------------------------------------------------ pairs, subgraphs
def test_relation_pairs(G):
    coord = A.relation_pairs(G, "coordinatesWith")
    assert coord == {("济南", "青岛"), ("青岛", "济南"), ("杭州", "宁波"), ("宁波", "杭州")}
    assert A.relation_pairs(G, "modeledOn") == {("济青联动", "杭甬联动")}  # negated one left out
    with pytest.raises(ValueError) as e:
        A.relation_pairs(G, "coordinates")
    assert str(e.value).startswith("relation_pairs: unknown predicate(s) 'coordinates'; "
                                   "use local names among coordinatesWith, complements, ")


def test_result_subgraph(G):
    frame = pd.DataFrame({"who": ["济青联动", "杭甬联动"], "what": ["利益共享机制", "一句话。"]})
    H = A.result_subgraph(G, frame)
    assert sorted(H.nodes[n]["label"] for n in H) == ["利益共享机制", "杭甬联动", "济青联动"]
    assert sorted(H.edges(keys=True)) == sorted([
        (iri("济青联动"), iri("杭甬联动"), "modeledOn"),
        (iri("济青联动"), iri("利益共享机制"), "establishes"),
        (iri("杭甬联动"), iri("利益共享机制"), "establishes")])
    only = A.result_subgraph(G, pd.DataFrame({"x": ["济南市", iri("青岛")], "y": ["山东", None]}),
                             columns=["x"])
    assert sorted(only.nodes[n]["label"] for n in only) == ["济南", "青岛"]
    assert only.number_of_edges() == 2
    with pytest.raises(KeyError) as e:
        A.result_subgraph(G, frame, columns=["who", "nope"])
    assert e.value.args[0] == "result_subgraph: no column(s) 'nope'; the result has 'who', 'what'"


# ------------------------------------------------------------------ centrality
def test_centrality_table_places_only(G):
    t = A.centrality_table(G)
    assert list(t.columns) == ["label", "type", "degree", "relations", "betweenness", "articles"]
    assert set(t.type) == {"City", "Region"}
    jinan = t[t.label == "济南"].iloc[0]
    # neighbours 青岛 山东 济青联动; relations: coordinatesWith, complements, partOf, involves
    assert (jinan.degree, jinan.relations, jinan.articles) == (3, 4, 1)
    assert t[t.label == "北京"].iloc[0].to_dict() == {
        "label": "北京", "type": "City", "degree": 0, "relations": 0, "betweenness": 0.0, "articles": 1}
    assert list(t.betweenness) == sorted(t.betweenness, reverse=True)


def test_centrality_betweenness_values():
    G = nx.MultiDiGraph()
    for n, t in [("a", "City"), ("b", "City"), ("c", "City"), ("s", "Strategy")]:
        G.add_node(n, label=n.upper(), types=(t,), type=t)
    G.add_edge("a", "s", key="involves")
    G.add_edge("s", "b", key="involves")
    G.add_edge("b", "c", key="coordinatesWith")
    G.add_edge("b", "c", key="complements")
    t = A.centrality_table(G)
    assert t.to_dict("records") == [
        # of the 3 pairs without b (a–s, a–c, s–c), b lies on the paths of a–c and s–c
        {"label": "B", "type": "City", "degree": 2, "relations": 3, "betweenness": round(2 / 3, 6), "articles": 0},
        {"label": "A", "type": "City", "degree": 1, "relations": 1, "betweenness": 0.0, "articles": 0},
        {"label": "C", "type": "City", "degree": 1, "relations": 2, "betweenness": 0.0, "articles": 0},
    ]
    only = A.centrality_table(G, types=("Strategy",), predicates=["involves"])
    assert only.to_dict("records") == [
        {"label": "S", "type": "Strategy", "degree": 2, "relations": 2, "betweenness": round(1 / 3, 6),
         "articles": 0}]
    with pytest.raises(ValueError) as e:
        A.centrality_table(G, types=("Place",))
    assert str(e.value) == ("centrality_table: types ('Place',) are not allowed; use one or more of "
                            "City, Region, Industry, Technology, Strategy, Mechanism, PolicyDocument, Organization")


# ------------------------------------------------------------------ communities
def test_communities_are_deterministic_and_sorted(G):
    comms = A.communities(G, seed=0)
    assert comms == A.communities(G, seed=0)
    labels = [{G.nodes[n]["label"] for n in c} for c in comms]
    assert all(len(c) >= 2 for c in comms)
    assert [len(c) for c in comms] == sorted((len(c) for c in comms), reverse=True)
    assert not any("北京" in c for c in labels)               # isolated: left out
    assert {"东数西算", "贵州"} in labels                       # its own component
    assert any({"杭州", "宁波"} <= c for c in labels)
    assert any({"济南", "青岛"} <= c for c in labels)
    assert all(list(c) == sorted(c, key=lambda n: (G.nodes[n]["label"], n)) for c in comms)
    assert A.communities(G, min_size=5) == [c for c in comms if len(c) >= 5]
    assert A.communities(nx.MultiDiGraph()) == []
    with pytest.raises(ValueError) as e:
        A.communities(G, min_size=0)
    assert str(e.value) == "communities: min_size=0; use 1 or more"


def test_community_table(G):
    comms = [(iri("济南"), iri("济青联动"), iri("青岛")), (iri("东数西算"), iri("贵州"))]
    t = A.community_table(G, comms)
    assert t.to_dict("records") == [
        {"community": 1, "size": 3, "places": ("济南", "青岛"), "members": ("济南", "济青联动", "青岛")},
        {"community": 2, "size": 2, "places": ("贵州",), "members": ("东数西算", "贵州")},
    ]


# ------------------------------------------------------------------ paths
def test_hop_text():
    assert str(A.Hop("济南", "coordinatesWith", "青岛")) == "济南 —coordinatesWith— 青岛"
    assert str(A.Hop("济青联动", "involves", "济南")) == "济青联动 —involves→ 济南"
    assert str(A.Hop("济南", "involves", "济青联动", forward=False)) == "济南 ←involves— 济青联动"


def test_paths_between_parallel_predicates(G):
    paths = A.paths_between(G, "济南市", "青岛")
    assert paths == [(A.Hop("济南", "complements", "青岛"),), (A.Hop("济南", "coordinatesWith", "青岛"),)]
    # stored from the smaller IRI; reading the other way round keeps forward=True
    back = A.paths_between(G, "青岛", "济南", predicates=["coordinatesWith"])
    assert back == [(A.Hop("青岛", "coordinatesWith", "济南", True),)]


def test_paths_between_through_typed_relations(G):
    paths = A.paths_between(G, "济南", "杭州")
    assert [[str(h) for h in p] for p in paths] == [[
        "济南 ←involves— 济青联动", "济青联动 —modeledOn→ 杭甬联动", "杭甬联动 —involves→ 杭州"]]
    assert A.paths_between(G, "济南", "杭州", predicates=["involves", "coordinatesWith"]) == []
    assert A.paths_between(G, "济南", "贵州") == []
    assert A.paths_between(G, "济南", iri("济南")) == [()]
    assert len(A.paths_between(G, "济南", "青岛", max_paths=1)) == 1


def test_paths_between_errors(G):
    with pytest.raises(KeyError) as e:
        A.paths_between(G, "济南", "上海")
    assert e.value.args[0] == ("no node with IRI, label or alias '上海'; "
                               "use a canonical label (G.nodes[n]['label']) or an entity IRI")
    with pytest.raises(ValueError) as e:
        A.paths_between(G, "济南", "青岛", max_paths=0)
    assert str(e.value) == "paths_between: max_paths=0; use 1 or more"
    with pytest.raises(ValueError) as e:
        A.paths_between(G, "济南", "青岛", predicates="coordinates")
    assert str(e.value).startswith("paths_between: unknown predicate(s) 'coordinates'; ")


# ------------------------------------------------------------------ linkages
def test_linkages(G):
    assert [G.nodes[n]["label"] for n in A.linkages(G)] == ["杭甬联动", "济青联动"]
    assert [G.nodes[n]["label"] for n in A.linkages(G, min_places=1)] == ["东数西算", "杭甬联动", "济青联动"]


def test_linkage_table(G):
    t = A.linkage_table(G)
    assert list(t.columns) == ["linkage", "places", "mechanisms", "focus", "modeled_on", "model_for",
                               "implements", "articles"]
    assert t.to_dict("records") == [
        {"linkage": "杭甬联动", "places": ("宁波", "杭州"), "mechanisms": ("利益共享机制", "联席会议机制"),
         "focus": (), "modeled_on": (), "model_for": ("济青联动",), "implements": (),
         "articles": ("a-1", "b-1")},
        {"linkage": "济青联动", "places": ("济南", "青岛"), "mechanisms": ("利益共享机制", "市级联席会议制度"),
         "focus": ("家电电子", "工业互联网"), "modeled_on": ("杭甬联动",), "model_for": (), "implements": (),
         "articles": ("a-1",)},
    ]
    one = A.linkage_table(G, names=["东数西算"])
    assert list(one.linkage) == ["东数西算"] and one.iloc[0].places == ("贵州",)


def test_mechanism_kind():
    assert A.mechanism_kind("联席会议机制") == "联席会议"
    assert A.mechanism_kind("党政联席会议") == "联席会议"
    assert A.mechanism_kind("推进西安—咸阳一体化发展领导小组") == "领导小组"
    assert A.mechanism_kind("利益共享机制") == A.mechanism_kind("利益共享制度") == "利益共享"
    assert A.mechanism_kind("机制") == "机制"


def test_shared_mechanisms(G):
    kind = A.shared_mechanisms(G)
    assert kind.to_dict("records") == [
        {"mechanism": "利益共享", "n": 2, "linkages": ("杭甬联动", "济青联动"), "labels": ("利益共享机制",)},
        {"mechanism": "联席会议", "n": 2, "linkages": ("杭甬联动", "济青联动"),
         "labels": ("市级联席会议制度", "联席会议机制")},
    ]
    exact = A.shared_mechanisms(G, by="mechanism")
    assert list(exact.mechanism) == ["利益共享机制"]
    assert A.shared_mechanisms(G, subjects=["济青联动"]).empty
    with pytest.raises(ValueError) as e:
        A.shared_mechanisms(G, by="label")
    assert str(e.value) == "shared_mechanisms: by='label'; use 'kind' or 'mechanism'"


# ------------------------------------------------------------------ charts
def test_setup_matplotlib():
    with matplotlib.rc_context():
        assert A.setup_matplotlib(fonts=("No Such Font 123",)) is None
        assert A.setup_matplotlib(fonts=("No Such Font 123", "DejaVu Sans")) == "DejaVu Sans"
        assert matplotlib.rcParams["font.sans-serif"][0] == "DejaVu Sans"
        assert matplotlib.rcParams["axes.unicode_minus"] is False


def test_plot_centrality(G):
    t = A.centrality_table(G)
    ax = A.plot_centrality(t, column="degree", top=3)
    try:
        bars = ax.patches
        assert len(bars) == 3
        assert sorted(b.get_width() for b in bars) == sorted(t.degree)[-3:]
        assert ax.get_xlabel() == "degree"
    finally:
        plt.close(ax.figure)
    with pytest.raises(KeyError) as e:
        A.plot_centrality(t, column="pagerank")
    assert e.value.args[0] == ("plot_centrality: no column 'pagerank'; the table has "
                               "label, type, degree, relations, betweenness, articles")


def test_plot_communities(G):
    comms = A.communities(G)
    fig, ax = plt.subplots()
    try:
        assert A.plot_communities(G, comms, ax=ax) is ax
        assert ax.get_title() == f"{len(comms)} communities"
        drawn = {t.get_text() for t in ax.texts}
        assert {"济南", "青岛", "杭州", "济青联动"} <= drawn
        assert "北京" not in drawn and "联席会议机制" not in drawn  # isolated; not a labelled type
        ax.clear()
        A.plot_communities(G, comms, ax=ax, label_types=None)
        assert "联席会议机制" in {t.get_text() for t in ax.texts}
    finally:
        plt.close(fig)
