"""SPARQL for analysts: named queries, safe parameters, results as table / CSV / JSON.

Named queries live in ``policykg/ontology/queries/*.rq``. Each file starts with
comment lines the loader reads (:func:`parse_named_query`; a malformed line is
an error that says how to write it)::

    # title: Places that coordinate with a place
    # description: ...
    # param: ?place (label) — canonical label or alias of the place, e.g. 济南
    # param: ?type (optional) — class local name, e.g. City
    # reads: summary

A ``# param:`` line is ``?name``, then optionally, in parentheses and separated by
commas, ``optional`` (the parameter may be left out) and the *kind* of the value,
then ``—`` (or ``–``, ``--``, ``-``, ``:``) and a description. The kind decides
which RDF term the value is bound as:

``string`` (the default)
    a plain ``xsd:string`` literal, for values the query compares as text, such
    as a predicate or class local name (``STRAFTER(STR(?p), "#") = ?predicate``);
``label``
    a Chinese-tagged literal ``"济南"@zh``: the form of every ``rdfs:label`` and
    ``skos:altLabel`` the builder writes (the SHACL shapes require ``@zh``
    labels), so the query can look the value up in a triple pattern such as
    ``?node rdfs:label|skos:altLabel ?place``, which uses the store's index.
    (``FILTER(STR(?name) = ?place)`` compares every label in the store: seconds
    on a 1 M-quad graph.) A label stated only as a plain or otherwise tagged
    literal does not match a ``label`` parameter.
``year``
    a four-digit year (``2024``) bound as an ``xsd:integer``, compared with the
    summary's ``pkg:year`` or the year of an article's ``dcterms:issued``; any
    other value is a :class:`QueryError` that says so (``since`` / ``until``).

A ``# reads:`` line names, separated by commas, the derived graphs the query needs
besides the article graphs; the one there is, ``summary``, is the summary graph
(:mod:`policykg.graph.summary`). :func:`run_query` refuses such a query on a store
without that graph (:class:`MissingGraphError`, which says how to add it) instead of
answering it with no rows: a store filled only with
:meth:`~policykg.graph.store.GraphStore.replace_article`, or built by a policykg
older than the summary graph, has none. (A build always writes it, empty for an
empty corpus: its queries then answer with no rows.)

Parameters are *inputs*: :func:`run_query` binds them with pyoxigraph's
``substitutions`` (SEP-0007), never by pasting text into the query, so a value
such as ``" } UNION { ?s ?p ?o`` is just a string that matches nothing. A query
given as text (an ``.rq`` file of one's own) binds its parameters by the kinds
its ``# param:`` lines declare, and as ``string`` where it declares none.
pyoxigraph only substitutes variables of the SELECT projection, so the queries
project them, and :func:`run_query` drops them from the result again. Two
pyoxigraph 0.5 quirks the queries work around: ``BOUND(?param)`` is false even
when substituted (use ``COALESCE(?x = ?param, true)``, or
``COALESCE(isLiteral(?param), false)`` for "is it given"), and an optional
parameter that is not given stays unbound.

How the bundled queries stay fast on a big store (``bench/bench_queries.py``):
the default graph is the union of the article graphs, which Oxigraph treats as
a multiset, so a pattern outside ``GRAPH ?g { … }`` (``?s rdfs:label ?l``)
matches once per article that describes ``?s``, and joins of such patterns
multiply. Each article graph describes every entity, assertion and evidence it
mentions (the shapes check this per graph), so the queries join inside
``GRAPH ?g``. Oxigraph's optimizer tends to hash-join whole index scans;
``LATERAL { … }`` (SEP-0006) makes it evaluate the right side once per row of
the left side instead, starting from the few nodes a parameter selects. Inside
a subquery (``{ SELECT … }``, also one after ``LATERAL``) a parameter or an
outer variable is only substituted when the subquery projects it: write
``{ SELECT DISTINCT ?node ?place WHERE { … ?place } }``, not ``SELECT ?node``.

The queries that read the whole graph (``entities``, ``relations``, ``industries-of``,
``mechanisms``, ``modeled-on``, ``timeline``) read the summary graph (:mod:`policykg.graph.summary`)
that the build derives from the article graphs: totals per entity and class and per
un-negated relation, each relation with its best sentence, computed once, instead of
every article's copy. So ``industries-of``, ``mechanisms`` and ``modeled-on`` give one
row per relation, with its best sentence and number of articles (``evidence`` lists
every sentence). They sort by the summary's integer ranks: Oxigraph looks a long
string up for every comparison, which made ``ORDER BY`` on labels the largest cost of
a big result.

>>> q = named_queries()["entities"]
>>> q.title, [(p.name, p.kind, p.optional) for p in q.params]
('All entities', [('type', 'string', True)])
"""
from __future__ import annotations

