"""Build throughput benchmark: bare jieba vs bare rjieba vs ``policykg build``.

Run from the repository root::

    python bench/bench_build.py                    # 1 MB and 2 MB, default and bare builds
    python bench/bench_build.py --sizes 10,100 --jobs 1,2   # bigger (takes a while)

The corpora are **synthetic**: the bundled real texts (corpus/sample, corpus/dev)
repeated until the size is reached, one article per file, each copy varied so
that no two articles are equal — a copy number in the title, the body
paragraphs rotated, and the big cities of the text swapped for other prefecture
cities of the gazetteer (so the number of distinct entities grows a little with
size, as in a real corpus). Sizes are UTF-8 bytes of the files.

For each size, in one run and each in its own process (so peak RSS is its own):

* ``jieba``   — ``jieba.lcut(text)`` (HMM on) of every file's text, after the dictionary is loaded;
* ``rjieba``  — ``rjieba.cut(text)`` of the same text;
* ``default`` — ``policykg build CORPUS --out OUT --full``: what users run (views and
  SHACL on);
* ``bare``    — the same with ``--no-views --no-validate`` (reading, extraction, RDF,
  store, dumps);

each build with every ``--jobs`` value asked for (default 1); wall time of the whole
command, start-up included.

Prints chars/s, the ratio build time / jieba time measured in the same run (the goal
is < 1), every stage's time (the build's summary line), the size of ``views/``
against ``graph.nq``, peak RSS (ru_maxrss of the process via ``os.wait4``; with
--jobs 2 the largest of the main process and its workers) and, at the end, a table
of all sizes side by side, so that linearity shows. Results go to
``bench/results/build-<date>.json`` and ``.txt``.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
SOURCES = [*sorted((ROOT / "corpus" / "sample").glob("*.txt")),
           *sorted((ROOT / "corpus" / "dev").glob("*.txt"))]
#: cities swapped in the copies (they occur in the bundled texts)
SWAPPED = ("济南", "青岛", "深圳", "广州", "杭州", "宁波", "东莞", "佛山")
MB = 1_000_000


def _articles() -> list[tuple[str, list[str]]]:
    """(title, body lines) of every article of the bundled texts."""
    out: list[tuple[str, list[str]]] = []
    for path in SOURCES:
        title, body = None, []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("# "):
                if title is not None:
                    out.append((title, body))
                title, body = line[2:].strip(), []
            elif title is not None:
                body.append(line)
        if title is not None:
            out.append((title, body))
    return out


def _prefecture_cities() -> list[str]:
    rows = (ROOT / "ontology" / "lexicons" / "places.tsv").read_text(encoding="utf-8").splitlines()
    header = next(r for r in rows if not r.startswith("#")).split("\t")
    out = []
    for r in rows:
        if r.startswith("#") or r.split("\t") == header:
            continue
        d = dict(zip(header, r.split("\t")))
        if d.get("level") == "prefecture" and d.get("short"):
            out.append(d["short"])
    return sorted(set(out) - set(SWAPPED))


def make_corpus(dest: Path, size: int, *, seed: int = 7) -> dict[str, int]:
    """Write about ``size`` bytes of varied copies of the bundled articles under ``dest``."""
    if dest.is_dir() and (dest / ".done").is_file():
        return json.loads((dest / ".done").read_text())
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir(parents=True)
    arts, cities = _articles(), _prefecture_cities()
    rng = random.Random(seed)
    total = files = chars = 0
    k = 0
    while total < size:
        title, body = arts[k % len(arts)]
        copy = k // len(arts)
        head, rest = body[:3], body[3:]       # keep bylines / source lines in front
        shift = copy % max(len(rest), 1)
        rest = rest[shift:] + rest[:shift]
        swap = dict(zip(SWAPPED, rng.sample(cities, len(SWAPPED)))) if copy else {}
        text = "\n".join([f"# {title}（{copy + 1}）", *head, *rest]) + "\n"
        if swap:
            text = re.sub("|".join(SWAPPED), lambda m, table=swap: table[m.group()], text)
        data = text.encode("utf-8")
        path = dest / f"{k // 500:04d}" / f"a{k:06d}.txt"
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        total += len(data)
        chars += len(text)
        files += 1
        k += 1
    info = {"bytes": total, "files": files, "chars": chars}
    (dest / ".done").write_text(json.dumps(info))
    return info


# ------------------------------------------------------------------------- runs
_SEGMENT = r"""
import sys, time, pathlib
backend, root = sys.argv[1], pathlib.Path(sys.argv[2])
files = sorted(p for p in root.rglob("*.txt"))
if backend == "jieba":
    import jieba, logging
    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    cut = lambda t: jieba.lcut(t, HMM=True)
