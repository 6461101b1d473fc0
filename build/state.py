"""What a build leaves behind for the next one: per-article records, the cache, a lock.

An output folder holds ``state.json`` (one :class:`ArticleRecord` per article) and
``cache/`` (each article's named graph as N-Quads, plus its blocks of the dumps). A rebuild compares an
article's :func:`fingerprint` with its record: equal → the cached graph is reused
(no extraction), different or new → extracted again; articles gone from the corpus
are dropped. The fingerprint covers everything the graph depends on: the article
(content hash, id, source, index, headings), the extractor's version (lexicons,
rules, segmenter), ``min_confidence`` and the source code of the modules that turn
an article into quads (so a code change never reuses stale graphs).

:class:`BuildLock` keeps two builds from writing the same output folder at once.

>>> r = ArticleRecord(id="a-1", source="a.txt", title="T", fingerprint="f", cache="c.nq",
...                   quads=3, validated=True, conforms=True)
>>> ArticleRecord.from_json(r.to_json()) == r
True
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any

from policykg.graph.model import Article

__all__ = [
    "STATE_FILE", "CACHE_DIR", "STATE_FORMAT", "ArticleRecord", "BuildState", "fingerprint",
    "code_version", "shapes_version", "cache_name", "BuildLock", "LockBusy",
]

STATE_FILE = "state.json"
CACHE_DIR = "cache"
#: Bump when the layout of state.json or cache/ changes: older outputs are rebuilt in full.
STATE_FORMAT = 5   # 5: the summary facts (cache/*.sum) carry the article's date

#: Modules whose code decides an article's quads (reader changes show in the content hash).
_CODE_MODULES = (
    ("policykg.build", ("extract.py", "mentions.py", "relations.py", "lexicon.py", "segment.py")),
    ("policykg.graph", ("rdf.py", "model.py", "summary.py")),   # summary: the cached .sum records
)


def _sha(*parts: bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p)
        h.update(b"\x1f")
    return h.hexdigest()


def _package_files(specs: tuple[tuple[str, tuple[str, ...]], ...]) -> list[bytes]:
    out = []
    for package, names in specs:
        root = files(package)
        for name in names:
            res = root.joinpath(name)
            out.append(name.encode() + b"\0" + (res.read_bytes() if res.is_file() else b""))
    return out


def code_version() -> str:
    """Hash of the extraction and RDF modules' source (16 hex digits)."""
    return _sha(*_package_files(_CODE_MODULES))[:16]


def shapes_version(engine: str = "fast") -> str:
    """Hash of the SHACL shapes, the ontology, the validator and the engine that ran it
    (16 hex digits): switching ``--shacl-engine`` re-validates instead of reusing results.

    >>> shapes_version("fast") != shapes_version("pyshacl")
    True
    """
    files = _package_files((("policykg.ontology", ("shapes.ttl", "policykg.ttl")),
                            ("policykg.graph", ("validate.py",))))
    return _sha(engine.encode(), *files)[:16]


def fingerprint(article: Article, *, extractor_version: str, min_confidence: float,
                code: str) -> str:
    """What an article's graph depends on, as one hash.

    >>> a = Article(id="a-1", source="a.txt", index=1, title="T", authors=(),
    ...             affiliations=(), paragraphs=("济南。",))
    >>> f = fingerprint(a, extractor_version="v", min_confidence=0.0, code="c")
    >>> f == fingerprint(a, extractor_version="v2", min_confidence=0.0, code="c")
    False
    """
    key = json.dumps([STATE_FORMAT, extractor_version, repr(float(min_confidence)), code,
                      article.id, article.source, article.index, article.content_hash,
                      [list(h) for h in article.headings]], ensure_ascii=False)
    return _sha(key.encode("utf-8"))


def cache_name(article_id: str) -> str:
    """File name of an article's cached graph: hashed, so case-insensitive file
    systems and odd ids cannot collide or escape ``cache/``."""
    return hashlib.sha1(article_id.encode("utf-8")).hexdigest()[:24] + ".nq"


