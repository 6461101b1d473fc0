"""`policykg push`: Graph Store Protocol PUTs (and DELETEs of graphs of removed
articles) into a real read-write oxigraph server; failures against small fake servers.

Runtime: about 10 s (a server per test, two CLI processes, two small builds).
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
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from policykg.build.cli import app
from policykg.graph.push import PushError, credentials, push
from policykg.graph.rdf import graph_iri
from policykg.graph.server import free_port
from policykg.graph.store import GraphStore
from policykg.graph.summary import SUMMARY_GRAPH


CLI = [sys.executable, "-m", "policykg.build.cli"]
runner = CliRunner()
COUNTS = ("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g")
A = "济南与青岛加快推动联动发展。\n"
B = "深圳与香港加强合作。\n"


@pytest.fixture
def counts(sparql):
    """``counts(server_url)``: triples per named graph on the server."""
    def count(url: str) -> dict[str, int]:
        return {row["g"]["value"]: int(row["n"]["value"]) for row in sparql(url, COUNTS)}
    return count


def cli(*args: str):
    """``policykg ARGS`` in this process (faster than a child process)."""
    return runner.invoke(app, list(args), catch_exceptions=False)


def put(url: str, graph: str, body: bytes = b"<urn:a> <urn:b> <urn:c> .\n") -> None:
    urllib.request.urlopen(urllib.request.Request(
        url + "/store?" + urllib.parse.urlencode({"graph": graph}), method="PUT", data=body,
        headers={"Content-Type": "text/turtle"}), timeout=10).close()


def snapshot(folder: Path) -> dict[str, tuple[int, int]]:
    return {str(p.relative_to(folder)): (p.stat().st_size, p.stat().st_mtime_ns)
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_push_puts_one_graph_per_article_and_is_idempotent(
        small_output: Path, oxigraph_server, counts) -> None:
    out, server = small_output, oxigraph_server
    put(server.url, "urn:other")                # unrelated data on the server stays
    r = subprocess.run([*CLI, "push", "--store", str(out), "--endpoint", server.url + "/store"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    first = counts(server.url)
    g1, g2 = str(graph_iri("demo-1")), str(graph_iri("demo-2"))
    # the article graphs and the summary graph the named queries read
    assert set(first) == {g1, g2, SUMMARY_GRAPH, "urn:other"} and first["urn:other"] == 1
    with GraphStore.open(out / "store", read_only=True) as st:
        local = {g: sum(1 for _ in st.inner.quads_for_pattern(None, None, None, ox.NamedNode(g)))
                 for g in (g1, g2, SUMMARY_GRAPH)}
    assert {g: first[g] for g in local} == local and local[SUMMARY_GRAPH] > 0
    total = first[g1] + first[g2] + first[SUMMARY_GRAPH]
    assert r.stdout == f"pushed 3 graphs ({total} triples) to {server.url}/store\n"
    again = push(out, endpoint=server.url + "/store")
    assert counts(server.url) == first                     # nothing duplicated
    assert [(g.article_id, g.status) for g in again.graphs] == [
        ("demo-1", 204), ("demo-2", 204), ("", 204)]        # replaced, not created
    assert again.triples == total and again.deleted == ()
    assert again.query_endpoint == server.url + "/query"


def test_push_deletes_the_graphs_of_removed_articles_and_nothing_else(
        build_texts, oxigraph_server, counts) -> None:
    server = oxigraph_server
    store_url = server.url + "/store"
    ga, gb = str(graph_iri("a-1")), str(graph_iri("b-1"))
    near = "https://w3id.org/policykg/id/gazetteer"     # not under …/id/g/
    put(server.url, "urn:other")
    put(server.url, near)
    out = build_texts({"a.txt": A, "b.txt": B})
    r = cli("push", "--store", str(out), "--endpoint", store_url)
    assert r.exit_code == 0, r.stderr
    first = counts(server.url)
    assert set(first) == {ga, gb, SUMMARY_GRAPH, "urn:other", near}
    assert r.stdout == (f"pushed 3 graphs ({first[ga] + first[gb] + first[SUMMARY_GRAPH]} "
                        f"triples) to {store_url}\n")

    build_texts({"a.txt": A})           # b.txt removed from the corpus, rebuilt
    before = snapshot(out)
    dry = cli("push", "--store", str(out), "--endpoint", store_url, "--dry-run")
    assert dry.exit_code == 0, dry.stderr
    url_a = f"{store_url}?graph=https%3A%2F%2Fw3id.org%2Fpolicykg%2Fid%2Fg%2Fa-1"
    url_b = f"{store_url}?graph=https%3A%2F%2Fw3id.org%2Fpolicykg%2Fid%2Fg%2Fb-1"
    url_s = f"{store_url}?graph=https%3A%2F%2Fw3id.org%2Fpolicykg%2Fid%2Fsummary"
    with GraphStore.open(out / "store", read_only=True) as st:    # the summary of a.txt alone
        n_sum = sum(1 for _ in st.inner.quads_for_pattern(None, None, None,
                                                          ox.NamedNode(SUMMARY_GRAPH)))
    assert 0 < n_sum < first[SUMMARY_GRAPH]
    assert dry.stdout == (
        f"would PUT    {first[ga]:>7} triples  {url_a}\n"
        f"would PUT    {n_sum:>7} triples  {url_s}\n"
        f"would DELETE                  {url_b}\n"
        f"dry run: 2 graphs, {first[ga] + n_sum} triples; 1 graph of removed articles to delete; "
        "nothing sent\n")
    assert counts(server.url) == first      # the dry run changed nothing

    r = cli("push", "--store", str(out), "--endpoint", store_url)
    assert r.exit_code == 0, r.stderr
    assert r.stdout == (f"deleted {gb} (article b-1 is no longer in the build)\n"
                        f"pushed 2 graphs ({first[ga] + n_sum} triples) to {store_url}; deleted "
                        "1 graph of removed articles\n")
    # the summary was replaced (now a.txt's alone), never deleted
    assert counts(server.url) == {ga: first[ga], SUMMARY_GRAPH: n_sum, "urn:other": 1, near: 1}
    assert snapshot(out) == before          # nothing written locally

    # --no-prune keeps graphs the build does not have; pruning again deletes them
    put(server.url, gb)
    kept = push(out, endpoint=store_url, prune=False)
    assert kept.deleted == () and kept.query_endpoint is None and gb in counts(server.url)
    pruned = push(out, endpoint=store_url)
    assert [(d.article_id, d.status) for d in pruned.deleted] == [("b-1", 204)]
    assert set(counts(server.url)) == {ga, SUMMARY_GRAPH, "urn:other", near}


def test_dry_run_sends_nothing(small_output: Path) -> None:
    out = small_output
    port = free_port()              # nothing listens there
    r = cli("push", "--store", str(out), "--dry-run", "--no-prune",
            "--endpoint", f"http://127.0.0.1:{port}/store")
    assert r.exit_code == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].startswith("would PUT") and lines[0].endswith(
        f"http://127.0.0.1:{port}/store?graph=https%3A%2F%2Fw3id.org%2Fpolicykg%2Fid%2Fg%2Fdemo-1")
    assert lines[-2].startswith("would PUT") and lines[-2].endswith(
        f"http://127.0.0.1:{port}/store?graph=https%3A%2F%2Fw3id.org%2Fpolicykg%2Fid%2Fsummary")
    assert lines[-1].startswith("dry run: 3 graphs, ") and lines[-1].endswith("; nothing sent")
    # without --no-prune the dry run asks the server which graphs it has
    r = cli("push", "--store", str(out), "--dry-run",
            "--endpoint", f"http://127.0.0.1:{port}/store")
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == (f"error: cannot connect to http://127.0.0.1:{port} while listing the "
                        "server's graphs: connection refused (is the server running, and is "
                        "the port right?); nothing was sent\n")


def test_a_refused_connection_is_a_clear_error_and_changes_nothing(small_output: Path) -> None:
    out = small_output
    before = snapshot(out)
    port = free_port()
    r = subprocess.run([*CLI, "push", "--store", str(out), "--no-prune",
                        "--endpoint", f"http://127.0.0.1:{port}/store"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert r.stderr == (f"error: cannot connect to http://127.0.0.1:{port}: connection refused "
                        "(is the server running, and is the port right?); nothing was sent\n")
    assert snapshot(out) == before


def test_a_server_that_never_answers_times_out(small_output: Path) -> None:
    out = small_output
    before = snapshot(out)
    with socket.socket() as mute:     # accepts connections (backlog), never answers
        mute.bind(("127.0.0.1", 0))
        mute.listen()
        port = mute.getsockname()[1]
        with pytest.raises(PushError) as e:
            push(out, endpoint=f"http://127.0.0.1:{port}/store", timeout=0.5, prune=False)
        assert str(e.value) == (f"http://127.0.0.1:{port} did not answer within 0.5 s; check "
                                "that the server is up and not overloaded, or allow more time "
                                "with --timeout; nothing was sent")
        with pytest.raises(PushError) as e:
            push(out, endpoint=f"http://127.0.0.1:{port}/store", timeout=0.5)
        assert str(e.value) == (f"http://127.0.0.1:{port} did not answer within 0.5 s while "
                                "listing the server's graphs; check that the server is up and "
                                "not overloaded, or allow more time with --timeout; nothing "
                                "was sent")
    assert snapshot(out) == before


class _FakeStore(http.server.BaseHTTPRequestHandler):
    """A Graph Store + SPARQL server that lists a stale article graph and an unrelated
    graph, accepts PUTs and refuses (403) or never answers (sleeps) DELETEs."""

    graphs = [str(graph_iri("demo-1")), str(graph_iri("gone-1")), "urn:other"]
    delete = "refuse"
    requests: list[str] = []

    def _send(self, code: int, body: bytes = b"", ctype: str = "text/plain") -> None:
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        self.requests.append(f"GET {urllib.parse.urlsplit(self.path).path}")
        rows = [{"g": {"type": "uri", "value": g}} for g in self.graphs]   # unfiltered on purpose
        self._send(200, json.dumps({"head": {"vars": ["g"]}, "results": {"bindings": rows}})
                   .encode(), "application/sparql-results+json")

    def do_PUT(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        self.requests.append("PUT")
        self._send(204)

    def do_DELETE(self) -> None:  # noqa: N802
        self.requests.append("DELETE " + urllib.parse.parse_qs(
            urllib.parse.urlsplit(self.path).query)["graph"][0])
        if self.delete == "sleep":
            time.sleep(1.5)
        self._send(403, b"this user may not\ndelete graphs")

    def log_message(self, *a: object) -> None:
        pass


@pytest.fixture
def fake_store():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _FakeStore)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    _FakeStore.requests = []
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_refused_or_unanswered_delete_is_a_clear_error(small_output: Path, fake_store: str) -> None:
    out, url = small_output, fake_store
    before = snapshot(out)
    gone = str(graph_iri("gone-1"))
    r = cli("push", "--store", str(out), "--endpoint", url + "/store")
    assert (r.exit_code, r.stdout) == (2, "")
    assert r.stderr == (
        f"error: {url}/store: HTTP 403 Forbidden while deleting graph {gone} (no credentials "
        f"were given); pass user:password in an environment variable with --auth-env VAR or "
        f"add a ~/.netrc entry for 127.0.0.1; all 3 graphs were replaced and 0 of 1 graphs of "
        "removed articles deleted before this; run the same push again to finish (or pass "
        "--no-prune to keep them)\n")
    # only the stale article graph is deleted: never urn:other, never a graph being pushed
    # (two article graphs and the summary graph are PUT first)
    assert _FakeStore.requests == ["GET /query", "PUT", "PUT", "PUT", f"DELETE {gone}"]

    _FakeStore.delete = "sleep"
    try:
        with pytest.raises(PushError) as e:
            push(out, endpoint=url + "/store", timeout=0.5)
    finally:
        _FakeStore.delete = "refuse"
    assert str(e.value) == (
        f"{url} did not answer within 0.5 s while deleting graph {gone}; check that the server "
        "is up and not overloaded, or allow more time with --timeout; all 3 graphs were "
        "replaced and 0 of 1 graphs of removed articles deleted before this; run the same push "
        "again to finish (or pass --no-prune to keep them)")
    assert snapshot(out) == before


def test_an_empty_build_does_not_wipe_the_server(tmp_path: Path, fake_store: str) -> None:
    out = tmp_path / "empty"
    with GraphStore.open(out / "store"):
        pass
    (out / "report.json").write_text("{}\n")
    with pytest.raises(PushError) as e:
        push(out, endpoint=fake_store + "/store")
    assert str(e.value) == (
        f"{out}: the build has no article graphs; pushing it would delete all 2 policykg graphs "
        f"on {fake_store}/store; check --store (or pass --no-prune to push nothing); nothing was "
        "sent")
    assert _FakeStore.requests == ["GET /query"]


def test_a_query_url_that_is_no_sparql_endpoint(small_output: Path, oxigraph_server) -> None:
    url = oxigraph_server.url
    with pytest.raises(PushError) as e:
        push(small_output, endpoint=url + "/store", query_endpoint=url + "/")
    assert str(e.value) == (
        f"{url}/: the answer to the query listing the server's graphs is not a SPARQL JSON "
        "result (it starts '<!DOCTYPE html> <html lang=\"en\"> <head> <meta charset=\"u'); check "
        "that --query-endpoint (default: guessed from --endpoint) is the server's SPARQL query "
        "URL, or pass --no-prune to push without deleting; nothing was sent")


class _AuthServer(http.server.BaseHTTPRequestHandler):
    seen: list[str | None] = []

    def _answer(self, body: bytes) -> None:
        self.seen.append(self.headers.get("Authorization"))
        ok = self.headers.get("Authorization") == "Basic " + base64.b64encode(b"ann:pw").decode()
        body = body if ok else b""
        self.send_response(200 if ok and body else 204 if ok else 401)
        if not ok:
            self.send_header("WWW-Authenticate", 'Basic realm="kg"')
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - http.server API: the query listing graphs
        self._answer(b'{"head": {"vars": ["g"]}, "results": {"bindings": []}}')

    def do_PUT(self) -> None:  # noqa: N802
        self.rfile.read(int(self.headers["Content-Length"]))
        self._answer(b"")

    def log_message(self, *a: object) -> None:
        pass


class _OpenQuery(_AuthServer):
    """A query server of its own that needs no credentials (and records what it got)."""

    seen: list[str | None] = []

    def do_GET(self) -> None:  # noqa: N802
        self.seen.append(self.headers.get("Authorization"))
        body = b'{"head": {"vars": ["g"]}, "results": {"bindings": []}}'
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def test_credentials_are_not_sent_to_a_query_url_on_another_server(
        small_output: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))          # no ~/.netrc
    _AuthServer.seen, _OpenQuery.seen = [], []
    servers = [http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
               for h in (_AuthServer, _OpenQuery)]
    for httpd in servers:
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
    store, query = (f"http://127.0.0.1:{h.server_address[1]}" for h in servers)
    try:
        creds = credentials(store + "/store", auth_env="KG_AUTH", environ={"KG_AUTH": "ann:pw"})
        report = push(small_output, endpoint=store + "/store", creds=creds,
                      query_endpoint=query + "/sparql")
        assert report.query_endpoint == query + "/sparql"
        assert [g.status for g in report.graphs] == [204, 204, 204]    # 2 articles, summary
        assert _OpenQuery.seen == [None]                 # listed without ann's password
        assert _AuthServer.seen == ["Basic " + base64.b64encode(b"ann:pw").decode()] * 3
    finally:
        for httpd in servers:
            httpd.shutdown()
            httpd.server_close()


def test_basic_auth_from_an_environment_variable(small_output: Path) -> None:
    out = small_output
    _AuthServer.seen = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AuthServer)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}/store"
    try:
        creds = credentials(url, auth_env="KG_AUTH", environ={"KG_AUTH": "ann:pw"})
        report = push(out, endpoint=url, creds=creds)
        assert [g.status for g in report.graphs] == [204, 204, 204]   # 2 articles, the summary
        assert len(_AuthServer.seen) == 4       # the query listing graphs had them too
        wrong = credentials(url, auth_env="KG_AUTH", environ={"KG_AUTH": "ann:nope"})
        with pytest.raises(PushError) as e:
            push(out, endpoint=url, creds=wrong, prune=False)
        assert str(e.value) == (
            f"{url}: HTTP 401 Unauthorized (the credentials from $KG_AUTH were rejected); pass "
            "user:password in an environment variable with --auth-env VAR or add a ~/.netrc "
            "entry for 127.0.0.1; nothing was sent")
        with pytest.raises(PushError) as e:
            push(out, endpoint=url, creds=wrong)
        assert str(e.value) == (
            f"{url[:-len('/store')]}/query: HTTP 401 Unauthorized while listing the server's "
            "graphs (the credentials from $KG_AUTH were rejected); pass user:password in an "
            "environment variable with --auth-env VAR or add a ~/.netrc entry for 127.0.0.1; "
            "nothing was sent")
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
