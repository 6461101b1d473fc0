"""Relation rules: cue words and patterns by clause, with context carried across
clauses (sentence subject), paragraphs (a paragraph led by a linkage, e.g.
``广深联动。``) and the article (the linkage it is about).

Each rule family is a function registered in :data:`RELATION_RULES` with
``@relation_rule(name, *ids)``; :func:`extract_relations` feeds every one the same
:class:`SentenceView`. Every rule id has a confidence; every assertion keeps its evidence
sentence. A clause with a negation or hedge (不足, 不应, 避免 …) still yields the
assertion, marked ``negated`` — the RDF writer keeps it as provenance only.
"""
from __future__ import annotations

import re
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import combinations
from typing import NamedTuple

from policykg.build.mentions import POSITION_FRAMES, POSITION_GOALS, Mention, Sentence
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
    "implements.positioning": 0.9, "involves.frame": 0.7, "partOf.listed": 0.7, "involves.listed": 0.7, "establishes.cue": 0.9, "focusesOn.enumeration": 0.9,
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
POSITION_FRAME_RE = re.compile("(?:{})(?:成为|成|为)?(?:[^，。；、]{{0,20}}的)?$".format(
    "|".join(sorted(POSITION_FRAMES, key=len, reverse=True))))
#: Adverbs and modals between a place and its frame verb (武汉要加快打造…, A、B等地创建…).
SUBJECT_GAP_RE = re.compile(r"(?:等地|等市|等城市|等)?(?:要|将|加快|着力|努力|全力|奋力|持续|率先|积极|更好|进一步)*")
#: What makes the places after it partners of a subject named elsewhere (深化与A、B合作).
PARTNER_RE = re.compile(r"[与同跟]$")
#: Names of areas whose members a sentence may list, and the marker of such a list.
AREA_HEADS = ("都市圈", "城市群", "经济圈", "都市区")
CORRIDOR_HEADS = ("走廊", "经济带", "廊带")
LISTED_RE = re.compile(r"(?:、[\u4e00-\u9fff]{2,4})*等(?:地区|地|城市|市)")   # (…、仙桃、天门等地)
#: Backing verbs before the places of 支持A、B创建X.
SUPPORT_RE = re.compile(r"(?:支持|鼓励|推动|引导)$")
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


@dataclass
class ArticleState:
    """What the relation rules carry from sentence to sentence of one article."""

    #: paragraph topics met so far, in order (modeledOn points back to them)
    earlier_topics: list[str] = field(default_factory=list)
    #: paragraph → the place group leading its last sentence (the subject of 一是…；…)
    para_subject: dict[int, list] = field(default_factory=dict)


@dataclass(frozen=True)
class SentenceView:
    """One sentence as every relation rule sees it: its mentions, clauses, place groups
    and cues, computed once (cached) and shared by the rules."""

    sent: Sentence
    mentions: Sequence[Mention]
    ctx: Context
    text: str                   #: the article's text (mention offsets index it)
    article: ArticleState

    def text_of(self, a: int, b: int) -> str:
        return self.text[a:b].strip()

    @cached_property
    def topic(self) -> str | None:
        """The linkage in focus: the paragraph's, else the article's."""
        return self.ctx.paragraph_topics.get(self.sent.paragraph, self.ctx.article_topic)

    @cached_property
    def own_topic(self) -> bool:
        """Is the topic the paragraph's own (a paragraph led by 广深联动。)?"""
        return self.sent.paragraph in self.ctx.paragraph_topics

    @cached_property
    def primary(self) -> list[Mention]:
        """The mentions that may be relation ends (not nested in a longer one)."""
        return [m for m in self.mentions if not m.nested]

    @cached_property
    def clauses(self) -> list[Clause]:
        return _clauses(self.sent, self.mentions)

    @cached_property
    def clause_groups(self) -> list[list[tuple[Mention, tuple[str, ...]]]]:
        """The place groups of each clause (:func:`_place_groups`)."""
        return [_place_groups(self.text_of, cl.mentions, self.ctx, self.topic) for cl in self.clauses]

    @cached_property
    def strategies(self) -> list[Mention]:
        return [m for m in self.primary if "Strategy" in m.types and m.label not in self.ctx.linkages
                and not m.is_place]

    def has(self, cues: re.Pattern) -> bool:
        """Does the sentence have one of the cues? (A clause has one only if its sentence does.)"""
        return cues.search(self.sent.text) is not None


