"""Relation rules: cue words and patterns by clause, with context carried across
clauses (sentence subject), paragraphs (a paragraph led by a linkage, e.g.
``广深联动。``) and the article (the linkage it is about).

Every rule has an id and a confidence; every assertion keeps its evidence
sentence. A clause with a negation or hedge (不足, 不应, 避免 …) still yields the
assertion, marked ``negated`` — the RDF writer keeps it as provenance only.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import NamedTuple

from policykg.build.mentions import POSITION_GOALS, Mention, Sentence
from policykg.graph.model import Evidence, Relation
from policykg.ontology.namespace import SYMMETRIC_PREDICATES

CLAUSE_RE = re.compile(r"[^，,：:]+[，,：:]?")
CONJ_RE = re.compile(r"^(、|和|与|及|以及|同|、以及|，)$")
NEGATION_RE = re.compile(r"不足|不应|避免|尚未|缺乏|没有|未能|不够|难以|不能|并非|不是|防止")

COORD_CUES = re.compile(r"联动|协同|合作|一体化|同城化|对接|接轨|携手|共建|融合发展|互联互通|协作")
COMPLEMENT_CUES = re.compile(r"优势互补|互补|相结合|错位协同|错位发展|相互借力|取长补短|强强联合")
MODEL_CUES = re.compile(r"参照|借鉴|学习|对标|效仿|仿照")
STRENGTH_CUES = re.compile(
    r"优势突出|优势明显|优势显著|竞争力较高|竞争力强|竞争力较强|领先|居于.{0,12}?之首|位居.{0,8}?前列|"
    r"资源丰富|特色突出|特色鲜明|集聚|聚集|优势|基地|集群|高地|重镇|强市|强省|龙头|之都|名城")
PARTOF_RE = re.compile(r"作为(?P<regions>[^，。；]{2,40}?)的(?:双核|两大城市|两大|核心城市|中心城市|核心|"
                       r"龙头|门户|一员|成员|重要城市|节点城市|[一二两三四五六七八九十]+[大个]?城市)")
IMPLEMENT_CUES = re.compile(r"落实|融入|服务|支撑|贯彻|助力|对接|支点|服从|响应|践行")
ESTABLISH_CUES = re.compile(r"建立|成立|设立|形成|组建|健全|构建|建起|实行|搭建|创设|推行")
FOCUS_CUES = re.compile(r"聚焦|重点|围绕|主攻|着力|构建")
ENABLE_CUES = re.compile(r"赋能|推动|驱动|支撑|助力|带动|促进|催生|引领|支持|优化|提升")
#: T（作为…）是Y的底座 / 基础 / 支撑 …
ENABLE_BASE_RE = re.compile(r"是(?P<y>[^，。；]{1,16}?)的(?:底座|基础|基石|支撑|核心|引擎|关键|基础设施)")
ENABLE_REVERSED = re.compile(r"由(?P<x>.{1,12}?)决定|以(?P<y>.{1,16}?)为(?:核心|基础|支撑|底座|引擎)")
ISSUE_CUES = re.compile(r"出台|印发|签署|发布|推出|制定|颁布|审议通过|签订|编制")

#: Confidence of each rule family: its precision on the sample + dev set
#: (``python scripts/rule_precision.py``, docs/extraction.md), shrunk towards 0.5 for
#: rules that fired fewer than ten times there.
CONFIDENCE = {
    "coordinatesWith.linkage": 0.95, "coordinatesWith.cue-group": 0.8,
    "coordinatesWith.compound-cue": 0.8, "coordinatesWith.name-compound": 0.9,
    "complements.cue": 0.8, "complements.fields": 0.6,
    "modeledOn.section": 0.8, "modeledOn.explicit": 0.7, "specializesIn.strength": 0.8,
    "specializesIn.summary": 0.8, "partOf.as-member": 0.8, "partOf.gazetteer": 0.9,
    "involves.linkage": 0.95, "involves.enumeration": 0.8, "involves.name-compound": 0.75,
    "involves.positioning": 0.6, "involves.take-part": 0.75, "implements.cue": 0.7,
    "implements.positioning": 0.9, "establishes.cue": 0.9, "focusesOn.enumeration": 0.9,
    "focusesOn.representative": 0.8,
    "enables.cue": 0.75, "enables.reversed": 0.7, "enables.base": 0.6, "issuedBy.cue": 0.8,
}
PLACE_TYPES = ("City", "Region")
#: Strength cues that credit only a place named in the same clause (…建设基地 / …集群).
LOCAL_STRENGTH_RE = re.compile(r"基地|集群|高地")
STRENGTH_SUMMARY_RE = re.compile(r"这些优势|这些产业|等优势|优势和产业|各具特色|各有所长")
TAKE_PART_RE = re.compile(r"开展|创建|争创|承担|参与|试点|等")
FIELD_COMBINE_RE = re.compile(r"融合|相结合|结合")


def _run_start(sent: Sentence, at: int) -> int:
    """Start of the enumeration run that ends at ``at``: back to the clause start or a verb."""
    head = sent.text[: at - sent.start]
    cut = max(head.rfind(c) for c in "，,：:；;")
    return sent.start + cut + 1
FIELD_TYPES = ("Industry", "Technology")
#: A frame verb right before a goal, maybe with a clause ending in 的 between
#: (支持襄阳打造[中西部发展的]区域性中心城市).
POSITION_FRAME_RE = re.compile(r"(?:打造|建设|争创|创建|建成|申建|争建)(?:成为|成|为)?(?:[^，。；、]{0,20}的)?$")
#: Adverbs and modals between a place and its frame verb (武汉要加快打造…).
SUBJECT_GAP_RE = re.compile(r"(?:要|将|加快|着力|努力|全力|奋力|持续|率先|积极|更好|进一步)*")
#: Joiners of the places that share one goal (襄阳、宜昌、黄冈-鄂州-黄石).
PLACE_JOINERS = frozenset(("、", "和", "与", "及", "-", "—", ""))


class Clause(NamedTuple):
    """One clause (a named tuple: cheaper to make than a frozen dataclass)."""

    start: int
    end: int
    text: str
    mentions: tuple[Mention, ...]
    negated: bool


@dataclass(frozen=True)
class Context:
    """What the rules may need beyond the sentence at hand."""

    article_id: str
    article_topic: str | None               #: the linkage the article is about
    paragraph_topics: dict[int, str]        #: paragraph index → linkage leading it
    linkages: dict[str, tuple[str, ...]]    #: linkage label → its places
    parents: dict[str, str]                 #: place label → containing place (gazetteer)
    members: dict[str, tuple[str, ...]]     #: region label → member places (gazetteer)
    enumerations: tuple[tuple[int, int, str], ...] = ()  #: (start, end, head) of A、B等X runs
    name_places: dict[str, tuple[str, ...]] = field(default_factory=dict)  #: 杭甬温…试点 → places
    cities: frozenset[str] = frozenset()    #: labels of the gazetteer's cities


class RelationCollector:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self._found: dict[tuple[str, str, str], list[Evidence]] = defaultdict(list)

    def add(self, s: str, p: str, o: str, sent: Sentence, rule: str, *, negated: bool = False) -> None:
        if not s or not o or s == o:
            return
        if p in SYMMETRIC_PREDICATES and o < s:
            s, o = o, s
        ev = Evidence(self.ctx.article_id, sent.text, sent.start, sent.end, rule,
                      CONFIDENCE[rule], negated)
        if ev not in self._found[(s, p, o)]:
            self._found[(s, p, o)].append(ev)

    def relations(self, *, min_confidence: float = 0.0) -> list[Relation]:
        out = []
        for (s, p, o), evs in sorted(self._found.items()):
            positive = [e for e in evs if not e.negated]
            chosen = positive or evs
            chosen = sorted(chosen, key=lambda e: (-e.confidence, e.start, e.rule))[:3]
            if max(e.confidence for e in chosen) < min_confidence:
                continue
            out.append(Relation(s, p, o, tuple(sorted(chosen, key=lambda e: (e.start, e.rule)))))
        return out


def _clauses(sent: Sentence, mentions: Sequence[Mention]) -> list[Clause]:
    """The sentence's clauses with the (non-nested) mentions inside each;
    ``mentions`` are sorted by start (as MentionFinder returns them)."""
    out = []
    starts = [x.start for x in mentions]
    # a clause has a negation only if its sentence has one (most have none)
    negatable = NEGATION_RE.search(sent.text) is not None
    for m in CLAUSE_RE.finditer(sent.text):
        a, b = sent.start + m.start(), sent.start + m.end()
        inside = mentions[bisect_left(starts, a):bisect_left(starts, b)]
        ms = tuple([x for x in inside if x.end <= b and not x.nested])
        out.append(Clause(a, b, m.group(), ms,
                          negatable and NEGATION_RE.search(m.group()) is not None))
    return out


def _place_groups(text_of, mentions: Sequence[Mention], ctx: Context, topic: str | None) -> list[tuple[Mention, tuple[str, ...]]]:
    """Runs of place mentions joined only by 、/和/与 … → (first mention, places)."""
    groups: list[tuple[Mention, list[str], Mention]] = []
    for m in mentions:
        places = _places_of(m, ctx, topic)
        if not places:
            continue
        gap = text_of(groups[-1][2].end, m.start) if groups else "x"
        adjacent_cities = gap == "" and "City" in m.types and "City" in groups[-1][2].types
        if groups and (adjacent_cities or CONJ_RE.match(gap)):
            groups[-1][1].extend(p for p in places if p not in groups[-1][1])
            groups[-1] = (groups[-1][0], groups[-1][1], m)
        else:
            groups.append((m, list(places), m))
    return [(g[0], tuple(g[1])) for g in groups]


def _places_of(m: Mention, ctx: Context, topic: str | None) -> tuple[str, ...]:
    if m.rule == "ref.group":
        return ctx.linkages.get(topic or "", ())
    return m.place_labels


def _typed(ms: Iterable[Mention], types: Sequence[str]) -> list[Mention]:
    wanted = frozenset(types)
    return [m for m in ms if m.label and not wanted.isdisjoint(m.types)]


def article_context(article_id: str, sentences: Sequence[Sentence], mentions: Sequence[Sequence[Mention]],
                    linkages: dict[str, tuple[str, ...]], parents: dict[str, str],
                    members: dict[str, tuple[str, ...]],
                    enumerations: Sequence[tuple[int, int, str]] = (),
                    name_places: dict[str, tuple[str, ...]] | None = None,
                    cities: frozenset[str] = frozenset()) -> Context:
    counts: Counter[str] = Counter()
    topics: dict[int, str] = {}
    seen_para: set[int] = set()
    for sent, ms in zip(sentences, mentions):
        for m in ms:
            if not m.nested and m.label in linkages:
                counts[m.label] += 1
        if sent.paragraph not in seen_para:
            seen_para.add(sent.paragraph)
            lead = [m for m in ms if not m.nested and m.label in linkages]
            rest = sent.text.strip()
            if lead and len(rest) <= len(lead[0].surface) + 2:
                topics[sent.paragraph] = lead[0].label
    top = max(counts, key=lambda k: (counts[k], -min(
        (m.start for ms in mentions for m in ms if m.label == k), default=0))) if counts else None
    if top is not None and counts[top] < 2:
        top = None  # named once, the linkage is not what the article is about
    return Context(article_id, top, topics, linkages, parents, members, tuple(enumerations),
                   name_places or {}, cities)


def extract_relations(sentences: Sequence[Sentence], mentions: Sequence[Sequence[Mention]],
                      ctx: Context, *, text: str) -> RelationCollector:
    rc = RelationCollector(ctx)
    text_of = lambda a, b: text[a:b].strip()  # noqa: E731
    earlier_topics: list[str] = []
    para_subject: dict[int, list] = {}   # paragraph → the place group leading its last sentence
    for sent, ms in zip(sentences, mentions):
        topic = ctx.paragraph_topics.get(sent.paragraph, ctx.article_topic)
        own_topic = sent.paragraph in ctx.paragraph_topics
        if own_topic and topic not in earlier_topics:
            earlier_topics.append(topic)
        primary = [m for m in ms if not m.nested]

        # -- modeledOn: 参照 / 借鉴 … the practice of other linkages described before
        # (the one rule that needs no mention in the sentence)
        cue = MODEL_CUES.search(sent.text)
        if cue and topic:
            after = [m for m in primary if m.start > sent.start + cue.start() and m.label
                     and m.label != topic and m.label in ctx.linkages]
            if after:
                rc.add(topic, "modeledOn", after[0].label, sent, "modeledOn.explicit")
            elif not own_topic and re.search(r"做法|经验|模式|实践", sent.text):
                for other in earlier_topics:
                    if other != topic:
                        rc.add(topic, "modeledOn", other, sent, "modeledOn.section")

        if not primary:
            continue  # every rule below relates mentions of the sentence
        clauses = _clauses(sent, ms)
        clause_groups = [_place_groups(text_of, cl.mentions, ctx, topic) for cl in clauses]
        lead = clause_groups[0] if clauses else []
        if lead and lead[0][0].start - clauses[0].start <= 2:
            para_subject[sent.paragraph] = lead[:1]
        sneg = bool(NEGATION_RE.search(sent.text))
        # a clause has a cue only if its sentence has one: search clauses only then
        stext = sent.text
        coord_cue, partof_cue, strength_cue, establish_cue, issue_cue, combine_cue = [
            cues.search(stext) is not None for cues in (
                COORD_CUES, PARTOF_RE, STRENGTH_CUES, ESTABLISH_CUES, ISSUE_CUES, FIELD_COMBINE_RE)]

        # -- linkages name their places: involves + coordinatesWith
        for m in primary:
            if m.label in ctx.linkages:
                places = ctx.linkages[m.label]
                for p in places:
                    rc.add(m.label, "involves", p, sent, "involves.linkage")
                for a, b in combinations(places, 2):
                    rc.add(a, "coordinatesWith", b, sent, "coordinatesWith.linkage",
                           negated=_neg_at(clauses, m))

        for cl, groups in zip(clauses, clause_groups):
            if not cl.mentions:
                continue  # each rule of this loop relates mentions of the clause
            # -- coordinatesWith: a group of places and a coordination cue in one clause
            if coord_cue and COORD_CUES.search(cl.text):
                for first, places in groups:
                    rule = "coordinatesWith.compound-cue" if first.rule == "abbr.compound" \
                        else "coordinatesWith.cue-group"
                    if len(places) >= 2 and len(places) <= 4:
                        for a, b in combinations(places, 2):
                            rc.add(a, "coordinatesWith", b, sent, rule, negated=cl.negated)
            # -- partOf: 作为 R1、R2 的双核
            pm = partof_cue and PARTOF_RE.search(cl.text)
            if pm:
                regions = [m for m in cl.mentions if m.start >= cl.start + pm.start("regions")
                           and m.end <= cl.start + pm.end("regions") and m.label
                           and "Region" in m.types]
                subj = [g for g in groups if g[0].start < cl.start + pm.start()]
                if not subj:  # the places follow: 作为…的两大城市，推动济南、青岛…
                    later = [gs for c, gs in zip(clauses, clause_groups) if c.start >= cl.end]
                    for gs in later:
                        if gs:
                            subj = gs[:1]
                            break
                places = [p for g in subj for p in g[1]]
                if regions and places:
                    if len(regions) == len(places) and len(regions) > 1:
                        for p, r in zip(places, regions):
                            rc.add(p, "partOf", r.label, sent, "partOf.as-member")
                    else:
                        for p in places:
                            for r in regions:
                                rc.add(p, "partOf", r.label, sent, "partOf.as-member")
            # -- specializesIn: place … industry … strength cue
            cue = strength_cue and STRENGTH_CUES.search(cl.text)
            if cue and not cl.negated:
                cue_at = cl.start + cue.start()
                fields = [m for m in _typed(cl.mentions, FIELD_TYPES) if m.end <= cue_at]
                groups = [g for g in groups if g[0].rule != "lex.country"]  # 中国…优势: too broad
                local_only = LOCAL_STRENGTH_RE.fullmatch(cue.group()) is not None
                for f in fields:
                    before = [g for g in groups if g[0].start < f.start]
                    if not before and not local_only:
                        before = _carried_subject(clauses, clause_groups, cl)
                    if not before and not local_only:
                        # …；在A、B等领域具有优势: the subject of the enumerated point
                        before = para_subject.get(sent.paragraph, [])
                    before = [g for g in before if g[0].rule != "lex.country"]
                    if before:
                        for p in before[-1][1]:
                            rc.add(p, "specializesIn", f.label, sent, "specializesIn.strength")
            # -- establishes: cue → mechanisms after it
            cue = establish_cue and ESTABLISH_CUES.search(cl.text)
            if cue:
                mechs = [m for m in _typed(cl.mentions, ("Mechanism",))
                         if m.start >= cl.start + cue.start()]
                subj = _establish_subject(sent, cl, clauses, ctx, topic, groups, own_topic)
                for m in mechs:
                    for s_ in subj:
                        rc.add(s_, "establishes", m.label, sent, "establishes.cue",
                               negated=cl.negated)
            # -- issuedBy: issuer 出台/印发/签署 《document》
            cue = issue_cue and ISSUE_CUES.search(cl.text)
            if cue:
                docs = [m for m in _typed(cl.mentions, ("PolicyDocument",))
                        if m.start >= cl.start + cue.start()]
                issuers = [m for m in cl.mentions if m.start < cl.start + cue.start()
                           and (m.is_place or "Organization" in m.types)]
                if not issuers and cl is not clauses[0]:
                    issuers = [m for m in clauses[0].mentions if m.is_place or "Organization" in m.types][:1]
                for d in docs:
                    for i in issuers:
                        for lab in (_places_of(i, ctx, topic) or (i.label,)):
                            rc.add(d.label, "issuedBy", lab, sent, "issuedBy.cue")

        # -- P的X，Q的Y…，这些优势: each clause before the summary credits its place
        summary = STRENGTH_SUMMARY_RE.search(sent.text)
        if summary:
            for cl, gs in zip(clauses, clause_groups):
                if cl.start >= sent.start + summary.start():
                    break
                if gs and gs[0][0].start - cl.start <= 1:
                    for f in _typed(cl.mentions, FIELD_TYPES):
                        for p in gs[0][1]:
                            rc.add(p, "specializesIn", f.label, sent, "specializesIn.summary")

        # -- complements: a cue anywhere in the sentence, between the places it names
        if COMPLEMENT_CUES.search(sent.text):
            places: list[str] = []
            for m in primary:
                for p in (ctx.linkages.get(m.label, ()) or _places_of(m, ctx, topic)):
                    if p not in places and _is_city_like(m, p):
                        places.append(p)
            if len(places) == 1 and topic:
                places += [p for p in ctx.linkages.get(topic, ()) if p not in places]
            if 2 <= len(places) <= 4:
                for a, b in combinations(places, 2):
                    rc.add(a, "complements", b, sent, "complements.cue", negated=sneg)

        # -- implements: subject (linkage) serves / implements a higher strategy
        cue = IMPLEMENT_CUES.search(sent.text)
        if cue:
            explicit = [m.label for m in primary if m.label in ctx.linkages]
            subj = explicit[:1] or ([topic] if topic else [])
            objs = [m for m in primary if m.label and m.label not in ctx.linkages and
                    "Strategy" in m.types and m.label != topic]
            for cl in clauses:
                if not IMPLEMENT_CUES.search(cl.text):
                    continue
                for o in (m for m in objs if cl.start <= m.start < cl.end):
                    for s_ in subj:
                        rc.add(s_, "implements", o.label, sent, "implements.cue", negated=cl.negated)

        # -- involves: a strategy and the places it is carried out in (…“东数西算”工程，在A、B、C建设…)
        strategies = [m for m in primary if "Strategy" in m.types and m.label not in ctx.linkages
                      and not m.is_place]
        if strategies:
            for ci, cl in enumerate(clauses):
                if not re.match(r"\s*(在|于|覆盖|包括)", cl.text):
                    continue
                for first, places in clause_groups[ci]:
                    if len(places) < 3:
                        continue
                    window = clauses[max(0, ci - 1)].start
                    before = [s_ for s_ in strategies if window <= s_.start and s_.end <= first.start]
                    if before:
                        for p in places:
                            rc.add(before[-1].label, "involves", p, sent, "involves.enumeration")

        # -- focusesOn: 以A、B为代表的S / 在A、B等领域 (subject: strategy in focus)
        fields = [m for m in _typed(primary, FIELD_TYPES)
                  if any(a <= m.start and m.end <= b for a, b, _ in ctx.enumerations)]
        if fields:
            rep = re.search(r"为代表的", sent.text)
            rep_subj = None
            if rep:
                after = [m for m in primary if m.start >= sent.start + rep.end() and "Strategy" in m.types]
                rep_subj = after[0].label if after else None
            if rep_subj:
                for f in fields:
                    if f.start < sent.start + rep.start():
                        rc.add(rep_subj, "focusesOn", f.label, sent, "focusesOn.representative")
            else:
                subj = topic
                if not subj or not own_topic and ctx.article_topic is None:
                    cands = [m for m in strategies if m.start < fields[0].start]
                    subj = cands[-1].label if cands else topic
                if subj and (re.search(r"等[^，。；]{0,6}领域", sent.text) or FOCUS_CUES.search(sent.text)):
                    for f in fields:
                        rc.add(subj, "focusesOn", f.label, sent, "focusesOn.enumeration")

        # -- enables: technology + cue + target, or 由T决定 / 以T为核心 / T是Y的底座
        techs = _typed(primary, ("Technology",))
        if techs:
            for cl in clauses:
                cue = ENABLE_CUES.search(cl.text)
                if not cue or cl.negated:
                    continue
                cue_at = cl.start + cue.start()
                # the technology in front: in this clause, after 通过/利用, or the sentence subject
                subj = [t for t in _typed(cl.mentions, ("Technology",)) if t.end <= cue_at]
                if not subj:
                    lead = [t for t in techs if t.start < cue_at]
                    first = clauses[0].mentions[:1]
                    if first and "Technology" in first[0].types and first[0].start - sent.start <= 2:
                        subj = first
                    elif lead and re.search(r"(通过|利用|依托|借助|基于)$",
                                            text[max(sent.start, lead[-1].start - 4):lead[-1].start]):
                        subj = lead[-1:]
                objs = [m for m in cl.mentions if m.start > cue_at and m.label and
                        any(t in m.types for t in ("Industry", "Strategy", "Technology"))]
                # T在A、B等领域发挥赋能效应: the enumerated fields before the cue
                if not objs:
                    objs = [m for m in _typed(cl.mentions, ("Industry", "Technology"))
                            if m.end <= cue_at and m not in subj
                            and any(a <= m.start and m.end <= b for a, b, _ in ctx.enumerations)]
                for s_ in subj[-1:]:
                    for o in objs[:6]:
                        if o.label != s_.label:
                            rc.add(s_.label, "enables", o.label, sent, "enables.cue")
            for bm in ENABLE_BASE_RE.finditer(sent.text):
                a = sent.start + bm.start()
                base = [t for t in techs if t.end <= a]
                target = [m for m in primary if a <= m.start < sent.start + bm.end() and m.label
                          and any(t in m.types for t in ("Industry", "Strategy", "Technology"))]
                if base and target and base[-1].label != target[0].label:
                    rc.add(base[-1].label, "enables", target[0].label, sent, "enables.base")
            for rm in ENABLE_REVERSED.finditer(sent.text):
                a = sent.start + rm.start()
                inner_end = sent.start + rm.end()
                etc = sent.text.find("等", rm.start(), rm.end())
                if etc >= 0:  # 以操作系统等软件为核心: the items, not the category after 等
                    inner_end = sent.start + etc
                inner = [t for t in techs if a <= t.start and t.end <= inner_end]
                target = [m for m in primary if m.end <= a and m.label and
                          any(t in m.types for t in ("Industry", "Technology", "Strategy"))]
                if inner and target:
                    for t in inner:
                        rc.add(t.label, "enables", target[-1].label, sent, "enables.reversed")

        # -- names that start with a place compound: 杭甬温…试点, 义甬舟开放大通道
        for m in primary:
            # …and say that the places work together: 湘赣边区域合作, 湘琼…共建产业园
            places = ctx.name_places.get(m.label, ())
            if places and COORD_CUES.search(m.label[len(places):]):
                for a, b in combinations(places, 2):
                    rc.add(a, "coordinatesWith", b, sent, "coordinatesWith.name-compound",
                           negated=_neg_at(clauses, m))
            if m.label and m.label not in ctx.linkages and ("Strategy" in m.types or "Region" in m.types) \
                    and not m.is_place or (m.label and m.rule.startswith("head.Strategy")):
                for p in ctx.name_places.get(m.label, ()):
                    rc.add(m.label, "involves", p, sent, "involves.name-compound")
            if m.rule == "quote.positioning":
                before = [x for x in primary if x.end == m.start and x.is_place]
                for p in (before[-1].place_labels if before else ()):
                    rc.add(m.label, "involves", p, sent, "involves.positioning")

        # -- R打造/建设(成为)P: the places right before the frame verb take the goal on
        for cl in clauses:
            for m in cl.mentions:
                if "Strategy" not in m.types or not m.label or m.is_place:
                    continue
                frame = POSITION_FRAME_RE.search(text[cl.start:m.start])
                if frame is None or not (m.rule == "frame.positioning" or m.label.endswith(POSITION_GOALS)):
                    continue
                for p in _places_before(text, cl, cl.start + frame.start(), ctx, topic):
                    rc.add(p, "implements", m.label, sent, "implements.positioning", negated=cl.negated)

        # -- 支持A、B、C开展X试点 / 在A、B建设X: places of a clause take part in its strategy
        for cl, groups in zip(clauses, clause_groups):
            strat = [m for m in cl.mentions if "Strategy" in m.types and not m.is_place
                     and m.label not in ctx.linkages and m.label]
            if not strat:
                continue
            for first, places in groups:
                if len(places) < 2:
                    continue
                after = [x for x in strat if x.start > first.start]
                between = text_of(first.start, after[0].start) if after else ""
                if after and TAKE_PART_RE.search(between):
                    for p in places:
                        rc.add(after[0].label, "involves", p, sent, "involves.take-part")

        # -- A、B等S: a strategy named after an enumeration focuses on its items
        for m in primary:
            if "Strategy" in m.types and m.start > sent.start and text[m.start - 1] == "等":
                run = [x for x in primary if x.end <= m.start and x.start >= _run_start(sent, m.start)]
                for x in _typed(run, FIELD_TYPES):
                    rc.add(m.label, "focusesOn", x.label, sent, "focusesOn.enumeration")
                for x in run:
                    for p in _places_of(x, ctx, topic):
                        rc.add(m.label, "involves", p, sent, "involves.enumeration")

        # -- A与B相结合 / A同B融合: complementary fields (not items of one enumeration)
        for cl in clauses:
            cue = combine_cue and FIELD_COMBINE_RE.search(cl.text)
            if not cue:
                continue
            fs = [f for f in _typed(cl.mentions, FIELD_TYPES)
                  if not any(a <= f.start and f.end <= b for a, b, _ in ctx.enumerations)]
            for a, b in zip(fs, fs[1:]):
                gap = text_of(a.end, b.start)
                joined = re.fullmatch(r"(与|同|跟)", gap) or re.search(r"结合$", gap)
                same_kind = set(a.types) & set(b.types)
                if joined and (cue.group() != "融合" or same_kind):
                    rc.add(a.label, "complements", b.label, sent, "complements.fields")

        # -- partOf from the gazetteer where the text names both places in one sentence
        names = {p for m in primary for p in m.place_labels}
        for p in sorted(names):
            parent = ctx.parents.get(p)
            if parent and parent in names:
                rc.add(p, "partOf", parent, sent, "partOf.gazetteer")
        cities = sorted(names & ctx.cities)
        for m in primary:
            if m.label.endswith("新区"):
                continue  # a new area lies inside its host cities, not the reverse
            members = ctx.members.get(m.label, ())
            for city in cities:
                if city != m.label and (city in members or ctx.parents.get(city) in members):
                    rc.add(city, "partOf", m.label, sent, "partOf.gazetteer")
    return rc


def _places_before(text: str, cl: Clause, at: int, ctx: Context, topic: str | None) -> list[str]:
    """The places named right before offset ``at`` of the clause (maybe with adverbs
    between: 武汉要加快打造), walking back over 、/和/- joined places."""
    out: list[str] = []
    end = at
    for m in reversed([x for x in cl.mentions if x.end <= at]):
        gap = text[m.end:end]
        if not (gap in PLACE_JOINERS or (end == at and SUBJECT_GAP_RE.fullmatch(gap))):
            break
        places = _places_of(m, ctx, topic)
        if not places:
            break
        out[:0] = [p for p in places if p not in out]
        end = m.start
    if out and re.search(r"[在于]", text[cl.start:end]):
        return []  # 在A、B建设X: where X is built, not who sets it as a goal
    return out


def _is_city_like(m: Mention, place: str) -> bool:
    return bool(m.places) or m.rule == "lex.place" or m.rule == "ref.group" or place != m.label


def _neg_at(clauses: Sequence[Clause], m: Mention) -> bool:
    return any(c.negated and c.start <= m.start < c.end for c in clauses)


def _carried_subject(clauses, clause_groups, cl):
    """The last place group of an earlier clause of the same sentence."""
    out = []
    for c, gs in zip(clauses, clause_groups):
        if c.start >= cl.start:
            break
        out += gs
    return out[-1:]


def _establish_subject(sent, cl, clauses, ctx, topic, groups, own_topic) -> list[str]:
    explicit = [m.label for c in clauses if c.start <= cl.start for m in c.mentions
                if m.label in ctx.linkages]
    if explicit:
        return explicit[-1:]
    if own_topic or topic:
        return [topic] if topic else []
    before = [g for g in groups if g[0].start < cl.start + len(cl.text)]
    return list(before[0][1]) if before else []
