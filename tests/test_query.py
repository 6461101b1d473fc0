"""policykg.graph.query: named queries, safe parameters, formatters, errors."""
from __future__ import annotations

import csv
import importlib.util
import io
import json
from decimal import Decimal
from pathlib import Path

import pyoxigraph as ox
import pytest

from policykg.graph.query import (
    NamedQuery, QueryError, QueryParam, QueryResult, Term, named_queries, parse_named_query,
    run_query, to_csv, to_json, to_table,
)
from policykg.graph.rdf import entity_iri
from policykg.graph.store import GraphStore
from policykg.graph.summary import article_facts, to_summary

_spec = importlib.util.spec_from_file_location("_policykg_test_rdf", Path(__file__).with_name("test_rdf.py"))
_sample = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_sample)
NASTY = _sample.NASTY

S0 = "济南与青岛加强联动，济青联动建立联席会议机制。"
S1 = "济南在生物医药、5G等领域优势突出。"
TITLE_A, TITLE_B = "济青联动的路径", f"标题 {NASTY}"
INJECTION = '" } UNION { ?s ?p ?o'


@pytest.fixture(scope="module")
def store():
    st = GraphStore.in_memory()
    for ag in _sample.sample_graphs():
        st.replace_article(ag)
    st.replace_summary(to_summary(map(article_facts, _sample.sample_graphs())))  # as a build does
    return st


@pytest.fixture(scope="module")
def queries():
    return named_queries()


def test_named_queries_are_listed_with_metadata(queries):
    assert sorted(queries) == ["coordinates-with", "entities", "evidence", "industries-of",
                               "mechanisms", "modeled-on", "relations", "timeline"]
    window = [("since", True, "year"), ("until", True, "year")]
    assert {n: [(p.name, p.optional, p.kind) for p in q.params] for n, q in queries.items()} == {
        "coordinates-with": [("place", False, "label"), *window],
        "entities": [("type", True, "string")],
        "evidence": [("subject", False, "label"), ("predicate", False, "string"),
                     ("object", False, "label")],
        "industries-of": [("place", True, "label"), *window],
        "mechanisms": [("subject", True, "label")],
        "modeled-on": [("x", False, "label"), *window],
        "relations": window,
        "timeline": [("subject", True, "label"), ("predicate", True, "string"), *window],
    }
    assert all(q.title and q.description and q.text.startswith("# title:") for q in queries.values())
    assert queries["coordinates-with"].params[0].description == "canonical label or alias of the place, e.g. 济南"


EXPECTED = [
    ("coordinates-with", {"place": "济南"}, ("partner", "sentence", "title"),
     [("青岛", S0, TITLE_A)]),
    ("coordinates-with", {"place": "青岛"}, ("partner", "sentence", "title"),
     [("济南", S0, TITLE_A), ("烟台", "青岛与烟台协同发展。", TITLE_B)]),
    # one row per relation: the best sentence and the number of articles that state it
    ("modeled-on", {"x": "青岛"}, ("model", "modelType", "sentence", "title", "articles"),
     [("深圳", "City", f"青岛学习深圳经验，{NASTY}。", TITLE_B, 1)]),
    ("modeled-on", {"x": "济南"}, ("model", "modelType", "sentence", "title", "articles"),
     []),  # negated
    ("mechanisms", {}, ("establisher", "mechanism", "sentence", "articles"),
     [("济青联动", "联席会议机制", S0, 1)]),
    ("mechanisms", {"subject": "青岛"}, ("establisher", "mechanism", "sentence", "articles"), []),
    ("industries-of", {"place": "济南市"}, ("placeLabel", "field", "fieldType", "sentence", "articles"),
     [("济南", "5G", "Technology", S1, 1), ("济南", "生物医药", "Industry", S1, 1)]),
    ("evidence", {"subject": "青岛", "predicate": "coordinatesWith", "object": "济南"},
     ("sentence", "title", "rule", "confidence", "negated", "start", "end"),
     [(S0, TITLE_A, "coord.cue-pair", Decimal("0.9"), False, 0, 23)]),
    ("evidence", {"subject": "济青联动", "predicate": "establishes", "object": "联席会议制度"},
     ("sentence", "title", "rule", "confidence", "negated", "start", "end"),
     [(S0, TITLE_A, "mech.pattern", Decimal("0.6"), False, 0, 23),
      (S0, TITLE_A, "mech.verb", Decimal("0.85"), False, 0, 23)]),
    ("evidence", {"subject": "济南", "predicate": "modeledOn", "object": "北京"},
     ("sentence", "title", "rule", "confidence", "negated", "start", "end"),
     [("济南并未对标北京。", TITLE_A, "model.cue", Decimal("0.7"), True, 43, 52)]),
    ("entities", {"type": "Technology"}, ("label", "class", "articles", "entity"),
     [("5G", "Technology", 1, str(entity_iri("5G")))]),
    ("entities", {"type": "City"}, ("label", "class", "articles", "entity"),
     [(c, "City", 2 if c == "青岛" else 1, str(entity_iri(c)))
      for c in ("北京", "济南", "深圳", "烟台", "青岛")]),
    ("relations", {}, ("subject", "predicate", "object", "confidence", "articles"),
     [(NASTY, "issuedBy", "青岛", Decimal("0.5"), 1),
      ("济南", "coordinatesWith", "青岛", Decimal("0.9"), 1),
      ("济南", "specializesIn", "5G", Decimal("0.8"), 1),
      ("济南", "specializesIn", "生物医药", Decimal("0.8"), 1),
      ("济青联动", "establishes", "联席会议机制", Decimal("0.85"), 1),
      ("济青联动", "involves", "济南", Decimal("1"), 1),
      ("济青联动", "involves", "青岛", Decimal("1"), 1),
      ("青岛", "coordinatesWith", "烟台", Decimal("0.9"), 1),
      ("青岛", "modeledOn", "深圳", Decimal("0.75"), 1)]),
]


