"""Training the learned model from gold files, and leave-one-text-out cross-validation.

:func:`train` fits the CRF and the relation classifier on the given gold texts; its two
thresholds and the calibration come from an inner 3-fold split *of those texts*, so in
:func:`cross_validate` nothing of the held-out text reaches any part of the model.
``policykg train`` and ``bench/bench_cv.py`` call these.
"""
from __future__ import annotations

import copy
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from policykg.build.extract import RULES_VERSION, Analysis, Extractor, ExtractorConfig
from policykg.build.learn import (
    FEATURE_VERSION, MODEL_FORMAT, SEED, Candidate, LearnedModel, _spans, blocked, char_features,
    file_digest, fit_platt, gold_tags, span_mention, train_crf, train_logistic,
)
from policykg.build.reader import iter_corpus
from policykg.graph.evaluate import Evaluation, Gold, GoldError, _gold_files, normalise, read_gold, score, score_files
from policykg.graph.model import Article, ArticleGraph
from policykg.graph.rdf import to_dataset

__all__ = ["GoldText", "load_gold_texts", "train", "cross_validate", "CrossValidation"]

#: Thresholds tried (entity span probability, calibrated relation probability).
GRID = (*(round(0.05 * k, 2) for k in range(4, 19)), 0.92, 0.95, 0.97, 0.98, 0.99, 1.01)
#: What the items a threshold adds must reach on the inner folds: they may not dilute
#: the rules' precision (1.01 = add nothing, when no threshold qualifies).
MIN_ADDED_PRECISION = 0.75
INNER_FOLDS = 3


@dataclass
class GoldText:
    """One gold file, its articles, and what is worked out once for all folds."""

    path: Path
    gold: Gold
    articles: list[Article]
    digest: str
    #: normalised gold triple → the sentence fragments its ``# evidence:`` comments quote
    evidence: dict = field(default_factory=dict)
    #: per article: (rules-only graph, rule analysis, CRF inputs, candidates+labels over gold spans)
    prepared: list = field(default_factory=list)


def load_gold_texts(gold_dir: str | os.PathLike[str], corpus_dir: str | os.PathLike[str]) -> list[GoldText]:
    """Each gold file under ``gold_dir`` with the articles of its source file under ``corpus_dir``."""
    by_name: dict[str, list[Article]] = {}
    for a in iter_corpus([Path(corpus_dir)]):
        if isinstance(a, Article):
            by_name.setdefault(re.split(r"[\\/]", a.source)[-1], []).append(a)
    out = []
    for p in _gold_files(gold_dir):
        gold = read_gold(p)
        arts = by_name.get(re.split(r"[\\/]", gold.source)[-1])
        if not arts:
            raise GoldError(f"{p}: its source {gold.source!r} is not among the texts of {corpus_dir}; "
                            "pass the corpus folder that holds it")
        out.append(GoldText(p, gold, arts, file_digest(p), _evidence(p, gold)))
    return out


_EVIDENCE_RE = re.compile(r"^\s*#\s*evidence:\s*(.+?)\s*$")


def _evidence(path: Path, gold: Gold) -> dict[tuple[str, str, str], tuple[str, ...]]:
    """Gold triple (normalised, every alternative) → the ``# evidence:`` quote on the line
    above it: where the gold says the triple is stated."""
    lines = path.read_text(encoding="utf-8").splitlines()
    out: dict[tuple[str, str, str], tuple[str, ...]] = {}
    for rel in gold.relations:
        if not rel.line or rel.line < 2:
            continue
        m = _EVIDENCE_RE.match(lines[rel.line - 2])
        if m:
            for s, p, o in rel.alternatives:
                key = (normalise(s), p, normalise(o))
                out[key] = (*out.get(key, ()), m.group(1))
    return out


def _label(t: GoldText, c: Candidate) -> int | None:
    """1 when the candidate matches a gold triple in a sentence its evidence quotes (or one
    without evidence), 0 when it matches none, None (left out of training) when it matches
    one in a sentence that does not state it."""
    ext = (normalise(c.subject), c.predicate, normalise(c.object))
    hits = [alt for alt in t.gold._alternatives if t.gold.triple_matches(ext, alt)]
    if not hits:
        return 0
    text = c.sentence.text
    for alt in hits:
        quotes = t.evidence.get(alt)
        if not quotes or any(q[:12] in text or text.strip("。；;") in q for q in quotes):
            return 1
    return None