#: A relation rule adds what one construction says to the collector; it sees the
#: sentence through a :class:`SentenceView` shared by all rules.
RuleFunction = Callable[[SentenceView, RelationCollector], None]


@dataclass(frozen=True)
class RelationRule:
    name: str
    ids: tuple[str, ...]        #: the rule ids it gives its assertions (keys of CONFIDENCE)
    apply: RuleFunction
    needs_mentions: bool        #: skipped for sentences without a (primary) mention


#: The relation rules by name, in the order they run (registration order; the order
#: does not change the result: the collector sorts what it keeps).
RELATION_RULES: dict[str, RelationRule] = {}


def relation_rule(name: str, *ids: str, needs_mentions: bool = True) -> Callable[[RuleFunction], RuleFunction]:
    """Register a relation rule under ``name``, giving its assertions the rule ``ids``
    (each needs a CONFIDENCE). A new construction is one new registered function.

    >>> RELATION_RULES["frame"].ids
    ('implements.positioning', 'involves.frame')
    >>> len(RELATION_RULES), list(RELATION_RULES)[:3]
    (20, ['modeledOn', 'linkage', 'coordinatesWith.cue'])
    """
    unknown = [i for i in ids if i not in CONFIDENCE]
    if unknown:
        raise ValueError(f"relation rule {name!r}: no confidence for {unknown} in CONFIDENCE")

    def register(fn: RuleFunction) -> RuleFunction:
        if name in RELATION_RULES:
            raise ValueError(f"relation rule {name!r} is registered twice")
        RELATION_RULES[name] = RelationRule(name, ids, fn, needs_mentions)
        return fn
    return register


def extract_relations(sentences: Sequence[Sentence], mentions: Sequence[Sequence[Mention]],
                      ctx: Context, *, text: str) -> RelationCollector:
    """Run every registered relation rule over every sentence of one article."""
    rc = RelationCollector(ctx)
    article = ArticleState()
    rules = list(RELATION_RULES.values())
    for sent, ms in zip(sentences, mentions):
        v = SentenceView(sent, ms, ctx, text, article)
        if v.own_topic and v.topic not in article.earlier_topics:
            article.earlier_topics.append(v.topic)
        if v.primary:
            lead = v.clause_groups[0] if v.clauses else []
            if lead and lead[0][0].start - v.clauses[0].start <= 2:
                article.para_subject[sent.paragraph] = lead[:1]
        for rule in rules:
            if v.primary or not rule.needs_mentions:
                rule.apply(v, rc)
    return rc


@relation_rule("modeledOn", "modeledOn.explicit", "modeledOn.section", needs_mentions=False)
def _modeled_on(v: SentenceView, rc: RelationCollector) -> None:
    """参照 / 借鉴 … the practice of other linkages described before (参照广深联动的做法);
    the one rule that needs no mention in the sentence."""
    sent, topic = v.sent, v.topic
    cue = MODEL_CUES.search(sent.text)
    if cue and topic:
        after = [m for m in v.mentions if not m.nested and m.start > sent.start + cue.start() and m.label
                 and m.label != topic and m.label in v.ctx.linkages]
        if after:
            rc.add(topic, "modeledOn", after[0].label, sent, "modeledOn.explicit")
        elif not v.own_topic and re.search(r"做法|经验|模式|实践", sent.text):
            for other in v.article.earlier_topics:
                if other != topic:
                    rc.add(topic, "modeledOn", other, sent, "modeledOn.section")


