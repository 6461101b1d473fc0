"""policykg.graph.rdf: IRIs, the RDF of an ArticleGraph, deterministic writers."""
from __future__ import annotations

import hashlib
import itertools
import os
import subprocess
import sys

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SDO, SKOS, XSD

from policykg.graph.model import Article, ArticleGraph, Entity, Evidence, Relation
from policykg.graph.rdf import (
    article_iri, article_quads, assertion_iri, entity_iri, graph_iri,
    rule_iri, slug, to_dataset, to_nquads, to_trig, to_turtle_union, write_nquads,
    write_trig, write_turtle_union,
)
from policykg.ontology.namespace import PKG

#: A label / sentence full of Turtle, SPARQL, HTML and template metacharacters.
NASTY = 'A "B" \\ C\n<script>alert(1)</script> }} {{ ; . # \' @zh ^^ \t'


def _ev(aid: str, text: str, sentence: str, rule: str, conf: float = 1.0,
        negated: bool = False) -> Evidence:
    start = text.index(sentence)
    return Evidence(aid, sentence, start, start + len(sentence), rule, conf, negated)


def sample_graphs() -> tuple[ArticleGraph, ArticleGraph]:
    """Two small articles: places, a linkage, a mechanism, industries, one negated
    relation, one entity label and one sentence full of metacharacters."""
    p1 = ("济南与青岛加强联动，济青联动建立联席会议机制。",
          "济南在生物医药、5G等领域优势突出。",
          "济南并未对标北京。")
    a1 = Article(id="demo-a-1", source="demo/a.txt", index=1, title="济青联动的路径",
                 authors=("张三", "李四"), affiliations=("山东大学",), paragraphs=p1)
    t1 = a1.text
    s0, s1, s2 = p1
    r1 = (
        Relation("济南", "coordinatesWith", "青岛", (_ev(a1.id, t1, s0, "coord.cue-pair", 0.9),)),
        Relation("济南", "modeledOn", "北京", (_ev(a1.id, t1, s2, "model.cue", 0.7, negated=True),)),
        Relation("济南", "specializesIn", "5G", (_ev(a1.id, t1, s1, "spec.advantage", 0.8),)),
        Relation("济南", "specializesIn", "生物医药", (_ev(a1.id, t1, s1, "spec.advantage", 0.8),)),
        Relation("济青联动", "establishes", "联席会议机制",
                 (_ev(a1.id, t1, s0, "mech.verb", 0.85), _ev(a1.id, t1, s0, "mech.pattern", 0.6))),
        Relation("济青联动", "involves", "济南", (_ev(a1.id, t1, s0, "strategy.abbrev", 1.0),)),
        Relation("济青联动", "involves", "青岛", (_ev(a1.id, t1, s0, "strategy.abbrev", 1.0),)),
    )
    e1 = (
        Entity("5G", ("Technology",)),
        Entity("北京", ("City",), adcode="110000"),
        Entity("济南", ("City",), aliases=("济南市",), adcode="370100"),
        Entity("济青联动", ("Strategy",)),
        Entity("生物医药", ("Industry",)),
        Entity("联席会议机制", ("Mechanism",), aliases=("联席会议制度",)),
        Entity("青岛", ("City",), adcode="370200"),
    )
    m1 = (("5G", 1), ("北京", 1), ("济南", 4), ("济青联动", 1), ("生物医药", 1),
          ("联席会议机制", 1), ("青岛", 1))

    nasty_sentence = f"青岛学习深圳经验，{NASTY}。"
    p2 = ("青岛与烟台协同发展。", nasty_sentence)
    a2 = Article(id="demo-b-1", source="demo/b.txt", index=1, title=f"标题 {NASTY}",
                 authors=("王五",), affiliations=(), paragraphs=p2)
    t2 = a2.text
    r2 = (
        Relation("青岛", "coordinatesWith", "烟台", (_ev(a2.id, t2, p2[0], "coord.cue-pair", 0.9),)),
        Relation("青岛", "modeledOn", "深圳", (_ev(a2.id, t2, nasty_sentence, "model.cue", 0.75),)),
        Relation(NASTY, "issuedBy", "青岛", (_ev(a2.id, t2, nasty_sentence, "doc.issuer", 0.5),)),
    )
    e2 = (
        Entity(NASTY, ("PolicyDocument",)),
        Entity("深圳", ("City",)),
        Entity("烟台", ("City",)),
        Entity("青岛", ("City",), adcode="370200"),
    )
    m2 = ((NASTY, 1), ("深圳", 1), ("烟台", 1), ("青岛", 2))
    return (ArticleGraph(a1, e1, r1, m1), ArticleGraph(a2, e2, r2, m2))


