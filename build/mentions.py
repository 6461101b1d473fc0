"""Entity mentions in one article.

Stages, each a rule family with its own id (the id is kept on every mention); all but
``enum`` are registered in :data:`MENTION_RULES` (``@mention_rule``) and run in order on
every sentence:

=================  ==============================================================
``lex``            lexicon surface forms (gazetteer, regions, vocabularies),
                   leftmost-longest, aligned to jieba token boundaries
``title``          《…》 → PolicyDocument
``quote``          “X”工程 / “X”格局 / “X”行动 → Strategy X; a quoted vocabulary word
``head``           noun phrases assembled from tokens: modifiers + a head word
                   (…机制 → Mechanism, …战略 → Strategy, …经济圈 → Region, …)
``enum``           items of ``A、B、C等X`` / ``以A、B为代表的X`` / ``在A、B等领域``
                   typed by the head X or by their known siblings
``abbr``           place-abbreviation compounds (济青, 成渝, 杭甬温) resolved to
                   their places, the article's own mentions deciding ambiguous chars
``abbr.name``      names led by a compound of 2–4 short names (湘赣边区域合作,
                   长株潭国家自主创新示范区): the name, and the places it involves
``abbr.group``     each compound of 苏锡常、宁镇扬等融合发展 → a linkage of its own
``ref``            两市 / 双城 / 两地 → the places of the linkage the text is about
``frame``          goals after a frame verb: 打造[全国重要增长极] → Strategy (positioning)
=================  ==============================================================
"""
from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property

from policykg.build.lexicon import Head, LexEntry, Lexicon
from policykg.build.segment import Segmenter
from policykg.graph.model import paragraph_offsets

CJK = r"\u4e00-\u9fff"
CJK_RUN_RE = re.compile(f"[{CJK}]+")
SENTENCE_RE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;”’」』）)]*")
TITLE_RE = re.compile(r"《([^《》\n]{2,60})》")
#: Documents named without 《》 by convention: 党的二十大报告, 十九大报告, 政府工作报告.
REPORT_RE = re.compile(r"(?<!《)(?:党的)?[一二三四五六七八九十]{1,3}大报告|(?<![《\w])政府工作报告")
QUOTE_RE = re.compile(r"[“\"「]([^“”\"「」\n]{2,20})[”\"」]")
#: Strategy-like heads that may follow a quoted name; dropped from the label where
#: the guidelines drop them (“东数西算”工程 → 东数西算).
QUOTE_HEADS = {"工程": True, "格局": True, "战略": False, "行动": False, "计划": False,
               "倡议": False, "行动计划": False, "模式": False}
_QUOTE_HEADS_LONGEST_FIRST = sorted(QUOTE_HEADS, key=len, reverse=True)
#: Action verbs of plans and work reports before a quoted programme name.
SLOGAN_VERB_RE = re.compile(r"(实施|推进|深化|开展|打造|创建|争创|推动|实行|落实|唱好|做强|推广|探索|办好|"
                            r"用好|部署|培育|促进|安排|统筹推进|做好|打响|提升|发展|培育更多)$")
#: Province short name + direction, followed by what makes it an area (粤东地区, 浙中、…).
DIRECTION_RE = re.compile(rf"([{CJK}])(东北|西北|东南|西南|东|西|南|北|中)(?=地区|区域|片区|、|和|与|及|等|，|。|的)")
#: What every DIRECTION_RE match contains; rarely there, and far cheaper to look for.
DIRECTION_GATE_RE = re.compile("[东西南北中](?=地区|区域|片区|、|和|与|及|等|，|。|的)")
#: Words after a place compound that make it a linkage of places, not a word.
LINK_SUFFIXES = ("双城", "联动", "一体化", "同城化", "协同", "合作", "两市", "两地", "两城",
                 "地区", "都市圈", "经济圈", "城市群", "作为", "沿线", "双核", "携手", "共建",
                 "区域", "全面接轨", "接轨", "融合")
#: A linkage word, maybe quoted. The quote is an alternative rather than optional
#: (``[“"]?``) so that the regex engine can skip ahead to a possible first character.
LINK_SUFFIX_RE = re.compile("[“\"](?:{0})|(?:{0})".format("|".join(LINK_SUFFIXES)))
LINKAGE_START = ("联动", "双城", "一体化", "同城化", "“双城", "全面接轨", "融合发展", "协同发展")
LINKAGE_RE = re.compile(r"[“\"]?(?:双城)?[”\"]?(?P<core>联动|一体化|同城化|记|融合发展|协同发展|全面接轨)[”\"]?(?:发展)?")
#: Area words between a place compound and the rest of its name: the border or
#: adjoining area of those places (湘赣边区域合作, 湘鄂渝黔毗邻地区协同机制).
COMPOUND_AREAS = ("毗邻地区", "交界地区", "毗邻", "交界", "边区", "边界", "边")
#: Cooperation words that end a compound-led name without a head word (湘赣边区域合作).
COMPOUND_COOPERATION = ("区域合作", "合作", "协同", "协作", "联动", "一体化", "同城化")
#: A run of place compounds before a cooperation word: 推动苏锡常、宁镇扬、锡常泰等融合发展
#: (the first item may have the verb in front of it).
COMPOUND_RUN_RE = re.compile(rf"(?P<items>[{CJK}]{{2,6}}(?:、[{CJK}]{{2,4}}?)+)等?"
                             rf"(?=[“\"]?(?:双城)?[”\"]?(?:联动|一体化|同城化|融合发展|协同发展))")
#: Heads of a compound-led name: what the places set up together, not a sector or a body.
COMPOUND_NAME_TYPES = frozenset(("Strategy", "Region", "Mechanism"))
#: POS tags of a token that is a word of its own, not a run of short names (通常, 成长).
#: Not a, vg, j, nr …: jieba's guesses for compounds it does not know (济青/a, 汉襄宜/vg).
WORD_TAGS = frozenset("v vd vn d c p r u uj ul uz ud ug uv y e o".split())
#: Verbs that set a place a goal; a positioning follows them (打造国际消费中心城市).
POSITION_FRAMES = frozenset("打造 建设 争创 创建 建成 申建 争建 打造成 建设成 建成为 打造成为 建设成为".split())
#: Heads of positionings: the role a place is to play (…中心城市, …枢纽, …高地, …增长极).
POSITION_GOALS = ("中心城市", "枢纽城市", "节点城市", "枢纽节点", "中心", "枢纽", "高地", "增长极", "目的地",
                  "大都市圈", "大都市")
