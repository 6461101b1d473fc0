"""Constructions of issue 14, item 3, on sentences written for these tests (not from
any corpus): names led by a compound of place short names."""
from __future__ import annotations

import pytest

from policykg.build.extract import Extractor
from policykg.build.mentions import MentionFinder
from policykg.graph.model import Article


@pytest.fixture(scope="module")
def ex() -> Extractor:
    return Extractor()


def art(*paragraphs: str) -> Article:
    return Article(id="t-1", source="t.txt", index=1, title="测试", authors=(),
                   affiliations=(), paragraphs=paragraphs)


def triples(g, predicate: str | None = None) -> set[tuple[str, str, str]]:
    return {(r.subject, r.predicate, r.object) for r in g.relations
            if predicate is None or r.predicate == predicate}


def entities(g) -> dict[str, tuple[str, ...]]:
    return {e.label: e.types for e in g.entities}


def mention_rules(ex: Extractor, text: str) -> set[str]:
    _, mentions = MentionFinder(ex.lexicon, ex.segmenter).find([text], [0])
    return {m.rule for ms in mentions for m in ms}


def rules_of(g, label: str) -> set[str]:
    return {ev.rule for r in g.relations if label in (r.subject, r.object) for ev in r.evidence}


def test_border_area_cooperation_names_its_places(ex):
    g = ex.extract(art("今年将继续深化闽赣边区域合作。"))
    assert entities(g)["闽赣边区域合作"] == ("Strategy",)
    assert triples(g) == {
        ("闽赣边区域合作", "involves", "福建"), ("闽赣边区域合作", "involves", "江西"),
        ("江西", "coordinatesWith", "福建")}
    assert rules_of(g, "江西") == {"involves.name-compound", "coordinatesWith.name-compound"}


def test_four_short_names_and_an_ambiguous_one_read_at_the_others_level(ex):
    # 鄂 is 湖北 or 鄂尔多斯; beside three provinces it is the province
    g = ex.extract(art("完善豫鄂皖赣毗邻地区协同机制。"))
    assert entities(g)["豫鄂皖赣毗邻地区协同机制"] == ("Mechanism",)
    assert triples(g, "coordinatesWith") == {
        ("安徽", "coordinatesWith", "河南"), ("安徽", "coordinatesWith", "湖北"),
        ("安徽", "coordinatesWith", "江西"), ("江西", "coordinatesWith", "河南"),
        ("江西", "coordinatesWith", "湖北"), ("河南", "coordinatesWith", "湖北")}
    assert not triples(g, "involves")  # a mechanism is set up, it does not involve


def test_programme_head_after_the_compound(ex):
    # 苏 is 江苏 or 苏州; beside 沪 (a province-level city) it is the province
    g = ex.extract(art("高水平建设沪苏新材料共建产业园，创建甬舟国家海洋经济示范区。"))
    ents = entities(g)
    assert ents["沪苏新材料共建产业园"] == ("Strategy",)
    assert ents["甬舟国家海洋经济示范区"] == ("Strategy",)
    assert triples(g, "involves") == {
        ("沪苏新材料共建产业园", "involves", "上海"), ("沪苏新材料共建产业园", "involves", "江苏"),
        ("甬舟国家海洋经济示范区", "involves", "宁波"), ("甬舟国家海洋经济示范区", "involves", "舟山")}
    # 共建 says the places work together; a zone named after two cities does not
    assert triples(g, "coordinatesWith") == {("上海", "coordinatesWith", "江苏")}


def test_partners_of_an_act_and_qualified_acts_are_no_names(ex):
    g = ex.extract(art("企业要加强与港澳合作，深化粤桂高水平合作。"))
    assert not {label for label in entities(g) if label.startswith(("港澳", "粤桂"))}
    assert not triples(g, "involves")


@pytest.mark.parametrize("sentence", [
    "两家企业通常合作开展研发。",         # 通常: 南通 + 常州 characters, one adverb
    "支持中小企业成长合作机制建设。",     # 成长: 成都 + 长沙/长春 characters, one verb
    "推进长治合作示范区建设。",           # 长治: a city of its own (ambiguous_places.tsv), not 长 + 治
])
def test_ordinary_words_of_short_name_characters_do_not_fire(ex, sentence):
    g = ex.extract(art(sentence))
    assert not triples(g)
    assert not {e.label for e in g.entities if e.label[:2] in ("通常", "成长")}
    assert not mention_rules(ex, sentence) & {"abbr.name", "abbr.compound"}


# ---------------------------------------------------------------- positionings