# ---------------------------------------------------------------------- helpers
def _quads(ag: ArticleGraph) -> set[tuple]:
    return set(article_quads(ag))


def _assertion(ag: ArticleGraph, s: str, p: str, o: str) -> URIRef:
    return assertion_iri(ag.article.id, s, p, o)


# ------------------------------------------------------------------------- IRIs
def test_entity_iri_is_readable_ascii_and_stable():
    assert str(entity_iri("济南")) == "https://w3id.org/policykg/id/e/jinan-185eb1"
    assert str(entity_iri("5G")) == "https://w3id.org/policykg/id/e/5g-8a85fe"
    labels = ["济南", "济南市", "5G", "ChatGPT", NASTY, "😀", "《山东省“十四五”规划》", "x" * 200]
    iris = [str(entity_iri(label)) for label in labels]
    assert all(i.isascii() and " " not in i for i in iris)
    assert len(set(iris)) == len(labels)                      # 济南 ≠ 济南市
    assert iris == [str(entity_iri(label)) for label in labels]
    assert str(entity_iri("😀")).rsplit("/", 1)[1] == hashlib.sha1("😀".encode()).hexdigest()[:6]
    assert len(slug("x" * 200)) == 60


def test_slug_keeps_ascii_runs_and_separates_them():
    assert slug("5G网络") == "5g-wangluo"
    assert slug("粤港澳大湾区") == "yuegangaodawanqu"
    assert slug(NASTY) == "a-b-c-script-alert-1-script-zh"


def test_other_iris():
    assert str(article_iri("demo-a-1")) == "https://w3id.org/policykg/id/a/demo-a-1"
    assert str(graph_iri("demo-a-1")) == "https://w3id.org/policykg/id/g/demo-a-1"
    assert str(rule_iri("coord.cue-pair")) == "https://w3id.org/policykg/id/rule/coord.cue-pair"
    assert str(rule_iri("a b/规则")) == "https://w3id.org/policykg/id/rule/a%20b%2F%E8%A7%84%E5%88%99"
    s = assertion_iri("demo-a-1", "济南", "coordinatesWith", "青岛")
    assert str(s) == "https://w3id.org/policykg/id/s/" + hashlib.sha1(
        "demo-a-1|济南|coordinatesWith|青岛".encode()).hexdigest()[:16]


# ---------------------------------------------------------------- graph content
def test_one_named_graph_per_article():
    a, b = sample_graphs()
    ds = to_dataset([a, b])
    names = {c.identifier for c in ds.graphs() if len(c)}
    assert names == {graph_iri("demo-a-1"), graph_iri("demo-b-1")}
    assert {q[3] for q in article_quads(a)} == {graph_iri("demo-a-1")}
    assert len(list(ds.quads((None, None, None, None)))) == len(_quads(a)) + len(_quads(b))


def test_article_description():
    a, _ = sample_graphs()
    g, art = graph_iri("demo-a-1"), article_iri("demo-a-1")
    desc = {(p, o) for s, p, o, _ in article_quads(a) if s == art}
    assert {q[3] for q in article_quads(a) if q[0] == art} == {g}
    assert desc == {
        (RDF.type, PKG.Article), (RDF.type, SDO.Article), (RDF.type, PROV.Entity),
        (DCTERMS.title, Literal("济青联动的路径", lang="zh")),
        (DCTERMS.creator, Literal("张三", lang="zh")), (DCTERMS.creator, Literal("李四", lang="zh")),
        (SDO.affiliation, Literal("山东大学", lang="zh")),
        (PKG.sourceFile, Literal("demo/a.txt")),
        (PKG.articleIndex, Literal("1", datatype=XSD.integer)),
        (PKG.contentHash, Literal(a.article.content_hash)),
    }


