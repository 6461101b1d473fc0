"""Exit codes and whole error messages of the ``policykg`` command (issue 7).

0 success · 1 built with skipped inputs or failed SHACL validation · 2 bad
invocation or fatal input. Every message below is asserted whole: what was
received, what is allowed, what to do. Also: named-query parameters cannot inject
SPARQL, malformed queries point at their line and column, ``--timeout`` stops a
long query.

Runtime: about 8 s (one build of the sample page, one query in a child process).
"""
from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policykg.build.cli import app

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "corpus" / "sample"
GOLD = ROOT / "tests" / "data" / "gold" / "000_3c3239678a321f59.yaml"
EXIT_HELP = ("Exit codes: 0 success; 1 built with skipped inputs or failed SHACL validation "
             "(evaluate: below --min-f1); 2 bad invocation or fatal input.")

runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def flat(text: str) -> str:
    return " ".join(text.split())


def error(res) -> str:  # noqa: ANN001
    """The one error line of a failed command (exit 2), whitespace-normalised."""
    assert res.exit_code == 2, (res.exit_code, res.output)
    assert "Traceback" not in res.output
    return flat(res.stderr)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("codes") / "out"
    res = run("build", SAMPLE, "--out", out, "--no-views", "--quiet")
    assert res.exit_code == 0, res.output          # 0: everything built, conforms
    return out


# ------------------------------------------------------------------ documented
def test_help_and_readme_document_the_exit_codes() -> None:
    res = run("--help")
    assert res.exit_code == 0
    assert EXIT_HELP in flat(res.stdout)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Bad input and failures", 1)[1].split("\n## ", 1)[0]
    for code in ("`0`", "`1`", "`2`"):
        assert code in section
    assert "--timeout" in section and "skipped" in section


# ------------------------------------------------------------------ 0 and 1
def test_validate_exit_codes(built, tmp_path) -> None:
    assert run("validate", "--store", built).exit_code == 0
    bad = tmp_path / "two-labels.trig"
    bad.write_text(
        "@prefix pkg: <https://w3id.org/policykg/ontology#> .\n"
        "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
        "<urn:g> { <https://w3id.org/policykg/id/e/x> a pkg:Entity, pkg:City ;\n"
        '  rdfs:label "甲"@zh, "乙"@zh . }\n', encoding="utf-8")
    res = run("validate", "--store", bad)
    assert res.exit_code == 1
    assert res.stdout.splitlines() == [
        "Validation Report", "Conforms: False", "Results: 1 (1 violations)",
        "Violation\thttps://w3id.org/policykg/id/e/x\thttp://www.w3.org/2000/01/rdf-schema#label"
        "\tan entity has exactly one rdfs:label, a @zh language-tagged string"]
    reference = run("validate", "--store", bad, "--shacl-engine", "pyshacl")
    assert (reference.exit_code, reference.stdout) == (1, res.stdout)


def test_unknown_shacl_engine_is_refused(built, tmp_path) -> None:
    for cmd in (("validate", "--store", built), ("build", SAMPLE, "--out", tmp_path / "o")):
        assert error(run(*cmd, "--shacl-engine", "java")) == (
            "error: --shacl-engine must be fast or pyshacl, got 'java'")


def test_a_build_with_only_bad_inputs_exits_1(tmp_path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "x.txt").write_bytes(b"\x00\x01")
    res = run("build", corpus, "--out", tmp_path / "out", "--no-views")
    assert res.exit_code == 1
    assert flat(res.stderr).endswith(
        f"skipped {corpus}/x.txt: binary file (contains NUL bytes); only UTF-8 or GB18030 "
        "text files can be read")
    assert "built 0 articles" in flat(res.stdout)
    report = json.loads((tmp_path / "out" / "report.json").read_text(encoding="utf-8"))
    assert report["articles"] == [] and len(report["skipped"]) == 1


