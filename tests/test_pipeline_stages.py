"""The build's stages (build/pipeline.py) run one by one, outside build_corpus: read →
extract/RDF (the executor) → store and dumps → summary give the bytes of a build.

Runtime: about 5 s (two builds of the bundled corpus, no SHACL, no views).
"""
from __future__ import annotations

from pathlib import Path

from policykg.build.parallel import WorkerConfig, Workers
from policykg.build.pipeline import (
    BuildOptions, _collect_articles, _Corpus, _dumps_stage, _store_stage, _StoreLoader,
    _summary_stage, build_corpus,
)
from policykg.build.state import CACHE_DIR
from policykg.graph.store import GraphStore

ROOT = Path(__file__).resolve().parent.parent
CORPUS = [ROOT / "corpus" / "sample", ROOT / "corpus" / "dev"]


def test_the_stages_one_by_one_write_the_dumps_of_a_build(tmp_path: Path) -> None:
    opts = BuildOptions(views=False, validate=False)
    report = build_corpus(CORPUS, out=tmp_path / "built", options=opts)
    staging = tmp_path / "staging"
    (staging / CACHE_DIR).mkdir(parents=True)
    events = []
    with Workers(WorkerConfig(validate=False)) as workers, \
            GraphStore.open(staging / "store") as store, _StoreLoader(store, staging) as loader:
        corpus = _Corpus(CORPUS, prev=None, cache=tmp_path / "no-previous", options=opts,
                         version=workers.version())
        arts = _collect_articles(workers.map(corpus), corpus=corpus, prev=None,
                                 prev_cache=tmp_path / "no-previous", cache=staging / CACHE_DIR,
                                 loader=loader, options=opts, notify=events.append)
        summary_file, _ = _summary_stage(arts.summary, staging=staging, loader=loader)
        union = _dumps_stage(arts.records, cache=staging / CACHE_DIR, staging=staging,
                             summary_file=summary_file)
        loader.close()
        assert _store_stage(store, arts.records) == 0
        assert len(store.article_ids()) == len(report.articles)
    assert tuple(r.id for r in arts.records) == report.articles
    assert (arts.extracted, arts.reused, arts.skipped) == (len(report.articles), 0, ())
    assert [e.articles for e in events] == list(range(1, len(report.articles) + 1))
    assert corpus.todo == {}            # every article handed out came back
    assert dict(sorted(union.entities.items())) == report.entities_by_type
    for name in ("graph.nq", "graph.trig", "graph.ttl"):
        assert (staging / name).read_bytes() == (tmp_path / "built" / name).read_bytes(), name