@relation_rule("linkage", "involves.linkage", "coordinatesWith.linkage")
def _linkage(v: SentenceView, rc: RelationCollector) -> None:
    """A linkage names its places: 济青联动 involves 济南, 青岛, which coordinatesWith each other."""
    for m in v.primary:
        if m.label in v.ctx.linkages:
            places = v.ctx.linkages[m.label]
            for p in places:
                rc.add(m.label, "involves", p, v.sent, "involves.linkage")
            for a, b in combinations(places, 2):
                rc.add(a, "coordinatesWith", b, v.sent, "coordinatesWith.linkage",
                       negated=_neg_at(v.clauses, m))


@relation_rule("coordinatesWith.cue", "coordinatesWith.cue-group", "coordinatesWith.compound-cue")
def _coordination_cue(v: SentenceView, rc: RelationCollector) -> None:
    """A group of 2–4 places and a coordination cue after it in one clause (推动武汉、长沙
    协同发展); not partners after 与 (深化与长三角、粤港澳大湾区合作) nor the object of a cue
    verb (协同鞍山、营口等地区): those work with a subject named elsewhere."""
    if not v.has(COORD_CUES):
        return
    for cl, groups in zip(v.clauses, v.clause_groups):
        if not cl.mentions or not COORD_CUES.search(cl.text):
            continue
        for first, places in groups:
            if PARTNER_RE.search(v.text[cl.start:first.start]) or \
                    not COORD_CUES.search(v.text[first.end:cl.end]):
                continue
            rule = "coordinatesWith.compound-cue" if first.rule == "abbr.compound" \
                else "coordinatesWith.cue-group"
            if len(places) >= 2 and len(places) <= 4:
                for a, b in combinations(places, 2):
                    rc.add(a, "coordinatesWith", b, v.sent, rule, negated=cl.negated)


@relation_rule("partOf.as-member", "partOf.as-member")
def _part_of_as_member(v: SentenceView, rc: RelationCollector) -> None:
    """作为R1、R2的双核 (respectively) / 作为R的两大城市: the places are members of R."""
    if not v.has(PARTOF_RE):
        return
    clauses, clause_groups = v.clauses, v.clause_groups
    for cl, groups in zip(clauses, clause_groups):
        pm = PARTOF_RE.search(cl.text) if cl.mentions else None
        if not pm:
            continue
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
                    rc.add(p, "partOf", r.label, v.sent, "partOf.as-member")
            else:
                for p in places:
                    for r in regions:
                        rc.add(p, "partOf", r.label, v.sent, "partOf.as-member")


def _strength_groups(v: SentenceView, cl: Clause, groups: list) -> list:
    """A clause's place groups as the strength and establish rules see them: without
    countries (中国…优势: too broad) where the clause has a strength cue and no negation."""
    if v.has(STRENGTH_CUES) and STRENGTH_CUES.search(cl.text) and not cl.negated:
        return [g for g in groups if g[0].rule != "lex.country"]
    return groups


@relation_rule("specializesIn.strength", "specializesIn.strength")
def _specializes_in(v: SentenceView, rc: RelationCollector) -> None:
    """place … sectors … strength cue (合肥集成电路、新型显示等产业优势突出)."""
    if not v.has(STRENGTH_CUES):
        return
    clauses, clause_groups = v.clauses, v.clause_groups
    for cl, groups in zip(clauses, clause_groups):
        cue = STRENGTH_CUES.search(cl.text) if cl.mentions else None
        if not cue or cl.negated:
            continue
        cue_at = cl.start + cue.start()
        fields = [m for m in _typed(cl.mentions, FIELD_TYPES) if m.end <= cue_at]
        groups = _strength_groups(v, cl, groups)
        local_only = LOCAL_STRENGTH_RE.fullmatch(cue.group()) is not None
        for f in fields:
            before = [g for g in groups if g[0].start < f.start]
            if not before and not local_only:
                before = _carried_subject(clauses, clause_groups, cl)
            if not before and not local_only:
                # …；在A、B等领域具有优势: the subject of the enumerated point
                before = v.article.para_subject.get(v.sent.paragraph, [])
            before = [g for g in before if g[0].rule != "lex.country"]
            if before:
                for p in before[-1][1]:
                    rc.add(p, "specializesIn", f.label, v.sent, "specializesIn.strength")