def _prepare(ex: Extractor, t: GoldText) -> None:
    if t.prepared:
        return
    heads = ex.lexicon.head_index[0]
    for art in t.articles:
        graph = ex.extract(art)
        seen: dict = {}

        def with_gold(sentences, mentions, enumerations, seen=seen):  # noqa: ANN001, ANN202
            seen["rule"] = mentions
            seen["enum"] = enumerations
            out = []
            for sent, ms in zip(sentences, mentions):
                extra = [m for a, b, typ in _spans(gold_tags(sent, t.gold))
                         if not blocked(ms, sent.start + a, sent.start + b)
                         and (m := span_mention(sent, sent.start + a, sent.start + b, typ)) is not None]
                out.append(sorted([*ms, *extra], key=lambda m: (m.start, -m.end, m.label)))
            return out

        analysis = ex.analyse(art, extra=with_gold)
        crf = [(char_features(s, ms, seen["enum"], heads), gold_tags(s, t.gold))
               for s, ms in zip(analysis.sentences, seen["rule"]) if s.text.strip()]
        cands = ex.candidates(analysis)
        labels = [_label(t, c) for c in cands]
        rule_only = Analysis(analysis.sentences, seen["rule"], analysis.context, analysis.rules)
        t.prepared.append((graph, rule_only, crf, cands, labels))


def _items(graph: ArticleGraph) -> tuple[set, set]:
    """(entities, relations) of one article graph as the scorer compares them."""
    ents = {(normalise(e.label), typ) for e in graph.entities for typ in e.types}
    rels = {(normalise(r.subject), r.predicate, normalise(r.object)) for r in graph.relations
            if any(not ev.negated for ev in r.evidence)}
    return ents, rels


def _crf_model(texts: Sequence[GoldText]) -> bytes:
    xs, ys = [], []
    for t in texts:
        for *_, crf, _c, _l in t.prepared:
            for x, y in crf:
                xs.append(x)
                ys.append(y)
    return train_crf(xs, ys)


def _lr(texts: Sequence[GoldText]) -> tuple[dict[str, float], float]:
    feats, labels = [], []
    for t in texts:
        for *_, cands, labs in t.prepared:
            kept = [(c, y) for c, y in zip(cands, labs) if y is not None]
            feats.extend(c.features for c, _ in kept)
            labels.extend(y for _, y in kept)
    return train_logistic(feats, labels)


def _best(rows: dict[float, tuple[int, int, int, int]], added: dict[float, tuple[int, int, int, int]]) -> float:
    """The threshold of the highest F1 (ties: the higher threshold) among those whose
    added items reach MIN_ADDED_PRECISION."""
    def f1(c: tuple[int, int, int, int]) -> float:
        tp_p, n_p, tp_r, n_r = c
        p = tp_p / n_p if n_p else 0.0
        r = tp_r / n_r if n_r else 0.0
        return 2 * p * r / (p + r) if p + r else 0.0
    ok = [t for t in rows if not added[t][1] or added[t][0] >= MIN_ADDED_PRECISION * added[t][1]]
    return max(ok, key=lambda t: (round(f1(rows[t]), 6), t))


def _add(acc: dict, key: float, row) -> None:  # noqa: ANN001
    old = acc.get(key, (0, 0, 0, 0))
    acc[key] = (old[0] + row.tp_p, old[1] + row.n_p, old[2] + row.tp_r, old[3] + row.n_r)


