"""Thin loaders for the vocabularies in ``ontology/lexicons/*.tsv``.

Every file is UTF-8, tab-separated: ``#`` comment lines first (where the rows
come from), then a header row, then one row per entry; multi-valued cells are
separated by ``|``. :func:`read_tsv` gives the raw rows; the typed accessors
check them and return frozen dataclasses (cached: the files never change at run
time).

>>> from policykg.ontology import lexicons as L
>>> jinan = L.place("370100")
>>> (jinan.name, jinan.label, jinan.type, jinan.level)
('济南市', '济南', 'City', 'prefecture')
>>> L.abbreviations()["甬"]
('宁波',)
>>> "长三角地区" in L.region("长三角").aliases
True
"""
from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType

from policykg.ontology.namespace import ENTITY_TYPES

__all__ = [
    "LexiconError", "Place", "ShortName", "Region", "Term", "Head", "WordNote",
    "LEXICON_NAMES", "VOCABULARY_KINDS", "read_tsv", "split_cell", "places", "place", "short_names",
    "abbreviations", "regions", "region", "vocabulary", "heads", "stopwords",
    "ambiguous_places",
]

#: The lexicon files, by name without ``.tsv``.
LEXICON_NAMES: tuple[str, ...] = (
    "ambiguous_places", "countries", "heads", "industries", "organizations", "places",
    "regions", "short_names", "stopwords", "strategies", "technologies",
)
#: Lexicons of labelled terms that :func:`vocabulary` reads, with their default entity type.
VOCABULARY_KINDS: Mapping[str, str] = MappingProxyType({
    "countries": "Region", "industries": "Industry", "organizations": "Organization",
    "strategies": "Strategy", "technologies": "Technology",
})
LEVELS = ("province", "prefecture", "county")
SHORT_NAME_KINDS = ("province", "city", "ambiguous")


class LexiconError(ValueError):
    """A lexicon file is missing or one of its rows is malformed."""


@dataclass(frozen=True)
class Place:
    """An administrative unit of the gazetteer (``places.tsv``, generated from cpca)."""

    adcode: str                 #: 6-digit GB/T 2260 code, e.g. ``370100``
    name: str                   #: full official name, e.g. ``济南市``
    short: str                  #: name without its suffix (``济南``), ``""`` where none is safe
    level: str                  #: ``province`` | ``prefecture`` | ``county``
    parent: str                 #: adcode of the containing unit, ``""`` for provinces
    type: str                   #: ``City`` | ``Region``
    longitude: float | None
    latitude: float | None

    @property
    def label(self) -> str:
        """Canonical label (GUIDELINES.md): the short form where there is one, else the name."""
        return self.short or self.name


@dataclass(frozen=True)
class ShortName:
    """One (abbreviation, place) pair of ``short_names.tsv``."""

    abbr: str                   #: one character, e.g. ``甬``
    place: str                  #: canonical label of the place, e.g. ``宁波``
    kind: str                   #: ``province`` | ``city`` | ``ambiguous`` (abbr names several places)
    source: str


@dataclass(frozen=True)
class Region:
    """A national region, city cluster, metropolitan area or new area (``regions.tsv``)."""

    label: str
    types: tuple[str, ...]      #: ``("Region",)`` or ``("Region", "Strategy")``
    aliases: tuple[str, ...]
    members: tuple[str, ...]    #: canonical labels of the member or host places
    kind: str                   #: e.g. ``city-cluster``, ``new-area``
    source: str


@dataclass(frozen=True)
class Term:
    """A labelled entry of a vocabulary (industries, technologies, strategies, organisations,
    countries)."""

    label: str
    types: tuple[str, ...]      #: from the row's ``type`` column, else the file's default type
    aliases: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Head:
    """A noun-phrase head (``heads.tsv``): a phrase ending in it is an entity of ``type``."""

    head: str
    type: str
    min_len: int                #: minimal length of the whole phrase, head included
    note: str


@dataclass(frozen=True)
class WordNote:
    """A listed word and why (``stopwords.tsv``, ``ambiguous_places.tsv``)."""

    word: str
    reason: str


# --- raw rows ---------------------------------------------------------------------------

def _default_dir() -> Path:
    """The packaged ``ontology/lexicons`` directory."""
    return Path(str(resources.files("policykg.ontology").joinpath("lexicons")))


def _path(name: str, directory: str | os.PathLike[str] | None) -> Path:
    stem = name[:-4] if name.endswith(".tsv") else name
    base = Path(directory) if directory is not None else _default_dir()
    path = base / f"{stem}.tsv"
    if not path.is_file():
        known = sorted(p.stem for p in base.glob("*.tsv"))
        raise LexiconError(
            f"lexicon {name!r} not found: no file {path}; "
            f"use one of {', '.join(known) or '(none: the directory has no .tsv files)'}"
        )
    return path