@pytest.mark.parametrize("name,params,variables,rows", EXPECTED,
                         ids=[f"{e[0]}-{'-'.join(e[1].values())}" for e in EXPECTED])
def test_named_query_rows(store, queries, name, params, variables, rows):
    r = run_query(store, queries[name], params=params)
    assert r.kind == "select"
    assert r.variables == variables          # parameters are inputs, not columns
    assert r.rows == tuple(rows)


def test_entities_without_type_lists_every_class(store, queries):
    r = run_query(store, queries["entities"])
    assert [row[1] for row in r.rows] == ["City"] * 5 + [
        "Industry", "Mechanism", "PolicyDocument", "Strategy", "Technology"]


def test_parameters_cannot_inject(store, queries):
    for name, q in queries.items():
        for p in q.params:
            base = {x.name: "济南" for x in q.params if not x.optional}
            if p.kind == "year":    # never bound as text at all: refused
                with pytest.raises(QueryError) as e:
                    run_query(store, q, params={**base, p.name: INJECTION})
                assert str(e.value) == (f"parameter ?{p.name}: got {INJECTION!r}; it takes a "
                                        "year of four digits, e.g. 2024"), (name, p.name)
                continue
            r = run_query(store, q, params={**base, p.name: INJECTION})
            assert r.rows == (), (name, p.name)
    r = run_query(store, "SELECT ?label ?e WHERE { ?e rdfs:label ?l FILTER(STR(?l) = ?label) }",
                  params={"label": INJECTION})
    assert r.rows == ()


def test_table(store, queries):
    r = run_query(store, queries["coordinates-with"], params={"place": "济南"})
    assert to_table(r) == (
        " partner   sentence                                         title\n"
        "───────────────────────────────────────────────────────────────────────────\n"
        " 青岛      济南与青岛加强联动，济青联动建立联席会议机制。   济青联动的路径\n"
        "\n"
        "(1 row)")


def test_table_shows_markup_and_control_characters_literally():
    t = (Term("literal", "[bold]x[/bold]"), Term("literal", "\x1b[31mred"))
    r = QueryResult("select", ("a", "b"), (("[bold]x[/bold]", "\x1b[31mred"),), (t,))
    assert to_table(r) == (
        " a                b\n"
        "──────────────────────────────\n"
        " [bold]x[/bold]   \\x1b[31mred\n"
        "\n"
        "(1 row)")


def test_csv_quotes_metacharacters(store, queries):
    r = run_query(store, queries["coordinates-with"], params={"place": "青岛"})
    text = to_csv(r)
    assert text == (
        "partner,sentence,title\r\n"
        f"济南,{S0},{TITLE_A}\r\n"
        '烟台,青岛与烟台协同发展。,"标题 A ""B"" \\ C\n<script>alert(1)</script> }} {{ ; . # \' @zh ^^ \t"\r\n')
    assert list(csv.reader(io.StringIO(text)))[2][2] == TITLE_B


def test_json_is_sparql_results_format(store, queries):
    r = run_query(store, queries["evidence"],
                  params={"subject": "济南", "predicate": "modeledOn", "object": "北京"})
    XSD = "http://www.w3.org/2001/XMLSchema#"
    assert json.loads(to_json(r)) == {
        "head": {"vars": ["sentence", "title", "rule", "confidence", "negated", "start", "end"]},
        "results": {"bindings": [{
            "sentence": {"type": "literal", "value": "济南并未对标北京。", "xml:lang": "zh"},
            "title": {"type": "literal", "value": TITLE_A, "xml:lang": "zh"},
            "rule": {"type": "literal", "value": "model.cue"},
            "confidence": {"type": "literal", "value": "0.7", "datatype": XSD + "decimal"},
            "negated": {"type": "literal", "value": "true", "datatype": XSD + "boolean"},
            "start": {"type": "literal", "value": "43", "datatype": XSD + "integer"},
            "end": {"type": "literal", "value": "52", "datatype": XSD + "integer"},
        }]},
    }


