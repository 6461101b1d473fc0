"""policykg.graph.store: the on-disk pyoxigraph store, its dumps and the rdflib view."""
from __future__ import annotations

import importlib.util
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Literal
from rdflib.namespace import RDFS

from policykg.graph.query import QueryError, QueryTimeout
from policykg.graph.rdf import (
    article_quads, entity_iri, graph_iri, to_nquads, to_trig, to_turtle_union,
)
from policykg.graph.store import GraphStore, rdflib_graph
from policykg.ontology.namespace import PKG

_spec = importlib.util.spec_from_file_location("_policykg_test_rdf", Path(__file__).with_name("test_rdf.py"))
_sample = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_sample)
sample_graphs = _sample.sample_graphs


@pytest.fixture
def store(tmp_path):
    with GraphStore.open(tmp_path / "store") as st:
        for ag in sample_graphs():
            st.replace_article(ag)
        yield st


def _count(st: GraphStore, where: str) -> int:
    return st.query(f"SELECT (COUNT(*) AS ?n) WHERE {{ {where} }}").rows[0][0]


def test_round_trip_counts(store):
    a, b = sample_graphs()
    assert store.article_ids() == ("demo-a-1", "demo-b-1")
    assert len(store) == len(article_quads(a)) + len(article_quads(b))
    assert _count(store, "GRAPH ?g { ?s ?p ?o }") == len(store)
    assert _count(store, "?e a pkg:City") == 6          # 青岛 in both graphs: union is a multiset
    assert _count(store, "SELECT DISTINCT ?e { ?e a pkg:City }") == 5
    assert _count(store, "?s pkg:coordinatesWith ?o") == 2
    assert _count(store, "?s a pkg:Assertion") == 10


def test_replace_article_is_idempotent(store):
    a, _ = sample_graphs()
    before = to_nquads(store)
    assert store.replace_article(a) == len(article_quads(a))
    assert store.replace_article(a) == len(article_quads(a))
    assert to_nquads(store) == before


def test_replace_article_drops_what_the_new_version_lacks(store):
    from dataclasses import replace
    a, _ = sample_graphs()
    store.replace_article(replace(a, relations=a.relations[:1]))
    assert _count(store, "GRAPH <%s> { ?s a pkg:Assertion }" % graph_iri("demo-a-1")) == 1


def test_remove_article(store):
    _, b = sample_graphs()
    assert store.remove_article("demo-a-1") is True
    assert store.remove_article("demo-a-1") is False
    assert store.article_ids() == ("demo-b-1",)
    assert len(store) == len(article_quads(b))


def test_persisted_and_read_only(tmp_path):
    path = tmp_path / "store"
    with GraphStore.open(path) as st:
        for ag in sample_graphs():
            st.replace_article(ag)
        expected = to_nquads(st)
    ro = GraphStore.open(path, read_only=True)
    assert ro.article_ids() == ("demo-a-1", "demo-b-1")
    assert to_nquads(ro) == expected
    with pytest.raises(PermissionError) as e:
        ro.remove_article("demo-a-1")
    assert str(e.value) == (
        f"GraphStore at {str(path)!r} is open read-only; open it with GraphStore.open(path) to change it")
    ro.close()
    with pytest.raises(ValueError) as e:
        ro.article_ids()
    assert str(e.value) == (
        f"GraphStore at {str(path)!r} is closed; open it again with GraphStore.open(path)")


def test_read_only_needs_an_existing_store(tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        GraphStore.open(tmp_path / "nope", read_only=True)
    assert str(e.value) == (
        f"no store at {str(tmp_path / 'nope')!r} to open read-only; build one first "
        "(GraphStore.open(path) creates it)")


def test_dumps_equal_the_rdf_writers(store, tmp_path):
    graphs = sample_graphs()
    for fmt, writer in (("nq", to_nquads), ("trig", to_trig), ("ttl", to_turtle_union)):
        out = store.dump(tmp_path / f"kg.{fmt}")
        assert out.read_bytes() == writer(graphs), fmt
    store.dump(tmp_path / "kg.any", "trig")
    assert (tmp_path / "kg.any").read_bytes() == to_trig(graphs)


def test_dump_rejects_unknown_format(store, tmp_path):
    with pytest.raises(ValueError) as e:
        store.dump(tmp_path / "kg.xml")
    assert str(e.value) == (
        "dump format '.xml' is not supported; use one of nq, trig, ttl (or a path ending in .nq, .trig, .ttl)")


def test_load_quads(tmp_path):
    with GraphStore.open(tmp_path / "s") as st:
        n = st.load_quads(sample_graphs())
        assert n == len(st) > 0
        assert st.article_ids() == ("demo-a-1", "demo-b-1")


def test_bindings_accept_rdflib_and_str(store):
    q = "SELECT ?label ?e WHERE { ?e rdfs:label ?label }"
    r = store.query(q, bindings={"label": Literal("济南", lang="zh")})
    assert r.rows == (("济南", str(entity_iri("济南"))),)
    assert store.query(q, bindings={"label": "济南"}).rows == ()   # plain string ≠ @zh


def test_binding_must_be_projected(store):
    with pytest.raises(QueryError) as e:
        store.query("SELECT ?e WHERE { ?e rdfs:label ?label }", bindings={"label": "x"})
    assert str(e.value) == (
        "The SPARQL query does not contains variable ?label in its SELECT projection: "
        "pyoxigraph binds only variables listed after SELECT; add the parameter variable "
        "to the SELECT clause")


def test_timeout(store):
    slow = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"   # ~10^8 rows
    t0 = time.monotonic()
    with pytest.raises(QueryTimeout) as e:
        store.query(slow, timeout=0.2)
    assert time.monotonic() - t0 < 2
    assert str(e.value) == (
        "query did not finish within 0.2 s and was abandoned; make it more selective "
        "(specific patterns, LIMIT) or allow a longer timeout")
    # a quick query with a timeout runs normally
    assert store.query("ASK { ?s ?p ?o }", timeout=5).boolean is True


def test_rdflib_view_sees_the_same_quads(store, tmp_path):
    ds = rdflib_graph(store)
    assert len(list(ds.quads((None, None, None, None)))) == len(store)
    jinan = entity_iri("济南")
    # oxrdflib gives plain literals an explicit xsd:string datatype (same RDF 1.1 term)
    assert {(str(o), o.language) for o in ds.objects(jinan, RDFS.label)} == {("济南", "zh")}
    assert {str(o) for o in ds.objects(jinan, PKG.adcode)} == {"370100"}
    # and from the folder, read-only, once the writer is closed
    n = len(store)
    store.close()
    ds2 = rdflib_graph(tmp_path / "store")
    assert len(list(ds2.quads((None, None, None, None)))) == n


def test_quads_for_pattern_makes_a_store_a_source(store):
    g = ox.NamedNode(str(graph_iri("demo-b-1")))
    a, b = sample_graphs()
    assert len(list(store.quads_for_pattern(None, None, None, g))) == len(article_quads(b))