# ---------------------------------------------------------- 2: bad invocation
def test_usage_errors_exit_2() -> None:
    res = run("nope")
    assert res.exit_code == 2 and "No such command 'nope'." in res.stderr
    res = run("query", "entities", "--format", "xml")
    assert res.exit_code == 2
    assert "Invalid value for '--format' / '-f'" in flat(res.stderr)
    assert run().exit_code == 2          # no command: the help, as a usage error


@pytest.mark.parametrize("args, message", [
    (("build", "no/such/folder"), "error: no such file or folder: no/such/folder"),
    (("build", SAMPLE, "--jobs", "0"), "error: --jobs must be at least 1, got 0"),
    (("build", SAMPLE, "--min-confidence", "2"),
     "error: --min-confidence must be between 0 and 1, got 2.0"),
    (("query",), "error: give a SPARQL query, a .rq file or a named query (see --list)"),
    (("query", "entities", "--timeout", "0"), "error: --timeout must be more than 0 seconds, got 0"),
    (("query", "entities", "--param", "[/b]x"),
     "error: --param expects NAME=VALUE, got '[/b]x'"),
    (("query", "missing.rq"),
     "error: missing.rq: cannot read the query file (No such file or directory); give an "
     "existing .rq file, SPARQL text or a named query (see --list)"),
    (("evaluate", "no/gold.yaml"), "error: no/gold.yaml: no such gold file or folder"),
])
def test_bad_invocations(args, message) -> None:
    assert error(run(*args)) == message


# ------------------------------------------------------------ 2: fatal input
def test_missing_or_broken_store(tmp_path) -> None:
    assert error(run("query", "entities", "--store", tmp_path / "nowhere")) == (
        f"error: {tmp_path / 'nowhere'}: no store found; run `policykg build … --out "
        f"{tmp_path / 'nowhere'}` first")
    empty = tmp_path / "empty"
    empty.mkdir()
    assert error(run("query", "entities", "--store", empty)) == (
        f"error: cannot open the store at '{empty}': it is not a complete policykg store (IO "
        f"error: No such file or directory: While opening a file for sequentially reading: "
        f"{empty}/CURRENT: No such file or directory); build it again with `policykg build … --out`")


def test_query_file_not_utf8(built, tmp_path) -> None:
    rq = tmp_path / "q.rq"
    rq.write_bytes('SELECT * { ?s ?p "济南" }'.encode("gbk"))
    assert error(run("query", rq, "--store", built)) == (
        f"error: {rq}: not UTF-8 (invalid start byte at byte 18); save the query file as UTF-8")


def test_bad_rdf_for_validate_and_evaluate(tmp_path) -> None:
    ttl = tmp_path / "bad.ttl"
    ttl.write_text("<urn:a> <urn:b> [/b] garbage <<\n", encoding="utf-8")
    msg = (f"error: {ttl}: not valid turtle (BadSyntax: at line 1 of <>: Bad syntax (']' "
           "expected) at ^ in: \"b'<urn:a> <urn:b> ['^b'/b] garbage <<\\n'\"); pass a build's "
           "output folder or an RDF file it wrote")
    assert error(run("validate", "--store", ttl)) == msg
    assert error(run("evaluate", GOLD, "--store", ttl)) == msg
    txt = tmp_path / "graph.txt"
    txt.write_text("x", encoding="utf-8")
    assert error(run("validate", "--store", txt)) == (
        f"error: {txt}: cannot tell the RDF format from the file name; pass a build's output "
        "folder or a .trig, .nq, .ttl, .nt, .jsonld or .rdf file")


def test_malformed_gold_file(built, tmp_path) -> None:
    gold = tmp_path / "g.yaml"
    gold.write_text("source: x.txt\nentities: [\n", encoding="utf-8")
    assert error(run("evaluate", gold, "--store", built)) == (
        f"error: {gold}:3: malformed YAML: expected the node content, but found '<stream end>' "
        "(while parsing a flow node at line 3); fix the syntax")


