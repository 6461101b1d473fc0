"""Offline explorer pages (policykg.graph.views)."""
from __future__ import annotations

import importlib.util
import json
import os
import re
from pathlib import Path

import networkx as nx
import pytest

from policykg.graph import views
from policykg.graph.network import to_networkx
from policykg.graph.views import (
    View, predicate_label, render_explorer, show, vis_assets, write_explorer, write_views,
)

# the hand-built two-article Dataset lives in test_network.py (tests are not a package)
_spec = importlib.util.spec_from_file_location("_pkg_test_network", Path(__file__).with_name("test_network.py"))
_tn = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_tn)

URL = re.compile(r"(?i)https?://")


@pytest.fixture(scope="module")
def ds():
    return _tn.build_dataset()


@pytest.fixture(scope="module")
def G(ds):
    return to_networkx(ds)


@pytest.fixture(scope="module")
def page(G):
    return render_explorer(G, title="测试 <页面>", article_links={"a-1": "article/a-1.html"})


def embedded(page: str) -> dict:
    m = re.search(r'<script type="application/json" id="data">(.*?)</script>', page, re.S)
    assert m, "no #data script"
    return json.loads(m.group(1))


def test_offline_and_vis_inline(page):
    assert not URL.search(page)
    js, css = vis_assets()
    assert js in page and css in page
    assert "<script src=" not in page and "<link" not in page
    assert "policykg-key" not in page  # only write_views' pages carry a content key
    assert '<meta charset="utf-8">' in page
    assert "Noto Sans CJK SC" in page


def test_embedded_json_matches_graph(page, G):
    data = embedded(page)
    assert len(data["nodes"]) == G.number_of_nodes() == 8
    assert len(data["edges"]) == G.number_of_edges() == 7
    iris = [n["iri"] for n in data["nodes"]]
    assert iris == sorted(G.nodes)  # the JSON un-escapes ':\/\/' back to '://'
    assert {n["label"] for n in data["nodes"]} >= {"济南", _tn.XSS}
    coord = [e for e in data["edges"] if e["predicate"] == "coordinatesWith"]
    assert len(coord) == 1 and coord[0]["symmetric"] is True
    assert [ev["sentence"] for ev in coord[0]["evidence"]] == [_tn.TRICKY_SENTENCE, "济南和青岛协同发展。"]
    # the inline article table: titles of the articles used, links where given
    assert data["articles"] == {"a-1": {"title": _tn.ARTICLES["a-1"], "href": "article/a-1.html"},
                                "b-1": {"title": _tn.ARTICLES["b-1"]}}
    assert data["root"] == ""
    assert [t["name"] for t in data["types"]][:8] == [
        "City", "Region", "Industry", "Technology", "Strategy", "Mechanism", "PolicyDocument", "Organization"]
    assert len({t["color"] for t in data["types"]}) == len(data["types"])
    assert {p["name"]: p["label"] for p in data["predicates"]}["coordinatesWith"] == "协同 coordinatesWith"
    # physics is off, so every node needs a position; sizes grow with degree
    by_label = {n["label"]: n for n in data["nodes"]}
    assert len(data["pos"]) == len(data["nodes"])
    assert all(isinstance(x, int) and isinstance(y, int) for x, y in data["pos"])
    assert by_label["济南"]["size"] > by_label["超算"]["size"]


def test_markup_in_data_is_escaped(page):
    assert "<script>alert" not in page
    assert "<i>x</i>" not in page
    assert "<b>联动</b>" not in page
    assert "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e" in page
    assert "<title>测试 &lt;页面&gt;</title>" in page
    # the page script never parses data as markup
    app_js = (Path(views.__file__).parent / "static" / "explorer.js").read_text(encoding="utf-8")
    assert app_js in page
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write", app_js)


def test_deterministic(G, ds):
    a = render_explorer(G, title="t")
    b = render_explorer(to_networkx(ds), title="t")
    assert a == b


