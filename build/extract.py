"""Article → :class:`~policykg.graph.model.ArticleGraph`: a pipeline of named stages.

======================  ============================================================
stage                   what it does
======================  ============================================================
``segment``             jieba / rjieba tokens with POS tags, lexicon words added
``mentions``            typed mentions (:mod:`policykg.build.mentions`)
``entities``            canonical labels, aliases and types merged per label
``relations``           cue and pattern rules (:mod:`policykg.build.relations`)
``learned``             CRF spans added to the mentions (before ``entities``) and
                        classified mention pairs added to the relations
                        (:mod:`policykg.build.learn`); off with ``rules_only``
======================  ============================================================

>>> ex = Extractor()
>>> from policykg.graph.model import Article
>>> art = Article(id="t-1", source="t.txt", index=1, title="t", authors=(), affiliations=(),
...               paragraphs=("济南、青岛两市加快推动济青联动。",))
>>> g = ex.extract(art)
>>> [(r.subject, r.predicate, r.object) for r in g.relations if r.predicate == "coordinatesWith"]
[('济南', 'coordinatesWith', '青岛')]
"""
from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from policykg.build.learn import Candidate, LearnedModel, candidates, fired_rules, read_model
from policykg.build.lexicon import Lexicon, load_lexicon
from policykg.build.mentions import Mention, MentionFinder, Sentence
from policykg.build.relations import Context, RelationCollector, article_context, extract_relations
from policykg.build.segment import make_segmenter
from policykg.graph.model import Article, ArticleGraph, Entity

#: Bump when a rule changes: incremental builds re-extract everything then.
RULES_VERSION = "3"

#: Which mention rule decides an entity's types when several disagree.
TYPE_AUTHORITY = ("lex", "quote.", "title", "abbr.linkage", "region", "head", "enum")
MECHANISM_VARIANTS = re.compile(r"(制度|机制)$")


@cache
def _authority(rule: str) -> int:
    """Rank in TYPE_AUTHORITY of the family ``rule`` belongs to; len(TYPE_AUTHORITY) if none."""
    return next((k for k, family in enumerate(TYPE_AUTHORITY) if rule.startswith(family)),
                len(TYPE_AUTHORITY))


@dataclass(frozen=True)
class ExtractorConfig:
    segmenter: str = "rjieba"
    min_confidence: float = 0.0
    rules_only: bool = False        #: build without the learned model
    model_path: str | None = None   #: the model file; None = the shipped one


@dataclass(frozen=True)
class Analysis:
    """What the mention and relation stages found in one article (before entities)."""

    sentences: list[Sentence]
    mentions: list[list[Mention]]
    context: Context
    rules: RelationCollector


def extractor_version(segmenter: str = "rjieba", *, lexicon: Lexicon | None = None,
                      model: str = "rules-only") -> str:
    """The version of the extraction an :class:`Extractor` with ``segmenter`` does:
    changes whenever the lexicons, the rules or the model (its digest) change.

    >>> extractor_version("jieba", model=read_model().digest) == Extractor(ExtractorConfig(segmenter="jieba")).version
    True
    """
    return f"{RULES_VERSION}-{(lexicon or load_lexicon()).version}-{segmenter}-{model}"


