"""policykg.graph.evaluate: gold parsing, scoring semantics, agreement with score.py."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyoxigraph
import pytest
import rdflib

from policykg.graph.evaluate import (
    GoldError, PRF, Score, extracted, parse_gold, read_gold, score,
    score_files, to_json, to_text,
)

REFERENCE = Path(__file__).resolve().parents[2] / "shared" / "annotation" / "score.py"
GOLD_DIR = Path(__file__).parent / "data" / "gold"
TYPES = ", ".join(["City", "Region", "Industry", "Technology", "Strategy", "Mechanism",
                   "PolicyDocument", "Organization"])
PREDS = ", ".join(["coordinatesWith", "complements", "modeledOn", "specializesIn", "partOf",
                   "involves", "implements", "establishes", "focusesOn", "enables", "issuedBy"])

# --- a hand-made build: labels in the default graph, types and relations in the
# --- articles' named graphs (article alpha-1 from alpha.txt, beta-1 from beta.txt).
PREFIXES = """\
@prefix pkg: <https://w3id.org/policykg/ontology#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix ex: <http://example.org/x#> .
@prefix e: <https://w3id.org/policykg/id/entity/> .
"""
DEFAULT = """\
e:jinan rdfs:label "济南" ; skos:prefLabel "济南市" .
e:qingdao rdfs:label "青岛" .
e:yantai rdfs:label "烟台" .
e:beijing rdfs:label "北京" .
e:shandong rdfs:label "山东省" .
e:chaosuan rdfs:label "超算" .
e:zongbu rdfs:label "总部经济" .
e:szjj rdfs:label "数字经济" .
e:chatgpt rdfs:label "ＣｈａｔＧＰＴ" .
e:jiqing rdfs:label "济青联动" .
e:mech rdfs:label "联席会议制度" .
e:doc rdfs:label "《济南都市圈发展规划》" .
e:huanghe rdfs:label "黄河流域" .
e:chengdu rdfs:label "成都" .
e:chongqing rdfs:label "重庆" .
<https://w3id.org/policykg/id/article/beta-1> a pkg:Article ;
    pkg:sourceFile "corpus\\\\dev\\\\beta.txt" .
"""
GRAPH_A = """\
<https://w3id.org/policykg/id/g/alpha-1> {
  <https://w3id.org/policykg/id/article/alpha-1> a pkg:Article ;
      pkg:sourceFile "corpus/sample/alpha.txt" .
  e:jinan a pkg:City . e:qingdao a pkg:City . e:yantai a pkg:City . e:beijing a ex:City .
  e:shandong a pkg:Region . e:chaosuan a pkg:Technology . e:zongbu a pkg:Industry .
  e:szjj a pkg:Technology . e:chatgpt a pkg:Technology . e:jiqing a pkg:Strategy .
  e:mech a pkg:Mechanism . e:doc a pkg:PolicyDocument .
  e:jinan pkg:coordinatesWith e:qingdao ; pkg:partOf e:shandong ;
      pkg:complements <urn:unlabelled> ; <http://example.org/p/specializesIn> e:szjj ;
      pkg:implements e:huanghe ; pkg:modeledOn e:qingdao .
  e:jiqing pkg:involves e:jinan ; pkg:establishes e:mech .
  e:qingdao pkg:involves e:jiqing .
  e:chatgpt pkg:enables e:chaosuan .
  e:doc pkg:issuedBy e:jinan .
  e:yantai pkg:coordinatesWith e:qingdao .
}
"""
GRAPH_B = """\
<https://w3id.org/policykg/id/g/beta-1> {
  e:chengdu a pkg:City . e:chongqing a pkg:City .
  e:chengdu pkg:coordinatesWith e:chongqing .
}
"""
GOLD_A = """\
source: alpha.txt
articles:
  - {title: 济南与青岛, authors: [张三], affiliations: [山东大学]}
entities:
  - {label: 济南, type: City, aliases: [济南市]}
  - {label: 青岛, type: City}
  - {label: 北京, type: City}
  - {label: 天津, type: City}
  - {label: 山东, type: Region, aliases: [山东省]}
  - {label: 黄河流域, type: Region, optional: true}
  - {label: 超算, type: Industry, alt_types: [Technology]}
  - {label: 数字经济, type: Industry}
  - {label: 总部经济, type: Industry, optional: true}
  - {label: ChatGPT, type: Technology}
  - {label: 济青联动, type: Strategy}
  - {label: 联席会议机制, type: Mechanism, aliases: [联席会议制度]}
  - {label: 济南都市圈发展规划, type: PolicyDocument}
