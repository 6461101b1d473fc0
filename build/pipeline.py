"""The main job: corpus → extraction → RDF → store, dumps, validation, views.

:func:`build_corpus` returns a :class:`BuildReport` (data, no printing); the CLI
prints it. How it scales:

* **Streaming.** Articles are read one file at a time and processed one at a time
  (:mod:`policykg.build.parallel`, optionally in ``jobs`` worker processes, or on a
  Dask cluster: :mod:`policykg.build.cluster`); each
  article's named graph goes straight into ``cache/`` — as N-Quads and already
  serialised as its blocks of the TriG and Turtle dumps (the workers do that) —
  and nothing of it stays in memory. A background thread bulk-loads the store
  from the cache in slices while the next articles are extracted; the dumps are
  then the cache files concatenated in graph order, plus an external sort for the
  entities and rules of the Turtle union, so memory stays bounded by the largest
  article and the distinct entities, not by the corpus size.
* **Incremental.** Rebuilding into an existing output folder reuses the cached
  graph of every article whose fingerprint (content, extractor version, code;
  :mod:`policykg.build.state`) did not change, re-extracts the others and drops
  the graphs of articles that are gone. The result is byte-identical to a clean
  build (the dumps only depend on the cached graphs, which only depend on the
  fingerprint).
* **Atomic and locked.** Everything is written to a staging folder beside the
  output (the previous store is copied by a RocksDB checkpoint: hard links, no
  full copy) and swapped in at the end, so a failed or killed build leaves the
  previous output untouched; a lock (:class:`~policykg.build.state.BuildLock`)
  keeps two builds out of the same folder.
* **SHACL** runs per article graph (linear in the corpus; pyshacl-turbo by default,
  ~10 µs per quad, in the workers, and cached for unchanged articles), on the summary
  graph, plus cheap global checks on the union (one rdfs:label / pkg:adcode per entity
  across all graphs: the only shape constraints an article-local check cannot see,
  because every article graph describes its own entities completely).

Output folder layout::

    out/
      graph.trig     all named graphs (one per article, then the summary graph)
      graph.nq       the same as N-Quads (graph by graph, in the order of graph.trig)
      graph.ttl      the union of all graphs as Turtle
      store/         the embedded Oxigraph store (policykg query / serve / push)
      views/         index.html, article/<id>.html, place/<slug>.html
      report.json    summary: articles, entities per type, relations per predicate,
                     skipped inputs, reader warnings (an unreadable date …), SHACL conformance
      validation.txt SHACL results (with --validate)
      state.json     per-article fingerprints for incremental rebuilds
      cache/         per article: its N-Quads, its blocks of graph.trig / graph.ttl, its
                     shared triples as merge keys and its facts for the summary graph
                     (what incremental rebuilds reuse)

The summary graph (:mod:`policykg.graph.summary`) is recomputed by every build from
the facts of the articles it keeps (merged as each article comes: from its worker, or
from the cache when reused; one entry per distinct entity and relation, so this
memory does not grow with the corpus), written to a file in the staging folder that
the store loader thread bulk-loads after the article graphs while the dumps are
written, and appended to the dumps (its IRI sorts after theirs). It is in the store
even when empty (an empty corpus).
"""
from __future__ import annotations

import glob
import heapq
import itertools
import json
import os
import queue
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from policykg.build.parallel import (
    ArticleFailed, ArticleResult, Executor, WorkerConfig, Workers,
)
from policykg.build.reader import iter_corpus
from policykg.build.state import (
    CACHE_DIR, STATE_FILE, ArticleRecord, BuildLock, BuildState, LockBusy, cache_name,
    code_version, fingerprint, shapes_version,
)
from policykg.graph.model import ReadWarning, Skipped
from policykg.graph.rdf import (
    PREFIXES, atomic_file, atomic_write, from_shared_key, serialize_body, split_prefixes,
)
from policykg.graph.store import GraphStore
from policykg.graph.summary import SummaryBuilder, summary_trig, summary_turtle, write_summary
from policykg.ontology.namespace import ENTITY_TYPES, PREDICATES

__all__ = ["OutputError", "BuildOptions", "BuildProgress", "BuildReport", "build_corpus"]


class OutputError(Exception):
    """The output folder cannot be used (not a policykg output, or locked by another build)."""


