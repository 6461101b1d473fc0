"""Per-article work (extract → RDF → SHACL) in this process or in N worker processes.

:func:`process_article` is the unit of work: an :class:`~policykg.graph.model.Article`
in, an :class:`ArticleResult` out (the article's named graph as N-Quads and
pre-serialised for the dumps, its SHACL results); no ArticleGraph outlives it. :meth:`Workers.map` (or
:func:`run_ordered`) maps it over a stream of articles with ``jobs`` processes
and yields results **in input order**, keeping at most a few tasks per worker in flight, so neither the corpus
nor the results pile up in memory and the output does not depend on ``jobs``.

Workers are started with ``spawn`` (safe with threads, same on every OS) and each
builds its own :class:`~policykg.build.extract.Extractor` once.

>>> from policykg.graph.model import Article
>>> art = Article(id="t-1", source="t.txt", index=1, title="t", authors=(), affiliations=(),
...               paragraphs=("济南、青岛两市加快推动济青联动。",))
>>> [r] = run_ordered([art], config=WorkerConfig(validate=False), jobs=1)
>>> r.article_id, b"coordinatesWith" in r.nquads
('t-1', True)
"""
from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol

from policykg.graph.model import Article

__all__ = ["WorkerConfig", "ArticleResult", "ArticleFailed", "Executor", "ClusterError",
           "Workers", "init_worker", "local_extractor", "process_article", "map_ordered",
           "run_ordered"]


@dataclass(frozen=True)
class WorkerConfig:
    segmenter: str = "rjieba"
    min_confidence: float = 0.0
    validate: bool = True
    shacl_engine: str = "fast"      #: graph.validate.ENGINES
    rules_only: bool = False        #: without the learned model (ontology/models/learned.json)
    model_path: str | None = None   #: another model file than the shipped one


@dataclass(frozen=True)
class ArticleResult:
    """One article's named graph, ready to store and cache."""

    article_id: str
    title: str
    nquads: bytes                   #: distinct N-Quads lines of the article's graph (rdf.article_nquads)
    quads: int
    validated: bool
    conforms: bool | None
    results: tuple[tuple[str, str, str], ...] = ()   #: SHACL (focus, path, message), sorted
    timings: tuple[float, float, float] = (0.0, 0.0, 0.0)  #: seconds: extract, RDF, SHACL
    trig: bytes = b""               #: its block of graph.trig (rdf.GraphBlocks)
    turtle: bytes = b""             #: its own subjects' block of graph.ttl
    shared: bytes = b""             #: its shared-subject triples as sorted merge keys
    facts: bytes = b""              #: its contribution to the summary graph (summary.facts_to_bytes)


@dataclass(frozen=True)
class ArticleFailed:
    """The extractor raised on an article (a bug): the article is skipped, the build goes on."""

    article_id: str
    source: str
    reason: str


class ClusterError(Exception):
    """The distributed engine cannot go on (no scheduler, a worker of another version,
    an article whose workers keep dying): the build stops, the previous output stays."""


class Executor(Protocol):
    """Where the per-article work runs: :class:`Workers` (this machine's processes) or
    :class:`policykg.build.cluster.ClusterWorkers` (a Dask cluster). A context manager."""

    def __enter__(self) -> Executor: ...

    def __exit__(self, exc_type: object, *exc: object) -> None: ...

    def version(self) -> str:
        """The extractor's version (what decides which cached graphs are still valid)."""
        ...

    def map(self, items: Iterable[Any]) -> Iterator[Any]:
        """:func:`process_article` of every Article of ``items`` (other items pass
        through), in input order, with a bounded number of articles in flight."""
        ...


def config_version(config: WorkerConfig) -> str:
    """The version of the extraction ``config`` asks for (segmenter, lexicons, rules and
    the model's digest), worked out without building an Extractor."""
    from policykg.build.extract import extractor_version
    from policykg.build.learn import read_model

    model = "rules-only" if config.rules_only else read_model(config.model_path).digest
    return extractor_version(config.segmenter, model=model)


_extractor: Any = None
_config: WorkerConfig | None = None


def init_worker(config: WorkerConfig) -> None:
    """Build this process's Extractor (once per process)."""
    global _extractor, _config
    from policykg.build.extract import Extractor, ExtractorConfig

    if _config != config or _extractor is None:
        _extractor = Extractor(ExtractorConfig(segmenter=config.segmenter,
                                               min_confidence=config.min_confidence,
                                               rules_only=config.rules_only,
                                               model_path=config.model_path))
        _config = config


def local_extractor(config: WorkerConfig) -> Any:
    """This process's Extractor for ``config`` (built on first use)."""
    init_worker(config)
    return _extractor


