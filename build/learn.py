"""Learned entity spans and relations beside the rules (issue 14), trained from gold files.

Two parts, both trained only from annotated examples and applied *after* the rules,
whose output they read as features:

- **entity spans**: a linear-chain CRF (python-crfsuite) over the characters of each
  sentence, with character n-grams, jieba tokens and POS, the rule mentions covering
  the character (type and rule family), heads.tsv head words, quote / 《》 context and
  enumeration runs as features. A span it finds is kept only where no rule mention
  overlaps it (rules take precedence) and its probability (the lowest per-character
  marginal) reaches a threshold chosen by cross-validation on the training files;
- **relations**: a logistic regression over candidate pairs of mentions of one sentence
  whose types fit the predicate's domain and range (``ontology/shapes.ttl``), with cue
  words between and around the pair, order, distances in tokens and clauses, shared
  enumerations, containment, the sentence subject, the article's linkage topic and which
  relation rules fired as features. Its probability is Platt-calibrated on out-of-fold
  scores of the training files; a pair is kept above a threshold chosen the same way.

Training labels come from the gold files: gold names (labels and aliases) found in the
text label the characters; gold triples label candidate pairs. Nothing from the gold goes
into a lexicon or a rule.

The model is one JSON file (``ontology/models/learned.json``) holding the CRF's model
bytes (base64), the classifier's non-zero weights, the thresholds and its provenance
(gold files and their SHA-256, feature version, seed). Same inputs, same bytes.

>>> sorted(DOMAIN_RANGE["specializesIn"][1])
['Industry', 'Technology']
>>> _bucket(7, (0, 1, 2, 5, 10, 20))
'10'
"""
from __future__ import annotations

import base64
import bisect
import hashlib
import json
import math
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from itertools import repeat
from pathlib import Path

from policykg.build.mentions import Mention, Sentence
from policykg.build.relations import CLAUSE_RE
from policykg.graph.evaluate import Gold
from policykg.graph.model import Evidence, Relation
from policykg.ontology.namespace import ENTITY_TYPES, PREDICATES, SYMMETRIC_PREDICATES

__all__ = ["MODEL_FORMAT", "FEATURE_VERSION", "SEED", "ModelError", "LearnedModel",
           "default_model_path", "parse_model", "read_model", "to_model_bytes", "write_model",
           "DOMAIN_RANGE", "RETRAIN"]

#: Bump when the file layout changes.
MODEL_FORMAT = 1
#: Bump when a feature changes: a model trained on other features is refused.
FEATURE_VERSION = "1"
SEED = 14
#: What every model error says to do.
RETRAIN = "run `policykg train tests/data/gold corpus/` to rebuild it"
ENTITY_RULE = "model.crf"
RELATION_RULE = "model.relation"
#: Candidate pairs further apart than this many clauses are not considered.
MAX_CLAUSE_GAP = 3
_STRIP = "“”\"《》‘’「」"
_PUNCT = re.compile(r"^[\W_]+$")


class ModelError(RuntimeError):
    """A model file that is missing, unreadable or made for other code."""


@cache
def _shapes() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """predicate → (subject classes, object classes) read from ontology/shapes.ttl."""
    import rdflib
    from rdflib.collection import Collection
    from rdflib.namespace import SH

    g = rdflib.Graph().parse(str(files("policykg.ontology").joinpath("shapes.ttl")), format="turtle")

    def classes(node: rdflib.term.Node) -> frozenset[str]:
        out = {str(c).rsplit("#", 1)[-1] for c in g.objects(node, SH["class"])}
        for lst in g.objects(node, SH["or"]):
            for alt in Collection(g, lst):
                out |= {str(c).rsplit("#", 1)[-1] for c in g.objects(alt, SH["class"])}
        return frozenset(ENTITY_TYPES) if out in ({"Entity"}, set()) else frozenset(out)

    result = {}
    for shape, pred in g.subject_objects(SH.targetSubjectsOf):
        name = str(pred).rsplit("#", 1)[-1]
        prop = next(p for p in g.objects(shape, SH.property)
                    if g.value(p, SH.path) == pred)
        result[name] = (classes(shape), classes(prop))
    return result