def test_unbound_values_are_left_out_of_json_and_empty_in_csv(store):
    r = run_query(store, "SELECT ?a ?b WHERE { BIND(1 AS ?a) }")
    assert r.rows == ((1, None),)
    assert json.loads(to_json(r))["results"]["bindings"] == [
        {"a": {"type": "literal", "value": "1",
               "datatype": "http://www.w3.org/2001/XMLSchema#integer"}}]
    assert to_csv(r) == "a,b\r\n1,\r\n"


def test_ask_and_construct(store):
    ask = run_query(store, "ASK { ?s pkg:coordinatesWith ?o }")
    assert (ask.kind, ask.boolean) == ("ask", True)
    assert to_table(ask) == "true"
    assert json.loads(to_json(ask)) == {"head": {}, "boolean": True}
    assert to_csv(ask) == "boolean\r\ntrue\r\n"
    g = run_query(store, 'CONSTRUCT { ?s rdfs:label ?l } WHERE { ?s rdfs:label ?l FILTER(STR(?l) = "济南") }')
    assert g.kind == "graph"
    assert g.variables == ("subject", "predicate", "object")
    assert g.rows == ((str(entity_iri("济南")), "http://www.w3.org/2000/01/rdf-schema#label", "济南"),)
    assert json.loads(to_json(g))["results"]["bindings"][0]["object"] == {
        "type": "literal", "value": "济南", "xml:lang": "zh"}


def test_malformed_query_reports_line_and_column(store):
    with pytest.raises(QueryError) as e:
        run_query(store, "SELECT ?x\nWHERE {\n  ?x rdfs:label \"济南\"\n  OPTIONAL ?x\n}")
    assert str(e.value) == (
        'malformed SPARQL query at line 4, column 12: expected "{"\n'
        "  4 |   OPTIONAL ?x\n"
        "    |            ^\n"
        "fix the query near that position and run it again")


def test_malformed_query_message_is_kept_short(store):
    with pytest.raises(QueryError) as e:
        run_query(store, "SELECT ?x WHERE { ?x undeclared:p ?z }")
    first = str(e.value).splitlines()[0]
    assert first.startswith("malformed SPARQL query at line 1, column 34: expected one of Prefix not found")
    assert first.endswith("…") and len(first) < 230


def test_parameter_errors(store, queries):
    q = queries["coordinates-with"]
    with pytest.raises(QueryError) as e:
        run_query(store, q, params={"place": "济南", "city": "x"})
    assert str(e.value) == "query 'coordinates-with': unknown parameter(s) ?city; it takes ?place, ?since, ?until"
    with pytest.raises(QueryError) as e:
        run_query(store, q)
    assert str(e.value) == (
        "query 'coordinates-with': missing required parameter(s) ?place; pass them as name=value")
    with pytest.raises(QueryError) as e:
        run_query(store, q, params={"place": 3})
    assert str(e.value) == "parameter ?place: got int 3; parameters are strings"
    with pytest.raises(QueryError) as e:
        run_query(store, "SELECT ?s WHERE { ?s ?p ?o }", params={"label": "济南"})
    assert str(e.value) == (
        "parameter ?label is not a variable of the query; use one of its variables "
        "(without '?') as parameter name")


_KINDS = ("the options are 'optional' and one kind, 'string' (bound as a plain xsd:string "
          "literal) or 'label' (bound as a Chinese-tagged literal \"…\"@zh, as the builder "
          "writes labels) or 'year' (bound as an xsd:integer year of four digits)")


@pytest.mark.parametrize("text, message", [
    ("# title: T\nSELECT * {}",
     "query 'q' has no '# title:' or '# description:' header line; named queries must start with both"),
    ("# title: T\n# description: D\n# param: place the place\nSELECT * {}",
     "query 'q': parameter line '# param: place the place' is malformed; write "
     "'# param: ?name — description', with '(optional)' after the name if it may be "
     "omitted, '(label)' if it is bound as a @zh label, '(year)' if it is a year bound as "
     "an xsd:integer, or '(optional, label)'"),
    ("# title: T\n# description: D\n# param: ?place (iri) — p\nSELECT * {}",
     f"query 'q': parameter ?place has the unknown option 'iri'; {_KINDS}"),
    ("# title: T\n# description: D\n# param: ?place (label, string) — p\nSELECT * {}",
     "query 'q': parameter ?place has (label, string); give 'optional' at most once and at "
     "most one kind"),
    ("# title: T\n# description: D\n# param: ?place — p\n# param: ?place (label) — p\nSELECT * {}",
     "query 'q' declares ?place on more than one '# param:' line; declare each parameter once"),
])
def test_parse_named_query_errors(text: str, message: str):
    with pytest.raises(QueryError) as e:
        parse_named_query("q", text)
    assert str(e.value) == message


