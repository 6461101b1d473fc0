"""The extraction model (:mod:`policykg.graph.model`) as RDF, and deterministic writers.

Pure functions, networkx style: :func:`article_quads` / :func:`to_dataset` build the
RDF, ``to_nquads`` / ``to_trig`` / ``to_turtle_union`` return the serialisation as
``bytes`` and the matching ``write_*`` functions write it atomically.

IRIs are readable, ASCII and stable (they depend on the label or id only):

>>> str(entity_iri("济南"))
'https://w3id.org/policykg/id/e/jinan-185eb1'
>>> str(entity_iri("5G网络"))
'https://w3id.org/policykg/id/e/5g-wangluo-ca7620'
>>> str(article_iri("demo-1")), str(graph_iri("demo-1"))
('https://w3id.org/policykg/id/a/demo-1', 'https://w3id.org/policykg/id/g/demo-1')

What one article's named graph ``<g/ID>`` holds:

* the article: ``a pkg:Article, schema:Article, prov:Entity``; ``dcterms:title``,
  one ``dcterms:creator`` per author and one ``schema:affiliation`` per
  affiliation (``@zh`` literals); ``pkg:sourceFile``, ``pkg:articleIndex``,
  ``pkg:contentHash``; when the file says: ``dcterms:issued`` (``xsd:date``, or
  ``xsd:gYear`` when only the year is known), ``dcterms:source`` (where it was taken
  from, ``@zh``), ``dcterms:publisher`` (``@zh``) and ``schema:url`` (an IRI).
  Authors are plain literals and therefore *unordered*: RDF
  has no cheap ordered multi-value that SPARQL users enjoy (rdf:List needs blank
  nodes, which break byte-stable output); the order is in the source file.
* every entity of the article: ``a pkg:Entity`` plus each specific class,
  ``rdfs:label`` and ``skos:altLabel`` (``@zh``), ``pkg:adcode``,
  ``pkg:mentionCount`` (mentions in this article). An entity mentioned in several
  articles is described in each of their graphs, identically except for the count.
* every relation as a direct triple ``s pkg:pred o`` (not for negated relations)
  and as a ``pkg:Assertion`` / ``rdf:Statement`` with ``rdf:subject``,
  ``rdf:predicate``, ``rdf:object``, ``pkg:confidence`` (xsd:decimal, max of its
  evidence, see :func:`confidence_literal`), ``pkg:rule`` (the rule of its most
  confident evidence; a rule is a ``pkg:Rule`` with its id as ``rdfs:label``),
  ``pkg:negated true`` only when negated, ``prov:wasDerivedFrom`` the article, and
  ``pkg:evidence`` → one ``pkg:Evidence`` node per piece of evidence
  (``pkg:sentence`` ``@zh``, ``pkg:startOffset``, ``pkg:endOffset``, its own
  ``pkg:rule``, ``pkg:confidence`` and ``pkg:negated``, ``prov:wasDerivedFrom``
  the article). A relation is negated when it has evidence and *all* of it is
  negated; a relation without evidence has no rule and fails validation.

No timestamps, no blank nodes: the same input gives the same quads, and the
writers sort them, so files are byte-identical across runs and processes.
"""
from __future__ import annotations

import hashlib
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache, lru_cache
from pathlib import Path
from typing import IO, Any, Union
from urllib.parse import quote

import pyoxigraph as ox
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SDO, SKOS, XSD
from rdflib.term import Node

from policykg.graph.model import ArticleGraph, Relation
from policykg.ontology.namespace import ONTOLOGY_IRI, PKG, PKGID

__all__ = [
    "PREFIXES", "Quad", "slug", "entity_iri", "article_iri", "graph_iri", "assertion_iri",
    "evidence_iri", "rule_iri", "confidence_literal", "confidence_lexical", "date_nt", "article_quads", "to_dataset",
    "to_nquads", "to_trig", "to_turtle_union", "write_nquads", "write_trig",
    "write_turtle_union", "to_oxigraph", "to_oxigraph_term", "from_oxigraph_term", "oxigraph_quads",
    "article_nquads", "article_oxigraph", "article_blocks", "GraphBlocks",
    "SHARED_SUBJECTS", "shared_key", "from_shared_key", "split_prefixes", "serialize_body", "atomic_file", "atomic_write", "Source",
]