#: The scope a goal names for itself (全国经济中心, 区域金融中心): what makes a goal listed
#: after the first (打造A中心、B中心) a name rather than a kind.
GOAL_SCOPE_RE = re.compile("全国|国家|国际|全球|世界|区域|省域|东北亚|亚太")
GROUP_REFS = ("两市", "双城", "两地", "两城", "两个城市", "双方")     # each has 两 or 双
THIS_PLACE_RE = re.compile(r"该(市|省|区|县)")
#: Tokens that end a noun phrase when walking left from its head.
BOUNDARY_WORDS = frozenset("""
建立 成立 设立 形成 健全 完善 探索 构建 推动 推进 加强 强化 深化 实施 开展 打造 建设 落地
发挥 提升 促进 实现 加快 支持 鼓励 引导 积极 坚持 依托 围绕 聚焦 推行 优化 提高 增强 有 是
为 将 要 需 需要 能 可以 以 在 对 把 由 于 与 和 及 等 的 之 了 着 过 并 或 也 还 都 更 新建
制定 出台 印发 签署 发布 编制 实行 执行 完成 组建 搭建 培育 做强 做优 壮大 发展 融入 服务
落实 贯彻 参与 利用 通过 作为 包括 其中 已 已经 正 正在 进一步 全面 大力 着力 持续 不断
能 会 可 应 应当 必须 得 能够 需要 聚集 成为 具有 拥有 位于 属于 实施 建成 形成了
争创 创建 壮大 对接 紧密对接 抢占 释放 开工 投向 参与
构筑 筑牢 重塑 重构 聚力 突破 同属 力争 主动 率先 奋力 全力 努力 加速 加力 加紧 抢抓 瞄准 锚定
""".split())
MOD_TAGS = frozenset("n nz vn an a b j l nt ns nr i eng ng nrt v s".split())
MAX_PHRASE = 14
#: Longest text treated as one sentence; longer runs are cut (see :func:`_pieces`).
MAX_SENTENCE = 600
NOUN_TAGS = frozenset("n nz vn j l ng an".split())
#: Verbs that name what an arrangement does and so belong to its name (利益共享机制).
MODIFIER_VERBS = frozenset("""
共享 共担 共建 共管 共治 落实 协商 评价 督导 协调 分配 监管 管理 考核 准入 问责 开发 利用 保护
服务 合作 治理 联动 转化 交易 应用 补偿 监测 预警 激励 约束 保障 对口 帮扶 结对 挂职 会商 创新
联合 统筹""".split())
#: Verbs that launch a programme: what follows them up to a Strategy head is its name.
PROGRAMME_FRAMES = frozenset("实施 开展 推进 深化 部署 启动 完成 创建 争创 组织 推出 谋划 落实 承接".split())
MAX_PROGRAMME = 18
#: Qualifiers that make a technology phrase a kind rather than a named technology.
TECH_QUALIFIERS = frozenset("新兴 新 核心 前沿 关键 高新 先进 共性 公共 通用 底层 基础 数字新 颠覆性 原创".split())
#: Document heads: a Strategy head right before one of them is part of a title.
DOCUMENT_HEADS = ("方案", "规划", "纲要", "意见", "办法", "条例", "计划书")
#: Heads that name a programme only with a place, 国家, or a launching verb in front.
NAMED_ONLY_HEADS = frozenset(("战略", "基地"))
#: Heads of positioning goals, which take exactly one sector in front (数字经济大国).
POSITION_HEADS = frozenset(("大国", "强国", "强省", "强市"))
#: Verbs that set an arrangement up: what follows them up to the head is its name.
ESTABLISH_WORDS = frozenset("""建立 设立 成立 形成 健全 完善 构建 探索 实行 组建 搭建 推行 建起 探索建立
""".split())
#: Verbs that end a phrase even inside a longer token (贯彻落实, 大力发展).
BOUNDARY_SUB_RE = re.compile("|".join(sorted(
    (w for w in BOUNDARY_WORDS if len(w) >= 2 and w not in ("发展", "建设", "服务", "合作")),
    key=len, reverse=True)))
#: Modifiers that say nothing about which thing is meant (全球经济, 重要经济).
GENERIC_MODIFIERS = frozenset("""
全球 世界 国际 国内 区域 全国 重要 主要 相关 有关 各类 各种 各个 一些 这些 整个 多个 新 现有 当前
我国 本国 当地 地方 自身 双方 其他 等同 同类 一定 一批 若干 有效 合理 一流 良好 统一 更 多 大
专项 攻坚 改革 政策 重大 重点 各项 有关部门 争创 创建 所有 特殊 全部 这种 这类 该
""".split())
#: Heads left to other rules: linkages come from place compounds, documents from 《》,
#: and 平台 / 系统 / 网络 name too many ordinary things.
SKIP_HEADS = frozenset("联动 一体化 同城化 平台 系统 网络 规划 纲要 方案 意见 协议 条例 报告 指数 办法 通知 决定 白皮书 指南 部".split())
#: 模式 / 体系 are mechanisms only when the words before them are about governance.
GOVERNANCE_HEADS = frozenset(("模式", "体系"))
GOVERNANCE_RE = re.compile("共建|共管|共享|共担|合作|协同|协调|联合|联席|管理|治理|监管|考核|评价")
PLACE_TYPES = frozenset(("City", "Region"))


@dataclass(frozen=True)
class Mention:
    start: int                      #: offset in Article.text
    end: int
    surface: str
    label: str                      #: canonical label ("" for place groups)
    types: tuple[str, ...]
    rule: str                       #: rule family id, e.g. ``lex.place``
    places: tuple[str, ...] = ()    #: place labels a compound or reference stands for
    nested: bool = False            #: inside a longer mention: an entity, not a relation end

    @property
    def is_place(self) -> bool:
        return bool(self.places) or not PLACE_TYPES.isdisjoint(self.types)

    @property
    def place_labels(self) -> tuple[str, ...]:
        if self.places:
            return self.places
        return (self.label,) if self.is_place else ()


@dataclass(frozen=True)
class Sentence:
    start: int
    text: str
    paragraph: int
    #: the tokens (:meth:`Segmenter.columns`): token i is words[i], tagged tags[i],
    #: at offsets[i]:offsets[i + 1] in the sentence
    words: tuple[str, ...]
    tags: tuple[str, ...]
    offsets: tuple[int, ...]

    @property
    def end(self) -> int:
        return self.start + len(self.text)

    @cached_property
    def bounds(self) -> frozenset[int]:
        """Token boundaries (sentence offsets): where a name may start or end."""
        # tokens cover the text: every end is the next start, or the text's end
        return frozenset([0, len(self.text), *self.offsets[:-1]])


def _hits_by_sentence(hits: Sequence[tuple[int, str]], starts: Sequence[int],
                      ends: Sequence[int]) -> dict[int, list[tuple[int, str]]]:
    """Automaton hits ``(end index, surface)`` over the article, as sentence-relative hits
    of the sentence that contains each (hits across a sentence boundary are dropped,
    as a scan of each sentence would; the order is the automaton's)."""
    out: dict[int, list[tuple[int, str]]] = {}
    for end, surface in hits:
        start = end + 1 - len(surface)
        i = bisect.bisect_right(starts, start) - 1
        if i >= 0 and end < ends[i]:
            out.setdefault(starts[i], []).append((end - starts[i], surface))
    return out


def split_sentences(paragraphs: Sequence[str], offsets: Sequence[int]) -> list[tuple[int, int, str]]:
    """(paragraph index, offset, text) of every sentence.

    >>> split_sentences(["甲。乙！", "丙"], [0, 5])
    [(0, 0, '甲。'), (0, 2, '乙！'), (1, 5, '丙')]
    """
    out = []
    for pi, (para, base) in enumerate(zip(paragraphs, offsets)):
        for m in SENTENCE_RE.finditer(para):
            if m.group().strip():
                for off, piece in _pieces(m.group()):
                    out.append((pi, base + m.start() + off, piece))
    return out