relations:
  - [青岛, coordinatesWith, 济南]
  - [济青联动, involves, 济南]
  - [济青联动, involves, 青岛]
  - {triple: [济南, partOf, 山东], optional: true}
  - {any: [[济南, establishes, 联席会议机制], [济青联动, establishes, 联席会议机制]]}
  - [ChatGPT, enables, 超算]
  - ["《济南都市圈发展规划》", issuedBy, 济南]
  - [济南, specializesIn, 数字经济]
  - [济南, implements, 黄河流域]
  - [济南市, modeledOn, 青岛]
"""
GOLD_B = """\
source: beta.txt
articles: [{title: 成渝}]
entities:
  - {label: 成都, type: City}
  - {label: 重庆, type: City}
  - {label: 上海, type: City}
relations:
  - [重庆, coordinatesWith, 成都]
"""

# Expected counts (tp_p, n_p, tp_r, n_r), worked out by hand from the fixture.
# Article alpha-1 only:
EXPECTED_A = {
    "entities": {
        "City": (4, 5, 3, 4),          # 济南 济南市 青岛 北京 ok, 烟台 spurious; 天津 missed
        "Region": (1, 1, 1, 1),        # 山东省 is an alias; 黄河流域 is optional
        "Industry": (1, 1, 1, 2),      # 总部经济 (optional) ok; 超算 found as Technology; 数字经济 missed
        "Technology": (2, 3, 1, 1),    # 超算 (alt_type) chatgpt (NFKC) ok, 数字经济 wrong type
        "Strategy": (1, 1, 1, 1),
        "Mechanism": (1, 1, 1, 1),     # 联席会议制度 is an alias
        "PolicyDocument": (1, 1, 1, 1),  # 《》 stripped
        "ALL": (11, 13, 9, 11),
        "CORE5": (9, 11, 7, 9),
    },
    "relations": {
        "coordinatesWith": (2, 3, 1, 1),  # reversed but symmetric ×2 labels; 烟台 spurious
        "involves": (2, 3, 1, 2),         # 青岛 involves 济青联动 is the wrong direction
        "partOf": (2, 2, 0, 0),           # gold is optional: precision only
        "establishes": (1, 1, 1, 1),      # second `any` alternative, object by alias
        "enables": (1, 1, 1, 1),
        "issuedBy": (2, 2, 1, 1),
        "specializesIn": (2, 2, 1, 1),    # predicate in a foreign namespace
        "implements": (2, 2, 1, 1),       # object labelled but untyped
        "modeledOn": (1, 2, 1, 1),        # gold end written as alias: only 济南市 matches
        "ALL": (15, 18, 8, 9),
    },
}
EXPECTED_B = {
    "entities": {"City": (2, 2, 2, 3), "ALL": (2, 2, 2, 3), "CORE5": (2, 2, 2, 3)},
    "relations": {"coordinatesWith": (1, 1, 1, 1), "ALL": (1, 1, 1, 1)},
}
EXPECTED_A_ERRORS = {
    "fp_entities": ["数字经济 [Technology]", "烟台 [City]"],
    "fn_entities": ["天津 [City]", "数字经济 [Industry]"],
    "fp_relations": ["济南 modeledOn 青岛", "烟台 coordinatesWith 青岛", "青岛 involves 济青联动"],
    "fn_relations": ["济青联动 involves 青岛"],
}


def _prf(name: str, counts: tuple[int, int, int, int]) -> dict:
    return {k: v for k, v in PRF(name, *counts).as_dict().items()}


def _counts(s: Score) -> dict:
    return {"entities": {r.name: (r.tp_p, r.n_p, r.tp_r, r.n_r) for r in s.entities},
            "relations": {r.name: (r.tp_p, r.n_p, r.tp_r, r.n_r) for r in s.relations}}


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    out = {
        "all": PREFIXES + DEFAULT + GRAPH_A + GRAPH_B,
        "a_only": PREFIXES + DEFAULT + GRAPH_A,
        "b_only": PREFIXES + DEFAULT + GRAPH_B,
    }
    paths = {k: tmp_path / f"{k}.trig" for k in out}
    for k, text in out.items():
        paths[k].write_text(text, encoding="utf-8")
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "alpha.yaml").write_text(GOLD_A, encoding="utf-8")
    (gold / "beta.yaml").write_text(GOLD_B, encoding="utf-8")
    paths["gold"] = gold
    return paths


# ------------------------------------------------------------------ hand-computed numbers


def test_restricted_scores_match_hand_computed_counts(files):
    ev = score_files(files["gold"], files["all"])
    a, b = ev.files
    assert (a.gold, a.source, a.articles, a.warning) == (
        str(files["gold"] / "alpha.yaml"), "alpha.txt", ("alpha-1",), None)
    assert (b.source, b.articles) == ("beta.txt", ("beta-1",))   # sourceFile with backslashes
    assert _counts(a.score) == EXPECTED_A
    assert _counts(b.score) == EXPECTED_B
    assert a.score.errors.as_dict() == EXPECTED_A_ERRORS


def test_micro_average_sums_counts_per_row(files):
    ev = score_files([files["gold"] / "alpha.yaml", files["gold"] / "beta.yaml"], files["all"])
    micro = _counts(ev.micro)
    assert micro["entities"]["City"] == (6, 7, 5, 7)
    assert micro["entities"]["ALL"] == (13, 15, 11, 14)
    assert micro["entities"]["CORE5"] == (11, 13, 9, 12)
    assert micro["relations"]["coordinatesWith"] == (3, 4, 2, 2)
    assert micro["relations"]["ALL"] == (16, 19, 9, 10)
    assert ev.micro.entity("ALL").as_dict() == {
        "precision": 0.867, "recall": 0.786, "f1": 0.824, "extracted": 15, "gold": 14,
        "matched_extracted": 13, "matched_gold": 11}
    assert ev.micro.errors.as_dict() == {k: [] for k in EXPECTED_A_ERRORS}


def test_rounding_and_zero_rows():
    assert PRF("x", 2, 3, 1, 3).as_dict() == {
        "precision": 0.667, "recall": 0.333, "f1": 0.444, "extracted": 3, "gold": 3,
        "matched_extracted": 2, "matched_gold": 1}
    assert (PRF("partOf", 2, 2, 0, 0).recall, PRF("partOf", 2, 2, 0, 0).f1) == (0.0, 0.0)
    assert PRF("none").precision == 0.0


def test_whole_graph_when_no_article_matches(files, tmp_path):
    gold = tmp_path / "gamma.yaml"
    gold.write_text(GOLD_B.replace("beta.txt", "gamma.txt"), encoding="utf-8")
    msg = (f"{gold}: no article in the graph has pkg:sourceFile 'gamma.txt'; "
           "scored against the whole graph")
    with pytest.warns(UserWarning) as rec:
        ev = score_files(gold, files["all"])
    assert [str(w.message) for w in rec if w.category is UserWarning] == [msg]
    f = ev.files[0]
    assert (f.articles, f.warning) == ((), msg)
    # the whole graph: all seven City items of both articles count
    assert _counts(f.score)["entities"]["City"] == (2, 7, 2, 3)


def test_graph_inputs_agree(files):
    path = files["all"]
    ds = rdflib.Dataset()
    ds.parse(path, format="trig")
    store = pyoxigraph.Store()
    store.load(path.read_bytes(), format=pyoxigraph.RdfFormat.TRIG)
    want = extracted(path)
    assert extracted(ds) == want
    assert extracted(store) == want
    assert ("chatgpt", "Technology") in want[0] and ("北京", "City") in want[0]
    assert len(want[0]) == 15 and len(want[1]) == 19
    ev = score_files(files["gold"], store)
    assert [_counts(f.score) for f in ev.files] == [EXPECTED_A, EXPECTED_B]


def test_graph_input_errors(tmp_path):
    with pytest.raises(FileNotFoundError) as exc:
        extracted(tmp_path / "missing.trig")
    assert str(exc.value) == (f"graph file {tmp_path / 'missing.trig'} does not exist; "
                              "pass the .trig, .nq or .ttl file a build wrote")
    odd = tmp_path / "graph.xyz"
    odd.write_text("", encoding="utf-8")
    with pytest.raises(ValueError) as exc:
        extracted(odd)
    assert str(exc.value) == (f"cannot tell the RDF format of {odd}; use a .trig, .nq, .ttl, "
                              ".nt, .jsonld or .rdf file")
    with pytest.raises(TypeError) as exc:
        extracted(42)
    assert str(exc.value) == ("cannot score a int; pass an rdflib Dataset/Graph, "
                              "a .trig/.nq/.ttl path, or a store with quads_for_pattern")


# ------------------------------------------------------------------ output


def test_to_text_and_json(files):
    ev = score_files(files["gold"] / "beta.yaml", files["b_only"])
    g = files["gold"] / "beta.yaml"
    table = [
        "entities              P      R     F1   ext  gold",
        "  City              1.0  0.667    0.8     2     3",
        "  ALL               1.0  0.667    0.8     2     3",
        "  CORE5             1.0  0.667    0.8     2     3",
        "relations             P      R     F1   ext  gold",
        "  coordinatesWith    1.0    1.0    1.0     1     1",
        "  ALL               1.0    1.0    1.0     1     1",
    ]
    assert to_text(ev, errors=True) == "\n".join([
        f"== {g} (beta.txt; articles beta-1)", *table, "entity F1 0.8 relation F1 1.0",
        "missed entities (1):", "    上海 [City]", "spurious entities (0):",
        "missed relations (0):", "spurious relations (0):", "",
        "== micro-average over 1 gold file", *table, "entity F1 0.8 relation F1 1.0", ""])
    assert "missed entities" not in to_text(ev)
    doc = json.loads(to_json(ev))
    assert doc["files"][0]["errors"]["fn_entities"] == ["上海 [City]"]
    assert doc["files"][0]["entities"]["City"] == _prf("City", (2, 2, 2, 3))
    assert doc["micro"] == {"entities": {k: _prf(k, v) for k, v in EXPECTED_B["entities"].items()},
                            "relations": {k: _prf(k, v) for k, v in EXPECTED_B["relations"].items()}}
    assert to_json(ev) == to_json(score_files(files["gold"] / "beta.yaml", files["b_only"]))


# ------------------------------------------------------------------ agreement with score.py

needs_reference = pytest.mark.skipif(not REFERENCE.is_file(),
                                     reason="reference scorer ../shared/annotation/score.py absent")


def _reference(gold: Path, graph: Path) -> dict:
    out = subprocess.run([sys.executable, str(REFERENCE), str(gold), str(graph), "--json"],
                         capture_output=True, text=True, encoding="utf-8", check=True)
    return json.loads(out.stdout)


def _mine(s: Score) -> dict:
    keep = ("precision", "recall", "f1", "extracted", "gold")
    d = s.as_dict()
    for part in ("entities", "relations"):
        d[part] = {k: {x: v[x] for x in keep} for k, v in d[part].items()}
    return d


def _sorted_errors(d: dict) -> dict:
    return {**d, "errors": {k: sorted(v) for k, v in d["errors"].items()}}


@needs_reference
@pytest.mark.parametrize("gold, graph", [("alpha", "a_only"), ("beta", "b_only"),
                                         ("alpha", "all"), ("beta", "all")])
def test_agrees_with_reference_scorer(files, gold, graph):
    g = files["gold"] / f"{gold}.yaml"
    ref = _sorted_errors(_reference(g, files[graph]))
    assert _mine(score(read_gold(g), *extracted(files[graph]))) == ref
    if graph != "all":      # per-article restriction = scoring that article's graph alone
        ev = score_files(g, files["all"])
        assert _mine(ev.files[0].score) == ref


@needs_reference
def test_reference_agrees_with_hand_computed_counts(files):
    ref = _reference(files["gold"] / "alpha.yaml", files["a_only"])
    for part in ("entities", "relations"):
        assert ref[part] == {k: {x: v[x] for x in ("precision", "recall", "f1", "extracted", "gold")}
                             for k, v in ((k, _prf(k, c)) for k, c in EXPECTED_A[part].items())}


# ------------------------------------------------------------------ gold parsing


@pytest.mark.parametrize("name, n_ent, n_opt_ent, n_rel, n_opt_rel, n_any, source", [
    ("000_3c3239678a321f59.yaml", 213, 92, 227, 142, 13, "000_3c3239678a321f59.txt"),
    ("dev/02_zhejiang_gov2026_hangyong.yaml", 275, 123, 162, 133, 1,
     "02_zhejiang_gov2026_hangyong.txt"),
    ("dev/05_sina_gba_five_trillion_cities.yaml", 62, 26, 115, 76, 0,
     "05_sina_gba_five_trillion_cities.txt"),
    ("dev/07_ndrc_14th_fyp_digital_economy_interpretation.yaml", 73, 31, 69, 55, 22,
     "07_ndrc_14th_fyp_digital_economy_interpretation.txt"),
    ("dev/09_wuhequan_chatgpt_digital_tech.yaml", 45, 14, 36, 23, 6,
     "09_wuhequan_chatgpt_digital_tech.txt"),
])
def test_real_gold_files_parse(name, n_ent, n_opt_ent, n_rel, n_opt_rel, n_any, source):
    g = read_gold(GOLD_DIR / name)
    assert g.source == source
    assert (len(g.entities), sum(e.optional for e in g.entities)) == (n_ent, n_opt_ent)
    assert (len(g.relations), sum(r.optional for r in g.relations)) == (n_rel, n_opt_rel)
    assert sum(len(r.alternatives) > 1 for r in g.relations) == n_any
    lines = [e.line for e in g.entities] + [r.line for r in g.relations]
    assert all(isinstance(x, int) and x > 0 for x in lines) and lines[:n_ent] == sorted(lines[:n_ent])


def test_gold_line_numbers_and_structure(tmp_path):
    p = tmp_path / "a.yaml"
    p.write_text(GOLD_A, encoding="utf-8")
    g = read_gold(p)
    assert g.articles == ("济南与青岛",) and g.path == str(p)
    first = g.entities[0]
    assert (first.label, first.type, first.aliases, first.line) == ("济南", "City", ("济南市",), 5)
    assert g.entities[6].types == frozenset({"Industry", "Technology"})
    anyrel = g.relations[4]
    assert anyrel.alternatives == (("济南", "establishes", "联席会议机制"),
                                   ("济青联动", "establishes", "联席会议机制"))
    assert (anyrel.shown, anyrel.optional, anyrel.line) == (anyrel.alternatives[0], False, 23)
    assert parse_gold({"source": "x.txt", "entities": [{"label": 5, "type": "City"}],
                       "relations": [("5", "partOf", "5")]}, source="x").relations[0].shown \
        == ("5", "partOf", "5")


def _gold_error(tmp_path: Path, text: str) -> str:
    p = tmp_path / "bad.yaml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(GoldError) as exc:
        read_gold(p)
    return str(exc.value).replace(str(p), "bad.yaml")


HEAD = "source: a.txt\nentities:\n  - {label: 济南, type: City}\n  - {label: 青岛, type: City}\n"


@pytest.mark.parametrize("text, message", [
    ("source: a.txt\nentities:\n  - {label: 济南, type: City\n",
     "bad.yaml:4: malformed YAML: expected ',' or '}', but got '<stream end>' "
     "(while parsing a flow mapping at line 3); fix the syntax"),
    ("source: a.txt\nentities: x: y\n",
     "bad.yaml:2: malformed YAML: mapping values are not allowed here; fix the syntax"),
    ("source: a.txt\nentities:\n  - {label: 济南, type: City}\n  - {label: 青岛, type: Citi}\n",
     f"bad.yaml:4: entity '青岛' has unknown type 'Citi'; use one of {TYPES}"),
    ("source: a.txt\nentities:\n  - label: 超算\n    type: Industry\n    alt_types: [Tech]\n",
     f"bad.yaml:3: entity '超算' has unknown type 'Tech'; use one of {TYPES}"),
    ("source: a.txt\nentities:\n  - label: 超算\n    type: Industry\n    alt_types: Technology\n",
     "bad.yaml:3: entity '超算' has alt_types 'Technology'; write a list like [Technology]"),
    (HEAD + "relations:\n  - [济南, coordinateWith, 青岛]\n",
     f"bad.yaml:6: relation [济南, coordinateWith, 青岛] has unknown predicate 'coordinateWith'; "
     f"use one of {PREDS}"),
    (HEAD + "relations:\n  - {triple: [济南, partOf, 山东], optional: true}\n",
     "bad.yaml:6: relation [济南, partOf, 山东] names '山东', which is not the label or alias "
     "of any entity; add the entity or fix the name"),
    (HEAD + "relations:\n  - [济南, coordinatesWith]\n",
     "bad.yaml:6: relation ['济南', 'coordinatesWith'] is not a triple; "
     "write [subject, predicate, object]"),
    (HEAD + "relations:\n  - {any: []}\n",
     "bad.yaml:6: 'any' is []; write a non-empty list of triples"),
    (HEAD + "relations:\n  - {triple: [济南, coordinatesWith, 青岛], optinal: true}\n",
     "bad.yaml:6: relation has unknown key(s) 'optinal'; allowed keys are triple, optional"),
    (HEAD + "relations:\n  - {subject: 济南}\n",
     "bad.yaml:6: relation has unknown key(s) 'subject'; allowed keys are triple, optional"),
    ("source: a.txt\nentities:\n  - {label: 济南, type: City, optional: yes please}\n",
     "bad.yaml:3: entity '济南' has optional 'yes please'; write true or false"),
    ("source: a.txt\nentities:\n  - {label: 济南, type: City, alias: [济南市]}\n",
     "bad.yaml:3: entity '济南' has unknown key(s) 'alias'; "
     "allowed keys are label, type, alt_types, aliases, optional"),
    ("source: a.txt\nentities:\n  - {type: City}\n",
     "bad.yaml:3: entities[0] has label None; give a non-empty text label"),
    ("source: a.txt\nentities:\n  - 济南\n",
     "bad.yaml:3: entities[0] is '济南'; write a mapping like {label: 济南, type: City}"),
    ("entities: []\n",
     "bad.yaml:1: 'source' is None; name the corpus file the gold describes, "
     "e.g. source: 000_3c3239678a321f59.txt"),
    ("source: a.txt\nentities: {label: 济南}\n", "bad.yaml:2: 'entities' is a mapping; write a list"),
    ("- a\n- b\n", "bad.yaml: the gold file holds a list; it must be a mapping "
                   "with source, articles, entities, relations"),
    ("source: a.txt\nentitys: []\n", "bad.yaml:1: the gold file has unknown key(s) 'entitys'; "
                                     "allowed keys are source, articles, entities, relations"),
])
def test_gold_errors_name_file_line_and_problem(tmp_path, text, message):
    assert _gold_error(tmp_path, text) == message


def test_missing_and_empty_gold_inputs(tmp_path):
    with pytest.raises(GoldError) as exc:
        read_gold(tmp_path / "nope.yaml")
    assert str(exc.value) == (f"{tmp_path / 'nope.yaml'}: no such gold file; pass an existing "
                              ".yaml file or a folder of them")
    with pytest.raises(GoldError) as exc:
        score_files(tmp_path, rdflib.Dataset())
    assert str(exc.value) == (f"{tmp_path}: no *.yaml gold files in this folder; "
                              "pass gold files or a folder holding them")
    with pytest.raises(GoldError) as exc:
        score_files([], rdflib.Dataset())
    assert str(exc.value) == "no gold files given; pass gold .yaml files or a folder of them"


def test_restriction_on_a_graph_written_by_policykg_graph_rdf(tmp_path):
    rdf = pytest.importorskip("policykg.graph.rdf")
    from policykg.graph.model import Article, ArticleGraph, Entity, Relation

    def ag(aid, source, ents, rels):
        art = Article(id=aid, source=source, index=1, title="T", authors=(), affiliations=(),
                      paragraphs=("。",))
        return ArticleGraph(art, tuple(Entity(x, ("City",)) for x in ents),
                            tuple(Relation(s, "coordinatesWith", o) for s, o in rels))

    ds = rdf.to_dataset([ag("alpha-1", "corpus/sample/alpha.txt", ["济南", "青岛"], [("济南", "青岛")]),
                         ag("beta-1", "corpus/dev/beta.txt", ["成都", "重庆", "济南"], [("成都", "重庆")])])
    gold = tmp_path / "beta.yaml"
    gold.write_text(GOLD_B, encoding="utf-8")
    f = score_files(gold, ds).files[0]
    assert f.articles == ("beta-1",)
    assert _counts(f.score) == {                 # 济南 (also in alpha) is spurious here; 青岛 is not seen
        "entities": {"City": (2, 3, 2, 3), "ALL": (2, 3, 2, 3), "CORE5": (2, 3, 2, 3)},
        "relations": {"coordinatesWith": (1, 1, 1, 1), "ALL": (1, 1, 1, 1)}}
