"""The build's background store loader (policykg.build.pipeline._StoreLoader):
store writes keep their order, and an error in the thread reaches the build.

Runtime: under a second (tiny graphs, a store in tmp_path)."""
from __future__ import annotations

from pathlib import Path

import pytest

from policykg.build.pipeline import _StoreLoader
from policykg.graph.model import Article, ArticleGraph, Entity
from policykg.graph.rdf import article_nquads
from policykg.graph.store import GraphStore


def _nq(tmp_path: Path, art_id: str, label: str) -> Path:
    art = Article(id=art_id, source="t.txt", index=1, title="t", authors=(), affiliations=(),
                  paragraphs=(label,))
    path = tmp_path / f"{art_id}.nq"
    path.write_text(article_nquads(ArticleGraph(art, (Entity(label, ("City",)),), ())),
                    encoding="utf-8")
    return path


def test_loads_and_removals_run_in_the_order_given(tmp_path: Path) -> None:
    a, b = _nq(tmp_path, "a-1", "济南"), _nq(tmp_path, "b-1", "青岛")
    with GraphStore.open(tmp_path / "store") as store:
        with _StoreLoader(store, tmp_path) as loader:
            loader.add(a)
            loader.add(b)
            loader.remove("a-1")        # after a's load, although a's slice is not full yet
            loader.add(a)               # and loaded again after the removal
            loader.remove("b-1")
            busy = loader.close()
        assert store.article_ids() == ("a-1",)
        assert busy > 0
    assert not list(tmp_path.glob(".load-*"))      # slice files are removed


def test_an_error_in_the_loader_thread_is_raised_in_the_build(tmp_path: Path) -> None:
    with GraphStore.open(tmp_path / "store") as store:
        with _StoreLoader(store, tmp_path) as loader:
            loader.add(_nq(tmp_path, "a-1", "济南"))
            (tmp_path / "a-1.nq").unlink()          # gone before the thread reads it
            with pytest.raises(FileNotFoundError, match="a-1.nq"):
                loader.close()
        assert store.article_ids() == ()