class _DomainRange(dict):
    def __missing__(self, key: str) -> tuple[frozenset[str], frozenset[str]]:
        return _shapes()[key]


#: predicate → (types a subject may have, types an object may have), from the shapes
DOMAIN_RANGE: dict[str, tuple[frozenset[str], frozenset[str]]] = _DomainRange()


def _bucket(n: int, edges: Sequence[int]) -> str:
    """The smallest edge ≥ n, or ``>last``."""
    for e in edges:
        if n <= e:
            return str(e)
    return f">{edges[-1]}"


# ----------------------------------------------------------------------- entity features


def _family(rule: str) -> str:
    return ".".join(rule.split(".")[:2])


def char_features(sent: Sentence, mentions: Sequence[Mention], enumerations: Sequence[tuple[int, int, str]],
                  heads: dict) -> list[list[str]]:
    """One feature list per character of ``sent`` (mentions in article offsets)."""
    text = sent.text
    n = len(text)
    pad = f"^^{text}$$"
    tok_of = [0] * n
    for k, a in enumerate(sent.offsets):
        b = sent.offsets[k + 1] if k + 1 < len(sent.offsets) else n
        for i in range(a, min(b, n)):
            tok_of[i] = k
    cover: list[str | None] = [None] * n
    for m in sorted(mentions, key=lambda m: (m.nested, m.start - m.end)):  # outer, longest first
        if not m.label or not m.types:
            continue
        a, b = m.start - sent.start, m.end - sent.start
        for i in range(max(a, 0), min(b, n)):
            if cover[i] is None:
                pos = "B" if i == a else "I"
                cover[i] = f"{pos}-{m.types[0]}|{_family(m.rule)}"
    in_enum = [False] * n
    for a, b, _ in enumerations:
        for i in range(max(a - sent.start, 0), min(b - sent.start, n)):
            in_enum[i] = True
    quote = book = 0
    out = []
    for i, c in enumerate(text):
        if c in "“「\"":
            quote = 1 - quote if c == "\"" else 1
        elif c in "”」":
            quote = 0
        elif c == "《":
            book = 1
        elif c == "》":
            book = 0
        k = tok_of[i]
        w, tag = sent.words[k], sent.tags[k]
        a = sent.offsets[k]
        b = a + len(w)
        pos = "S" if b - a == 1 else "B" if i == a else "E" if i == b - 1 else "M"
        j = i + 2
        f = ["b", "c=" + c, "c-1=" + pad[j - 1], "c+1=" + pad[j + 1], "c-2=" + pad[j - 2],
             "c+2=" + pad[j + 2], "b-1=" + pad[j - 1] + c, "b+1=" + c + pad[j + 1],
             "t=" + pad[j - 1:j + 2], "tok=" + pos + tag, "tag=" + tag,
             "tag-1=" + (sent.tags[k - 1] if k else "^"),
             "tag+1=" + (sent.tags[k + 1] if k + 1 < len(sent.tags) else "$")]
        if len(w) <= 6:
            f.append("w=" + w)
        h = heads.get(w)
        if h is not None:
            f.append("head=" + h.type)
        if cover[i]:
            f.append("rm=" + cover[i])
            f.append("rt=" + cover[i].split("|")[0])
        if quote:
            f.append("quote")
        if book:
            f.append("book")
        if in_enum[i]:
            f.append("enum")
        out.append(f)
    return out


def _spans(tags: Sequence[str]) -> list[tuple[int, int, str]]:
    """(start, end, type) of the B-/I- runs of BIO ``tags`` (an I- of another type starts a run).

    >>> _spans(["O", "B-City", "I-City", "I-Region", "B-Industry", "O"])
    [(1, 3, 'City'), (3, 4, 'Region'), (4, 5, 'Industry')]
    """
    out: list[tuple[int, int, str]] = []
    start, typ = -1, ""
    for i, t in enumerate([*tags, "O"]):
        if start >= 0 and (t == "O" or t.startswith("B-") or t[2:] != typ):
            out.append((start, i, typ))
            start = -1
        if t.startswith("B-") or (t.startswith("I-") and start < 0):
            start, typ = i, t[2:]
    return out