@dataclass(frozen=True)
class BuildOptions:
    segmenter: str = "rjieba"
    min_confidence: float = 0.0
    views: bool = True
    validate: bool = True
    shacl_engine: str = "fast"      #: graph.validate.ENGINES: fast (pyshacl-turbo) or pyshacl
    jobs: int = 1                   #: extraction processes (with cluster="local": its workers)
    #: a Dask scheduler (``tcp://HOST:8786``) or ``"local"`` to extract on (build/cluster.py)
    cluster: str | None = None
    incremental: bool = True        #: reuse unchanged articles of the previous build in ``out``
    wait: float = 60.0              #: seconds to wait for another build's lock
    rules_only: bool = False        #: build without the learned model
    model_path: str | None = None   #: model file other than the shipped one (`policykg train --out`)


@dataclass(frozen=True)
class BuildProgress:
    """One progress event: ``stage`` is ``waiting``, ``articles`` or ``writing``."""

    stage: str
    articles: int = 0
    extracted: int = 0
    reused: int = 0
    chars: int = 0
    source: str = ""
    message: str = ""


@dataclass(frozen=True)
class BuildReport:
    out: Path
    articles: tuple[str, ...]
    skipped: tuple[Skipped, ...]
    entities_by_type: dict[str, int]
    relations_by_predicate: dict[str, int]
    conforms: bool | None
    validation_text: str
    seconds: float
    outputs: dict[str, str] = field(default_factory=dict)
    extracted: int = 0              #: articles extracted in this build
    reused: int = 0                 #: articles whose cached graph was reused
    removed: int = 0                #: articles of the previous build that are gone
    quads: int = 0                  #: distinct quads in the dataset
    chars: int = 0                  #: characters of article text read
    #: seconds per stage; extract/rdf/validate summed over workers (CPU-ish time)
    timings: dict[str, float] = field(default_factory=dict)
    #: what the reader left out of articles that were built (an unreadable date …)
    warnings: tuple[ReadWarning, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.skipped and self.conforms is not False

    def to_json(self) -> str:
        # nothing run-dependent (time, reuse counts): a rebuild gives the same file
        return json.dumps({
            "articles": list(self.articles),
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "warnings": [{"path": w.path, "line": w.line, "message": w.message}
                         for w in self.warnings],
            "entities_by_type": self.entities_by_type,
            "relations_by_predicate": self.relations_by_predicate,
            "conforms": self.conforms,
            "outputs": self.outputs,
        }, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


@dataclass(frozen=True)
class _Reuse:
    record: ArticleRecord
    chars: int


Progress = Callable[[BuildProgress], None]


def build_corpus(paths: Sequence[Path], *, out: Path, options: BuildOptions = BuildOptions(),
                 progress: Progress | None = None) -> BuildReport:
    """Build (or incrementally rebuild) the output folder ``out`` from ``paths``."""
    t0 = time.perf_counter()
    out = Path(out)
    if options.jobs < 1:
        raise ValueError(f"jobs must be at least 1, got {options.jobs}")
    _check_output(out)
    notify = progress or (lambda _e: None)

    def waiting(pid: int | None) -> None:
        who = f"pid {pid}" if pid else "another process"
        notify(BuildProgress("waiting", message=f"waiting up to {options.wait:g} s for the "
                                                f"build of {out} by {who}…"))

    try:
        lock = BuildLock(out, wait=options.wait, on_wait=waiting).acquire()
    except LockBusy as e:
        raise OutputError(str(e)) from None
    try:
        _recover(out)
        _check_output(out)
        return _build_locked(paths, out=out, options=options, notify=notify, t0=t0)
    finally:
        lock.release()


def _check_output(out: Path) -> None:
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "report.json").exists())):
        raise OutputError(
            f"{out}: exists and is not a policykg output folder (no report.json); "
            "choose an empty or new folder with --out, or remove it first")


def _siblings(out: Path, kind: str) -> list[Path]:
    return sorted(Path(p) for p in glob.glob(glob.escape(str(out.with_name(f".{out.name}.{kind}-"))) + "*"))


def _recover(out: Path) -> None:
    """Under the lock: finish a swap a killed build left half done, drop its leftovers."""
    olds = _siblings(out, "old")
    if not out.exists() and olds:
        os.replace(olds[-1], out)       # killed between the two renames of _swap_in
    for p in _siblings(out, "old") + _siblings(out, "staging"):
        shutil.rmtree(p, ignore_errors=True)


def _build_locked(paths: Sequence[Path], *, out: Path, options: BuildOptions,
                  notify: Progress, t0: float) -> BuildReport:
    with _executor(options) as workers:
        return _build_with(paths, out=out, options=options, notify=notify, t0=t0,
                           workers=workers)


