"""Score a built graph against gold YAML files (docs/GUIDELINES.md, "Gold file format", "Scoring").

The numbers agree with the reference scorer ``shared/annotation/score.py``:

- labels are compared after NFKC, removing quotes/brackets/whitespace (:data:`STRIP`)
  and lower-casing; classes and predicates by local name, whatever the namespace;
- an extracted entity matches a gold entity by its label or an alias and its type or
  an alt_type; an extracted triple matches a gold triple (or one ``any`` alternative)
  when the predicate is equal and each extracted end *stands for* the gold end: it
  equals it, or it is a name of an entity whose label it is (symmetric predicates
  match both ways);
- precision counts extracted items matching any gold item, optional ones included;
  recall counts non-optional gold items matched at least once;
- one row per type / predicate present, plus ``ALL`` (and ``CORE5`` for entities),
  rounded to 3 places.

>>> gold = parse_gold({"source": "demo.txt",
...     "entities": [{"label": "济南", "type": "City", "aliases": ["济南市"]},
...                  {"label": "青岛", "type": "City"}],
...     "relations": [["济南", "coordinatesWith", "青岛"]]}, source="demo.yaml")
>>> s = score(gold, {("济南市", "City"), ("烟台", "City")}, {("青岛", "coordinatesWith", "济南")})
>>> e = s.entity("City")
>>> (e.precision, e.recall, e.f1), s.relation("ALL").f1
((0.5, 0.5, 0.5), 1.0)
>>> s.errors.spurious_entities, s.errors.missed_entities
(('烟台 [City]',), ('青岛 [City]',))
"""
from __future__ import annotations

import json
import os
import re
import unicodedata
import warnings
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, Union

import rdflib
import yaml
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.term import BNode, Literal, Node, URIRef

from policykg.ontology.namespace import (
    ENTITY_TYPES, PKG, PKGID, PREDICATES, SYMMETRIC_PREDICATES,
)

__all__ = [
    "STRIP", "CORE_TYPES", "GoldError", "GoldEntity", "GoldRelation", "Gold", "PRF", "Errors",
    "Score", "FileScore", "Evaluation", "normalise", "local_name", "parse_gold", "read_gold",
    "extracted", "score", "score_files", "to_text", "to_json",
]

#: Characters dropped before comparing labels (quotes, brackets, whitespace).
STRIP = "\"'“”‘’《》〈〉「」『』()（）[]【】 \t\r\n"
#: The five types the ``CORE5`` row sums.
CORE_TYPES: tuple[str, ...] = ("City", "Industry", "Technology", "Strategy", "Mechanism")

Entities = frozenset[tuple[str, str]]          #: (normalised label, type local name)
Relations = frozenset[tuple[str, str, str]]    #: (normalised label, predicate, normalised label)
#: A graph to score: an rdflib Graph/Dataset, an RDF file path, or a store with
#: ``quads_for_pattern`` (pyoxigraph.Store or policykg.graph.store's wrapper).
GraphLike = Union[rdflib.Graph, str, "os.PathLike[str]", object]
_Quad = tuple[Node, Node, Node, Union[Node, None]]


def normalise(label: object) -> str:
    """The form labels are compared in.

    >>> normalise("《ＡＩ 战略》")
    'ai战略'
    """
    s = unicodedata.normalize("NFKC", str(label))
    return "".join(ch for ch in s if ch not in STRIP).lower()


def local_name(iri: object) -> str:
    """Last segment after ``#``, ``/`` or ``:`` (the reference's rule, namespace-blind).

    >>> local_name("https://w3id.org/policykg/ontology#City"), local_name("ex:City")
    ('City', 'City')
    """
    return re.split(r"[#/:]", str(iri))[-1]


# --------------------------------------------------------------------------- gold


class GoldError(ValueError):
    """A gold file that cannot be read or breaks the gold file format."""


@dataclass(frozen=True)
class GoldEntity:
    label: str
    type: str
    alt_types: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    optional: bool = False
    line: int | None = None         #: 1-based line in the gold file, if known

    @cached_property
    def names(self) -> frozenset[str]:
        """Normalised label and aliases."""
        return frozenset({normalise(self.label), *map(normalise, self.aliases)})

    @cached_property
    def types(self) -> frozenset[str]:
        return frozenset({self.type, *self.alt_types})


