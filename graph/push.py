"""Load a built graph into any SPARQL 1.1 server with the Graph Store HTTP Protocol.

One HTTP ``PUT <endpoint>?graph=<graph IRI>`` per article, then one for the
summary graph (``https://w3id.org/policykg/id/summary``, :mod:`policykg.graph.summary`,
which the named queries read): PUT *replaces* the named graph, so pushing again (after a rebuild, or after a failed push) is
idempotent — nothing is duplicated. The body is the article's triples as sorted
N-Triples sent as ``text/turtle`` (N-Triples is Turtle; every server reads it).

The server mirrors the build (``prune``, the default): article graphs on the
server that the build no longer has — articles removed from the corpus — are
deleted with ``DELETE <endpoint>?graph=<graph IRI>`` after all PUTs. Which graphs
the server has is asked with a SPARQL query to its query service
(:func:`query_url` guesses that URL from the Graph Store URL; ``--query-endpoint``
sets it). Only graphs under the article-graph namespace
``https://w3id.org/policykg/id/g/`` are ever deleted; other graphs on the server
(the summary graph included) are never deleted.

Nothing is written locally: the store is opened read-only. A push that fails
half-way leaves the graphs already sent replaced (and the stale ones already
deleted) and the others untouched on the server; run it again to finish.

Endpoint URL patterns (``--graph-param`` names the query parameter):

==================  =========================================================  =========================
server              Graph Store Protocol URL (``--endpoint``)                  query URL guessed from it
==================  =========================================================  =========================
Oxigraph server     ``http://HOST:7878/store``                                 ``…/query``
Apache Jena Fuseki  ``http://HOST:3030/DATASET/data``                          ``…/DATASET/query``
GraphDB             ``http://HOST:7200/repositories/REPO/rdf-graphs/service``  ``…/repositories/REPO``
Virtuoso            ``http://HOST:8890/sparql-graph-crud-auth`` (graph-uri)    ``…/sparql-auth``
QLever              ``http://HOST:PORT/`` with an access token (token-env)     the same URL
==================  =========================================================  =========================

>>> graph_store_url("http://localhost:7878/store", "https://w3id.org/policykg/id/g/a-1")
'http://localhost:7878/store?graph=https%3A%2F%2Fw3id.org%2Fpolicykg%2Fid%2Fg%2Fa-1'
>>> graph_store_url("http://h/sparql-graph-crud-auth?x=1", "urn:g", param="graph-uri")
'http://h/sparql-graph-crud-auth?x=1&graph-uri=urn%3Ag'
"""
from __future__ import annotations

import base64
import json
import netrc
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from policykg.graph.rdf import PREFIXES
from policykg.graph.summary import SUMMARY_GRAPH

__all__ = ["PushError", "PushedGraph", "DeletedGraph", "PushReport", "Credentials",
           "graph_store_url", "query_url", "credentials", "query_credentials", "server_graphs",
           "push"]


class PushError(Exception):
    """The push could not be done (bad URL, server unreachable, refused, rejected)."""


@dataclass(frozen=True)
class PushedGraph:
    article_id: str                 #: "" for the summary graph
    graph: str                      #: the named graph IRI
    url: str                        #: where it was (or would be) PUT
    triples: int
    status: int | None = None       #: HTTP status; None in a dry run


@dataclass(frozen=True)
class DeletedGraph:
    """An article graph on the server whose article is no longer in the build."""

    article_id: str
    graph: str                      #: the named graph IRI
    url: str                        #: where it was (or would be) DELETEd
    status: int | None = None       #: HTTP status; None in a dry run


@dataclass(frozen=True)
class PushReport:
    endpoint: str
    graphs: tuple[PushedGraph, ...]
    dry_run: bool
    deleted: tuple[DeletedGraph, ...] = ()
    query_endpoint: str | None = None   #: where the server's graphs were listed; None: no pruning

    @property
    def triples(self) -> int:
        return sum(g.triples for g in self.graphs)