def _executor(options: BuildOptions) -> Executor:
    """Where the articles are extracted: this machine's processes or a Dask cluster."""
    config = WorkerConfig(segmenter=options.segmenter, min_confidence=options.min_confidence,
                          validate=options.validate, shacl_engine=options.shacl_engine,
                          rules_only=options.rules_only, model_path=options.model_path)
    if options.cluster is None:
        return Workers(config, jobs=options.jobs)
    from policykg.build.cluster import ClusterWorkers

    return ClusterWorkers(config, address=options.cluster,
                          workers=options.jobs if options.jobs > 1 else None)


def _build_with(paths: Sequence[Path], *, out: Path, options: BuildOptions, notify: Progress,
                t0: float, workers: Executor) -> BuildReport:
    """The stages the progress line names, in order: read → extract → RDF → validate (per
    article, streamed through ``workers``) → store and dumps → summary → views; each is a
    function of its own below, so that it can be timed, tested and swapped."""
    version = workers.version()     # decides which cached graphs are still valid
    prev = _previous_state(out, options)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.staging-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        prev = _checkpoint_store(out, staging, prev)
        cache = staging / CACHE_DIR
        cache.mkdir()
        with GraphStore.open(staging / "store") as store, \
                _StoreLoader(store, staging) as loader:
            corpus = _Corpus(paths, prev=prev, cache=out / CACHE_DIR, version=version,
                             options=options)
            arts = _collect_articles(workers.map(corpus), corpus=corpus, prev=prev,
                                     prev_cache=out / CACHE_DIR, cache=cache, loader=loader,
                                     options=options, notify=notify)
            timings = Counter(arts.timings)
            timings["articles_wall"] = time.perf_counter() - t0
            records = arts.records

            def writing(message: str) -> None:
                notify(BuildProgress("writing", articles=len(records), chars=arts.chars,
                                     extracted=arts.extracted, reused=arts.reused,
                                     message=message))

            ts = time.perf_counter()
            summary_file, n_summary = _summary_stage(arts.summary, staging=staging, loader=loader)
            timings["summary"] = time.perf_counter() - ts
            # the summary is rebuilt every time, so validated every time: in a thread, beside
            # the dumps (pyshacl-turbo validates without holding the GIL)
            summary_check = _validate_later(summary_file, options.shacl_engine, timings) \
                if options.validate else None

            writing("writing dumps")
            ts = time.perf_counter()
            union = _dumps_stage(records, cache=cache, staging=staging, summary_file=summary_file)
            n_quads = sum(r.quads for r in records) + n_summary
            timings["dumps"] = time.perf_counter() - ts

            writing("loading the store")
            ts = time.perf_counter()
            timings["store"] = loader.close()      # the loads still queued, then the thread ends
            timings["summary_load"] = loader.summary_busy
            summary_file.unlink()
            removed = _store_stage(store, records)
            timings["store_wait"] = time.perf_counter() - ts

            outputs = {"trig": "graph.trig", "nquads": "graph.nq", "turtle": "graph.ttl",
                       "store": "store", "report": "report.json"}
            conforms, vtext = None, ""
            if options.validate:
                conforms, vtext = _validate_stage(
                    records, union.violations, summary_check.result() if summary_check else (),
                    staging=staging, engine=options.shacl_engine)
                outputs["validation"] = "validation.txt"
            if options.views:
                notify(BuildProgress("writing", articles=len(records), message="writing views"))
                ts = time.perf_counter()
                _views_stage(store, records, staging=staging, previous=out / "views")
                timings["views"] = time.perf_counter() - ts
                outputs["views"] = "views/index.html"

        report = BuildReport(
            out=out, articles=tuple(r.id for r in records), skipped=arts.skipped,
            entities_by_type=dict(sorted(union.entities.items())),
            relations_by_predicate=dict(sorted(union.relations.items())),
            conforms=conforms, validation_text=vtext,
            seconds=time.perf_counter() - t0, outputs=outputs,
            extracted=arts.extracted, reused=arts.reused, removed=removed,
            quads=n_quads, chars=arts.chars, timings=dict(sorted(timings.items())),
            warnings=tuple(corpus.warnings),
        )
        atomic_write(staging / "report.json", report.to_json().encode("utf-8"))
        atomic_write(staging / STATE_FILE,
                     BuildState(articles=records,
                                shapes=shapes_version(options.shacl_engine) if options.validate
                                else "").to_bytes())
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