def test_query_text_with_a_bad_param_line_is_refused():
    with pytest.raises(QueryError) as e:
        run_query(GraphStore.in_memory(), "# param: ?x (zh) — x\nSELECT ?x {}", params={"x": "a"})
    assert str(e.value) == f"query text: parameter ?x has the unknown option 'zh'; {_KINDS}"


def test_parse_named_query_reads_optional_params_and_multiline_description():
    q = parse_named_query("q", "# title: T\n# description: one\n# description: two\n"
                               "# param: ?type (optional) - a class\n\nSELECT ?type {}")
    assert q == NamedQuery("q", "T", "one two", (QueryParam("type", "a class", True),), q.text)
    q = parse_named_query("q", "# title: T\n# description: D\n# param: ?a (label) — x\n"
                               "# param: ?b (label, optional) — y\n# param: ?c ( optional ) : z\n"
                               "# param: ?d (string) -- w\nSELECT ?a ?b ?c ?d {}")
    assert q.params == (QueryParam("a", "x", False, "label"), QueryParam("b", "y", True, "label"),
                        QueryParam("c", "z", True, "string"), QueryParam("d", "w", False, "string"))


# ------------------------------------------------------------- how parameters are bound
def test_label_parameters_are_bound_as_zh_literals_and_match_aliases(store, queries):
    q = queries["coordinates-with"]
    assert q.params[0].term("济南") == ox.Literal("济南", language="zh")
    by_label = run_query(store, q, params={"place": "济南"})
    assert by_label.rows == (("青岛", S0, TITLE_A),)
    assert run_query(store, q, params={"place": "济南市"}).rows == by_label.rows   # an alias
    r = run_query(store, queries["evidence"],
                  params={"subject": "济青联动", "predicate": "establishes", "object": "联席会议制度"})
    assert [row[2] for row in r.rows] == ["mech.pattern", "mech.verb"]        # object by alias
    # a label param does not match a value stated only as a plain literal (rule labels are)
    assert run_query(store, q, params={"place": "coord.cue-pair"}).rows == ()


def test_string_parameters_stay_plain_literals(store, queries):
    q = queries["entities"]
    assert q.params[0].term("City") == ox.Literal("City")
    assert [row[0] for row in run_query(store, q, params={"type": "Mechanism"}).rows] == ["联席会议机制"]
    r = run_query(store, queries["evidence"],
                  params={"subject": "济南", "predicate": "coordinatesWith", "object": "青岛"})
    assert [row[0] for row in r.rows] == [S0]
    r = run_query(store, queries["evidence"],
                  params={"subject": "济南", "predicate": "coordinatesWith", "object": "济南"})
    assert r.rows == ()


def test_query_text_binds_parameters_by_its_param_lines(store):
    rule = "SELECT DISTINCT ?id ?r WHERE { ?r a pkg:Rule ; rdfs:label ?id }"
    # no declaration: a plain string, which is how rule ids are stated
    assert run_query(store, rule, params={"id": "model.cue"}).rows == (
        ("https://w3id.org/policykg/id/rule/model.cue",),)
    assert run_query(store, "# param: ?id (label) — a rule\n" + rule, params={"id": "model.cue"}).rows == ()
    place = "# param: ?place (label) — a place\nSELECT ?place ?e WHERE { ?e skos:altLabel ?place }"
    assert run_query(store, place, params={"place": "济南市"}).rows == ((str(entity_iri("济南")),),)
    # the bundled file, run as text (policykg query path/to/file.rq), binds as the named query
    q = named_queries()["coordinates-with"]
    assert run_query(store, q.text, params={"place": "济南"}).rows == (
        run_query(store, q, params={"place": "济南"}).rows)


def test_optional_label_parameter_not_given_means_all(store, queries):
    everything = run_query(store, queries["industries-of"])
    assert [row[0] for row in everything.rows] == ["济南", "济南"]
    assert everything.rows == run_query(store, queries["industries-of"], params={"place": "济南"}).rows
    assert run_query(store, queries["industries-of"], params={"place": "青岛"}).rows == ()


def test_entities_lists_the_ontology_entity_types(queries):
    """entities.rq names the classes (one index scan each) instead of filtering all types."""
    import re

    from policykg.ontology import ENTITY_TYPES

    values = re.search(r"VALUES \?c \{([^}]*)\}", queries["entities"].text)[1]
    assert values.split() == [f"pkg:{t}" for t in ENTITY_TYPES]
