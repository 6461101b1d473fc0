"""The main job: corpus → extraction → RDF → store, dumps, validation, views.

:func:`build_corpus` returns a :class:`BuildReport` (data, no printing); the CLI
prints it. The output folder is replaced atomically: everything is written to a
staging folder beside it and swapped in at the end, so a failed or interrupted
build leaves the previous output untouched.

Output folder layout::

    out/
      graph.trig     all named graphs (one per article)
      graph.nq       the same as N-Quads
      graph.ttl      the union of all graphs as Turtle
      store/         the embedded Oxigraph store (policykg query / serve)
      views/         index.html, article/<id>.html, place/<slug>.html
      report.json    summary: articles, entities per type, relations per predicate,
                     skipped inputs, SHACL conformance
"""
from __future__ import annotations

import json
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from policykg.build.extract import Extractor, ExtractorConfig
from policykg.build.reader import iter_corpus
from policykg.graph.model import ArticleGraph, Skipped
from policykg.graph.rdf import atomic_write, to_dataset, to_nquads, to_trig, to_turtle_union
from policykg.graph.store import GraphStore
from policykg.graph.validate import validate


class OutputError(Exception):
    """The output folder cannot be used."""


@dataclass(frozen=True)
class BuildOptions:
    segmenter: str = "rjieba"
    min_confidence: float = 0.0
    views: bool = True
    validate: bool = True


@dataclass(frozen=True)
class BuildReport:
    out: Path
    articles: tuple[str, ...]
    skipped: tuple[Skipped, ...]
    entities_by_type: dict[str, int]
    relations_by_predicate: dict[str, int]
    conforms: bool | None
    validation_text: str
    seconds: float
    outputs: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.skipped and self.conforms is not False

    def to_json(self) -> str:
        return json.dumps({
            "articles": list(self.articles),
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "entities_by_type": self.entities_by_type,
            "relations_by_predicate": self.relations_by_predicate,
            "conforms": self.conforms,
            "outputs": self.outputs,
        }, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def extract_corpus(paths: Sequence[Path], *, extractor: Extractor,
                   progress: Callable[[str], None] | None = None
                   ) -> tuple[list[ArticleGraph], list[Skipped]]:
    """Read and extract every article; bad inputs become :class:`Skipped`."""
    graphs: list[ArticleGraph] = []
    skipped: list[Skipped] = []
    for item in iter_corpus(list(paths)):
        if isinstance(item, Skipped):
            skipped.append(item)
            continue
        if progress:
            progress(item.source)
        graphs.append(extractor.extract(item))
    return graphs, skipped


def build_corpus(paths: Sequence[Path], *, out: Path, options: BuildOptions = BuildOptions(),
                 progress: Callable[[str], None] | None = None) -> BuildReport:
    t0 = time.perf_counter()
    out = Path(out)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "report.json").exists())):
        raise OutputError(
            f"{out}: exists and is not a policykg output folder (no report.json); "
            "choose an empty or new folder with --out, or remove it first")
    extractor = Extractor(ExtractorConfig(segmenter=options.segmenter,
                                          min_confidence=options.min_confidence))
    graphs, skipped = extract_corpus(paths, extractor=extractor, progress=progress)
    ds = to_dataset(graphs)

    out.parent.mkdir(parents=True, exist_ok=True)
    staging = out.with_name(f".{out.name}.staging-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    try:
        outputs = {
            "trig": "graph.trig", "nquads": "graph.nq", "turtle": "graph.ttl",
            "store": "store", "report": "report.json",
        }
        atomic_write(staging / "graph.trig", to_trig(ds))
        atomic_write(staging / "graph.nq", to_nquads(ds))
        atomic_write(staging / "graph.ttl", to_turtle_union(ds))
        with GraphStore.open(staging / "store") as store:
            for ag in graphs:
                store.replace_article(ag)
        conforms, vtext = None, ""
        if options.validate:
            rep = validate(ds)
            conforms, vtext = rep.conforms, rep.text
            atomic_write(staging / "validation.txt", vtext.encode("utf-8"))
            outputs["validation"] = "validation.txt"
        if options.views:
            from policykg.graph.views import write_views

            titles = {ag.article.id: ag.article.title for ag in graphs}
            write_views(ds, staging / "views", articles=titles)
            outputs["views"] = "views/index.html"
        ents: Counter[str] = Counter()
        seen: set[tuple[str, str]] = set()
        rels: Counter[str] = Counter()
        seen_r: set[tuple[str, str, str]] = set()
        for ag in graphs:
            for e in ag.entities:
                for t in e.types:
                    if (e.label, t) not in seen:
                        seen.add((e.label, t))
                        ents[t] += 1
            for r in ag.relations:
                if (r.subject, r.predicate, r.object) not in seen_r and not all(
                        ev.negated for ev in r.evidence):
                    seen_r.add((r.subject, r.predicate, r.object))
                    rels[r.predicate] += 1
        report = BuildReport(
            out=out, articles=tuple(ag.article.id for ag in graphs), skipped=tuple(skipped),
            entities_by_type=dict(sorted(ents.items())),
            relations_by_predicate=dict(sorted(rels.items())),
            conforms=conforms, validation_text=vtext,
            seconds=time.perf_counter() - t0, outputs=outputs,
        )
        atomic_write(staging / "report.json", report.to_json().encode("utf-8"))
        _swap_in(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return report


def _swap_in(staging: Path, out: Path) -> None:
    """Replace ``out`` by ``staging``; the old folder survives until the new one is in place."""
    old = out.with_name(f".{out.name}.old-{os.getpid()}")
    if out.exists():
        os.replace(out, old)
    os.replace(staging, out)
    shutil.rmtree(old, ignore_errors=True)