#: (subject, predicate, object, graph) with rdflib terms.
Quad = tuple[Node, Node, Node, URIRef]

_ID = str(PKGID)
#: Prefixes used in TriG/Turtle output (and offered to SPARQL queries).
PREFIXES: dict[str, str] = {
    "pkg": ONTOLOGY_IRI + "#",
    "pkgid": _ID,
    "entity": _ID + "e/",
    "article": _ID + "a/",
    "graph": _ID + "g/",
    "assertion": _ID + "s/",
    "evidence": _ID + "ev/",
    "rule": _ID + "rule/",
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "skos": str(SKOS),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "schema": str(SDO),
}

_SLUG_MAX = 60
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


# ---------------------------------------------------------------------------- IRIs
def _sha1(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def slug(label: str) -> str:
    """ASCII slug of a label: pinyin of Han runs (toneless, syllables joined),
    ASCII runs kept, lowercased, anything else → ``-``, at most 60 characters.

    Readability only: polyphones may be read wrongly (长三角 → zhangsanjiao) and a
    new pypinyin dictionary could change a slug; identity comes from the hash
    suffix of :func:`entity_iri`.

    >>> slug("济南"), slug("ChatGPT"), slug("《山东省“十四五”规划》"), slug("😀")
    ('jinan', 'chatgpt', 'shandongsheng-shisiwu-guihua', '')
    """
    from pypinyin import lazy_pinyin  # lazy: ~0.7 s to import; only slugs need it

    # errors=: non-Han runs come back fenced by '-' so they stay separate words
    parts = lazy_pinyin(unicodedata.normalize("NFKC", label), errors=lambda s: ["-" + s + "-"])
    text = _NON_ALNUM.sub("-", "".join(parts).lower()).strip("-")
    return text[:_SLUG_MAX].rstrip("-")


@lru_cache(maxsize=1 << 16)  # pure, and pypinyin is the costly part of writing RDF
def entity_iri(label: str) -> URIRef:
    """``pkgid:e/<slug>-<first 6 hex of sha1(label)>``; identity is the exact label.

    Two labels get the same IRI only if their slugs are equal (homophones) *and*
    the 24-bit hashes collide: with even 100 homophones of one slug the chance is
    about 3e-4, and real corpora have a handful; accepted as impossible in practice.

    >>> entity_iri("济南") == entity_iri("济南"), entity_iri("济南") == entity_iri("济南市")
    (True, False)
    """
    h = _sha1(label)[:6]
    s = slug(label)
    return PKGID["e/" + (f"{s}-{h}" if s else h)]


def _safe(part: str) -> str:
    # IRIs must stay ASCII and readable; ids are ASCII already, so this rarely bites
    return quote(part, safe="-._~")


def article_iri(article_id: str) -> URIRef:
    return PKGID["a/" + _safe(article_id)]


def graph_iri(article_id: str) -> URIRef:
    """The named graph that holds everything extracted from one article."""
    return PKGID["g/" + _safe(article_id)]


def assertion_iri(article_id: str, subject: str, predicate: str, obj: str) -> URIRef:
    return URIRef(_assertion_str(article_id, subject, predicate, obj))


def _assertion_str(article_id: str, subject: str, predicate: str, obj: str) -> str:
    return f"{_ID}s/{_sha1(f'{article_id}|{subject}|{predicate}|{obj}')[:16]}"


def evidence_iri(article_id: str, subject: str, predicate: str, obj: str,
                 start: int, end: int, rule: str) -> URIRef:
    """One node per piece of evidence of one relation: it carries that evidence's
    rule, confidence and negation, which differ between relations of one sentence."""
    return URIRef(_evidence_str(article_id, subject, predicate, obj, start, end, rule))


def _evidence_str(article_id: str, subject: str, predicate: str, obj: str,
                  start: int, end: int, rule: str) -> str:
    key = f"{article_id}|{subject}|{predicate}|{obj}|{start}|{end}|{rule}"
    return f"{_ID}ev/{_sha1(key)[:16]}"


def rule_iri(rule_id: str) -> URIRef:
    return PKGID["rule/" + _safe(rule_id)]


@lru_cache(maxsize=4096)
def _rule_nt(rule_id: str) -> str:
    return f"<{rule_iri(rule_id)}>"


def confidence_literal(value: float) -> Literal:
    """``xsd:decimal`` rounded (half up) to 2 places, in canonical form.

    Canonical (``0.9``, ``1``, not ``0.90``, ``1.00``) because Oxigraph stores
    literals canonicalised: this keeps the files and a store dump byte-identical.

    >>> [str(confidence_literal(x)) for x in (0.9, 1.0, 0.125, 0.0)]
    ['0.9', '1', '0.13', '0']
    """
    return Literal(confidence_lexical(value), datatype=XSD.decimal)


@lru_cache(maxsize=4096)  # rules give few distinct confidences; an rdflib Literal costs ~30 µs
def confidence_lexical(value: float) -> str:
    """The lexical form of :func:`confidence_literal`.

    >>> confidence_lexical(0.125), confidence_lexical(1.0)
    ('0.13', '1')
    """
    d = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    return format(d, "f")


# --------------------------------------------------------------------- model → RDF
# The article graph is built as N-Triples term strings (pyoxigraph does the escaping):
# no rdflib or pyoxigraph objects per quad, which made this step as slow as extraction.
_TYPE = f"<{RDF.type}>"


def _nt(iri: Any) -> str:
    return f"<{iri}>"


@lru_cache(maxsize=1 << 16)
def _entity_nt(label: str) -> str:
    return f"<{entity_iri(label)}>"


@lru_cache(maxsize=1 << 16)
def _zh_nt(text: str) -> str:
    return str(ox.Literal(text, language="zh"))


def _str_nt(text: str) -> str:
    return str(ox.Literal(text))


_INT = _nt(XSD.integer)
_DECIMAL = _nt(XSD.decimal)
_TRUE_NT = f'"true"^^{_nt(XSD.boolean)}'


_DATE, _GYEAR = _nt(XSD.date), _nt(XSD.gYear)


def date_nt(issued: str) -> str:
    """``YYYY-MM-DD`` as an xsd:date, ``YYYY`` as an xsd:gYear (N-Triples).

    >>> date_nt("2026-01-22"), date_nt("2026")
    ('"2026-01-22"^^<http://www.w3.org/2001/XMLSchema#date>', '"2026"^^<http://www.w3.org/2001/XMLSchema#gYear>')
    """
    return f'"{issued}"^^{_GYEAR if len(issued) == 4 else _DATE}'


def _int_nt(n: int) -> str:
    return f'"{int(n)}"^^{_INT}'


@lru_cache(maxsize=1024)
def _confidence_nt(value: float) -> str:
    return f'"{confidence_lexical(value)}"^^{_DECIMAL}'


class _P:
    """N-Triples forms of the IRIs article graphs use (closed: a typo fails)."""

    __slots__ = ()
    label, alt = _nt(RDFS.label), _nt(SKOS.altLabel)
    title, creator, affiliation = _nt(DCTERMS.title), _nt(DCTERMS.creator), _nt(SDO.affiliation)
    issued, source, publisher, url = (_nt(DCTERMS.issued), _nt(DCTERMS.source),
                                      _nt(DCTERMS.publisher), _nt(SDO.url))
    derived = _nt(PROV.wasDerivedFrom)
    subject, predicate, object = _nt(RDF.subject), _nt(RDF.predicate), _nt(RDF.object)
    statement = _nt(RDF.Statement)
    article_classes = (_nt(PKG.Article), _nt(SDO.Article), _nt(PROV.Entity))


@cache
def _pkg(name: str) -> str:
    return _nt(PKG[name])       # closed namespace: an unknown name raises


#: a triple as its sort key: (subject, 0 for rdf:type else 1, predicate, object),
#: N-Triples term strings
_Key = tuple[str, int, str, str]


def _article_triples(ag: ArticleGraph) -> dict[_Key, None]:
    """The article graph's distinct triples as :func:`_order` keys of N-Triples terms
    (made in that form: no tuple per triple afterwards), in insertion order."""
    a = ag.article
    art = _nt(article_iri(a.id))
    out: dict[_Key, None] = {}
    for cls in _P.article_classes:
        out[art, 0, _TYPE, cls] = None
    out[art, 1, _P.title, _zh_nt(a.title)] = None   # even "": the shapes require one title
    for name in a.authors:
        out[art, 1, _P.creator, _zh_nt(name)] = None
    for name in a.affiliations:
        out[art, 1, _P.affiliation, _zh_nt(name)] = None
    out[art, 1, _pkg("sourceFile"), _str_nt(a.source)] = None
    out[art, 1, _pkg("articleIndex"), _int_nt(a.index)] = None
    out[art, 1, _pkg("contentHash"), _str_nt(a.content_hash)] = None
    if a.issued:
        out[art, 1, _P.issued, date_nt(a.issued)] = None
    if a.origin:
        out[art, 1, _P.source, _zh_nt(a.origin)] = None
    if a.publisher:
        out[art, 1, _P.publisher, _zh_nt(a.publisher)] = None
    if a.url:
        out[art, 1, _P.url, f"<{a.url}>"] = None

    mentions = dict(ag.mentions)
    entity_cls = _pkg("Entity")
    for e in ag.entities:
        node = _entity_nt(e.label)
        out[node, 0, _TYPE, entity_cls] = None
        for t in e.types:
            out[node, 0, _TYPE, _pkg(t)] = None
        out[node, 1, _P.label, _zh_nt(e.label)] = None
        for alias in e.aliases:
            out[node, 1, _P.alt, _zh_nt(alias)] = None
        if e.adcode:
            out[node, 1, _pkg("adcode"), _str_nt(e.adcode)] = None
        if e.label in mentions:
            out[node, 1, _pkg("mentionCount"), _int_nt(mentions[e.label])] = None

    for r in ag.relations:
        _relation(a.id, art, r, out)
    return out


def _relation(article_id: str, art: str, r: Relation, out: dict[_Key, None]) -> None:
    s, p, o = _entity_nt(r.subject), _pkg(r.predicate), _entity_nt(r.object)
    negated = bool(r.evidence) and all(ev.negated for ev in r.evidence)
    if not negated:
        out[s, 1, p, o] = None
    stmt = f"<{_assertion_str(article_id, r.subject, r.predicate, r.object)}>"
    out[stmt, 0, _TYPE, _pkg("Assertion")] = None
    out[stmt, 0, _TYPE, _P.statement] = None
    out[stmt, 1, _P.subject, s] = None
    out[stmt, 1, _P.predicate, p] = None
    out[stmt, 1, _P.object, o] = None
    out[stmt, 1, _pkg("confidence"), _confidence_nt(r.confidence)] = None
    out[stmt, 1, _P.derived, art] = None
    if negated:
        out[stmt, 1, _pkg("negated"), _TRUE_NT] = None
    for ev in r.evidence:
        if ev.article_id != article_id:
            raise ValueError(
                f"relation {r.subject} {r.predicate} {r.object}: evidence from article "
                f"{ev.article_id!r} inside the graph of article {article_id!r}; evidence "
                "must come from the article it is attached to (fix the extractor's merge)"
            )
        rule = _rule_nt(ev.rule)
        out[rule, 0, _TYPE, _pkg("Rule")] = None
        out[rule, 1, _P.label, _str_nt(ev.rule)] = None
        node = f"<{_evidence_str(article_id, r.subject, r.predicate, r.object, ev.start, ev.end, ev.rule)}>"
        out[stmt, 1, _pkg("evidence"), node] = None
        out[node, 0, _TYPE, _pkg("Evidence")] = None
        out[node, 1, _pkg("sentence"), _zh_nt(ev.sentence)] = None
        out[node, 1, _pkg("startOffset"), _int_nt(ev.start)] = None
        out[node, 1, _pkg("endOffset"), _int_nt(ev.end)] = None
        out[node, 1, _pkg("rule"), rule] = None
        out[node, 1, _pkg("confidence"), _confidence_nt(ev.confidence)] = None
        if ev.negated:
            out[node, 1, _pkg("negated"), _TRUE_NT] = None
        out[node, 1, _P.derived, art] = None
    if r.evidence:
        # the assertion names one rule: that of its most confident evidence
        best = min(r.evidence, key=lambda ev: (-ev.confidence, ev.rule, ev.start))
        out[stmt, 1, _pkg("rule"), _rule_nt(best.rule)] = None


def _order(s: str, p: str, o: str) -> tuple[str, int, str, str]:
    """Order of triples in every writer: subject, rdf:type first, predicate, object."""
    return (s, 0 if p == _TYPE else 1, p, o)


def article_nquads(ag: ArticleGraph) -> str:
    """The article's named graph as N-Quads: distinct lines in :func:`_order`.

    The fast path of a build (the workers call it); equal to
    ``to_nquads([ag])``.

    >>> from policykg.graph.model import Article, ArticleGraph, Entity
    >>> art = Article(id="demo-1", source="demo.txt", index=1, title="T", authors=(),
    ...               affiliations=(), paragraphs=("济南。",))
    >>> ag = ArticleGraph(art, (Entity("济南", ("City",)),), ())
    >>> print(article_nquads(ag).splitlines()[-1])
    <https://w3id.org/policykg/id/e/jinan-185eb1> <http://www.w3.org/2000/01/rdf-schema#label> "济南"@zh <https://w3id.org/policykg/id/g/demo-1> .
    >>> article_nquads(ag).encode() == to_nquads([ag])
    True
    """
    return _nquads(ag, sorted(_article_triples(ag)))


def _nquads(ag: ArticleGraph, keys: list[_Key]) -> str:
    g = _nt(graph_iri(ag.article.id))
    return "".join([f"{s} {p} {o} {g} .\n" for s, _, p, o in keys])


def split_prefixes(data: bytes) -> tuple[bytes, bytes]:
    """(the ``@prefix`` lines at the top, the rest) of a TriG/Turtle serialisation.

    >>> split_prefixes(b"@prefix a: <http://a/> .\\na:x a:p a:y .\\n")
    (b'@prefix a: <http://a/> .\\n', b'a:x a:p a:y .\\n')
    """
    i = 0
    while data.startswith(b"@prefix ", i):
        i = data.index(b"\n", i) + 1
    return data[:i], data[i:]


def serialize_body(data: Iterable[ox.Quad] | Iterable[ox.Triple], fmt: ox.RdfFormat) -> bytes:
    """``data`` as TriG or Turtle with the project's :data:`PREFIXES`, without the
    ``@prefix`` lines: a block that the build concatenates after one prefix block.

    >>> q = ox.Quad(ox.NamedNode(PREFIXES["entity"] + "x"), ox.NamedNode(PREFIXES["rdfs"] + "label"),
    ...             ox.Literal("济南", language="zh"))
    >>> serialize_body([q.triple], ox.RdfFormat.TURTLE).decode()
    'entity:x rdfs:label "济南"@zh .\\n'
    """
    return split_prefixes(ox.serialize(data, format=fmt, prefixes=PREFIXES))[1]


def shared_key(s: str, p: str, o: str) -> str:
    """A triple as one line that sorts like :func:`_order`: the fields joined by
    ``\\0``, which cannot occur in N-Triples terms and sorts first, so string
    order = tuple order (the build's Turtle union merges these lines).

    >>> from_shared_key(shared_key("<s>", "<p>", '"o"')) == ("<s>", "<p>", '"o"')
    True
    """
    return f"{s}\0{0 if p == _TYPE else 1}{p}\0{o}\n"


def from_shared_key(line: str) -> tuple[str, str, str]:
    s, rest = line.split("\0", 1)
    p, o = rest[1:].split("\0", 1)
    return s, p, o.rstrip("\n")


@dataclass(frozen=True)
class GraphBlocks:
    """One article's named graph, serialised for the three dumps, so that a build
    writes them by concatenation (the serialising happens in the workers):

    * ``nquads`` — its block of :func:`to_nquads` (= :func:`article_nquads`);
    * ``trig`` — its block of :func:`to_trig`, without the ``@prefix`` lines;
    * ``turtle`` — the triples of its own subjects (not :data:`SHARED_SUBJECTS`),
      its block of :func:`to_turtle_union`, without the ``@prefix`` lines;
    * ``shared`` — the triples of shared subjects as sorted :func:`shared_key`
      lines, for the union's merge.

    >>> from policykg.graph.model import Article, ArticleGraph, Entity
    >>> art = Article(id="demo-1", source="demo.txt", index=1, title="T", authors=(),
    ...               affiliations=(), paragraphs=("济南。",))
    >>> b = article_blocks(ArticleGraph(art, (Entity("济南", ("City",)),), ()))
    >>> b.trig.startswith(b"graph:demo-1 {"), b.turtle.startswith(b"article:demo-1 a ")
    (True, True)
    >>> [from_shared_key(line)[0] for line in b.shared.splitlines(True)][:1]
    ['<https://w3id.org/policykg/id/e/jinan-185eb1>']
    """

    nquads: str
    trig: bytes
    turtle: bytes
    shared: str


def article_blocks(ag: ArticleGraph) -> GraphBlocks:
    keys = sorted(_article_triples(ag))
    nquads = _nquads(ag, keys)
    own: list[str] = []
    shared: list[str] = []
    for s, _, p, o in keys:         # one pass splits the triples
        if s.startswith(SHARED_SUBJECTS):
            shared.append(shared_key(s, p, o))
        else:
            own.append(f"{s} {p} {o} .\n")
    trig = serialize_body(ox.parse(nquads, format=ox.RdfFormat.N_QUADS), ox.RdfFormat.TRIG)
    turtle = serialize_body(ox.parse("".join(own), format=ox.RdfFormat.N_TRIPLES),
                            ox.RdfFormat.TURTLE)
    return GraphBlocks(nquads, trig, turtle, "".join(shared))


def article_oxigraph(ag: ArticleGraph) -> list[ox.Quad]:
    """:func:`article_nquads` as pyoxigraph quads (for the store and SHACL)."""
    return list(ox.parse(article_nquads(ag), format=ox.RdfFormat.N_QUADS))


def article_quads(ag: ArticleGraph) -> list[Quad]:
    """All quads of one article's named graph as rdflib terms, distinct, in
    :func:`article_nquads` order.

    >>> from policykg.graph.model import Article, ArticleGraph, Entity
    >>> art = Article(id="demo-1", source="demo.txt", index=1, title="T", authors=(),
    ...               affiliations=(), paragraphs=("济南。",))
    >>> qs = article_quads(ArticleGraph(art, (Entity("济南", ("City",)),), ()))
    >>> {q[3] for q in qs} == {graph_iri("demo-1")}
    True
    >>> (entity_iri("济南"), RDF.type, PKG.City, graph_iri("demo-1")) in qs
    True
    """
    return [tuple(map(from_oxigraph_term, (q.subject, q.predicate, q.object, q.graph_name)))
            for q in article_oxigraph(ag)]  # type: ignore[misc]


def to_dataset(graphs: Iterable[ArticleGraph]) -> Dataset:
    """An rdflib :class:`~rdflib.Dataset` with one named graph per article."""
    ds = Dataset()
    for prefix, ns in PREFIXES.items():
        ds.bind(prefix, ns, override=True, replace=True)
    for ag in graphs:
        ds.addN(article_quads(ag))
    return ds


# ------------------------------------------------------------- rdflib ↔ pyoxigraph
def to_oxigraph_term(t: Any) -> Any:
    """An rdflib term (or Graph, or None for the default graph) as a pyoxigraph term."""
    if isinstance(t, (ox.NamedNode, ox.BlankNode, ox.Literal, ox.DefaultGraph)):
        return t
    if isinstance(t, Graph):
        t = t.identifier
    if t is None or t == DATASET_DEFAULT_GRAPH_ID:
        return ox.DefaultGraph()
    if isinstance(t, URIRef):
        return ox.NamedNode(str(t))
    if isinstance(t, BNode):
        return ox.BlankNode(str(t))
    if isinstance(t, Literal):
        if t.language:
            return ox.Literal(str(t), language=t.language)
        return ox.Literal(str(t), datatype=ox.NamedNode(str(t.datatype or XSD.string)))
    raise TypeError(
        f"cannot convert {t!r} ({type(t).__name__}) to an RDF term; expected an rdflib "
        "URIRef, BNode or Literal or a pyoxigraph term"
    )


_XSD_STRING = str(XSD.string)


def from_oxigraph_term(t: Any) -> Node:
    """A pyoxigraph term as an rdflib term (xsd:string literals without a datatype,
    as rdflib writes them).

    >>> from_oxigraph_term(ox.Literal("济南", language="zh"))
    rdflib.term.Literal('济南', lang='zh')
    """
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if isinstance(t, ox.Literal):
        if t.language:
            return Literal(t.value, lang=t.language)
        dt = t.datatype.value
        return Literal(t.value) if dt == _XSD_STRING else Literal(t.value, datatype=URIRef(dt))
    if isinstance(t, ox.DefaultGraph):
        return DATASET_DEFAULT_GRAPH_ID
    raise TypeError(f"cannot convert {t!r} ({type(t).__name__}) to an rdflib term")


def to_oxigraph(quad: Any) -> ox.Quad:
    """One rdflib ``(s, p, o[, g])`` tuple (or pyoxigraph Quad/Triple) as a pyoxigraph Quad."""
    if isinstance(quad, ox.Quad):
        return quad
    if isinstance(quad, ox.Triple):
        return ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph())
    if len(quad) == 3:
        s, p, o = quad
        g = None
    else:
        s, p, o, g = quad
    return ox.Quad(to_oxigraph_term(s), to_oxigraph_term(p), to_oxigraph_term(o), to_oxigraph_term(g))