def gold_tags(sent: Sentence, gold: Gold) -> list[str]:
    """BIO tags of ``sent``: gold names (labels, aliases; ≥ 2 characters) found in it,
    longest first, each tagged with its entity's main type."""
    tags = ["O"] * len(sent.text)
    for name, typ in _gold_names(gold):
        at = sent.text.find(name)
        while at >= 0:
            span = range(at, at + len(name))
            if all(tags[i] == "O" for i in span):
                tags[at] = "B-" + typ
                for i in span[1:]:
                    tags[i] = "I-" + typ
            at = sent.text.find(name, at + 1)
    return tags


@cache
def _gold_names_cached(key: tuple[tuple[str, str], ...]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted(set(key), key=lambda x: (-len(x[0]), x)))


def _gold_names(gold: Gold) -> tuple[tuple[str, str], ...]:
    return _gold_names_cached(tuple((n, e.type) for e in gold.entities
                                    for n in (e.label, *e.aliases) if len(n.strip(_STRIP)) >= 2))


# ----------------------------------------------------------------------- relation features


@dataclass(frozen=True)
class End:
    """One possible relation end in a sentence."""

    label: str
    types: frozenset[str]
    start: int          #: article offsets
    end: int
    rule: str


def sentence_ends(ms: Sequence[Mention], cities: frozenset[str]) -> list[End]:
    """Labelled mentions, and the places a compound stands for, sorted by position."""
    seen: dict[tuple[str, int], End] = {}
    for m in ms:
        if m.label and m.types:
            seen.setdefault((m.label, m.start), End(m.label, frozenset(m.types), m.start, m.end, m.rule))
        for p in m.places:
            typ = frozenset({"City"} if p in cities else {"Region"})
            seen.setdefault((p, m.start), End(p, typ, m.start, m.end, m.rule + ".place"))
    return sorted(seen.values(), key=lambda e: (e.start, -e.end, e.label))


@dataclass(frozen=True)
class Candidate:
    subject: str
    predicate: str
    object: str
    sentence: Sentence
    features: tuple[str, ...]


def _clause_index(text: str) -> list[int]:
    out = [0] * (len(text) + 1)
    k = 0
    for m in CLAUSE_RE.finditer(text):
        for i in range(m.start(), m.end()):
            out[i] = k
        k += 1
    out[len(text)] = k
    return out


