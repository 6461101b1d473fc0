"""The explorer pages in a real browser: Debian's Chromium driven by playwright, offline.

Pages are opened from ``file://`` with every other request aborted (and recorded).
Chromium is ``/usr/bin/chromium`` (``apt-get install chromium``; ``.ci/run`` installs
it); playwright never downloads a browser here. Without Chromium or playwright the
tests are skipped — except in CI (``CI=true``), where that is a failure.

Runtime: about 25 s (one corpus build, one browser for the module).
"""
from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import networkx as nx
import pytest

from policykg.graph.network import to_networkx
from policykg.graph.views import show, write_explorer, write_views

CHROMIUM = Path(os.environ.get("POLICYKG_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = Path(__file__).with_name("artifacts")
IN_CI = os.environ.get("CI", "").lower() == "true"


def _missing() -> str | None:
    if not CHROMIUM.is_file():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if importlib.util.find_spec("playwright") is None:
        return "playwright is not installed (pip install -e '.[test]')"
    return None


if (_why := _missing()) is not None:
    if IN_CI:
        raise RuntimeError(f"browser tests must run in CI, but {_why}; .ci/run installs both")
    pytest.skip(f"browser tests skipped: {_why}", allow_module_level=True)

from playwright.sync_api import Page, sync_playwright  # noqa: E402

# the hand-built two-article Dataset (with a <script> label) lives in test_network.py
_spec = importlib.util.spec_from_file_location("_pkg_test_network_b", Path(__file__).with_name("test_network.py"))
_tn = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_tn)
# and the dated graph (three articles, entities without relations) in test_views.py
_spec_v = importlib.util.spec_from_file_location("_pkg_test_views_b", Path(__file__).with_name("test_views.py"))
_tv = importlib.util.module_from_spec(_spec_v)
_spec_v.loader.exec_module(_tv)


# ---------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def browser_ctx(tmp_path_factory):
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS, headless=True, viewport={"width": 1400, "height": 850},
        )
        yield ctx
        ctx.close()


