"""The summary graph: per entity and per relation, what all article graphs say together.

The named queries that read the whole graph (all entities, all relations, every
``specializesIn`` / ``establishes`` statement) would otherwise scan every article
graph's copy of the data (see :mod:`policykg.graph.query`). The build therefore
writes one more named graph, :data:`SUMMARY_GRAPH`
(``https://w3id.org/policykg/id/summary``, deliberately *not* under the
article-graph namespace ``…/id/g/``), derived from the article graphs:

* one ``pkg:EntityTypeSummary`` node per entity and class (``pkg:Entity``
  included: every article graph that describes an entity types it so), with
  ``pkg:entity``, ``pkg:entityClass``, ``pkg:entityName`` (the canonical label as a
  plain string), ``pkg:labelRank`` and ``pkg:articleCount`` (the article graphs
  that give the entity that class);
* one ``pkg:RelationSummary`` node per (subject, predicate, object) that at least
  one article asserts un-negated, with ``pkg:relationSubject``,
  ``pkg:relationPredicate``, ``pkg:relationObject``, ``pkg:subjectName`` /
  ``pkg:objectName``, ``pkg:subjectRank`` / ``pkg:objectRank``,
  ``pkg:relationRank``, ``pkg:maxConfidence`` (the highest ``pkg:confidence`` of
  those assertions), ``pkg:articleCount`` (how many articles assert it un-negated)
  and, when one of those assertions has un-negated evidence, its best sentence:
  ``pkg:bestSentence`` and the article it is from, ``pkg:bestSentenceArticle``;
  over time (the articles' ``dcterms:issued``): ``pkg:firstStated`` and
  ``pkg:lastStated`` (the earliest and latest date of those articles, ``xsd:date``,
  or ``xsd:gYear`` where that article gives only its year), one ``pkg:yearCount``
  node per year (a ``pkg:YearCount`` with ``pkg:year``, an ``xsd:integer``, and
  ``pkg:articleCount``) and ``pkg:undatedArticleCount`` for the articles without a
  date (only when there are any). Dates compare as their text: a year-only date
  counts as the start of its year (``2026`` is before ``2026-01-22``), so a relation
  stated in a ``2026`` article and a ``2026-03-01`` one was first stated ``2026``
  and last ``2026-03-01``.

The best sentence is the evidence sentence of highest confidence among the un-negated
evidence of the un-negated assertions; of equals, the one of the first article in
article id order, and the first in that article. One per relation: the summary's
size (and the build's memory for it) follows the number of distinct relations, not
of sentences, which grows with the corpus (the project's rule: peak memory grows with
the number of distinct entities, not with corpus size). Every sentence of a relation
is in the article graphs (the ``evidence`` query lists them).

Ranks (``pkg:labelRank`` …) are the position of a label among all labels of the
summary in code point order — the order of SPARQL's ``ORDER BY`` on strings — so
queries sort by an integer instead of comparing long strings, which Oxigraph looks
up for every comparison; ``pkg:relationRank`` is the position of the relation in the
order of (subject label, predicate local name, object label), one sort key where
three would cost a join each. Negated relations are left out (as the queries leave
them out); so are relations whose only assertions are negated.

The summary uses only its own classes and predicates and its own subjects (IRIs
under ``…/id/summary/``): no rdfs:label, no entity class as rdf:type, no relation
predicate, so patterns over the article graphs (labels, types, direct triples,
assertions; the union default graph included) match exactly what they matched
before it existed.

It is computed from small per-article records (:func:`article_facts`, made by the
build's workers while they hold the article and cached beside its graph), so an
incremental build merges the same records a clean build does and the summary is
byte-identical; :func:`to_summary` sorts everything (no order of input matters). The
build merges each record once, as its article comes (:class:`SummaryBuilder`: one
entry per distinct entity class and relation), then writes the N-Quads to a file that
its store-loader thread bulk-loads while the dumps are written;
:meth:`~policykg.graph.store.GraphStore.replace_summary` changes only the quads that
differ when the store already has a summary (incremental builds).

>>> from policykg.graph.model import Article, ArticleGraph, Entity, Evidence, Relation
>>> def art(i):
...     return Article(id=f"d-{i}", source="d.txt", index=i, title=f"T{i}", authors=(),
...                    affiliations=(), paragraphs=("济南、青岛联动。",))
>>> ev = lambda i, c, neg=False: Evidence(f"d-{i}", "济南、青岛联动。", 0, 8, "r", c, neg)
>>> ents = (Entity("济南", ("City",)), Entity("青岛", ("City",)))
>>> a1 = ArticleGraph(art(1), ents, (Relation("济南", "coordinatesWith", "青岛", (ev(1, 0.8),)),))
>>> a2 = ArticleGraph(art(2), ents[:1], (Relation("济南", "coordinatesWith", "青岛", (ev(2, 0.9, True),)),))
>>> s = summary_table([article_facts(a1), article_facts(a2)])
>>> s.types[("济南", "City")], s.types[("青岛", "City")]
(2, 1)
>>> r = s.relations[("济南", "coordinatesWith", "青岛")]
>>> r.confidence, r.articles, r.sentence, r.article
('0.8', 1, '济南、青岛联动。', 'd-1')
>>> print(to_summary([article_facts(a1)]).decode().splitlines()[0])
<https://w3id.org/policykg/id/summary/e/jinan-185eb1/City> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> <https://w3id.org/policykg/ontology#EntityTypeSummary> <https://w3id.org/policykg/id/summary> .
"""
from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from policykg.graph.model import ArticleGraph
from policykg.graph.rdf import (  # and the N-Triples pieces the article graphs are written with
    _DECIMAL, _INT, _TYPE, PREFIXES, _str_nt, article_iri, confidence_lexical, date_nt,
    entity_iri, serialize_body,
)

