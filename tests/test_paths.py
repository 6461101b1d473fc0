"""A messy corpus folder (issue 7): nested folders, symbolic links inside and outside,
non-text files, a pipe, links in a loop, unreadable files, file names and contents in
mixed encodings. Everything readable is built; everything skipped is listed with its
reason in the build summary and in report.json; nothing outside the folder is read.

"Unreadable" as root: root reads any file, so the command runs with the two
capabilities that let it (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) dropped by
``setpriv``; where that is not possible the locked entries are left out and the
test says so. Outside reads are caught by a Python audit hook (``open`` and
``os.scandir`` events) while the reader walks the folder.

Runtime: about 5 s (one build of eight small files in a child process).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from policykg.build.reader import iter_corpus
from policykg.graph.model import Article, Skipped

pytestmark = pytest.mark.skipif(os.name != "posix", reason="symbolic links, pipes, setpriv")

SENTENCE = "济南与青岛加快推动联动发展，共建山东半岛城市群。"
GBK_NAME = "报告".encode("gbk") + b".txt"          # a file name from a Windows zip file


def _article(title: str, marker: str) -> str:
    return f"# {title}\n\n{SENTENCE}{marker}\n"


def make_corpus(tmp: Path) -> tuple[Path, Path]:
    """(corpus folder, outside folder); see the module docstring."""
    outside, corpus = tmp / "outside", tmp / "corpus"
    (outside / "dir").mkdir(parents=True)
    (outside / "secret.txt").write_text(_article("外部文章", "外部秘密"), encoding="utf-8")
    (outside / "dir" / "other.txt").write_text(_article("外部目录", "外部秘密"), encoding="utf-8")
    os.mkfifo(outside / "fifo.txt")                   # opening it for reading would block

    (corpus / "nested" / "deeper").mkdir(parents=True)
    (corpus / "a_utf8.txt").write_text(_article("统一编码", "甲"), encoding="utf-8")
    (corpus / "b_bom.md").write_bytes(_article("带签名", "乙").encode("utf-8-sig"))
    (corpus / "nested" / "c_gb18030.txt").write_bytes(_article("国标文本", "丙").encode("gb18030"))
    (corpus / "nested" / "deeper" / "d_gbk.txt").write_bytes(_article("汉字内码", "丁").encode("gbk"))
    (corpus / "nested" / "e_utf16.txt").write_bytes(_article("双字节", "戊").encode("utf-16"))
    (corpus / "dir.txt").mkdir()                      # a folder named like a file: walked
    (corpus / "dir.txt" / "f.txt").write_text(_article("目录中的文件", "己"), encoding="utf-8")
    with open(os.fsencode(corpus) + b"/" + GBK_NAME, "wb") as fh:
        fh.write(_article("文件名编码", "庚").encode("utf-8"))
    (corpus / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    (corpus / "README").write_text("read me", encoding="utf-8")
    (corpus / "binary.txt").write_bytes(b"\x00\x01\x02")
    (corpus / "empty.md").write_text(" \n", encoding="utf-8")
    (corpus / ".hidden.txt").write_text(_article("隐藏", "辛"), encoding="utf-8")
    os.mkfifo(corpus / "pipe.txt")
    (corpus / "link_inside.txt").symlink_to("a_utf8.txt")
    (corpus / "link_dir").symlink_to("nested", target_is_directory=True)
    (corpus / "link_out.txt").symlink_to(outside / "secret.txt")
    (corpus / "link_outdir").symlink_to(outside / "dir", target_is_directory=True)
    (corpus / "link_fifo.txt").symlink_to(outside / "fifo.txt")
    (corpus / "nested" / "up").symlink_to("..", target_is_directory=True)
    (corpus / "broken.txt").symlink_to("nowhere.txt")
    (corpus / "loop_a.txt").symlink_to("loop_b.txt")
    (corpus / "loop_b.txt").symlink_to("loop_a.txt")
    return corpus, outside


def expected(corpus: Path, *, locked: bool) -> tuple[list[str], list[tuple[str, str]]]:
    """(article sources, skipped (path, reason)) in reading order."""
    c = corpus.as_posix()
    sources = ["a_utf8.txt", "b_bom.md", "dir.txt/f.txt", "nested/c_gb18030.txt",
               "nested/deeper/d_gbk.txt", "nested/e_utf16.txt", "报告.txt"]
    outside = "symbolic link to a path outside the folder (not followed)"
    loop = "symbolic link loop (the link leads back to itself; not followed)"
    skipped = [
        (f"{c}/README", "not a .txt or .md file"),
        (f"{c}/binary.txt", "binary file (contains NUL bytes); only UTF-8 or GB18030 text "
                            "files can be read"),
        (f"{c}/broken.txt", "broken symbolic link (target does not exist)"),
        (f"{c}/empty.md", "empty file (no text after removing whitespace)"),
        (f"{c}/image.png", "not a .txt or .md file"),
        (f"{c}/link_dir/c_gb18030.txt", f"same file as {c}/nested/c_gb18030.txt (read once)"),
        (f"{c}/link_dir/deeper/d_gbk.txt", f"same file as {c}/nested/deeper/d_gbk.txt (read once)"),
        (f"{c}/link_dir/e_utf16.txt", f"same file as {c}/nested/e_utf16.txt (read once)"),
        (f"{c}/link_fifo.txt", outside),
        (f"{c}/link_inside.txt", f"same file as {c}/a_utf8.txt (read once)"),
        (f"{c}/link_out.txt", outside),
        (f"{c}/link_outdir", outside),
    ]
    if locked:
        skipped += [(f"{c}/locked", "cannot list folder (Permission denied)"),
                    (f"{c}/locked.txt", "cannot read file (Permission denied)")]
    skipped += [
        (f"{c}/loop_a.txt", loop),
        (f"{c}/loop_b.txt", loop),
        (f"{c}/pipe.txt", "not a regular file or folder (device, pipe or socket)"),
    ]
    return sources, skipped


def _order(items: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted(items)


class _Reads:
    """Paths the process opens or lists while active (a Python audit hook)."""

    def __init__(self) -> None:
        self.active = False
        self.paths: list[str] = []
        sys.addaudithook(self)       # cannot be removed: inert once inactive

    def __call__(self, event: str, args: tuple) -> None:
        if self.active and event in ("open", "os.scandir", "os.listdir") and args:
            p = args[0]
            if isinstance(p, (str, bytes, os.PathLike)):
                self.paths.append(os.path.realpath(os.fsdecode(p)))


_READS = _Reads()


def test_reader_reads_everything_inside_and_nothing_outside(tmp_path) -> None:
    corpus, outside = make_corpus(tmp_path)
    old = signal.signal(signal.SIGALRM, lambda *a: pytest.fail("the reader blocked (a pipe?)"))
    signal.alarm(20)
    _READS.active, _READS.paths = True, []
    try:
        items = list(iter_corpus([corpus]))
    finally:
        _READS.active = False
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    real_outside = os.path.realpath(outside)
    assert _READS.paths, "the audit hook saw nothing"
    assert [p for p in _READS.paths if p.startswith(real_outside + os.sep)] == []
    assert {p for p in _READS.paths} >= {os.path.realpath(corpus / "a_utf8.txt")}

    sources, skipped = expected(corpus, locked=False)
    arts = [x for x in items if isinstance(x, Article)]
    assert [a.source for a in arts] == sorted(sources, key=lambda s: s.split("/"))
    assert _order([(s.path, s.reason) for s in items if isinstance(s, Skipped)]) == _order(skipped)
    # every encoding read to the same text
    for a in arts:
        assert a.paragraphs[0].startswith(SENTENCE), (a.source, a.paragraphs)
    assert [a.title for a in arts] == ["统一编码", "带签名", "目录中的文件", "国标文本",
                                       "汉字内码", "双字节", "文件名编码"]


def _drop_read_capabilities() -> list[str] | None:
    """A command prefix that runs without root's permission to read anything, if possible."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        return None
    prefix = [setpriv, "--inh-caps=-dac_override,-dac_read_search",
              "--bounding-set=-dac_override,-dac_read_search", "--"]
    if subprocess.run([*prefix, "true"], capture_output=True).returncode != 0:
        return None
    return prefix


