"""--cluster: the articles extracted on a Dask cluster (build/cluster.py) give the bytes of
--jobs 1; a lost worker's article runs again elsewhere; an article whose workers keep
dying, or a worker of another version, stops the build with a clear error and leaves the
previous output alone.

Needs the optional extra ``.[cluster]`` (skipped without it). Runtime: about 40 s (a
LocalCluster of two processes started twice, workers killed and restarted, five
builds of the bundled corpus).
"""
from __future__ import annotations

import json
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("distributed")

import cloudpickle  # noqa: E402
import dask  # noqa: E402
from distributed import Client, LocalCluster, WorkerPlugin  # noqa: E402
from typer.testing import CliRunner  # noqa: E402

from policykg.build.cli import app  # noqa: E402
from policykg.build.cluster import worker_identity  # noqa: E402
from policykg.build.learn import read_model  # noqa: E402
from policykg.build.parallel import WorkerConfig  # noqa: E402
from policykg.build.parallel import ClusterError  # noqa: E402
from policykg.build.pipeline import BuildOptions, build_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
CORPUS = [ROOT / "corpus" / "sample", ROOT / "corpus" / "dev"]
FILES = ("graph.nq", "graph.trig", "graph.ttl", "report.json", "validation.txt", "state.json")
FIRST = "policykg-article-0-"        # the task key of the corpus's first article

# the workers cannot import this file: send its functions by value
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def _bytes(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in FILES}


def _tree(out: Path) -> dict[str, bytes]:
    return {str(p.relative_to(out)): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("j1") / "out"
    report = build_corpus(CORPUS, out=out, options=BuildOptions(views=False, jobs=1))
    assert report.ok and report.extracted == len(report.articles) > 3
    return out


@pytest.fixture(scope="module")
def cluster() -> Iterator[tuple[str, Client]]:
    """Two worker processes; a task whose workers died twice fails (KilledWorker). The
    nannies set their workers' environment in os.environ: restored for the later tests."""
    environ = dict(os.environ)
    try:
        with dask.config.set({"distributed.scheduler.allowed-failures": 1}), \
                LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                             dashboard_address=None, silence_logs=logging.CRITICAL) as lc, \
                Client(lc) as client:
            yield lc.scheduler_address, client
    finally:
        os.environ.clear()
        os.environ.update(environ)


def _killer(marker: Path | None) -> WorkerPlugin:
    """A plugin that kills its worker process as the first article starts executing:
    once (the first worker to create ``marker``) or, without a marker, every time."""

    class KillOnFirstArticle(WorkerPlugin):   # a local class: pickled by value
        name = "kill-on-first-article"

        def transition(self, key: object, start: str, finish: str, **kwargs: object) -> None:
            if finish != "executing" or not str(key).startswith(FIRST):
                return
            if marker is not None:
                try:
                    os.close(os.open(marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY))
                except FileExistsError:
                    return
            os._exit(1)

    return KillOnFirstArticle()


def test_cluster_local_writes_the_bytes_of_jobs_1(tmp_path: Path, baseline: Path) -> None:
    out = tmp_path / "out"
    environ = dict(os.environ)
    res = CliRunner().invoke(app, ["build", *map(str, CORPUS), "--out", str(out), "--no-views",
                                   "--cluster", "local", "--jobs", "2", "--quiet"])
    assert res.exit_code == 0, res.output
    assert _bytes(out) == _bytes(baseline)
    # the LocalCluster's worker environment (OMP_NUM_THREADS=1 …) stays out of the caller's
    assert dict(os.environ) == environ


def test_a_killed_worker_s_article_runs_again_elsewhere(tmp_path: Path, baseline: Path,
                                                        cluster: tuple[str, Client]) -> None:
    address, client = cluster
    client.register_plugin(_killer(tmp_path / "killed-once"))
    try:
        report = build_corpus(CORPUS, out=tmp_path / "out",
                              options=BuildOptions(views=False, cluster=address))
    finally:
        client.unregister_worker_plugin("kill-on-first-article")
    assert (tmp_path / "killed-once").is_file()      # a worker did die mid-build
    assert report.ok and report.extracted == len(report.articles)
    assert _bytes(tmp_path / "out") == _bytes(baseline)