__all__ = ["SUMMARY_GRAPH", "ArticleFacts", "RelationTotals", "SummaryTable", "SummaryBuilder",
           "article_facts",
           "facts_to_bytes", "facts_from_bytes", "summary_table", "to_summary", "write_summary",
           "summary_trig", "summary_turtle"]

#: The summary's named graph (not under ``…/id/g/``: it is no article graph).
SUMMARY_GRAPH = PREFIXES["pkgid"] + "summary"
_NODE = SUMMARY_GRAPH + "/"
_ENTITY = PREFIXES["pkgid"] + "e/"     #: entity IRIs: this + slug (rdf.entity_iri)
_PKG = PREFIXES["pkg"]
# each node's predicates in the order of to_nquads' sort (code point order of the line:
# "bestSentence> " sorts before "bestSentenceArticle> "); tests/test_summary.py checks it
_ENTITY_PREDICATES = ("articleCount", "entity", "entityClass", "entityName", "labelRank")
_RELATION_PREDICATES = ("articleCount", "bestSentence", "bestSentenceArticle", "firstStated",
                        "lastStated", "maxConfidence", "objectName", "objectRank",
                        "relationObject", "relationPredicate", "relationRank",
                        "relationSubject", "subjectName", "subjectRank",
                        "undatedArticleCount", "yearCount")
_YEAR_PREDICATES = ("articleCount", "year")


@dataclass(frozen=True)
class ArticleFacts:
    """What one article contributes to the summary (JSON-serialisable, cached per article).

    ``types``: (label, class local name) for every class of every entity, ``Entity``
    included; ``relations``: (subject, predicate, object, confidence as the canonical
    decimal the article graph states, sentence, its start offset, its confidence) of
    each un-negated relation, where the sentence is the relation's best in this article
    (:func:`article_facts`; ``""``, ``-1``, ``""`` when all its evidence is negated);
    ``slugs``: (label, last segment of its entity IRI) of every label in them, made by
    the worker that already wrote the article's IRIs, so the build's main process never
    computes an entity IRI (which needs pinyin, ~0.7 s to import). Facts made without
    it (``slugs=()``) get their IRIs from :func:`entity_iri`. ``article``: the article's
    id, which breaks ties between equally confident sentences of several articles;
    ``issued``: its date (``YYYY-MM-DD`` or ``YYYY``, ``""`` when it has none).
    """

    types: tuple[tuple[str, str], ...]
    relations: tuple[tuple[str, str, str, str, str, int, str], ...]
    slugs: tuple[tuple[str, str], ...] = ()
    article: str = ""
    issued: str = ""