@dataclass(frozen=True)
class ArticleRecord:
    """One article of a finished build."""

    id: str
    source: str
    title: str
    fingerprint: str
    cache: str                      #: file name inside cache/
    quads: int
    validated: bool                 #: whether SHACL ran on this article's graph
    conforms: bool | None           #: None when not validated
    results: tuple[tuple[str, str, str], ...] = ()   #: (focus, path, message), sorted

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "source": self.source, "title": self.title,
                "fingerprint": self.fingerprint, "cache": self.cache, "quads": self.quads,
                "validated": self.validated, "conforms": self.conforms,
                "results": [list(r) for r in self.results]}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> ArticleRecord:
        return cls(id=d["id"], source=d["source"], title=d["title"],
                   fingerprint=d["fingerprint"], cache=d["cache"], quads=int(d["quads"]),
                   validated=bool(d["validated"]), conforms=d["conforms"],
                   results=tuple(tuple(r) for r in d.get("results", ())))  # type: ignore[misc]


@dataclass(frozen=True)
class BuildState:
    """``state.json``: the records of the last build, in corpus order."""

    articles: tuple[ArticleRecord, ...] = ()
    shapes: str = ""                #: shapes_version() the validation results refer to
    format: int = STATE_FORMAT
    by_id: dict[str, ArticleRecord] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_id.update({r.id: r for r in self.articles})

    def to_bytes(self) -> bytes:
        return (json.dumps({"format": self.format, "shapes": self.shapes,
                            "articles": [r.to_json() for r in self.articles]},
                           ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")

    @classmethod
    def load(cls, out: Path) -> BuildState | None:
        """The state of the build in ``out``, or None when there is none usable
        (no build yet, an older format, a damaged file, or a missing cache/store)."""
        path = Path(out) / STATE_FILE
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
            if d.get("format") != STATE_FORMAT:
                return None
            state = cls(articles=tuple(ArticleRecord.from_json(r) for r in d["articles"]),
                        shapes=d.get("shapes", ""))
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not (Path(out) / "store").is_dir():
            return None
        return state


# ----------------------------------------------------------------------------- lock
class LockBusy(Exception):
    """Another build holds the output folder's lock."""


def _try_lock(fd: int) -> bool:
    try:
        import fcntl
    except ImportError:  # Windows
        import msvcrt
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except OSError:
        return False


class BuildLock:
    """An exclusive lock on an output folder, held for the whole build.

    The lock is the OS lock (``flock``) on ``.<out>.lock`` beside the folder (not
    inside: the folder itself is swapped), so it disappears with the process that
    held it — a killed build never leaves a stale lock. The file holds the pid of
    the holder for the error message.

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> with BuildLock(d / "out"):
    ...     try:
    ...         BuildLock(d / "out", wait=0).acquire()
    ...     except LockBusy as e:
    ...         print(str(e).split(":")[0] == str(d / "out"))
    True
    """

    def __init__(self, out: Path, *, wait: float = 0.0,
                 on_wait: Callable[[int | None], None] | None = None) -> None:
        self.out = Path(out)
        self.path = self.out.with_name(f".{self.out.name}.lock")
        self.wait = wait
        self.on_wait = on_wait
        self._fd: int | None = None

    def _holder(self) -> int | None:
        try:
            return int(self.path.read_text().strip() or "x")
        except (OSError, ValueError):
            return None

    def acquire(self) -> BuildLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait
        told = False
        while not _try_lock(fd):
            if time.monotonic() >= deadline:
                os.close(fd)
                pid = self._holder()
                who = f"pid {pid}" if pid else "another process"
                raise LockBusy(
                    f"{self.out}: another policykg build ({who}) is writing this output "
                    f"folder (lock {self.path.name}; waited {self.wait:g} s); wait for it to "
                    "finish or stop it, build into another --out, or allow a longer --wait")
            if not told and self.on_wait is not None:
                self.on_wait(self._holder())
                told = True
            time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd
        return self

    def release(self) -> None:
        if self._fd is not None:
            try:
                os.ftruncate(self._fd, 0)
            finally:
                os.close(self._fd)   # closing drops the flock
                self._fd = None

    def __enter__(self) -> BuildLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