@dataclass(frozen=True)
class Credentials:
    """Basic (or digest) auth user and password, or a bearer token."""

    user: str = ""
    password: str = ""
    token: str = ""
    origin: str = ""                #: where they came from, for messages

    def __repr__(self) -> str:      # never print secrets
        return f"Credentials(origin={self.origin!r})"


def graph_store_url(endpoint: str, graph: str, *, param: str = "graph") -> str:
    """The Graph Store Protocol URL of ``graph`` (indirect identification)."""
    sep = "&" if urllib.parse.urlsplit(endpoint).query else ("" if endpoint.endswith("?") else "?")
    return f"{endpoint}{sep}{urllib.parse.urlencode({param: graph})}"


#: Graph Store URL path ending → the query service's path ending, per server
_QUERY_SERVICES = (("/rdf-graphs/service", ""),                 # GraphDB, RDF4J
                   ("/sparql-graph-crud-auth", "/sparql-auth"),  # Virtuoso
                   ("/sparql-graph-crud", "/sparql"),
                   ("/store", "/query"),                        # Oxigraph
                   ("/data", "/query"))                         # Fuseki


def query_url(endpoint: str) -> str:
    """The SPARQL query URL of the server whose Graph Store Protocol URL is
    ``endpoint``, guessed from the URL patterns of common servers (else the same URL,
    as QLever and Fuseki's dataset URL answer both protocols).

    >>> query_url("http://localhost:7878/store")
    'http://localhost:7878/query'
    >>> query_url("http://h:3030/policykg/data")
    'http://h:3030/policykg/query'
    >>> query_url("http://h:7200/repositories/kg/rdf-graphs/service")
    'http://h:7200/repositories/kg'
    >>> query_url("http://h:8890/sparql-graph-crud-auth")
    'http://h:8890/sparql-auth'
    >>> query_url("http://h:7019/")
    'http://h:7019/'
    """
    parts = urllib.parse.urlsplit(endpoint)
    path = parts.path.rstrip("/")
    for suffix, service in _QUERY_SERVICES:
        if path.endswith(suffix):
            return urllib.parse.urlunsplit(parts._replace(path=path[:-len(suffix)] + service))
    return endpoint


def _origin(url: str) -> tuple[str, str]:
    parts = urllib.parse.urlsplit(url)
    return parts.scheme, parts.netloc


def _check_endpoint(endpoint: str, option: str = "--endpoint") -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        if option == "--query-endpoint":
            raise PushError(
                f"--query-endpoint {endpoint!r} is not an http(s) URL; give the server's SPARQL "
                "query URL, e.g. http://localhost:7878/query (Oxigraph) or "
                "http://localhost:3030/ds/query (Fuseki)")
        raise PushError(
            f"--endpoint {endpoint!r} is not an http(s) URL; give the server's Graph Store "
            "Protocol URL, e.g. http://localhost:7878/store (Oxigraph) or "
            "http://localhost:3030/ds/data (Fuseki)")
    return parts