def test_an_article_that_keeps_killing_workers_stops_the_build(
        tmp_path: Path, baseline: Path, cluster: tuple[str, Client]) -> None:
    address, client = cluster
    out = tmp_path / "out"
    build_corpus(CORPUS, out=out, options=BuildOptions(views=False))
    before = _tree(out)
    client.register_plugin(_killer(None))
    try:
        with pytest.raises(ClusterError) as e:
            build_corpus(CORPUS, out=out,
                         options=BuildOptions(views=False, cluster=address, incremental=False))
    finally:
        client.unregister_worker_plugin("kill-on-first-article")
    first = json.loads((baseline / "state.json").read_text(encoding="utf-8"))["articles"][0]
    assert str(e.value) == (
        f"{address}: the workers running article {first['id']} ({first['source']}) "
        "died 2 times; the build stopped and "
        "the previous output is unchanged; see the workers' logs (out of memory?)")
    assert _tree(out) == before
    assert not list(tmp_path.glob(".out.staging-*"))


def _pretend_version(version: str | None) -> None:
    """Run on the workers: report another policykg version (None: the real one)."""
    from policykg.build import cluster as c

    if version is None:
        c._package_version = c._real_package_version      # type: ignore[attr-defined]
    else:
        c._real_package_version = getattr(c, "_real_package_version", c._package_version)
        c._package_version = lambda: version


def test_a_worker_of_another_version_is_refused(tmp_path: Path,
                                                cluster: tuple[str, Client]) -> None:
    address, client = cluster
    client.wait_for_workers(2)
    workers = sorted(client.nthreads())
    client.run(_pretend_version, "9.9.9", workers=[workers[0]])
    try:
        with pytest.raises(ClusterError) as e:
            build_corpus(CORPUS, out=tmp_path / "out",
                         options=BuildOptions(views=False, cluster=address))
    finally:
        client.run(_pretend_version, None, workers=[workers[0]])
    me = worker_identity(WorkerConfig())
    assert str(e.value) == (
        f"{address}: worker {workers[0]} runs policykg 9.9.9 (extractor {me.extractor}), this "
        f"build needs policykg {me.version} (extractor {me.extractor}); install the same "
        "version on every worker")
    assert not (tmp_path / "out").exists()


def test_no_scheduler_at_the_address_is_a_clear_error(tmp_path: Path, monkeypatch) -> None:
    from policykg.build import cluster
    from policykg.graph.server import free_port

    monkeypatch.setattr(cluster, "CONNECT_TIMEOUT", 1.0)

    address = f"tcp://127.0.0.1:{free_port()}"
    res = CliRunner().invoke(app, ["build", str(CORPUS[0]), "--out", str(tmp_path / "out"),
                                   "--cluster", address, "--quiet"])
    assert res.exit_code == 2
    assert res.output.startswith(f"error: {address}: cannot connect to the Dask scheduler (")
    assert res.output.replace("\n", "").endswith(
        f"); start it with `dask scheduler` and workers with `dask worker {address}`, or "
        "build with --cluster local")


@pytest.mark.parametrize(("args", "message"), [
    (["--cluster", "10.0.0.1:8786"],
     "error: --cluster must be tcp://HOST:PORT of a Dask scheduler or local, got '10.0.0.1:8786'"),
    (["--cluster", "tcp://10.0.0.1:8786", "--jobs", "4"],
     "error: --jobs 4 sets this machine's processes; with --cluster tcp://10.0.0.1:8786 the "
     "workers are the ones `dask worker` started: drop --jobs"),
])
def test_bad_cluster_options_are_refused(tmp_path: Path, args: list[str], message: str) -> None:
    res = CliRunner().invoke(app, ["build", str(CORPUS[0]), "--out", str(tmp_path / "out"),
                                   *args, "--quiet"])
    assert res.exit_code == 2
    assert res.output.replace("\n", "") == message
    assert not (tmp_path / "out").exists()


def test_a_worker_with_another_model_is_another_extractor() -> None:
    """The identity the workers must match names the learned model: a rules-only
    worker (or one with another model file) is refused like another version."""
    shipped, rules_only = worker_identity(WorkerConfig()), worker_identity(WorkerConfig(rules_only=True))
    assert shipped.version == rules_only.version
    assert shipped.extractor != rules_only.extractor
    assert shipped.extractor.split("+")[0].endswith(read_model().digest)