import csv
import io
import json
import re
import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib.resources import files
from typing import TYPE_CHECKING, Any, Iterator, Literal as TypingLiteral, Mapping

import pyoxigraph as ox

from policykg.graph.summary import SUMMARY_GRAPH

if TYPE_CHECKING:  # runtime import would be circular (store uses QueryResult)
    from policykg.graph.store import GraphStore

__all__ = [
    "QueryError", "QueryTimeout", "MissingGraphError", "READS", "PARAM_KINDS", "QueryParam", "NamedQuery", "Term", "QueryResult",
    "named_queries", "parse_named_query", "run_query", "to_table", "to_csv", "to_json",
]

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {_XSD + t for t in (
    "integer", "int", "long", "short", "byte", "nonNegativeInteger", "positiveInteger",
    "nonPositiveInteger", "negativeInteger", "unsignedInt", "unsignedLong",
    "unsignedShort", "unsignedByte")}


class QueryError(ValueError):
    """A query that cannot run: malformed SPARQL, bad parameters."""


class QueryTimeout(QueryError):
    """A query that did not finish within its timeout."""


class MissingGraphError(QueryError):
    """A query that reads a derived graph (``# reads:``) the store does not have."""


#: what a ``# reads:`` line may name: the derived graph's IRI
READS: dict[str, str] = {"summary": SUMMARY_GRAPH}


# ------------------------------------------------------------------ named queries
#: parameter kinds: how a value is bound (see the module doc)
PARAM_KINDS: dict[str, str] = {
    "string": "a plain xsd:string literal",
    "label": 'a Chinese-tagged literal "…"@zh, as the builder writes labels',
    "year": "an xsd:integer year of four digits",
}


@dataclass(frozen=True)
class QueryParam:
    name: str                   #: variable name without ``?``
    description: str
    optional: bool = False
    kind: str = "string"        #: a key of :data:`PARAM_KINDS`

    def term(self, value: str) -> ox.Literal:
        """The RDF term ``value`` is bound as.

        >>> QueryParam("place", "", kind="label").term("济南")
        <Literal value=济南 language=zh>
        >>> QueryParam("since", "", kind="year").term("2024").datatype
        <NamedNode value=http://www.w3.org/2001/XMLSchema#integer>
        """
        if self.kind == "label":
            return ox.Literal(value, language="zh")
        if self.kind == "year":
            if not re.fullmatch(r"\d{4}", value.strip()):
                raise QueryError(f"parameter ?{self.name}: got {value!r}; it takes a year "
                                 "of four digits, e.g. 2024")
            return ox.Literal(value.strip(), datatype=ox.NamedNode(_XSD + "integer"))
        return ox.Literal(value)


@dataclass(frozen=True)
class NamedQuery:
    name: str                   #: file stem, e.g. ``coordinates-with``
    title: str
    description: str
    params: tuple[QueryParam, ...]
    text: str
    reads: tuple[str, ...] = ()     #: keys of :data:`READS` its ``# reads:`` line names


_PARAM = re.compile(r"^\?(\w+)(?:\s*\(([^()]*)\))?\s*(?:—|–|--|-|:)\s*(.+)$")
_PARAM_HELP = ("write '# param: ?name — description', with '(optional)' after the name if it "
               "may be omitted, '(label)' if it is bound as a @zh label, '(year)' if it is a "
               "year bound as an xsd:integer, or '(optional, label)'")


