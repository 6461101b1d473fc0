"""Extraction rules on small sentences written for these tests (not from any corpus)."""
from __future__ import annotations

import pytest

from policykg.build.extract import Extractor, ExtractorConfig
from policykg.graph.model import Article


@pytest.fixture(scope="module")
def ex() -> Extractor:
    return Extractor()


def art(*paragraphs: str, affiliations: tuple[str, ...] = ()) -> Article:
    return Article(id="t-1", source="t.txt", index=1, title="测试", authors=(),
                   affiliations=affiliations, paragraphs=paragraphs)


def triples(g, predicate: str | None = None, *, negated: bool = False) -> set[tuple[str, str, str]]:
    return {(r.subject, r.predicate, r.object) for r in g.relations
            if (predicate is None or r.predicate == predicate)
            and all(e.negated for e in r.evidence) == negated}


def entities(g) -> dict[str, tuple[str, ...]]:
    return {e.label: e.types for e in g.entities}


def test_canonical_labels_and_aliases(ex):
    g = ex.extract(art("济南市与山东省其他城市加快生物医药产业发展。"))
    ents = entities(g)
    assert ents["济南"] == ("City",)
    assert ents["山东"] == ("Region",)
    assert "济南市" in {e.label: e for e in g.entities}["济南"].aliases
    assert "济南市" not in ents and "山东省" not in ents


def test_abbreviation_resolved_without_full_names(ex):
    # neither 成都 nor 重庆 is named in full: the short-name table decides
    g = ex.extract(art("成渝联动发展取得新进展。"))
    assert ("成渝联动", "involves", "成都") in triples(g)
    assert ("成渝联动", "involves", "重庆") in triples(g)
    assert ("成都", "coordinatesWith", "重庆") in triples(g)
    assert entities(g)["成渝联动"] == ("Strategy",)


def test_abbreviation_uses_the_articles_own_places(ex):
    g = ex.extract(art("温州与嘉兴加强合作。", "温嘉联动成效明显。"))
    assert ("温嘉联动", "involves", "温州") in triples(g)
    assert ("温嘉联动", "involves", "嘉兴") in triples(g)


def test_coordinates_with_from_cue_and_group(ex):
    g = ex.extract(art("推动武汉、长沙两市协同发展。"))
    assert ("武汉", "coordinatesWith", "长沙") in triples(g, "coordinatesWith") or \
        ("长沙", "coordinatesWith", "武汉") in triples(g, "coordinatesWith")


def test_negated_cue_is_marked(ex):
    g = ex.extract(art("当前武汉和长沙联动不足。"))
    assert not triples(g, "coordinatesWith")
    assert triples(g, "coordinatesWith", negated=True) == {("武汉", "coordinatesWith", "长沙")}


def test_complements(ex):
    g = ex.extract(art("把福州市在港口方面的优势同厦门市的开放优势相结合。"))
    assert ("厦门", "complements", "福州") in triples(g, "complements")


def test_specializes_in_enumeration(ex):
    g = ex.extract(art("合肥集成电路、新型显示、人工智能等产业优势突出。"))
    got = triples(g, "specializesIn")
    assert {("合肥", "specializesIn", x) for x in ("集成电路", "新型显示")} <= got


def test_part_of_as_member(ex):
    g = ex.extract(art("作为长江中游城市群的两大城市，武汉、长沙要加强合作。"))
    got = triples(g, "partOf")
    assert ("武汉", "partOf", "长江中游城市群") in got
    assert ("长沙", "partOf", "长江中游城市群") in got


def test_establishes_mechanisms_after_cue(ex):
    g = ex.extract(art("温嘉联动。两市建立联席会议机制、督导评价机制。"))
    got = triples(g, "establishes")
    assert ("温嘉联动", "establishes", "联席会议机制") in got
    assert ("温嘉联动", "establishes", "督导评价机制") in got
    assert entities(g)["督导评价机制"] == ("Mechanism",)


def test_focuses_on_representative(ex):
    g = ex.extract(art("充分发挥以5G、物联网、区块链等为代表的“新基建”作用。"))
    got = triples(g, "focusesOn")
    assert {("新基建", "focusesOn", x) for x in ("5G", "物联网", "区块链")} <= got


def test_enables_reversed(ex):
    g = ex.extract(art("人工智能的发展主要由算力决定。"))
    assert ("算力", "enables", "人工智能") in triples(g, "enables")