def candidates(sent: Sentence, ms: Sequence[Mention], *, cities: frozenset[str],
               enumerations: Sequence[tuple[int, int, str]], topics: frozenset[str],
               fired: dict[tuple[str, str, str], frozenset[str]]) -> list[Candidate]:
    """Candidate triples of one sentence with their features; ``fired`` maps the triples
    the rules found in this article to the rule families that found them."""
    ends = sentence_ends(ms, cities)
    if len(ends) < 2:
        return []
    base = sent.start
    clause = _clause_index(sent.text)
    starts = list(sent.offsets)

    def tok(off: int) -> int:
        return max(bisect.bisect_right(starts, off - base) - 1, 0)

    pair_rules: dict[frozenset[str], set[str]] = defaultdict(set)
    for (s, p, o), fams in fired.items():
        pair_rules[frozenset((s, o))].add(p)
    first = ends[0].label
    # verbs of the sentence with their clause: the cue words of a pair's clauses
    verbs = [(clause[min(off, len(sent.text))], w)
             for w, t, off in zip(sent.words, sent.tags, sent.offsets) if t.startswith("v")]
    out = []
    for i, a in enumerate(ends):
        for b in ends[i + 1:]:
            if a.label == b.label or a.end > b.start:
                continue
            gap = clause[b.start - base] - clause[min(a.end - base, len(sent.text)) - 1 if a.end > a.start else 0]
            if gap > MAX_CLAUSE_GAP and a.label != first:
                continue
            ta, tb = tok(a.end), tok(b.start)
            between = sent.words[tok(a.end - 1) + 1:tb] if tb > ta else ()
            btext = sent.text[a.end - base:b.start - base]
            common = ["dt=" + _bucket(len(between), (0, 1, 2, 5, 10, 20)),
                      "dc=" + _bucket(gap, (0, 1, 2, 3))]
            ws = between if len(between) <= 8 else (*between[:3], *between[-3:])
            common += ["bw=" + w for w in sorted(set(ws)) if not _PUNCT.match(w) or w in "、，；"]
            if len(btext) <= 4:
                common.append("bt=" + btext)
            k0 = tok(a.start - 1) if a.start > base else -1
            common.append("l1=" + (sent.words[k0] if k0 >= 0 and a.start > base else "^"))
            k1 = tok(b.end)
            common.append("r1=" + (sent.words[k1] if b.end - base < len(sent.text) else "$"))
            if k1 + 1 < len(sent.words):
                common.append("r2=" + sent.words[k1 + 1])
            here = (clause[a.start - base], clause[b.start - base])
            common += ["cv=" + v for v in sorted({w for k, w in verbs if k in here})]
            if any(x <= a.start and b.end <= y for x, y, _ in enumerations):
                common.append("enum")
            if a.label in b.label or b.label in a.label:
                common.append("contain")
            rels = pair_rules.get(frozenset((a.label, b.label)), ())
            common += ["rp=" + p for p in sorted(rels)]
            for s, o, order in ((a, b, "fw"), (b, a, "bw")):
                role = ["ord=" + order, "sr=" + _family(s.rule), "or=" + _family(o.rule),
                        "st=" + "+".join(sorted(s.types)), "ot=" + "+".join(sorted(o.types))]
                if s.label == first:
                    role.append("subj")
                if s.label in topics:
                    role.append("stopic")
                if o.label in topics:
                    role.append("otopic")
                for p in PREDICATES:
                    dom, rng = DOMAIN_RANGE[p]
                    if dom.isdisjoint(s.types) or rng.isdisjoint(o.types):
                        continue
                    if p in SYMMETRIC_PREDICATES and order == "bw":
                        continue
                    key = (s.label, p, o.label) if p not in SYMMETRIC_PREDICATES else \
                        (min(s.label, o.label), p, max(s.label, o.label))
                    if key in fired:   # the rules have it: nothing to learn or add
                        continue
                    feats = ["bias", *common, *role]
                    out.append(Candidate(key[0], p, key[2], sent,
                                         tuple(f"{p}|{x}" for x in feats) + tuple(feats[1:])))
    return out


def fired_rules(relations: Iterable[Relation]) -> dict[tuple[str, str, str], frozenset[str]]:
    return {(r.subject, r.predicate, r.object): frozenset(_family(e.rule) for e in r.evidence)
            for r in relations}


# ----------------------------------------------------------------------- the model


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x)) if x > -700 else 0.0


