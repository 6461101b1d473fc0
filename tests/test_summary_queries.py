"""The named queries that read the summary graph give the same rows, in the same order,
as the queries they replaced, which read only the article graphs.

The ``OLD_*`` texts below are the pre-summary queries (ontology/queries/*.rq at commit
70228f3, before the summary graph existed), kept verbatim as the reference: they scan
every article graph's copy of the data, so they are slow on a big store but simple to
trust. Both run on a build of the bundled corpus (corpus/sample + corpus/dev) and on a
hand-made store with a negated relation, for every parameter variant.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from policykg.build.pipeline import BuildOptions, build_corpus
from policykg.graph.query import named_queries, parse_named_query, run_query
from policykg.graph.store import GraphStore
from policykg.graph.summary import article_facts, to_summary
from policykg.ontology.namespace import ENTITY_TYPES

ROOT = Path(__file__).resolve().parent.parent
CORPUS = [ROOT / "corpus" / "sample", ROOT / "corpus" / "dev"]

_spec = importlib.util.spec_from_file_location("_policykg_test_rdf_sq", Path(__file__).with_name("test_rdf.py"))
_sample = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_sample)

# ---------------------------------------------------------------- the pre-summary queries
# Verbatim ontology/queries/<name>.rq of commit 70228f3 (before the summary graph).
OLD_ENTITIES = """\
# title: All entities
# description: Every entity with its canonical label and class (an entity with two classes has two rows), the number of articles that mention it; only one class when ?type is given.
# param: ?type (optional) — class local name: City, Region, Industry, Technology, Strategy, Mechanism, PolicyDocument or Organization
# source: written by hand for policykg (no external source); runs on the union of all article graphs
# plan: per entity class (the eight of the ontology, or ?type), the article graphs that
#   type an entity with it, counted per entity (each of those graphs types it pkg:Entity
#   and labels it: the shapes check that); then the entity's label, read once (an
#   entity's label is the same in every graph: its IRI is made from it).
PREFIX pkg:     <https://w3id.org/policykg/ontology#>
PREFIX rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos:    <http://www.w3.org/2004/02/skos/core#>
PREFIX prov:    <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>

SELECT ?type ?label ?class ?articles ?entity
WHERE {
  {
    VALUES ?c { pkg:City pkg:Region pkg:Industry pkg:Technology pkg:Strategy pkg:Mechanism
                pkg:PolicyDocument pkg:Organization }
    BIND(STRAFTER(STR(?c), "#") AS ?class)
    # optional parameter: pyoxigraph reports BOUND(?type) false even when bound, so COALESCE
    FILTER(COALESCE(?class = ?type, true))
  }
  LATERAL {
    SELECT ?c ?entity (COUNT(*) AS ?articles)
    WHERE { GRAPH ?g { ?entity a ?c . } }
    GROUP BY ?c ?entity
  }
  LATERAL { SELECT ?entity ?name WHERE { ?entity rdfs:label ?name . } LIMIT 1 }
  BIND(STR(?name) AS ?label)
}
ORDER BY ?class ?label
"""

OLD_RELATIONS = """\
# title: All relations
# description: Every asserted (not negated) relation between two entities with their labels, the highest confidence over its assertions and the number of articles that state it.
# source: written by hand for policykg (no external source); runs on the union of all article graphs
# plan: the assertions grouped by subject, predicate and object entity (an entity's IRI
#   is made from its label, so this is the grouping by labels); articles are counted as
#   the article graphs (one per article) that state the assertion. In policykg graphs
#   only pkg:Assertion nodes have rdf:subject. Labels read once per entity.
PREFIX pkg:     <https://w3id.org/policykg/ontology#>
PREFIX rdf:     <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
PREFIX rdfs:    <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos:    <http://www.w3.org/2004/02/skos/core#>
PREFIX prov:    <http://www.w3.org/ns/prov#>
PREFIX dcterms: <http://purl.org/dc/terms/>

