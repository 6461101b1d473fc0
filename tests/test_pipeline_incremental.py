"""Incremental, streaming, locked builds (build/pipeline.py, build/state.py).

Runtime: about 20 s (small builds of the dev texts, views off; one killed build process).
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.build import pipeline
from policykg.build.extract import Extractor
from policykg.build.pipeline import BuildOptions, OutputError, build_corpus
from policykg.build.reader import iter_corpus
from policykg.build.state import BuildLock
from policykg.graph.model import Article
from policykg.graph.rdf import article_oxigraph, to_nquads, to_trig, to_turtle_union
from policykg.graph.store import GraphStore
from policykg.graph.summary import article_facts, to_summary

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "corpus" / "dev"
SAMPLE = ROOT / "corpus" / "sample"
FILES = ("graph.nq", "graph.trig", "graph.ttl", "report.json", "validation.txt", "state.json")
OPTS = BuildOptions(views=False)


def _corpus(tmp: Path) -> Path:
    """The four first dev texts (02–09): enough for every case, and quick."""
    corpus = tmp / "corpus"
    corpus.mkdir()
    for text in sorted(DEV.glob("0*.txt")):
        shutil.copy(text, corpus / text.name)
    return corpus


def _files(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in FILES if (out / name).exists()}


def test_incremental_rebuild_equals_clean_build(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    out = tmp_path / "out"
    first = build_corpus([corpus], out=out, options=OPTS)
    assert (first.extracted, first.reused, first.removed) == (4, 0, 0)

    # add a file of three articles, change one article, delete another
    shutil.copy(SAMPLE / "000_3c3239678a321f59.txt", corpus / "000_sample.txt")
    changed = corpus / "05_sina_gba_five_trillion_cities.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n济南与青岛加快推动济青联动。\n",
                       encoding="utf-8")
    (corpus / "09_wuhequan_chatgpt_digital_tech.txt").unlink()

    again = build_corpus([corpus], out=out, options=OPTS)
    assert (again.extracted, again.reused, again.removed) == (4, 2, 1)
    clean = build_corpus([corpus], out=tmp_path / "clean", options=OPTS)
    assert (clean.extracted, clean.reused) == (6, 0)
    assert _files(out) == _files(tmp_path / "clean")
    assert set(_files(out)) == set(FILES)
    # the store holds exactly what the dumps hold
    with GraphStore.open(out / "store", read_only=True) as st:
        assert st.article_ids() == tuple(sorted(clean.articles))
        assert to_nquads(st) == (out / "graph.nq").read_bytes()
    # nothing to do: everything reused, same files
    third = build_corpus([corpus], out=out, options=OPTS)
    assert (third.extracted, third.reused, third.removed) == (0, 6, 0)
    assert _files(out) == _files(tmp_path / "clean")


def test_streamed_dumps_equal_the_in_memory_writers(tmp_path: Path, monkeypatch) -> None:
    # tiny runs, slices and fan-in force the spill-and-merge paths on a small corpus
    monkeypatch.setattr(pipeline, "SORT_RUN", 500)
    monkeypatch.setattr(pipeline, "TURTLE_CHUNK", 50)
    monkeypatch.setattr(pipeline, "FAN_IN", 2)
    out = tmp_path / "out"
    report = build_corpus([DEV], out=out, options=BuildOptions(views=False, validate=False))
    ex = Extractor()
    graphs = [ex.extract(a) for a in iter_corpus([DEV]) if isinstance(a, Article)]
    # the article graphs, then the summary graph derived from them (its IRI sorts last)
    summary = to_summary(map(article_facts, graphs))
    quads = [q for ag in graphs for q in article_oxigraph(ag)]
    quads += ox.parse(summary, format=ox.RdfFormat.N_QUADS)
    assert summary and (out / "graph.nq").read_bytes() == to_nquads(graphs) + summary
    assert (out / "graph.nq").read_bytes() == to_nquads(quads)
    assert (out / "graph.trig").read_bytes() == to_trig(quads)
    assert (out / "graph.ttl").read_bytes() == to_turtle_union(quads)
    assert report.quads == to_nquads(quads).count(b"\n")
    assert not (out / "validation.txt").exists() and report.conforms is None


def test_a_second_build_stops_with_the_holders_pid(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with BuildLock(out):
        with pytest.raises(OutputError) as e:
            build_corpus([DEV], out=out, options=BuildOptions(views=False, wait=0))
    assert str(e.value) == (
        f"{out}: another policykg build (pid {os.getpid()}) is writing this output folder "
        "(lock .out.lock; waited 0 s); wait for it to finish or stop it, build into another "
        "--out, or allow a longer --wait")
    assert not out.exists()


def test_a_failed_build_leaves_the_previous_output(tmp_path: Path, monkeypatch) -> None:
    corpus = _corpus(tmp_path)
    out = tmp_path / "out"
    build_corpus([corpus], out=out, options=OPTS)
    before = _files(out)
    (corpus / "09_wuhequan_chatgpt_digital_tech.txt").unlink()

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pipeline, "_write_turtle", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        build_corpus([corpus], out=out, options=OPTS)
    assert _files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "corpus", "out"]
    with GraphStore.open(out / "store", read_only=True) as st:
        assert len(st.article_ids()) == 4


def test_a_swap_killed_half_way_is_repaired(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    out = tmp_path / "out"
    build_corpus([corpus], out=out, options=OPTS)
    before = _files(out)
    os.replace(out, tmp_path / ".out.old-99999")   # killed between the two renames
    again = build_corpus([corpus], out=out, options=OPTS)
    assert again.reused == 4 and _files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "corpus", "out"]


def test_changing_min_confidence_re_extracts(tmp_path: Path) -> None:
    out, corpus = tmp_path / "out", _corpus(tmp_path)
    build_corpus([corpus], out=out, options=BuildOptions(views=False, validate=False))
    r = build_corpus([corpus], out=out, options=BuildOptions(views=False, validate=False,
                                                             min_confidence=0.9))
    assert (r.extracted, r.reused) == (4, 0)
    # validation now on: records without validation results are re-extracted too
    r = build_corpus([corpus], out=out, options=BuildOptions(views=False, min_confidence=0.9))
    assert (r.extracted, r.reused) == (4, 0) and r.conforms is True


def test_a_killed_build_leaves_the_previous_output(tmp_path: Path, stopped_build) -> None:
    corpus = _corpus(tmp_path)
    out = tmp_path / "out"
    build_corpus([corpus], out=out, options=OPTS)
    before = _files(out)
    shutil.copy(SAMPLE / "000_3c3239678a321f59.txt", corpus / "000_sample.txt")
    # mid-build: stopped (and killed) once its first new article is in the staging cache
    build = stopped_build("extracted=1", corpus, "--out", out, "--no-views", "--quiet")
    assert len(list(tmp_path.glob(".out.staging-*/cache/*.nq"))) == 1
    build.kill()
    assert _files(out) == before
    with GraphStore.open(out / "store", read_only=True) as st:
        assert len(st.article_ids()) == 4
    again = build_corpus([corpus], out=out, options=OPTS)      # cleans up, no stale lock
    assert (again.extracted, again.reused) == (3, 4)
    assert sorted(p.name for p in tmp_path.iterdir()) == [".out.lock", "corpus", "out"]


def test_incremental_build_keeps_unchanged_view_pages(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("02_zhejiang_gov2026_hangyong.txt", "05_sina_gba_five_trillion_cities.txt"):
        shutil.copy(DEV / name, corpus / name)
    out, opts = tmp_path / "out", BuildOptions(validate=False)
    first = build_corpus([corpus], out=out, options=opts)
    page = {a: out / "views" / "article" / f"{a}.html" for a in first.articles}
    a02, a05 = (next(a for a in first.articles if a.startswith(p)) for p in ("02_", "05_"))
    ino = {a: p.stat().st_ino for a, p in page.items()}
    static = (out / "views" / "static" / "vis-network.min.js").stat().st_ino
    # nothing changed: the same files (hard links into the new output), not rewritten
    build_corpus([corpus], out=out, options=opts)
    assert {a: p.stat().st_ino for a, p in page.items()} == ino
    assert (out / "views" / "static" / "vis-network.min.js").stat().st_ino == static
    # one article changes: its page is rewritten, the other's kept (it shares no entity
    # whose relations changed), and the views equal a clean build's
    changed = corpus / "05_sina_gba_five_trillion_cities.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n广州与深圳加快推动广深联动。\n", encoding="utf-8")
    build_corpus([corpus], out=out, options=opts)
    assert page[a05].stat().st_ino != ino[a05]
    clean = tmp_path / "clean"
    build_corpus([corpus], out=clean, options=opts)
    views = sorted(p.relative_to(out).as_posix() for p in (out / "views").rglob("*") if p.is_file())
    assert views == sorted(p.relative_to(clean).as_posix() for p in (clean / "views").rglob("*") if p.is_file())
    assert [v for v in views if (out / v).read_bytes() != (clean / v).read_bytes()] == []
    assert page[a02].stat().st_ino == ino[a02]
