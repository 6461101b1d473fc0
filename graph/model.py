"""The data model that ``policykg.build`` produces and ``policykg.graph`` turns into RDF.

Small frozen dataclasses, sorted tuples inside so that equal extractions compare
(and serialise) equal. Offsets are Python ``str`` indices into :attr:`Article.text`.

>>> a = Article(id="demo-1", source="demo.txt", index=1, title="T",
...             authors=(), affiliations=(), paragraphs=("济南与青岛联动。",))
>>> a.text
'济南与青岛联动。'
>>> a.paragraph_offsets
(0,)
"""
from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

from policykg.ontology.namespace import ENTITY_TYPES, PREDICATES


def paragraph_offsets(paragraphs: Sequence[str]) -> tuple[int, ...]:
    """Where each paragraph starts in ``"\\n".join(paragraphs)`` (:attr:`Article.text`).

    >>> paragraph_offsets(["甲乙", "丙"])
    (0, 3)
    """
    out, pos = [], 0
    for p in paragraphs:
        out.append(pos)
        pos += len(p) + 1
    return tuple(out)


@dataclass(frozen=True)
class Article:
    """One article of a corpus file (a file may hold several)."""

    id: str                         #: ASCII, stable: ``<file stem slug>-<index>``
    source: str                     #: file path as given, relative to the corpus root
    index: int                      #: 1-based position in its file
    title: str
    authors: tuple[str, ...]
    affiliations: tuple[str, ...]   #: one per author where the note says 分别是
    paragraphs: tuple[str, ...]
    headings: tuple[tuple[int, str], ...] = ()  #: (paragraph index, section heading)
    #: when it was issued: ``YYYY-MM-DD``, or ``YYYY`` where only the year is known
    #: (``dcterms:issued`` as xsd:date / xsd:gYear); None when the file does not say
    issued: str | None = None
    origin: str | None = None       #: where it was taken from (来源：…): ``dcterms:source``
    publisher: str | None = None    #: who published it: ``dcterms:publisher``
    url: str | None = None          #: the page it was taken from (``url:``): ``schema:url``

    @cached_property
    def text(self) -> str:
        """The paragraphs joined by ``\\n``: the string all offsets refer to."""
        return "\n".join(self.paragraphs)

    @cached_property
    def paragraph_offsets(self) -> tuple[int, ...]:
        return paragraph_offsets(self.paragraphs)

    @cached_property
    def content_hash(self) -> str:
        h = hashlib.sha256()
        # the metadata too: it is in the article graph, so a change must rebuild the article
        meta = (self.issued or "", self.origin or "", self.publisher or "", self.url or "")
        for part in (self.title, *self.authors, "\x1e", *self.affiliations, "\x1e", *meta,
                     "\x1e", self.text):
            h.update(part.encode("utf-8") + b"\x1f")
        return h.hexdigest()


@dataclass(frozen=True)
class Entity:
    """A typed entity; identity is the canonical label (merged across articles)."""

    label: str
    types: tuple[str, ...]          #: sorted subset of ENTITY_TYPES
    aliases: tuple[str, ...] = ()   #: sorted, never containing the label
    adcode: str | None = None       #: administrative code for gazetteer places

    def __post_init__(self) -> None:
        bad = [t for t in self.types if t not in ENTITY_TYPES]
        if bad or not self.types:
            raise ValueError(
                f"Entity {self.label!r}: types {self.types!r} are not allowed; "
                f"use one or more of {', '.join(ENTITY_TYPES)}"
            )


@dataclass(frozen=True)
class Evidence:
    """Why a relation is asserted: the sentence, where it is, and which rule fired."""

    article_id: str
    sentence: str
    start: int                      #: offset of the sentence in Article.text
    end: int                        #: start + len(sentence)
    rule: str                       #: rule id, e.g. ``coord.cue-pair``
    confidence: float = 1.0
    negated: bool = False


@dataclass(frozen=True)
class Relation:
    subject: str                    #: canonical label of the subject entity
    predicate: str                  #: one of PREDICATES
    object: str                     #: canonical label of the object entity
    evidence: tuple[Evidence, ...] = field(default=())

    def __post_init__(self) -> None:
        if self.predicate not in PREDICATES:
            raise ValueError(
                f"Relation {self.subject!r} → {self.object!r}: predicate {self.predicate!r} "
                f"is not allowed; use one of {', '.join(PREDICATES)}"
            )

    @property
    def confidence(self) -> float:
        return max((e.confidence for e in self.evidence), default=0.0)


@dataclass(frozen=True)
class ArticleGraph:
    """Everything extracted from one article."""

    article: Article
    entities: tuple[Entity, ...]    #: sorted by label
    relations: tuple[Relation, ...] #: sorted by (subject, predicate, object)
    mentions: tuple[tuple[str, int], ...] = ()  #: (label, count) sorted by label


@dataclass(frozen=True)
class ReadWarning:
    """Something in an input that was left out while the rest of it was built.

    >>> str(ReadWarning("a/b.txt", 3, 'date "2026-13-45" is not a valid date'))
    'a/b.txt:3: date "2026-13-45" is not a valid date'
    """

    path: str
    line: int                       #: 1-based line of the file
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


@dataclass(frozen=True)
class Skipped:
    """A corpus input that was not built, and why."""

    path: str
    reason: str