class Extractor:
    """Holds the lexicon and the segmenter; :meth:`extract` is pure per article."""

    def __init__(self, config: ExtractorConfig | None = None, *, lexicon: Lexicon | None = None,
                 model: LearnedModel | None = None) -> None:
        self.config = config or ExtractorConfig()
        #: ``model`` given (cross-validation) wins over the configured file
        self.model = model if model is not None or self.config.rules_only else read_model(self.config.model_path)
        self.lexicon = lexicon or load_lexicon()
        self.segmenter = make_segmenter(self.config.segmenter, words=self.lexicon.jieba_words())
        self._parents = {label: e.parent for label, e in self.lexicon.place_by_label.items()
                         if e.parent and e.level in ("prefecture", "county")}
        members: dict[str, tuple[str, ...]] = {}
        for ents in self.lexicon.entries.values():
            for e in ents:
                if e.members:
                    members[e.label] = e.members
        self._members = members
        self._cities = frozenset(label for label, e in self.lexicon.place_by_label.items()
                                 if "City" in e.types)

    @property
    def version(self) -> str:
        """Changes whenever the lexicons or the rules change."""
        return extractor_version(self.config.segmenter, lexicon=self.lexicon,
                                 model=self.model.digest if self.model else "rules-only")

    def analyse(self, article: Article, *, extra: Callable[..., list[list[Mention]]] | None = None) -> Analysis:
        """Mentions (the model's spans added) and the rules' relations of ``article``;
        ``extra(sentences, mentions, enumerations)`` replaces the model's spans (training)."""
        finder = MentionFinder(self.lexicon, self.segmenter)
        sentences, mentions = finder.find(article.paragraphs, article.paragraph_offsets)
        if extra is None and self.model is not None:
            heads = self.lexicon.head_index[0]
            mentions = self.model.add_mentions(sentences, mentions, finder.enumerations, heads,
                                               threshold=max(self.model.entity_threshold,
                                                             self.config.min_confidence))
        elif extra is not None:
            mentions = extra(sentences, mentions, finder.enumerations)
        named = dict.fromkeys(m.label for ms in mentions for m in ms
                              if m.label and not {"Strategy", "Region", "Mechanism"}.isdisjoint(m.types))
        name_places = {label: finder.leading_compound(label) for label in named}
        ctx = article_context(article.id, sentences, mentions, finder.linkages,
                              self._parents, self._members, finder.enumerations,
                              {k: v for k, v in name_places.items() if v}, self._cities)
        return Analysis(sentences, mentions, ctx, extract_relations(sentences, mentions, ctx, text=article.text))

    def candidates(self, a: Analysis) -> list[Candidate]:
        """The learned part's candidate pairs of every sentence of ``a``."""
        fired = fired_rules(a.rules.relations())
        topics = frozenset(filter(None, (a.context.article_topic, *a.context.paragraph_topics.values())))
        return [c for sent, ms in zip(a.sentences, a.mentions)
                for c in candidates(sent, ms, cities=self._cities, enumerations=a.context.enumerations,
                                    topics=topics, fired=fired)]

    def extract(self, article: Article) -> ArticleGraph:
        a = self.analyse(article)
        mentions = a.mentions
        relations = a.rules.relations(min_confidence=self.config.min_confidence)
        if self.model is not None and self.model.relation_threshold <= 1.0:  # > 1: keeps none
            learned = self.model.relations(self.candidates(a), article.id,
                                           known=[(r.subject, r.predicate, r.object) for r in relations],
                                           min_confidence=self.config.min_confidence)
            relations = sorted([*relations, *learned], key=lambda r: (r.subject, r.predicate, r.object))
        entities, counts = self._entities(article, [m for ms in mentions for m in ms])
        labels = {e.label for e in entities}
        # a relation end that is no entity (e.g. a place only named by a compound) becomes one
        extra = []
        for r in relations:
            for lab in (r.subject, r.object):
                if lab not in labels:
                    e = self._entity_for(lab)
                    if e is not None:
                        extra.append(e)
                        labels.add(lab)
        relations = [r for r in relations if r.subject in labels and r.object in labels]
        entities = tuple(sorted([*entities, *extra], key=lambda e: e.label))
        return ArticleGraph(article, entities, tuple(relations), tuple(sorted(counts.items())))

    def _entity_for(self, label: str) -> Entity | None:
        place = self.lexicon.place_by_label.get(label)
        if place is not None:
            return Entity(label, place.types, (), place.adcode)
        for e in self.lexicon.lookup(label):
            return Entity(e.label, tuple(sorted(e.types)), (), e.adcode)
        return None

    def _entities(self, article: Article, mentions: list[Mention]) -> tuple[list[Entity], Counter]:
        by_label: dict[str, list[Mention]] = defaultdict(list)
        for m in mentions:
            if m.label:
                by_label[m.label].append(m)
        counts = Counter({k: len(v) for k, v in by_label.items()})
        out = []
        for label, ms in by_label.items():
            ranks = [_authority(m.rule) for m in ms]
            best = min(ranks)
            types: set[str] = set()
            if best < len(TYPE_AUTHORITY):
                types = {t for m, rank in zip(ms, ranks) if rank == best for t in m.types}
            if not types:  # a rule family not ranked above: trust its own types
                types = {t for m in ms for t in m.types}
            aliases = tuple(sorted({m.surface.strip("“”《》\"") for m in ms} - {label}))
            adcode = None
            place = self.lexicon.place_by_label.get(label)
            if place is not None and any(m.rule == "lex.place" for m in ms):
                adcode = place.adcode
            out.append(Entity(label, tuple(sorted(types)), aliases, adcode))
        # authors' affiliations are organisations of the article
        for aff in article.affiliations:
            if aff not in by_label:
                out.append(Entity(aff, ("Organization",), ()))
                counts[aff] += 1
        return out, counts