@relation_rule("establishes", "establishes.cue")
def _establishes(v: SentenceView, rc: RelationCollector) -> None:
    """建立/成立/设立/形成… + mechanisms after the cue; the subject is the linkage in
    focus or the places (济青两市建立联席会议机制)."""
    if not v.has(ESTABLISH_CUES):
        return
    for cl, groups in zip(v.clauses, v.clause_groups):
        cue = ESTABLISH_CUES.search(cl.text) if cl.mentions else None
        if not cue:
            continue
        mechs = [m for m in _typed(cl.mentions, ("Mechanism",))
                 if m.start >= cl.start + cue.start()]
        subj = _establish_subject(v.sent, cl, v.clauses, v.ctx, v.topic,
                                  _strength_groups(v, cl, groups), v.own_topic)
        for m in mechs:
            for s_ in subj:
                rc.add(s_, "establishes", m.label, v.sent, "establishes.cue", negated=cl.negated)


@relation_rule("issuedBy", "issuedBy.cue")
def _issued_by(v: SentenceView, rc: RelationCollector) -> None:
    """issuer + 出台/印发/签署/发布 + 《document》."""
    if not v.has(ISSUE_CUES):
        return
    clauses = v.clauses
    for cl in clauses:
        cue = ISSUE_CUES.search(cl.text) if cl.mentions else None
        if not cue:
            continue
        docs = [m for m in _typed(cl.mentions, ("PolicyDocument",))
                if m.start >= cl.start + cue.start()]
        issuers = [m for m in cl.mentions if m.start < cl.start + cue.start()
                   and (m.is_place or "Organization" in m.types)]
        if not issuers and cl is not clauses[0]:
            issuers = [m for m in clauses[0].mentions if m.is_place or "Organization" in m.types][:1]
        for d in docs:
            for i in issuers:
                for lab in (_places_of(i, v.ctx, v.topic) or (i.label,)):
                    rc.add(d.label, "issuedBy", lab, v.sent, "issuedBy.cue")


@relation_rule("specializesIn.summary", "specializesIn.summary")
def _strength_summary(v: SentenceView, rc: RelationCollector) -> None:
    """P的X，Q的Y…，这些优势: each clause before the summary credits its place."""
    summary = STRENGTH_SUMMARY_RE.search(v.sent.text)
    if not summary:
        return
    for cl, gs in zip(v.clauses, v.clause_groups):
        if cl.start >= v.sent.start + summary.start():
            break
        if gs and gs[0][0].start - cl.start <= 1:
            for f in _typed(cl.mentions, FIELD_TYPES):
                for p in gs[0][1]:
                    rc.add(p, "specializesIn", f.label, v.sent, "specializesIn.summary")


@relation_rule("complements.cue", "complements.cue")
def _complements(v: SentenceView, rc: RelationCollector) -> None:
    """优势互补 / 相结合 … anywhere in the sentence, between the 2–4 places it names."""
    if not COMPLEMENT_CUES.search(v.sent.text):
        return
    places: list[str] = []
    for m in v.primary:
        for p in (v.ctx.linkages.get(m.label, ()) or _places_of(m, v.ctx, v.topic)):
            if p not in places and _is_city_like(m, p):
                places.append(p)
    if len(places) == 1 and v.topic:
        places += [p for p in v.ctx.linkages.get(v.topic, ()) if p not in places]
    if 2 <= len(places) <= 4:
        for a, b in combinations(places, 2):
            rc.add(a, "complements", b, v.sent, "complements.cue",
                   negated=bool(NEGATION_RE.search(v.sent.text)))


