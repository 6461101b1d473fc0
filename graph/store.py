"""An on-disk, queryable store of the graph: :class:`GraphStore` over ``pyoxigraph.Store``.

One named graph per article (see :mod:`policykg.graph.rdf`), so rebuilding an
article is "drop its graph, add its quads" and removing one leaves the others
intact, plus the summary graph (:mod:`policykg.graph.summary`) that the build
recomputes after the articles changed (:meth:`GraphStore.replace_summary`). SPARQL
runs with the default graph as the union of all graphs.

Dumps (:meth:`GraphStore.dump`) go through the writers of :mod:`policykg.graph.rdf`
(sorted quads, fixed prefixes), not through Oxigraph's store dump whose order
follows its internal indexes: a store dump is byte-identical to writing the same
ArticleGraphs with :func:`~policykg.graph.rdf.write_trig` & co. (rdf.py emits
literals in the canonical form Oxigraph stores, e.g. decimals as ``0.9``).

>>> from policykg.graph.model import Article, ArticleGraph, Entity
>>> art = Article(id="demo-1", source="demo.txt", index=1, title="T", authors=(),
...               affiliations=(), paragraphs=("济南。",))
>>> with GraphStore.in_memory() as st:
...     n = st.replace_article(ArticleGraph(art, (Entity("济南", ("City",)),), ()))
...     st.article_ids(), st.query("SELECT (COUNT(*) AS ?n) { ?e a pkg:City }").rows
(('demo-1',), ((1,),))
"""
from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pyoxigraph as ox
from rdflib import Dataset
from rdflib.term import Identifier

from policykg.graph.model import ArticleGraph
from policykg.graph.query import QueryError, QueryResult, QueryTimeout
from policykg.graph.rdf import (
    PREFIXES, Source, article_oxigraph, graph_iri, oxigraph_quads, to_nquads,
    to_oxigraph_term, to_trig, to_turtle_union, atomic_write,
)

__all__ = ["GraphStore", "rdflib_graph", "DUMP_FORMATS"]

_GRAPH_PREFIX = PREFIXES["graph"]
#: format name → writer; file suffixes map onto these names.
DUMP_FORMATS = {"nq": to_nquads, "trig": to_trig, "ttl": to_turtle_union}
_SUFFIX = {".nq": "nq", ".nquads": "nq", ".trig": "trig", ".ttl": "ttl", ".turtle": "ttl"}
_POSITION = re.compile(r"^error at (\d+):(\d+): (.*)$", re.S)


def _ox_value(v: Any) -> Any:
    """A binding value as a pyoxigraph term: str → plain literal, rdflib terms converted."""
    if isinstance(v, (ox.NamedNode, ox.BlankNode, ox.Literal, ox.Triple)):
        return v
    if isinstance(v, Identifier):           # rdflib terms are str subclasses: test first
        return to_oxigraph_term(v)
    if isinstance(v, str):
        return ox.Literal(v)
    raise QueryError(
        f"binding value {v!r} ({type(v).__name__}) is not an RDF term; pass a str, "
        "an rdflib URIRef/Literal or a pyoxigraph term"
    )


def _syntax_error(sparql: str, exc: SyntaxError) -> QueryError:
    msg = str(exc)
    m = _POSITION.match(msg)
    if not m:
        return QueryError(f"malformed SPARQL query: {msg}; fix the query text")
    line, col, detail = int(m[1]), int(m[2]), " ".join(m[3].split())
    if len(detail) > 160:                      # the expected-token lists get very long
        detail = detail[:159] + "…"
    lines = sparql.splitlines()
    shown = ""
    if 0 < line <= len(lines):
        from rich.cells import cell_len        # CJK before the column is two cells wide

        text = lines[line - 1]
        pad = cell_len(text[: max(col - 1, 0)])
        gutter = f"  {line} | "
        shown = f"\n{gutter}{text}\n{' ' * (len(gutter) - 2)}| {' ' * pad}^"
    return QueryError(
        f"malformed SPARQL query at line {line}, column {col}: {detail}{shown}\n"
        "fix the query near that position and run it again"
    )


#: N-Quads bytes per bulk load of a summary file (GraphStore.replace_summary): pyoxigraph's
#: bulk loader holds ~4x its input in memory, and the summary of 100 MB of text is ~55 MB
SUMMARY_SLICE = 16 << 20


def _line_slices(path: Path, size: int) -> Iterator[bytes]:
    """The file's bytes in pieces of about ``size`` that end at a line end."""
    with open(path, "rb") as fh:
        while chunk := fh.read(size):
            yield chunk + fh.readline()


