"""The main job end to end through the ``policykg`` command: build the bundled sample page,
then query, evaluate and validate what was built."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policykg.build.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "sample"
GOLD = ROOT / "tests" / "data" / "gold" / "000_3c3239678a321f59.yaml"

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("cli") / "out"
    res = run("build", SAMPLE, "--out", out, "--quiet")
    assert res.exit_code == 0, res.output
    return out


def test_help_lists_every_subcommand_and_the_exit_codes():
    res = run("--help")
    assert res.exit_code == 0
    for cmd in ("build", "query", "evaluate", "validate", "view", "serve", "push"):
        assert re.search(rf"\b{cmd}\b", res.output), cmd
    flat = " ".join(res.output.split())
    assert "Exit codes: 0 success; 1 built with skipped inputs or failed SHACL validation" in flat


def test_build_writes_every_output(built):
    for name in ("graph.trig", "graph.nq", "graph.ttl", "report.json", "validation.txt",
                 "views/index.html"):
        assert (built / name).is_file(), name
    assert (built / "store").is_dir()
    report = json.loads((built / "report.json").read_text(encoding="utf-8"))
    assert report["conforms"] is True
    assert report["skipped"] == []
    assert len(report["articles"]) == 3
    assert len(list((built / "views" / "article").glob("*.html"))) == 3
    assert (built / "views" / "place").is_dir()


@pytest.mark.parametrize("umask, file_mode, dir_mode",
                         [(0o022, 0o644, 0o755), (0o077, 0o600, 0o700)])
def test_every_output_gets_the_users_umask(tmp_path, umask, file_mode, dir_mode):
    # the atomic writers must not make their files 0600 like mkstemp; the build runs in
    # its own process with that umask (a umask is process-wide: other threads would see it)
    corpus, out = tmp_path / "corpus", tmp_path / "out"
    shutil.copytree(SAMPLE, corpus)

    def build() -> None:
        res = subprocess.run([sys.executable, "-m", "policykg.build.cli", "build", str(corpus),
                              "--out", str(out), "--quiet"],
                             umask=umask, capture_output=True, text=True, timeout=300)
        assert (res.returncode, res.stderr) == (0, "")

    def modes() -> dict[str, str]:
        wrong = {p.relative_to(out).as_posix(): oct(p.stat().st_mode & 0o777)
                 for p in out.rglob("*")
                 if p.stat().st_mode & 0o777 != (dir_mode if p.is_dir() else file_mode)}
        if (out.stat().st_mode & 0o777) != dir_mode:
            wrong["."] = oct(out.stat().st_mode & 0o777)
        return wrong

    build()
    names = {p.relative_to(out).as_posix().split("/")[0] for p in out.rglob("*")}
    assert names == {"graph.trig", "graph.nq", "graph.ttl", "report.json", "validation.txt",
                     "state.json", "store", "views", "cache"}
    assert any((out / "store").iterdir()) and any((out / "cache").iterdir())
    assert modes() == {}
    # a rebuild: reused cache files (hard links), the store's checkpoint, one new article
    (corpus / "more.txt").write_text("# 新文章\n\n济南与青岛加快推动济青联动发展。\n",
                                     encoding="utf-8")
    build()
    assert "more-1" in json.loads((out / "report.json").read_text(encoding="utf-8"))["articles"]
    assert modes() == {}


def test_views_reference_nothing_on_the_network(built):
    for f in (built / "views").rglob("*"):
        if f.is_file():
            text = f.read_text(encoding="utf-8", errors="replace")
            assert "http://" not in text and "https://" not in text, f


def test_two_builds_are_byte_identical(built, tmp_path):
    again = tmp_path / "again"
    assert run("build", SAMPLE, "--out", again, "--quiet", "--no-views").exit_code == 0
    for name in ("graph.trig", "graph.nq", "graph.ttl"):
        assert (again / name).read_bytes() == (built / name).read_bytes(), name


def test_sample_scores_meet_the_foundation_targets(built):
    res = run("evaluate", GOLD, "--store", built, "--json")
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    micro = data["micro"]
    assert micro["entities"]["ALL"]["f1"] >= 0.75
    assert micro["relations"]["ALL"]["f1"] >= 0.50


def test_named_query_in_every_format(built):
    table = run("query", "coordinates-with", "--store", built, "--param", "place=济南")
    assert table.exit_code == 0, table.output
    assert "青岛" in table.output
    as_csv = run("query", "coordinates-with", "--store", built, "-p", "place=济南", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.output)))
    assert {r["partner"] for r in rows} == {"青岛"}
    assert all(r["sentence"] for r in rows)
    as_json = run("query", "coordinates-with", "--store", built, "-p", "place=济南", "--format", "json")
    data = json.loads(as_json.output)
    assert {b["partner"]["value"] for b in data["results"]["bindings"]} == {"青岛"}


def test_query_from_a_file_and_inline(built, tmp_path):
    rq = tmp_path / "modeled.rq"
    rq.write_text(
        "PREFIX pkg: <https://w3id.org/policykg/ontology#>\n"
        "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
        "SELECT DISTINCT ?model WHERE { ?x pkg:modeledOn ?m . ?x rdfs:label \"济青联动\"@zh .\n"
        "  ?m rdfs:label ?model } ORDER BY ?model\n", encoding="utf-8")
    res = run("query", rq, "--store", built, "--format", "csv")
    assert res.exit_code == 0, res.output
    assert res.output.split() == ["model", "广深联动", "成渝联动", "杭甬联动", "西咸联动"]
    inline = run("query", rq.read_text(encoding="utf-8"), "--store", built, "--format", "csv")
    assert inline.output == res.output


def test_query_without_a_store_is_a_clear_error(tmp_path):
    res = runner.invoke(app, ["query", "entities", "--store", str(tmp_path / "nowhere")])
    assert res.exit_code == 2
    assert f"{tmp_path / 'nowhere'}: no store found; run `policykg build … --out" in " ".join(res.output.split())


def test_bad_files_are_skipped_and_named(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SAMPLE, corpus)
    (corpus / "broken.txt").write_bytes(b"\x00\x01\x02binary")
    (corpus / "empty.md").write_text("  \n", encoding="utf-8")
    res = runner.invoke(app, ["build", str(corpus), "--out", str(tmp_path / "out"), "--no-views"])
    assert res.exit_code == 1
    flat = " ".join(res.output.split())
    assert (f"skipped {corpus / 'broken.txt'}: binary file (contains NUL bytes); only UTF-8 or "
            "GB18030 text files can be read") in flat
    assert f"skipped {corpus / 'empty.md'}: empty file (no text after removing whitespace)" in flat
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert len(report["articles"]) == 3
    assert sorted(s["path"] for s in report["skipped"]) == [str(corpus / "broken.txt"),
                                                             str(corpus / "empty.md")]


def test_validate_command_reports_conformance(built):
    res = run("validate", "--store", built)
    assert res.exit_code == 0
    assert res.output.splitlines()[:2] == ["Validation Report", "Conforms: True"]


def test_evaluate_min_f1_gate(built):
    assert run("evaluate", GOLD, "--store", built, "--min-f1", "0.5").exit_code == 0
    res = runner.invoke(app, ["evaluate", str(GOLD), "--store", str(built), "--min-f1", "0.99"])
    assert res.exit_code == 1
    assert re.search(r"below --min-f1 0\.99: entity F1 0\.\d+, relation F1 0\.\d+", res.output)