@relation_rule("implements.cue", "implements.cue")
def _implements(v: SentenceView, rc: RelationCollector) -> None:
    """The linkage (named, else in focus) 落实/融入/服务/支撑 a higher strategy."""
    if not IMPLEMENT_CUES.search(v.sent.text):
        return
    explicit = [m.label for m in v.primary if m.label in v.ctx.linkages]
    subj = explicit[:1] or ([v.topic] if v.topic else [])
    objs = [m for m in v.primary if m.label and m.label not in v.ctx.linkages and
            "Strategy" in m.types and m.label != v.topic]
    for cl in v.clauses:
        if not IMPLEMENT_CUES.search(cl.text):
            continue
        for o in (m for m in objs if cl.start <= m.start < cl.end):
            for s_ in subj:
                rc.add(s_, "implements", o.label, v.sent, "implements.cue", negated=cl.negated)


@relation_rule("involves.enumeration", "involves.enumeration")
def _involves_places_listed(v: SentenceView, rc: RelationCollector) -> None:
    """A strategy and the 3+ places it is carried out in (…“东数西算”工程，在A、B、C建设…)."""
    strategies = v.strategies
    if not strategies:
        return
    clauses = v.clauses
    for ci, cl in enumerate(clauses):
        if not re.match(r"\s*(在|于|覆盖|包括)", cl.text):
            continue
        for first, places in v.clause_groups[ci]:
            if len(places) < 3:
                continue
            window = clauses[max(0, ci - 1)].start
            before = [s_ for s_ in strategies if window <= s_.start and s_.end <= first.start]
            if before:
                for p in places:
                    rc.add(before[-1].label, "involves", p, v.sent, "involves.enumeration")


@relation_rule("focusesOn", "focusesOn.representative", "focusesOn.enumeration")
def _focuses_on(v: SentenceView, rc: RelationCollector) -> None:
    """以A、B为代表的S / 在A、B等领域 (subject: the strategy in focus)."""
    ctx, sent, topic = v.ctx, v.sent, v.topic
    fields = [m for m in _typed(v.primary, FIELD_TYPES)
              if any(a <= m.start and m.end <= b for a, b, _ in ctx.enumerations)]
    if not fields:
        return
    rep = re.search(r"为代表的", sent.text)
    rep_subj = None
    if rep:
        after = [m for m in v.primary if m.start >= sent.start + rep.end() and "Strategy" in m.types]
        rep_subj = after[0].label if after else None
    if rep_subj:
        for f in fields:
            if f.start < sent.start + rep.start():
                rc.add(rep_subj, "focusesOn", f.label, sent, "focusesOn.representative")
    else:
        subj = topic
        if not subj or not v.own_topic and ctx.article_topic is None:
            cands = [m for m in v.strategies if m.start < fields[0].start]
            subj = cands[-1].label if cands else topic
        if subj and (re.search(r"等[^，。；]{0,6}领域", sent.text) or FOCUS_CUES.search(sent.text)):
            for f in fields:
                rc.add(subj, "focusesOn", f.label, sent, "focusesOn.enumeration")


@relation_rule("enables", "enables.cue", "enables.base", "enables.reversed")
def _enables(v: SentenceView, rc: RelationCollector) -> None:
    """technology + 赋能/推动/支撑… + target; 由T决定 / 以T为核心; T是Y的底座."""
    techs = _typed(v.primary, ("Technology",))
    if not techs:
        return
    sent, text, clauses, primary = v.sent, v.text, v.clauses, v.primary
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
                    and any(a <= m.start and m.end <= b for a, b, _ in v.ctx.enumerations)]
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


@relation_rule("name-compound", "coordinatesWith.name-compound", "involves.name-compound",
               "involves.positioning")