#: What the writers accept: an rdflib Dataset or Graph, a pyoxigraph Store (or anything
#: with ``quads_for_pattern``, e.g. a GraphStore), ArticleGraphs, or (s, p, o[, g]) tuples.
Source = Union[Dataset, Graph, Iterable[Any], ox.Store]


def oxigraph_quads(data: Source) -> Iterator[ox.Quad]:
    """Every quad of ``data`` (see :data:`Source`) as a pyoxigraph Quad (may repeat)."""
    if isinstance(data, (ox.Store, ox.Dataset)) or hasattr(data, "quads_for_pattern"):
        yield from data.quads_for_pattern(None, None, None, None)
    elif isinstance(data, Dataset) or type(data).__name__ == "ConjunctiveGraph":
        for s, p, o, c in data.quads((None, None, None, None)):
            yield to_oxigraph((s, p, o, c))
    elif isinstance(data, Graph):
        for s, p, o in data:
            yield to_oxigraph((s, p, o))
    elif isinstance(data, Iterable) and not isinstance(data, (str, bytes)):
        for item in data:
            if isinstance(item, ArticleGraph):
                yield from article_oxigraph(item)
            else:
                yield to_oxigraph(item)
    else:
        raise TypeError(
            f"got {type(data).__name__}; pass an rdflib Dataset or Graph, a pyoxigraph "
            "Store, ArticleGraphs, or an iterable of (s, p, o[, g]) tuples"
        )


