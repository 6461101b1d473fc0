"""The summary graph (graph/summary.py): its content on hand-made articles, and the named
queries that read it against rows computed independently from the article graphs."""
from __future__ import annotations

import importlib.util
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.graph.model import Article, ArticleGraph, Entity, Evidence, Relation
from policykg.graph.query import (
    MissingGraphError, QueryError, named_queries, parse_named_query, run_query,
)
from policykg.graph.rdf import confidence_literal, entity_iri, to_nquads
from policykg.graph.store import GraphStore
from policykg.graph.summary import (
    SUMMARY_GRAPH, ArticleFacts, RelationTotals, article_facts, facts_from_bytes, facts_to_bytes,
    summary_table, to_summary,
)

_spec = importlib.util.spec_from_file_location("_policykg_test_rdf_s", Path(__file__).with_name("test_rdf.py"))
_sample = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_sample)


def _article(i: int, entities, relations) -> ArticleGraph:
    art = Article(id=f"h-{i}", source="h.txt", index=i, title=f"标题{i}", authors=(),
                  affiliations=(), paragraphs=("济南与青岛联动。",))
    rels = tuple(Relation(s, p, o, tuple(Evidence(art.id, sent, 0, len(sent), "r", c, neg)
                                         for sent, c, neg in evs))
                 for s, p, o, evs in relations)
    return ArticleGraph(art, tuple(entities), rels)


JINAN, QINGDAO = Entity("济南", ("City",)), Entity("青岛", ("City", "Region"))
A1 = _article(1, [JINAN, QINGDAO], [
    ("济南", "coordinatesWith", "青岛", [("甲。", 0.8, False), ("乙。", 0.6, True)]),
    ("青岛", "specializesIn", "济南", [("丙。", 0.9, True)]),          # negated: left out
])
A2 = _article(2, [JINAN, Entity("青岛", ("City",))], [
    ("济南", "coordinatesWith", "青岛", [("丁。", 0.95, False)]),
])


def test_summary_of_two_articles_and_of_one_after_the_other_is_removed() -> None:
    both = summary_table([article_facts(A1), article_facts(A2)])
    assert both.types == {("济南", "City"): 2, ("济南", "Entity"): 2, ("青岛", "City"): 2,
                          ("青岛", "Entity"): 2, ("青岛", "Region"): 1}
    assert both.relations == {
        ("济南", "coordinatesWith", "青岛"): RelationTotals("0.95", 2, "丁。", "h-2", undated=2)}
    only = summary_table([article_facts(A1)])  # A2 removed: counts drop, max falls back
    assert only.types == {("济南", "City"): 1, ("济南", "Entity"): 1, ("青岛", "City"): 1,
                          ("青岛", "Entity"): 1, ("青岛", "Region"): 1}
    assert only.relations == {
        ("济南", "coordinatesWith", "青岛"): RelationTotals("0.8", 1, "甲。", "h-1", undated=1)}


def _ev(art: str, sentence: str, start: int, conf: float, negated: bool = False) -> Evidence:
    return Evidence(art, sentence, start, start + len(sentence), "r", conf, negated)


def _graph(i: int, *evidence: tuple[str, int, float, bool]) -> ArticleGraph:
    art = Article(id=f"h-{i}", source="h.txt", index=i, title=f"标题{i}", authors=(),
                  affiliations=(), paragraphs=("济南与青岛联动。",))
    rel = Relation("济南", "coordinatesWith", "青岛", tuple(_ev(art.id, *e) for e in evidence))
    return ArticleGraph(art, (JINAN, QINGDAO), (rel,))


