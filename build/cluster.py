"""A Dask cluster as the build's distributed engine (``policykg build --cluster``).

:class:`ClusterWorkers` is an :class:`~policykg.build.parallel.Executor` like the
``--jobs`` process pool: the client (this process) reads the corpus and submits each
article to the workers of a Dask distributed scheduler, which run
:func:`~policykg.build.parallel.process_article` (extraction, RDF blocks, per-article
SHACL); the results come back in corpus order with a bounded number in flight, and
RDF assembly, the store, the dumps and the views stay here. So the output is the one
of ``--jobs 1``, byte for byte.

* ``address`` is ``tcp://HOST:8786`` (a running ``dask scheduler``) or ``local``
  (a LocalCluster of this machine's processes, started and stopped by the build).
* On connect, every worker must run the same policykg and extractor as this process
  (:func:`worker_identity`: the package version and the extractor key the build's
  cache fingerprints use); each task checks it again, for workers that join later.
* A worker lost mid-build: the scheduler runs its articles again on other workers;
  an article whose workers keep dying (``distributed.scheduler.allowed-failures``)
  stops the build with a :class:`~policykg.build.parallel.ClusterError` — and a
  build that stops never touches the previous output.

Needs the optional extra ``policykg[cluster]`` (``dask[distributed]``).
"""
from __future__ import annotations

import logging
import os
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version as package_version
from typing import Any

from policykg.build.parallel import (
    ArticleFailed, ArticleResult, ClusterError, WorkerConfig, config_version, init_worker,
    map_ordered, process_article,
)
from policykg.graph.model import Article

__all__ = ["Identity", "ClusterWorkers", "worker_identity", "run_article"]

#: seconds to wait for the scheduler to answer, and for a first worker to connect
CONNECT_TIMEOUT = 30.0
WORKER_WAIT = 60.0
#: seconds between checks that the cluster still has workers while waiting for a result
POLL = 5.0
#: task retries when the task itself raises (worker loss is retried by the scheduler)
RETRIES = 2


@dataclass(frozen=True)
class Identity:
    """What decides an article's graph on a worker: the package and extractor versions."""

    version: str                    #: policykg's package version
    extractor: str                  #: the extractor key of the build's cache fingerprints

    def describe(self) -> str:
        return f"policykg {self.version} (extractor {self.extractor})"


def _package_version() -> str:
    try:
        return package_version("policykg")
    except PackageNotFoundError:    # run from a source tree without installing
        return "unknown"


def worker_identity(config: WorkerConfig) -> Identity:
    """This process's :class:`Identity` for ``config`` (its extractor key includes the
    learned model's digest: a worker with another model file is another extractor).

    >>> worker_identity(WorkerConfig()) == worker_identity(WorkerConfig())
    True
    """
    from policykg.build.state import code_version

    return Identity(_package_version(), f"{config_version(config)}+{code_version()}")


@dataclass(frozen=True)
class _WrongWorker:
    """A task ran on a worker whose identity is not the client's."""

    identity: Identity
    worker: str                     #: its address


_checked: Identity | None = None    # this worker process's identity, once it matched


def run_article(article: Article, config: WorkerConfig,
                expected: Identity) -> ArticleResult | ArticleFailed | _WrongWorker:
    """The task a worker runs: :func:`process_article`, after checking it is the same
    policykg as the client's (once per process)."""
    global _checked
    if _checked != expected:
        mine = worker_identity(config)
        if mine != expected:
            from distributed import get_worker

            return _WrongWorker(mine, get_worker().address)
        _checked = mine
    init_worker(config)
    return process_article(article)


