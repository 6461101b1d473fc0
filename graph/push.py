"""Load a built graph into any SPARQL 1.1 server with the Graph Store HTTP Protocol.

One HTTP ``PUT <endpoint>?graph=<graph IRI>`` per article: PUT *replaces* the
named graph, so pushing again (after a rebuild, or after a failed push) is
idempotent — nothing is duplicated. The body is the article's triples as sorted
N-Triples sent as ``text/turtle`` (N-Triples is Turtle; every server reads it).

Nothing is written locally: the store is opened read-only. A push that fails
half-way leaves the graphs already sent replaced and the others untouched on the
server; run it again to finish. Graphs of articles that are no longer in the
build are not deleted on the server.

Endpoint URL patterns (``--graph-param`` names the query parameter):

=================  =========================================================
Oxigraph server    ``http://HOST:7878/store``
Apache Jena Fuseki ``http://HOST:3030/DATASET/data``
GraphDB            ``http://HOST:7200/repositories/REPO/rdf-graphs/service``
Virtuoso           ``http://HOST:8890/sparql-graph-crud-auth`` (``graph-uri``)
QLever             ``http://HOST:PORT/`` with an access token (``--token-env``)
=================  =========================================================

>>> graph_store_url("http://localhost:7878/store", "https://w3id.org/policykg/id/g/a-1")
'http://localhost:7878/store?graph=https%3A%2F%2Fw3id.org%2Fpolicykg%2Fid%2Fg%2Fa-1'
>>> graph_store_url("http://h/sparql-graph-crud-auth?x=1", "urn:g", param="graph-uri")
'http://h/sparql-graph-crud-auth?x=1&graph-uri=urn%3Ag'
"""
from __future__ import annotations

import base64
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

__all__ = ["PushError", "PushedGraph", "PushReport", "Credentials", "graph_store_url",
           "credentials", "push"]


class PushError(Exception):
    """The push could not be done (bad URL, server unreachable, refused, rejected)."""


@dataclass(frozen=True)
class PushedGraph:
    article_id: str
    graph: str                      #: the named graph IRI
    url: str                        #: where it was (or would be) PUT
    triples: int
    status: int | None = None       #: HTTP status; None in a dry run


@dataclass(frozen=True)
class PushReport:
    endpoint: str
    graphs: tuple[PushedGraph, ...]
    dry_run: bool

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


def _check_endpoint(endpoint: str) -> urllib.parse.SplitResult:
    parts = urllib.parse.urlsplit(endpoint)
    if parts.scheme not in ("http", "https") or not parts.hostname:
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


def _opener(endpoint: str, creds: Credentials | None) -> urllib.request.OpenerDirector:
    handlers: list[urllib.request.BaseHandler] = []
    if creds is not None and creds.user:
        # digest for servers that ask for it (Virtuoso); basic is sent up front
        mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        mgr.add_password(None, endpoint, creds.user, creds.password)
        handlers.append(urllib.request.HTTPDigestAuthHandler(mgr))
    return urllib.request.build_opener(*handlers)


def _graph_triples(store: ox.Store, graph: ox.NamedNode) -> bytes:
    lines = sorted({f"{q.subject} {q.predicate} {q.object} .\n"
                    for q in store.quads_for_pattern(None, None, None, graph)})
    return "".join(lines).encode("utf-8")


def push(store_dir: str | os.PathLike[str], *, endpoint: str, creds: Credentials | None = None,
         dry_run: bool = False, timeout: float = 60.0, graph_param: str = "graph",
         progress: Callable[[PushedGraph], None] | None = None) -> PushReport:
    """PUT every article graph of the built store at ``store_dir`` (``out/`` or
    ``out/store``) to ``endpoint``; ``dry_run`` only counts and lists the requests."""
    from policykg.graph.rdf import PREFIXES
    from policykg.graph.server import ServeError, store_location

    parts = _check_endpoint(endpoint)
    try:
        location = store_location(store_dir)
    except ServeError as e:
        raise PushError(str(e)) from None
    store = ox.Store.read_only(str(location))
    prefix = PREFIXES["graph"]
    graphs = sorted(g.value for g in store.named_graphs()
                    if isinstance(g, ox.NamedNode) and g.value.startswith(prefix))
    opener = _opener(endpoint, creds)
    where = f"{parts.scheme}://{parts.netloc}"
    done: list[PushedGraph] = []
    for iri in graphs:
        body = _graph_triples(store, ox.NamedNode(iri))
        url = graph_store_url(endpoint, iri, param=graph_param)
        article_id = urllib.parse.unquote(iri[len(prefix):])
        status = None
        if not dry_run:
            status = _put(opener, url, body, creds=creds, timeout=timeout, where=where,
                          endpoint=endpoint, done=len(done), total=len(graphs))
        item = PushedGraph(article_id, iri, url, body.count(b"\n"), status)
        done.append(item)
        if progress:
            progress(item)
    return PushReport(endpoint, tuple(done), dry_run)


def _put(opener: urllib.request.OpenerDirector, url: str, body: bytes, *,
         creds: Credentials | None, timeout: float, where: str, endpoint: str,
         done: int, total: int) -> int:
    req = urllib.request.Request(url, data=body, method="PUT",
                                 headers={"Content-Type": "text/turtle"})
    if creds is not None and creds.token:
        req.add_header("Authorization", f"Bearer {creds.token}")
    elif creds is not None and creds.user:
        token = base64.b64encode(f"{creds.user}:{creds.password}".encode()).decode("ascii")
        req.add_header("Authorization", f"Basic {token}")
    state = ("nothing was sent" if done == 0 else
             f"{done} of {total} graphs were replaced before this; run the same push again "
             "to finish (PUT replaces, so repeating is safe)")
    try:
        with opener.open(req, timeout=timeout) as resp:
            return int(resp.status)
    except urllib.error.HTTPError as e:
        detail = e.read(300).decode("utf-8", "replace").strip()
        if e.code in (401, 403):
            how = (f"the credentials from {creds.origin} were rejected" if creds is not None
                   else "no credentials were given")
            raise PushError(
                f"{endpoint}: HTTP {e.code} {e.reason} ({how}); pass user:password in an "
                f"environment variable with --auth-env VAR or add a ~/.netrc entry for "
                f"{urllib.parse.urlsplit(endpoint).hostname}; {state}") from None
        raise PushError(f"{endpoint}: HTTP {e.code} {e.reason} for PUT {url}"
                        f"{': ' + detail if detail else ''}; check that --endpoint is the "
                        f"server's Graph Store Protocol URL; {state}") from None
    except urllib.error.URLError as e:
        reason = e.reason
        if isinstance(reason, ConnectionRefusedError):
            raise PushError(f"cannot connect to {where}: connection refused (is the server "
                            f"running, and is the port right?); {state}") from None
        if isinstance(reason, (TimeoutError, socket.timeout)):
            raise _timeout(where, timeout, state) from None
        if isinstance(reason, socket.gaierror):
            raise PushError(f"cannot connect to {where}: unknown host "
                            f"{urllib.parse.urlsplit(endpoint).hostname!r}; check --endpoint; "
                            f"{state}") from None
        raise PushError(f"cannot connect to {where}: {reason}; {state}") from None
    except (TimeoutError, socket.timeout):
        raise _timeout(where, timeout, state) from None
    except ConnectionError as e:
        raise PushError(f"{where} closed the connection ({type(e).__name__}); {state}") from None


def _timeout(where: str, timeout: float, state: str) -> PushError:
    return PushError(f"{where} did not answer within {timeout:g} s; check that the server is "
                     f"up and not overloaded, or allow more time with --timeout; {state}")