else:
    import rjieba
    rjieba.cut("预热")
    cut = rjieba.cut
t0 = time.perf_counter()
n = tokens = 0
for p in files:          # one file at a time, like the build
    text = p.read_text(encoding="utf-8")
    n += len(text)
    tokens += len(cut(text))
print(time.perf_counter() - t0, n, tokens)
"""


def _measured(cmd: list[str]) -> tuple[float, float, float, str]:
    """Run ``cmd``: wall seconds, peak RSS in MB, CPU seconds and its stdout.

    RSS and CPU come from ``os.wait4`` on the child: ru_maxrss is the largest of
    the child and the descendants it waited for (the --jobs workers); user + system
    time is theirs summed (on 2 cores a build cannot take less wall time than half
    of it)."""
    import tempfile

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as errs:
        t0 = time.perf_counter()
        env = {**os.environ, "COLUMNS": "400"}     # keep rich's summary lines whole
        p = subprocess.Popen(cmd, stdout=out, stderr=errs, text=True, env=env)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        errs.seek(0)
        if p.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(cmd)} failed ({p.returncode}):\n{errs.read()[-3000:]}")
        return wall, usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime, out.read()


#: the builds timed: name → the options after ``policykg build CORPUS --out OUT --full``
MODES = {"default": [], "bare": ["--no-views", "--no-validate"]}
#: a stage of the summary's ``time:`` line: "extraction 10.8s", "store 5.6s (…)"
_STAGE = re.compile(r"(?:^|, )([A-Za-z][A-Za-z ]*?) (\d+(?:\.\d+)?)s")


def parse_stages(line: str) -> dict[str, float]:
    """The stage seconds of a build summary's ``time:`` line.

    >>> parse_stages("extraction 1.0s, SHACL 2.5s, store 0.3s (0.1s after the dumps), views 4.0s")
    {'extraction': 1.0, 'SHACL': 2.5, 'store': 0.3, 'views': 4.0}
    """
    return {m.group(1): float(m.group(2)) for m in _STAGE.finditer(line)}


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else 0


def bench_size(size_mb: float, *, jobs: tuple[int, ...] = (1,),
               modes: tuple[str, ...] = tuple(MODES)) -> dict:
    corpus = RESULTS / "corpora" / f"{size_mb:g}mb"
    info = make_corpus(corpus, int(size_mb * MB))
    res: dict = {"size_mb": size_mb, **info, "load_before": os.getloadavg()[0], "builds": {}}
    for backend in ("jieba", "rjieba"):
        wall, rss, cpu, out = _measured([sys.executable, "-c", _SEGMENT, backend, str(corpus)])
        secs, n, tokens = out.split()
        res[backend] = {"seconds": float(secs), "wall": wall, "chars_per_s": int(n) / float(secs),
                        "tokens": int(tokens), "peak_rss_mb": rss, "cpu_s": cpu}
    policykg = shutil.which("policykg") or str(Path(sys.executable).with_name("policykg"))
    for mode in modes:
        for j in jobs:
            out_dir = RESULTS / "out" / f"{size_mb:g}mb-{mode}-j{j}"
            shutil.rmtree(out_dir, ignore_errors=True)
            cmd = [policykg, "build", str(corpus), "--out", str(out_dir), "--jobs", str(j),
                   "--full", *MODES[mode]]
            wall, rss, cpu, summary = _measured(cmd)
            stages = re.search(r"^\s*time:\s+(.*?)(?: \(extraction, RDF|$)", summary, re.M)
            report = json.loads((out_dir / "report.json").read_text(encoding="utf-8"))
            nq = out_dir / "graph.nq"
            res["builds"][f"{mode}-j{j}"] = {
                "mode": mode, "jobs": j, "seconds": wall, "chars_per_s": info["chars"] / wall,
                "peak_rss_mb": rss, "cpu_s": cpu, "articles": len(report["articles"]),
                "quads": nq.read_bytes().count(b"\n"), "graph_nq_bytes": _size(nq),
                "views_bytes": _size(out_dir / "views"),
                "ratio_vs_jieba": wall / res["jieba"]["seconds"],
                "stages": parse_stages(stages.group(1)) if stages else {},
                "stages_line": stages.group(1) if stages else ""}
    res["load_after"] = os.getloadavg()[0]
    return res


def _fmt(res: dict) -> str:
    lines = [f"== {res['size_mb']:g} MB synthetic corpus: {res['files']} files, "
             f"{res['chars']:,} chars, {res['bytes']:,} bytes; load average "
             f"{res['load_before']:.1f} → {res['load_after']:.1f}"]
    for k in ("jieba", "rjieba"):
        r = res[k]
        lines.append(f"  bare {k:<13} {r['seconds']:8.2f} s  {r['chars_per_s'] / 1e6:7.3f} M chars/s"
                     f"  peak RSS {r['peak_rss_mb']:7.0f} MB")
    for name, r in res["builds"].items():
        lines.append(f"  build {name:<12} {r['seconds']:8.2f} s  {r['chars_per_s'] / 1e6:7.3f} M chars/s"
                     f"  peak RSS {r['peak_rss_mb']:7.0f} MB  CPU {r['cpu_s']:6.1f} s"
                     f"  ratio vs jieba {r['ratio_vs_jieba']:.2f}"
                     f"  ({r['articles']} articles, {r['quads']:,} quads)")
        sizes = f"graph.nq {r['graph_nq_bytes'] / MB:.1f} MB"
        if r["views_bytes"]:
            sizes = (f"views/ {r['views_bytes'] / MB:.1f} MB, {sizes} (views/ = "
                     f"{r['views_bytes'] / r['graph_nq_bytes']:.2f}x graph.nq)")
        lines.append(f"{'':21}{sizes}")
        if r["stages_line"]:
            lines.append(f"{'':21}stages: {r['stages_line']}")
    return "\n".join(lines)


def _side_by_side(results: list[dict]) -> str:
    """All sizes in one table: seconds of jieba and each build, ratios, views/ vs graph.nq."""
    names = list(results[0]["builds"]) if results else []
    head = ["MB", "chars", "jieba s", *(f"{n} s" for n in names), *(f"{n}/jieba" for n in names),
            "views/ MB", "graph.nq MB"]
    rows = [head]
    for res in results:
        b = res["builds"]
        with_views = next((r for r in b.values() if r["views_bytes"]), None)
        rows.append([f"{res['size_mb']:g}", f"{res['chars']:,}", f"{res['jieba']['seconds']:.2f}",
                     *(f"{b[n]['seconds']:.2f}" for n in names),
                     *(f"{b[n]['ratio_vs_jieba']:.2f}" for n in names),
                     f"{with_views['views_bytes'] / MB:.1f}" if with_views else "-",
                     f"{next(iter(b.values()))['graph_nq_bytes'] / MB:.1f}" if b else "-"])
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    return "\n".join("  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1,2", help="corpus sizes in MB, comma-separated (default 1,2)")
    ap.add_argument("--jobs", default="1", help="--jobs values to build with (default 1)")
    ap.add_argument("--modes", default=",".join(MODES),
                    help="builds to time: default (views and SHACL on), bare (--no-views "
                         "--no-validate); default both")
    args = ap.parse_args(argv)
    sizes = sorted(float(s) for s in args.sizes.split(","))
    jobs = tuple(int(j) for j in args.jobs.split(","))
    modes = tuple(args.modes.split(","))
    if unknown := [m for m in modes if m not in MODES]:
        ap.error(f"--modes: unknown {', '.join(unknown)}; choose from {', '.join(MODES)}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    print("synthetic corpora: the bundled real texts repeated with per-article variation "
          "(copy number in the title, rotated paragraphs, swapped cities)", flush=True)
    print(f"machine: {os.cpu_count()} CPUs, Python {sys.version.split()[0]}, load average "
          f"{os.getloadavg()[0]:.1f} (other processes skew the numbers, --jobs 2 most)", flush=True)
    results = []
    for size in sizes:
        res = bench_size(size, jobs=jobs, modes=modes)
        results.append(res)
        print(_fmt(res), flush=True)
    table = _side_by_side(results)
    print("\nside by side (seconds of the whole command; ratios to bare jieba.lcut in the same run)")
    print(table, flush=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    (RESULTS / f"build-{stamp}.json").write_text(json.dumps(results, indent=2))
    (RESULTS / f"build-{stamp}.txt").write_text("\n".join(map(_fmt, results)) + "\n\n" + table + "\n")
    print(f"saved bench/results/build-{stamp}.json", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