def test_places_before_a_frame_verb_take_the_goal_on(ex):
    g = ex.extract(art("支持泉州、漳州打造海峡西岸重要增长极。"))
    assert entities(g)["海峡西岸重要增长极"] == ("Strategy",)
    assert triples(g, "implements") == {("泉州", "implements", "海峡西岸重要增长极"),
                                        ("漳州", "implements", "海峡西岸重要增长极")}
    assert rules_of(g, "海峡西岸重要增长极") == {"implements.positioning"}


def test_a_clause_ending_in_de_is_not_part_of_the_goal(ex):
    g = ex.extract(art("加快把厦门建设成为具有国际影响力的东南沿海航运枢纽。"))
    assert "东南沿海航运枢纽" in entities(g)
    assert not [label for label in entities(g) if label.endswith("的东南沿海航运枢纽")]
    assert triples(g, "implements") == {("厦门", "implements", "东南沿海航运枢纽")}


def test_where_a_goal_is_built_is_not_who_sets_it(ex):
    g = ex.extract(art("在福州、厦门建设国际航运中心。"))
    assert entities(g)["国际航运中心"] == ("Strategy",)
    assert not triples(g, "implements")


@pytest.mark.parametrize("sentence", [
    "建设一批重点研发中心。",      # a count of sites, no goal
    "建设中心城区道路。",          # 中心城区: no goal word at the end
    "打造并完善研发中心。",        # the conjunction cuts the frame off
])
def test_no_positioning_without_a_named_goal(ex, sentence):
    assert "frame.positioning" not in mention_rules(ex, sentence)


# ---------------------------------------------------------------- runs of compounds

def test_each_compound_of_a_run_is_a_linkage_of_its_own(ex):
    g = ex.extract(art("推进沪苏、沪浙等一体化发展。"))
    ents = entities(g)
    assert ents["沪苏一体化"] == ents["沪浙一体化"] == ("Strategy",)
    assert triples(g, "involves") == {
        ("沪苏一体化", "involves", "上海"), ("沪苏一体化", "involves", "江苏"),
        ("沪浙一体化", "involves", "上海"), ("沪浙一体化", "involves", "浙江")}
    # the places of one compound work together, not those of different ones
    assert triples(g, "coordinatesWith") == {("上海", "coordinatesWith", "江苏"),
                                             ("上海", "coordinatesWith", "浙江")}


@pytest.mark.parametrize("sentence", [
    "推动产业、人才等协同发展。",      # a run of ordinary words
    "推动济南、青岛联动发展。",        # places named in full: the lexicon has them
    "推动沪苏一体化发展。",            # one compound is no run
])
def test_no_run_of_compounds(ex, sentence):
    assert "abbr.group" not in mention_rules(ex, sentence)


def test_a_compound_reads_its_characters_at_one_level(ex):
    # 江苏 is named, but beside 无锡 and 常州 the 苏 of 苏锡常 is the city 苏州
    g = ex.extract(art("江苏省推动苏锡常、宁镇扬等一体化发展。"))
    assert {o for s, p, o in triples(g, "involves") if s == "苏锡常一体化"} == {"苏州", "无锡", "常州"}
    assert {o for s, p, o in triples(g, "involves") if s == "宁镇扬一体化"} == {"南京", "镇江", "扬州"}


# ---------------------------------------------------------------- where a span starts

@pytest.mark.parametrize("sentence, verb, name", [
    ("要构筑低空飞行产业新优势。", "构筑", "低空飞行"),
    ("聚力突破类脑芯片。", "聚力", "类脑芯片"),
    ("两市同属闽西南经济区。", "两市同属", "闽西南经济区"),
    ("重塑山区经济格局。", "重塑", None),
])
def test_no_name_starts_with_a_predicate_verb(ex, sentence, verb, name):
    labels = set(entities(ex.extract(art(sentence))))
    assert not {label for label in labels if label.startswith(verb)}
    if name is not None:
        assert name in labels


def test_goals_listed_after_one_frame_share_its_places(ex):
    g = ex.extract(art("支持福州打造海上丝绸之路核心枢纽、国际商贸中心和区域金融中心。"))
    assert triples(g, "implements") == {(("福州", "implements", x)) for x in (
        "海上丝绸之路核心枢纽", "国际商贸中心", "区域金融中心")}
    assert {entities(g)[x] for x in ("海上丝绸之路核心枢纽", "国际商贸中心", "区域金融中心")} == {
        ("Strategy",)}


