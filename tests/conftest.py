"""Shared fixtures."""
from __future__ import annotations

from pathlib import Path

import pytest

from policykg.graph.model import Article, ArticleGraph, Entity, Evidence, Relation
from policykg.graph.store import GraphStore


@pytest.fixture
def small_output(tmp_path: Path) -> Path:
    """A build output folder (``tmp_path/out``) whose store holds two small article graphs."""
    out = tmp_path / "out"
    with GraphStore.open(out / "store") as st:
        for i, (a, b) in enumerate((("济南", "青岛"), ("深圳", "香港")), 1):
            art = Article(id=f"demo-{i}", source="demo.txt", index=i, title=f"T{i}",
                          authors=(), affiliations=(), paragraphs=(f"{a}与{b}联动。",))
            ev = Evidence(art.id, f"{a}与{b}联动。", 0, 6, "coord.test", 0.9)
            st.replace_article(ArticleGraph(
                art, (Entity(a, ("City",)), Entity(b, ("City",))),
                (Relation(a, "coordinatesWith", b, (ev,)),)))
    (out / "report.json").write_text("{}\n")
    return out