@dataclass(frozen=True)
class LearnedModel:
    """Everything the build needs: CRF bytes, relation weights, thresholds, provenance."""

    crf: bytes
    weights: dict[str, float]
    intercept: float
    platt: tuple[float, float]              #: calibrated p = sigmoid(a * score + b)
    entity_threshold: float
    relation_threshold: float
    provenance: dict = field(default_factory=dict)
    digest: str = ""                        #: SHA-256 of the model file, set when read

    @property
    def name(self) -> str:
        """Short id naming this model in rule ids."""
        return self.digest[:12] or "unsaved"

    @cache
    def _tagger(self):  # noqa: ANN202 - pycrfsuite.Tagger
        import pycrfsuite

        t = pycrfsuite.Tagger()
        t.open_inmemory(self.crf)
        return t

    def __hash__(self) -> int:
        return hash((self.crf, self.intercept, self.entity_threshold, self.relation_threshold))

    def spans(self, sent: Sentence, mentions: Sequence[Mention],
              enumerations: Sequence[tuple[int, int, str]], heads: dict) -> list[tuple[int, int, str, float]]:
        """(start, end, type, probability) of the CRF's spans in ``sent`` (article offsets)."""
        if not sent.text.strip():
            return []
        tagger = self._tagger()
        tagger.set(char_features(sent, mentions, enumerations, heads))
        tags = tagger.tag()
        out = []
        for a, b, typ in _spans(tags):
            prob = min(tagger.marginal(tags[i], i) for i in range(a, b))
            out.append((sent.start + a, sent.start + b, typ, prob))
        return out

    def add_mentions(self, sentences: Sequence[Sentence], mentions: Sequence[Sequence[Mention]],
                     enumerations: Sequence[tuple[int, int, str]], heads: dict, *,
                     threshold: float | None = None) -> list[list[Mention]]:
        """``mentions`` plus the CRF spans at or above the threshold that overlap no rule mention."""
        cut = self.entity_threshold if threshold is None else threshold
        if cut > 1.0:       # no span can qualify: do not tag at all
            return [list(ms) for ms in mentions]
        out = []
        for sent, ms in zip(sentences, mentions):
            extra = []
            for a, b, typ, prob in self.spans(sent, ms, enumerations, heads):
                if prob < cut or blocked(ms, a, b):
                    continue
                m = span_mention(sent, a, b, typ)
                if m is not None:
                    extra.append(m)
            out.append(sorted([*ms, *extra], key=lambda m: (m.start, -m.end, m.label)) if extra else list(ms))
        return out

    def score(self, features: Iterable[str]) -> float:
        return self.intercept + sum(map(self.weights.get, features, repeat(0.0)))

    def probability(self, features: Iterable[str]) -> float:
        a, b = self.platt
        return _sigmoid(a * self.score(features) + b)

    def relations(self, cands: Iterable[Candidate], article_id: str, *, known: Iterable[tuple[str, str, str]],
                  min_confidence: float = 0.0) -> list[Relation]:
        """Learned relations not in ``known``, at or above the threshold and ``min_confidence``."""
        cut = max(self.relation_threshold, min_confidence)
        skip = set(known)
        best: dict[tuple[str, str, str], tuple[float, Sentence]] = {}
        for c in cands:
            key = (c.subject, c.predicate, c.object)
            if key in skip:
                continue
            p = self.probability(c.features)
            if p >= cut and (key not in best or p > best[key][0]):
                best[key] = (p, c.sentence)
        rule = f"{RELATION_RULE}.{self.name}"
        return [Relation(s, p, o, (Evidence(article_id, sent.text, sent.start, sent.end, rule,
                                            round(prob, 2)),))
                for (s, p, o), (prob, sent) in sorted(best.items())]


def blocked(ms: Iterable[Mention], a: int, b: int) -> bool:
    """Whether a learned span a:b crosses or lies inside a rule mention: rules take
    precedence; a longer name around rule mentions is added beside them."""
    return any(m.start < b and a < m.end and not (a <= m.start and m.end <= b and b - a > m.end - m.start)
               for m in ms)


def span_mention(sent: Sentence, a: int, b: int, typ: str) -> Mention | None:
    """The mention a learned span stands for, or ``None`` for punctuation / one character."""
    surface = sent.text[a - sent.start:b - sent.start]
    label = surface.strip(_STRIP + " ，、。；：")
    if len(label) < 2 or _PUNCT.match(label) or typ not in ENTITY_TYPES:
        return None
    return Mention(a, b, surface, label, (typ,), ENTITY_RULE)


# ----------------------------------------------------------------------- file I/O


def default_model_path() -> Path:
    """Where the shipped model lives (installed with policykg.ontology)."""
    return Path(str(files("policykg.ontology").joinpath("models", "learned.json")))


def to_model_bytes(model: LearnedModel) -> bytes:
    """Deterministic JSON: sorted keys, weights rounded to 6 places."""
    doc = {
        "format": MODEL_FORMAT, "features": FEATURE_VERSION, "provenance": model.provenance,
        "entity_threshold": model.entity_threshold, "relation_threshold": model.relation_threshold,
        "platt": list(model.platt), "intercept": round(model.intercept, 6),
        "weights": {k: round(v, 6) for k, v in sorted(model.weights.items()) if round(v, 6)},
        "crf": base64.b64encode(model.crf).decode("ascii"),
    }
    return (json.dumps(doc, ensure_ascii=False, sort_keys=True, indent=0) + "\n").encode("utf-8")