def _names_of_places(v: SentenceView, rc: RelationCollector) -> None:
    """Names that start with a place compound (杭甬温…试点, 义甬舟开放大通道) involve its
    places, which work together where the name says so (湘赣边区域合作, 湘琼…共建产业园);
    a quoted goal right after a place (杭州“…”) involves it."""
    ctx, sent, primary = v.ctx, v.sent, v.primary
    for m in primary:
        places = ctx.name_places.get(m.label, ())
        if places and COORD_CUES.search(m.label[len(places):]):
            for a, b in combinations(places, 2):
                rc.add(a, "coordinatesWith", b, sent, "coordinatesWith.name-compound",
                       negated=_neg_at(v.clauses, m))
        if m.label and m.label not in ctx.linkages and ("Strategy" in m.types or "Region" in m.types) \
                and not m.is_place or (m.label and m.rule.startswith("head.Strategy")):
            for p in ctx.name_places.get(m.label, ()):
                rc.add(m.label, "involves", p, sent, "involves.name-compound")
        if m.rule == "quote.positioning":
            before = [x for x in primary if x.end == m.start and x.is_place]
            for p in (before[-1].place_labels if before else ()):
                rc.add(m.label, "involves", p, sent, "involves.positioning")


@relation_rule("frame", "implements.positioning", "involves.frame")
def _frame(v: SentenceView, rc: RelationCollector) -> None:
    """R打造/建设(成为)P: the places right before the frame verb take the goal on
    (支持襄阳、宜昌打造区域性中心城市 → implements), and the goals listed after it
    (打造A中心、B中心和C中心); a programme the places are backed to set up involves
    them (支持襄阳争创国家农业高新技术产业示范区)."""
    for cl in v.clauses:
        last: tuple[int, list[str]] | None = None   # end of the last goal with a subject, its places
        for m in cl.mentions:
            if "Strategy" not in m.types and "Region" not in m.types or not m.label or m.is_place:
                continue
            goal = m.rule == "frame.positioning" or m.label.endswith(POSITION_GOALS)
            frame = POSITION_FRAME_RE.search(v.text[cl.start:m.start])
            if frame is not None:
                places, first = _places_before(v.text, cl, cl.start + frame.start(), v.ctx, v.topic)
            elif goal and last and v.text[last[0]:m.start] in ("、", "和", "及", "以及"):
                places, first = last[1], cl.start
            else:
                continue
            last = (m.end, places) if goal else None
            if goal:
                for p in places:
                    rc.add(p, "implements", m.label, v.sent, "implements.positioning", negated=cl.negated)
            elif "Strategy" in m.types and SUPPORT_RE.search(v.text[cl.start:first]):
                # 支持A、B创建X: X is what the places are backed to set up, with them
                for p in places:
                    rc.add(m.label, "involves", p, v.sent, "involves.frame", negated=cl.negated)


@relation_rule("involves.take-part", "involves.take-part")
def _take_part(v: SentenceView, rc: RelationCollector) -> None:
    """支持A、B、C开展X试点 / 在A、B建设X: the places of a clause take part in its strategy."""
    for cl, groups in zip(v.clauses, v.clause_groups):
        strat = [m for m in cl.mentions if "Strategy" in m.types and not m.is_place
                 and m.label not in v.ctx.linkages and m.label]
        if not strat:
            continue
        for first, places in groups:
            if len(places) < 2:
                continue
            after = [x for x in strat if x.start > first.start]
            between = v.text_of(first.start, after[0].start) if after else ""
            if after and TAKE_PART_RE.search(between):
                for p in places:
                    rc.add(after[0].label, "involves", p, v.sent, "involves.take-part")


