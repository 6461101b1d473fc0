"""The extraction lexicon: every surface form of the ontology vocabularies in one
Aho–Corasick automaton, plus heads, short names and stopwords.

Built once per process from ``policykg.ontology`` data files
(``ontology/lexicons/*.tsv``); nothing here is typed by hand except how each
file's rows turn into surface forms.
"""
from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache, cached_property

import ahocorasick

from policykg.ontology import lexicons as L


@dataclass(frozen=True)
class LexEntry:
    """What a surface form names."""

    label: str                      #: canonical label
    types: tuple[str, ...]
    kind: str                       #: place | region | country | org | industry | technology | strategy
    level: str = ""                 #: province | prefecture | county for places
    members: tuple[str, ...] = ()   #: places a region is made of
    adcode: str | None = None
    parent: str | None = None       #: canonical label of the containing province / prefecture
    needs_full_name: bool = False   #: short form counts only after the full name appeared


@dataclass(frozen=True)
class Head:
    head: str
    type: str
    min_len: int


@dataclass
class Lexicon:
    entries: dict[str, tuple[LexEntry, ...]]
    abbreviations: dict[str, tuple[str, ...]]   #: one char → place labels
    short_name_rows: dict[str, tuple[L.ShortName, ...]]  #: one char → its rows (with kind)
    heads: tuple[Head, ...]                     #: longest first
    stopwords: frozenset[str]
    ambiguous_places: frozenset[str]
    place_by_label: dict[str, LexEntry]
    version: str
    automaton: ahocorasick.Automaton = field(repr=False)

    def lookup(self, surface: str) -> tuple[LexEntry, ...]:
        return self.entries.get(surface, ())

    @cached_property
    def full_name_of(self) -> dict[str, tuple[str, ...]]:
        """Surface → the places it is a full (not the canonical) name of (济南市 → 济南)."""
        out = {}
        for surface, ents in self.entries.items():
            labels = tuple(e.label for e in ents if e.kind == "place" and surface != e.label)
            if labels:
                out[surface] = labels
        return out

    @cached_property
    def head_index(self) -> tuple[dict[str, Head], dict[str, tuple[int, ...]]]:
        """Heads by their text, and the head lengths per last character, longest
        first: finding the head that ends at an offset is a few dict lookups."""
        by_text: dict[str, Head] = {}
        lens: dict[str, set[int]] = {}
        for h in self.heads:  # longest first
            by_text.setdefault(h.head, h)
            lens.setdefault(h.head[-1], set()).add(len(h.head))
        return by_text, {c: tuple(sorted(ns, reverse=True)) for c, ns in lens.items()}

    def jieba_words(self) -> list[tuple[str, str]]:
        """(word, POS) pairs to add to the segmenter: multi-char surfaces only."""
        tag = {"place": "ns", "region": "ns", "country": "ns", "org": "nt"}
        out = []
        for surface, ents in sorted(self.entries.items()):
            if len(surface) >= 2 and surface not in self.ambiguous_places:
                out.append((surface, tag.get(ents[0].kind, "nz")))
        return out


def _split(cell: str | None) -> list[str]:
    return [x.strip() for x in (cell or "").split("|") if x.strip()]


def _types(cell: str | None, default: str) -> tuple[str, ...]:
    return tuple(_split(cell)) or (default,)


#: Morphemes of digital techniques (see the ordering comment in :func:`load_lexicon`).
DIGITAL_RE = re.compile("计算|数据|区块链|算力|软件|互联网|元宇宙|北斗|人工智能|物联网|云|5G|6G|AI")