def test_build_lists_every_skipped_input_with_its_reason(tmp_path) -> None:
    corpus, outside = make_corpus(tmp_path)
    prefix = _drop_read_capabilities()
    locked = prefix is not None
    if locked:   # unreadable for the build (not for root's cleanup: pytest keeps its caps)
        (corpus / "locked.txt").write_text(_article("锁住", "壬"), encoding="utf-8")
        (corpus / "locked").mkdir()
        (corpus / "locked" / "g.txt").write_text(_article("锁住的目录", "癸"), encoding="utf-8")
        os.chmod(corpus / "locked.txt", 0)
        os.chmod(corpus / "locked", 0)
    out = tmp_path / "out"
    env = {**os.environ, "COLUMNS": "1000"}          # one line per skipped input
    p = subprocess.run([*(prefix or []), sys.executable, "-m", "policykg.build.cli", "build",
                        str(corpus), "--out", str(out), "--no-views", "--no-validate"],
                       capture_output=True, text=True, timeout=120, env=env)
    if locked:
        os.chmod(corpus / "locked", 0o755)
    sources, skipped = expected(corpus, locked=locked)
    assert p.returncode == 1, p.stderr
    listed = [line for line in p.stderr.splitlines() if line.startswith("skipped ")]
    assert listed == [f"skipped {path}: {reason}" for path, reason in skipped]
    assert f"  skipped: {len(skipped)} input(s)" in p.stdout.splitlines()
    assert p.stdout.startswith(f"built {len(sources)} articles into {out}/")

    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [(s["path"], s["reason"]) for s in report["skipped"]] == skipped
    assert len(report["articles"]) == len(sources)
    nq = (out / "graph.nq").read_text(encoding="utf-8")
    for s in sources:
        assert f'"{s}" ' in nq or f'"{s}"^^' in nq, s       # pkg:sourceFile of each file
    assert "外部" not in nq and "隐藏" not in nq and "锁住" not in nq
    if not locked:
        pytest.xfail("could not drop root's read capabilities (setpriv): unreadable files untested")