def credentials(endpoint: str, *, auth_env: str | None = None, token_env: str | None = None,
                netrc_file: str | os.PathLike[str] | None = None,
                environ: dict[str, str] | None = None) -> Credentials | None:
    """Credentials for ``endpoint``: ``user:password`` from the environment variable
    ``auth_env``, a bearer token from ``token_env``, else the ``~/.netrc`` entry of
    the endpoint's host (if any), else None.

    >>> credentials("http://h/", auth_env="PKG_AUTH", environ={"PKG_AUTH": "ann:s3cret"}).user
    'ann'
    """
    env = os.environ if environ is None else environ
    if auth_env:
        value = env.get(auth_env)
        if value is None:
            raise PushError(f"environment variable {auth_env} (from --auth-env) is not set; "
                            f"set it to user:password, e.g. export {auth_env}='admin:…'")
        user, sep, password = value.partition(":")
        if not sep or not user:
            raise PushError(f"environment variable {auth_env} must hold user:password, got a "
                            "value without a ':'; set it to user:password")
        return Credentials(user=user, password=password, origin=f"${auth_env}")
    if token_env:
        value = env.get(token_env)
        if not value:
            raise PushError(f"environment variable {token_env} (from --token-env) is not set; "
                            "set it to the server's access token")
        return Credentials(token=value, origin=f"${token_env}")
    host = urllib.parse.urlsplit(endpoint).hostname or ""
    path = Path(netrc_file) if netrc_file else Path(os.path.expanduser("~")) / ".netrc"
    if not path.is_file():
        return None
    try:
        entry = netrc.netrc(str(path)).authenticators(host)
    except (netrc.NetrcParseError, OSError) as e:
        raise PushError(f"{path}: cannot read it ({e}); fix the file or use --auth-env") from None
    if entry is None:
        return None
    login, _account, password = entry
    return Credentials(user=login or "", password=password or "", origin=f"{path} ({host})")


def query_credentials(query_endpoint: str, *, endpoint: str, creds: Credentials | None,
                      netrc_file: str | os.PathLike[str] | None = None) -> Credentials | None:
    """The credentials :func:`push` lists the server's graphs with: ``creds`` (those
    of ``endpoint``) when the query URL is on the same scheme, host and port; else
    the ``~/.netrc`` entry of the query URL's own host, if any: credentials meant for
    one server are never sent to another.

    >>> c = Credentials(user="ann", password="pw", origin="$KG_AUTH")
    >>> query_credentials("http://h:7878/query", endpoint="http://h:7878/store", creds=c) is c
    True
    >>> query_credentials("http://q.example/sparql", endpoint="http://h:7878/store", creds=c,
    ...                   netrc_file="/nonexistent") is None
    True
    """
    if _origin(query_endpoint) == _origin(endpoint):
        return creds
    return credentials(query_endpoint, netrc_file=netrc_file)


class _Client:
    """HTTP requests to one server with its credentials, failing with one-line messages."""

    def __init__(self, endpoint: str, creds: Credentials | None, timeout: float) -> None:
        handlers: list[urllib.request.BaseHandler] = []
        if creds is not None and creds.user:
            # digest for servers that ask for it (Virtuoso); basic is sent up front
            mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
            mgr.add_password(None, endpoint, creds.user, creds.password)
            handlers.append(urllib.request.HTTPDigestAuthHandler(mgr))
        self.opener = urllib.request.build_opener(*handlers)
        self.endpoint, self.creds, self.timeout = endpoint, creds, timeout
        parts = urllib.parse.urlsplit(endpoint)
        self.where = f"{parts.scheme}://{parts.netloc}"

    def send(self, method: str, url: str, *, body: bytes | None = None,
             headers: dict[str, str] | None = None, doing: str = "", hint: str,
             state: str, ok: tuple[int, ...] = ()) -> tuple[int, bytes]:
        """Status and body of the answer; statuses in ``ok`` count as success too.
        ``doing`` (e.g. ``while deleting graph …``) goes into every message."""
        req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        creds = self.creds
        if creds is not None and creds.token:
            req.add_header("Authorization", f"Bearer {creds.token}")
        elif creds is not None and creds.user:
            token = base64.b64encode(f"{creds.user}:{creds.password}".encode()).decode("ascii")
            req.add_header("Authorization", f"Basic {token}")
        during = f" {doing}" if doing else ""
        where, endpoint = self.where, self.endpoint
        try:
            with self.opener.open(req, timeout=self.timeout) as resp:
                return int(resp.status), resp.read()
        except urllib.error.HTTPError as e:
            if e.code in ok:
                return e.code, b""
            detail = " ".join(e.read(300).decode("utf-8", "replace").split())
            if e.code in (401, 403):
                how = (f"the credentials from {creds.origin} were rejected" if creds is not None
                       else "no credentials were given")
                raise PushError(
                    f"{endpoint}: HTTP {e.code} {e.reason}{during} ({how}); pass user:password "
                    f"in an environment variable with --auth-env VAR or add a ~/.netrc entry "
                    f"for {urllib.parse.urlsplit(endpoint).hostname}; {state}") from None
            what = during or f" for {method} {url}"
            raise PushError(f"{endpoint}: HTTP {e.code} {e.reason}{what}"
                            f"{': ' + detail if detail else ''}; {hint}; {state}") from None
        except urllib.error.URLError as e:
            reason = e.reason
            if isinstance(reason, ConnectionRefusedError):
                raise PushError(f"cannot connect to {where}{during}: connection refused (is the "
                                f"server running, and is the port right?); {state}") from None
            if isinstance(reason, (TimeoutError, socket.timeout)):
                raise self._timeout(during, state) from None
            if isinstance(reason, socket.gaierror):
                raise PushError(f"cannot connect to {where}{during}: unknown host "
                                f"{urllib.parse.urlsplit(endpoint).hostname!r}; check the URL; "
                                f"{state}") from None
            raise PushError(f"cannot connect to {where}{during}: {reason}; {state}") from None
        except (TimeoutError, socket.timeout):
            raise self._timeout(during, state) from None
        except ConnectionError as e:
            raise PushError(f"{where} closed the connection{during} ({type(e).__name__}); "
                            f"{state}") from None

    def _timeout(self, during: str, state: str) -> PushError:
        return PushError(f"{self.where} did not answer within {self.timeout:g} s{during}; check "
                         "that the server is up and not overloaded, or allow more time with "
                         f"--timeout; {state}")