SELECT ?subject ?predicate ?object ?confidence ?articles
WHERE {
  {
    SELECT ?s ?p ?o (MAX(?conf) AS ?confidence) (COUNT(DISTINCT ?g) AS ?articles)
    WHERE {
      # one index scan each, hash-joined on the assertion (looking each value up per
      # assertion is slower: there are as many assertions as entity mentions)
      { SELECT ?stmt ?g ?s WHERE { GRAPH ?g { ?stmt rdf:subject ?s . } } }
      { SELECT ?stmt ?p WHERE { GRAPH ?g { ?stmt rdf:predicate ?p . } } }
      { SELECT ?stmt ?o WHERE { GRAPH ?g { ?stmt rdf:object ?o . } } }
      { SELECT ?stmt ?conf WHERE { GRAPH ?g { ?stmt pkg:confidence ?conf . } } }
      MINUS { GRAPH ?g { ?stmt pkg:negated true . } }
    }
    GROUP BY ?s ?p ?o
  }
  {
    SELECT ?s ?subject
    WHERE {
      { SELECT DISTINCT ?s WHERE { GRAPH ?g { ?x rdf:subject ?s . } } }
      LATERAL { SELECT ?s ?sName WHERE { ?s rdfs:label ?sName . } LIMIT 1 }
      BIND(STR(?sName) AS ?subject)
    }
  }
  {
    SELECT ?o ?object
    WHERE {
      { SELECT DISTINCT ?o WHERE { GRAPH ?g { ?x rdf:object ?o . } } }
      LATERAL { SELECT ?o ?oName WHERE { ?o rdfs:label ?oName . } LIMIT 1 }
      BIND(STR(?oName) AS ?object)
    }
  }
  BIND(STRAFTER(STR(?p), "#") AS ?predicate)
}
ORDER BY ?subject ?predicate ?object
"""

OLD = {"entities": OLD_ENTITIES, "relations": OLD_RELATIONS}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> GraphStore:
    out = tmp_path_factory.mktemp("sq") / "out"
    build_corpus(CORPUS, out=out, options=BuildOptions(views=False, validate=False))
    with GraphStore.open(out / "store", read_only=True) as st:
        yield st


@pytest.fixture(scope="module")
def handmade() -> GraphStore:
    graphs = _sample.sample_graphs()
    with GraphStore.in_memory() as st:
        for ag in graphs:
            st.replace_article(ag)
        st.replace_summary(to_summary(map(article_facts, graphs)))
        yield st


def _cases() -> list[tuple[str, dict[str, str]]]:
    return [("entities", {}), ("relations", {})] + [
        ("entities", {"type": t}) for t in (*ENTITY_TYPES, "Entity", "Nothing")]


def _same(st: GraphStore) -> int:
    queries = named_queries()
    rows = 0
    for name, params in _cases():
        new = run_query(st, queries[name], params=params)
        # the old text as a named query: the same parameter kinds, the same hidden columns
        old = run_query(st, parse_named_query(name, OLD[name]), params=params)
        assert new.variables == old.variables, (name, params)
        assert new.terms == old.terms, (name, params)
        assert new.rows == old.rows, (name, params)
        rows += len(new.rows)
    return rows


def test_rewritten_queries_equal_the_pre_summary_ones_on_the_bundled_corpus(built) -> None:
    assert _same(built) > 500


def test_rewritten_queries_equal_the_pre_summary_ones_with_a_negated_relation(handmade) -> None:
    assert _same(handmade) > 10


# ------------------------------------------- queries that give one row per relation
# industries-of, mechanisms and modeled-on read the summary's relation nodes: one row per
# relation with its best sentence (the most confident un-negated evidence; of equals, the
# first article in id order, then the first in it) and its number of articles. Expected
# rows computed here from the ArticleGraphs in Python, not from RDF.

def _graphs_of(which: str) -> list:
    """The article graphs behind the ``built`` or the ``handmade`` store."""
    from policykg.build.extract import Extractor
    from policykg.build.reader import iter_corpus
    from policykg.graph.model import Article

    if which == "built":
        ex = Extractor()
        return [ex.extract(a) for a in iter_corpus(CORPUS) if isinstance(a, Article)]
    return _sample.sample_graphs()


def _expected(graphs) -> dict[str, dict[str, list[tuple]]]:
    from decimal import Decimal

    from policykg.graph.rdf import confidence_literal

    rels: dict[tuple[str, str, str], tuple[set[str], tuple | None]] = {}
    classes: dict[str, set[str]] = {}
    names: dict[str, set[str]] = {}          # label or alias -> entity labels
    titles = {ag.article.id: ag.article.title for ag in graphs}
    for ag in graphs:
        for e in ag.entities:
            classes.setdefault(e.label, set()).update(e.types)
            for name in (e.label, *e.aliases):
                names.setdefault(name, set()).add(e.label)
        for r in ag.relations:
            if r.evidence and all(ev.negated for ev in r.evidence):
                continue
            arts, best = rels.get((r.subject, r.predicate, r.object), (set(), None))
            arts.add(ag.article.id)
            for ev in r.evidence:
                if not ev.negated:
                    cand = (-Decimal(str(confidence_literal(ev.confidence))), ag.article.id,
                            ev.start, ev.sentence)
                    best = cand if best is None or cand < best else best
            rels[(r.subject, r.predicate, r.object)] = (arts, best)

    def rows(pred: str, subjects: set[str] | None) -> list[tuple]:
        out = []
        for (s, p, o), (arts, best) in sorted(rels.items()):
            if p != pred or (subjects is not None and s not in subjects):
                continue
            sentence, title = (best[3], titles[best[1]]) if best else (None, None)
            if pred == "specializesIn":
                kinds = " ".join(sorted(classes[o] & {"Industry", "Technology"})) or None
                out.append((s, o, kinds, sentence, len(arts)))
            elif pred == "establishes":
                out.append((s, o, sentence, len(arts)))
            else:
                out.append(((o, s), (o, " ".join(sorted(classes[o])), sentence, title, len(arts))))
        return [r for _, r in sorted(out)] if pred == "modeledOn" else out

    queries = {"industries-of": "specializesIn", "mechanisms": "establishes",
               "modeled-on": "modeledOn"}
    expected: dict[str, dict[str, list[tuple]]] = {}
    for name, pred in queries.items():
        given = {s for s, p, _ in rels if p == pred}
        values = sorted({n for n, labels in names.items() if labels & given} | {"无此地"})
        expected[name] = {v: rows(pred, names.get(v, set())) for v in values}
        if name != "modeled-on":            # optional parameter: all when not given
            expected[name][""] = rows(pred, None)
    return expected


@pytest.mark.parametrize("which", ["built", "handmade"])
def test_one_row_per_relation_queries_equal_rows_computed_from_the_article_graphs(
        which, built, handmade) -> None:
    st = built if which == "built" else handmade
    expected = _expected(_graphs_of(which))
    queries = named_queries()
    params = {"industries-of": "place", "mechanisms": "subject", "modeled-on": "x"}
    rows = 0
    for name, cases in expected.items():
        for value, want in cases.items():
            got = run_query(st, queries[name], params={params[name]: value} if value else {})
            assert list(got.rows) == want, (name, value)
            rows += len(want)
    assert rows > (100 if which == "built" else 5)
    # every query has rows (modeled-on: for some ?x); several articles: the test below
    assert all(any(r for r in cases.values()) for cases in expected.values())


def test_types_of_several_articles_are_joined_in_alphabetical_order() -> None:
    """A field typed Technology in one article and Industry in another, and a model
    that is a City and a Region: their classes are joined in alphabetical order."""
    from policykg.graph.model import Article, ArticleGraph, Entity, Evidence, Relation

    def graph(i: int, ai: tuple[str, ...], model: tuple[str, ...], conf: float) -> ArticleGraph:
        art = Article(id=f"t-{i}", source="t.txt", index=i, title=f"题{i}", authors=(),
                      affiliations=(), paragraphs=("x",))
        ev = (Evidence(art.id, f"句{i}。", 0, 3, "r", conf),)
        return ArticleGraph(art, (Entity("人工智能", ai), Entity("深圳", model),
                                  Entity("苏州", ("City",))),
                            (Relation("苏州", "specializesIn", "人工智能", ev),
                             Relation("苏州", "modeledOn", "深圳", ev)))

    graphs = [graph(1, ("Technology",), ("Region",), 0.7), graph(2, ("Industry",), ("City",), 0.9)]
    with GraphStore.in_memory() as st:
        for ag in graphs:
            st.replace_article(ag)
        st.replace_summary(to_summary(map(article_facts, graphs)))
        queries = named_queries()
        assert run_query(st, queries["industries-of"]).rows == (
            ("苏州", "人工智能", "Industry Technology", "句2。", 2),)
        assert run_query(st, queries["modeled-on"], params={"x": "苏州"}).rows == (
            ("深圳", "City Region", "句2。", "题2", 2),)