# ------------------------------------------------------------------- the stages
def _previous_state(out: Path, options: BuildOptions) -> BuildState | None:
    """The previous build in ``out`` that an incremental build reuses, if any."""
    prev = BuildState.load(out) if options.incremental and out.is_dir() else None
    if prev is not None and options.validate and prev.shapes != shapes_version(options.shacl_engine):
        # validation results of another shapes version cannot be reused
        prev = BuildState(articles=tuple(replace(r, validated=False) for r in prev.articles),
                          shapes=prev.shapes)
    return prev


def _checkpoint_store(out: Path, staging: Path, prev: BuildState | None) -> BuildState | None:
    """Start the staging store from the previous one (None: build everything again)."""
    if prev is None:
        return None
    # a RocksDB checkpoint: hard-linked files, cheap even for a big store
    try:
        ox.Store.read_only(str(out / "store")).backup(str(staging / "store"))
    except OSError:     # unreadable previous store: build everything again
        shutil.rmtree(staging / "store", ignore_errors=True)
        return None
    return prev


class _Corpus:
    """The read stage: the corpus's items in order — an Article to extract, the
    :class:`_Reuse` of an unchanged article's cached graph, or a Skipped input. It
    remembers each article's source and the fingerprint of those it hands out for
    extraction (``todo``, emptied by :func:`_collect_articles` as results come)."""

    def __init__(self, paths: Sequence[Path], *, prev: BuildState | None, cache: Path,
                 version: str, options: BuildOptions) -> None:
        self.paths, self.prev, self.cache, self.options = list(paths), prev, cache, options
        self.version, self.code = version, code_version()
        self.sources: dict[str, str] = {}                # article id → source
        self.todo: dict[str, tuple[str, int]] = {}       # article id → (fingerprint, chars)
        self.warnings: list[ReadWarning] = []            # what the reader left out

    def __iter__(self) -> Iterator[object]:
        prev, validate = self.prev, self.options.validate
        for item in iter_corpus(self.paths, on_warning=self.warnings.append):
            if isinstance(item, Skipped):
                yield item
                continue
            if item.id in self.sources:
                yield Skipped(item.source, f"article id {item.id} is already built from "
                                           f"{self.sources[item.id]}; rename one of the files")
                continue
            self.sources[item.id] = item.source
            fp = fingerprint(item, extractor_version=self.version,
                             min_confidence=self.options.min_confidence, code=self.code)
            rec = prev.by_id.get(item.id) if prev is not None else None
            if (rec is not None and rec.fingerprint == fp
                    and (rec.validated or not validate)
                    and all(f.is_file() for f in _cached(self.cache, rec.cache))):
                yield _Reuse(rec, len(item.text))
            else:
                self.todo[item.id] = (fp, len(item.text))
                yield item


@dataclass(frozen=True)
class _Articles:
    """What the article stages leave: the kept articles' records in corpus order (their
    graphs are in the staging cache/ and queued for the store), the skipped inputs, the
    kept articles' merged facts for the summary graph, counts and per-stage seconds."""

    records: tuple[ArticleRecord, ...]
    skipped: tuple[Skipped, ...]
    summary: SummaryBuilder
    extracted: int
    reused: int
    chars: int
    timings: dict[str, float]       #: extract / rdf / validate, summed over workers


def _collect_articles(results: Iterable[object], *, corpus: _Corpus, prev: BuildState | None,
                      prev_cache: Path, cache: Path, loader: _StoreLoader,
                      options: BuildOptions, notify: Progress) -> _Articles:
    """The results of extract → RDF → validate (from the executor, in corpus order)
    into the staging cache/ and the store loader's queue, one article at a time."""
    records: list[ArticleRecord] = []
    skipped: list[Skipped] = []
    n = Counter[str]()
    timings = Counter[str]()
    summary = SummaryBuilder()   # the kept articles' facts, merged as they come
    for res in results:
        if isinstance(res, Skipped):
            skipped.append(res)
            continue
        if isinstance(res, ArticleFailed):
            corpus.todo.pop(res.article_id)
            skipped.append(Skipped(res.source, res.reason))
            continue
        if isinstance(res, _Reuse):
            rec = res.record
            if not options.validate:
                rec = replace(rec, validated=False, conforms=None, results=())
            for src, dst in zip(_cached(prev_cache, rec.cache), _cached(cache, rec.cache)):
                _link(src, dst)
            summary.add_bytes(_cached(cache, rec.cache)[4].read_bytes())
            n["reused"] += 1
            n["chars"] += res.chars
        else:
            assert isinstance(res, ArticleResult)
            fp, chars = corpus.todo.pop(res.article_id)
            rec = ArticleRecord(
                id=res.article_id, source=corpus.sources[res.article_id], title=res.title,
                fingerprint=fp, cache=cache_name(res.article_id), quads=res.quads,
                validated=res.validated, conforms=res.conforms, results=res.results)
            for stage, secs in zip(("extract", "rdf", "validate"), res.timings):
                timings[stage] += secs
            for f, data in zip(_cached(cache, rec.cache),
                               (res.nquads, res.trig, res.turtle, res.shared, res.facts)):
                f.write_bytes(data)
            summary.add_bytes(res.facts)
            if prev is not None and rec.id in prev.by_id:
                loader.remove(rec.id)              # its previous graph
            loader.add(cache / rec.cache)
            n["extracted"] += 1
            n["chars"] += chars
        records.append(rec)
        notify(BuildProgress("articles", articles=len(records), chars=n["chars"],
                             extracted=n["extracted"], reused=n["reused"], source=rec.source))
    return _Articles(records=tuple(records), skipped=tuple(skipped), summary=summary,
                     extracted=n["extracted"], reused=n["reused"], chars=n["chars"],
                     timings=dict(timings))


