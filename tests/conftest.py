"""Shared fixtures."""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
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


#: a stopped build that does not stop within this is hung (a guard, not a speed limit)
HANG_GUARD_S = 120.0


@dataclass(frozen=True)
class StoppedBuild:
    """A ``policykg build`` child process stopped (SIGSTOP) at ``point``."""

    process: subprocess.Popen
    point: str
    log: Path       #: its stdout and stderr

    def kill(self) -> None:
        """SIGKILL: no cleanup code of the build runs."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def resume(self) -> None:
        """SIGCONT: the build goes on (and does not stop at that point again)."""
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def stopped_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., StoppedBuild]]:
    """``stopped_build(point, *build_args)``: run ``policykg build *build_args`` in a child
    process (tests/stopping_build.py) and return once it has stopped itself at ``point``
    (``articles=N``, ``extracted=N``, ``message=TEXT``, ``replaced=GLOB``). Fails if the
    build ends without reaching it; waits for the stop however long the build takes, up
    to a hang guard."""
    logs = tmp_path_factory.mktemp("stopped-build")     # not in the test's own tmp_path
    started: list[subprocess.Popen] = []

    def start(point: str, *args: object) -> StoppedBuild:
        log = logs / f"{len(started)}.log"
        with open(log, "wb") as fh:
            p = subprocess.Popen([sys.executable, str(Path(__file__).with_name("stopping_build.py")),
                                  point, "build", *map(str, args)],
                                 stdout=fh, stderr=subprocess.STDOUT)
        started.append(p)
        deadline = time.monotonic() + HANG_GUARD_S
        while True:
            pid, status = os.waitpid(p.pid, os.WNOHANG | os.WUNTRACED)
            if pid and os.WIFSTOPPED(status):
                return StoppedBuild(p, point, log)
            if pid:     # reaped here: tell Popen, which would not find it any more
                p.returncode = os.waitstatus_to_exitcode(status)
                pytest.fail(f"the build ended (exit code {p.returncode}) without reaching "
                            f"{point}; its output:\n{log.read_text(errors='replace')}")
            if time.monotonic() > deadline:
                pytest.fail(f"the build did not reach {point} within {HANG_GUARD_S:g} s "
                            f"(hung?); its output:\n{log.read_text(errors='replace')}")
            time.sleep(0.005)

    yield start
    for p in started:               # a failed test leaves none stopped or running
        if p.returncode is None:
            p.kill()
            p.wait()
