"""`policykg serve`: a real oxigraph server process over a built store, restarted
on the new store after a rebuild.

Runtime: about 8 s (three CLI processes, two small builds, a few server starts).
"""
from __future__ import annotations

import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from policykg.graph.rdf import entity_iri, graph_iri
from policykg.graph.summary import SUMMARY_GRAPH
from policykg.graph.server import (
    OxigraphServer, ReloadingServer, ServeError, free_port, port_in_use, store_location,
)

CLI = [sys.executable, "-m", "policykg.build.cli"]
GRAPHS = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"


def header(port: int, out: Path | None) -> list[str]:
    """The lines `policykg serve` starts with."""
    return [(f"SPARQL endpoint  http://127.0.0.1:{port}/query  (read-only; the default graph "
             "is the union of all article graphs)\n"),
            f"query UI         http://127.0.0.1:{port}/\n",
            *([f"reloads by itself when {out} is rebuilt\n"] if out else []),
            "press Ctrl-C to stop\n"]


def lines_of(p: subprocess.Popen) -> queue.Queue:
    """The lines ``p`` prints on stdout, as they come (read without blocking the test)."""
    q: queue.Queue = queue.Queue()

    def read() -> None:
        for line in p.stdout:
            q.put(line)
        q.put(None)
    threading.Thread(target=read, daemon=True).start()
    return q


def test_serve_answers_sparql_and_stops_on_ctrl_c(small_output: Path, sparql) -> None:
    out = small_output
    port = free_port()
    p = subprocess.Popen([*CLI, "serve", "--store", str(out), "--port", str(port)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert [p.stdout.readline() for _ in range(4)] == header(port, out)
        rows = sparql(f"http://127.0.0.1:{port}",
                      "PREFIX pkg: <https://w3id.org/policykg/ontology#> "
                      "SELECT ?a ?b WHERE { ?a pkg:coordinatesWith ?b } ORDER BY ?a")
        assert [r["a"]["value"] for r in rows] == [str(entity_iri("济南")), str(entity_iri("深圳"))]
        # the query UI
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as r:
            assert r.status == 200 and b"<html" in r.read(2000).lower()
        # a read-only endpoint refuses updates
        with pytest.raises(urllib.error.HTTPError):
            urllib.request.urlopen(urllib.request.Request(
                f"http://127.0.0.1:{port}/update", data=b"update=CLEAR ALL", method="POST"),
                timeout=10)
        p.send_signal(signal.SIGINT)
        stdout, stderr = p.communicate(timeout=15)
    finally:
        if p.poll() is None:
            p.kill()
    assert p.returncode == 0, stderr
    assert stdout == "stopped\n"
    assert not port_in_use("127.0.0.1", port)  # the server process is gone


def test_serve_restarts_on_the_new_store_after_a_rebuild(build_texts, sparql) -> None:
    out = build_texts({"a.txt": "济南与青岛加快推动联动发展。\n"})
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    p = subprocess.Popen([*CLI, "serve", "--store", str(out), "--port", str(port)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = lines_of(p)
        assert [lines.get(timeout=30) for _ in range(4)] == header(port, out)
        # the article graph and the summary graph the build derives from it
        assert [r["g"]["value"] for r in sparql(url, GRAPHS)] == [str(graph_iri("a-1")),
                                                                 SUMMARY_GRAPH]

        # a rebuild (incremental: it reads the served store) with another article
        build_texts({"a.txt": "济南与青岛加快推动联动发展。\n", "b.txt": "深圳与香港加强合作。\n"})
        reloaded = lines.get(timeout=30)
        assert re.fullmatch(rf"\d\d:\d\d:\d\d reloaded: {re.escape(str(out))} was rebuilt "
                            r"\(2 articles\); same URL\n", reloaded), reloaded
        deadline, seen = time.monotonic() + 10, None
        while time.monotonic() < deadline:      # the same port answers with the new data
            try:
                seen = [r["g"]["value"] for r in sparql(url, GRAPHS)]
                break
            except OSError:                     # restarting just then
                time.sleep(0.1)
        assert seen == [str(graph_iri("a-1")), str(graph_iri("b-1")), SUMMARY_GRAPH]
        assert p.poll() is None
        p.send_signal(signal.SIGINT)
        assert p.wait(timeout=15) == 0
        assert lines.get(timeout=5) == "stopped\n"
        assert p.stderr.read() == ""
    finally:
        if p.poll() is None:
            p.kill()
    assert not port_in_use("127.0.0.1", port)  # the restarted server is gone too


def test_serve_stops_on_sigterm_without_leaving_the_server(small_output: Path) -> None:
    port = free_port()
    p = subprocess.Popen([*CLI, "serve", "--store", str(small_output / "store"),
                          "--port", str(port)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert [p.stdout.readline() for _ in range(4)] == header(port, small_output)
        p.terminate()
        stdout, stderr = p.communicate(timeout=15)
    finally:
        if p.poll() is None:
            p.kill()
    assert (p.returncode, stdout, stderr) == (0, "stopped\n", "")
    assert not port_in_use("127.0.0.1", port)


def test_a_reload_waits_for_the_port(small_output: Path, sparql) -> None:
    """The old server's port can stay taken for a moment: binding is retried."""
    with ReloadingServer(small_output, port=free_port(), bind_wait_s=0.1) as server:
        assert server.watcher is not None and not server.watcher.changed()
        server.server.stop()
        blocker = socket.socket()
        blocker.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)   # past TIME_WAIT
        blocker.bind(("127.0.0.1", server.server.port))
        blocker.listen()
        threading.Timer(0.5, blocker.close).start()
        t0 = time.monotonic()
        server.reload()
        assert 0.4 < time.monotonic() - t0 < 10 and server.reloads == 1
        assert sparql(server.url, "SELECT (COUNT(*) AS ?n) { GRAPH ?g { ?s ?p ?o } }")
    # a store that is no build output is served, but not watched
    assert ReloadingServer(small_output / "store").watcher is not None
    (small_output / "report.json").unlink()
    assert ReloadingServer(small_output).watcher is None


def test_serve_says_when_the_port_is_taken(small_output: Path) -> None:
    out = small_output
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        r = subprocess.run([*CLI, "serve", "--store", str(out), "--port", str(port)],
                           capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert r.stderr == (f"error: 127.0.0.1:{port} is already in use (another server is "
                        f"listening there); choose another port with --port, e.g. --port "
                        f"{port + 1}, or stop the other program\n")


def test_no_store_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ServeError) as e:
        store_location(tmp_path / "nothing")
    assert str(e.value) == (f"{tmp_path / 'nothing'}: no store found (expected a build output "
                            f"folder with store/ inside); run `policykg build … --out "
                            f"{tmp_path / 'nothing'}` first")


def test_server_object_starts_and_stops(small_output: Path, sparql) -> None:
    out = small_output
    server = OxigraphServer(store_location(out), port=free_port())
    with server:
        rows = sparql(server.url, "SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g { ?s ?p ?o } }")
        assert rows[0]["n"]["value"] == "3"         # two article graphs and the summary
        proc = server.process
    assert server.process is None and proc.poll() is not None
    t0 = time.monotonic()
    with pytest.raises(OSError):
        urllib.request.urlopen(server.url + "/", timeout=2)
    assert time.monotonic() - t0 < 5