# ------------------------------------------------------------------- queries
INJECTIONS = [
    '济南" } UNION { ?s ?p ?o } #',
    "济南' || true || '",
    '济南"^^<http://www.w3.org/2001/XMLSchema#string>',
    '""" . ?s ?p ?o . """',
    "济南> <urn:x",
    "?place",
    "济南\\",
    "}} {{ 济南",
]


def test_named_query_parameters_are_bound_not_spliced(built) -> None:
    ok = run("query", "coordinates-with", "--param", "place=济南", "--store", built,
             "--format", "csv")
    assert ok.exit_code == 0 and ok.stdout.splitlines()[0] == "partner,sentence,title"
    assert len(ok.stdout.splitlines()) > 1 and ok.stdout.count("青岛") >= 1
    for value in INJECTIONS:
        res = run("query", "coordinates-with", "--param", f"place={value}", "--store", built,
                  "--format", "csv")
        assert (res.exit_code, res.stdout.splitlines()) == (0, ["partner,sentence,title"]), value
    # the same with an inline query: the value is a literal, whatever it holds
    q = "SELECT ?e ?v WHERE { ?e rdfs:label ?l FILTER(STR(?l) = ?v) }"
    res = run("query", q, "--param", "v=济南", "--store", built, "--format", "csv")
    assert res.stdout.splitlines() == ["e", "https://w3id.org/policykg/id/e/jinan-185eb1"]
    for value in INJECTIONS:
        res = run("query", q, "--param", f"v={value}", "--store", built, "--format", "csv")
        assert (res.exit_code, res.stdout.splitlines()) == (0, ["e"]), value


def test_named_query_parameter_errors(built) -> None:
    assert error(run("query", "coordinates-with", "--param", "city=济南", "--store", built)) == (
        "error: query 'coordinates-with': unknown parameter(s) ?city; it takes ?place, ?since, ?until")
    assert error(run("query", "coordinates-with", "--store", built)) == (
        "error: query 'coordinates-with': missing required parameter(s) ?place; "
        "pass them as name=value")
    assert error(run("query", "SELECT ?s WHERE { ?s ?p ?o }", "--param", "label=x",
                     "--store", built)) == (
        "error: parameter ?label is not a variable of the query; use one of its variables "
        "(without '?') as parameter name")


def test_malformed_query_names_line_and_column(built) -> None:
    res = run("query", 'SELECT ?x\nWHERE {\n  ?x rdfs:label "济南"\n  OPTIONAL ?x [/b]\n}',
              "--store", built)
    assert res.exit_code == 2
    assert res.stderr == (
        'error: malformed SPARQL query at line 4, column 12: expected "{"\n'
        "  4 |   OPTIONAL ?x [/b]\n"
        "    |            ^\n"
        "fix the query near that position and run it again\n")
    # oxigraph's column (in characters) is just after the bad token, here "}"; the caret
    # is under it on screen although 济南 before it takes four columns, not two
    res = run("query", 'SELECT * WHERE { ?x rdfs:label "济南" . ?x ?p }', "--store", built)
    assert res.stderr.splitlines() == [
        "error: malformed SPARQL query at line 1, column 46: expected one of LATERAL, SERVICE, [_]",
        '  1 | SELECT * WHERE { ?x rdfs:label "济南" . ?x ?p }',
        "    | " + " " * 47 + "^",
        "fix the query near that position and run it again"]


def test_timeout_stops_a_long_query(built) -> None:
    # a cartesian product of the store with itself three times: ~10^10 rows to count
    slow = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    t0 = time.monotonic()
    p = subprocess.run([sys.executable, "-m", "policykg.build.cli", "query", slow,
                        "--store", str(built), "--timeout", "0.5"],
                       capture_output=True, text=True, timeout=60)
    elapsed = time.monotonic() - t0
    assert (p.returncode, p.stdout) == (2, "")
    assert flat(p.stderr) == (
        "error: query did not finish within 0.5 s and was abandoned; make it more selective "
        "(specific patterns, LIMIT) or allow a longer timeout")
    assert elapsed < 10, f"the command took {elapsed:.1f} s to stop"
