"""The OWL ontology (ontology/policykg.ttl) and the SHACL shapes (ontology/shapes.ttl)."""
from __future__ import annotations

import doctest

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, SH, SKOS, XSD

from rdflib.util import from_n3

from policykg.graph.validate import validate
from policykg.ontology import schema
from policykg.ontology.namespace import (
    ENTITY_TYPES, ONTOLOGY_IRI, PKG, PKGID, PREDICATES, SYMMETRIC_PREDICATES,
)

# Domain and range per docs/GUIDELINES.md "Relations" (places = City or Region; any = Entity).
PLACE = ("City", "Region")
SIGNATURE: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "coordinatesWith": (PLACE, PLACE),
    "complements": (("Entity",), ("Entity",)),
    "modeledOn": (("Entity",), ("Entity",)),
    "specializesIn": (PLACE, ("Industry", "Technology")),
    "partOf": (PLACE, PLACE),
    "involves": (("Strategy",), PLACE),
    "implements": (PLACE + ("Strategy",), ("Strategy", "Region")),
    "establishes": (PLACE + ("Strategy",), ("Mechanism",)),
    "focusesOn": (("Strategy",), ("Industry", "Technology")),
    "enables": (("Technology",), ("Industry", "Strategy", "Technology")),
    "issuedBy": (("PolicyDocument",), PLACE + ("Organization",)),
}


@pytest.fixture(scope="module")
def onto() -> Graph:
    return schema.ontology_graph()


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return schema.shapes_graph()


def pkg_terms_in(g: Graph) -> set[str]:
    ns = str(PKG._NS)
    return {str(s)[len(ns):] for s in g.subjects() if isinstance(s, URIRef) and str(s).startswith(ns)}


def classes_of(g: Graph, node) -> set[str]:
    """A class or an owl:unionOf expression as a set of pkg local names."""
    union = g.value(node, OWL.unionOf)
    members = list(Collection(g, union)) if union is not None else [node]
    return {str(m).rsplit("#", 1)[1] for m in members}


# --------------------------------------------------------------------------- ontology

def test_ontology_header(onto):
    assert (URIRef(ONTOLOGY_IRI), RDF.type, OWL.Ontology) in onto


def test_every_namespace_term_is_defined_and_vice_versa(onto):
    declared = set(PKG.__annotations__)
    assert pkg_terms_in(onto) == declared


def test_entity_classes(onto):
    for name in ENTITY_TYPES:
        assert (PKG[name], RDF.type, OWL.Class) in onto
        assert (PKG[name], RDFS.subClassOf, PKG.Entity) in onto
    assert (PKG.Entity, RDF.type, OWL.Class) in onto


@pytest.mark.parametrize("name", PREDICATES)
def test_relation_domain_and_range_follow_guidelines(onto, name):
    prop = PKG[name]
    assert (prop, RDF.type, OWL.ObjectProperty) in onto
    domain, range_ = SIGNATURE[name]
    assert classes_of(onto, onto.value(prop, RDFS.domain)) == set(domain)
    assert classes_of(onto, onto.value(prop, RDFS.range)) == set(range_)


def test_symmetric_properties(onto):
    symmetric = {str(s).rsplit("#", 1)[1] for s in onto.subjects(RDF.type, OWL.SymmetricProperty)}
    assert symmetric == set(SYMMETRIC_PREDICATES) == {"coordinatesWith", "complements"}


def test_every_term_has_zh_and_en_labels_and_a_comment(onto):
    missing = []
    for name in sorted(PKG.__annotations__):
        langs = {lit.language for lit in onto.objects(PKG[name], RDFS.label)}
        if not {"zh", "en"} <= langs or onto.value(PKG[name], RDFS.comment) is None:
            missing.append(name)
    assert missing == []


def test_provenance_terms_are_typed(onto):
    for name in ("Article", "Assertion", "Evidence", "Rule"):
        assert (PKG[name], RDF.type, OWL.Class) in onto
    for name in ("evidence", "rule", "article"):
        assert (PKG[name], RDF.type, OWL.ObjectProperty) in onto
    for name in ("sentence", "startOffset", "endOffset", "confidence", "negated", "sourceFile",
                 "articleIndex", "contentHash", "adcode", "mentionCount"):
        assert (PKG[name], RDF.type, OWL.DatatypeProperty) in onto
    assert onto.value(PKG.startOffset, RDFS.range) == XSD.integer


# --------------------------------------------------------------------------- shapes

def entity(g: Graph, key: str, *types: str, label: str | None = None) -> URIRef:
    node = PKGID[f"entity/{key}"]
    g.add((node, RDF.type, PKG.Entity))
    for t in types:
        g.add((node, RDF.type, PKG[t]))
    g.add((node, RDFS.label, Literal(label or key, lang="zh")))
    return node


