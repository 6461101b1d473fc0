"""Faults through the ``policykg`` command (issue 7): killed builds, two builds at once,
an unwritable output folder, a full disk.

Builds run as child processes (``python -m policykg.build.cli``) and are killed with
SIGKILL, so no cleanup code runs. The invariant: the previous output folder stays
byte-identical and queryable, whatever the moment of the kill, and the next build
recovers (no stale lock, leftovers removed).

Runtime: about 30 s (one build of the dev texts in-process; in child processes six
killed builds, two complete rebuilds and a full disk; a few quick failures).
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policykg.build.cli import app
from policykg.build.pipeline import BuildOptions, build_corpus

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "corpus" / "dev"
#: the four first dev texts (02–09): the corpus these tests are sized for (the full disk's size too)
DEV_TEXTS = sorted(DEV.glob("0*.txt"))
SAMPLE = ROOT / "corpus" / "sample"
FILES = ("graph.nq", "graph.trig", "graph.ttl", "report.json", "validation.txt", "state.json")
COUNT = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"

runner = CliRunner()


def cli(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def spawn(*args: object) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "policykg.build.cli", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def snapshot(out: Path) -> dict[str, str]:
    """Hash of every file of the output folder (the store's files included)."""
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file() and p.name != "LOCK"}


def dumps(out: Path) -> dict[str, bytes]:
    return {name: (out / name).read_bytes() for name in FILES}


def answers(out: Path) -> tuple[str, str]:
    """What `policykg query` says about the folder: quad count and the entities."""
    n = cli("query", COUNT, "--store", out, "--format", "csv")
    assert n.exit_code == 0, n.output
    ents = cli("query", "entities", "--store", out, "--format", "csv")
    assert ents.exit_code == 0, ents.output
    return n.output, ents.output


def variant_corpus(dst: Path, copies: int) -> Path:
    """The four dev texts plus ``copies`` edited copies of each (new articles to extract)."""
    dst.mkdir(parents=True)
    for f in DEV_TEXTS:
        shutil.copy(f, dst / f.name)
    for i in range(copies):
        for f in DEV_TEXTS:
            (dst / f"{f.stem}_v{i}.txt").write_text(
                f.read_text(encoding="utf-8") + f"\n第{i + 1}次修订：济南与青岛加快推动联动发展。\n",
                encoding="utf-8")
    return dst


@pytest.fixture(scope="module")
def previous(tmp_path_factory) -> Path:
    """A finished build of the dev texts (views off): what a failed rebuild must keep."""
    out = tmp_path_factory.mktemp("previous") / "out"
    corpus = variant_corpus(out.parent / "corpus", copies=0)
    report = build_corpus([corpus], out=out, options=BuildOptions(views=False))
    assert report.ok and len(report.articles) == 4
    return out


@pytest.fixture
def world(tmp_path, previous) -> tuple[Path, Path]:
    """(output folder holding the previous build, a corpus with 8 more articles)."""
    out = tmp_path / "out"
    shutil.copytree(previous, out)
    return out, variant_corpus(tmp_path / "corpus", copies=2)


def leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}"))


def _stage(out: Path) -> str:
    staging = list(out.parent.glob(f".{out.name}.staging-*"))
    if not staging:
        return "starting (no staging folder yet)"
    return f"staging, {len(list(staging[0].glob('cache/*.nq')))} article graphs cached"


# ------------------------------------------------------------------ killed builds
def test_a_build_killed_at_any_moment_leaves_the_previous_output(tmp_path, previous) -> None:
    out = tmp_path / "out"
    shutil.copytree(previous, out)
    before, files, said = snapshot(out), dumps(out), answers(out)
    big = variant_corpus(tmp_path / "big", copies=64)      # ~9 s to build: killed long before
    moments = []
    for delay in (0.2, 0.5, 1.0, 2.0, 3.0):
        p = spawn("build", big, "--out", out, "--no-views", "--quiet")
        time.sleep(delay)
        stage = _stage(out)
        assert p.poll() is None, f"the build ended within {delay} s; make the corpus bigger"
        p.send_signal(signal.SIGKILL)
        p.wait()
        moments.append(f"{delay} s: {stage}")
        if snapshot(out) != before and b"_v3-1" in (out / "graph.nq").read_bytes():
            pytest.fail(f"the build swapped its output in within {delay} s (this machine is "
                        "fast): make the corpus bigger so that the kills land mid-build")
        assert snapshot(out) == before, f"killed after {delay} s ({stage})"
        assert dumps(out) == files
        assert answers(out) == said, f"killed after {delay} s ({stage})"
    print("killed at", "; ".join(moments))

    # killed while writing the dumps (its staging folder already has graph.nq)
    small = variant_corpus(tmp_path / "small", copies=0)
    f = small / "05_sina_gba_five_trillion_cities.txt"
    f.write_text(f.read_text(encoding="utf-8") + "\n济南与青岛加快推动联动发展。\n", encoding="utf-8")
    p = spawn("build", small, "--out", out, "--no-views", "--quiet")
    deadline = time.monotonic() + 60
    while not list(out.parent.glob(f".{out.name}.*/graph.nq")):
        assert p.poll() is None, "the build ended before it wrote its dumps"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert snapshot(out) == before and answers(out) == said
    assert len(leftovers(out)) > 1      # what the killed builds left behind

    # the next build recovers: no stale lock, leftovers gone, the changed article rebuilt
    p = spawn("build", small, "--out", out, "--no-views", "--wait", "0")
    stdout, stderr = p.communicate(timeout=120)
    assert (p.returncode, stderr.strip()) == (0, "")   # no waiting, no error
    assert "(1 extracted, 3 reused, 0 removed;" in " ".join(stdout.split())
    # the store loads while articles are extracted and dumps written: the summary says how
    # long it waited after
    assert re.search(r"store \d+\.\ds \(\d+\.\ds after the dumps\)", " ".join(stdout.split()))
    assert leftovers(out) == [f".{out.name}.lock"]
    assert answers(out) != said