class GraphStore:
    """A pyoxigraph store holding one named graph per article.

    Open with :meth:`open` (on disk) or :meth:`in_memory`; use as a context manager
    or call :meth:`close` — RocksDB allows one read-write opener per folder.
    """

    def __init__(self, store: ox.Store, *, path: Path | None = None,
                 read_only: bool = False) -> None:
        self._store: ox.Store | None = store
        self.path = path
        self.read_only = read_only

    # ------------------------------------------------------------ open / close
    @classmethod
    def open(cls, path: str | os.PathLike[str], *, read_only: bool = False) -> GraphStore:
        """Open (creating if needed) the store folder ``path``; ``read_only`` needs it to exist."""
        p = Path(path)
        if read_only:
            if not p.is_dir():
                raise FileNotFoundError(
                    f"no store at {str(p)!r} to open read-only; build one first "
                    "(GraphStore.open(path) creates it)"
                )
            try:
                return cls(ox.Store.read_only(str(p)), path=p, read_only=True)
            except OSError as e:     # RocksDB's "IO error: …" for a folder that is no store
                raise type(e)(   # same class (FileNotFoundError, …), one-line message
                    f"cannot open the store at {str(p)!r}: it is not a complete "
                    f"policykg store ({' '.join(str(e).split())}); build it again with "
                    "`policykg build … --out`") from e
        p.mkdir(parents=True, exist_ok=True)
        try:
            store = ox.Store(str(p))
        except OSError as e:
            raise OSError(
                f"cannot open the store at {str(p)!r} for writing: {e}; another process "
                "(or an unclosed GraphStore) may hold it — close it, or open with read_only=True"
            ) from e
        return cls(store, path=p)

    @classmethod
    def in_memory(cls) -> GraphStore:
        """A store that lives in memory only (tests, one-off analyses)."""
        return cls(ox.Store())

    @property
    def inner(self) -> ox.Store:
        """The underlying ``pyoxigraph.Store``."""
        if self._store is None:
            where = f"at {str(self.path)!r} " if self.path else ""
            raise ValueError(
                f"GraphStore {where}is closed; open it again with GraphStore.open(path)"
            )
        return self._store

    def flush(self) -> None:
        if not self.read_only:
            self.inner.flush()

    def optimize(self) -> None:
        """Compact the on-disk files (worth it after a full rebuild)."""
        if not self.read_only:
            self.inner.optimize()

    def close(self) -> None:
        """Flush and release the folder (the RocksDB lock goes with the last reference)."""
        if self._store is not None:
            self.flush()
            self._store = None

    def __enter__(self) -> GraphStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ content
    def _writable(self) -> ox.Store:
        if self.read_only:
            raise PermissionError(
                f"GraphStore at {str(self.path)!r} is open read-only; "
                "open it with GraphStore.open(path) to change it"
            )
        return self.inner

    def replace_article(self, ag: ArticleGraph) -> int:
        """Drop the article's named graph, then add its quads; returns their number.

        Idempotent: replacing twice gives the same store. Two steps (pyoxigraph
        has no multi-call transactions): a concurrent reader may briefly see the
        article missing, never half of it.
        """
        store = self._writable()
        quads = article_oxigraph(ag)
        g = ox.NamedNode(str(graph_iri(ag.article.id)))
        if store.contains_named_graph(g):
            store.remove_graph(g)
        store.extend(quads)
        return len(quads)

    def remove_article(self, article_id: str) -> bool:
        """Drop an article's graph; False when the store did not hold it."""
        store = self._writable()
        g = ox.NamedNode(str(graph_iri(article_id)))
        if not store.contains_named_graph(g):
            return False
        store.remove_graph(g)
        return True

    def replace_summary(self, nquads: bytes = b"", *,
                        path: str | os.PathLike[str] | None = None) -> None:
        """Replace the summary graph (:data:`~policykg.graph.summary.SUMMARY_GRAPH`) by
        ``nquads`` (:func:`~policykg.graph.summary.to_summary`), or by the N-Quads file
        ``path`` (the same bytes written to a file), which pyoxigraph's bulk
        loader reads in Rust without holding the GIL. The graph exists afterwards even
        when there is nothing in it (an empty corpus): named queries that read the summary
        (``# reads: summary``) refuse a store without it, and answer an empty one with no
        rows.

        When the store already has a summary (an incremental build starts from the
        previous store), only the quads that differ are removed and added: dropping the
        whole graph is one transaction over every quad (seconds for a big corpus, and
        slower with each rebuild as RocksDB's delete markers pile up), while a rebuild
        changes few of them."""
        from policykg.graph.summary import SUMMARY_GRAPH

        store = self._writable()
        g = ox.NamedNode(SUMMARY_GRAPH)
        if not store.contains_named_graph(g):
            store.add_graph(g)      # present even when empty: queries that read it need it
            if path is not None:    # in slices: the bulk loader needs ~4x its input in memory
                for part in _line_slices(Path(path), SUMMARY_SLICE):
                    store.bulk_load(part, format=ox.RdfFormat.N_QUADS)
            elif nquads:
                store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS)
            return
        if path is not None:
            nquads = Path(path).read_bytes()
        new = set(nquads.splitlines())
        old = set(ox.serialize(store.quads_for_pattern(None, None, None, g),
                               format=ox.RdfFormat.N_QUADS).splitlines())
        gone, added = old - new, new - old
        if gone:
            triples = " .\n".join(str(q.triple) for q in ox.parse(
                b"\n".join(sorted(gone)), format=ox.RdfFormat.N_QUADS))
            store.update(f"DELETE DATA {{ GRAPH <{SUMMARY_GRAPH}> {{ {triples} }} }}")
        if added:
            store.bulk_load(b"\n".join(sorted(added)) + b"\n", format=ox.RdfFormat.N_QUADS)

    def article_ids(self) -> tuple[str, ...]:
        """Ids of the articles held, sorted."""
        out = []
        for g in self.inner.named_graphs():
            if isinstance(g, ox.NamedNode) and g.value.startswith(_GRAPH_PREFIX):
                out.append(unquote(g.value[len(_GRAPH_PREFIX):]))
        return tuple(sorted(out))

    def load_quads(self, quads: Source) -> int:
        """Add quads (any :data:`~policykg.graph.rdf.Source`); returns how many were given."""
        batch = list(oxigraph_quads(quads))
        self._writable().extend(batch)
        return len(batch)

    def quads_for_pattern(self, s: Any = None, p: Any = None, o: Any = None,
                          g: Any = None) -> Iterator[ox.Quad]:
        """pyoxigraph's pattern match (so the rdf writers accept a GraphStore)."""
        return self.inner.quads_for_pattern(s, p, o, g)

    def __len__(self) -> int:
        return len(self.inner)

    # ------------------------------------------------------------------- query
    def query(self, sparql: str, *, bindings: Mapping[str, Any] | None = None,
              timeout: float | None = None,
              hide: frozenset[str] = frozenset()) -> QueryResult:
        """Run SPARQL over the union of all graphs; the result is materialised.

        ``bindings`` maps variable names (no ``?``) to values, substituted by
        pyoxigraph (never pasted into the text); they must be SELECT-projected.
        The :data:`~policykg.graph.rdf.PREFIXES` are predeclared. ``timeout`` (s):
        pyoxigraph has no timeout, so the query runs in a daemon thread and
        :class:`QueryTimeout` is raised when it is not done in time; the thread
        stops at the next result row (a long aggregate finishes in the background).
        ``hide`` lists variables to leave out of the result.
        """
        store = self.inner
        subs = {ox.Variable(k): _ox_value(v) for k, v in (bindings or {}).items()}
        cancel = threading.Event()

        def run() -> QueryResult:
            try:
                res = store.query(sparql, use_default_graph_as_union=True,
                                  substitutions=subs or None, prefixes=PREFIXES)
                return QueryResult.from_oxigraph(res, cancel=cancel, hide=hide)
            except SyntaxError as e:
                raise _syntax_error(sparql, e) from None
            except RuntimeError as e:
                msg = str(e)
                if "SELECT projection" in msg:
                    raise QueryError(
                        f"{msg}: pyoxigraph binds only variables listed after SELECT; "
                        "add the parameter variable to the SELECT clause"
                    ) from None
                raise QueryError(f"query failed: {msg}") from None

        if timeout is None:
            return run()
        box: dict[str, Any] = {}

        def target() -> None:
            try:
                box["result"] = run()
            except BaseException as e:  # re-raised in the caller's thread
                box["error"] = e

        worker = threading.Thread(target=target, name="policykg-query", daemon=True)
        worker.start()
        worker.join(timeout)
        if worker.is_alive():
            cancel.set()
            raise QueryTimeout(
                f"query did not finish within {timeout:g} s and was abandoned; make it "
                "more selective (specific patterns, LIMIT) or allow a longer timeout"
            )
        if "error" in box:
            raise box["error"]
        return box["result"]

    # -------------------------------------------------------------------- dump
    def dump(self, path: str | os.PathLike[str], format: str | None = None) -> Path:
        """Write the store as ``nq`` / ``trig`` / ``ttl`` (union of graphs), atomically.

        ``format`` defaults from the suffix (.nq .trig .ttl).
        """
        p = Path(path)
        fmt = format or _SUFFIX.get(p.suffix.lower())
        if fmt not in DUMP_FORMATS:
            raise ValueError(
                f"dump format {format or p.suffix!r} is not supported; use one of "
                f"{', '.join(DUMP_FORMATS)} (or a path ending in .nq, .trig, .ttl)"
            )
        return atomic_write(p, DUMP_FORMATS[fmt](self.inner))


def rdflib_graph(source: GraphStore | str | os.PathLike[str]) -> Dataset:
    """An rdflib :class:`~rdflib.Dataset` over the store, via oxrdflib's Oxigraph plugin.

    Pass an open :class:`GraphStore` to share its store, or a folder to open it
    read-only (it must not be open for writing elsewhere at the same time).
    ``default_union=True``: triple methods (``ds.objects(...)``) see all article
    graphs, as SPARQL does in :meth:`GraphStore.query`. Reading is what this is
    for; prefer :meth:`GraphStore.replace_article` to write.
    """
    from oxrdflib.store import OxigraphStore

    inner = source.inner if isinstance(source, GraphStore) else None
    if inner is None:
        p = Path(source)
        if not p.is_dir():
            raise FileNotFoundError(f"no store at {str(p)!r}; build one first")
        inner = ox.Store.read_only(str(p))
    return Dataset(store=OxigraphStore(store=inner), default_union=True)