def provenance(g: Graph, s, p, o, *, sentence: str = "济南与青岛联动。") -> tuple[URIRef, URIRef, URIRef]:
    """A conforming Assertion → Evidence → Article chain for the triple (s, p, o)."""
    art, ev, a = PKGID["article/demo-1"], PKGID["evidence/1"], PKGID["assertion/1"]
    g.add((art, RDF.type, PKG.Article))
    g.add((art, DCTERMS.title, Literal("济青联动的实践", lang="zh")))
    g.add((art, PKG.articleIndex, Literal(1)))
    g.add((art, PKG.contentHash, Literal("0" * 64)))
    g.add((ev, RDF.type, PKG.Evidence))
    g.add((ev, PKG.sentence, Literal(sentence)))
    g.add((ev, PKG.startOffset, Literal(10)))
    g.add((ev, PKG.endOffset, Literal(10 + len(sentence))))
    g.add((ev, PROV.wasDerivedFrom, art))
    g.add((a, RDF.type, PKG.Assertion))
    g.add((a, RDF.subject, s))
    g.add((a, RDF.predicate, p))
    g.add((a, RDF.object, o))
    g.add((a, PKG.rule, PKGID["rule/coord.cue-pair"]))
    g.add((a, PKG.confidence, Literal("0.9", datatype=XSD.decimal)))
    g.add((a, PKG.evidence, ev))
    return a, ev, art


@pytest.fixture
def good() -> tuple[Graph, URIRef, URIRef, URIRef, URIRef, URIRef]:
    g = Graph()
    jinan = entity(g, "jinan", "City", label="济南")
    qingdao = entity(g, "qingdao", "City", label="青岛")
    g.add((jinan, SKOS.altLabel, Literal("济南市", lang="zh")))
    g.add((jinan, PKG.adcode, Literal("370100")))
    g.add((jinan, PKG.coordinatesWith, qingdao))
    a, ev, art = provenance(g, jinan, PKG.coordinatesWith, qingdao)
    return g, jinan, qingdao, a, ev, art


def results(g: Graph, shapes: Graph) -> list[tuple]:
    """(focus, path, value) of each violation, once each (several constraint components,
    e.g. sh:datatype and sh:languageIn, may flag the same value)."""
    report = validate(g, shapes=shapes)
    assert report.conforms is (not report.violations)
    return sorted(set((URIRef(v.focus), URIRef(v.path) if v.path else None,
                       from_n3(v.value) if v.value else None) for v in report.violations), key=str)


def test_conforming_graph(good, shapes):
    g = good[0]
    report = validate(g, shapes=shapes)
    assert report.conforms, report.text
    assert report.results == ()


def test_entity_label_rules(good, shapes):
    g, jinan, qingdao, *_ = good
    g.remove((jinan, RDFS.label, None))
    g.add((jinan, RDFS.label, Literal("济南")))                   # no language tag
    g.add((qingdao, RDFS.label, Literal("青岛市", lang="zh")))   # a second label
    g.add((qingdao, SKOS.altLabel, Literal("Qingdao")))         # plain altLabel
    found = results(g, shapes)
    assert (jinan, RDFS.label, Literal("济南")) in found
    assert (qingdao, RDFS.label, None) in found                  # maxCount 1
    assert (qingdao, SKOS.altLabel, Literal("Qingdao")) in found
    assert len(found) == 3


def test_entity_without_label_and_english_label(shapes):
    g = Graph()
    x = PKGID["entity/x"]
    g.add((x, RDF.type, PKG.Entity))
    g.add((x, RDF.type, PKG.Industry))
    assert results(g, shapes) == [(x, RDFS.label, None)]
    g.add((x, RDFS.label, Literal("digital economy", lang="en")))
    assert results(g, shapes) == [(x, RDFS.label, Literal("digital economy", lang="en"))]


def test_specific_class_requires_entity_type(shapes):
    g = Graph()
    x = PKGID["entity/x"]
    g.add((x, RDF.type, PKG.Strategy))
    g.add((x, RDFS.label, Literal("东数西算", lang="zh")))
    assert results(g, shapes) == [(x, None, x)]


def test_bad_adcode(good, shapes):
    g, jinan, *_ = good
    g.set((jinan, PKG.adcode, Literal("370100000000")))
    assert results(g, shapes) == [(jinan, PKG.adcode, Literal("370100000000"))]


def test_every_predicate_has_a_shape(shapes):
    targeted = {str(o).rsplit("#", 1)[1] for o in shapes.objects(None, SH.targetSubjectsOf)}
    assert targeted == set(PREDICATES)


def _other(allowed: tuple[str, ...]) -> str:
    """A class outside ``allowed`` (Entity counts as allowing everything)."""
    return next(t for t in ("Mechanism", "Industry", "City", "Strategy") if t not in allowed)