def _key(q: ox.Quad) -> tuple[str, str, int, str, str]:
    # graph, then subject, rdf:type first (reads better), predicate, object
    return (str(q.graph_name), *_order(str(q.subject), str(q.predicate), str(q.object)))


def _sorted_quads(data: Any) -> list[ox.Quad]:
    return sorted(set(oxigraph_quads(data)), key=_key)


#: Subjects that several article graphs describe (entities, rules): the Turtle union
#: merges them; every other subject (article, assertion, evidence) belongs to one graph.
SHARED_SUBJECTS: tuple[str, ...] = (f"<{PKGID}e/", f"<{PKGID}rule/")


# ---------------------------------------------------------------------- serialisers
def to_nquads(data: Source) -> bytes:
    """Canonical N-Quads (pyoxigraph's escaping), one line per distinct quad, by
    graph, subject (rdf:type first), predicate, object — the order of
    :func:`to_trig`, so each article's graph is one block of lines."""
    return "".join(str(q) + " .\n" for q in _sorted_quads(data)).encode("utf-8")


def to_trig(data: Source) -> bytes:
    """TriG, graphs and subjects in sorted order, with :data:`PREFIXES`."""
    return ox.serialize(_sorted_quads(data), format=ox.RdfFormat.TRIG, prefixes=PREFIXES)