def _rows(name: str, directory: str | os.PathLike[str] | None = None
          ) -> Iterator[tuple[str, int, dict[str, str]]]:
    """(file name, line number, row) for every data row."""
    path = _path(name, directory)
    header: list[str] | None = None
    with path.open(encoding="utf-8", newline="") as f:
        for lineno, raw in enumerate(f, start=1):
            line = raw.rstrip("\r\n")
            if line.startswith("#") or not line.strip():
                continue
            cells = line.split("\t")
            if header is None:
                dup = sorted({c for c in cells if cells.count(c) > 1})
                if dup or any(not c for c in cells):
                    raise LexiconError(
                        f"{path.name} line {lineno}: header {cells!r} has empty or repeated "
                        f"column names {dup!r}; give every column one unique name")
                header = cells
                continue
            if len(cells) != len(header):
                raise LexiconError(
                    f"{path.name} line {lineno}: expected {len(header)} tab-separated cells "
                    f"({', '.join(header)}), got {len(cells)}: {line!r}; "
                    f"fix the row so that it has one cell per column (cells may be empty)")
            for col, cell in zip(header, cells):
                if cell != cell.strip():
                    raise LexiconError(
                        f"{path.name} line {lineno}: cell {col} = {cell!r} has leading or "
                        f"trailing whitespace; remove it")
            yield path.name, lineno, dict(zip(header, cells))
    if header is None:
        raise LexiconError(f"{path.name}: no header row after the # comments; "
                           f"add a tab-separated header line")


def read_tsv(name: str, *, directory: str | os.PathLike[str] | None = None) -> list[dict[str, str]]:
    """The data rows of lexicon ``name`` (``"places"`` or ``"places.tsv"``) as dicts keyed by
    the header. ``#`` lines and blank lines are skipped; ``directory`` defaults to the
    packaged ``ontology/lexicons``.

    >>> read_tsv("short_names")[0]["abbr"]
    '京'
    """
    return [row for _, _, row in _rows(name, directory)]


def split_cell(cell: str) -> tuple[str, ...]:
    """A multi-valued cell as a tuple (``"a|b"`` → ``("a", "b")``, ``""`` → ``()``).

    >>> split_cell("长江三角洲|长三角地区")
    ('长江三角洲', '长三角地区')
    """
    return tuple(x for x in cell.split("|") if x) if cell else ()


def _fail(file: str, lineno: int, problem: str) -> LexiconError:
    return LexiconError(f"{file} line {lineno}: {problem}")


def _types(file: str, lineno: int, cell: str, default: str) -> tuple[str, ...]:
    types = split_cell(cell) or (default,)
    bad = [t for t in types if t not in ENTITY_TYPES]
    if bad:
        raise _fail(file, lineno, f"type {cell!r} is not allowed; use one or more of "
                                  f"{', '.join(ENTITY_TYPES)} separated by |")
    return types


def _unique(file: str, seen: dict[str, int], key: str, lineno: int) -> None:
    if key in seen:
        raise _fail(file, lineno, f"{key!r} repeats line {seen[key]}; keep one row per key")
    seen[key] = lineno


def _coord(file: str, lineno: int, cell: str) -> float | None:
    try:
        return float(cell) if cell else None
    except ValueError:
        raise _fail(file, lineno, f"coordinate {cell!r} is not a number; "
                                  f"write a decimal number or leave it empty") from None


# --- typed accessors --------------------------------------------------------------------

@cache
def places() -> tuple[Place, ...]:
    """The gazetteer, sorted by adcode."""
    out: list[Place] = []
    seen: dict[str, int] = {}
    for file, n, r in _rows("places"):
        _unique(file, seen, r["adcode"], n)
        if len(r["adcode"]) != 6 or not r["adcode"].isdigit():
            raise _fail(file, n, f"adcode {r['adcode']!r} is not 6 digits")
        if r["level"] not in LEVELS:
            raise _fail(file, n, f"level {r['level']!r} is not one of {', '.join(LEVELS)}")
        if r["type"] not in ("City", "Region"):
            raise _fail(file, n, f"type {r['type']!r} is not City or Region")
        if r["parent"] and r["parent"] not in seen:
            raise _fail(file, n, f"parent {r['parent']!r} is not an earlier adcode; "
                                 f"rows must be sorted by adcode")
        out.append(Place(r["adcode"], r["name"], r["short"], r["level"], r["parent"], r["type"],
                         _coord(file, n, r["longitude"]), _coord(file, n, r["latitude"])))
    return tuple(out)


@cache
def _places_by_code() -> Mapping[str, Place]:
    return MappingProxyType({p.adcode: p for p in places()})