def test_write_views(tmp_path, ds):
    out = tmp_path / "views"
    paths = write_views(ds, out, articles=_tn.ARTICLES)
    rel = sorted(p.relative_to(out).as_posix() for p in paths)
    assert rel == [
        "article/a-1.html", "article/b-1.html", "data/articles.js", "index.html",
        "place/jinan.html", "place/qingdao.html", "place/shandong.html",
        "static/explorer.css", "static/explorer.js", "static/vis-network.css", "static/vis-network.min.js",
    ]
    for p in out.rglob("*"):
        if p.is_file():
            text = p.read_text(encoding="utf-8")
            assert not URL.search(text), p
            assert "<script>alert" not in text, p
    assert not [p for p in out.rglob("*.tmp")]
    index = (out / "index.html").read_text(encoding="utf-8")
    for src in ("static/vis-network.min.js", "data/articles.js", "static/explorer.js"):
        assert f'<script src="{src}"></script>' in index
    assert '<link rel="stylesheet" href="static/explorer.css">' in index
    assert len(embedded(index)["nodes"]) == 8
    art = (out / "article" / "b-1.html").read_text(encoding="utf-8")
    for src in ("../static/vis-network.min.js", "../data/articles.js", "../static/explorer.js"):
        assert f'<script src="{src}"></script>' in art
    data = embedded(art)
    assert sorted(n["label"] for n in data["nodes"]) == sorted(["济南", "青岛", "超算", "发展规划", _tn.XSS])
    assert data["articles"] is None and data["root"] == "../"  # the shared table, links from the root
    assert data["placeLinks"][str(_tn.E("jinan"))] == "../place/jinan.html"
    place = embedded((out / "place" / "shandong.html").read_text(encoding="utf-8"))
    assert sorted(n["label"] for n in place["nodes"]) == ["山东", "济南"]
    assert place["nodes"][place["focus"]]["label"] == "山东"
    table = (out / "data" / "articles.js").read_text(encoding="utf-8")
    assert table.startswith("window.POLICYKG_ARTICLES = {") and table.endswith("};\n")
    assert json.loads(table[len("window.POLICYKG_ARTICLES = "):-2]) == {
        "a-1": {"title": _tn.ARTICLES["a-1"], "href": "article/a-1.html"},
        "b-1": {"title": _tn.ARTICLES["b-1"], "href": "article/b-1.html"}}
    # byte-identical when written again
    before = {p: p.read_bytes() for p in paths}
    write_views(ds, out, articles=_tn.ARTICLES)
    assert {p: p.read_bytes() for p in paths} == before


def test_write_explorer_and_view(tmp_path, G):
    p = write_explorer(G, tmp_path / "one.html", title="x")
    assert p.read_text(encoding="utf-8") == render_explorer(G, title="x")
    v = show(G, title="x")
    assert isinstance(v, View)
    frame = v._repr_html_()
    assert frame.startswith('<iframe srcdoc="') and "<script>alert" not in frame
    assert not URL.search(frame)


def test_empty_graph_and_bad_focus():
    empty = render_explorer(nx.MultiDiGraph(), title="空")
    assert embedded(empty)["nodes"] == []
    with pytest.raises(KeyError) as e:
        render_explorer(nx.MultiDiGraph(), title="x", focus="urn:nope")
    assert e.value.args[0] == (
        "render_explorer: focus 'urn:nope' is not a node of the graph; pass a node IRI or None")


def test_absolute_links_are_refused(G):
    with pytest.raises(ValueError) as e:
        render_explorer(G, title="x", article_links={"a-1": "https://example.org/a-1"})
    assert str(e.value) == (
        "render_explorer: link 'https://example.org/a-1' is not a relative path; the pages work "
        "offline, so pass links relative to the page (e.g. '../article/x-1.html')")


def test_predicate_label():
    assert predicate_label("issuedBy") == "发布 issuedBy"


# ---------------------------------------------------------------- layout
def _star_forest() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    for hub, n in (("h1", 12), ("h2", 5)):
        for i in range(n):
            G.add_edge(hub, f"{hub}-leaf{i}", key="involves")
    for i in range(10):
        G.add_node(f"iso{i}", label=f"孤立{i}", type=("City", "Industry")[i % 2])
    return G


def test_layout_packs_components_apart_and_is_deterministic():
    G = _star_forest()
    pos = views.layout(G)
    assert pos == views.layout(G.copy())
    assert set(pos) == set(G)
    boxes = []
    for comp in (["h1"] + [f"h1-leaf{i}" for i in range(12)], ["h2"] + [f"h2-leaf{i}" for i in range(5)],
                 [f"iso{i}" for i in range(10)]):
        xs, ys = [pos[n][0] for n in comp], [pos[n][1] for n in comp]
        boxes.append((min(xs), min(ys), max(xs), max(ys)))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            assert a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1], (a, b)  # disjoint
    # no two nodes on top of each other; isolated nodes in a grid, grouped by type
    assert len(set(pos.values())) == len(pos)
    iso = sorted((f"iso{i}" for i in range(10)), key=lambda n: (pos[n][1], pos[n][0]))
    assert [G.nodes[n]["type"] for n in iso] == ["City"] * 5 + ["Industry"] * 5