def _pieces(sentence: str) -> list[tuple[int, str]]:
    """A run-on "sentence" (a dump without 。) cut into pieces of at most MAX_SENTENCE
    characters, after a comma where there is one: keeps the work per sentence bounded.

    >>> [len(p) for _, p in _pieces("甲，" * 400)]
    [600, 200]
    """
    out, pos = [], 0
    while len(sentence) - pos > MAX_SENTENCE:
        window = sentence[pos:pos + MAX_SENTENCE]
        cut = max(window.rfind(c) for c in "，,、 ")
        end = pos + (cut + 1 if cut > MAX_SENTENCE // 2 else MAX_SENTENCE)
        out.append((pos, sentence[pos:end]))
        pos = end
    out.append((pos, sentence[pos:]))
    return out


#: What is left after dropping 产业 must name a sector, not qualify one.
QUALIFIER_ENDINGS = ("核心", "支柱", "新兴", "优势", "未来", "重大", "专项", "主导", "特色", "相关",
                     "关联", "实体", "传统", "重点", "基础", "新型", "战略性", "数字", "全部", "其他")


def strip_industry_suffix(label: str) -> str:
    """Canonical Industry label: no trailing 产业 / 行业 / 等 (GUIDELINES.md), unless the
    rest only qualifies (数字经济核心产业, 战略性新兴产业 keep it).

    >>> strip_industry_suffix("生物医药产业"), strip_industry_suffix("产业"), strip_industry_suffix("新兴支柱产业")
    ('生物医药', '产业', '新兴支柱产业')
    """
    for suf in ("产业", "行业", "等"):
        if label.endswith(suf) and len(label) - len(suf) >= 2:
            rest = label[: -len(suf)]
            if suf != "等" and rest.endswith(QUALIFIER_ENDINGS):
                return label
            return rest
    return label


def strip_strategy_suffix(label: str) -> str:
    """Strategy label: quotes removed, 工程 / 格局 dropped (“东数西算”工程 → 东数西算).

    >>> strip_strategy_suffix("“东数西算”工程"), strip_strategy_suffix("“人工智能+”行动")
    ('东数西算', '人工智能+行动')
    """
    bare = re.sub("[“”\"‘’「」『』]", "", label)
    for suf in ("工程", "格局"):
        if bare.endswith(suf) and len(bare) - len(suf) >= 2:
            return bare[: -len(suf)]
    return bare


class MentionFinder:
    """Finds the mentions of one article; holds the article-level memory
    (full place names seen, resolved compounds, the linkage in focus)."""

    def __init__(self, lexicon: Lexicon, segmenter: Segmenter) -> None:
        self.lex = lexicon
        self.seg = segmenter
        self._short_rows = lexicon.short_name_rows
        self._head_by_text, self._head_lens = lexicon.head_index

    # ------------------------------------------------------------------ article
    def find(self, paragraphs: Sequence[str], offsets: Sequence[int]) -> tuple[list[Sentence], list[list[Mention]]]:
        text = "\n".join(paragraphs)
        # one automaton pass over the article: its full place names, and (when the
        # offsets are those of ``text``) every sentence's lexicon hits
        hits = list(self.lex.automaton.iter(text))
        full = self.lex.full_name_of
        self._full_names = {label for _, surface in hits for label in full.get(surface, ())}
        self._lex_cache: dict[int, list[Mention]] = {}
        self._hits: dict[int, list[tuple[int, str]]] | None = None
        self._doc_places = Counter()
        self._compounds: dict[str, tuple[str, ...]] = {}
        #: compound-led name (湘赣边区域合作) → the places of its compound
        self._name_compounds: dict[str, tuple[str, ...]] = {}
        #: linkage label (济青联动) → the places it joins
        self.linkages: dict[str, tuple[str, ...]] = {}
        #: enumerations found: (start, end, head word) in article offsets
        self.enumerations: list[tuple[int, int, str]] = []
        sentences: list[Sentence] = []
        for pi, start, stext in split_sentences(paragraphs, offsets):
            sentences.append(Sentence(start, stext, pi, *self.seg.columns(stext)))
        if tuple(offsets) == paragraph_offsets(paragraphs):
            self._hits = _hits_by_sentence(hits, [s.start for s in sentences],
                                           [s.end for s in sentences])
        # First pass: places the article names, so that compounds can be resolved.
        for s in sentences:
            for m in self._lexicon_mentions(s):
                if m.rule == "lex.place":
                    self._doc_places[m.label] += 1
        self._last_place: dict[str, str] = {}
        self._char_places: dict[str, str | None] = {}   # _resolve_char, once _doc_places is known
        out = []
        for s in sentences:
            ms = self._sentence_mentions(s)
            for m in ms:
                if m.rule == "lex.place":
                    for t in m.types:
                        self._last_place[t] = m.label
            out.append(ms)
        return sentences, out

    # ------------------------------------------------------------------ sentence
    def _sentence_mentions(self, s: Sentence) -> list[Mention]:
        cands: list[Mention] = []
        for rule in MENTION_RULES.values():   # each sees what the rules before it found
            cands += rule.apply(self, s, cands)
        primary = _select(cands)
        starts = [x.start for x in primary]
        # a chosen mention equal to m would be the one covering it: m is not chosen
        # when the mention covering it is another one
        nested = [
            Mention(**{**m.__dict__, "nested": True}) for m in cands
            if m.label and m.rule.startswith("lex")
            and (outer := _covering(primary, starts, m)) is not None and outer != m
            and (m.is_place or outer.rule != "title")
        ]
        enum = self._enumerations(s, primary)
        # enumeration items replace the (untyped or differently cut) spans they cover
        merged = [m for m in primary if _covering_any(enum, m) is None] + enum if enum else primary
        return sorted(set(merged + nested), key=lambda m: (m.start, -m.end, m.label))

    def _bounds(self, s: Sentence) -> frozenset[int]:
        return s.bounds

    def _lexicon_mentions(self, s: Sentence) -> list[Mention]:
        cached = self._lex_cache.get(s.start)
        if cached is not None:
            return cached
        out: list[Mention] = []
        self._lex_cache[s.start] = out
        hits = self._hits.get(s.start, ()) if self._hits is not None else \
            list(self.lex.automaton.iter(s.text))
        if not hits:
            return out
        bounds = self._bounds(s)
        for end, surface in hits:
            start = end + 1 - len(surface)
            if start not in bounds or end + 1 not in bounds:
                continue
            if (surface[0].isascii() or surface[-1].isascii()) and _ascii_glued(s.text, start, end + 1):
                continue  # AI inside OpenAI
            if surface.endswith("+") and re.match(f"[{CJK}A-Za-z]", s.text[end + 1:end + 2]):
                continue  # “人工智能+” inside “人工智能+消费”
            entry = self._choose_entry(surface)
            if entry is None:
                continue
            out.append(Mention(s.start + start, s.start + end + 1, surface,
                               self.label_for(surface, entry), entry.types, f"lex.{entry.kind}"))
        return out

    @staticmethod
    def label_for(surface: str, entry: LexEntry) -> str:
        """Places take their canonical short name (济南市 → 济南, 我国 → 中国);
        industries, technologies, strategies and organisations are labelled as
        written (GUIDELINES.md), the vocabulary's own label becoming an alias."""
        if entry.kind in ("place", "region", "country"):
            return entry.label
        if entry.kind == "industry":
            return strip_industry_suffix(surface)
        if entry.kind == "strategy":
            return strip_strategy_suffix(surface)
        return surface

    def _choose_entry(self, surface: str) -> LexEntry | None:
        for e in self.lex.lookup(surface):
            if e.kind == "place" and surface == e.label and surface != e.label + "市":
                if (e.needs_full_name or surface in self.lex.ambiguous_places) and \
                        e.label not in self._full_names:
                    continue
                if len(surface) < 2:
                    continue
            return e
        return None

    def _titles(self, s: Sentence) -> list[Mention]:
        out = []
        if "报告" in s.text:  # every REPORT_RE match ends in 报告; the test is much cheaper
            for m in REPORT_RE.finditer(s.text):
                out.append(Mention(s.start + m.start(), s.start + m.end(), m.group(), m.group(),
                                   ("PolicyDocument",), "title.report"))
        if "《" not in s.text:
            return out
        for m in TITLE_RE.finditer(s.text):
            inner = m.group(1)
            out.append(Mention(s.start + m.start(), s.start + m.end(), m.group(), inner,
                               ("PolicyDocument",), "title"))
        return out

    def _quotes(self, s: Sentence) -> list[Mention]:
        out = []
        if "“" not in s.text and '"' not in s.text and "「" not in s.text:  # QUOTE_RE's openings
            return out
        prev, chain = None, 0
        for m in QUOTE_RE.finditer(s.text):
            # quotes in a row (推行“拿地即开工”“交地即交证”) share the words before the first
            chain = chain if prev is not None and s.text[prev.end():m.start()] in ("", "、") else m.start()
            prev = m
            inner = m.group(1).strip()
            if not re.search(f"[{CJK}A-Za-z]", inner) or inner in self.lex.stopwords:
                continue
            after = s.text[m.end():m.end() + 4]
            head = next((h for h in _QUOTE_HEADS_LONGEST_FIRST if after.startswith(h)), None)
            known = self._choose_entry(inner)
            if known is not None:
                out.append(Mention(s.start + m.start(), s.start + m.end(), m.group(),
                                   self.label_for(inner, known), known.types, f"quote.{known.kind}"))
            elif head is not None:
                label = inner if QUOTE_HEADS[head] else inner + head
                end = m.end() + len(head)
                out.append(Mention(s.start + m.start(), s.start + end, s.text[m.start():end],
                                   label, ("Strategy",), "quote.head"))
            elif "+" in inner and len(inner) <= 16 and (
                    SLOGAN_VERB_RE.search(s.text[max(0, m.start() - 6):m.start()])
                    or re.match(r"创新联合体|联合体|结对合作|模式|机制|体系|行动|工程", s.text[m.end():])):
                # “人工智能+消费”, “双尖双领+X”: the X+ naming of initiatives; a head after
                # the quote belongs to the name (“科学家+企业家”创新联合体)
                tail = re.match(r"创新联合体|联合体|结对合作|模式|机制|体系", s.text[m.end():])
                if tail:
                    out.append(Mention(s.start + m.start(), s.start + m.end() + tail.end(),
                                       s.text[m.start():m.end() + tail.end()], inner + tail.group(),
                                       ("Mechanism",), "quote.plus"))
                else:
                    out.append(Mention(s.start + m.start(), s.start + m.end(), m.group(), inner,
                                       ("Strategy",), "quote.plus"))
            elif (slogan := self._slogan(s, m, inner, chain=chain)) is not None:
                label, typ, end = slogan
                out.append(Mention(s.start + m.start(), s.start + end, s.text[m.start():end],
                                   label, (typ,), "quote.slogan"))
            elif self._place_before(s, m.start()):
                out.append(Mention(s.start + m.start(), s.start + m.end(), m.group(), inner,
                                   ("Strategy",), "quote.positioning"))
            else:
                typ = self._head_type(inner)
                if typ and len(inner) >= 4:
                    out.append(Mention(s.start + m.start(), s.start + m.end(), m.group(),
                                       inner, (typ,), "quote.headed"))
        return out

    def _slogan(self, s: Sentence, m: re.Match, inner: str, *, chain: int) -> tuple[str, str, int] | None:
        """A quoted programme or practice of a plan or work report: quoted words after
        an action verb (实施“千项万亿”, 深化“亩均论英雄”改革) or before a programme
        head (“数据得地”机制); ``chain`` is where the row of quotes it is part of starts
        (“A”“B” after one verb). Returns (label, type, end offset) or None."""
        if not (2 <= len(inner) <= 12) or re.search(r"[，。！？；：,.!?;:]", inner):
            return None
        if "、" in inner and min(len(x) for x in inner.split("、")) < 2:
            return None  # “人、货、场、链”: a list of things, not a name
        after = s.text[m.end():m.end() + 4]
        before = s.text[max(0, chain - 4):chain]   # before the first quote of a row
        mech = re.match(r"机制|制度|模式", after)
        if mech:
            return inner + mech.group(), "Mechanism", m.end() + mech.end()
        if after.startswith("等"):
            return None  # “人地钱”等核心要素: an enumeration
        if re.match(r"改革|等集成改革|结对合作", after) or re.search(r"(实行|用好|推行|建立|完善)$", before):
            return inner, "Mechanism", m.end()
        if re.match(r"专项行动|攻坚行动|行动|工程|项目|重大项目|建设|品牌|金名片|系列活动|组合拳", after) \
                or SLOGAN_VERB_RE.search(before):
            return inner, "Strategy", m.end()
        return None

    def _place_before(self, s: Sentence, at: int) -> bool:
        """Is the text just before offset ``at`` (sentence-relative) a single place name
        (not the last of an enumeration 广州、深圳“…”)?"""
        for n in (4, 3, 2):
            w = s.text[max(0, at - n):at]
            if len(w) == n and any(e.kind == "place" and e.types == ("City",) for e in self.lex.lookup(w)):
                return s.text[max(0, at - n - 1):at - n] not in ("、", "和", "与", "及")
        return False

    def _head_type(self, phrase: str) -> str | None:
        """Type of the longest head ``phrase`` ends with that it is long enough for."""
        if not phrase:
            return None
        for n in self._head_lens.get(phrase[-1], ()):
            h = self._head_by_text.get(phrase[-n:]) if n <= len(phrase) else None
            if h is not None and len(phrase) >= h.min_len:
                return h.type
        return None

    def _head_ending(self, text: str, end: int, first: int) -> Head | None:
        """The longest head that ends at ``end`` and starts at or after ``first``."""
        for n in self._head_lens.get(text[end - 1], ()):
            if end - n >= first:
                h = self._head_by_text.get(text[end - n:end])
                if h is not None:
                    return h
        return None

    def _head_phrases(self, s: Sentence, *, blocked: list[tuple[int, int]]) -> list[Mention]:
        # token i is words[i] (tags[i]) at offs[i]:offs[i + 1]
        words, tags, offs = s.words, s.tags, s.offsets
        n_tokens = len(words)
        out = []
        text, head_lens = s.text, self._head_lens
        for i in range(n_tokens):
            tok_end = offs[i + 1]
            if tags[i] == "x" or text[tok_end - 1] not in head_lens:   # cheap test first
                continue
            # the head may span tokens (都市 + 圈, 造廊 + 带)
            head = self._head_ending(s.text, tok_end, offs[i - 1] if i else 0)
            if head is None:
                continue
            # do not let a head phrase end in the middle of a longer head token run
            if i + 1 < n_tokens:
                longer = self._head_ending(s.text, offs[i + 2], offs[i])
                if longer is not None and len(longer.head) > len(head.head):
                    continue
            if head.head in SKIP_HEADS:
                continue
            lexical_head = words[i] != head.head and words[i] in self.lex.entries
            head_start = tok_end - len(head.head)
            j = i if offs[i] <= head_start else i - 1
            length = tok_end - offs[j]
            while j > 0:
                prev, prev_tag = words[j - 1], tags[j - 1]
                if not self._modifier(prev, prev_tag, head.type):
                    break
                if prev_tag == "v" and prev not in MODIFIER_VERBS and not (
                        head.type == "Mechanism" and len(prev) >= 2 and j >= 2
                        and words[j - 2] in ESTABLISH_WORDS):
                    break  # 降低, 纳入, 有助于 …: a predicate, not part of the name
                    # (but 建立[统筹]协调机制: what stands between 建立 and 机制 names it)
                if length + len(prev) > MAX_PHRASE:
                    break
                j -= 1
                length += len(prev)
            # a boundary word right before the head, after a noun: 职能部门落实机制
            if j == i and j >= 2 and words[j - 1] in BOUNDARY_WORDS and tags[j - 1] in ("a", "ad", "an", "vn") \
                    and tags[j - 2] in NOUN_TAGS and self._modifier(words[j - 2], tags[j - 2], head.type):
                j -= 2
            # a programme or arrangement named in full between its frame verb and its head:
            # 实施[提振消费专项]行动, 开展[杭甬温要素市场化配置综合改革]试点
            frames = PROGRAMME_FRAMES if head.type == "Strategy" else (
                ESTABLISH_WORDS if head.type == "Mechanism" else frozenset())
            k, span = j - 1, tok_end - offs[j]
            framed = False
            while frames and k >= 0 and tags[k] not in ("x", "uj", "c") and span <= MAX_PROGRAMME:
                if words[k] in frames:
                    if k + 1 < j:
                        j = k + 1
                    framed = True
                    break
                span += len(words[k])
                k -= 1
            while not framed and j < i and (words[j] in GENERIC_MODIFIERS or
                             (tags[j] == "v" and not (words[j] in MODIFIER_VERBS and
                                                      head.type == "Mechanism" and j + 1 == i)
                              and not (j > 0 and (words[j - 1] in ESTABLISH_WORDS
                                                  or words[j - 1] in frames))) or
                             (len(words[j]) == 1 and tags[j] not in ("ns", "j"))):
                j += 1
            if j < i and self._is_place_word(words[j]) and j > 0 and words[j - 1] in ("、", "和", "与", "及"):
                j += 1  # 做强济南、青岛机器人产业基地: the places are enumerated, not part of a name
            while head.type in ("Industry", "Technology") and j < i and self._is_place_word(words[j]):
                j += 1  # 济南总部经济: a place and its industry; the name is 总部经济
            if head.type == "Organization" and not (self._is_place_word(words[j]) or tags[j] == "ns"):
                continue  # 重点实验室, 新型研究型大学: a kind of institution, not one
            if lexical_head and (j == i or head.type != "Technology" or any(
                    t not in ("n", "vn") or w in self.lex.entries or self._is_place_word(w)
                    for w, t in zip(words[j:i], tags[j:i]))):
                continue  # the lexicon pass has the word; only plain nouns may extend a technology
            if head.type == "Industry" and (tok_end - offs[j] > 7 or i - j > 2 or any(
                    any(e.kind in ("industry", "technology") for e in self.lex.lookup(w))
                    for w in words[j:i])):
                continue  # a sector name is short: 湾区经济, 科创金融, not 现代化数字贸易
            if head.type == "Technology" and (words[j] in TECH_QUALIFIERS or any(
                    e.kind in ("industry", "technology") for w in words[j:i] for e in self.lex.lookup(w))):
                continue  # 新兴技术, 人工智能技术: a kind of technology, or one already named
            if i + 1 < n_tokens and words[i + 1].startswith(DOCUMENT_HEADS):
                continue  # …行动方案, …发展规划: part of a document's name
            if not framed and head.head in NAMED_ONLY_HEADS and not (
                    words[j] == "国家" or any(self._is_place_word(w) or t == "ns"
                                             for w, t in zip(words[j:i], tags[j:i]))):
                continue  # 数字产业战略, 省级实验基地: unnamed kinds of strategy or site
            if head.head in POSITION_HEADS and not (
                    j == i - 1 and any(e.kind in ("industry", "technology")
                                       for e in self.lex.lookup(words[j]))):
                continue  # 数字经济大国: a sector and the goal of leading in it
            if head.type == "Region" and j < i and (
                    any(e.kind == "country" for e in self.lex.lookup(words[j]))
                    or tags[j] in ("v", "vn", "a", "d", "ad")):
                continue  # 中国城市群, 协同…城市群: a kind of area or a predicate, not a name
            start, end = offs[j], tok_end
            phrase = s.text[start:end]
            if any(a < s.start + end and s.start + start < b for a, b in blocked):
                continue
            if len(phrase) < head.min_len or phrase in self.lex.stopwords:
                continue
            if phrase == head.head or not re.fullmatch(f"[{CJK}A-Za-z0-9（）()\\-—+]+", phrase):
                continue
            if head.head in GOVERNANCE_HEADS and not GOVERNANCE_RE.search(phrase[: -len(head.head)]):
                continue
            if phrase.endswith("体制机制"):
                continue  # 体制机制: institutions in general, no named arrangement
            label = strip_industry_suffix(phrase) if head.type == "Industry" else phrase
            if label in self.lex.stopwords:
                continue
            if head.type == "Industry" and label == phrase and phrase.endswith(("产业", "行业")):
                continue  # 重大产业, 专项产业: a qualifier and 产业 name no sector
            known = self._choose_entry(phrase)
            if known is not None:
                continue  # the lexicon pass has it, with its canonical label
            out.append(Mention(s.start + start, s.start + end, phrase, label, (head.type,),
                               f"head.{head.type}"))
        return out

    def _modifier(self, word: str, tag: str, head_type: str) -> bool:
        """May the token ``word`` (POS ``tag``) be part of a name with this head type?"""
        if tag not in MOD_TAGS or word in BOUNDARY_WORDS:
            return False
        if tag in ("l", "i") and word not in self.lex.entries and \
                not any(h.head == word for h in self.lex.heads) and \
                not (len(word) == 4 and word[:2] in MODIFIER_VERBS and word[2:] in MODIFIER_VERBS):
            return False  # idioms (高度重视, 积极参与) end a name
        if tag == "nt" and head_type != "Organization":
            return False
        if tag == "ns" and head_type == "Mechanism":
            return False
        if len(word) > 2 and word not in self.lex.entries and BOUNDARY_SUB_RE.search(word):
            return False  # 大力发展, 充分利用, 贯彻落实
        return True

    def _is_place_word(self, word: str) -> bool:
        """A gazetteer place or country (jieba's ns tag also marks 海洋, 湾区, 大国)."""
        return any(e.kind in ("place", "country") for e in self.lex.lookup(word))

    # ------------------------------------------------------------------ places
    def _resolve_char(self, ch: str) -> str | None:
        """The place a one-character short name stands for in this article."""
        try:
            return self._char_places[ch]
        except KeyError:
            place = self._char_places[ch] = self._resolve_char_uncached(ch)
            return place

    def _resolve_char_uncached(self, ch: str) -> str | None:
        cands = list(self.lex.abbreviations.get(ch, ()))
        # first characters of the places this article names
        cands += [p for p in self._doc_places if p.startswith(ch) and p not in cands]
        mentioned = [p for p in cands if p in self._doc_places]
        if mentioned:
            return max(mentioned, key=lambda p: (self._doc_places[p], -cands.index(p)))
        table = self.lex.abbreviations.get(ch, ())
        return table[0] if len(table) == 1 else None

    def resolve_compound(self, word: str) -> tuple[str, ...] | None:
        """Places named by an abbreviation compound such as 济青 or 杭甬温."""
        if word in self._compounds:
            return self._compounds[word]
        entry = self._choose_entry(word)
        if entry is not None and not (entry.kind == "region" and entry.label != word):
            return None  # 京津冀 is a region of its own; 成渝 (成渝地区…) may be a linkage
        places = self._by_level(word, tuple(map(self._resolve_char, word)))
        if all(places) and len(set(places)) == len(places):
            return places
        return None

    def _by_level(self, word: str, places: tuple[str | None, ...]) -> tuple[str | None, ...]:
        """A compound joins places of one level: a character that is unresolved, or read
        at another level than all the others, takes its only reading at theirs (鄂 in
        湘鄂渝黔 is 湖北, not 鄂尔多斯; 苏 in 苏锡常 is 苏州 even where 江苏 is named)."""
        level = self.lex.place_by_label.get
        out = list(places)
        for k, ch in enumerate(word):
            others = {level(p).level for j, p in enumerate(out) if j != k and p and level(p)}
            if len(others) != 1 or (out[k] and level(out[k]) and level(out[k]).level in others):
                continue
            same = [q for q in self.lex.abbreviations.get(ch, ()) if level(q) and level(q).level in others]
            if len(same) == 1:
                out[k] = same[0]
        return tuple(out)

    def leading_compound(self, label: str) -> tuple[str, ...]:
        """Places named by the abbreviation compound a name starts with
        (杭甬温要素市场化配置综合改革试点 → 杭州, 宁波, 温州); () when there is none."""
        if label in self._name_compounds:  # found by :meth:`_compound_names`
            return self._name_compounds[label]
        for n in (3, 2):
            w = label[:n]
            if len(label) > n + 1 and CJK_RUN_RE.fullmatch(w):
                places = self.resolve_compound(w)  # first: rarely any, and cheaper than the test below
                if places and not any(self.lex.lookup(label[:k]) for k in range(n, len(label) + 1)) \
                        and all(p in self._doc_places or len(self.lex.abbreviations.get(ch, ())) == 1
                                for p, ch in zip(places, w)):
                    return places
        return ()

    def _compounds_in(self, s: Sentence) -> list[Mention]:
        out = []
        text = s.text
        # only positions right before a linkage word or at a compound already resolved
        starts = {m.start() - n for m in LINK_SUFFIX_RE.finditer(text) for n in (2, 3)}
        for w in self._compounds:
            at = text.find(w)
            while at >= 0:
                starts.add(at)
                at = text.find(w, at + 1)
        if not starts:
            return out
        bounds = self._bounds(s)
        i = 0
        for nxt in sorted(starts):
            if nxt < i:
                continue
            i = nxt
            if i not in bounds:  # no compound starts inside a token
                i += 1
                continue
            hit = None
            for n in (3, 2):
                w = text[i:i + n]
                if len(w) < n or not CJK_RUN_RE.fullmatch(w):
                    continue
                rest = text[i + n:]
                known = w in self._compounds
                if not known and not rest.lstrip("“\"").startswith(LINK_SUFFIXES):
                    continue
                if self._choose_entry(w) is not None and not rest.startswith(LINKAGE_START):
                    continue
                if i + n not in bounds and not rest.lstrip("“\"").startswith(LINK_SUFFIXES):
                    continue
                if _has_word(s, i, i + n):
                    continue  # 通常合作: an adverb, not 南通 and 常州
                places = self.resolve_compound(w)
                if places:
                    hit = (w, places)
                    break
            if hit:
                w, places = hit
                self._compounds[w] = places
                out.append(Mention(s.start + i, s.start + i + len(w), w, "", ("City",),
                                   "abbr.compound", places=places))
                # 济青联动 / 济青双城联动(发展) / 杭甬“双城记” → the linkage as a Strategy
                link = LINKAGE_RE.match(text[i + len(w):])
                if link:
                    end = i + len(w) + link.end()
                    core = link.group("core")
                    label = w + (core if core in ("联动", "一体化", "同城化") else
                                 re.sub("[“”\"]", "", link.group()))
                    self.linkages[label] = places
                    out.append(Mention(s.start + i, s.start + end, text[i:end],
                                       label, ("Strategy",), "abbr.linkage"))
                i += len(w)
            else:
                i += 1
        return out

    def _compound_groups(self, s: Sentence) -> list[Mention]:
        """Place compounds listed before a linkage word (苏锡常、宁镇扬等融合发展,
        广深、杭甬联动): each is a linkage of its own (苏锡常融合发展, 广深联动)."""
        out: list[Mention] = []
        if "、" not in s.text:   # every run has one; a cheap test first
            return out
        for run in COMPOUND_RUN_RE.finditer(s.text):
            items, at = [], run.start("items")
            for k, item in enumerate(run.group("items").split("、")):
                # the first item: the longest tail that is a compound (推动苏锡常 → 苏锡常)
                tails = [item[-n:] for n in (4, 3, 2) if n <= len(item)] if k == 0 else [item]
                hit = next(((at + len(item) - len(w), w, places) for w in tails
                            if at + len(item) - len(w) in s.bounds
                            and (places := self._group_places(s, at + len(item) - len(w), w))), None)
                if hit is not None:   # (an item of unknown characters is left out: 锡常泰 …)
                    items.append(hit)
                at += len(item) + 1
            if len(items) < 2:
                continue  # one compound is no run; _compounds_in has those
            # each item is a linkage of its own, named as _compounds_in names one
            link = LINKAGE_RE.match(s.text, run.end())
            core = link.group("core")
            suffix = core if core in ("联动", "一体化", "同城化") else re.sub("[“”\"]", "", link.group())
            for i, w, places in items:
                self.linkages[w + suffix] = places
                out.append(Mention(s.start + i, s.start + i + len(w), w, w + suffix, ("Strategy",),
                                   "abbr.group"))
        return out

    def _group_places(self, s: Sentence, i: int, w: str) -> tuple[str, ...] | None:
        """The places of compound ``w`` at sentence offset ``i``, one per character."""
        if not 2 <= len(w) <= 4 or i + len(w) not in s.bounds or _has_word(s, i, i + len(w)):
            return None
        places = self.resolve_compound(w)
        return places if places and len(places) == len(w) else None

    def _compound_names(self, s: Sentence) -> list[Mention]:
        """Names led by a compound of 2–4 place short names: the compound, maybe an
        area word (边, 毗邻地区), then words up to a programme, zone or mechanism head
        or a cooperation word — 湘赣边区域合作, 湘琼先进制造业共建产业园,
        长株潭国家自主创新示范区. The places are kept for :meth:`leading_compound`."""
        out: list[Mention] = []
        text, words, offs = s.text, s.words, s.offsets
        abbreviations = self.lex.abbreviations
        initials = {p[0] for p in self._doc_places}
        for t0 in range(len(words)):
            i = offs[t0]
            if text[i] not in abbreviations and text[i] not in initials:
                continue  # a cheap test first: no short name starts here
            for n in (4, 3, 2):
                found = self._compound_name_at(s, t0, n)
                if found is not None:
                    label, typ, places = found
                    self._name_compounds.setdefault(label, places)
                    out.append(Mention(s.start + i, s.start + i + len(label), label, label,
                                       (typ,), "abbr.name"))
                    break
        return out

    def _compound_name_at(self, s: Sentence, t0: int, n: int) -> tuple[str, str, tuple[str, ...]] | None:
        """(label, type, places) of a compound-led name made of the ``n`` characters
        at token ``t0`` and what follows them, or None."""
        text, words, tags, offs = s.text, s.words, s.tags, s.offsets
        i = offs[t0]
        w = text[i:i + n]
        if len(w) < n or not CJK_RUN_RE.fullmatch(w):
            return None
        # the longest area word after the compound (边 in 湘赣边区域合作, not 边区); the
        # compound and its area word may be one token (闽赣边)
        area = next((a for a in COMPOUND_AREAS if text.startswith(a, i + n)
                     and i + n + len(a) in s.bounds), "")
        if i + n not in s.bounds and not area:
            return None
        if _has_word(s, i, i + n):
            return None  # 通常, 成长: a word of its own
        if i > 0 and text[i - 1] in "与同和跟":
            return None  # 与港澳合作: the partners of an act, not a name
        places = self.resolve_compound(w)
        if not places or len(places) != n:
            return None
        pos = i + n + len(area)
        k = bisect.bisect_left(offs, pos, lo=t0)
        best = None
        while k < len(words) and offs[k + 1] - i <= MAX_PROGRAMME:
            word, tag = words[k], tags[k]
            if tag in ("x", "uj", "c", "p", "r", "d") or word in BOUNDARY_WORDS or (
                    len(word) > 2 and word not in self.lex.entries and BOUNDARY_SUB_RE.search(word)):
                break
            end = offs[k + 1]
            rest = text[pos:end]
            if rest in COMPOUND_COOPERATION:   # not 港澳高水平合作: a qualified act, no name
                best = (end, "Strategy")
            else:
                head = self._head_ending(text, end, pos)
                if head is not None and head.type in COMPOUND_NAME_TYPES and end - i >= head.min_len:
                    best = (end, head.type)
            k += 1
        if best is None:
            return None
        label = text[i:best[0]]
        if self._choose_entry(label) is not None:
            return None  # a lexicon name (长株潭都市圈): the lexicon pass has it
        return label, best[1], places

    def _positionings(self, s: Sentence) -> list[Mention]:
        """Goals set by a frame verb: 打造[全国重要增长极], 建设成为[…的][国家物流枢纽城市],
        打造[全国经济中心]、[国家科技创新中心]和[区域金融中心] → Strategy (a positioning,
        GUIDELINES.md); a clause ending in 的 before a goal is left out of its name; goals
        that only count (一批…中心) and listed ones without a scope (…、科技创新中心) are none."""
        out: list[Mention] = []
        words = s.words
        for k in range(len(words) - 1):
            if words[k] not in POSITION_FRAMES:
                continue
            j = k + 1 + (words[k + 1] in ("成为", "成", "为"))
            listed = False
            while j < len(words):   # one goal, then the next after 、/和/及
                found = self._goal_at(s, j)
                if found is None:
                    break
                start, end, e = found
                label = s.text[start:end]
                if listed and not (GOAL_SCOPE_RE.match(label) or self._is_place_word(words[j])):
                    break  # …中心、科技创新中心: a listed goal without a scope of its own is a kind
                listed = True
                if not (label in self.lex.stopwords or self._choose_entry(label)):
                    out.append(Mention(s.start + start, s.start + end, label, label, ("Strategy",),
                                       "frame.positioning"))
                if e >= len(words) or words[e] not in ("、", "和", "及", "以及"):
                    break
                j = e + 1
        return out

    def _goal_at(self, s: Sentence, j: int) -> tuple[int, int, int] | None:
        """(start, end, end token) of the goal the tokens from ``j`` name, or None."""
        words, tags, offs, text = s.words, s.tags, s.offsets, s.text
        r = j   # the run: up to punctuation, a conjunction or 24 characters
        while r < len(words) and tags[r] != "x" and words[r] not in ("和", "与", "及", "并", "或", "、") \
                and offs[r + 1] - offs[j] <= 24:
            r += 1
        for e in range(r, j, -1):   # the furthest goal that no verb cuts off
            if not text[offs[j]:offs[e]].endswith(POSITION_GOALS):
                continue
            de = [t + 1 for t in range(j, e) if words[t] == "的"]
            first = de[-1] if de else j
            if first < e and not any(words[t] in BOUNDARY_WORDS for t in range(first, e)):
                goal = next(g for g in POSITION_GOALS if text[offs[first]:offs[e]].endswith(g))
                if tags[first] in ("m", "q", "r") or offs[e] - offs[first] < len(goal) + 2:
                    return None  # 一批重点中心: a count of sites; 新中心: no name
                return offs[first], offs[e], e
        return None

    def _directional_regions(self, s: Sentence) -> list[Mention]:
        """A province's short name and a direction: 粤东, 粤西北, 浙中, 苏南 → Region."""
        out = []
        if not DIRECTION_GATE_RE.search(s.text):
            return out
        for m in DIRECTION_RE.finditer(s.text):
            abbr = m.group(1)
            if not any(r.kind == "province" for r in self._short_rows.get(abbr, ())):
                continue
            if m.start() > 0 and re.match(f"[{CJK}]", s.text[m.start() - 1]) and \
                    s.text[m.start() - 1] not in "、和与及在到从":
                continue  # inside a longer word
            label = m.group(1) + m.group(2)
            if self.lex.lookup(label):
                continue  # a real place name (山东, 河南 …)
            out.append(Mention(s.start + m.start(), s.start + m.start() + len(label), label, label,
                               ("Region",), "region.direction"))
        return out

    def _group_refs(self, s: Sentence) -> list[Mention]:
        out: list[Mention] = []
        if "该" not in s.text and "两" not in s.text and "双" not in s.text:  # in every pattern below
            return out
        for m in THIS_PLACE_RE.finditer(s.text):
            want = "City" if m.group(1) == "市" else "Region"
            before = [x for x in self._lexicon_mentions(s) if x.end <= s.start + m.start()
                      and x.rule == "lex.place" and want in x.types]
            last = before[-1].label if before else self._last_place.get(want)
            if last:
                out.append(Mention(s.start + m.start(), s.start + m.end(), m.group(), "", (want,),
                                   "ref.this", places=(last,)))
        for ref in GROUP_REFS:
            if ref not in s.text:
                continue
            for m in re.finditer(re.escape(ref), s.text):
                out.append(Mention(s.start + m.start(), s.start + m.end(), ref, "", ("City",),
                                   "ref.group"))
        return out

    # ------------------------------------------------------------------ enumerations
    def _enum_head(self, tail: str) -> tuple[str, str | None] | None:
        """The head after ``等`` and the type it gives the items: a head word
        (产业 → Industry, 领域 → the items' own types) or a vocabulary word
        (等生产性服务业 → Industry); None when the tail names nothing typed."""
        rest = tail[ENUM_QUALIFIER_RE.match(tail).end():]
        head = ENUM_HEAD_RE.match(rest)
        if head:
            return head.group(), ENUM_HEAD_TYPES[head.group()]
        toks = self.seg.tag(rest)
        ends = {t.end for t in toks[:3] if t.tag in MOD_TAGS - {"v"}}
        nounish = 0
        for t in toks[:3]:
            if t.tag not in MOD_TAGS or t.tag == "v":
                break
            nounish = t.end
        for n in range(min(len(rest), nounish), 1, -1):
            if n not in ends:
                continue
            e = self._choose_entry(rest[:n])
            if e is not None and e.kind in ("industry", "technology"):
                return rest[:n], e.types[0]
            if e is not None and e.kind == "strategy":
                return rest[:n], None  # A、B等国家试点: the items keep their own types
            h = self._head_type(rest[:n])
            if h in ("Industry", "Technology") and rest[:n] not in self.lex.stopwords:
                return rest[:n], h
        return None

    def _enumerations(self, s: Sentence, primary: list[Mention]) -> list[Mention]:
        out: list[Mention] = []
        if "等" not in s.text and "为代表的" not in s.text:   # what ENUM_RE needs; a cheap test
            return out
        for m in ENUM_RE.finditer(s.text):
            items_text = m.group("items")
            base = m.start("items")
            found = self._enum_head(m.group("tail") or "")
            siblings_only = found is None
            if found is None:
                # 以A、B为代表的“新基建”, 芯片、传感器和控制器等新型部件: the known items decide
                found = (m.group("tail"), None)
            head, typ = found
            pos = 0
            items = []
            for part in re.split(r"(、|和|及|以及|与)", items_text):
                if part in ("、", "和", "及", "以及", "与"):
                    pos += len(part)
                    continue
                items.append((base + pos, part))
                pos += len(part)
            known_types = Counter()
            spans = []
            for k, (off, part) in enumerate(items):
                a = s.start + off
                b = a + len(part)
                inside = [p for p in primary if a <= p.start and p.end <= b and p.label]
                if k == 0:
                    # the run may start before the first item (培育壮大海洋清洁能源, 充分发挥以5G):
                    # the item starts after the last verb, preposition or adverb
                    cut = 0
                    for t in self.seg.tag(part):
                        if t.end < len(part) and (t.tag in ("v", "p", "c", "d", "ad", "uj", "r")
                                                  or t.word in BOUNDARY_WORDS
                                                  or (len(t.word) > 2 and BOUNDARY_SUB_RE.search(t.word)
                                                      and t.word not in self.lex.entries)):
                            cut = t.end
                    if len(part) - cut >= 2:
                        a += cut
                    part = s.text[a - s.start:b - s.start]
                    inside = [p for p in inside if p.start >= a]
                full = [p for p in inside if p.start == a and p.end == b]
                if not full:
                    stripped = strip_industry_suffix(part)
                    full = [p for p in inside if p.start == a and p.label == stripped]
                if full:
                    known_types.update(full[0].types)
                spans.append((a, b, part, inside, full))
            if len(spans) < 2:
                continue
            sib = known_types.most_common(1)[0][0] if known_types else None
            if siblings_only and m.group("sep") != "为代表的" and (
                    len(known_types) != 1 or sum(known_types.values()) < 2):
                continue  # too little known to type the rest
            item_type = typ or sib
            if item_type not in ("Industry", "Technology"):
                continue
            self.enumerations.append((spans[0][0], spans[-1][1], head))
            # 在A、B等领域具有优势: the fields a place is strong in are sectors
            strength = typ is None and re.match(r"[^，。；]{0,4}(具有|有|的)?[^，。；]{0,4}(优势|领先|特色)",
                                                s.text[m.end():m.end() + 12])
            for a, b, part, inside, full in spans:
                if full:
                    continue
                if typ is None and strength and len(part) >= 2 and all(
                        t.tag == "n" for t in self.seg.tag(part)):
                    out.append(Mention(a, b, part, part, ("Industry",), "enum.item"))
                    continue
                if siblings_only and 2 <= len(part) <= 6 and all(
                        t.tag in ("n", "nz") for t in self.seg.tag(part)):
                    pass  # typed by its (unanimous, at least two) known siblings
                elif typ is None and not self._head_type(part):
                    continue  # 在A、B等领域: an unknown, unheaded item is not typed by its siblings alone
                # a leading place is the subject, not part of the item (青岛工业互联网)
                lead = [p for p in inside if p.start == a and p.is_place]
                if lead:
                    a = lead[0].end
                    part = part[lead[0].end - lead[0].start:]
                label = strip_industry_suffix(part)
                if not (2 <= len(label) <= 10) or label in self.lex.stopwords:
                    continue
                if not re.fullmatch(f"[{CJK}A-Za-z0-9]+", label) or _verbish(label, self.seg):
                    continue
                known = self._choose_entry(label)
                types = known.types if known else (item_type,)
                out.append(Mention(a, b, s.text[a - s.start:b - s.start],
                                   self.label_for(label, known) if known else label, types,
                                   "enum.item"))
        return out


#: A mention rule: the candidate mentions one rule family finds in a sentence, given
#: the finder (lexicon, segmenter, article memory) and the candidates found before it.
MentionRuleFunction = Callable[[MentionFinder, Sentence, list[Mention]], list[Mention]]


@dataclass(frozen=True)
class MentionRule:
    name: str                   #: the family; its mentions' rule ids start with it
    apply: MentionRuleFunction


#: The mention rules by family, in the order they run. The order matters only where two
#: candidates tie in :func:`_select` (same span, priority and label): the earlier wins.
#: Enumeration items (``enum``) are found after the selection, from the chosen mentions.
MENTION_RULES: dict[str, MentionRule] = {}


def mention_rule(name: str) -> Callable[[MentionRuleFunction], MentionRuleFunction]:
    """Register a mention rule family under ``name`` (a new construction is one more).

    >>> list(MENTION_RULES)
    ['lex', 'title', 'quote', 'head', 'abbr', 'abbr.name', 'abbr.group', 'ref', 'region.direction', 'frame.positioning']
    """
    def register(fn: MentionRuleFunction) -> MentionRuleFunction:
        if name in MENTION_RULES:
            raise ValueError(f"mention rule {name!r} is registered twice")
        MENTION_RULES[name] = MentionRule(name, fn)
        return fn
    return register


def _finder_rule(name: str, method: str, examples: str) -> None:
    """Register the MentionFinder method ``method`` (sentence → mentions) as rule ``name``."""
    def apply(f: MentionFinder, s: Sentence, found: list[Mention]) -> list[Mention]:
        return getattr(f, method)(s)
    apply.__name__, apply.__doc__ = f"{method}_rule", examples
    mention_rule(name)(apply)


_finder_rule("lex", "_lexicon_mentions",
             "Lexicon surface forms at token boundaries: 济南市 → 济南 (lex.place), 集成电路 (lex.industry).")
_finder_rule("title", "_titles", "《…》 → PolicyDocument (title); 政府工作报告 (title.report).")
_finder_rule("quote", "_quotes",
             "Quoted names: “东数西算”工程 (quote.head), 实施“千项万亿” (quote.slogan), “人工智能+消费”.")


@mention_rule("head")
def _head_rule(f: MentionFinder, s: Sentence, found: list[Mention]) -> list[Mention]:
    """Modifiers + a head word: 利益共享机制 (head.Mechanism), 提振消费专项行动 (head.Strategy);
    not inside a title."""
    return f._head_phrases(s, blocked=[(m.start, m.end) for m in found if m.rule in ("title", "title.report")])


_finder_rule("abbr", "_compounds_in",
             "Place compounds before a linkage word: 济青 (abbr.compound) in 济青联动 (abbr.linkage).")
_finder_rule("abbr.name", "_compound_names", "Names led by 2–4 place short names: 湘赣边区域合作, 长株潭国家自主创新示范区.")
_finder_rule("abbr.group", "_compound_groups", "Each compound of a run before a linkage word: 苏锡常、宁镇扬等融合发展.")
_finder_rule("ref", "_group_refs", "两市 / 双城 / 该市 → the places referred to.")
_finder_rule("region.direction", "_directional_regions", "A province's short name and a direction: 粤东, 浙中.")
_finder_rule("frame.positioning", "_positionings", "Goals after a frame verb: 打造[全国重要增长极].")


ENUM_HEAD_TYPES = {"产业": "Industry", "行业": "Industry", "产业集群": "Industry",
                   "业态": "Industry", "技术": "Technology", "新兴技术": "Technology",
                   "信息技术": "Technology", "领域": None, "产业领域": "Industry",
                   "重点领域": None, "重点产业": "Industry", "装备": "Industry",
                   "行业领域": "Industry", "服务业": "Industry", "制造业": "Industry",
                   "新技术": "Technology", "数字技术": "Technology", "应用": None, "方面": None,
                   "消费": "Industry", "服务消费": "Industry", "新增长点": "Industry",
                   "新业态": "Industry", "赛道": None, "新赛道": None}
ENUM_RE = re.compile(
    rf"(?P<items>[{CJK}A-Za-z0-9+]{{2,16}}(?:(?:、|和|及|以及|与)[{CJK}A-Za-z0-9+]{{2,16}})+)"
    rf"(?P<sep>等|为代表的)[“\"]?(?P<tail>[{CJK}]{{0,12}})"
)
#: The longest head word a tail starts with (alternatives are tried in order).
ENUM_HEAD_RE = re.compile("|".join(map(re.escape, sorted(ENUM_HEAD_TYPES, key=len, reverse=True))))
#: Words between 等 and the head that only qualify it (等多个行业领域, 等七大领域).
ENUM_QUALIFIER_RE = re.compile(r"^(?:[多各诸]?[个种类项大]|[一二三四五六七八九十两\d]+[个种类项大]|重点|新兴|优势|特色|"
                               r"战略性新兴|前沿|关键|核心|高端|新型|多种|各类|其他|相关)*")


def _has_word(s: Sentence, a: int, b: int) -> bool:
    """Does a token that lies inside ``a:b`` (sentence offsets) have the POS tag of
    an ordinary word (通常 adverb, 成长 verb)? Tokens that cross ``b`` do not count."""
    offs = s.offsets
    k = bisect.bisect_left(offs, a)
    while k < len(s.words) and offs[k + 1] <= b:
        if s.tags[k] in WORD_TAGS:
            return True
        k += 1
    return False


def _verbish(label: str, seg: Segmenter) -> bool:
    """A verb phrase (优化营商环境, 加快自贸区建设), not a name (租赁商务)."""
    toks = seg.tag(label)
    return len(toks) >= 2 and (toks[0].tag in ("d", "p", "c", "r") or toks[0].word in BOUNDARY_WORDS)


def _ascii_glued(text: str, a: int, b: int) -> bool:
    """An ASCII match glued to more ASCII letters or digits (AI in OpenAI, 5G in 5GHz)."""
    def word(ch: str) -> bool:
        return ch.isascii() and ch.isalnum()
    return (word(text[a]) and a > 0 and word(text[a - 1])) or \
        (word(text[b - 1]) and b < len(text) and word(text[b]))


def _overlaps(a: Mention, b: Mention) -> bool:
    return a.start < b.end and b.start < a.end


RULE_PRIORITY = {"title": 0, "abbr.linkage": 1, "quote.head": 2, "quote.headed": 2, "ref.this": 3,
                 "quote.positioning": 2, "quote.plus": 2, "quote.slogan": 2,
                 "abbr.compound": 3, "abbr.name": 3, "abbr.group": 3, "ref.group": 4,
                 "frame.positioning": 4}


def _select(cands: Iterable[Mention]) -> list[Mention]:
    """Leftmost-longest non-overlapping choice; ties go to the more specific rule.
    O(n log n): the chosen spans are kept sorted and only neighbours are checked."""
    ordered = sorted(cands, key=lambda m: (-(m.end - m.start), RULE_PRIORITY.get(m.rule, 5),
                                           m.start, m.label))
    starts: list[int] = []
    chosen: list[Mention] = []      # sorted by start, pairwise disjoint
    for m in ordered:
        k = bisect.bisect_right(starts, m.start)
        if k > 0 and chosen[k - 1].end > m.start:
            continue
        if k < len(chosen) and chosen[k].start < m.end:
            continue
        starts.insert(k, m.start)
        chosen.insert(k, m)
    return chosen


def _covering(spans: list[Mention], starts: list[int], m: Mention) -> Mention | None:
    """The mention of ``spans`` (sorted, disjoint; ``starts`` their starts) containing ``m``."""
    k = bisect.bisect_right(starts, m.start) - 1
    if k >= 0 and spans[k].start <= m.start and m.end <= spans[k].end:
        return spans[k]
    return None


def _covering_any(spans: list[Mention], m: Mention) -> Mention | None:
    """A mention of ``spans`` that overlaps ``m`` (spans need not be sorted or disjoint)."""
    return next((e for e in spans if _overlaps(m, e)), None)