def process_article(article: Article) -> ArticleResult | ArticleFailed:
    """Extract one article and turn it into sorted N-Quads (+ SHACL results)."""
    from policykg.graph.rdf import article_blocks
    from policykg.graph.summary import article_facts, facts_to_bytes

    if _extractor is None or _config is None:
        raise RuntimeError("process_article: call init_worker(config) first in this process")
    t0 = time.perf_counter()
    try:
        ag = _extractor.extract(article)
        t1 = time.perf_counter()
        blocks = article_blocks(ag)
        facts = facts_to_bytes(article_facts(ag))
    except Exception as exc:  # noqa: BLE001 - one article must not stop the corpus
        return ArticleFailed(article.id, article.source,
                             f"internal error while extracting article {article.id} "
                             f"({type(exc).__name__}: {exc}); please report it")
    nquads = blocks.nquads.encode("utf-8")
    t2 = time.perf_counter()
    conforms, results = None, ()
    if _config.validate:
        from policykg.graph.validate import validate

        rep = validate(nquads, engine=_config.shacl_engine)  # type: ignore[arg-type]
        conforms, results = rep.conforms, tuple(r.row for r in rep.results)
    return ArticleResult(article.id, article.title, nquads,
                         blocks.nquads.count("\n"), _config.validate, conforms,
                         results,  # type: ignore[arg-type]
                         (t1 - t0, t2 - t1, time.perf_counter() - t2),
                         blocks.trig, blocks.turtle, blocks.shared.encode("utf-8"), facts)


class Workers:
    """``jobs`` extraction processes (or this process when ``jobs`` is 1).

    >>> with Workers(WorkerConfig(validate=False), jobs=1) as w:
    ...     w.version() == local_extractor(WorkerConfig(validate=False)).version
    True
    """

    def __init__(self, config: WorkerConfig, *, jobs: int = 1, window: int = 8) -> None:
        if jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {jobs}")
        self.config, self.jobs, self.window = config, jobs, window
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> Workers:
        if self.jobs > 1:
            self._pool = ProcessPoolExecutor(
                max_workers=self.jobs, mp_context=multiprocessing.get_context("spawn"),
                initializer=init_worker, initargs=(self.config,))
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self._pool is not None:
            # on an error or Ctrl-C, do not wait for queued articles
            self._pool.shutdown(wait=exc_type is None, cancel_futures=True)
            self._pool = None

    def version(self) -> str:
        """The extractor's version. With workers it is worked out here, from the
        lexicon they load, so that the build reads articles while they start."""
        if self._pool is None:
            return local_extractor(self.config).version
        return config_version(self.config)

    def map(self, items: Iterable[Any]) -> Iterator[Any]:
        """:func:`process_article` of every Article in ``items`` (other items pass
        through unchanged), in input order, at most ``window`` tasks per worker in flight."""
        if self._pool is None:
            init_worker(self.config)
            for item in items:
                yield process_article(item) if isinstance(item, Article) else item
            return
        pool = self._pool
        yield from map_ordered(lambda art: pool.submit(process_article, art), items,
                               limit=self.jobs * self.window)


def map_ordered(submit: Callable[[Article], Any], items: Iterable[Any], *, limit: int,
                result: Callable[[Any, Article], Any] = lambda fut, _art: fut.result(),
                ) -> Iterator[Any]:
    """Every Article of ``items`` through ``submit`` (which returns a future: anything
    with ``done()``), the other items passed through; yields ``result(future, article)``
    in input order, with at most ``limit`` futures in flight (so memory stays bounded
    whatever the executor: a process pool or a Dask cluster).

    >>> from concurrent.futures import ThreadPoolExecutor
    >>> art = Article(id="t-1", source="t.txt", index=1, title="t", authors=(),
    ...               affiliations=(), paragraphs=("济南。",))
    >>> with ThreadPoolExecutor(2) as pool:
    ...     list(map_ordered(lambda a: pool.submit(lambda: a.id), ["x", art, "y"], limit=1))
    ['x', 't-1', 'y']
    """
    pending: deque[tuple[Any, Any]] = deque()      # (future or None, item)
    for item in items:
        pending.append((submit(item), item) if isinstance(item, Article) else (None, item))
        while len(pending) > limit or (pending and (pending[0][0] is None
                                                    or pending[0][0].done())):
            yield _take(pending.popleft(), result)
    while pending:
        yield _take(pending.popleft(), result)


def _take(entry: tuple[Any, Any], result: Callable[[Any, Article], Any]) -> Any:
    fut, item = entry
    return item if fut is None else result(fut, item)


def run_ordered(items: Iterable[Any], *, config: WorkerConfig, jobs: int = 1,
                window: int = 8) -> Iterator[Any]:
    """:meth:`Workers.map` with a pool of its own."""
    with Workers(config, jobs=jobs, window=window) as workers:
        yield from workers.map(items)
