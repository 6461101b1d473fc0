"""`policykg serve`: a real oxigraph server process over a built store.

Runtime: about 3 s (two CLI processes, one server start).
"""
from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from policykg.graph.rdf import entity_iri
from policykg.graph.server import (
    OxigraphServer, ServeError, free_port, port_in_use, store_location,
)

CLI = [sys.executable, "-m", "policykg.build.cli"]


def sparql(url: str, query: str) -> list[dict]:
    req = urllib.request.Request(url + "/query?" + urllib.parse.urlencode({"query": query}),
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)["results"]["bindings"]


def test_serve_answers_sparql_and_stops_on_ctrl_c(small_output: Path, tmp_path: Path) -> None:
    out = small_output
    port = free_port()
    p = subprocess.Popen([*CLI, "serve", "--store", str(out), "--port", str(port)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = p.stdout.readline()
        assert first.startswith(f"SPARQL endpoint  http://127.0.0.1:{port}/query"), first
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
    assert stdout.endswith("stopped\n")
    assert not port_in_use("127.0.0.1", port)  # the server process is gone


def test_serve_says_when_the_port_is_taken(small_output: Path, tmp_path: Path) -> None:
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


def test_server_object_starts_and_stops(small_output: Path, tmp_path: Path) -> None:
    out = small_output
    server = OxigraphServer(store_location(out), port=free_port())
    with server:
        rows = sparql(server.url, "SELECT (COUNT(DISTINCT ?g) AS ?n) { GRAPH ?g { ?s ?p ?o } }")
        assert rows[0]["n"]["value"] == "2"
        proc = server.process
    assert server.process is None and proc.poll() is not None
    t0 = time.monotonic()
    with pytest.raises(OSError):
        urllib.request.urlopen(server.url + "/", timeout=2)
    assert time.monotonic() - t0 < 5
