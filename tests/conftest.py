"""Shared fixtures."""
from __future__ import annotations

import json
import shutil
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from policykg.graph.model import Article, ArticleGraph, Entity, Evidence, Relation
from policykg.graph.store import GraphStore


@pytest.fixture
def small_output(tmp_path: Path) -> Path:
    """A build output folder (``tmp_path/out``) whose store holds two small article graphs."""
    out = tmp_path / "out"
    from policykg.graph.summary import article_facts, to_summary

    with GraphStore.open(out / "store") as st:
        graphs = []
        for i, (a, b) in enumerate((("济南", "青岛"), ("深圳", "香港")), 1):
            art = Article(id=f"demo-{i}", source="demo.txt", index=i, title=f"T{i}",
                          authors=(), affiliations=(), paragraphs=(f"{a}与{b}联动。",))
            ev = Evidence(art.id, f"{a}与{b}联动。", 0, 6, "coord.test", 0.9)
            graphs.append(ArticleGraph(
                art, (Entity(a, ("City",)), Entity(b, ("City",))),
                (Relation(a, "coordinatesWith", b, (ev,)),)))
            st.replace_article(graphs[-1])
        st.replace_summary(to_summary(map(article_facts, graphs)))   # as a build does
    (out / "report.json").write_text("{}\n")
    return out


def _sparql(url: str, query: str) -> list[dict]:
    req = urllib.request.Request(url + "/query?" + urllib.parse.urlencode({"query": query}),
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)["results"]["bindings"]


@pytest.fixture
def sparql() -> Callable[[str, str], list[dict]]:
    """``sparql(server_url, query)``: the JSON result rows of a SELECT sent to
    ``server_url/query`` (an oxigraph server)."""
    return _sparql


@pytest.fixture
def oxigraph_server(tmp_path: Path) -> Iterator[object]:
    """A running read-write oxigraph server (an empty store) on a free loopback port."""
    from policykg.graph.server import OxigraphServer, free_port

    with OxigraphServer(tmp_path / "server", port=free_port(), read_only=False) as server:
        yield server


@pytest.fixture
def build_texts(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """``build_texts({"a.txt": text, …})``: make ``tmp_path/corpus`` hold exactly these
    files and build it (incrementally, no views, no SHACL) into ``tmp_path/built``."""
    from policykg.build.pipeline import BuildOptions, build_corpus

    corpus, out = tmp_path / "corpus", tmp_path / "built"

    def build(texts: dict[str, str]) -> Path:
        shutil.rmtree(corpus, ignore_errors=True)
        corpus.mkdir()
        for name, text in texts.items():
            (corpus / name).write_text(text, encoding="utf-8")
        report = build_corpus([corpus], out=out, options=BuildOptions(views=False, validate=False))
        assert report.ok and len(report.articles) == len(texts), report
        return out

    return build