def parse_model(data: bytes, *, source: str) -> LearnedModel:
    """The model in ``data`` (read from ``source``); :class:`ModelError` if it cannot be used.

    >>> try:
    ...     parse_model(b"{", source="m.json")
    ... except ModelError as exc:
    ...     print(exc)
    m.json: not a policykg model file (invalid JSON at line 1, column 2); run `policykg train tests/data/gold corpus/` to rebuild it
    """
    try:
        doc = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise ModelError(f"{source}: not a policykg model file (not UTF-8 text); {RETRAIN}") from None
    except json.JSONDecodeError as exc:
        raise ModelError(f"{source}: not a policykg model file (invalid JSON at line {exc.lineno}, "
                         f"column {exc.colno}); {RETRAIN}") from None
    if not isinstance(doc, dict) or "format" not in doc:
        raise ModelError(f"{source}: not a policykg model file (no 'format' field); {RETRAIN}")
    if doc.get("format") != MODEL_FORMAT or doc.get("features") != FEATURE_VERSION:
        raise ModelError(f"{source}: model format {doc.get('format')!r} with features "
                         f"{doc.get('features')!r}, but this policykg reads format {MODEL_FORMAT} "
                         f"with features {FEATURE_VERSION!r}; {RETRAIN}")
    try:
        crf = base64.b64decode(doc["crf"], validate=True)
        model = LearnedModel(crf=crf, weights={str(k): float(v) for k, v in doc["weights"].items()},
                             intercept=float(doc["intercept"]),
                             platt=(float(doc["platt"][0]), float(doc["platt"][1])),
                             entity_threshold=float(doc["entity_threshold"]),
                             relation_threshold=float(doc["relation_threshold"]),
                             provenance=dict(doc.get("provenance") or {}),
                             digest=hashlib.sha256(data).hexdigest())
        model._tagger()
    except (KeyError, TypeError, ValueError, IndexError, AttributeError, OSError) as exc:
        raise ModelError(f"{source}: corrupt model file ({type(exc).__name__}: {exc}); {RETRAIN}") from None
    return model


def read_model(path: str | os.PathLike[str] | None = None) -> LearnedModel:
    """Read the model at ``path`` (default: the shipped one); errors name the file."""
    p = Path(path) if path is not None else default_model_path()
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise ModelError(f"{p}: no model file here; {RETRAIN}") from None
    except OSError as exc:
        raise ModelError(f"{p}: cannot read the model file ({exc.strerror}); {RETRAIN}") from None
    return parse_model(data, source=str(p))


def write_model(model: LearnedModel, path: str | os.PathLike[str]) -> Path:
    """Write ``model`` atomically; returns the path."""
    from policykg.graph.rdf import atomic_write

    return atomic_write(path, to_model_bytes(model))


# ----------------------------------------------------------------------- training helpers


def train_crf(xseqs: Sequence[list[list[str]]], yseqs: Sequence[list[str]]) -> bytes:
    """CRF model bytes (L-BFGS, fixed iterations: deterministic)."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(algorithm="lbfgs", verbose=False)
    for x, y in zip(xseqs, yseqs):
        trainer.append(x, y)
    trainer.set_params({"c1": 0.05, "c2": 0.01, "max_iterations": 120,
                        "feature.possible_transitions": True, "feature.minfreq": 2})
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "crf.bin")
        trainer.train(path)
        return Path(path).read_bytes()


def train_logistic(features: Sequence[Sequence[str]], labels: Sequence[int], *, seed: int = SEED
                   ) -> tuple[dict[str, float], float]:
    """Weights per feature name and the intercept of an L2 logistic regression."""
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vec = DictVectorizer(sort=True)
    x = vec.fit_transform([dict.fromkeys(f, 1) for f in features]).tocsr()
    x.indices, x.indptr = x.indices.astype("int32"), x.indptr.astype("int32")  # liblinear's index type
    clf = LogisticRegression(solver="liblinear", C=0.5, random_state=seed, max_iter=500)
    clf.fit(x, labels)
    names = vec.get_feature_names_out()
    return ({str(n): float(w) for n, w in zip(names, clf.coef_[0]) if abs(w) >= 1e-6},
            float(clf.intercept_[0]))


def fit_platt(scores: Sequence[float], labels: Sequence[int], *, seed: int = SEED) -> tuple[float, float]:
    """(a, b) of p = sigmoid(a·score + b) fitted to out-of-fold scores."""
    from sklearn.linear_model import LogisticRegression

    if len(set(labels)) < 2:
        return 1.0, 0.0
    clf = LogisticRegression(solver="liblinear", C=100.0, random_state=seed)
    clf.fit([[s] for s in scores], labels)
    return float(clf.coef_[0][0]), float(clf.intercept_[0])


def file_digest(path: str | os.PathLike[str]) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()