def test_entities_typed_labelled_and_counted():
    a, b = sample_graphs()
    jinan, g = entity_iri("济南"), graph_iri("demo-a-1")
    got = {(p, o) for s, p, o, _ in article_quads(a) if s == jinan and p != PKG.coordinatesWith
           and p != PKG.specializesIn and p != PKG.modeledOn}
    assert {q[3] for q in article_quads(a) if q[0] == jinan} == {g}
    assert got == {
        (RDF.type, PKG.Entity), (RDF.type, PKG.City),
        (RDFS.label, Literal("济南", lang="zh")), (SKOS.altLabel, Literal("济南市", lang="zh")),
        (PKG.adcode, Literal("370100")), (PKG.mentionCount, Literal("4", datatype=XSD.integer)),
    }
    # 青岛 is described in both articles' graphs, with the same label
    qd = entity_iri("青岛")
    for ag in (a, b):
        assert (qd, RDFS.label, Literal("青岛", lang="zh"), graph_iri(ag.article.id)) in _quads(ag)


def test_relation_direct_triple_reification_and_provenance():
    a, _ = sample_graphs()
    q = _quads(a)
    g, art = graph_iri("demo-a-1"), article_iri("demo-a-1")
    jn, qd = entity_iri("济南"), entity_iri("青岛")
    assert (jn, PKG.coordinatesWith, qd, g) in q
    stmt = _assertion(a, "济南", "coordinatesWith", "青岛")
    ev = sorted(o for s, p, o, _ in q if s == stmt and p == PKG.evidence)
    assert len(ev) == 1
    assert {(p, o) for s, p, o, _ in q if s == stmt} == {
        (RDF.type, PKG.Assertion), (RDF.type, RDF.Statement),
        (RDF.subject, jn), (RDF.predicate, PKG.coordinatesWith), (RDF.object, qd),
        (PKG.confidence, Literal("0.9", datatype=XSD.decimal)),
        (PKG.rule, rule_iri("coord.cue-pair")), (PKG.evidence, ev[0]),
        (PROV.wasDerivedFrom, art),
    }
    sentence = a.article.paragraphs[0]
    assert {(p, o) for s, p, o, _ in q if s == ev[0]} == {
        (RDF.type, PKG.Evidence), (PKG.sentence, Literal(sentence, lang="zh")),
        (PKG.startOffset, Literal("0", datatype=XSD.integer)),
        (PKG.endOffset, Literal(str(len(sentence)), datatype=XSD.integer)),
        (PKG.rule, rule_iri("coord.cue-pair")),
        (PKG.confidence, Literal("0.9", datatype=XSD.decimal)),
        (PROV.wasDerivedFrom, art),
    }
    assert (rule_iri("coord.cue-pair"), RDF.type, PKG.Rule, g) in q


def test_two_pieces_of_evidence_two_nodes_and_best_rule():
    a, _ = sample_graphs()
    q = _quads(a)
    stmt = _assertion(a, "济青联动", "establishes", "联席会议机制")
    evs = {o for s, p, o, _ in q if s == stmt and p == PKG.evidence}
    assert {o for s, p, o, _ in q if s in evs and p == PKG.rule} == {
        rule_iri("mech.verb"), rule_iri("mech.pattern")}
    assert {o for s, p, o, _ in q if s == stmt and p in (PKG.rule, PKG.confidence)} == {
        rule_iri("mech.verb"), Literal("0.85", datatype=XSD.decimal)}


def test_negated_relation_has_no_direct_triple():
    a, _ = sample_graphs()
    q = _quads(a)
    jn, bj = entity_iri("济南"), entity_iri("北京")
    assert not any(s == jn and p == PKG.modeledOn for s, p, o, _ in q)
    stmt = _assertion(a, "济南", "modeledOn", "北京")
    true = Literal("true", datatype=XSD.boolean)
    assert (stmt, PKG.negated, true, graph_iri("demo-a-1")) in q
    assert (stmt, RDF.object, bj, graph_iri("demo-a-1")) in q
    # only the negated statement (and its evidence) say pkg:negated
    negated = {s for s, p, o, _ in q if p == PKG.negated}
    assert stmt in negated and len(negated) == 2


def test_evidence_from_another_article_is_rejected():
    a, _ = sample_graphs()
    rel = Relation("济南", "coordinatesWith", "青岛", (Evidence("other-1", "句。", 0, 2, "r"),))
    bad = ArticleGraph(a.article, a.entities, (rel,))
    with pytest.raises(ValueError) as e:
        article_quads(bad)
    assert str(e.value) == (
        "relation 济南 coordinatesWith 青岛: evidence from article 'other-1' inside the "
        "graph of article 'demo-a-1'; evidence must come from the article it is attached "
        "to (fix the extractor's merge)")