def _summary_stage(summary: SummaryBuilder, *, staging: Path,
                   loader: _StoreLoader) -> tuple[Path, int]:
    """The summary graph (graph/summary.py) of the kept articles, written to a file that
    the loader thread bulk-loads (in Rust, without the GIL) after its last slice, while
    this thread writes the dumps; returns the file and its number of quads."""
    summary_file = staging / ".summary.nq"
    with open(summary_file, "wb") as fh:   # written node by node, never held whole
        n_summary = write_summary(summary.table(), fh)
    loader.replace_summary(summary_file)
    return summary_file, n_summary


def _dumps_stage(records: Sequence[ArticleRecord], *, cache: Path, staging: Path,
                 summary_file: Path) -> _UnionStats:
    """graph.nq, graph.trig and graph.ttl from the cache files and the summary graph;
    returns the union's counts and violations (what only the whole graph shows)."""
    # every cache file is one graph's block of the dumps' order: write them graph by
    # graph; the summary graph's IRI sorts after the article graphs': its block is last
    ordered = sorted(records, key=lambda r: _graph_sort_key(r.id))
    files = [_cached(cache, r.cache) for r in ordered]
    nq, trig, ttl, keys = [list(c) for c in zip(*files)][:4] if files else ([], [], [], [])
    tmp = Path(tempfile.mkdtemp(dir=staging, prefix=".sort-"))
    _write_concat(staging / "graph.nq", [*nq, summary_file])
    _write_concat(staging / "graph.trig", trig, head=_prefix_block(ox.RdfFormat.TRIG),
                  tail=summary_trig(summary_file))
    union = _write_turtle(staging / "graph.ttl", keys, ttl, tmp=tmp,
                          tail=summary_turtle(summary_file))
    shutil.rmtree(tmp, ignore_errors=True)
    return union


def _store_stage(store: GraphStore, records: Sequence[ArticleRecord]) -> int:
    """After the loader is done: drop the graphs of articles not kept (deleted, failed or
    duplicate) and flush; returns how many were dropped."""
    kept = {r.id for r in records}
    removed = 0
    for art_id in store.article_ids():
        if art_id not in kept:
            store.remove_article(art_id)
            removed += 1
    store.flush()
    return removed


def _validate_stage(records: Sequence[ArticleRecord], union: Sequence[tuple[str, str, str]],
                    summary: Sequence[tuple[str, str, str]], *, staging: Path,
                    engine: str) -> tuple[bool, str]:
    """validation.txt from the per-article SHACL results, the summary graph's (see
    :func:`_validate_later`) and the union's violations."""
    conforms, vtext = _validation(records, union, summary, engine=engine)
    atomic_write(staging / "validation.txt", vtext.encode("utf-8"))
    return conforms, vtext


def _views_stage(store: GraphStore, records: Sequence[ArticleRecord], *, staging: Path,
                 previous: Path) -> None:
    from policykg.graph.views import write_views

    # unchanged pages of the previous build (``previous``) are hard-linked, not rewritten
    write_views(store.inner, staging / "views", articles={r.id: r.title for r in records},
                reuse=previous)