@cache
def load_lexicon() -> Lexicon:
    entries: dict[str, list[LexEntry]] = defaultdict(list)
    digest = hashlib.sha256()

    def add(surface: str, entry: LexEntry) -> None:
        surface = surface.strip()
        if surface and entry not in entries[surface]:
            entries[surface].append(entry)

    # --- places (gazetteer generated from cpca)
    rows = L.read_tsv("places")
    by_code = {r["adcode"]: r for r in rows}
    place_by_label: dict[str, LexEntry] = {}
    for r in rows:
        label = r.get("short") or r["name"]
        parent = by_code.get(r.get("parent") or "")
        e = LexEntry(
            label=label, types=(r["type"],), kind="place", level=r["level"],
            adcode=r["adcode"], parent=(parent.get("short") or parent["name"]) if parent else None,
            needs_full_name=r["level"] == "county",
        )
        # The first (lowest adcode) place wins a shared label, e.g. provinces before counties.
        place_by_label.setdefault(label, e)
        add(r["name"], LexEntry(**{**e.__dict__, "needs_full_name": False}))
        if r.get("short") and r["short"] != r["name"]:
            add(r["short"], e)
    # --- regions, countries, organisations, vocabularies
    for r in L.read_tsv("regions"):
        e = LexEntry(label=r["label"], types=_types(r.get("type"), "Region"), kind="region",
                     members=tuple(_split(r.get("members"))))
        for s in [r["label"], *_split(r.get("aliases"))]:
            add(s, e)
    for r in L.read_tsv("countries"):
        e = LexEntry(label=r["label"], types=_types(r.get("type"), "Region"), kind="country")
        for s in [r["label"], *_split(r.get("aliases"))]:
            add(s, e)
    for r in L.read_tsv("organizations"):
        e = LexEntry(label=r["label"], types=_types(r.get("type"), "Organization"), kind="org")
        for s in [r["label"], *_split(r.get("aliases"))]:
            add(s, e)
    for name, typ in (("industries", "Industry"), ("technologies", "Technology"),
                      ("strategies", "Strategy")):
        for r in L.read_tsv(name):
            e = LexEntry(label=r["label"], types=_types(r.get("type"), typ), kind=typ.lower())
            for s in [r["label"], *_split(r.get("aliases"))]:
                add(s, e)

    abbreviations: dict[str, list[str]] = defaultdict(list)
    short_rows: dict[str, list[L.ShortName]] = defaultdict(list)
    for r in L.short_names():
        short_rows[r.abbr].append(r)
        if r.place not in abbreviations[r.abbr]:
            abbreviations[r.abbr].append(r.place)
    heads = tuple(sorted(
        (Head(r["head"], r["type"], int(r.get("min_len") or len(r["head"]) + 1))
         for r in L.read_tsv("heads")),
        key=lambda h: (-len(h.head), h.head),
    ))
    stopwords = frozenset(r["word"] for r in L.read_tsv("stopwords"))
    ambiguous = frozenset(r["word"] for r in L.read_tsv("ambiguous_places"))

    # Entries of the same surface: places before vocabularies so 重庆 stays a City.
    # A word in both the technology and the industry lists is a technology when it
    # names a digital technique (人工智能, 云计算, 区块链), else an industry (新材料,
    # 航空航天, 集成电路): the sector reading is the common one in policy texts.
    order = {"place": 0, "region": 1, "country": 2, "org": 3, "strategy": 4,
             "industry": 5, "technology": 6}
    digital = {"place": 0, "region": 1, "country": 2, "org": 3, "strategy": 4,
               "technology": 5, "industry": 6}
    final = {s: tuple(sorted(es, key=lambda e: ((digital if DIGITAL_RE.search(s) else order)[e.kind],
                                                 e.level != "province", e.level != "prefecture",
                                                 e.adcode or "")))
             for s, es in entries.items()}
    auto = ahocorasick.Automaton()
    for s in sorted(final):
        if s in stopwords:
            continue
        auto.add_word(s, s)
        digest.update(s.encode() + b"\x00" + repr(final[s]).encode())
    auto.make_automaton()
    for h in heads:
        digest.update(repr(h).encode())
    digest.update(repr(sorted(abbreviations.items())).encode())
    digest.update(repr(sorted(stopwords)).encode())
    return Lexicon(
        entries=final,
        abbreviations={k: tuple(v) for k, v in abbreviations.items()},
        short_name_rows={k: tuple(v) for k, v in short_rows.items()},
        heads=heads, stopwords=stopwords, ambiguous_places=ambiguous,
        place_by_label=place_by_label, version=digest.hexdigest()[:16], automaton=auto,
    )