class ClusterWorkers:
    """The articles' work on a Dask cluster; ``window`` articles in flight per worker thread.

    ``workers`` is how many worker processes ``address="local"`` starts (default: one
    per CPU); a remote cluster has the workers its ``dask worker`` commands started.
    """

    def __init__(self, config: WorkerConfig, *, address: str, workers: int | None = None,
                 window: int = 4) -> None:
        self.config, self.address, self.window = config, address, window
        self.n_workers = workers or os.cpu_count() or 1
        self.identity = worker_identity(config)
        self._client: Any = None
        self._cluster: Any = None
        self._token = uuid.uuid4().hex[:12]    # keys of this build's tasks, unique per build

    def __enter__(self) -> ClusterWorkers:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ClusterError(
                f"--cluster {self.address}: Dask is not installed; install it with "
                "pip install 'policykg[cluster]' (on this machine and every worker)") from None
        try:
            if self.address == "local":
                # LocalCluster's nannies set their workers' environment (OMP_NUM_THREADS=1,
                # OPENBLAS_NUM_THREADS=1, PYTHONHASHSEED …) in this process's os.environ;
                # it must not leak into the caller (a notebook; `policykg train` run later
                # from it gave other bytes with one BLAS thread)
                environ = dict(os.environ)
                try:
                    self._cluster = LocalCluster(
                        n_workers=self.n_workers, threads_per_worker=1, processes=True,
                        dashboard_address=None, silence_logs=logging.ERROR)
                finally:
                    os.environ.clear()
                    os.environ.update(environ)
                self._client = Client(self._cluster, timeout=CONNECT_TIMEOUT)
            else:
                self._client = Client(self.address, timeout=CONNECT_TIMEOUT)
        except (OSError, ValueError) as e:
            self.__exit__(type(e))
            raise ClusterError(
                f"{self.address}: cannot connect to the Dask scheduler ({e}); start it with "
                f"`dask scheduler` and workers with `dask worker {self.address}`, or build "
                "with --cluster local") from None
        try:
            self._check_workers()
        except BaseException as e:
            self.__exit__(type(e))
            raise
        return self

    def __exit__(self, exc_type: object, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None

    def _check_workers(self) -> None:
        try:
            self._client.wait_for_workers(1, timeout=WORKER_WAIT)
        except TimeoutError:
            raise ClusterError(
                f"{self.address}: no Dask worker connected within {WORKER_WAIT:g} s; start "
                f"workers with `dask worker {self.address}` on the machines") from None
        found = self._client.run(worker_identity, self.config, on_error="return")
        for worker, got in sorted(found.items()):
            if isinstance(got, BaseException):
                raise ClusterError(
                    f"{self.address}: worker {worker} cannot run policykg "
                    f"({type(got).__name__}: {got}); install {self.identity.describe()} "
                    "on every worker")
            self._refuse(worker, got)

    def _refuse(self, worker: str, got: Identity) -> None:
        if got != self.identity:
            raise ClusterError(
                f"{self.address}: worker {worker} runs {got.describe()}, this build needs "
                f"{self.identity.describe()}; install the same version on every worker")

    def version(self) -> str:
        return config_version(self.config)

    def map(self, items: Iterable[Any]) -> Iterator[Any]:
        client, counter = self._client, iter(range(1 << 62))
        threads = sum(client.nthreads().values()) or 1

        def submit(art: Article) -> Any:
            # the key names the article's position, so a task is easy to find in the logs
            return client.submit(run_article, art, self.config, self.identity,
                                 key=f"policykg-article-{next(counter)}-{self._token}",
                                 retries=RETRIES)

        futures: list[Any] = []
        try:
            for res in map_ordered(lambda art: _remember(futures, submit(art)), items,
                                   limit=threads * self.window, result=self._result):
                yield res
        finally:
            client.cancel([f for f in futures if not f.done()])

    def _result(self, fut: Any, art: Article) -> Any:
        from distributed import KilledWorker

        while True:
            try:
                res = fut.result(timeout=POLL)
                break
            except TimeoutError:
                if not self._client.nthreads():
                    self._wait_for_a_worker(art)
            except KilledWorker as e:
                raise ClusterError(
                    f"{self.address}: the workers running article {art.id} ({art.source}) "
                    f"died {getattr(e, 'allowed_failures', 0) + 1} times; the build stopped and "
                    "the previous output is unchanged; see the workers' logs (out of "
                    "memory?)") from None
            except Exception as e:  # noqa: BLE001 - the task raised on the workers
                raise ClusterError(
                    f"{self.address}: article {art.id} ({art.source}) failed on the workers "
                    f"({type(e).__name__}: {e}); the build stopped and the previous output "
                    "is unchanged") from None
        if isinstance(res, _WrongWorker):
            self._refuse(res.worker, res.identity)
        return res

    def _wait_for_a_worker(self, art: Article) -> None:
        try:
            self._client.wait_for_workers(1, timeout=WORKER_WAIT)
        except TimeoutError:
            raise ClusterError(
                f"{self.address}: every worker left while article {art.id} ({art.source}) "
                f"was running, and none came back within {WORKER_WAIT:g} s; the build "
                "stopped and the previous output is unchanged") from None


def _remember(futures: list[Any], fut: Any) -> Any:
    # drop the finished ones, so the list stays as short as the window
    futures[:] = [f for f in futures if not f.done()]
    futures.append(fut)
    return fut