def _parse_param(where: str, line: str, value: str) -> QueryParam:
    m = _PARAM.match(value)
    if not m:
        raise QueryError(f"{where}: parameter line {line!r} is malformed; {_PARAM_HELP}")
    options = [] if m[2] is None else [o.strip() for o in m[2].split(",")]
    for opt in options:
        if opt != "optional" and opt not in PARAM_KINDS:
            raise QueryError(
                f"{where}: parameter ?{m[1]} has the unknown option {opt!r}; the options "
                "are 'optional' and one kind, " + " or ".join(
                    f"{k!r} (bound as {d})" for k, d in PARAM_KINDS.items())
            )
    kinds = [o for o in options if o in PARAM_KINDS]
    if len(kinds) > 1 or options.count("optional") > 1:
        raise QueryError(
            f"{where}: parameter ?{m[1]} has ({m[2]}); give 'optional' at most once "
            "and at most one kind"
        )
    return QueryParam(m[1], m[3].strip(), "optional" in options, kinds[0] if kinds else "string")


def _parse_reads(where: str, line: str, value: str) -> list[str]:
    names = [v.strip() for v in value.split(",")]
    for n in names:
        if n not in READS:
            raise QueryError(
                f"{where}: {line.strip()!r} names {n!r}; a '# reads:' line names the derived "
                f"graphs the query needs, separated by commas: {', '.join(map(repr, READS))}")
    return names


def _header(text: str) -> Iterator[tuple[str, str, str]]:
    """(line, key, value) of the leading ``# key: value`` comment lines."""
    for line in text.splitlines():
        s = line.strip()
        if not s:
            continue
        if not s.startswith("#"):
            break
        key, sep, value = s.lstrip("#").strip().partition(":")
        if sep:
            yield line, key.strip().lower(), value.strip()


def parse_named_query(name: str, text: str) -> NamedQuery:
    """Read the ``# key: value`` header of a ``.rq`` file.

    >>> parse_named_query("x", "# title: T\\n# description: D\\n# param: ?p (label) — a place\\nSELECT ?p {}")
    NamedQuery(name='x', title='T', description='D', params=(QueryParam(name='p', description='a place', optional=False, kind='label'),), text='# title: T\\n# description: D\\n# param: ?p (label) — a place\\nSELECT ?p {}', reads=())
    >>> parse_named_query("x", "# title: T\\n# description: D\\n# reads: summary\\nSELECT * {}").reads
    ('summary',)
    """
    title, desc, params, reads = None, [], [], []
    for line, key, value in _header(text):
        if key == "title":
            title = value
        elif key == "description":
            desc.append(value)
        elif key == "param":
            params.append(_parse_param(f"query {name!r}", line, value))
        elif key == "reads":
            reads += _parse_reads(f"query {name!r}", line, value)
    if not title or not desc:
        raise QueryError(
            f"query {name!r} has no '# title:' or '# description:' header line; "
            "named queries must start with both"
        )
    seen = [p.name for p in params]
    twice = sorted({n for n in seen if seen.count(n) > 1})
    if twice:
        raise QueryError(
            f"query {name!r} declares {', '.join('?' + n for n in twice)} on more than one "
            "'# param:' line; declare each parameter once"
        )
    return NamedQuery(name, title, " ".join(desc), tuple(params), text,
                      tuple(dict.fromkeys(reads)))


def named_queries() -> dict[str, NamedQuery]:
    """All ``queries/*.rq`` of :mod:`policykg.ontology`, by name, sorted."""
    folder = files("policykg.ontology").joinpath("queries")
    out = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".rq"):
            name = entry.name[: -len(".rq")]
            out[name] = parse_named_query(name, entry.read_text(encoding="utf-8"))
    return out


# ---------------------------------------------------------------------- results
@dataclass(frozen=True)
class Term:
    """One RDF term of a result, with what the SPARQL JSON format needs."""

    type: TypingLiteral["uri", "literal", "bnode", "triple"]
    value: str
    lang: str | None = None
    datatype: str | None = None

    @classmethod
    def from_oxigraph(cls, t: Any) -> Term:
        if isinstance(t, ox.NamedNode):
            return cls("uri", t.value)
        if isinstance(t, ox.BlankNode):
            return cls("bnode", t.value)
        if isinstance(t, ox.Literal):
            if t.language:
                return cls("literal", t.value, lang=t.language)
            dt = t.datatype.value
            return cls("literal", t.value, datatype=None if dt == _XSD + "string" else dt)
        return cls("triple", str(t))

    def to_python(self) -> Any:
        """``int`` / ``Decimal`` / ``float`` / ``bool`` for those datatypes, else the string."""
        dt, v = self.datatype, self.value
        try:
            if dt in _INTEGERS:
                return int(v)
            if dt == _XSD + "decimal":
                return Decimal(v)
            if dt in (_XSD + "double", _XSD + "float"):
                return float(v)
        except (ValueError, InvalidOperation):
            return v
        if dt == _XSD + "boolean":
            return v in ("true", "1")
        return v