@pytest.mark.parametrize("name", PREDICATES)
def test_relation_shapes(shapes, name):
    domain, range_ = SIGNATURE[name]
    g = Graph()
    # every allowed (subject type, object type) pair conforms
    for i, dt in enumerate(domain):
        for j, rt in enumerate(range_):
            s = entity(g, f"s{i}", *(() if dt == "Entity" else (dt,)))
            o = entity(g, f"o{j}", *(() if rt == "Entity" else (rt,)))
            g.add((s, PKG[name], o))
    assert results(g, shapes) == []
    if domain == ("Entity",):
        return  # any – any: nothing of a policykg class can violate it
    bad_s = entity(g, "bad-subject", _other(domain))
    bad_o = entity(g, "bad-object", _other(range_))
    ok_s, ok_o = PKGID["entity/s0"], PKGID["entity/o0"]
    g.add((bad_s, PKG[name], ok_o))
    g.add((ok_s, PKG[name], bad_o))
    assert set(results(g, shapes)) == set([(bad_s, None, bad_s), (ok_s, PKG[name], bad_o)])


def test_relation_to_an_untyped_node(shapes):
    g = Graph()
    s = entity(g, "jinan", "City")
    ghost = PKGID["entity/ghost"]
    g.add((s, PKG.modeledOn, ghost))
    assert results(g, shapes) == [(s, PKG.modeledOn, ghost)]


def test_assertion_violations(good, shapes):
    g, jinan, qingdao, a, ev, art = good
    g.remove((a, PKG.rule, None))
    g.set((a, PKG.confidence, Literal(1.5)))
    g.set((a, RDF.predicate, PKG.Entity))
    g.remove((a, PKG.evidence, None))
    found = results(g, shapes)
    assert set(found) == set([
        (a, PKG.rule, None), (a, PKG.confidence, Literal(1.5)),
        (a, RDF.predicate, PKG.Entity), (a, PKG.evidence, None),
    ])


def test_assertion_rule_must_be_an_iri_and_confidence_numeric(good, shapes):
    g, jinan, qingdao, a, *_ = good
    g.set((a, PKG.rule, Literal("coord.cue-pair")))
    g.set((a, PKG.confidence, Literal("0.9")))
    assert set(results(g, shapes)) == set([
        (a, PKG.rule, Literal("coord.cue-pair")), (a, PKG.confidence, Literal("0.9")),
    ])


def test_confidence_as_double_conforms(good, shapes):
    g, jinan, qingdao, a, *_ = good
    g.set((a, PKG.confidence, Literal(1.0)))
    assert Literal(1.0).datatype == XSD.double
    assert results(g, shapes) == []


def test_evidence_violations(good, shapes):
    g, jinan, qingdao, a, ev, art = good
    g.set((ev, PKG.startOffset, Literal(-1)))
    g.remove((ev, PROV.wasDerivedFrom, None))
    found = results(g, shapes)
    assert set(found) == set([
        (ev, PKG.startOffset, Literal(-1)),
        (ev, PROV.wasDerivedFrom, None),
        (ev, None, Literal("济南与青岛联动。")),  # end - start no longer equals the length
    ])


def test_evidence_offsets_out_of_order(good, shapes):
    g, jinan, qingdao, a, ev, art = good
    g.set((ev, PKG.startOffset, Literal(30)))
    g.set((ev, PKG.endOffset, Literal(22)))
    found = results(g, shapes)
    assert (ev, PKG.startOffset, Literal(30)) in found
    assert all(f[0] == ev for f in found)


def test_evidence_must_come_from_an_article(good, shapes):
    g, jinan, qingdao, a, ev, art = good
    g.remove((art, RDF.type, PKG.Article))
    g.add((art, RDF.type, PROV.Entity))
    assert results(g, shapes) == [(ev, PROV.wasDerivedFrom, art)]


def test_article_needs_one_title(good, shapes):
    g, jinan, qingdao, a, ev, art = good
    g.remove((art, DCTERMS.title, None))
    g.set((art, PKG.contentHash, Literal("ABC")))
    assert set(results(g, shapes)) == set([
        (art, DCTERMS.title, None), (art, PKG.contentHash, Literal("ABC")),
    ])


def test_violation_messages_are_readable(shapes):
    g = Graph()
    s = entity(g, "jinan", "City")
    o = entity(g, "qingdao", "City")
    g.add((s, PKG.specializesIn, o))
    (v,) = validate(g, shapes=shapes).violations
    assert v.message == "the object of pkg:specializesIn must be typed pkg:Industry or pkg:Technology"
    assert (v.shape, v.component) == ("https://w3id.org/policykg/shapes#specializesInShape",
                                      "OrConstraintComponent")


def test_schema_doctests():
    assert doctest.testmod(schema).failed == 0