def test_layout_of_a_big_component_is_bounded_and_finite():
    import random

    rng = random.Random(3)
    G = nx.MultiDiGraph()
    for i in range(1, 1500):
        G.add_edge(str(i), str(rng.randrange(i)), key="partOf")
    pos = views.layout(G)
    xs = [p[0] for p in pos.values()]
    assert len(pos) == 1500 and len(set(pos.values())) > 1400
    assert max(xs) - min(xs) < 1500 * views.EDGE_PX  # spread out, but not absurdly


def test_big_graph_page_starts_with_the_best_connected_nodes():
    G = _star_forest()
    page = render_explorer(G, title="t", reduce_above=20, initial_nodes=2, focus="iso3")
    data = embedded(page)
    by_iri = {n["iri"]: n["id"] for n in data["nodes"]}
    assert data["initial"] == sorted([by_iri["h1"], by_iri["h2"], by_iri["iso3"]])
    assert embedded(render_explorer(G, title="t"))["initial"] is None
    with pytest.raises(ValueError) as e:
        render_explorer(G, title="t", initial_nodes=0)
    assert str(e.value) == ("render_explorer: reduce_above=2000, initial_nodes=0; "
                            "use reduce_above >= 0 (or None) and initial_nodes >= 1")


def test_evidence_titles_are_not_repeated(page):
    data = embedded(page)
    evs = [ev for e in data["edges"] for ev in e["evidence"]]
    assert evs and all("article_title" not in ev for ev in evs)  # looked up in the article table


def dated_graph() -> tuple[nx.MultiDiGraph, dict]:
    """Three articles (2019-03-01, 2021, undated), five connected entities, three without a relation."""
    from policykg.graph.model import Article

    def art(aid, title, issued, origin):
        return Article(id=aid, source=f"{aid}.txt", index=1, title=title, authors=(), affiliations=(),
                       paragraphs=(), issued=issued, origin=origin)

    articles = {"a-1": art("a-1", "济青协同", "2019-03-01", "新华网"), "b-1": art("b-1", "超算规划", "2021", "人民网"),
                "c-1": art("c-1", "无日期的文章", None, None)}
    G = nx.MultiDiGraph(articles={a: x.title for a, x in articles.items()})
    for key, label, t, arts in (
            ("jinan", "济南", "City", ("a-1", "b-1", "c-1")), ("qingdao", "青岛", "City", ("a-1", "b-1")),
            ("jineng", "技能", "Industry", ("c-1",)), ("chaosuan", "超算", "Technology", ("b-1",)),
            ("yantai", "烟台", "City", ("c-1",)), ("jining", "济宁", "City", ("b-1",)),
            ("guihua", "发展规划", "PolicyDocument", ("a-1",)), ("ai", "人工智能", "Technology", ("c-1",))):
        G.add_node(f"urn:x:{key}", label=label, type=t, types=(t,), aliases=(), articles=arts)

    def rel(u, p, v, *evs, symmetric=False):
        G.add_edge(f"urn:x:{u}", f"urn:x:{v}", key=p, predicate=p, symmetric=symmetric,
                   evidence=tuple({"sentence": s, "article_id": a, "rule": "r", "confidence": 1.0} for a, s in evs))

    rel("jinan", "coordinatesWith", "qingdao", ("a-1", "济南与青岛协同。"), ("b-1", "济青两地联动。"), symmetric=True)
    rel("jinan", "specializesIn", "chaosuan", ("b-1", "济南发展超算。"))
    rel("qingdao", "involves", "jineng", ("c-1", "青岛培养技能人才。"))
    rel("jinan", "coordinatesWith", "yantai", ("c-1", "济南与烟台协同。"), symmetric=True)
    return G, articles