@dataclass(frozen=True)
class GoldRelation:
    alternatives: tuple[tuple[str, str, str], ...]  #: one suffices; the first is shown
    optional: bool = False
    line: int | None = None

    @property
    def shown(self) -> tuple[str, str, str]:
        return self.alternatives[0]


@dataclass(frozen=True)
class Gold:
    """One gold file: what one corpus file (``source``) should yield."""

    source: str                          #: the corpus file the gold describes
    entities: tuple[GoldEntity, ...]
    relations: tuple[GoldRelation, ...]
    articles: tuple[str, ...] = ()       #: article titles, in order
    path: str = ""                       #: where the gold was read from (for messages)

    @cached_property
    def _labels_of(self) -> dict[str, frozenset[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        for e in self.entities:
            for n in e.names:
                out[n].add(normalise(e.label))
        return {k: frozenset(v) for k, v in out.items()}

    def ends(self, name: str) -> frozenset[str]:
        """Normalised gold labels (and the name itself) an extracted label stands for."""
        return self._labels_of.get(name, frozenset()) | {name}

    @cached_property
    def _alternatives(self) -> tuple[tuple[str, str, str], ...]:
        # Gold ends are normalised but not mapped through aliases: as in score.py, a
        # gold triple written with an alias matches only that very alias when extracted.
        return tuple((normalise(s), p, normalise(o))
                     for r in self.relations for s, p, o in r.alternatives)

    def triple_matches(self, ext: tuple[str, str, str], alt: tuple[str, str, str]) -> bool:
        """Whether extracted ``ext`` matches the *normalised* gold triple ``alt``."""
        s, p, o = ext
        gs, gp, go = alt
        if p != gp:
            return False
        if gs in self.ends(s) and go in self.ends(o):
            return True
        return p in SYMMETRIC_PREDICATES and gs in self.ends(o) and go in self.ends(s)


class _LineDict(dict):
    __slots__ = ("line",)


class _LineList(list):
    __slots__ = ("line", "item_lines")


class _Loader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences remember their 1-based line."""


def _construct_map(loader: _Loader, node: yaml.MappingNode) -> Iterator[_LineDict]:
    data = _LineDict()
    data.line = node.start_mark.line + 1
    yield data                      # two-step like SafeConstructor (anchors/recursion)
    data.update(loader.construct_mapping(node))


def _construct_seq(loader: _Loader, node: yaml.SequenceNode) -> Iterator[_LineList]:
    data = _LineList()
    data.line = node.start_mark.line + 1
    data.item_lines = [child.start_mark.line + 1 for child in node.value]  # scalars too
    yield data
    data.extend(loader.construct_sequence(node))


_Loader.add_constructor("tag:yaml.org,2002:map", _construct_map)
_Loader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)

_ENTITY_KEYS = ("label", "type", "alt_types", "aliases", "optional")
_TOP_KEYS = ("source", "articles", "entities", "relations")


def _where(source: str, node: object) -> str:
    line = getattr(node, "line", None)
    return f"{source}:{line}" if line else source


def _line_of(seq: object, index: int) -> int | None:
    lines = getattr(seq, "item_lines", None)
    return lines[index] if lines else getattr(seq[index], "line", None)  # type: ignore[index]


def _kind(value: object) -> str:
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, (list, tuple)):
        return "a list"
    return "empty" if value is None else f"{type(value).__name__} {value!r:.40}"


def _scalar(value: object) -> bool:
    return isinstance(value, (str, int, float)) and not isinstance(value, bool)


def _unknown_keys(item: Mapping, allowed: tuple[str, ...], what: str, where: str) -> None:
    extra = [str(k) for k in item if k not in allowed]
    if extra:
        raise GoldError(f"{where}: {what} has unknown key(s) {', '.join(map(repr, extra))}; "
                        f"allowed keys are {', '.join(allowed)}")


def _entity(item: object, source: str, index: int, line: int | None) -> GoldEntity:
    where = f"{source}:{line}" if line else source
    if not isinstance(item, Mapping):
        raise GoldError(f"{where}: entities[{index}] is {item!r}; write a mapping like "
                        "{label: 济南, type: City}")
    _unknown_keys(item, _ENTITY_KEYS, f"entity {item.get('label')!r}", where)
    label = item.get("label")
    if not _scalar(label) or not normalise(label):
        raise GoldError(f"{where}: entities[{index}] has label {label!r}; "
                        "give a non-empty text label")
    label = str(label)
    if not isinstance(item.get("alt_types") or [], (list, tuple)):
        raise GoldError(f"{where}: entity {label!r} has alt_types {item['alt_types']!r}; "
                        "write a list like [Technology]")
    types = [item.get("type"), *(item.get("alt_types") or [])]
    for t in types:
        if t not in ENTITY_TYPES:
            raise GoldError(f"{where}: entity {label!r} has unknown type {t!r}; "
                            f"use one of {', '.join(ENTITY_TYPES)}")
    aliases = item.get("aliases") or []
    if not isinstance(aliases, (list, tuple)) or not all(_scalar(a) for a in aliases):
        raise GoldError(f"{where}: entity {label!r} has aliases {aliases!r}; "
                        "write a list of names like [济南市]")
    optional = item.get("optional", False)
    if not isinstance(optional, bool):
        raise GoldError(f"{where}: entity {label!r} has optional {optional!r}; "
                        "write true or false")
    return GoldEntity(label=label, type=types[0], alt_types=tuple(types[1:]),
                      aliases=tuple(map(str, aliases)), optional=optional,
                      line=line)


def _triple(t: object, where: str, names: set[str]) -> tuple[str, str, str]:
    if not (isinstance(t, (list, tuple)) and len(t) == 3 and all(_scalar(x) for x in t)):
        raise GoldError(f"{where}: relation {t!r} is not a triple; "
                        "write [subject, predicate, object]")
    s, p, o = map(str, t)
    if p not in PREDICATES:
        raise GoldError(f"{where}: relation [{s}, {p}, {o}] has unknown predicate {p!r}; "
                        f"use one of {', '.join(PREDICATES)}")
    for end in (s, o):
        if normalise(end) not in names:
            raise GoldError(f"{where}: relation [{s}, {p}, {o}] names {end!r}, which is not "
                            "the label or alias of any entity; add the entity or fix the name")
    return s, p, o


def _relation(item: object, source: str, names: set[str], index: int,
              line: int | None) -> GoldRelation:
    where = f"{source}:{line}" if line else source
    if isinstance(item, (list, tuple)):
        return GoldRelation((_triple(item, where, names),), line=line)
    if not isinstance(item, Mapping):
        raise GoldError(f"{where}: relations[{index}] is {item!r}; write [s, p, o], "
                        "{triple: [s, p, o], optional: true} or {any: [[s, p, o], ...]}")
    kind = "any" if "any" in item else "triple"
    _unknown_keys(item, (kind, "optional"), "relation", where)
    optional = item.get("optional", False)
    if not isinstance(optional, bool):
        raise GoldError(f"{where}: relation has optional {optional!r}; write true or false")
    if kind == "triple":
        if "triple" not in item:
            raise GoldError(f"{where}: relation mapping has neither 'triple' nor 'any'; "
                            "write {triple: [s, p, o]} or {any: [[s, p, o], ...]}")
        return GoldRelation((_triple(item["triple"], where, names),), optional, line)
    alts = item["any"]
    if not isinstance(alts, (list, tuple)) or not alts:
        raise GoldError(f"{where}: 'any' is {alts!r}; write a non-empty list of triples")
    return GoldRelation(tuple(_triple(a, where, names) for a in alts), optional, line)


def parse_gold(doc: object, *, source: str) -> Gold:
    """Check and convert one loaded gold document; ``source`` names it in messages.

    Mappings and lists carrying a ``line`` attribute (as :func:`read_gold` loads them)
    put that line into error messages.

    >>> try:
    ...     parse_gold({"source": "a.txt", "entities": [{"label": "济南", "type": "Citi"}]},
    ...                source="a.yaml")
    ... except GoldError as exc:
    ...     print(exc)
    a.yaml: entity '济南' has unknown type 'Citi'; use one of City, Region, Industry, Technology, Strategy, Mechanism, PolicyDocument, Organization
    """
    if not isinstance(doc, Mapping):
        raise GoldError(f"{source}: the gold file holds {_kind(doc)}; "
                        "it must be a mapping with source, articles, entities, relations")
    where = _where(source, doc)
    _unknown_keys(doc, _TOP_KEYS, "the gold file", where)
    corpus = doc.get("source")
    if not isinstance(corpus, str) or not corpus.strip():
        raise GoldError(f"{where}: 'source' is {corpus!r}; name the corpus file the gold "
                        "describes, e.g. source: 000_3c3239678a321f59.txt")
    for key in ("articles", "entities", "relations"):
        if not isinstance(doc.get(key) or [], (list, tuple)):
            raise GoldError(f"{_where(source, doc[key])}: '{key}' is {_kind(doc[key])}; "
                            "write a list")
    articles = tuple(str(a.get("title", "")) if isinstance(a, Mapping) else str(a)
                     for a in doc.get("articles") or [])
    ents = doc.get("entities") or []
    entities = tuple(_entity(e, source, i, _line_of(ents, i)) for i, e in enumerate(ents))
    names = {n for e in entities for n in e.names}
    rels = doc.get("relations") or []
    relations = tuple(_relation(r, source, names, i, _line_of(rels, i))
                      for i, r in enumerate(rels))
    return Gold(source=corpus, entities=entities, relations=relations, articles=articles,
                path=source)


def read_gold(path: str | os.PathLike[str]) -> Gold:
    """Read and check one gold YAML file (errors name the file and line)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise GoldError(f"{p}: no such gold file; pass an existing .yaml file "
                        "or a folder of them") from None
    except UnicodeDecodeError as exc:
        raise GoldError(f"{p}: not UTF-8 ({exc.reason} at byte {exc.start}); "
                        "save the gold file as UTF-8") from None
    try:
        doc = yaml.load(text, Loader=_Loader)  # noqa: S506 — _Loader is a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        what = exc.problem or exc.context or "unreadable"
        if exc.problem and exc.context:
            at = f" at line {exc.context_mark.line + 1}" if exc.context_mark else ""
            what += f" ({exc.context}{at})"
        raise GoldError(f"{p}{line}: malformed YAML: {what}; fix the syntax") from None
    except yaml.YAMLError as exc:
        raise GoldError(f"{p}: malformed YAML: {exc}; fix the syntax") from None
    return parse_gold(doc, source=str(p))


# --------------------------------------------------------------------------- graph


def _file_name(path: str) -> str:
    return re.split(r"[\\/]", path)[-1]


def _ox_term(t: Any) -> Node | None:
    """pyoxigraph term → rdflib term (``None`` for the default graph)."""
    import pyoxigraph as ox

    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if isinstance(t, ox.Literal):
        return Literal(t.value, lang=t.language)
    if t is None or isinstance(t, ox.DefaultGraph):
        return None
    return URIRef(str(t))           # RDF-star triple terms: identity only


def _quads(graph: GraphLike) -> list[_Quad]:
    """Every quad of ``graph`` as rdflib terms; the default graph is ``None``."""
    if isinstance(graph, (str, os.PathLike)):
        p = Path(graph)
        if not p.is_file():
            raise FileNotFoundError(f"graph file {p} does not exist; pass the .trig, .nq "
                                    "or .ttl file a build wrote")
        fmt = rdflib.util.guess_format(str(p))
        if fmt is None:
            raise ValueError(f"cannot tell the RDF format of {p}; use a .trig, .nq, .ttl, "
                             ".nt, .jsonld or .rdf file")
        graph = rdflib.Dataset()
        graph.parse(str(p), format=fmt)
    if hasattr(graph, "quads_for_pattern"):
        return [(_ox_term(q.subject), _ox_term(q.predicate), _ox_term(q.object),
                 _ox_term(q.graph_name))
                for q in graph.quads_for_pattern(None, None, None, None)]
    if isinstance(graph, rdflib.ConjunctiveGraph):   # Dataset included
        out: list[_Quad] = []
        for s, p, o, g in graph.quads((None, None, None, None)):
            g = getattr(g, "identifier", g)
            out.append((s, p, o, None if g == DATASET_DEFAULT_GRAPH_ID else g))
        return out
    if isinstance(graph, rdflib.Graph):
        return [(s, p, o, None) for s, p, o in graph]
    raise TypeError(f"cannot score a {type(graph).__name__}; pass an rdflib Dataset/Graph, "
                    "a .trig/.nq/.ttl path, or a store with quads_for_pattern")


def _extract(quads: list[_Quad], graphs: Collection[Node] | None) -> tuple[Entities, Relations]:
    # Labels are properties of the node, read from the whole graph; types and
    # relations count only inside ``graphs`` (the articles' named graphs) if given.
    labels: dict[Node, set[str]] = defaultdict(set)
    for s, p, o, _ in quads:
        if p == RDFS.label or p == SKOS.prefLabel:
            labels[s].add(normalise(o))
    ents, rels = set(), set()
    for s, p, o, g in quads:
        if graphs is not None and g not in graphs:
            continue
        if p == RDF.type:
            typ = local_name(o)
            if typ in ENTITY_TYPES:
                ents.update((lab, typ) for lab in labels.get(s, ()))
            continue
        name = local_name(p)
        if name in PREDICATES and s in labels and o in labels:
            rels.update((sl, name, ol) for sl in labels[s] for ol in labels[o])
    return frozenset(ents), frozenset(rels)


def extracted(graph: GraphLike, *, graphs: Collection[Node] | None = None
              ) -> tuple[Entities, Relations]:
    """Entities ``(label, Type)`` and triples ``(label, predicate, label)``, normalised.

    Entities are labelled (rdfs:label or skos:prefLabel) nodes typed with one of the 8
    classes; relations are triples whose predicate is one of the 11, between labelled
    nodes. ``graphs`` restricts both to those named graphs.

    >>> g = rdflib.Graph().parse(format="turtle", data='''
    ...   @prefix pkg: <https://w3id.org/policykg/ontology#> .
    ...   @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
    ...   <urn:a> a pkg:City ; rdfs:label "济南市" ; pkg:coordinatesWith <urn:b> .
    ...   <urn:b> rdfs:label "青岛" .''')
    >>> extracted(g)
    (frozenset({('济南市', 'City')}), frozenset({('济南市', 'coordinatesWith', '青岛')}))
    """
    return _extract(_quads(graph), graphs)


def _articles(quads: list[_Quad]) -> dict[str, tuple[str, frozenset[Node]]]:
    """Article id → (pkg:sourceFile, its named graphs)."""
    found: dict[str, tuple[str, set[Node]]] = {}
    for s, p, o, g in quads:
        if p != PKG.sourceFile:
            continue
        aid = re.split(r"[#/]", str(s))[-1]
        _, graphs = found.setdefault(aid, (str(o), set()))
        graphs.add(PKGID["g/" + aid])
        if g is not None:
            graphs.add(g)
    return {k: (f, frozenset(gs)) for k, (f, gs) in found.items()}


# --------------------------------------------------------------------------- scoring


@dataclass(frozen=True)
class PRF:
    """Counts of one row; precision/recall/F1 derived and rounded like score.py."""

    name: str
    tp_p: int = 0       #: extracted items matching some gold item
    n_p: int = 0        #: extracted items
    tp_r: int = 0       #: non-optional gold items matched
    n_r: int = 0        #: non-optional gold items

    @property
    def _raw(self) -> tuple[float, float, float]:
        p = self.tp_p / self.n_p if self.n_p else 0.0
        r = self.tp_r / self.n_r if self.n_r else 0.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f

    @property
    def precision(self) -> float:
        return round(self._raw[0], 3)

    @property
    def recall(self) -> float:
        return round(self._raw[1], 3)

    @property
    def f1(self) -> float:
        return round(self._raw[2], 3)

    def plus(self, other: PRF, *, name: str | None = None) -> PRF:
        return PRF(name or self.name, self.tp_p + other.tp_p, self.n_p + other.n_p,
                   self.tp_r + other.tp_r, self.n_r + other.n_r)

    def as_dict(self) -> dict[str, float | int]:
        """score.py's keys, plus the matched counts behind them."""
        return {"precision": self.precision, "recall": self.recall, "f1": self.f1,
                "extracted": self.n_p, "gold": self.n_r,
                "matched_extracted": self.tp_p, "matched_gold": self.tp_r}


@dataclass(frozen=True)
class Errors:
    """Items behind the numbers, sorted; written like score.py's ``errors``."""

    spurious_entities: tuple[str, ...] = ()    #: ``label [Type]``
    missed_entities: tuple[str, ...] = ()      #: ``label [Type/AltType]``
    spurious_relations: tuple[str, ...] = ()   #: ``s predicate o``
    missed_relations: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, list[str]]:
        return {"fp_entities": list(self.spurious_entities),
                "fn_entities": list(self.missed_entities),
                "fp_relations": list(self.spurious_relations),
                "fn_relations": list(self.missed_relations)}


@dataclass(frozen=True)
class Score:
    """Rows per type (then ALL, CORE5) and per predicate (then ALL)."""

    entities: tuple[PRF, ...]
    relations: tuple[PRF, ...]
    errors: Errors = field(default_factory=Errors)

    def entity(self, name: str) -> PRF:
        return _row(self.entities, name, "entity")

    def relation(self, name: str) -> PRF:
        return _row(self.relations, name, "relation")

    def as_dict(self) -> dict[str, Any]:
        return {"entities": {r.name: r.as_dict() for r in self.entities},
                "relations": {r.name: r.as_dict() for r in self.relations},
                "errors": self.errors.as_dict()}


def _row(rows: tuple[PRF, ...], name: str, part: str) -> PRF:
    for r in rows:
        if r.name == name:
            return r
    raise KeyError(f"no {part} row {name!r}; rows are {', '.join(r.name for r in rows)}")


def _rows(by_name: Mapping[str, PRF], totals: dict[str, Collection[str] | None]) -> tuple[PRF, ...]:
    rows = [by_name[k] for k in sorted(by_name)]
    parts = tuple(rows)
    for total, members in totals.items():
        acc = PRF(total)
        for r in parts:
            if members is None or r.name in members:
                acc = acc.plus(r)
        rows.append(acc)
    return tuple(rows)


def _bump(rows: dict[str, PRF], name: str, *, p: bool | None = None, r: bool | None = None) -> None:
    old = rows.get(name, PRF(name))
    rows[name] = old.plus(PRF(name, int(bool(p)), int(p is not None), int(bool(r)), int(r is not None)))


def score(gold: Gold, entities: Iterable[tuple[str, str]],
          relations: Iterable[tuple[str, str, str]]) -> Score:
    """Score normalised extracted items (as :func:`extracted` returns them) against ``gold``."""
    ents, rels = frozenset(entities), frozenset(relations)
    by_type: dict[str, PRF] = {}
    fp_e, fn_e = [], []
    for lab, typ in ents:
        ok = any(lab in g.names and typ in g.types for g in gold.entities)
        _bump(by_type, typ, p=ok)
        if not ok:
            fp_e.append(f"{lab} [{typ}]")
    for g in gold.entities:
        if g.optional:
            continue
        hit = any(lab in g.names and typ in g.types for lab, typ in ents)
        _bump(by_type, g.type, r=hit)
        if not hit:
            fn_e.append(f"{g.label} [{'/'.join(sorted(g.types))}]")

    by_pred: dict[str, PRF] = {}
    fp_r, fn_r = [], []
    alts_all = gold._alternatives
    for ext in rels:
        ok = any(gold.triple_matches(ext, alt) for alt in alts_all)
        _bump(by_pred, ext[1], p=ok)
        if not ok:
            fp_r.append(" ".join(ext))
    for rel in gold.relations:
        if rel.optional:
            continue
        alts = [(normalise(s), p, normalise(o)) for s, p, o in rel.alternatives]
        hit = any(gold.triple_matches(ext, alt) for ext in rels for alt in alts)
        _bump(by_pred, rel.shown[1], r=hit)
        if not hit:
            fn_r.append(" ".join(rel.shown))

    return Score(
        entities=_rows(by_type, {"ALL": None, "CORE5": CORE_TYPES}),
        relations=_rows(by_pred, {"ALL": None}),
        errors=Errors(*(tuple(sorted(x)) for x in (fp_e, fn_e, fp_r, fn_r))),
    )


@dataclass(frozen=True)
class FileScore:
    gold: str                       #: the gold file's path
    source: str                     #: the corpus file it describes
    articles: tuple[str, ...]       #: ids of the articles scored; () = the whole graph
    score: Score
    warning: str | None = None


@dataclass(frozen=True)
class Evaluation:
    files: tuple[FileScore, ...]
    micro: Score                    #: counts summed over files per row; no error lists


def _micro(scores: Iterable[Score]) -> Score:
    ents: dict[str, PRF] = {}
    rels: dict[str, PRF] = {}
    for s in scores:
        for rows, acc in ((s.entities, ents), (s.relations, rels)):
            for r in rows:
                if r.name not in ("ALL", "CORE5"):
                    acc[r.name] = acc.get(r.name, PRF(r.name)).plus(r)
    return Score(_rows(ents, {"ALL": None, "CORE5": CORE_TYPES}), _rows(rels, {"ALL": None}))


def _gold_files(gold_paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Path]:
    if isinstance(gold_paths, (str, os.PathLike)):
        gold_paths = [gold_paths]
    out: list[Path] = []
    for item in gold_paths:
        p = Path(item)
        if p.is_dir():
            found = sorted(x for x in p.rglob("*") if x.suffix in (".yaml", ".yml"))
            if not found:
                raise GoldError(f"{p}: no *.yaml gold files in this folder; "
                                "pass gold files or a folder holding them")
            out.extend(found)
        else:
            out.append(p)
    if not out:
        raise GoldError("no gold files given; pass gold .yaml files or a folder of them")
    return out


def score_files(gold_paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
                graph: GraphLike) -> Evaluation:
    """Score each gold file (folders are searched for ``*.yaml``) against one graph.

    Each gold scores only the named graphs of the articles whose ``pkg:sourceFile``
    has the gold's ``source`` file name; when none has, the whole graph (with a warning).
    """
    files = _gold_files(gold_paths)
    golds = [read_gold(p) for p in files]     # all gold errors before any graph work
    quads = _quads(graph)
    articles = _articles(quads)
    results = []
    for path, gold in zip(files, golds):
        name = _file_name(gold.source)
        ids = tuple(sorted(a for a, (f, _) in articles.items() if _file_name(f) == name))
        warning = None
        if ids:
            graphs: frozenset[Node] | None = frozenset().union(*(articles[a][1] for a in ids))
        else:
            graphs = None
            warning = (f"{path}: no article in the graph has pkg:sourceFile {name!r}; "
                       "scored against the whole graph")
            warnings.warn(warning, UserWarning, stacklevel=2)
        ents, rels = _extract(quads, graphs)
        results.append(FileScore(str(path), gold.source, ids, score(gold, ents, rels), warning))
    return Evaluation(tuple(results), _micro(r.score for r in results))


# --------------------------------------------------------------------------- output


def _table(s: Score) -> list[str]:
    lines = []
    for part, rows in (("entities", s.entities), ("relations", s.relations)):
        lines.append(f"{part:<16} {'P':>6} {'R':>6} {'F1':>6} {'ext':>5} {'gold':>5}")
        lines.extend(f"  {r.name:<14} {r.precision:>6} {r.recall:>6} {r.f1:>6} "
                     f"{r.n_p:>5} {r.n_r:>5}" for r in rows)
    lines.append(f"entity F1 {s.entity('ALL').f1} relation F1 {s.relation('ALL').f1}")
    return lines


def to_text(evaluation: Evaluation, *, errors: bool = False) -> str:
    """Tables per gold file, then the micro-average; with ``errors`` the missed and
    spurious items of each file."""
    out: list[str] = []
    for f in evaluation.files:
        scope = f"articles {', '.join(f.articles)}" if f.articles else "whole graph"
        out.append(f"== {f.gold} ({f.source}; {scope})")
        if f.warning:
            out.append(f"warning: {f.warning}")
        out.extend(_table(f.score))
        if errors:
            e = f.score.errors
            for title, items in (("missed entities", e.missed_entities),
                                 ("spurious entities", e.spurious_entities),
                                 ("missed relations", e.missed_relations),
                                 ("spurious relations", e.spurious_relations)):
                out.append(f"{title} ({len(items)}):")
                out.extend(f"    {x}" for x in items)
        out.append("")
    n = len(evaluation.files)
    out.append(f"== micro-average over {n} gold file{'s' if n != 1 else ''}")
    out.extend(_table(evaluation.micro))
    return "\n".join(out) + "\n"


def to_json(evaluation: Evaluation) -> str:
    """Per-file results (score.py's layout plus counts) and the micro-average."""
    doc = {
        "files": [{"gold": f.gold, "source": f.source, "articles": list(f.articles),
                   "warning": f.warning, **f.score.as_dict()} for f in evaluation.files],
        "micro": {k: v for k, v in evaluation.micro.as_dict().items() if k != "errors"},
    }
    return json.dumps(doc, ensure_ascii=False, indent=1) + "\n"
