"""policykg.graph.rdf: IRIs, the RDF of an ArticleGraph, deterministic writers."""
from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, PROV, RDF, RDFS, SDO, SKOS, XSD

from policykg.graph.model import Article, ArticleGraph, Entity, Evidence, Relation
from policykg.graph.rdf import (
    article_iri, article_quads, assertion_iri, entity_iri, evidence_iri, graph_iri,
    rule_iri, slug, to_dataset, to_nquads, to_trig, to_turtle_union, write_nquads,
    write_trig, write_turtle_union,
)
from policykg.ontology.namespace import PKG, PKGID

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