def train(texts: Sequence[GoldText], *, seed: int = SEED, extractor: Extractor | None = None) -> LearnedModel:
    """A model trained on ``texts`` only (thresholds and calibration by inner folds)."""
    ex = extractor or Extractor(ExtractorConfig(rules_only=True))
    texts = sorted(texts, key=lambda t: t.path.name)
    for t in texts:
        _prepare(ex, t)
    ent_rows: dict[float, tuple] = {}
    ent_added: dict[float, tuple] = {}
    inner: list[tuple[GoldText, LearnedModel]] = []
    heads = ex.lexicon.head_index[0]
    k = min(INNER_FOLDS, len(texts))
    for fold in range(k):
        held = [t for i, t in enumerate(texts) if i % k == fold]
        rest = [t for i, t in enumerate(texts) if i % k != fold] or held
        weights, intercept = _lr(rest)
        m = LearnedModel(_crf_model(rest), weights, intercept, (1.0, 0.0), 0.0, 0.0)
        for t in held:
            inner.append((t, m))
            spans = []
            for graph, a, *_ in t.prepared:
                ents, _r = _items(graph)
                found = [(normalise(sm.label), sm.types[0], prob)
                         for sent, ms in zip(a.sentences, a.mentions)
                         for x, y, typ, prob in m.spans(sent, ms, a.context.enumerations, heads)
                         if not blocked(ms, x, y)
                         and (sm := span_mention(sent, x, y, typ)) is not None]
                spans.append((ents, found))
            for th in GRID:
                base = set().union(*(e for e, _ in spans))
                ents = set().union(*({(lab, typ) for lab, typ, p in f if p >= th} for _, f in spans))
                _add(ent_rows, th, score(t.gold, base | ents, ()).entity("ALL"))
                _add(ent_added, th, score(t.gold, ents - base, ()).entity("ALL"))
    ent_th = _best(ent_rows, ent_added)
    # relations: candidates over the rule mentions plus the inner CRF's spans at ent_th
    oof: list[tuple[float, int]] = []
    per_text: list[tuple[GoldText, set, list[tuple[Candidate, float]]]] = []
    for t, m in inner:
        m = LearnedModel(m.crf, m.weights, m.intercept, m.platt, ent_th, 0.0)
        ex_m = _with_model(ex, m)
        rule_rels: set = set()
        scored = []
        for art, (graph, *_r) in zip(t.articles, t.prepared):
            rule_rels |= _items(graph)[1]
            for c in ex_m.candidates(ex_m.analyse(art)):
                s = m.score(c.features)
                scored.append((c, s))
                y = _label(t, c)
                if y is not None:
                    oof.append((s, y))
        per_text.append((t, rule_rels, scored))
    platt = fit_platt([s for s, _ in oof], [y for _, y in oof], seed=seed)
    rel_rows: dict[float, tuple] = {}
    rel_added: dict[float, tuple] = {}
    for t, rule_rels, scored in per_text:
        probs = [(c, _calibrated(platt, s)) for c, s in scored]
        for th in GRID:
            rels = {(normalise(c.subject), c.predicate, normalise(c.object))
                    for c, p in probs if p >= th} - rule_rels
            _add(rel_rows, th, score(t.gold, (), rule_rels | rels).relation("ALL"))
            _add(rel_added, th, score(t.gold, (), rels).relation("ALL"))
    rel_th = _best(rel_rows, rel_added)
    weights, intercept = _lr(texts)
    provenance = {
        "gold": {t.path.name: t.digest for t in texts},
        "seed": seed, "model_format": MODEL_FORMAT, "features": FEATURE_VERSION,
        "rules": RULES_VERSION, "trainer": "python-crfsuite lbfgs + sklearn liblinear logistic regression",
        "inner_folds": k,
    }
    return LearnedModel(_crf_model(texts), weights, intercept, platt, ent_th, rel_th, provenance)


def _with_model(ex: Extractor, model: LearnedModel) -> Extractor:
    """``ex`` (its lexicon and segmenter shared) extracting with ``model``."""
    out = copy.copy(ex)
    out.model = model
    return out


def _calibrated(platt: tuple[float, float], s: float) -> float:
    return LearnedModel(b"", {}, s, platt, 0.0, 0.0).probability(())


@dataclass(frozen=True)
class CrossValidation:
    rules: Evaluation           #: rules alone (seen on every text)
    learned: Evaluation         #: rules + the model trained without the scored text
    thresholds: tuple[tuple[str, float, float], ...]  #: (held-out file, entity, relation)


def cross_validate(texts: Sequence[GoldText], *, folds: int | None = None, seed: int = SEED,
                   progress=None) -> CrossValidation:  # noqa: ANN001
    """Leave-one-text-out (or ``folds`` groups of texts): train on the rest, score the held-out."""
    ex = Extractor(ExtractorConfig(rules_only=True))
    texts = sorted(texts, key=lambda t: t.path.name)
    for t in texts:
        _prepare(ex, t)
    k = folds or len(texts)
    graphs, rules_graphs, ths = [], [], []
    for fold in range(k):
        held = [t for i, t in enumerate(texts) if i % k == fold]
        rest = [t for i, t in enumerate(texts) if i % k != fold]
        m = train(rest, seed=seed, extractor=ex)
        ex_m = _with_model(ex, m)
        for t in held:
            graphs.extend(ex_m.extract(a) for a in t.articles)
            rules_graphs.extend(p[0] for p in t.prepared)
            ths.append((t.path.name, m.entity_threshold, m.relation_threshold))
        if progress:
            progress(fold, k, m)
    paths = [t.path for t in texts]
    return CrossValidation(score_files(paths, to_dataset(rules_graphs)),
                           score_files(paths, to_dataset(graphs)), tuple(ths))