def to_turtle_union(data: Source) -> bytes:
    """Turtle of the union of all graphs (a triple stated in several graphs once).

    Shared subjects (:data:`SHARED_SUBJECTS`: entities and rules) come first,
    sorted; then every other subject graph by graph, in graph order, as in
    :func:`to_trig` — the order a build can write without sorting the whole corpus.
    """
    shared: set[ox.Triple] = set()
    own: dict[ox.Triple, str] = {}
    for q in oxigraph_quads(data):
        t = q.triple
        if str(q.subject).startswith(SHARED_SUBJECTS):
            shared.add(t)
        else:
            g = str(q.graph_name)
            if t not in own or g < own[t]:
                own[t] = g
    ordered = sorted(shared, key=lambda t: _order(str(t.subject), str(t.predicate), str(t.object)))
    ordered += sorted(own, key=lambda t: (own[t], *_order(str(t.subject), str(t.predicate),
                                                          str(t.object))))
    return ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


#: a new temp file, write-only; O_EXCL: never an existing file, nor a symlink's target
_TEMP_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)


def _new_temp(path: Path) -> tuple[int, Path]:
    """A new, empty temp file beside ``path``, open for writing (its descriptor and path).

    Created with mode 0666, so the kernel applies the umask (and any default ACL) as
    for every other new file: ``mkstemp`` makes 0600, and reading the umask in Python
    means setting it, which races with other threads creating files (the store loader).
    """
    for _ in range(100):
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(tmp, _TEMP_FLAGS, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(f"{path.parent}: no unused temp file name for {path.name} "
                          "after 100 tries; remove the .*.tmp files left there")


@contextmanager
def atomic_file(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """A binary file to write ``path`` through: a temp file beside it (with the mode of
    any new file under the umask), renamed into place when the block ends without an
    error, removed when it raises — readers see the old file or the new one.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> with atomic_file(d / "a.txt") as fh:
    ...     _ = fh.write(b"new")
    >>> with atomic_file(d / "a.txt") as fh:
    ...     _ = fh.write(b"half")
    ...     raise ValueError("stopped half way")
    Traceback (most recent call last):
    ValueError: stopped half way
    >>> (d / "a.txt").read_bytes(), sorted(p.name for p in d.iterdir())
    (b'new', ['a.txt'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = _new_temp(path)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_write(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through :func:`atomic_file`."""
    with atomic_file(path) as fh:
        fh.write(data)
    return Path(path)


def write_nquads(data: Source, path: str | os.PathLike[str]) -> Path:
    return atomic_write(path, to_nquads(data))


def write_trig(data: Source, path: str | os.PathLike[str]) -> Path:
    return atomic_write(path, to_trig(data))


def write_turtle_union(data: Source, path: str | os.PathLike[str]) -> Path:
    return atomic_write(path, to_turtle_union(data))
