"""`policykg push`: Graph Store Protocol PUTs into a real read-write oxigraph server.

Runtime: about 4 s (one server, one CLI process, a few local sockets).
"""
from __future__ import annotations

import base64
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from policykg.graph.push import PushError, credentials, push
from policykg.graph.rdf import graph_iri
from policykg.graph.server import OxigraphServer, free_port


CLI = [sys.executable, "-m", "policykg.build.cli"]
COUNTS = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")


def counts(url: str) -> dict[str, int]:
    req = urllib.request.Request(url + "/query?" + urllib.parse.urlencode({"query": COUNTS}),
                                 headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=10) as r:
        rows = json.load(r)["results"]["bindings"]
    return {row["g"]["value"]: int(row["n"]["value"]) for row in rows}


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_push_puts_one_graph_per_article_and_is_idempotent(small_output: Path, tmp_path: Path) -> None:
    out = small_output
    with OxigraphServer(tmp_path / "server", port=free_port(), read_only=False) as server:
        # unrelated data on the server stays
        urllib.request.urlopen(urllib.request.Request(
            server.url + "/store?graph=urn%3Aother", method="PUT",
            data=b"<urn:a> <urn:b> <urn:c> .\n", headers={"Content-Type": "text/turtle"}))
        r = subprocess.run([*CLI, "push", "--store", str(out), "--endpoint", server.url + "/store"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stderr
        first = counts(server.url)
        g1, g2 = str(graph_iri("demo-1")), str(graph_iri("demo-2"))
        assert set(first) == {g1, g2, "urn:other"} and first["urn:other"] == 1
        total = first[g1] + first[g2]
        assert r.stdout == f"pushed 2 graphs ({total} triples) to {server.url}/store\n"
        again = push(out, endpoint=server.url + "/store")
        assert counts(server.url) == first                     # nothing duplicated
        assert [g.status for g in again.graphs] == [204, 204]   # replaced, not created
        assert again.triples == total


def test_dry_run_sends_nothing(small_output: Path, tmp_path: Path) -> None:
    out = small_output
    port = free_port()              # nothing listens there
    r = subprocess.run([*CLI, "push", "--store", str(out), "--dry-run",
                        "--endpoint", f"http://127.0.0.1:{port}/store"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("would PUT") and lines[0].endswith(
        f"http://127.0.0.1:{port}/store?graph=https%3A%2F%2Fw3id.org%2Fpolicykg%2Fid%2Fg%2Fdemo-1")
    assert lines[-1].startswith("dry run: 2 graphs, ") and lines[-1].endswith("; nothing sent")


def test_a_refused_connection_is_a_clear_error_and_changes_nothing(small_output: Path, tmp_path: Path) -> None:
    out = small_output
    before = snapshot(out)
    port = free_port()
    r = subprocess.run([*CLI, "push", "--store", str(out),
                        "--endpoint", f"http://127.0.0.1:{port}/store"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert r.stderr == (f"error: cannot connect to http://127.0.0.1:{port}: connection refused "
                        "(is the server running, and is the port right?); nothing was sent\n")
    assert snapshot(out) == before


def test_a_server_that_never_answers_times_out(small_output: Path, tmp_path: Path) -> None:
    out = small_output
    before = snapshot(out)
    with socket.socket() as mute:     # accepts connections (backlog), never answers
        mute.bind(("127.0.0.1", 0))
        mute.listen()
        port = mute.getsockname()[1]
        with pytest.raises(PushError) as e:
            push(out, endpoint=f"http://127.0.0.1:{port}/store", timeout=0.5)
    assert str(e.value) == (f"http://127.0.0.1:{port} did not answer within 0.5 s; check that "
                            "the server is up and not overloaded, or allow more time with "
                            "--timeout; nothing was sent")
    assert snapshot(out) == before


class _AuthServer(http.server.BaseHTTPRequestHandler):
    seen: list[str | None] = []

    def do_PUT(self) -> None:  # noqa: N802 - http.server API
        self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append(self.headers.get("Authorization"))
        ok = self.headers.get("Authorization") == "Basic " + base64.b64encode(b"ann:pw").decode()
        self.send_response(204 if ok else 401)
        if not ok:
            self.send_header("WWW-Authenticate", 'Basic realm="kg"')
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a: object) -> None:
        pass


def test_basic_auth_from_an_environment_variable(small_output: Path, tmp_path: Path) -> None:
    out = small_output
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AuthServer)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/store"
    try:
        creds = credentials(url, auth_env="KG_AUTH", environ={"KG_AUTH": "ann:pw"})
        report = push(out, endpoint=url, creds=creds)
        assert [g.status for g in report.graphs] == [204, 204]
        wrong = credentials(url, auth_env="KG_AUTH", environ={"KG_AUTH": "ann:nope"})
        with pytest.raises(PushError) as e:
            push(out, endpoint=url, creds=wrong)
        assert str(e.value) == (
            f"{url}: HTTP 401 Unauthorized (the credentials from $KG_AUTH were rejected); pass "
            "user:password in an environment variable with --auth-env VAR or add a ~/.netrc "
            "entry for 127.0.0.1; nothing was sent")
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_credentials_from_netrc_and_bad_variables(tmp_path: Path) -> None:
    rc = tmp_path / "netrc"
    rc.write_text("machine kg.example.org login ann password pw\n")
    os.chmod(rc, 0o600)
    c = credentials("https://kg.example.org/store", netrc_file=rc)
    assert (c.user, c.password) == ("ann", "pw") and "pw" not in repr(c)
    assert credentials("https://other.example.org/store", netrc_file=rc) is None
    with pytest.raises(PushError) as e:
        credentials("http://h/", auth_env="KG_AUTH", environ={})
    assert str(e.value) == ("environment variable KG_AUTH (from --auth-env) is not set; set it "
                            "to user:password, e.g. export KG_AUTH='admin:…'")
    with pytest.raises(PushError) as e:
        push(tmp_path, endpoint="localhost:7878/store")
    assert str(e.value) == ("--endpoint 'localhost:7878/store' is not an http(s) URL; give the "
                            "server's Graph Store Protocol URL, e.g. http://localhost:7878/store "
                            "(Oxigraph) or http://localhost:3030/ds/data (Fuseki)")
