"""--jobs N gives byte-identical output to --jobs 1 (build/parallel.py).

Runtime: about 10 s (two builds of the bundled corpus with SHACL; worker start-up).
"""
from __future__ import annotations

from pathlib import Path

import pytest

from policykg.build import parallel
from policykg.build.parallel import ArticleFailed, ArticleResult, WorkerConfig, run_ordered
from policykg.build.pipeline import BuildOptions, build_corpus
from policykg.graph.model import Article, Skipped
from policykg.graph.rdf import to_nquads

ROOT = Path(__file__).resolve().parent.parent
CORPUS = [ROOT / "corpus" / "sample", ROOT / "corpus" / "dev"]
FILES = ("graph.nq", "graph.trig", "graph.ttl", "report.json", "validation.txt", "state.json")


def test_two_workers_give_the_same_bytes_as_one(tmp_path: Path) -> None:
    one = build_corpus(CORPUS, out=tmp_path / "j1", options=BuildOptions(views=False, jobs=1))
    two = build_corpus(CORPUS, out=tmp_path / "j2", options=BuildOptions(views=False, jobs=2))
    n = 3 + len(list(CORPUS[1].glob("*.txt")))     # the sample page holds three articles
    assert one.articles == two.articles and len(one.articles) == n
    assert two.extracted == n and one.conforms is True
    for name in FILES:
        assert (tmp_path / "j1" / name).read_bytes() == (tmp_path / "j2" / name).read_bytes(), name


def _article(i: int) -> Article:
    return Article(id=f"t-{i}", source="t.txt", index=i, title=f"t{i}", authors=(),
                   affiliations=(), paragraphs=("济南与青岛加快推动济青联动。",))


def test_results_come_in_input_order_and_other_items_pass_through() -> None:
    items = [_article(1), Skipped("x.bin", "not a .txt or .md file"), _article(2)]
    out = list(run_ordered(items, config=WorkerConfig(validate=False), jobs=1))
    assert [type(x) for x in out] == [ArticleResult, Skipped, ArticleResult]
    assert [out[0].article_id, out[2].article_id] == ["t-1", "t-2"]
    # the worker's N-Quads are the article's block of graph.nq, byte for byte
    assert out[0].nquads == to_nquads([parallel.local_extractor(WorkerConfig(validate=False))
                                       .extract(items[0])])


def test_an_extractor_crash_skips_only_that_article(monkeypatch) -> None:
    parallel.init_worker(WorkerConfig(validate=False))
    real = parallel._extractor.extract

    def extract(article: Article):
        if article.id == "t-2":
            raise KeyError("boom")
        return real(article)

    monkeypatch.setattr(parallel._extractor, "extract", extract)
    out = list(run_ordered([_article(1), _article(2), _article(3)],
                           config=WorkerConfig(validate=False), jobs=1))
    assert [type(x) for x in out] == [ArticleResult, ArticleFailed, ArticleResult]
    assert out[1].reason == ("internal error while extracting article t-2 (KeyError: 'boom'); "
                             "please report it")


def test_jobs_must_be_positive() -> None:
    with pytest.raises(ValueError, match="^jobs must be at least 1, got 0$"):
        list(run_ordered([], config=WorkerConfig(), jobs=0))