def test_best_sentence_most_confident_then_first_article_then_first_in_it() -> None:
    """One sentence per relation, the same whatever order the articles come in."""
    import itertools

    b3 = _graph(3, ("乙。", 9, 0.9, False), ("甲。", 5, 0.9, False), ("丙。", 0, 0.95, True))
    b2 = _graph(2, ("丁。", 30, 0.9, False))
    b4 = _graph(4, ("戊。", 0, 0.8, False))
    key = ("济南", "coordinatesWith", "青岛")
    facts = [article_facts(g) for g in (b3, b2, b4)]
    # in one article: the un-negated evidence of highest confidence, the first of equals
    assert facts[0].relations == ((*key, "0.95", "甲。", 5, "0.9"),)
    for order in itertools.permutations(facts):
        assert summary_table(order).relations[key] == RelationTotals("0.95", 3, "丁。", "h-2", undated=3)
    assert summary_table(facts[::2]).relations[key] == RelationTotals("0.95", 2, "甲。", "h-3", undated=2)
    # written as a @zh literal with its article; a relation without evidence has none
    lines = to_summary([facts[1]]).decode("utf-8").splitlines()
    pkg = "https://w3id.org/policykg/ontology#"
    assert [ln.split(" ", 2)[1:] for ln in lines if "#bestSentence" in ln] == [
        [f"<{pkg}bestSentence>", '"丁。"@zh <https://w3id.org/policykg/id/summary> .'],
        [f"<{pkg}bestSentenceArticle>",
         "<https://w3id.org/policykg/id/a/h-2> <https://w3id.org/policykg/id/summary> ."]]
    bare = article_facts(ArticleGraph(b2.article, b2.entities, (Relation(*key),)))
    assert bare.relations == ((*key, "0", "", -1, ""),)
    assert summary_table([bare]).relations[key] == RelationTotals("0", 1, undated=1)
    assert "#bestSentence" not in to_summary([bare]).decode("utf-8")


def test_summary_is_deterministic_and_its_facts_round_trip() -> None:
    facts = [article_facts(A1), article_facts(A2)]
    assert [facts_from_bytes(facts_to_bytes(f)) for f in facts] == facts
    assert to_summary(facts) == to_summary(reversed(facts))
    quads = list(ox.parse(to_summary(facts), format=ox.RdfFormat.N_QUADS))
    assert {q.graph_name.value for q in quads} == {SUMMARY_GRAPH}
    # only summary terms: no label, entity class or relation predicate that patterns over
    # the article graphs could match
    preds = {q.predicate.value.rsplit("#", 1)[-1] for q in quads}
    assert preds == {"type", "entity", "entityClass", "entityName", "labelRank", "articleCount",
                     "relationSubject", "relationPredicate", "relationObject", "subjectName",
                     "objectName", "subjectRank", "objectRank", "relationRank", "maxConfidence",
                     "bestSentence", "bestSentenceArticle", "undatedArticleCount"}
    # written directly in the order that to_nquads sorts quads in
    big = to_summary(map(article_facts, _sample.sample_graphs()))
    assert big == to_nquads(ox.parse(big, format=ox.RdfFormat.N_QUADS))
    assert all(q.subject.value.startswith(SUMMARY_GRAPH + "/") for q in quads)
    assert to_summary([]) == b""


def test_summary_validates_against_the_shapes() -> None:
    from policykg.graph.validate import validate

    rep = validate(list(ox.parse(to_summary(map(article_facts, _sample.sample_graphs())),
                                 format=ox.RdfFormat.N_QUADS)))
    assert (rep.conforms, rep.results) == (True, ())


def test_broken_summary_nodes_are_reported_by_the_shapes() -> None:
    """Each summary node has exactly one value of each property, of the right datatype."""
    from policykg.graph.validate import validate

    quads = list(ox.parse(to_summary(map(article_facts, _sample.sample_graphs())),
                          format=ox.RdfFormat.N_QUADS))
    rel = next(q.subject for q in quads if q.object.value.endswith("#RelationSummary"))
    ent = next(q.subject for q in quads if q.object.value.endswith("#EntityTypeSummary"))
    pkg = "https://w3id.org/policykg/ontology#"
    g = ox.NamedNode(SUMMARY_GRAPH)
    broken = [q for q in quads if not (q.subject == rel and q.predicate.value == pkg + "subjectRank")
              and not (q.subject == ent and q.predicate.value == pkg + "articleCount")]
    broken += [ox.Quad(rel, ox.NamedNode(pkg + "maxConfidence"), ox.Literal("0.5"), g),  # a second, a string
               ox.Quad(ent, ox.NamedNode(pkg + "articleCount"), ox.Literal("3"), g)]    # a string
    rep = validate(broken)
    assert not rep.conforms
    # (a wrong value breaks several constraints of its property: one result each)
    assert {(r.focus, r.path.rsplit("#", 1)[-1], r.message) for r in rep.results} == {
        (rel.value, "subjectRank",
         "a relation summary has exactly one pkg:subjectRank, an xsd:integer >= 0"),
        (rel.value, "maxConfidence",
         "a relation summary has exactly one pkg:maxConfidence, an xsd:decimal in [0, 1]"),
        (ent.value, "articleCount",
         "an entity type summary has exactly one pkg:articleCount, an xsd:integer >= 1"),
    }