# ------------------------------------------------------------- two builds at once
def test_a_second_build_into_the_same_folder_waits_or_stops(world) -> None:
    out, corpus = world
    first = spawn("build", corpus, "--out", out, "--no-views", "--quiet", "--jobs", "2")
    lock = out.with_name(f".{out.name}.lock")
    deadline = time.monotonic() + 30
    while not (lock.exists() and lock.read_text().strip() == str(first.pid)):
        assert first.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)

    # --wait 0: stops at once, naming the other build
    res = cli("build", corpus, "--out", out, "--no-views", "--quiet", "--wait", "0")
    assert res.exit_code == 2
    assert " ".join(res.output.split()) == (
        f"error: {out}: another policykg build (pid {first.pid}) is writing this output "
        f"folder (lock .{out.name}.lock; waited 0 s); wait for it to finish or stop it, build "
        "into another --out, or allow a longer --wait")

    # the default: waits for the first build, then finds nothing left to do
    second = spawn("build", corpus, "--out", out, "--no-views", "--wait", "60")
    assert first.wait(timeout=120) == 0
    stdout, stderr = second.communicate(timeout=120)
    assert second.returncode == 0, stderr
    assert " ".join(stderr.split()) == f"waiting up to 60 s for the build of {out} by pid {first.pid}…"
    flat = " ".join(stdout.split())
    assert "built 12 articles" in flat and "(0 extracted, 12 reused, 0 removed;" in flat
    assert "after the dumps" not in flat          # nothing was extracted
    # never interleaved: the store holds exactly what the dumps hold
    n = cli("query", COUNT, "--store", out, "--format", "csv")
    assert n.output.split()[1] == str((out / "graph.nq").read_bytes().count(b"\n"))


# ---------------------------------------------------------- unwritable output folder
# An OSError from the lock or the staging folder is a one-line error with exit code 2.


def _clear_error(res, out: Path) -> None:
    assert res.exit_code == 2, (res.exit_code, res.output)
    assert "Traceback" not in res.output
    lines = res.output.strip().splitlines()
    flat = " ".join(res.output.split())
    assert flat.startswith(f"error: {out}: "), res.output
    assert "; " in flat and len(lines) <= 3   # what happened; what to do


def test_output_under_a_file_is_a_clear_error(tmp_path) -> None:
    (tmp_path / "file.txt").write_text("not a folder", encoding="utf-8")
    out = tmp_path / "file.txt" / "out"
    res = runner.invoke(app, ["build", str(DEV), "--out", str(out), "--no-views", "--quiet"])
    _clear_error(res, out)


def test_output_in_proc_is_a_clear_error() -> None:
    out = Path("/proc/policykg-out")
    res = runner.invoke(app, ["build", str(DEV), "--out", str(out), "--no-views", "--quiet"])
    _clear_error(res, out)


def test_output_that_is_a_file_is_a_clear_error(tmp_path) -> None:
    out = tmp_path / "graph.txt"
    out.write_text("mine", encoding="utf-8")
    res = cli("build", DEV, "--out", out, "--no-views", "--quiet")
    assert res.exit_code == 2
    assert " ".join(res.output.split()) == (
        f"error: {out}: exists and is not a policykg output folder (no report.json); choose "
        "an empty or new folder with --out, or remove it first")
    assert out.read_text(encoding="utf-8") == "mine"


# -------------------------------------------------------------------- full disk
@pytest.fixture(scope="module")
def full_disk(tmp_path_factory, previous):
    """A 4 MB tmpfs holding the previous build, filled up but for 64 kB; then a rebuild."""
    disk = tmp_path_factory.mktemp("disk")
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root to mount a small tmpfs")
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(disk)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        out = disk / "out"
        shutil.copytree(previous, out)
        before, said = snapshot(out), answers(out)
        free = shutil.disk_usage(disk).free
        with open(disk / "filler", "wb") as fh:
            fh.write(b"\0" * max(free - 64 * 1024, 0))
        corpus = variant_corpus(tmp_path_factory.mktemp("corpus") / "corpus", copies=1)
        p = spawn("build", corpus, "--out", out, "--no-views", "--quiet")
        stdout, stderr = p.communicate(timeout=120)
        yield {"out": out, "before": before, "said": said, "code": p.returncode,
               "stdout": stdout, "stderr": stderr, "after": snapshot(out),
               "said_after": answers(out), "leftovers": leftovers(out)}
    finally:
        subprocess.run(["umount", str(disk)], check=False)


def test_full_disk_leaves_the_previous_output(full_disk) -> None:
    assert full_disk["code"] != 0 and "No space left on device" in full_disk["stderr"]
    assert full_disk["after"] == full_disk["before"]
    assert full_disk["said_after"] == full_disk["said"]
    assert full_disk["leftovers"] == [".out.lock"]     # the staging folder was removed


def test_full_disk_is_a_clear_error(full_disk) -> None:
    assert full_disk["code"] == 2, full_disk["stderr"]
    assert "Traceback" not in full_disk["stderr"]
    assert re.fullmatch(rf"error: {re.escape(str(full_disk['out']))}: .*No space left on "
                        r"device.*; .*\n", " ".join(full_disk["stderr"].split()) + "\n")