# -------------------------------------------------------------------- writers
def _ox_set(data: bytes, fmt: ox.RdfFormat) -> set:
    return set(ox.parse(data, format=fmt))


def test_writers_round_trip_metacharacters_exactly():
    graphs = sample_graphs()
    expected = {(s, p, o, g) for ag in graphs for s, p, o, g in article_quads(ag)}
    nq, trig, ttl = to_nquads(graphs), to_trig(graphs), to_turtle_union(graphs)
    for data, fmt in ((nq, "nquads"), (trig, "trig")):
        ds = Dataset()
        ds.parse(data=data.decode(), format=fmt)
        got = {(s, p, o, c) for s, p, o, c in ds.quads((None, None, None, None))}
        assert got == expected, fmt
    assert {(s, p, o) for s, p, o in Graph().parse(data=ttl.decode(), format="turtle")} == \
        {(s, p, o) for s, p, o, _ in expected}
    # pyoxigraph reads them back identically too
    assert _ox_set(nq, ox.RdfFormat.N_QUADS) == _ox_set(trig, ox.RdfFormat.TRIG)
    nasty = [o for s, p, o, _ in expected if p == RDFS.label and NASTY in str(o)]
    assert nasty == [Literal(NASTY, lang="zh")]


def _nq_order(line: str) -> tuple[str, str, int, str, str]:
    s, p, rest = line.split(" ", 2)
    o, g = rest[:-2].rsplit(" ", 1)     # drop " ." (the graph IRI has no space)
    return (g, s, 0 if p.endswith("#type>") else 1, p, o)


def test_nquads_are_unique_lines_by_graph_subject_type_first():
    graphs = sample_graphs()
    lines = to_nquads(graphs).decode().splitlines()
    assert len(lines) == len(set(lines))
    assert lines == sorted(lines, key=_nq_order)
    # each article graph is one block, as in graph.trig
    blocks = [g for g, _ in itertools.groupby(_nq_order(line)[0] for line in lines)]
    assert blocks == sorted(f"<{graph_iri(ag.article.id)}>" for ag in graphs)
    assert all(line.endswith(" .") for line in lines)
    assert len(lines) == sum(len(article_quads(ag)) for ag in graphs)
    assert '"A \\"B\\" \\\\ C\\n<script>alert(1)</script> }} {{ ; . # \' @zh ^^ \\t"@zh' in to_nquads(graphs).decode()


def test_turtle_union_merges_duplicates():
    graphs = sample_graphs()
    g = Graph().parse(data=to_turtle_union(graphs).decode(), format="turtle")
    triples = {(s, p, o) for ag in graphs for s, p, o, _ in article_quads(ag)}
    assert len(g) == len(triples) < sum(len(article_quads(ag)) for ag in graphs)
    head = to_turtle_union(graphs).decode().splitlines()[:3]
    assert head[0].startswith("@prefix ")


def test_turtle_union_puts_shared_subjects_first_then_graph_by_graph():
    graphs = sample_graphs()
    ttl = to_turtle_union(graphs).decode()
    subjects = [line.split(" ", 1)[0] for line in ttl.splitlines()
                if line and not line.startswith(("@prefix", " ", "\t"))]
    shared = [s for s in subjects if s.startswith(("entity:", "rule:"))]
    assert subjects[:len(shared)] == shared == sorted(shared)     # merged, sorted, first
    assert len(shared) == len(set(shared))
    rest = subjects[len(shared):]
    assert rest and not any(s.startswith(("entity:", "rule:")) for s in rest)
    # the article's own subjects come in the graphs' order, the article node among them
    arts = [s for s in rest if s.startswith("article:")]
    assert arts == [f"article:{ag.article.id}" for ag in sorted(graphs, key=lambda g: g.article.id)]


def test_confidence_is_two_place_canonical_decimal():
    a, _ = sample_graphs()
    confs = {str(o) for s, p, o, _ in article_quads(a) if p == PKG.confidence}
    assert confs == {"0.9", "0.7", "0.8", "0.85", "0.6", "1"}