#: article graphs on a server: the query is answered from the graph names alone
_GRAPHS_QUERY = ('SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{}} '
                 'FILTER(STRSTARTS(STR(?g), "{prefix}")) }}')


def server_graphs(query_endpoint: str, *, creds: Credentials | None = None,
                  timeout: float = 60.0) -> list[str]:
    """The policykg article graphs (IRIs under ``https://w3id.org/policykg/id/g/``) that
    the server answering SPARQL queries at ``query_endpoint`` holds, sorted."""
    _check_endpoint(query_endpoint, "--query-endpoint")
    return _server_graphs(_Client(query_endpoint, creds, timeout), PREFIXES["graph"])


def _server_graphs(client: _Client, prefix: str) -> list[str]:
    query = _GRAPHS_QUERY.format(prefix=prefix)
    url = graph_store_url(client.endpoint, query, param="query")
    state = "nothing was sent"
    hint = ("check that --query-endpoint (default: guessed from --endpoint) is the server's "
            "SPARQL query URL, or pass --no-prune to push without deleting")
    doing = "while listing the server's graphs"
    _status, body = client.send("GET", url, headers={"Accept": "application/sparql-results+json"},
                                doing=doing, hint=hint, state=state)
    try:
        rows = json.loads(body)["results"]["bindings"]
        names = {row["g"]["value"] for row in rows if row.get("g", {}).get("type") == "uri"}
    except (ValueError, KeyError, TypeError, AttributeError):
        start = " ".join(body[:60].decode("utf-8", "replace").split())
        raise PushError(f"{client.endpoint}: the answer to the query listing the server's "
                        f"graphs is not a SPARQL JSON result (it starts {start!r}); {hint}; "
                        f"{state}") from None
    return sorted(n for n in names if n.startswith(prefix))   # never another graph


def _graph_triples(store: ox.Store, graph: ox.NamedNode) -> bytes:
    lines = sorted({f"{q.subject} {q.predicate} {q.object} .\n"
                    for q in store.quads_for_pattern(None, None, None, graph)})
    return "".join(lines).encode("utf-8")