class Opened:
    """A page opened offline, with what went wrong on it."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.blocked: list[str] = []
        self.failed: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []

    def assert_clean(self) -> None:
        assert self.blocked == [], f"requests that would need the network: {self.blocked}"
        assert self.failed == [], f"failed requests: {self.failed}"
        assert self.errors == [], f"console errors: {self.errors}"
        assert self.dialogs == [], f"dialogs opened: {self.dialogs}"

    def js(self, expr: str):
        return self.page.evaluate(expr)

    def node_id(self, label: str) -> int:
        ids = self.js(f"window.policykg.data.nodes.filter(n => n.label === {json.dumps(label)}).map(n => n.id)")
        assert len(ids) == 1, (label, ids)
        return ids[0]

    def click_canvas(self, x: float, y: float) -> None:
        box = self.page.locator("#network").bounding_box()
        self.page.mouse.click(box["x"] + x, box["y"] + y)

    def node_xy(self, nid: int) -> dict:
        return self.js(f"(() => {{ const n = window.policykg.network;"
                       f" return n.canvasToDOM(n.getPositions([{nid}])[{nid}]); }})()")


@pytest.fixture
def open_page(browser_ctx):
    pages: list[Page] = []

    def _open(path: Path, *, wait_ready: bool = True) -> Opened:
        page = browser_ctx.new_page()
        pages.append(page)
        o = Opened(page)

        def route(r):
            if r.request.url.startswith("file:"):
                r.continue_()
            else:
                o.blocked.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.on("requestfailed", lambda req: o.failed.append(f"{req.url} {req.failure}"))
        page.on("console", lambda m: o.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: o.errors.append(str(e)))

        def dialog(d):
            o.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", dialog)
        page.goto(path.as_uri(), wait_until="load")
        if wait_ready:
            page.wait_for_function("window.policykg && window.policykg.ready === true", timeout=20_000)
        return o

    yield _open
    for p in pages:
        p.close()


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The bundled corpus built by the CLI, and its graph."""
    out = tmp_path_factory.mktemp("sample") / "out"
    proc = subprocess.run(
        [sys.executable, "-m", "policykg.build.cli", "build", str(ROOT / "corpus"), "--out", str(out),
         "--no-validate", "--quiet"], capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode in (0, 1), proc.stderr
    import rdflib

    ds = rdflib.Dataset(default_union=True)
    ds.parse(out / "graph.trig")
    return out / "views", to_networkx(ds)


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The hand-built graph (tricky evidence sentence, a <script> label) as a site."""
    out = tmp_path_factory.mktemp("small")
    ds = _tn.build_dataset()
    write_views(ds, out, articles=_tn.ARTICLES)
    return out, to_networkx(ds)


# ---------------------------------------------------------------- tests
def test_sample_index_offline_counts_and_screenshot(sample, open_page):
    views, G = sample
    o = open_page(views / "index.html")
    # the connected graph is drawn; entities without a relation are listed beside it
    connected = sum(1 for n in G if G.degree(n) > 0)
    assert o.js("window.policykg.nodes.length") == connected > 100
    assert o.js("window.policykg.edges.length") == G.number_of_edges() > 50
    # vis-network drew them: its body holds exactly these nodes and edges
    assert o.js("Object.keys(window.policykg.network.body.nodes).length") == connected
    assert o.js("document.getElementById('counts').textContent") == (
        f"节点 nodes {connected}/{G.number_of_nodes()} · 关系 edges "
        f"{G.number_of_edges()}/{G.number_of_edges()}")
    isolated = G.number_of_nodes() - connected
    assert isolated > 0 and o.page.text_content("#isolated-count") == str(isolated)
    assert o.page.locator("#isolated-list button.iso-node").count() == isolated
    assert o.js("getComputedStyle(document.body).fontFamily").startswith('"Noto Sans CJK SC"')
    assert o.js("document.characterSet") == "UTF-8"
    ARTIFACTS.mkdir(exist_ok=True)
    o.page.wait_for_timeout(200)
    o.page.screenshot(path=str(ARTIFACTS / "sample-index.png"))
    o.assert_clean()


def test_every_sample_page_opens_cleanly(sample, open_page):
    views, _ = sample
    pages = sorted((views / "article").glob("*.html")) + sorted((views / "place").glob("*.html"))[:5]
    assert len(pages) >= 6
    for path in pages:
        o = open_page(path)
        n_all = o.js("window.policykg.data.nodes.length")
        listed = o.page.locator("#isolated-list button.iso-node").count()
        assert o.js("window.policykg.nodes.length") == n_all - listed > 0
        o.assert_clean()
        o.page.close()


def test_search_focuses_the_node_by_label_and_alias(small, open_page):
    out, _ = small
    o = open_page(out / "index.html")
    for query, label in (("济南", "济南"), ("联席会议制度", "联席会议机制"), ("超", "超算")):
        o.page.fill("#search", query)
        o.page.press("#search", "Enter")
        nid = o.node_id(label)
        assert o.js("window.policykg.network.getSelectedNodes()") == [nid], query
        assert o.page.text_content("#details h2") == label
    o.page.fill("#search", "北京")
    o.page.press("#search", "Enter")
    assert o.page.text_content("#search-status") == "未找到 not found: 北京"
    o.assert_clean()


def test_type_filter_hides_nodes_and_their_edges(small, open_page):
    out, G = small
    o = open_page(out / "index.html")
    cities = sorted(o.node_id(G.nodes[n]["label"]) for n in G if G.nodes[n]["type"] == "City")
    assert len(cities) == 2
    o.page.locator("#type-filters input[value=City]").uncheck()
    hidden = o.js("window.policykg.nodes.get({filter: n => n.hidden}).map(n => n.id).sort((a, b) => a - b)")
    assert hidden == cities
    assert o.js(f"window.policykg.network.body.nodes[{cities[0]}].options.hidden") is True
    city_edges = sum(1 for u, v in G.edges() if "City" in (G.nodes[u]["type"], G.nodes[v]["type"]))
    assert o.js("window.policykg.edges.get({filter: e => e.hidden}).length") == city_edges
    shown_n, shown_e = G.number_of_nodes() - 2, G.number_of_edges() - city_edges
    assert o.page.text_content("#counts") == (
        f"节点 nodes {shown_n}/{G.number_of_nodes()} · 关系 edges {shown_e}/{G.number_of_edges()}")
    o.page.locator("#type-filters input[value=City]").check()
    assert o.js("window.policykg.nodes.get({filter: n => n.hidden}).length") == 0
    o.assert_clean()


def test_clicking_a_node_shows_its_evidence_and_the_article_link_opens_it(small, open_page):
    out, _ = small
    o = open_page(out / "index.html")
    nid = o.node_id("青岛")
    xy = o.node_xy(nid)
    o.click_canvas(xy["x"], xy["y"])
    assert o.page.get_attribute("#details", "data-node") == str(nid)
    quotes = o.page.locator("#details blockquote.evidence").all_text_contents()
    assert _tn.TRICKY_SENTENCE in quotes  # markup in the sentence shows as text
    assert o.page.locator("#details blockquote b").count() == 0
    assert o.page.text_content("#details h2") == "青岛"
    # the evidence's article title links to that article's page
    link = o.page.locator("#details a.article-link", has_text=_tn.ARTICLES["a-1"]).first
    link.click()
    o.page.wait_for_url(re.compile(r".*/article/a-1\.html$"))
    o.page.wait_for_function("window.policykg && window.policykg.ready === true")
    assert o.page.text_content("#page-title") == _tn.ARTICLES["a-1"]
    o.assert_clean()


def test_clicking_an_edge_shows_its_evidence(small, open_page):
    out, G = small
    o = open_page(out / "index.html")
    a, b = o.node_id("济南"), o.node_id("山东")
    eid = o.js(f"window.policykg.data.edges.find(e => e.from === {a} && e.to === {b}).id")
    pa, pb = o.node_xy(a), o.node_xy(b)
    # a point on the edge, outside both dots
    x, y = pa["x"] + (pb["x"] - pa["x"]) * 0.5, pa["y"] + (pb["y"] - pa["y"]) * 0.5
    assert o.js(f"window.policykg.network.getNodeAt({{x: {x}, y: {y}}})") is None
    assert o.js(f"window.policykg.network.getEdgeAt({{x: {x}, y: {y}}})") == eid
    o.click_canvas(x, y)
    assert o.page.get_attribute("#details", "data-edge") == str(eid)
    assert o.page.locator("#details blockquote.evidence").all_text_contents() == ["济南是山东省会。"]
    o.assert_clean()


MARKUP = '<script>window.__pwned = 1</script><img src="x" onerror="window.__pwned = 2">'


def test_markup_in_labels_and_sentences_is_text_and_runs_nothing(tmp_path, open_page):
    G = nx.MultiDiGraph(articles={"x-1": "<b>标题</b>"})
    G.add_node("urn:x:a", label=MARKUP, type="City", types=("City",), aliases=("<i>别名</i>",),
               articles=("x-1",))
    G.add_node("urn:x:b", label="青岛", type="City", types=("City",), aliases=(), articles=("x-1",))
    G.add_edge("urn:x:a", "urn:x:b", key="coordinatesWith", predicate="coordinatesWith", symmetric=True,
               evidence=({"sentence": MARKUP + "协同。", "article_id": "x-1", "article_title": "<b>标题</b>",
                          "rule": "r", "confidence": 1.0},))
    path = write_explorer(G, tmp_path / "xss.html", title=MARKUP)
    o = open_page(path)
    nid = o.node_id(MARKUP)
    xy = o.node_xy(nid)
    o.page.mouse.move(0, 0)
    box = o.page.locator("#network").bounding_box()
    o.page.mouse.move(box["x"] + xy["x"], box["y"] + xy["y"])  # tooltip
    o.page.wait_for_selector("div.vis-tooltip", state="visible")
    tip = o.page.locator("div.vis-tooltip")
    assert tip.text_content().startswith(MARKUP)
    # vis-network sets string titles with innerText: the only elements are its line breaks
    assert o.js("[...document.querySelectorAll('div.vis-tooltip *')].map(e => e.tagName)") == ["BR"] * 3
    o.click_canvas(xy["x"], xy["y"])
    assert o.page.text_content("#details h2") == MARKUP
    assert o.page.locator("#details blockquote.evidence").all_text_contents() == [MARKUP + "协同。"]
    assert o.page.locator("#details script, #details img, #details i, #details b").count() == 0
    assert o.page.text_content("#page-title") == MARKUP
    assert o.page.title() == MARKUP
    assert o.js("typeof window.__pwned") == "undefined"
    o.assert_clean()


def test_big_graph_starts_reduced_and_expands(tmp_path, open_page):
    G = nx.MultiDiGraph(articles={})
    for i in range(300):
        G.add_node(f"urn:x:{i:03d}", label=f"节点{i}", type="Industry", types=("Industry",), aliases=(),
                   articles=())
    for i in range(1, 300):
        G.add_edge(f"urn:x:{i:03d}", f"urn:x:{(i - 1) // 3:03d}", key="partOf", predicate="partOf")
    path = write_explorer(G, tmp_path / "big.html", title="big", reduce_above=100, initial_nodes=40)
    o = open_page(path)
    assert o.js("window.policykg.nodes.length") == 40
    assert o.page.is_visible("#expand")
    # search reaches a node that is not drawn yet: it is added with its neighbours
    o.page.fill("#search", "节点299")
    o.page.press("#search", "Enter")
    nid = o.node_id("节点299")
    assert o.js("window.policykg.network.getSelectedNodes()") == [nid]
    assert o.js("window.policykg.nodes.length") == 42
    # a node's details offer to add its missing neighbours (double-clicking it does the same)
    o.page.get_by_role("button", name="节点99", exact=True).click()
    o.page.get_by_role("button", name="展开邻居 add its neighbours (1)").click()
    # its neighbours 节点32 (shown from the start: degree 4), 节点298 and 节点299 are all in now
    assert o.js("[32, 298, 299].every(i => window.policykg.nodes.get(i) !== null)") is True
    assert o.js("window.policykg.nodes.length") == 43
    o.page.click("#expand-all")
    assert o.js("window.policykg.nodes.length") == 300
    assert o.js("window.policykg.edges.length") == 299
    assert o.page.text_content("#counts") == "节点 nodes 300/300 · 关系 edges 299/299"
    o.assert_clean()


def test_notebook_view_renders_in_its_iframe(small, tmp_path, open_page):
    _, G = small
    html = show(G, title="notebook", height=400)._repr_html_()
    path = tmp_path / "notebook.html"
    path.write_text(f"<!DOCTYPE html><meta charset='utf-8'><body>{html}</body>", encoding="utf-8")
    o = open_page(path, wait_ready=False)
    frame = o.page.frame_locator("iframe")
    frame.locator("#network canvas").wait_for()
    inner = o.page.frames[1]
    inner.wait_for_function("window.policykg && window.policykg.ready === true")
    assert inner.evaluate("window.policykg.nodes.length") == G.number_of_nodes()
    assert frame.locator("#page-title").text_content() == "notebook"
    o.assert_clean()


# ---------------------------------------------------------------- dates, isolated entities, pinyin
@pytest.fixture(scope="module")
def dated(tmp_path_factory):
    out = tmp_path_factory.mktemp("dated")
    G, articles = _tv.dated_graph()
    write_views(G, out, articles=articles)
    return out


def _hidden(o) -> list[str]:
    return o.js("window.policykg.nodes.get({filter: n => n.hidden}).map(n => n.label).sort()")


def _hidden_edges(o) -> int:
    return o.js("window.policykg.edges.get({filter: e => e.hidden}).length")


def test_year_filter_shows_what_was_stated_in_the_range(dated, open_page):
    o = open_page(dated / "index.html")
    assert o.page.is_visible("#year-filter")
    assert (o.page.input_value("#year-from"), o.page.input_value("#year-to")) == ("2019", "2021")
    assert _hidden(o) == [] and _hidden_edges(o) == 0
    o.page.fill("#year-from", "2020")
    # 2020–2021 and undated: everything but the 2019-only evidence of no node
    assert _hidden(o) == [] and _hidden_edges(o) == 0
    o.page.locator("#year-undated").uncheck()
    assert _hidden(o) == ["技能", "烟台"]      # stated only in the undated article
    assert _hidden_edges(o) == 2
    o.page.fill("#year-from", "2019")
    o.page.fill("#year-to", "2019")
    assert _hidden(o) == ["技能", "烟台", "超算"]
    assert o.js("window.policykg.edges.get({filter: e => !e.hidden}).map(e => e.from + '-' + e.to)") == [
        f"{o.node_id('济南')}-{o.node_id('青岛')}"]
    assert o.page.text_content("#counts") == "节点 nodes 2/8 · 关系 edges 1/4"
    o.page.locator("#year-undated").check()
    o.page.fill("#year-to", "2021")
    assert _hidden(o) == [] and _hidden_edges(o) == 0
    o.assert_clean()


def test_evidence_shows_its_date_and_source(dated, open_page):
    o = open_page(dated / "index.html")
    o.page.fill("#search", "济南")
    o.page.press("#search", "Enter")
    srcs = o.page.locator("#details .src").all_text_contents()
    assert "— 济青协同 · 2019-03-01 · 来源 新华网 · r · 1.00" in srcs
    assert "— 超算规划 · 2021 · 来源 人民网 · r · 1.00" in srcs
    assert "— 无日期的文章 · 日期不详 undated · r · 1.00" in srcs
    o.assert_clean()


def test_isolated_entities_are_listed_not_drawn(dated, open_page):
    o = open_page(dated / "index.html")
    assert o.js("window.policykg.nodes.length") == 5
    assert o.js("window.policykg.nodes.get().map(n => n.label).sort()") == sorted(["济南", "青岛", "技能", "超算", "烟台"])
    assert o.page.text_content("#isolated-count") == "3"
    # by type, in the legend's order
    assert o.js("[...document.querySelectorAll('#isolated-list details')].map(d => d.dataset.type)") == [
        "City", "Technology", "PolicyDocument"]
    # the list filters by name or pinyin
    o.page.fill("#isolated-search", "jn")
    visible = "[...document.querySelectorAll('#isolated-list button.iso-node')].filter(b => !b.hidden).map(b => b.textContent)"
    assert o.js(visible) == ["济宁"]
    o.page.fill("#isolated-search", "规划")
    assert o.js(visible) == ["发展规划"]
    o.page.fill("#isolated-search", "")
    assert len(o.js(visible)) == 3
    # one click shows one, with its details (groups open on a click, or when the filter finds something)
    o.page.click("#isolated-list details[data-type=City] summary")
    o.page.get_by_role("button", name="济宁", exact=True).click()
    nid = o.node_id("济宁")
    assert o.js(f"window.policykg.nodes.get({nid}) !== null") is True
    assert o.js("window.policykg.network.getSelectedNodes()") == [nid]
    assert o.page.text_content("#details h2") == "济宁"
    o.page.click("#isolated-show")
    assert o.js("window.policykg.nodes.length") == 8
    assert o.page.text_content("#counts") == "节点 nodes 8/8 · 关系 edges 4/4"
    o.assert_clean()


def test_search_by_pinyin_and_initials(dated, open_page):
    o = open_page(dated / "index.html")
    jinan = o.node_id("济南")
    for query in ("jinan", "jn", "JiNan", "ji nan", "jin"):
        o.page.fill("#search", query)
        o.page.press("#search", "Enter")
        assert o.js("window.policykg.network.getSelectedNodes()") == [jinan], query
        assert o.page.text_content("#details h2") == "济南"
    # 技能 (jineng) and 济宁 (jining) share the initials; full pinyin tells them apart
    o.page.fill("#search", "jineng")
    o.page.press("#search", "Enter")
    assert o.page.text_content("#details h2") == "技能"
    o.page.fill("#search", "rgzn")   # an entity without relations: found and drawn
    o.page.press("#search", "Enter")
    assert o.page.text_content("#details h2") == "人工智能"
    assert o.js(f"window.policykg.nodes.get({o.node_id('人工智能')}) !== null") is True
    o.assert_clean()


def test_article_page_counts_evidence_elsewhere_and_links_to_it(dated, open_page):
    o = open_page(dated / "article" / "a-1.html")
    # the article's own evidence only; the other article's is counted and linked
    assert o.js("window.policykg.data.edges.map(e => e.evidence.length)") == [1]
    o.page.fill("#search", "青岛")
    o.page.press("#search", "Enter")
    assert o.page.locator("#details blockquote.evidence").all_text_contents() == ["济南与青岛协同。"]
    assert o.page.text_content("#details .ev-more") == (
        "另有 1 条证据 more evidence (2 篇文章 articles in all): 全图 whole graph")
    assert o.page.text_content("#details .art-more") == "另有 1 篇 more: 全图 whole graph"
    o.page.click("#details .ev-more a.whole-link")
    o.page.wait_for_url(re.compile(r".*/index\.html#e=.*"))
    o.page.wait_for_function("window.policykg && window.policykg.ready === true")
    assert o.page.locator("#details blockquote.evidence").all_text_contents() == ["济南与青岛协同。", "济青两地联动。"]
    assert o.page.get_attribute("#details", "data-edge") is not None
    o.assert_clean()