def place(adcode: str) -> Place:
    """The place with that 6-digit adcode (``KeyError`` if none)."""
    try:
        return _places_by_code()[adcode]
    except KeyError:
        raise KeyError(f"no place with adcode {adcode!r} in places.tsv; "
                       f"use a 6-digit GB/T 2260 code such as '370100'") from None


@cache
def short_names() -> tuple[ShortName, ...]:
    """All (abbreviation, place) pairs in file order."""
    rows = list(_rows("short_names"))
    count: dict[str, int] = {}
    for _, _, r in rows:
        count[r["abbr"]] = count.get(r["abbr"], 0) + 1
    out, seen = [], {}
    for file, n, r in rows:
        _unique(file, seen, f"{r['abbr']} {r['place']}", n)
        if len(r["abbr"]) != 1:
            raise _fail(file, n, f"abbr {r['abbr']!r} is not one character")
        if r["kind"] not in SHORT_NAME_KINDS:
            raise _fail(file, n, f"kind {r['kind']!r} is not one of {', '.join(SHORT_NAME_KINDS)}")
        if (r["kind"] == "ambiguous") != (count[r["abbr"]] > 1):
            raise _fail(file, n, f"abbr {r['abbr']!r} has {count[r['abbr']]} row(s) but kind "
                                 f"{r['kind']!r}; use kind ambiguous exactly when a character "
                                 f"names several places")
        out.append(ShortName(r["abbr"], r["place"], r["kind"], r["source"]))
    return tuple(out)


@cache
def abbreviations() -> Mapping[str, tuple[str, ...]]:
    """One-character short name → the canonical labels of the places it may name, file order."""
    out: dict[str, tuple[str, ...]] = {}
    for s in short_names():
        out[s.abbr] = out.get(s.abbr, ()) + (s.place,)
    return MappingProxyType(out)


@cache
def regions() -> tuple[Region, ...]:
    """National regions, city clusters, metropolitan areas and new areas, file order."""
    out, seen = [], {}
    for file, n, r in _rows("regions"):
        aliases = split_cell(r["aliases"])
        for key in (r["label"], *aliases):
            _unique(file, seen, key, n)
        out.append(Region(r["label"], _types(file, n, r["type"], "Region"), aliases,
                          split_cell(r["members"]), r["kind"], r["source"]))
    return tuple(out)


def region(label: str) -> Region:
    """The region with that label or alias (``KeyError`` if none)."""
    for r in regions():
        if label == r.label or label in r.aliases:
            return r
    raise KeyError(f"no region labelled {label!r} in regions.tsv")


@cache
def vocabulary(kind: str) -> tuple[Term, ...]:
    """The terms of one vocabulary, file order; ``kind`` is one of :data:`VOCABULARY_KINDS`.

    >>> vocabulary("technologies")[0].types
    ('Technology',)
    >>> try:
    ...     vocabulary("trees")
    ... except LexiconError as e:
    ...     print(e)
    unknown vocabulary 'trees'; use one of countries, industries, organizations, strategies, technologies
    """
    if kind not in VOCABULARY_KINDS:
        raise LexiconError(f"unknown vocabulary {kind!r}; use one of {', '.join(VOCABULARY_KINDS)}")
    out, seen = [], {}
    for file, n, r in _rows(kind):
        aliases = split_cell(r["aliases"])
        for key in (r["label"], *aliases):
            _unique(file, seen, key, n)
        types = _types(file, n, r.get("type", ""), VOCABULARY_KINDS[kind])
        out.append(Term(r["label"], types, aliases, r["source"]))
    return tuple(out)


@cache
def heads() -> tuple[Head, ...]:
    """Noun-phrase heads, longest first (ties in file order)."""
    out, seen = [], {}
    for file, n, r in _rows("heads"):
        _unique(file, seen, r["head"], n)
        _types(file, n, r["type"], "")
        if not r["min_len"].isdigit() or int(r["min_len"]) < len(r["head"]):
            raise _fail(file, n, f"min_len {r['min_len']!r} must be a whole number not smaller than "
                                 f"the head's length {len(r['head'])}")
        out.append(Head(r["head"], r["type"], int(r["min_len"]), r["note"]))
    return tuple(sorted(out, key=lambda h: -len(h.head)))


def _words(name: str) -> tuple[WordNote, ...]:
    out, seen = [], {}
    for file, n, r in _rows(name):
        _unique(file, seen, r["word"], n)
        out.append(WordNote(r["word"], r["reason"]))
    return tuple(out)


@cache
def stopwords() -> tuple[WordNote, ...]:
    """Generic words that are never an entity on their own (城市, 产业, 高质量发展 …)."""
    return _words("stopwords")


@cache
def ambiguous_places() -> tuple[WordNote, ...]:
    """Place names or short forms that are also ordinary words or parts of other names
    (日照, 安康, 阿里 …): match them only with support from context."""
    return _words("ambiguous_places")