def push(store_dir: str | os.PathLike[str], *, endpoint: str, creds: Credentials | None = None,
         dry_run: bool = False, timeout: float = 60.0, graph_param: str = "graph",
         prune: bool = True, query_endpoint: str | None = None,
         query_creds: Credentials | None = None,
         progress: Callable[[PushedGraph | DeletedGraph], None] | None = None) -> PushReport:
    """PUT every article graph of the built store at ``store_dir`` (``out/`` or
    ``out/store``) to ``endpoint``, then (``prune``) DELETE the article graphs the
    server has and the build has not; ``dry_run`` only lists the requests (it still
    asks the server which graphs it has when pruning).

    ``query_endpoint`` is the server's SPARQL query URL (default: :func:`query_url`
    of ``endpoint``); ``query_creds`` its credentials, by default
    :func:`query_credentials`."""
    from policykg.graph.server import ServeError, store_location

    _check_endpoint(endpoint)
    try:
        location = store_location(store_dir)
    except ServeError as e:
        raise PushError(str(e)) from None
    store = ox.Store.read_only(str(location))
    prefix = PREFIXES["graph"]
    graphs = sorted(g.value for g in store.named_graphs()
                    if isinstance(g, ox.NamedNode) and g.value.startswith(prefix))
    # the summary graph (graph/summary.py) goes too, last: PUT replaces it like the others
    has_summary = store.contains_named_graph(ox.NamedNode(SUMMARY_GRAPH))
    client = _Client(endpoint, creds, timeout)

    stale: list[str] = []
    qurl = None
    if prune:
        qurl = query_endpoint or query_url(endpoint)
        _check_endpoint(qurl, "--query-endpoint")
        if query_creds is None:
            query_creds = query_credentials(qurl, endpoint=endpoint, creds=creds)
        on_server = _server_graphs(_Client(qurl, query_creds, timeout), prefix)
        keep = set(graphs)      # on_server holds article graphs only: never the summary
        stale = [g for g in on_server if g not in keep]
        if stale and not graphs:
            raise PushError(
                f"{store_dir}: the build has no article graphs; pushing it would delete all "
                f"{len(stale)} policykg graphs on {endpoint}; check --store (or pass --no-prune "
                "to push nothing); nothing was sent")

    def article(iri: str) -> str:
        return urllib.parse.unquote(iri[len(prefix):]) if iri.startswith(prefix) else ""

    done: list[PushedGraph] = []
    sending = graphs + [SUMMARY_GRAPH] if has_summary and graphs else graphs
    for iri in sending:
        body = _graph_triples(store, ox.NamedNode(iri))
        url = graph_store_url(endpoint, iri, param=graph_param)
        status = None
        if not dry_run:
            state = ("nothing was sent" if not done else
                     f"{len(done)} of {len(sending)} graphs were replaced before this; run the "
                     "same push again to finish (PUT replaces, so repeating is safe)")
            status, _ = client.send(
                "PUT", url, body=body, headers={"Content-Type": "text/turtle"}, state=state,
                hint="check that --endpoint is the server's Graph Store Protocol URL")
        item = PushedGraph(article(iri), iri, url, body.count(b"\n"), status)
        done.append(item)
        if progress:
            progress(item)

    deleted: list[DeletedGraph] = []
    for iri in stale:
        url = graph_store_url(endpoint, iri, param=graph_param)
        status = None
        if not dry_run:
            state = (f"all {len(sending)} graphs were replaced and {len(deleted)} of {len(stale)} "
                     "graphs of removed articles deleted before this; run the same push again "
                     "to finish (or pass --no-prune to keep them)")
            # 404: gone already (deleted by someone else since the listing)
            status, _ = client.send(
                "DELETE", url, doing=f"while deleting graph {iri}", state=state, ok=(404,),
                hint="the server refused to delete it: give the user the right to delete "
                     "graphs, or pass --no-prune to keep graphs of removed articles")
        gone = DeletedGraph(article(iri), iri, url, status)
        deleted.append(gone)
        if progress:
            progress(gone)
    return PushReport(endpoint, tuple(done), dry_run, tuple(deleted), qurl)