def _store() -> GraphStore:
    st = GraphStore.in_memory()
    graphs = _sample.sample_graphs()
    for ag in graphs:
        st.replace_article(ag)
    st.replace_summary(to_summary(map(article_facts, graphs)))
    return st


def test_relations_and_entities_rows_equal_what_the_article_graphs_say() -> None:
    """Expected rows computed from the ArticleGraphs in Python, not from the summary."""
    graphs = _sample.sample_graphs()
    conf: dict[tuple[str, str, str], Decimal] = {}
    arts: dict[tuple[str, str, str], set[str]] = {}
    types: dict[tuple[str, str], int] = {}
    for ag in graphs:
        for e in ag.entities:
            for t in e.types:
                types[(t, e.label)] = types.get((t, e.label), 0) + 1
        for r in ag.relations:
            if r.evidence and all(ev.negated for ev in r.evidence):
                continue
            k = (r.subject, r.predicate, r.object)
            c = Decimal(str(confidence_literal(r.confidence)))
            conf[k] = max(conf.get(k, c), c)
            arts.setdefault(k, set()).add(ag.article.id)
    with _store() as st:
        queries = named_queries()
        rel = run_query(st, queries["relations"])
        ent = run_query(st, queries["entities"])
    assert rel.rows == tuple((s, p, o, conf[(s, p, o)], len(arts[(s, p, o)]))
                             for s, p, o in sorted(conf)) and len(rel.rows) > 5
    assert ent.rows == tuple((label, t, n, str(entity_iri(label)))
                             for (t, label), n in sorted(types.items())) and len(ent.rows) > 5


def test_queries_that_read_the_summary_refuse_a_store_without_it(tmp_path) -> None:
    """A store without the summary graph (filled with replace_article only, or built
    before the summary existed) would answer the rewritten queries with no rows: they
    say '# reads: summary', and run_query refuses them with what to do instead."""
    queries = named_queries()
    reading = sorted(n for n, q in queries.items() if "summary" in q.reads)
    assert reading == ["entities", "industries-of", "mechanisms", "modeled-on", "relations",
                       "timeline"]
    hint = ("has no summary graph (a store filled only with GraphStore.replace_article, or "
            "built by a policykg older than the summary graph, has none); rebuild the store "
            "with `policykg build`, or, in Python, add it after loading the article graphs: "
            "from policykg.graph.summary import article_facts, to_summary; "
            "store.replace_summary(to_summary(map(article_facts, graphs)))")
    graphs = _sample.sample_graphs()
    with GraphStore.in_memory() as st:
        for ag in graphs:
            st.replace_article(ag)
        for name in reading:
            with pytest.raises(MissingGraphError) as e:
                run_query(st, queries[name], params={"x": "济青联动"} if name == "modeled-on" else {})
            assert str(e.value) == (f"query {name!r} reads the summary graph <{SUMMARY_GRAPH}>, "
                                    f"but the store in memory {hint}")
        # the same for query text that declares it; queries over article graphs still run
        with pytest.raises(MissingGraphError, match="^query text reads the summary graph"):
            run_query(st, "# reads: summary\nSELECT * WHERE { ?s ?p ?o } LIMIT 1")
        assert run_query(st, queries["coordinates-with"], params={"place": "济南"}).rows
        st.replace_summary(to_summary(map(article_facts, graphs)))     # what the hint says
        assert run_query(st, queries["relations"]).rows
    path = tmp_path / "store"
    with GraphStore.open(path) as st:
        for ag in graphs:
            st.replace_article(ag)
    with GraphStore.open(path, read_only=True) as st, pytest.raises(MissingGraphError) as e:
        run_query(st, queries["entities"], params={"type": "City"})
    assert str(e.value) == (f"query 'entities' reads the summary graph <{SUMMARY_GRAPH}>, "
                            f"but the store at {str(path)!r} {hint}")


def test_a_reads_line_names_known_graphs_only() -> None:
    q = parse_named_query("x", "# title: T\n# description: D\n# reads: summary\nSELECT * {}")
    assert q.reads == ("summary",)
    assert parse_named_query("x", "# title: T\n# description: D\nSELECT * {}").reads == ()
    with pytest.raises(QueryError) as e:
        parse_named_query("x", "# title: T\n# description: D\n# reads: summary, views\nSELECT * {}")
    assert str(e.value) == ("query 'x': '# reads: summary, views' names 'views'; a '# reads:' "
                            "line names the derived graphs the query needs, separated by "
                            "commas: 'summary'")