def article_facts(ag: ArticleGraph) -> ArticleFacts:
    """The summary's input from one article graph (as :mod:`policykg.graph.rdf` writes it:
    a relation is negated when it has evidence and all of it is negated). A relation's
    best sentence here is its un-negated evidence of highest confidence, the first in
    the article of equals."""
    types = sorted({(e.label, t) for e in ag.entities for t in ("Entity", *e.types)})
    rels = {}
    for r in ag.relations:
        if r.evidence and all(ev.negated for ev in r.evidence):
            continue
        # confidences compared as the graph states them (canonical decimals), as across
        # articles (SummaryBuilder.add)
        best = min(((-Decimal(confidence_lexical(ev.confidence)), ev.start, ev.sentence)
                    for ev in r.evidence if not ev.negated), default=None)
        sentence = ("", -1, "") if best is None else (best[2], best[1], str(-best[0]))
        rels[(r.subject, r.predicate, r.object)] = (
            r.subject, r.predicate, r.object, confidence_lexical(r.confidence), *sentence)
    labels = sorted({lab for lab, _ in types} | {x for r in rels.values() for x in (r[0], r[2])})
    return ArticleFacts(tuple(types), tuple(rels[k] for k in sorted(rels)),
                        tuple((lab, _local(lab)) for lab in labels), ag.article.id,
                        ag.article.issued or "")


def _local(label: str) -> str:
    return str(entity_iri(label)).rsplit("/", 1)[-1]


