"""The relation rules as a registry (issue 14, item 4): named functions, each with the
rule ids it gives, all fed the same sentence view."""
from __future__ import annotations

import pytest

from policykg.build import relations
from policykg.build.extract import Extractor
from policykg.build.relations import CONFIDENCE, RELATION_RULES, relation_rule
from policykg.graph.model import Article


def art(*paragraphs: str) -> Article:
    return Article(id="t-1", source="t.txt", index=1, title="测试", authors=(),
                   affiliations=(), paragraphs=paragraphs)


def test_every_rule_id_has_a_confidence_and_one_owner():
    owners: dict[str, list[str]] = {}
    for rule in RELATION_RULES.values():
        assert rule.ids, rule.name
        for i in rule.ids:
            owners.setdefault(i, []).append(rule.name)
    assert set(owners) <= set(CONFIDENCE)
    # the enumeration ids are shared by the two rules that read enumerations
    assert {i: o for i, o in owners.items() if len(o) > 1} == {
        "focusesOn.enumeration": ["focusesOn", "enumeration-head"],
        "involves.enumeration": ["involves.enumeration", "enumeration-head"]}


def test_every_id_the_extractor_emits_belongs_to_a_registered_rule():
    g = Extractor().extract(art("深化闽赣边区域合作。支持泉州、漳州打造海峡西岸重要增长极。",
                                "济青联动。推动济南、青岛协同发展，合肥集成电路等产业优势突出。"))
    emitted = {ev.rule for r in g.relations for ev in r.evidence}
    registered = {i for rule in RELATION_RULES.values() for i in rule.ids}
    assert emitted and emitted <= registered


def test_a_new_construction_is_one_new_rule():
    @relation_rule("test.twin-cities", "coordinatesWith.cue-group")
    def twin(v, rc):
        """…结为友好城市: the places of the sentence."""
        if "友好城市" in v.sent.text:
            places = [p for m in v.primary for p in m.place_labels]
            for a, b in zip(places, places[1:]):
                rc.add(a, "coordinatesWith", b, v.sent, "coordinatesWith.cue-group")
    try:
        g = Extractor().extract(art("泉州与漳州结为友好城市。"))
        assert {(r.subject, r.predicate, r.object) for r in g.relations} == {
            ("泉州", "coordinatesWith", "漳州")}
    finally:
        del RELATION_RULES["test.twin-cities"]
    g = Extractor().extract(art("泉州与漳州结为友好城市。"))
    assert not g.relations


def test_registering_twice_or_without_a_confidence_is_refused():
    with pytest.raises(ValueError) as err:
        relation_rule("linkage", "involves.linkage")(lambda v, rc: None)
    assert str(err.value) == "relation rule 'linkage' is registered twice"
    with pytest.raises(ValueError) as err:
        relation_rule("test.new", "involves.nowhere")
    assert str(err.value) == "relation rule 'test.new': no confidence for ['involves.nowhere'] in CONFIDENCE"
    assert "test.new" not in RELATION_RULES and relations.RELATION_RULES["linkage"].name == "linkage"


# ---------------------------------------------------------------- mention rules

from policykg.build.mentions import MENTION_RULES, Mention, MentionFinder, mention_rule  # noqa: E402


def rules_found(ex: Extractor, text: str) -> set[str]:
    _, mentions = MentionFinder(ex.lexicon, ex.segmenter).find([text], [0])
    return {m.rule for ms in mentions for m in ms}


def test_every_mention_comes_from_a_registered_family():
    ex = Extractor()
    found = rules_found(ex, "济南市推动济青联动，实施“千村示范”工程，印发《数字经济规划》，"
                            "建立利益共享机制，深化闽赣边区域合作，发展海洋牧场、深海养殖等产业。")
    families = set(MENTION_RULES) | {"enum"}   # enumeration items come after the selection
    assert found and all(any(r == f or r.startswith(f + ".") for f in families) for r in found)
    assert {"lex.place", "abbr.linkage", "quote.head", "title", "head.Mechanism", "abbr.name",
            "enum.item"} <= found


def test_a_new_mention_rule_runs_with_the_others():
    ex = Extractor()

    @mention_rule("test.port")
    def port(f, s, found):
        """…港 after a city: 厦门港."""
        at = s.text.find("厦门港")
        return [] if at < 0 else [Mention(s.start + at, s.start + at + 3, "厦门港", "厦门港",
                                          ("Organization",), "test.port")]
    try:
        assert "test.port" in rules_found(ex, "提升厦门港能级。")
    finally:
        del MENTION_RULES["test.port"]
    assert "test.port" not in rules_found(ex, "提升厦门港能级。")
    with pytest.raises(ValueError) as err:
        mention_rule("lex")(port)
    assert str(err.value) == "mention rule 'lex' is registered twice"