@relation_rule("enumeration-head", "focusesOn.enumeration", "involves.enumeration")
def _enumeration_head(v: SentenceView, rc: RelationCollector) -> None:
    """A、B等S: a strategy named after an enumeration focuses on its fields and
    involves its places."""
    sent, text, primary = v.sent, v.text, v.primary
    for m in primary:
        if "Strategy" in m.types and m.start > sent.start and text[m.start - 1] == "等":
            run = [x for x in primary if x.end <= m.start and x.start >= _run_start(sent, m.start)]
            for x in _typed(run, FIELD_TYPES):
                rc.add(m.label, "focusesOn", x.label, sent, "focusesOn.enumeration")
            for x in run:
                for p in _places_of(x, v.ctx, v.topic):
                    rc.add(m.label, "involves", p, sent, "involves.enumeration")


@relation_rule("complements.fields", "complements.fields")
def _complementary_fields(v: SentenceView, rc: RelationCollector) -> None:
    """A与B相结合 / A同B融合: complementary fields (not items of one enumeration)."""
    if not v.has(FIELD_COMBINE_RE):
        return
    for cl in v.clauses:
        cue = FIELD_COMBINE_RE.search(cl.text)
        if not cue:
            continue
        fs = [f for f in _typed(cl.mentions, FIELD_TYPES)
              if not any(a <= f.start and f.end <= b for a, b, _ in v.ctx.enumerations)]
        for a, b in zip(fs, fs[1:]):
            gap = v.text_of(a.end, b.start)
            joined = re.fullmatch(r"(与|同|跟)", gap) or re.search(r"结合$", gap)
            same_kind = set(a.types) & set(b.types)
            if joined and (cue.group() != "融合" or same_kind):
                rc.add(a.label, "complements", b.label, v.sent, "complements.fields")


@relation_rule("members.listed", "partOf.listed", "involves.listed")
def _listed_members(v: SentenceView, rc: RelationCollector) -> None:
    """Cities listed with 等地 in a sentence that names an area (a metropolitan area, city
    cluster or corridor): 建设武汉都市圈…带动黄石、鄂州、孝感等地协同发展 → each partOf
    the area; a corridor (…经济走廊) or an area named as a goal (打造…大都市圈, a Strategy)
    involves them. The area is the only one named before the list, else the only one after."""
    areas = [m for m in v.primary if m.label and not m.places and not v.ctx.linkages.get(m.label)
             and ("Region" in m.types or "Strategy" in m.types)
             and m.label.endswith(AREA_HEADS + CORRIDOR_HEADS)]
    if not areas:
        return
    for groups in v.clause_groups:
        for first, places in groups:
            last = [m for m in v.primary if m.start >= first.start and places[-1] in m.place_labels]
            if len(places) < 3 or not last or not LISTED_RE.match(v.text, last[0].end):
                continue
            before = [m for m in areas if m.end <= first.start]
            after = [m for m in areas if m.start >= last[0].end]
            area = before[0] if len(before) == 1 else (after[0] if not before and len(after) == 1 else None)
            if area is None:
                continue
            for p in places:
                if p not in v.ctx.cities or p == area.label:
                    continue
                if area.label.endswith(AREA_HEADS) and "Region" in area.types:
                    rc.add(p, "partOf", area.label, v.sent, "partOf.listed")
                else:
                    rc.add(area.label, "involves", p, v.sent, "involves.listed")


@relation_rule("partOf.gazetteer", "partOf.gazetteer")
def _part_of_gazetteer(v: SentenceView, rc: RelationCollector) -> None:
    """A city in its province or region (through the province) when one sentence names both."""
    ctx, sent, primary = v.ctx, v.sent, v.primary
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


def _places_before(text: str, cl: Clause, at: int, ctx: Context, topic: str | None) -> tuple[list[str], int]:
    """The places named right before offset ``at`` of the clause (maybe with adverbs
    between: 武汉要加快打造), walking back over 、/和/- joined places; and where they start."""
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
        return [], end  # 在A、B建设X: where X is built, not who sets it as a goal
    return out, end


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