# ------------------------------------------------------------------------ store
#: N-Quads bytes per bulk load into the store: the loader needs ~6x this in memory (a
#: constant), and larger slices cost less CPU (16 MB: 17 s, 32 MB: 14 s, 64 MB: 11.5 s
#: for 800 k quads; peak RSS 110 / 200 / 310 MB)
BULK_BYTES = 32 << 20


class _StoreLoader:
    """Loads the new article graphs into the store in a background thread while the
    next articles are extracted: pyoxigraph's bulk loader works without holding the
    GIL, so it runs on a core extraction leaves free. Every store write of the
    extraction phase (dropping an article's previous graph, loading new ones) goes
    through its queue and runs in order. Bulk loads (~3x faster than transactional
    ones) take slices of BULK_BYTES, so the loader's memory does not grow with the
    corpus."""

    def __init__(self, store: GraphStore, folder: Path) -> None:
        self.store, self.folder = store, folder
        self._queue: queue.SimpleQueue[tuple[str, Any] | None] = queue.SimpleQueue()
        self._part: list[Path] = []
        self._size = 0
        self._slices = itertools.count()
        self._stopping = False
        self.error: BaseException | None = None
        self.busy = 0.0                     #: seconds spent writing to the store
        self.summary_busy = 0.0             #: of which replacing the summary graph
        self._thread = threading.Thread(target=self._run, name="policykg-store-loader",
                                        daemon=True)

    def __enter__(self) -> _StoreLoader:
        self._thread.start()
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self._thread.is_alive():         # the build failed: stop after the current load
            self._stopping = True
            self._queue.put(None)
            self._thread.join()

    def remove(self, article_id: str) -> None:
        """Drop an article's graph (after the loads queued so far)."""
        self._raise()
        self._submit()
        self._queue.put(("remove", article_id))

    def add(self, nquads_file: Path) -> None:
        """Load a cache file (with the next slice)."""
        self._raise()
        self._part.append(nquads_file)
        self._size += nquads_file.stat().st_size
        if self._size >= BULK_BYTES:
            self._submit()

    def replace_summary(self, nquads_file: Path) -> None:
        """Replace the summary graph by that file's quads (after the loads queued so far)."""
        self._raise()
        self._submit()
        self._queue.put(("summary", nquads_file))

    def close(self) -> float:
        """Load what is left and wait for the thread; returns the seconds it spent writing."""
        self._submit()
        self._queue.put(None)
        self._thread.join()
        self._raise()
        return self.busy

    def _submit(self) -> None:
        if self._part:
            self._queue.put(("load", self._part))
            self._part, self._size = [], 0

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error

    def _run(self) -> None:
        while (task := self._queue.get()) is not None:
            if self.error is not None or self._stopping:
                continue                    # drain the queue without working
            t0 = time.perf_counter()
            try:
                kind, arg = task
                if kind == "remove":
                    self.store.remove_article(arg)
                elif kind == "summary":
                    self.store.replace_summary(path=arg)
                    self.summary_busy += time.perf_counter() - t0
                else:
                    self._load(arg)
            except BaseException as e:  # noqa: BLE001 - handed to the main thread
                self.error = e
            self.busy += time.perf_counter() - t0

    def _load(self, files: Sequence[Path]) -> None:
        # one file per slice, so that the bulk loader reads it in Rust, without the GIL
        part = self.folder / f".load-{next(self._slices)}.nq"
        try:
            with open(part, "wb") as out:
                for f in files:
                    with open(f, "rb") as src:
                        shutil.copyfileobj(src, out, 1 << 20)
            self.store.inner.bulk_load(path=str(part), format=ox.RdfFormat.N_QUADS, lenient=True)
        finally:
            part.unlink(missing_ok=True)