Row = tuple[Any, ...]


@dataclass(frozen=True)
class QueryResult:
    """A materialised result. ``kind`` is ``select``, ``ask`` or ``graph``
    (CONSTRUCT/DESCRIBE: variables ``subject predicate object``, one row per triple)."""

    kind: TypingLiteral["select", "ask", "graph"]
    variables: tuple[str, ...]
    rows: tuple[Row, ...]                       #: python values, None when unbound
    terms: tuple[tuple[Term | None, ...], ...] = field(repr=False, default=())
    boolean: bool | None = None                 #: the answer of an ASK query

    @classmethod
    def from_oxigraph(cls, res: Any, *, cancel: threading.Event | None = None,
                      hide: frozenset[str] = frozenset()) -> QueryResult:
        """Materialise a pyoxigraph result; stops early when ``cancel`` is set.

        Each distinct term is converted once (results repeat classes, predicates,
        counts), and solutions are read as tuples: indexing a pyoxigraph
        solution costs more than converting the term.
        """
        if isinstance(res, ox.QueryBoolean):
            return cls("ask", (), (), (), bool(res))
        seen: dict[Any, tuple[Term, Any]] = {}

        def convert(t: Any) -> tuple[Term, Any] | tuple[None, None]:
            if t is None:
                return None, None
            hit = seen.get(t)
            if hit is None:
                term = Term.from_oxigraph(t)
                hit = seen[t] = (term, term.to_python())
            return hit

        if isinstance(res, ox.QueryTriples):
            variables: tuple[str, ...] = ("subject", "predicate", "object")
            kind: TypingLiteral["select", "graph"] = "graph"
            solutions: Any = ((t.subject, t.predicate, t.object) for t in res)
            keep = None
        else:
            names = [v.value for v in res.variables]
            keep = [i for i, n in enumerate(names) if n not in hide]
            variables = tuple(names[i] for i in keep)
            kind = "select"
            solutions = res
        terms, rows = [], []
        for sol in solutions:
            if cancel is not None and cancel.is_set():
                break
            values = tuple(sol)
            pairs = [convert(values[i]) for i in keep] if keep is not None else [
                convert(v) for v in values]
            terms.append(tuple(p[0] for p in pairs))
            rows.append(tuple(p[1] for p in pairs))
        return cls(kind, variables, tuple(rows), tuple(terms))


# ------------------------------------------------------------------------ running
def run_query(store: GraphStore, query: str | NamedQuery, *,
              params: Mapping[str, str] | None = None,
              timeout: float | None = None) -> QueryResult:
    """Run SPARQL text or a :class:`NamedQuery` with string parameters.

    Parameter variables are bound safely, each as the term its declared kind
    says (see module doc), and left out of the result. For a named query,
    unknown parameters and missing required ones are errors.
    """
    params = {k.lstrip("?$"): v for k, v in (params or {}).items()}   # "?place" = "place"
    if isinstance(query, NamedQuery):
        declared = {p.name: p for p in query.params}
        unknown = sorted(set(params) - set(declared))
        if unknown:
            raise QueryError(
                f"query {query.name!r}: unknown parameter(s) {', '.join('?' + u for u in unknown)}; "
                f"it takes {', '.join('?' + d for d in declared) or 'no parameters'}"
            )
        missing = [p.name for p in query.params if not p.optional and p.name not in params]
        if missing:
            raise QueryError(
                f"query {query.name!r}: missing required parameter(s) "
                f"{', '.join('?' + m for m in missing)}; pass them as name=value"
            )
        text, hide, reads, label = query.text, frozenset(declared), query.reads, repr(query.name)
    else:   # SPARQL text, e.g. an .rq file: its '# param:' lines, if any, give the kinds
        header = list(_header(query))
        declared = {p.name: p for p in (
            _parse_param("query text", line, value) for line, key, value in header if key == "param")}
        reads = tuple(n for line, key, value in header if key == "reads"
                      for n in _parse_reads("query text", line, value))
        # its declared parameters are inputs even when not given (an optional ?since)
        text, hide, label = query, frozenset(params) | frozenset(declared), "text"
    for graph in reads:
        _require_graph(store, graph, label)
    bindings = {}
    for name, value in params.items():
        if not isinstance(value, str):
            raise QueryError(
                f"parameter ?{name}: got {type(value).__name__} {value!r}; parameters are strings"
            )
        if not re.search(rf"[?$]{re.escape(name)}\b", text):
            raise QueryError(
                f"parameter ?{name} is not a variable of the query; use one of its "
                "variables (without '?') as parameter name"
            )
        bindings[name] = declared.get(name, QueryParam(name, "")).term(value)
    return store.query(text, bindings=bindings, timeout=timeout, hide=hide)


