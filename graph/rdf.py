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
  ``pkg:contentHash``. Authors are plain literals and therefore *unordered*: RDF
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
from functools import lru_cache
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Union
from urllib.parse import quote

import pyoxigraph as ox
from pypinyin import lazy_pinyin
from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SDO, SKOS, XSD
from rdflib.term import Node

from policykg.graph.model import ArticleGraph, Relation
from policykg.ontology.namespace import ONTOLOGY_IRI, PKG, PKGID

__all__ = [
    "PREFIXES", "Quad", "slug", "entity_iri", "article_iri", "graph_iri", "assertion_iri",
    "evidence_iri", "rule_iri", "confidence_literal", "article_quads", "to_dataset",
    "to_nquads", "to_trig", "to_turtle_union", "write_nquads", "write_trig",
    "write_turtle_union", "to_oxigraph", "to_oxigraph_term", "oxigraph_quads", "atomic_write", "Source",
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
    return PKGID["s/" + _sha1(f"{article_id}|{subject}|{predicate}|{obj}")[:16]]


def evidence_iri(article_id: str, subject: str, predicate: str, obj: str,
                 start: int, end: int, rule: str) -> URIRef:
    """One node per piece of evidence of one relation: it carries that evidence's
    rule, confidence and negation, which differ between relations of one sentence."""
    key = f"{article_id}|{subject}|{predicate}|{obj}|{start}|{end}|{rule}"
    return PKGID["ev/" + _sha1(key)[:16]]


def rule_iri(rule_id: str) -> URIRef:
    return PKGID["rule/" + _safe(rule_id)]


def confidence_literal(value: float) -> Literal:
    """``xsd:decimal`` rounded (half up) to 2 places, in canonical form.

    Canonical (``0.9``, ``1``, not ``0.90``, ``1.00``) because Oxigraph stores
    literals canonicalised: this keeps the files and a store dump byte-identical.

    >>> [str(confidence_literal(x)) for x in (0.9, 1.0, 0.125, 0.0)]
    ['0.9', '1', '0.13', '0']
    """
    d = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    return Literal(format(d, "f"), datatype=XSD.decimal)


# --------------------------------------------------------------------- model → RDF
_TRUE = Literal("true", datatype=XSD.boolean)


def _zh(text: str) -> Literal:
    return Literal(text, lang="zh")


def _int(n: int) -> Literal:
    return Literal(str(int(n)), datatype=XSD.integer)


def article_quads(ag: ArticleGraph) -> list[Quad]:
    """All quads of one article's named graph, deduplicated, in a stable order.

    >>> from policykg.graph.model import Article, ArticleGraph, Entity
    >>> art = Article(id="demo-1", source="demo.txt", index=1, title="T", authors=(),
    ...               affiliations=(), paragraphs=("济南。",))
    >>> qs = article_quads(ArticleGraph(art, (Entity("济南", ("City",)),), ()))
    >>> {q[3] for q in qs} == {graph_iri("demo-1")}
    True
    >>> (entity_iri("济南"), RDF.type, PKG.City, graph_iri("demo-1")) in qs
    True
    """
    a = ag.article
    art, g = article_iri(a.id), graph_iri(a.id)
    out: dict[Quad, None] = {}

    def add(s: Node, p: Node, o: Node) -> None:
        out[(s, p, o, g)] = None

    for cls in (PKG.Article, SDO.Article, PROV.Entity):
        add(art, RDF.type, cls)
    add(art, DCTERMS.title, _zh(a.title))   # even "": the shapes require one title
    for name in a.authors:
        add(art, DCTERMS.creator, _zh(name))
    for name in a.affiliations:
        add(art, SDO.affiliation, _zh(name))
    add(art, PKG.sourceFile, Literal(a.source))
    add(art, PKG.articleIndex, _int(a.index))
    add(art, PKG.contentHash, Literal(a.content_hash))

    mentions = dict(ag.mentions)
    for e in ag.entities:
        node = entity_iri(e.label)
        add(node, RDF.type, PKG.Entity)
        for t in e.types:
            add(node, RDF.type, PKG[t])
        add(node, RDFS.label, _zh(e.label))
        for alias in e.aliases:
            add(node, SKOS.altLabel, _zh(alias))
        if e.adcode:
            add(node, PKG.adcode, Literal(e.adcode))
        if e.label in mentions:
            add(node, PKG.mentionCount, _int(mentions[e.label]))

    for r in ag.relations:
        _relation(a.id, art, r, add)
    return list(out)


def _relation(article_id: str, art: URIRef, r: Relation, add: Any) -> None:
    s, p, o = entity_iri(r.subject), PKG[r.predicate], entity_iri(r.object)
    negated = bool(r.evidence) and all(ev.negated for ev in r.evidence)
    if not negated:
        add(s, p, o)
    stmt = assertion_iri(article_id, r.subject, r.predicate, r.object)
    add(stmt, RDF.type, PKG.Assertion)
    add(stmt, RDF.type, RDF.Statement)
    add(stmt, RDF.subject, s)
    add(stmt, RDF.predicate, p)
    add(stmt, RDF.object, o)
    add(stmt, PKG.confidence, confidence_literal(r.confidence))
    add(stmt, PROV.wasDerivedFrom, art)
    if negated:
        add(stmt, PKG.negated, _TRUE)
    for ev in r.evidence:
        if ev.article_id != article_id:
            raise ValueError(
                f"relation {r.subject} {r.predicate} {r.object}: evidence from article "
                f"{ev.article_id!r} inside the graph of article {article_id!r}; evidence "
                "must come from the article it is attached to (fix the extractor's merge)"
            )
        rule = rule_iri(ev.rule)
        add(rule, RDF.type, PKG.Rule)
        add(rule, RDFS.label, Literal(ev.rule))
        node = evidence_iri(article_id, r.subject, r.predicate, r.object, ev.start, ev.end, ev.rule)
        add(stmt, PKG.evidence, node)
        add(node, RDF.type, PKG.Evidence)
        add(node, PKG.sentence, _zh(ev.sentence))
        add(node, PKG.startOffset, _int(ev.start))
        add(node, PKG.endOffset, _int(ev.end))
        add(node, PKG.rule, rule)
        add(node, PKG.confidence, confidence_literal(ev.confidence))
        if ev.negated:
            add(node, PKG.negated, _TRUE)
        add(node, PROV.wasDerivedFrom, art)
    if r.evidence:
        # the assertion names one rule: that of its most confident evidence
        best = min(r.evidence, key=lambda ev: (-ev.confidence, ev.rule, ev.start))
        add(stmt, PKG.rule, rule_iri(best.rule))


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
                yield from (to_oxigraph(q) for q in article_quads(item))
            else:
                yield to_oxigraph(item)
    else:
        raise TypeError(
            f"got {type(data).__name__}; pass an rdflib Dataset or Graph, a pyoxigraph "
            "Store, ArticleGraphs, or an iterable of (s, p, o[, g]) tuples"
        )


def _key(q: ox.Quad) -> tuple[str, str, int, str, str]:
    # graph, subject, rdf:type first (reads better), predicate, object
    p = q.predicate.value
    return (str(q.graph_name), str(q.subject), 0 if p == str(RDF.type) else 1, p, str(q.object))


def _sorted_quads(data: Any) -> list[ox.Quad]:
    return sorted(set(oxigraph_quads(data)), key=_key)


# ---------------------------------------------------------------------- serialisers
def to_nquads(data: Source) -> bytes:
    """Canonical N-Quads (pyoxigraph's escaping), one sorted line per distinct quad."""
    lines = sorted({str(q) + " .\n" for q in oxigraph_quads(data)})
    return "".join(lines).encode("utf-8")


def to_trig(data: Source) -> bytes:
    """TriG, graphs and subjects in sorted order, with :data:`PREFIXES`."""
    return ox.serialize(_sorted_quads(data), format=ox.RdfFormat.TRIG, prefixes=PREFIXES)


def to_turtle_union(data: Source) -> bytes:
    """Turtle of the union of all graphs (duplicates across articles merged)."""
    triples = {q.triple for q in oxigraph_quads(data)}
    ordered = sorted(triples, key=lambda t: _key(ox.Quad(t.subject, t.predicate, t.object)))
    return ox.serialize(ordered, format=ox.RdfFormat.TURTLE, prefixes=PREFIXES)


def atomic_write(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to a temp file beside ``path``, then ``os.replace`` it in place."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def write_nquads(data: Source, path: str | os.PathLike[str]) -> Path:
    return atomic_write(path, to_nquads(data))


def write_trig(data: Source, path: str | os.PathLike[str]) -> Path:
    return atomic_write(path, to_trig(data))


def write_turtle_union(data: Source, path: str | os.PathLike[str]) -> Path:
    return atomic_write(path, to_turtle_union(data))