def test_issued_by(ex):
    g = ex.extract(art("江苏省印发《数字经济促进条例》。"))
    assert ("数字经济促进条例", "issuedBy", "江苏") in triples(g, "issuedBy")
    assert entities(g)["数字经济促进条例"] == ("PolicyDocument",)


def test_modeled_on_section_context(ex):
    g = ex.extract(art(
        "温嘉联动是本文的主题，温嘉联动要加快推进。",
        "广深联动。广州、深圳签署合作协议。",
        "杭甬联动。杭州、宁波建立联席会议机制。",
        "推动温嘉联动要参照上述成熟做法。",
    ))
    got = triples(g, "modeledOn")
    assert ("温嘉联动", "modeledOn", "广深联动") in got
    assert ("温嘉联动", "modeledOn", "杭甬联动") in got


def test_quoted_strategy_drops_project_suffix(ex):
    g = ex.extract(art("国家启动“东数西算”工程，在贵州、甘肃、宁夏建设算力枢纽。"))
    assert entities(g)["东数西算"] == ("Strategy",)
    got = triples(g, "involves")
    assert {("东数西算", "involves", p) for p in ("贵州", "甘肃", "宁夏")} <= got


def test_affiliations_become_organizations(ex):
    g = ex.extract(art("正文。", affiliations=("某某大学经济学院",)))
    assert entities(g)["某某大学经济学院"] == ("Organization",)


def test_evidence_offsets_point_at_the_sentence(ex):
    a = art("第一句话。", "推动武汉、长沙两市协同发展。")
    g = ex.extract(a)
    for r in g.relations:
        for e in r.evidence:
            assert a.text[e.start:e.end] == e.sentence
            assert e.rule and 0 < e.confidence <= 1


def test_min_confidence_drops_weak_rules():
    strict = Extractor(ExtractorConfig(min_confidence=0.99))
    g = strict.extract(art("推动武汉、长沙两市协同发展。"))
    assert g.relations == ()


def test_segmenter_backends_agree_on_entities_and_relations():
    a = art("济南医养健康、超算、量子通信等产业优势突出。", "推动济南、青岛两市协同发展。")
    r = Extractor(ExtractorConfig(segmenter="rjieba")).extract(a)
    j = Extractor(ExtractorConfig(segmenter="jieba")).extract(a)
    assert entities(r) == entities(j)
    assert triples(r) == triples(j)


def test_unknown_segmenter_message():
    with pytest.raises(ValueError) as e:
        Extractor(ExtractorConfig(segmenter="pkuseg"))
    assert str(e.value) == ("unknown segmenter 'pkuseg'; allowed: rjieba, jieba "
                            "(choose with --segmenter)")


def test_work_report_place_first_enumeration(ex):
    g = ex.extract(art("做强济南、青岛机器人产业基地，打造烟台、潍坊高端装备产业集群。"))
    got = triples(g, "specializesIn")
    assert {("济南", "specializesIn", "机器人"), ("青岛", "specializesIn", "机器人"),
            ("烟台", "specializesIn", "高端装备"), ("潍坊", "specializesIn", "高端装备")} <= got


def test_this_city_refers_to_the_last_city_named(ex):
    g = ex.extract(art("苏州是一座历史文化名城。", "该市生物医药产业集聚。"))
    assert ("苏州", "specializesIn", "生物医药") in triples(g, "specializesIn")


def test_programme_named_between_its_frame_verb_and_head(ex):
    g = ex.extract(art("深入实施提振消费专项行动，完善准入机制和问责机制。"))
    ents = entities(g)
    assert ents["提振消费专项行动"] == ("Strategy",)
    assert ents["准入机制"] == ("Mechanism",) and ents["问责机制"] == ("Mechanism",)


def test_quoted_programme_names(ex):
    g = ex.extract(art("深化“亩均论英雄”改革，探索推广“数据得地”机制，大力发展“人工智能+消费”。"))
    ents = entities(g)
    assert ents["亩均论英雄"] == ("Mechanism",)
    assert ents["数据得地机制"] == ("Mechanism",)
    assert ents["人工智能+消费"] == ("Strategy",)
    assert "人工智能+" not in ents


def test_generic_words_are_not_entities(ex):
    g = ex.extract(art("要加强各地城市的产业、技术和机制建设，推动高质量发展，发展新兴技术。"))
    assert not {"城市", "产业", "技术", "机制", "高质量发展", "新兴技术"} & set(entities(g))
