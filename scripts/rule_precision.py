"""Precision of each extraction rule family on the bundled corpus, against the gold files.

usage: python scripts/rule_precision.py [CORPUS_DIR] [GOLD_DIR]

For every relation the rule of its best evidence is credited; for every entity the rule
family of the mention that decided its type. An item is correct when it matches any gold
item (optional ones included), as in GUIDELINES.md's precision. Prints a table sorted by
rule; docs/extraction.md quotes its output.
"""
from __future__ import annotations

import sys
from collections import defaultdict
from pathlib import Path

from policykg.build.extract import TYPE_AUTHORITY, Extractor
from policykg.build.mentions import MentionFinder
from policykg.build.reader import iter_corpus
from policykg.graph.evaluate import normalise, read_gold
from policykg.graph.model import Skipped

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str]) -> int:
    corpus = Path(argv[0]) if argv else ROOT / "corpus"
    gold_dir = Path(argv[1]) if len(argv) > 1 else ROOT / "tests" / "data" / "gold"
    golds = {g.source: g for g in map(read_gold, sorted(gold_dir.rglob("*.yaml")))}
    ex = Extractor()
    rel_stats: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    ent_stats: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for art in iter_corpus([corpus]):
        if isinstance(art, Skipped):
            continue
        gold = golds.get(Path(art.source).name)
        if gold is None:
            continue
        g = ex.extract(art)
        alts = [(normalise(s), p, normalise(o))
                for r in gold.relations for s, p, o in r.alternatives]
        for r in g.relations:
            if all(e.negated for e in r.evidence):
                continue
            rule = max(r.evidence, key=lambda e: e.confidence).rule
            ext = (normalise(r.subject), r.predicate, normalise(r.object))
            ok = any(gold.triple_matches(ext, a) for a in alts)
            rel_stats[rule][0] += ok
            rel_stats[rule][1] += 1
        # entity rule families: re-run mention finding to see which rule typed each label
        finder = MentionFinder(ex.lexicon, ex.segmenter)
        _, mentions = finder.find(art.paragraphs, art.paragraph_offsets)
        by_label: dict[str, set[str]] = defaultdict(set)
        for ms in mentions:
            for m in ms:
                if m.label:
                    by_label[m.label].add(m.rule)
        for e in g.entities:
            rules = by_label.get(e.label, {"meta.affiliation"})
            family = next((f for f in TYPE_AUTHORITY if any(r.startswith(f) for r in rules)),
                          sorted(rules)[0])
            rule = next((r for r in sorted(rules) if r.startswith(family)), family)
            for t in e.types:
                ok = any(normalise(e.label) in ge.names and t in ge.types for ge in gold.entities)
                ent_stats[rule][0] += ok
                ent_stats[rule][1] += 1
    for title, stats in (("entity rule", ent_stats), ("relation rule", rel_stats)):
        print(f"{title:<32} {'correct':>8} {'total':>6} {'precision':>9}")
        for rule, (ok, n) in sorted(stats.items()):
            print(f"  {rule:<30} {ok:>8} {n:>6} {ok / n:>9.2f}")
        ok = sum(v[0] for v in stats.values())
        n = sum(v[1] for v in stats.values())
        print(f"  {'ALL':<30} {ok:>8} {n:>6} {ok / n:>9.2f}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