def test_places_listed_before_dengdi_take_the_goal_on(ex):
    g = ex.extract(art("支持泉州、漳州等地打造海峡西岸先进制造业高地。"))
    assert triples(g, "implements") == {("泉州", "implements", "海峡西岸先进制造业高地"),
                                        ("漳州", "implements", "海峡西岸先进制造业高地")}


def test_a_programme_the_places_are_backed_to_set_up_involves_them(ex):
    g = ex.extract(art("支持泉州争创国家级海洋经济发展示范区。"))
    assert ("国家级海洋经济发展示范区", "involves", "泉州") in triples(g, "involves")
    assert rules_of(g, "国家级海洋经济发展示范区") == {"involves.frame"}
    # without the backing verb the frame says what the place builds, not a programme it is part of
    g = ex.extract(art("泉州争创国家级海洋经济发展示范区。"))
    assert "involves.frame" not in rules_of(g, "国家级海洋经济发展示范区")


def test_a_listed_goal_without_a_scope_is_a_kind(ex):
    g = ex.extract(art("把厦门建设成为国际航运中心、文化创意中心。"))
    assert triples(g, "implements") == {("厦门", "implements", "国际航运中心")}
    assert "文化创意中心" not in entities(g)


# ---------------------------------------------------------------- partners are no group

@pytest.mark.parametrize("sentence", [
    "福建省深化与长三角、粤港澳大湾区合作。",       # partners after 与 of an implicit subject
    "厦门协同泉州、漳州等地区，打造闽西南城市群。",   # the object of the cue verb
])
def test_partners_of_a_subject_do_not_coordinate_with_each_other(ex, sentence):
    assert not triples(ex.extract(art(sentence)), "coordinatesWith")


def test_places_before_the_cue_still_coordinate(ex):
    g = ex.extract(art("推动泉州、漳州协同发展。"))
    assert triples(g, "coordinatesWith") == {("泉州", "coordinatesWith", "漳州")}


# ---------------------------------------------------------------- members listed

def test_cities_listed_with_dengdi_are_members_of_the_area_named_before(ex):
    g = ex.extract(art("加快建设福州都市圈，带动宁德、莆田、南平、平潭等地协同发展。"))
    got = triples(g, "partOf")
    assert {("宁德", "partOf", "福州都市圈"), ("莆田", "partOf", "福州都市圈"),
            ("南平", "partOf", "福州都市圈")} <= got
    assert {ev.rule for r in g.relations if r.predicate == "partOf" and r.subject == "宁德"
            for ev in r.evidence} == {"partOf.listed"}


def test_a_corridor_named_after_the_list_involves_its_cities(ex):
    g = ex.extract(art("协同泉州、莆田、宁德等地区，打造福厦沿海经济走廊。"))
    assert {o for s, p, o in triples(g, "involves") if s == "福厦沿海经济走廊"} >= {"泉州", "莆田", "宁德"}


@pytest.mark.parametrize("sentence", [
    "带动宁德、莆田、南平等地协同发展。",                      # no area named
    "建设福州都市圈，推动宁德、莆田发展。",                    # two cities, no 等地
    "建设福州都市圈和厦漳泉都市圈，带动宁德、莆田、南平等地发展。",  # two areas before the list
])
def test_no_members_without_one_area_and_a_list(ex, sentence):
    assert "partOf.listed" not in {ev.rule for r in ex.extract(art(sentence)).relations for ev in r.evidence}


def test_an_area_named_as_a_goal_involves_the_listed_cities(ex):
    # 打造…大都市圈: the area is a goal (Strategy), so no partOf (its object must be a place)
    g = ex.extract(art("打造福州大都市圈，带动宁德、莆田、南平等地协同发展。"))
    assert entities(g)["福州大都市圈"] == ("Strategy",)
    assert not triples(g, "partOf") - {("宁德", "partOf", "福建"), ("莆田", "partOf", "福建"),
                                       ("南平", "partOf", "福建")}
    assert {o for s, p, o in triples(g, "involves") if s == "福州大都市圈"} >= {"宁德", "莆田", "南平"}


# ---------------------------------------------------------------- quotes in a row

def test_quotes_in_a_row_share_the_verb_before_the_first(ex):
    ents = entities(ex.extract(art("全面推行“承诺即入库”“交房即办证”。")))
    assert ents["承诺即入库"] == ents["交房即办证"] == ("Mechanism",)
    # a quote after other words does not take the verb of an earlier one
    ents = entities(ex.extract(art("全面推行“承诺即入库”，加大“净地”出让力度。")))
    assert ents["承诺即入库"] == ("Mechanism",) and "净地" not in ents