def facts_to_bytes(facts: ArticleFacts) -> bytes:
    """One article's facts as the JSON line the build caches.

    >>> facts_from_bytes(facts_to_bytes(ArticleFacts((("济南", "City"),), ()))).types
    (('济南', 'City'),)
    """
    return (json.dumps([facts.types, facts.relations, facts.slugs, facts.article, facts.issued],
                       ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")


def facts_from_bytes(data: bytes) -> ArticleFacts:
    types, rels, slugs, article, issued = json.loads(data)
    return ArticleFacts(tuple((lab, c) for lab, c in types),
                        tuple((s, p, o, c, t, i, tc) for s, p, o, c, t, i, tc in rels),
                        tuple((lab, x) for lab, x in slugs), article, issued)


@dataclass(frozen=True)
class RelationTotals:
    confidence: str                 #: highest confidence, canonical xsd:decimal lexical form
    articles: int
    sentence: str = ""              #: the best sentence ("" when all evidence is negated)
    article: str = ""               #: the id of the article it is from
    first: str = ""                 #: earliest date of those articles ("" when none is dated)
    last: str = ""                  #: latest date of those articles
    years: tuple[tuple[int, int], ...] = ()     #: (year, articles), by year
    undated: int = 0                #: articles without a date


@dataclass(frozen=True)
class SummaryTable:
    """The summary as Python data: (label, class) → article count; (s, p, o) → totals."""

    types: dict[tuple[str, str], int]
    relations: dict[tuple[str, str, str], RelationTotals]
    slugs: dict[str, str] = field(default_factory=dict, compare=False, repr=False)  #: label → IRI's last segment


class SummaryBuilder:
    """Merges per-article facts as they come (each article once): the build adds each
    article's cached record while the others are still extracted, so nothing is left
    to read or parse at the end. Holds one entry per distinct (entity, class) and per
    distinct relation, whatever the number of articles."""

    def __init__(self) -> None:
        self.types: dict[tuple[str, str], int] = {}
        self._conf: dict[tuple[str, str, str], tuple[Decimal, str]] = {}
        self._count: dict[tuple[str, str, str], int] = {}
        #: per relation, its best sentence so far: ((-confidence, article, start), sentence)
        self._best: dict[tuple[str, str, str], tuple[tuple[Decimal, str, int], str]] = {}
        self._slugs: dict[str, str] = {}
        #: per dated relation: [first date, last date, {year: articles}]
        self._dates: dict[tuple[str, str, str], list[Any]] = {}

    def add(self, facts: ArticleFacts) -> None:
        types, conf, count, best = self.types, self._conf, self._count, self._best
        self._slugs.update(facts.slugs)
        for key in facts.types:
            types[key] = types.get(key, 0) + 1
        article, issued, dates = facts.article, facts.issued, self._dates
        year = int(issued[:4]) if issued else 0
        for s, p, o, c, sentence, start, sc in facts.relations:
            k = (s, p, o)
            d = Decimal(c)
            old = conf.get(k)
            if old is None or d > old[0]:
                conf[k] = (d, c)
            count[k] = count.get(k, 0) + 1
            if issued:      # as text: "2026" < "2026-01-22" (a year counts as its start)
                d_ = dates.get(k)
                if d_ is None:
                    dates[k] = [issued, issued, {year: 1}]
                else:
                    d_[0], d_[1] = min(d_[0], issued), max(d_[1], issued)
                    d_[2][year] = d_[2].get(year, 0) + 1
            if sentence:    # the same choice whatever the order the articles come in
                rank = (-Decimal(sc), article, start)
                was = best.get(k)
                if was is None or rank < was[0]:
                    best[k] = (rank, sentence)

    def add_bytes(self, data: bytes) -> None:
        """Add one cached record (:func:`facts_to_bytes`), parsed once."""
        self.add(facts_from_bytes(data))

    def table(self) -> SummaryTable:
        best, dates, count = self._best, self._dates, self._count
        rels = {}
        for k in sorted(self._conf):
            sentence, article = (best[k][1], best[k][0][1]) if k in best else ("", "")
            first, last, years = dates.get(k) or ("", "", {})
            rels[k] = RelationTotals(self._conf[k][1], count[k], sentence, article, first, last,
                                     tuple(sorted(years.items())),
                                     count[k] - sum(years.values()))
        return SummaryTable(dict(sorted(self.types.items())), rels, self._slugs)


def summary_table(facts: Iterable[ArticleFacts]) -> SummaryTable:
    """Merge per-article facts (each article once)."""
    b = SummaryBuilder()
    for f in facts:
        b.add(f)
    return b.table()


def _blocks(table: SummaryTable) -> Iterator[str]:
    """The summary's N-Quads, one node's lines at a time, sorted as
    :func:`~policykg.graph.rdf.to_nquads` sorts (subject, rdf:type first, then predicate,
    object). Each node has one value per predicate, so its lines are written in their
    sorted order directly, and only the nodes are sorted (by subject). Lazy: the nodes
    are sorted as small tuples and each block is written when its turn comes, so the
    text (tens of MB for a big corpus: it holds a sentence per relation) is never held
    whole."""
    labels = sorted({lab for lab, _ in table.types}
                    | {x for s, _, o in table.relations for x in (s, o)})
    # per label, once: its rank, its entity IRI, the IRI's last segment, its literal
    slugs = table.slugs
    local = {lab: slugs.get(lab) or _local(lab) for lab in labels}
    info = {lab: (i, f"{_ENTITY}{local[lab]}", local[lab], _str_nt(lab))
            for i, lab in enumerate(labels)}
    g = f" <{SUMMARY_GRAPH}> .\n"
    k = f"<{_PKG}"
    # predicates in code point order (the order of to_nquads' sort)
    e_type = f" {_TYPE} <{_PKG}EntityTypeSummary>{g}"
    e_count, e_entity, e_class, e_name, e_rank = (f" {k}{p}> " for p in _ENTITY_PREDICATES)
    r_type = f" {_TYPE} <{_PKG}RelationSummary>{g}"
    (r_count, r_sent, r_art, r_first, r_last, r_conf, r_oname, r_orank, r_obj, r_pred, r_rank,
     r_subj, r_sname, r_srank, r_undated, r_year) = (f" {k}{p}> " for p in _RELATION_PREDICATES)
    y_type = f" {_TYPE} <{_PKG}YearCount>{g}"
    y_count, y_year = (f" {k}{p}> " for p in _YEAR_PREDICATES)
    sha1 = hashlib.sha1
    # (node, what to write): an entity class's ("e", (label, class), count), a
    # relation's ("r", (subject, predicate, object), (totals, rank, its IRI)) or one of
    # its years' ("y", (), (year, articles))
    nodes: list[tuple[str, str, tuple[str, ...], Any]] = [
        (f"<{_NODE}e/{info[lab][2]}/{cls}>", "e", (lab, cls), n)
        for (lab, cls), n in table.types.items()]
    for i, ((s, p, o), r) in enumerate(sorted(table.relations.items())):
        node = f"{_NODE}r/{sha1(f'{s}|{p}|{o}'.encode('utf-8')).hexdigest()[:16]}"
        nodes.append((f"<{node}>", "r", (s, p, o), (r, i, node)))
        # a year's node sorts before its relation's ("/" < ">"), as the nodes are sorted
        nodes += [(f"<{node}/y/{year}>", "y", (), (year, n)) for year, n in r.years]
    nodes.sort(key=lambda n: n[0])
    for node, kind, key, data in nodes:
        if kind == "y":
            year, n = data
            yield (f"{node}{y_type}"
                   f'{node}{y_count}"{n}"^^{_INT}{g}'
                   f'{node}{y_year}"{year}"^^{_INT}{g}')
            continue
        if kind == "e":
            (lab, cls), n = key, data
            rank, ent, _, lit = info[lab]
            yield (f"{node}{e_type}"
                   f'{node}{e_count}"{n}"^^{_INT}{g}'
                   f"{node}{e_entity}<{ent}>{g}"
                   f"{node}{e_class}<{_PKG}{cls}>{g}"
                   f"{node}{e_name}{lit}{g}"
                   f'{node}{e_rank}"{rank}"^^{_INT}{g}')
            continue
        (s, p, o), (r, i, iri) = key, data
        s_rank, s_ent, _, s_lit = info[s]
        o_rank, o_ent, _, o_lit = info[o]
        best = (f"{node}{r_sent}{ox.Literal(r.sentence, language='zh')}{g}"
                f"{node}{r_art}<{article_iri(r.article)}>{g}") if r.sentence else ""
        dated = (f"{node}{r_first}{date_nt(r.first)}{g}"
                 f"{node}{r_last}{date_nt(r.last)}{g}") if r.first else ""
        undated = f'{node}{r_undated}"{r.undated}"^^{_INT}{g}' if r.undated else ""
        years = "".join(f"{node}{r_year}<{iri}/y/{year}>{g}" for year, _ in r.years)
        yield (f"{node}{r_type}"
               f'{node}{r_count}"{r.articles}"^^{_INT}{g}'
               f"{best}"
               f"{dated}"
               f'{node}{r_conf}"{r.confidence}"^^{_DECIMAL}{g}'
               f"{node}{r_oname}{o_lit}{g}"
               f'{node}{r_orank}"{o_rank}"^^{_INT}{g}'
               f"{node}{r_obj}<{o_ent}>{g}"
               f"{node}{r_pred}<{_PKG}{p}>{g}"
               f'{node}{r_rank}"{i}"^^{_INT}{g}'
               f"{node}{r_subj}<{s_ent}>{g}"
               f"{node}{r_sname}{s_lit}{g}"
               f'{node}{r_srank}"{s_rank}"^^{_INT}{g}'
               f"{undated}{years}")


def to_summary(facts: Iterable[ArticleFacts] | SummaryTable) -> bytes:
    """The summary graph as N-Quads, in the order of :func:`~policykg.graph.rdf.to_nquads`
    (subject, rdf:type first, predicate, object): one block that follows the article
    graphs' blocks in ``graph.nq`` (its IRI sorts after ``…/id/g/…``). Empty (``b""``)
    when there is nothing to summarise. :func:`write_summary` writes the same bytes to a
    file without holding them."""
    table = facts if isinstance(facts, SummaryTable) else summary_table(facts)
    return "".join(_blocks(table)).encode("utf-8")


def write_summary(table: SummaryTable, fh: IO[bytes]) -> int:
    """Write :func:`to_summary`'s bytes to ``fh`` node by node; returns the number of quads.

    >>> import io
    >>> from policykg.graph.model import Article, ArticleGraph, Entity
    >>> a = Article(id="d-1", source="d.txt", index=1, title="T", authors=(), affiliations=(),
    ...             paragraphs=("济南。",))
    >>> t = summary_table([article_facts(ArticleGraph(a, (Entity("济南", ("City",)),), ()))])
    >>> buf = io.BytesIO()
    >>> write_summary(t, buf), buf.getvalue() == to_summary(t)
    (12, True)
    """
    n = 0
    for block in _blocks(table):
        n += block.count("\n")
        fh.write(block.encode("utf-8"))
    return n


def _quads(nquads: bytes | Path) -> Iterator[ox.Quad]:
    if isinstance(nquads, Path):      # streamed from the file
        return ox.parse(path=str(nquads), format=ox.RdfFormat.N_QUADS)
    return ox.parse(nquads, format=ox.RdfFormat.N_QUADS)


def summary_trig(nquads: bytes | Path) -> bytes:
    """The summary graph's block of ``graph.trig`` (no ``@prefix`` lines), from its
    N-Quads or the file :func:`write_summary` wrote them to."""
    if not (nquads.stat().st_size if isinstance(nquads, Path) else nquads):
        return b""
    return serialize_body(_quads(nquads), ox.RdfFormat.TRIG)


def summary_turtle(nquads: bytes | Path) -> bytes:
    """The summary's triples as a block of ``graph.ttl`` (its own subjects, no ``@prefix``),
    from its N-Quads or the file :func:`write_summary` wrote them to."""
    if not (nquads.stat().st_size if isinstance(nquads, Path) else nquads):
        return b""
    # a generator, not a list: the summary has ~270 k quads at 100 MB of text
    return serialize_body((q.triple for q in _quads(nquads)), ox.RdfFormat.TURTLE)