def test_an_empty_summary_is_a_summary(tmp_path) -> None:
    """An empty corpus builds an empty summary graph: the queries answer with no rows."""
    from policykg.build.pipeline import BuildOptions, build_corpus

    (tmp_path / "corpus").mkdir()
    build_corpus([tmp_path / "corpus"], out=tmp_path / "out",
                 options=BuildOptions(views=False, validate=False))
    with GraphStore.open(tmp_path / "out" / "store", read_only=True) as st:
        assert st.inner.contains_named_graph(ox.NamedNode(SUMMARY_GRAPH))
        for name in ("entities", "relations", "industries-of", "mechanisms"):
            assert run_query(st, named_queries()[name]).rows == ()      # summary or not
    assert (tmp_path / "out" / "graph.nq").read_bytes() == b""
    with GraphStore.in_memory() as st:          # the same without a build
        st.replace_summary(b"")
        assert run_query(st, named_queries()["relations"]).rows == ()


def test_facts_hold_one_sentence_per_relation() -> None:
    """The summary keeps one evidence sentence per relation (all of them would grow with
    the corpus): so do the cached per-article records."""
    facts = article_facts(A1)
    assert facts.relations == (("济南", "coordinatesWith", "青岛", "0.8", "甲。", 0, "0.8"),)
    assert "乙" not in facts_to_bytes(facts).decode("utf-8")      # negated, and not the best
    # the slugs the worker adds give the same summary as computing the IRIs here
    facts = [article_facts(A1), article_facts(A2)]
    assert all(f.slugs for f in facts)
    bare = [ArticleFacts(f.types, f.relations, (), f.article) for f in facts]
    assert to_summary(bare) == to_summary(facts) == to_summary(
        [facts_from_bytes(facts_to_bytes(f)) for f in facts])


def test_the_summary_of_cached_records_needs_no_pinyin() -> None:
    """The build's main process (--jobs > 1, or a rebuild that reuses every article)
    makes the summary from the workers' records without importing pypinyin (~0.7 s)."""
    import subprocess
    import sys

    records = b"".join(facts_to_bytes(article_facts(a)) for a in (A1, A2))
    code = ("import sys; from policykg.graph.summary import SummaryBuilder, to_summary\n"
            "b = SummaryBuilder()\n"
            "for line in sys.stdin.buffer: b.add_bytes(line)\n"
            "sys.stdout.buffer.write(to_summary(b.table()))\n"
            "assert 'pypinyin' not in sys.modules")
    out = subprocess.run([sys.executable, "-c", code], input=records, capture_output=True,
                         check=True).stdout
    assert out == to_summary([article_facts(A1), article_facts(A2)])


def test_replacing_a_summary_changes_only_what_differs(tmp_path, monkeypatch) -> None:
    """An incremental build replaces the previous summary by removing and adding only the
    quads that differ: the graph then holds exactly the new summary, on disk and in memory.
    A first summary file is bulk-loaded in slices (here of ~200 bytes: many)."""
    from policykg.graph import store as store_module

    monkeypatch.setattr(store_module, "SUMMARY_SLICE", 200)
    odd = _article(3, [Entity('引号"\\反斜杠', ("City",)), JINAN], [
        ('引号"\\反斜杠', "coordinatesWith", "济南", [("戊。", 0.5, False)])])
    steps = [[A1], [A1, A2, odd], [A2], [odd], [A1, A2]]
    g = ox.NamedNode(SUMMARY_GRAPH)
    for st in (GraphStore.in_memory(), GraphStore.open(tmp_path / "store")):
        with st:
            for i, arts in enumerate(steps):
                data = to_summary(map(article_facts, arts))
                if i % 2:
                    st.replace_summary(data)
                else:
                    (tmp_path / "s.nq").write_bytes(data)
                    st.replace_summary(path=tmp_path / "s.nq")
                assert set(st.inner.quads_for_pattern(None, None, None, g)) == set(
                    ox.parse(data, format=ox.RdfFormat.N_QUADS)), i
            st.replace_summary(b"")
            assert st.inner.contains_named_graph(g)
            assert not list(st.inner.quads_for_pattern(None, None, None, g))