def _link(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:     # file systems without hard links
        shutil.copyfile(src, dst)


# ------------------------------------------------------------------------ dumps
def _read_lines(path: Path) -> Iterator[str]:
    with open(path, encoding="utf-8", newline="\n") as fh:
        yield from fh


def _write_lines(path: Path, lines: Iterable[str]) -> int:
    """Write lines to ``path`` atomically; returns how many."""
    n = 0
    with atomic_file(path) as fh:
        for line in lines:
            fh.write(line.encode("utf-8"))
            n += 1
    return n


#: Files merged at once, lines per in-memory sort run, triples per Turtle slice:
#: memory stays bounded by these, whatever the corpus size.
FAN_IN = 64
SORT_RUN = 200_000
TURTLE_CHUNK = 20_000


def _merge_files(files: Sequence[Path], *, tmp: Path) -> Iterator[str]:
    """Distinct lines of sorted files, sorted; merges at most FAN_IN files at a time."""
    files = list(files)
    counter = itertools.count()
    while len(files) > FAN_IN:
        merged = []
        for i in range(0, len(files), FAN_IN):
            run = tmp / f"run-{next(counter)}"
            _write_lines(run, _distinct(heapq.merge(*map(_read_lines, files[i:i + FAN_IN]))))
            merged.append(run)
        files = merged
    yield from _distinct(heapq.merge(*map(_read_lines, files)))


def _distinct(lines: Iterable[str]) -> Iterator[str]:
    last = None
    for line in lines:
        if line != last:
            yield line
            last = line


def _external_sort(lines: Iterable[str], *, tmp: Path) -> Iterator[str]:
    """Sorted distinct ``lines`` (each ending in \\n); runs of SORT_RUN lines spill to ``tmp``."""
    run = SORT_RUN
    runs: list[Path] = []
    buf: set[str] = set()
    for line in lines:
        buf.add(line)
        if len(buf) >= run:
            runs.append(tmp / f"sort-{len(runs)}")
            _write_lines(runs[-1], sorted(buf))
            buf = set()
    if not runs:
        yield from sorted(buf)
        return
    if buf:
        runs.append(tmp / f"sort-{len(runs)}")
        _write_lines(runs[-1], sorted(buf))
    yield from _merge_files(runs, tmp=tmp)


#: An article's cache files (rdf.GraphBlocks): its N-Quads (what the store loads and
#: graph.nq concatenates), its graph.trig block, its own subjects' graph.ttl block,
#: its shared-subject triples as sorted merge keys and its facts for the summary graph.
CACHE_SUFFIXES = (".nq", ".trig", ".ttl", ".keys", ".sum")


def _cached(folder: Path, name: str) -> tuple[Path, Path, Path, Path, Path]:
    stem = name.removesuffix(".nq")
    return tuple(folder / (stem + suffix) for suffix in CACHE_SUFFIXES)  # type: ignore[return-value]


def _graph_sort_key(article_id: str) -> str:
    from policykg.graph.rdf import graph_iri

    return f"<{graph_iri(article_id)}>"     # the writers order graphs by their N-Triples form


def _prefix_block(fmt: ox.RdfFormat) -> bytes:
    """The ``@prefix`` lines pyoxigraph writes at the top of a TriG / Turtle file."""
    q = ox.Quad(ox.NamedNode(PREFIXES["entity"] + "x"), ox.NamedNode(PREFIXES["rdf"] + "type"),
                ox.NamedNode(PREFIXES["pkg"] + "Entity"))
    return split_prefixes(ox.serialize([q.triple if fmt == ox.RdfFormat.TURTLE else q],
                                       format=fmt, prefixes=PREFIXES))[0]


def _write_concat(path: Path, files: Sequence[Path], *, head: bytes = b"",
                  tail: bytes = b"") -> None:
    """``path``: ``head`` (when there is anything after it), the files' bytes, ``tail``."""
    with atomic_file(path) as fh:
        _copy_files(fh, files, head=head, tail=tail)


def _copy_files(fh: IO[bytes], files: Sequence[Path], *, head: bytes = b"",
                tail: bytes = b"") -> None:
    """Write ``head`` (only before the first data), the files, then ``tail``."""
    for f in files:
        with open(f, "rb") as src:
            data = src.read(1 << 20)
            if data and head:
                fh.write(head)
                head = b""
            while data:
                fh.write(data)
                data = src.read(1 << 20)
    if tail:
        fh.write(head + tail)


def _write_turtle(path: Path, keys: Sequence[Path], own: Sequence[Path], *,
                  tmp: Path, tail: bytes = b"") -> _UnionStats:
    """graph.ttl (= to_turtle_union): the shared subjects' triples (entities, rules) of
    all graphs merged and sorted — an external sort, so memory stays bounded — then
    every graph's own subjects, concatenated in graph order (an article's, assertion's
    or evidence node's triples are all in its article's graph)."""
    union = _UnionStats()
    head = _prefix_block(ox.RdfFormat.TURTLE)
    with atomic_file(path) as fh:
        buf: list[str] = []
        last = None
        lines = _external_sort(itertools.chain.from_iterable(map(_read_lines, keys)), tmp=tmp)
        for s, p, o in union.watch(lines):
            if len(buf) >= TURTLE_CHUNK and s != last:   # slices cut between subjects
                fh.write(head + _turtle(buf))
                head, buf = b"", []
            buf.append(f"{s} {p} {o} .\n")
            last = s
        if buf:
            fh.write(head + _turtle(buf))
            head = b""
        _copy_files(fh, own, head=head, tail=tail)
    return union


_RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"


class _UnionStats:
    """Counts entities per type and relations per predicate in the (distinct, sorted)
    union stream, and checks what only the union can break: one rdfs:label and at
    most one pkg:adcode per entity across all article graphs."""

    def __init__(self) -> None:
        self.entities: Counter[str] = Counter()
        self.relations: Counter[str] = Counter()
        self.violations: list[tuple[str, str, str]] = []
        pkg = PREFIXES["pkg"]
        self._types = {f"<{pkg}{t}>": t for t in ENTITY_TYPES}
        self._preds = {f"<{pkg}{p}>": p for p in PREDICATES}
        self._entity = "<" + PREFIXES["entity"]
        self._single = {"<http://www.w3.org/2000/01/rdf-schema#label>": "rdfs:label",
                        f"<{pkg}adcode>": "pkg:adcode"}

    def watch(self, lines: Iterable[str]) -> Iterator[tuple[str, str, str]]:
        subject, values = None, Counter[str]()
        for line in lines:
            s, p, o = from_shared_key(line)
            if s != subject:
                self._check(subject, values)
                subject, values = s, Counter()
            if s.startswith(self._entity):
                if p == _RDF_TYPE and o in self._types:
                    self.entities[self._types[o]] += 1
                elif p in self._single:
                    values[p] += 1
            if p in self._preds:
                self.relations[self._preds[p]] += 1
            yield s, p, o
        self._check(subject, values)

    def _check(self, subject: str | None, values: Counter[str]) -> None:
        for p, k in sorted(values.items()):
            if k > 1:
                self.violations.append((subject[1:-1], p[1:-1],  # type: ignore[index]
                                        f"{self._single[p]} must have one value across all "
                                        f"article graphs, found {k}"))


def _turtle(lines: list[str]) -> bytes:
    # already sorted and distinct: serialise in this order (as to_turtle_union would)
    return serialize_body(ox.parse("".join(lines), format=ox.RdfFormat.N_TRIPLES),
                          ox.RdfFormat.TURTLE)


# ------------------------------------------------------------------- validation
def _validate_later(nquads: Path, engine: str, timings: Counter[str]) -> Future[Any]:
    """The rows of ``nquads``'s SHACL results, computed in a thread (its seconds go to
    ``timings["validate_summary"]``). Read before the caller deletes the file."""
    from policykg.graph.validate import validate

    data = nquads.read_bytes()

    def rows() -> tuple[tuple[str, str, str], ...]:
        ts = time.perf_counter()
        out = tuple(r.row for r in validate(data, engine=engine).results)  # type: ignore[arg-type]
        timings["validate_summary"] = time.perf_counter() - ts
        return out

    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="policykg-shacl")
    try:
        return pool.submit(rows)
    finally:
        pool.shutdown(wait=False)   # the task runs on; the thread ends after it