def _tree(folder: Path) -> dict[str, os.stat_result]:
    return {p.relative_to(folder).as_posix(): p.stat() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_unchanged_pages_are_kept_and_changed_ones_rewritten(tmp_path):
    G, articles = dated_graph()
    first = tmp_path / "first"
    write_views(G, first, articles=articles)
    # a rebuild into a fresh folder (as the build's staging folder) reusing the first:
    # nothing changed, so every file is the first one's (same inode: hard links)
    second = tmp_path / "second"
    write_views(G, second, articles=articles, reuse=first)
    a, b = _tree(first), _tree(second)
    assert sorted(a) == sorted(b)
    assert [f for f in a if (a[f].st_ino, a[f].st_mtime_ns) != (b[f].st_ino, b[f].st_mtime_ns)] == []
    # one sentence of article c-1 changes: its page, the whole graph and 青岛's page (the
    # relation is 青岛's) are rewritten; every other file is kept
    H = G.copy()
    d = H.edges["urn:x:qingdao", "urn:x:jineng", "involves"]
    d["evidence"] = ({**d["evidence"][0], "sentence": "青岛大力培养技能人才。"},)
    third = tmp_path / "third"
    write_views(H, third, articles=articles, reuse=second)
    c = _tree(third)
    assert sorted(f for f in c if c[f].st_ino != b[f].st_ino) == [
        "article/c-1.html", "index.html", "place/urn_x_qingdao.html"]
    # and the result is byte-identical to a clean write
    clean = tmp_path / "clean"
    write_views(H, clean, articles=articles)
    assert {f: (third / f).read_bytes() for f in c} == {f: (clean / f).read_bytes() for f in _tree(clean)}
    # writing again into the same folder (reuse defaults to it) keeps its files as they are
    before = {f: (s.st_ino, s.st_mtime_ns) for f, s in _tree(clean).items()}
    write_views(H, clean, articles=articles)
    assert {f: (s.st_ino, s.st_mtime_ns) for f, s in _tree(clean).items()} == before


# ---------------------------------------------------------------- query results
def _result(kind, rows):
    from policykg.graph.query import QueryResult, Term

    terms = tuple(tuple(None if v is None else Term(*v) for v in r) for r in rows)
    return QueryResult(kind, ("a", "b", "c")[:len(rows[0]) if rows else 0], (), terms)


def test_graph_for_result_construct_keeps_only_the_named_predicates(G):
    from policykg.ontology.namespace import PKG

    j, q = str(_tn.E("jinan")), str(_tn.E("qingdao"))
    H = views.graph_for_result(G, _result("graph", [(("uri", j), ("uri", str(PKG.coordinatesWith)), ("uri", q))]))
    assert sorted(H.nodes) == sorted([j, q])
    assert [k for _, _, k in H.edges(keys=True)] == ["coordinatesWith"]
    assert H.graph["articles"] == _tn.ARTICLES


def test_graph_for_result_select_labels_aliases_and_params(G):
    rows = [(("literal", "青岛"), ("literal", "济南市")), (("literal", "不存在"), None)]
    H = views.graph_for_result(G, _result("select", rows))
    assert {d["label"] for _, d in H.nodes(data=True)} == {"青岛", "济南"}
    assert [k for _, _, k in H.edges(keys=True)] == ["coordinatesWith"]
    # a named query's parameter names the entity the rows are about
    H = views.graph_for_result(G, _result("select", [(("literal", "山东"),)]), params={"place": "济南"})
    assert {d["label"] for _, d in H.nodes(data=True)} == {"山东", "济南"}
    assert [k for _, _, k in H.edges(keys=True)] == ["partOf"]


def test_graph_for_result_errors(G):
    from policykg.graph.query import QueryResult

    with pytest.raises(ValueError) as e:
        views.graph_for_result(G, QueryResult("ask", (), (), (), True))
    assert str(e.value) == ("graph_for_result: got a result of kind 'ask'; use a SELECT or CONSTRUCT "
                            "query (an ASK answer names no entities)")
    with pytest.raises(ValueError) as e:
        views.graph_for_result(G, _result("select", [(("literal", "北京"),)]))
    assert str(e.value) == ("the query result names no entity of the graph; return entity IRIs or their "
                            "labels (e.g. SELECT ?x ?label WHERE { ?x rdfs:label ?label })")


# ---------------------------------------------------------------- policykg view
@pytest.fixture
def built(tmp_path, ds):
    """A build output folder: the store of the hand-built dataset and an article page."""
    from policykg.graph.store import GraphStore

    with GraphStore.open(tmp_path / "out" / "store") as gs:
        gs.load_quads(ds)
    (tmp_path / "out" / "views" / "article").mkdir(parents=True)
    (tmp_path / "out" / "views" / "article" / "a-1.html").write_text("a-1", encoding="utf-8")
    return tmp_path / "out"


def _cli(*args):
    from typer.testing import CliRunner

    from policykg.build.cli import app

    return CliRunner().invoke(app, list(args))


def test_cli_view_around(built, monkeypatch):
    opened = []
    monkeypatch.setattr("webbrowser.open", opened.append)
    r = _cli("view", "--store", str(built), "--around", "济南市", "--depth", "1", "--open")
    assert r.exit_code == 0, r.output
    path = built / "views" / "custom" / "around-jinan-d1.html"
    assert r.output.split("  ")[0] == str(path)
    assert opened == [path.resolve().as_uri()]
    page = path.read_text(encoding="utf-8")
    data = embedded(page)
    assert sorted(n["label"] for n in data["nodes"]) == sorted(["济南", "青岛", "山东", "济青联动", "超算"])
    assert data["nodes"][data["focus"]]["label"] == "济南"
    assert {a: r.get("href") for a, r in data["articles"].items()} == {  # b-1 has no page in this build
        "a-1": "../article/a-1.html", "b-1": None}
    assert not URL.search(page) and vis_assets()[0] in page  # self-contained


def test_cli_view_query_and_output(built, tmp_path):
    out = tmp_path / "elsewhere" / "q.html"
    r = _cli("view", "coordinates-with", "--param", "place=济南", "--store", str(built), "--output", str(out))
    assert r.exit_code == 0, r.output
    data = embedded(out.read_text(encoding="utf-8"))
    assert sorted(n["label"] for n in data["nodes"]) == ["济南", "青岛"]
    assert {a: r.get("href") for a, r in data["articles"].items()} == {
        "a-1": "../out/views/article/a-1.html", "b-1": None}
    q = ("PREFIX pkg: <https://w3id.org/policykg/ontology#> "
         "CONSTRUCT { ?a pkg:partOf ?b } WHERE { ?a pkg:partOf ?b }")
    r = _cli("view", q, "--store", str(built / "store"), "--title", "<属于>")
    assert r.exit_code == 0, r.output
    path = Path(r.output.split("  ")[0])
    assert path.parent == built / "views" / "custom" and path.name.startswith("query-")
    page = path.read_text(encoding="utf-8")
    assert "<title>&lt;属于&gt;</title>" in page
    assert sorted(n["label"] for n in embedded(page)["nodes"]) == ["山东", "济南"]


@pytest.mark.parametrize("args, message", [
    ((), "error: give a SPARQL query (text, .rq file or named query) or --around ENTITY, not both"),
    (("--around", "北京"), "error: no node with IRI, label or alias '北京'; use a canonical label "
                          "(G.nodes[n]['label']) or an entity IRI"),
    (("entities", "--around", "济南"),
     "error: give a SPARQL query (text, .rq file or named query) or --around ENTITY, not both"),
    (("--around", "济南", "--depth", "-1"), "error: --depth must be 0 or more, got -1"),
])
def test_cli_view_errors(built, args, message):
    r = _cli("view", "--store", str(built), *args)
    assert r.exit_code == 2
    assert " ".join(r.output.split()) == message


def test_cli_view_without_store(tmp_path):
    r = _cli("view", "--store", str(tmp_path / "nope"), "--around", "济南")
    assert r.exit_code == 2
    assert " ".join(r.output.split()) == (
        f"error: {tmp_path / 'nope'}: no store found; run `policykg build … --out {tmp_path / 'nope'}` first")


# ---------------------------------------------------------------- size: linear in the corpus
def _corpus_graphs(n: int) -> list:
    """*n* articles that all state the same hub relations (济南–青岛, both part of 山东) —
    what made every page carry every article's evidence — plus a few entities of their own."""
    from policykg.graph.model import Article, ArticleGraph, Entity, Evidence, Relation

    out = []
    for i in range(n):
        aid = f"art{i:04d}-1"
        local = [f"产业{i}号", f"技术{i}号", f"城{i}市"]
        sents = [f"第{i}篇：济南与青岛协同推进{local[0]}。", f"济南聚焦{local[1]}，{local[2]}属于山东。",
                 f"青岛发展{local[0]}和{local[1]}。"]
        text = "".join(sents)

        def ev(k):
            start = text.index(sents[k])
            return (Evidence(aid, sents[k], start, start + len(sents[k]), "r", 0.9),)

        rels = [Relation("济南", "coordinatesWith", "青岛", ev(0)), Relation("济南", "partOf", "山东", ev(1)),
                Relation("济南", "focusesOn", local[1], ev(1)), Relation(local[2], "partOf", "山东", ev(1)),
                Relation("青岛", "specializesIn", local[0], ev(2)), Relation(local[1], "enables", local[0], ev(2))]
        ents = [Entity("济南", ("City",)), Entity("青岛", ("City",)), Entity("山东", ("Region",)),
                Entity(local[0], ("Industry",)), Entity(local[1], ("Technology",)), Entity(local[2], ("City",)),
                Entity(f"规划{i}号", ("PolicyDocument",))]
        art = Article(id=aid, source=f"a{i}.txt", index=1, title=f"文章{i}", authors=(), affiliations=(),
                      paragraphs=(text,), issued=f"{2015 + i % 10}-01-01", origin="新华网")
        out.append(ArticleGraph(art, tuple(sorted(ents, key=lambda e: e.label)),
                                tuple(sorted(rels, key=lambda r: (r.subject, r.predicate, r.object)))))
    return out


def _du(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_views_grow_linearly_with_the_corpus_and_stay_under_twice_the_nquads(tmp_path):
    from policykg.graph.rdf import article_nquads, to_dataset

    sizes = {}
    for n in (40, 80):
        ags = _corpus_graphs(n)
        out = tmp_path / f"v{n}"
        write_views(to_dataset(ags), out, articles={ag.article.id: ag.article for ag in ags})
        nq = sum(len(article_nquads(ag).encode("utf-8")) for ag in ags)
        pages = _du(out) - _du(out / "static")   # vis-network & co: the same 0.6 MB for any corpus
        sizes[n] = pages
        assert pages <= 2 * nq, (n, pages, nq)
        # the hub pair's page carries its own evidence only: two sentences at most, whatever n
        data = embedded((out / "article" / "art0001-1.html").read_text(encoding="utf-8"))
        assert max(len(e["evidence"]) for e in data["edges"]) == 1
        assert {e.get("nev") for e in data["edges"]} == {None, n}
    # twice the articles, about twice the bytes (quadratic would be about 4x)
    assert 1.8 < sizes[80] / sizes[40] < 2.2, sizes


def test_article_dates_and_sources_come_from_the_rdf(tmp_path, ds):
    """dcterms:issued (xsd:date or xsd:gYear) and dcterms:source on the article node
    reach the shared article table; a malformed date is kept as text and counts as undated."""
    from rdflib import XSD, Dataset, Literal
    from rdflib.namespace import DCTERMS

    dated = Dataset()
    for q in ds.quads((None, None, None, None)):
        dated.add(q)
    g = dated.graph(_tn.PKGID["graph/a-1"])
    g.add((_tn.A("a-1"), DCTERMS.issued, Literal("2023-05-01", datatype=XSD.date)))
    g.add((_tn.A("a-1"), DCTERMS.source, Literal("新华网")))
    g = dated.graph(_tn.PKGID["graph/b-1"])
    g.add((_tn.A("b-1"), DCTERMS.issued, Literal("去年")))
    G = to_networkx(dated)
    assert G.graph["article_meta"] == {"a-1": {"issued": "2023-05-01", "origin": "新华网"},
                                       "b-1": {"issued": "去年"}}
    write_views(G, tmp_path / "v")
    table = (tmp_path / "v" / "data" / "articles.js").read_text(encoding="utf-8")
    assert json.loads(table[len("window.POLICYKG_ARTICLES = "):-2]) == {
        "a-1": {"title": _tn.ARTICLES["a-1"], "href": "article/a-1.html", "issued": "2023-05-01", "origin": "新华网"},
        "b-1": {"title": _tn.ARTICLES["b-1"], "href": "article/b-1.html", "issued": "去年"}}
    data = embedded((tmp_path / "v" / "index.html").read_text(encoding="utf-8"))
    jinan = next(n for n in data["nodes"] if n["label"] == "济南")
    assert (jinan["years"], jinan.get("undated")) == ([2023], True)   # a-1's year; b-1 has none
    assert jinan["py"] == ["jinan", "jn"]