def test_atomic_writes(tmp_path):
    graphs = sample_graphs()
    out = tmp_path / "sub" / "kg.trig"
    write_trig(graphs, out)
    out.write_bytes(b"old")
    write_trig(graphs, out)
    write_nquads(graphs, tmp_path / "kg.nq")
    write_turtle_union(graphs, tmp_path / "kg.ttl")
    assert out.read_bytes() == to_trig(graphs)
    assert (tmp_path / "kg.nq").read_bytes() == to_nquads(graphs)
    assert (tmp_path / "kg.ttl").read_bytes() == to_turtle_union(graphs)
    # no temp files left behind
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "kg.nq", "kg.ttl", "sub", "sub/kg.trig"]


def test_atomic_writes_never_set_the_process_umask(tmp_path, monkeypatch):
    # reading the umask means setting it (os.umask), and for that moment every thread of
    # the process (the build's store loader) would create its files with the wrong mode
    def no_umask(mask: int) -> int:
        raise AssertionError(f"os.umask({mask:#o}) called")

    monkeypatch.setattr(os, "umask", no_umask)
    write_nquads(sample_graphs(), tmp_path / "kg.nq")
    assert (tmp_path / "kg.nq").read_bytes() == to_nquads(sample_graphs())


_SCRIPT = """
import hashlib, importlib.util, sys
spec = importlib.util.spec_from_file_location("sample", sys.argv[1])
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
from policykg.graph.rdf import to_nquads, to_trig, to_turtle_union
gs = m.sample_graphs()
for f in (to_nquads, to_trig, to_turtle_union):
    print(hashlib.sha256(f(gs)).hexdigest())
"""


def test_output_is_byte_identical_across_processes():
    digests = []
    for seed in ("1", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        out = subprocess.run([sys.executable, "-c", _SCRIPT, __file__], env=env,
                             capture_output=True, text=True, check=True)
        digests.append(out.stdout.split())
    here = [hashlib.sha256(f(sample_graphs())).hexdigest()
            for f in (to_nquads, to_trig, to_turtle_union)]
    assert digests[0] == digests[1] == here


# -------------------------------------------------------------------- validation
def test_sample_conforms_to_packaged_shapes():
    from importlib.resources import files
    if not files("policykg.ontology").joinpath("shapes.ttl").is_file():
        pytest.skip("ontology/shapes.ttl not written yet")
    from policykg.graph.validate import validate
    report = validate(sample_graphs())
    assert report.conforms, report.text
    assert report.results == ()


def test_validation_reports_bad_offsets():
    from importlib.resources import files
    if not files("policykg.ontology").joinpath("shapes.ttl").is_file():
        pytest.skip("ontology/shapes.ttl not written yet")
    from dataclasses import replace
    from policykg.graph.validate import ValidationResult, validate
    a, _ = sample_graphs()
    rel = a.relations[0]
    ev = replace(rel.evidence[0], end=rel.evidence[0].end + 1)
    bad = replace(a, relations=(replace(rel, evidence=(ev,)),))
    report = validate([bad])
    node = article_quads(bad)
    ev_iri = next(o for s, p, o, _ in node if p == PKG.evidence)
    assert not report.conforms
    sentence = next(o for s, p, o, _ in node if s == ev_iri and p == PKG.sentence)
    assert report.results == (ValidationResult(
        str(ev_iri), "", "pkg:endOffset - pkg:startOffset must equal the length of pkg:sentence",
        "Violation", sentence.n3(), "https://w3id.org/policykg/shapes#EvidenceShape",
        "SPARQLConstraintComponent"),)


def test_validate_with_own_shapes_reports_focus_path_message():
    from policykg.graph.validate import ValidationResult, validate
    shapes = Graph().parse(format="turtle", data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        @prefix pkg: <https://w3id.org/policykg/ontology#> .
        [] a sh:NodeShape ; sh:targetClass pkg:City ;
           sh:property [ sh:path pkg:adcode ; sh:minCount 1 ; sh:message "a city needs an adcode" ] .
    """)
    report = validate(sample_graphs(), shapes=shapes)
    assert not report.conforms
    assert report.results == tuple(
        ValidationResult(str(entity_iri(c)), str(PKG.adcode), "a city needs an adcode",
                         component="MinCountConstraintComponent")
        for c in sorted(["深圳", "烟台"], key=lambda c: str(entity_iri(c))))
