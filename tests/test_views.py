"""Offline explorer pages (policykg.graph.views)."""
from __future__ import annotations

import importlib.util
import json
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
    assert data["articleLinks"] == {"a-1": "article/a-1.html"}
    assert data["articleTitles"] == _tn.ARTICLES
    assert [t["name"] for t in data["types"]][:8] == [
        "City", "Region", "Industry", "Technology", "Strategy", "Mechanism", "PolicyDocument", "Organization"]
    assert len({t["color"] for t in data["types"]}) == len(data["types"])
    assert {p["name"]: p["label"] for p in data["predicates"]}["coordinatesWith"] == "协同 coordinatesWith"
    # physics is off, so every node needs a position; sizes grow with degree
    by_label = {n["label"]: n for n in data["nodes"]}
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in data["nodes"])
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
        "article/a-1.html", "article/b-1.html", "index.html",
        "place/jinan.html", "place/qingdao.html", "place/shandong.html",
        "static/vis-network.css", "static/vis-network.min.js",
    ]
    for p in out.rglob("*"):
        if p.is_file():
            text = p.read_text(encoding="utf-8")
            assert not URL.search(text), p
            assert "<script>alert" not in text, p
    assert not [p for p in out.rglob("*.tmp")]
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<script src="static/vis-network.min.js"></script>' in index
    assert len(embedded(index)["nodes"]) == 8
    art = (out / "article" / "b-1.html").read_text(encoding="utf-8")
    assert '<script src="../static/vis-network.min.js"></script>' in art
    data = embedded(art)
    assert sorted(n["label"] for n in data["nodes"]) == sorted(["济南", "青岛", "超算", "发展规划", _tn.XSS])
    assert data["articleLinks"] == {"a-1": "a-1.html", "b-1": "b-1.html"}
    assert data["placeLinks"][str(_tn.E("jinan"))] == "../place/jinan.html"
    place = embedded((out / "place" / "shandong.html").read_text(encoding="utf-8"))
    assert sorted(n["label"] for n in place["nodes"]) == ["山东", "济南"]
    assert place["nodes"][place["focus"]]["label"] == "山东"
    assert place["articleLinks"]["a-1"] == "../article/a-1.html"
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