def _validation(records: Sequence[ArticleRecord], union: Sequence[tuple[str, str, str]],
                summary: Sequence[tuple[str, str, str]] = (), *,
                engine: str = "fast") -> tuple[bool, str]:
    """Conformance and the text of validation.txt (deterministic, sorted)."""
    rows = sorted((r.id, *res) for r in records for res in r.results)
    rows += sorted(("(summary)", *res) for res in summary)
    rows += sorted(("(all graphs)", *v) for v in union)
    violations = [row for row in rows if not row[3].startswith(("Warning:", "Info:"))]
    conforms = all(r.conforms is not False for r in records) and not violations
    lines = [
        f"SHACL validation (policykg/ontology/shapes.ttl, engine {engine}): each article graph "
        "on its own, the summary graph,",
        "plus one rdfs:label / pkg:adcode per entity across all graphs.",
        f"Conforms: {conforms}",
        f"Article graphs: {len(records)}",
        f"Results: {len(rows)} ({len(violations)} violations)",
    ]
    for art, focus, path, message in rows:
        lines.append(f"{art}\t{focus}\t{path or '-'}\t{message}")
    return conforms, "\n".join(lines) + "\n"


def _swap_in(staging: Path, out: Path) -> None:
    """Replace ``out`` by ``staging``; the old folder survives until the new one is in
    place (a build killed between the two renames is repaired by the next one)."""
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists():
        os.replace(out, old)
    os.replace(staging, out)
    shutil.rmtree(old, ignore_errors=True)