def _require_graph(store: GraphStore, graph: str, query: str) -> None:
    iri = READS[graph]
    if store.inner.contains_named_graph(ox.NamedNode(iri)):
        return
    where = f"at {str(store.path)!r}" if store.path is not None else "in memory"
    raise MissingGraphError(
        f"query {query} reads the {graph} graph <{iri}>, but the store {where} has no "
        f"{graph} graph (a store filled only with GraphStore.replace_article, or built by "
        "a policykg older than the summary graph, has none); rebuild the store with "
        "`policykg build`, or, in Python, add it after loading the article graphs: "
        "from policykg.graph.summary import article_facts, to_summary; "
        "store.replace_summary(to_summary(map(article_facts, graphs)))")


# --------------------------------------------------------------------- formatters
def _cell(t: Term | None) -> str:
    return "" if t is None else t.value


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _display(value: str) -> Any:
    """A cell for rich: never markup, control characters (ESC …) shown escaped."""
    from rich.text import Text

    return Text(_CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", value))


def to_table(result: QueryResult, *, width: int = 160) -> str:
    """An aligned text table (rich; CJK characters count as two columns).

    >>> r = QueryResult("select", ("城市", "n"), (("济南", 1),), ((Term("literal", "济南", lang="zh"), Term("literal", "1")),))
    >>> print(to_table(r))
     城市   n
    ──────────
     济南   1
    <BLANKLINE>
    (1 row)
    """
    from rich import box
    from rich.console import Console
    from rich.table import Table

    if result.kind == "ask":
        return "true" if result.boolean else "false"
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=True, header_style=None)
    for v in result.variables:
        table.add_column(v, overflow="fold")
    for row in result.terms:
        table.add_row(*(_display(_cell(t)) for t in row))
    buf = io.StringIO()
    Console(file=buf, width=width, color_system=None, force_terminal=False,
            legacy_windows=False, soft_wrap=False).print(table)
    lines = [line.rstrip() for line in buf.getvalue().splitlines()]
    # SIMPLE_HEAD draws a rule under the header; drop it when there are no rows
    n = len(result.rows)
    body = "\n".join(line for line in lines if line.strip("─ ") or n)
    return f"{body}\n\n({n} row{'s' if n != 1 else ''})"


def to_csv(result: QueryResult) -> str:
    """SPARQL 1.1 CSV results: header of variable names, lexical values, CRLF lines.
    An ASK result is one ``boolean`` column."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    if result.kind == "ask":
        w.writerow(["boolean"])
        w.writerow(["true" if result.boolean else "false"])
    else:
        w.writerow(result.variables)
        for row in result.terms:
            w.writerow([_cell(t) for t in row])
    return buf.getvalue()


def _json_term(t: Term) -> dict[str, str]:
    d = {"type": t.type, "value": t.value}
    if t.lang:
        d["xml:lang"] = t.lang
    elif t.datatype:
        d["datatype"] = t.datatype
    return d


def to_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON (``head``/``results``/``bindings`` or ``boolean``).
    CONSTRUCT results use the same layout with variables subject, predicate, object."""
    if result.kind == "ask":
        doc: dict[str, Any] = {"head": {}, "boolean": bool(result.boolean)}
    else:
        doc = {
            "head": {"vars": list(result.variables)},
            "results": {"bindings": [
                {v: _json_term(t) for v, t in zip(result.variables, row) if t is not None}
                for row in result.terms
            ]},
        }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
