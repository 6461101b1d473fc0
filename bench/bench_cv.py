"""Leave-one-text-out cross-validation of the learned model beside the rules (issue 14).

Trains every learned part (CRF, relation classifier, their thresholds and calibration)
on all gold files but one, extracts the held-out text with it, and scores; rules alone
are scored too (they have seen every text). Prints micro P/R/F1 per type and predicate
over all folds, for both.

    python bench/bench_cv.py [GOLD_DIR] [CORPUS_DIR] [--folds K] [--json OUT]
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from policykg.build.training import cross_validate, load_gold_texts
from policykg.graph.evaluate import to_json, to_text

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("gold", nargs="?", default=ROOT / "tests" / "data" / "gold", type=Path)
    ap.add_argument("corpus", nargs="?", default=ROOT / "corpus", type=Path)
    ap.add_argument("--folds", type=int, default=None, help="groups of texts (default: one per text)")
    ap.add_argument("--json", type=Path, default=None, help="also write both evaluations as JSON here")
    args = ap.parse_args()
    texts = load_gold_texts(args.gold, args.corpus)
    t0 = time.perf_counter()

    def progress(fold: int, k: int, m) -> None:  # noqa: ANN001
        print(f"fold {fold + 1}/{k}: entity threshold {m.entity_threshold}, relation threshold "
              f"{m.relation_threshold} ({time.perf_counter() - t0:.0f} s)", file=sys.stderr, flush=True)

    cv = cross_validate(texts, folds=args.folds, progress=progress)
    print("# rules alone (seen on every text)")
    print(to_text(cv.rules))
    print("# rules + learned, leave-one-text-out")
    print(to_text(cv.learned))
    if args.json:
        args.json.write_text(json.dumps({"rules": json.loads(to_json(cv.rules)),
                                         "learned": json.loads(to_json(cv.learned)),
                                         "thresholds": cv.thresholds}, ensure_ascii=False, indent=1))


if __name__ == "__main__":
    main()
