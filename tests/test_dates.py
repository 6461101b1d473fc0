"""Article dates, sources and publishers (issue 16): read from header lines, scraped
来源/时间 lines, front matter or the title; written as dcterms:issued / dcterms:source /
dcterms:publisher / schema:url; summarised per relation over time (first and last date,
articles per year) and queried with ``timeline`` and ``since`` / ``until``."""
from __future__ import annotations

import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from typer.testing import CliRunner

from policykg.build.cli import app
from policykg.build.pipeline import BuildOptions, build_corpus
from policykg.build.reader import iter_corpus, parse_articles, parse_issued, read_file
from policykg.graph.model import Article, ArticleGraph, Entity, Evidence, ReadWarning, Relation
from policykg.graph.query import QueryError, named_queries, run_query
from policykg.graph.rdf import article_nquads
from policykg.graph.store import GraphStore
from policykg.graph.summary import (
    RelationTotals, article_facts, facts_from_bytes, facts_to_bytes, summary_table, to_summary,
)
from policykg.graph.validate import validate

ROOT = Path(__file__).resolve().parents[1]
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
BODY = "济南与青岛加强联动，共建产业协作平台。\n两市建立联席会议机制。\n"


def _check(nquads: str | bytes):
    data = nquads.encode("utf-8") if isinstance(nquads, str) else nquads
    return validate(list(ox.parse(data, format=ox.RdfFormat.N_QUADS)))


def _bad_date(path: str, line: int, value: str) -> str:
    return (f'{path}:{line}: date "{value}" is not a valid date (expected YYYY-MM-DD, '
            "YYYY年M月D日 or YYYY); the article is built without dcterms:issued")


# ----------------------------------------------------------------------------- reader

def test_header_lines_after_the_title_give_the_metadata_and_leave_the_text_alone():
    plain = parse_articles(f"# 济青联动\n\n{BODY}", source="a.txt")
    found: list[ReadWarning] = []
    [a] = parse_articles("# 济青联动\n\ndate: 2026-01-22\nSource: 大众日报\npublisher: 山东省人民政府\n"
                         "url: https://www.shandong.gov.cn/art/2026/1/22/art_1.html\n\n" + BODY,
                         source="a.txt", on_warning=found.append)
    assert found == []
    assert (a.issued, a.origin, a.publisher, a.url) == (
        "2026-01-22", "大众日报", "山东省人民政府",
        "https://www.shandong.gov.cn/art/2026/1/22/art_1.html")
    # the header lines are consumed: the text, paragraphs and so every offset are unchanged
    assert (a.title, a.paragraphs, a.text) == (plain[0].title, plain[0].paragraphs, plain[0].text)
    assert a.content_hash != plain[0].content_hash      # a changed date rebuilds the article


def test_scraped_source_and_time_lines():
    [a, b] = parse_articles("# 甲\n来源：辽宁日报 时间：2026-02-01\n" + BODY
                            + "# 乙\n来源：湖南日报\n时间：2026年2月24日 09:30\n发布机构：湖南省人民政府\n"
                            + BODY + "图片来源：新华社\n", source="s.txt")
    assert (a.issued, a.origin, a.publisher) == ("2026-02-01", "辽宁日报", None)
    # a caption's 图片来源 credits the picture, not the article
    assert (b.issued, b.origin, b.publisher) == ("2026-02-24", "湖南日报", "湖南省人民政府")
    assert a.paragraphs == b.paragraphs == tuple(BODY.split())


def test_a_date_line_or_a_time_line_only_among_the_leading_lines():
    [a] = parse_articles("济青联动\n□ 张三\n2023-06-05 10:12\n" + BODY + "时间：2020-01-01\n",
                         source="t.txt")
    assert (a.title, a.authors, a.issued) == ("济青联动", ("张三",), "2023-06-05")
    assert a.paragraphs[-1] == "时间：2020-01-01"     # in the body it is text


def test_front_matter_then_title_year():
    [a, b] = parse_articles(
        "---\ntitle: 汇编\ndate: 2022-01-21T09:00:00+08:00\npublisher: 国家发展改革委\n---\n"
        "# 第一篇\n" + BODY + "# 第二篇\nsource: 新华网\n" + BODY, source="f.md")
    assert (a.issued, a.origin, a.publisher) == ("2022-01-21", None, "国家发展改革委")
    assert (b.issued, b.origin, b.publisher) == ("2022-01-21", "新华网", "国家发展改革委")
    [c] = parse_articles("# 2026年山东省政府工作报告\n" + BODY, source="g.txt")
    assert c.issued == "2026"                               # the year only: an xsd:gYear
    [d] = parse_articles("# 面向2035年的规划\n" + BODY, source="h.txt")
    assert d.issued is None                                 # a year inside the title is no date


@pytest.mark.parametrize("value, expected", [
    ("2026-01-22", "2026-01-22"), ("2026/1/2", "2026-01-02"), ("2026.01.02", "2026-01-02"),
    ("2026年1月2日", "2026-01-02"), ("2026 年 1 月 2 日 星期五", "2026-01-02"),
    ("2022-01-21 09:00:00", "2022-01-21"), ("2022-01-21T09:00Z", "2022-01-21"),
    ("2026", "2026"), ("2026年", "2026"), ("2026-02", "2026"), ("2026年2月", "2026"),
])
def test_parse_issued(value: str, expected: str):
    assert parse_issued(value) == expected


@pytest.mark.parametrize("value", ["2026-13-45", "2026-02-30", "0000", "2026-13", "去年", "26-1-2",
                                   "2026-01-22 晚"])
def test_parse_issued_refuses(value: str):
    with pytest.raises(ValueError) as e:
        parse_issued(value)
    assert str(e.value) == (f'date "{value}" is not a valid date '
                            "(expected YYYY-MM-DD, YYYY年M月D日 or YYYY)")


def test_an_impossible_date_warns_with_file_and_line_and_the_article_builds(tmp_path: Path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "bad.txt").write_text("# 2026年报告\n\ndate: 2026-13-45\nurl: www.example.com\n"
                                    + BODY, encoding="utf-8")
    (corpus / "good.txt").write_text("# 乙\n\ndate: 2024-05-06\n" + BODY, encoding="utf-8")
    found: list[ReadWarning] = []
    bad, good = iter_corpus([corpus], on_warning=found.append)
    assert [str(w) for w in found] == [
        _bad_date(f"{corpus.as_posix()}/bad.txt", 3, "2026-13-45"),
        f'{corpus.as_posix()}/bad.txt:4: url "www.example.com" is not an http(s) address; '
        "the article is built without schema:url"]
    # built without the date: neither the title's year nor any other line stands in for it
    assert isinstance(bad, Article) and (bad.issued, bad.url) == (None, None)
    assert bad.paragraphs == tuple(BODY.split())
    assert good.issued == "2024-05-06"
    with pytest.warns(UserWarning) as w:        # without on_warning: a Python warning
        read_file(corpus / "bad.txt")
    assert [str(x.message) for x in w][0] == _bad_date(f"{corpus.as_posix()}/bad.txt", 3,
                                                       "2026-13-45")


def test_front_matter_date_warning_names_its_line():
    found: list[ReadWarning] = []
    [a] = parse_articles("---\ntitle: x\ndate: 2026-02-30\n---\n# 甲\n" + BODY, source="f.md",
                         on_warning=found.append)
    assert a.issued is None
    assert [str(w) for w in found] == [_bad_date("f.md", 3, "2026-02-30")]


def test_bundled_dev_texts_carry_their_dates():
    dated = {a.source: (a.issued, a.origin, a.publisher)
             for a in iter_corpus([ROOT / "corpus" / "dev"]) if isinstance(a, Article)}
    assert dated["02_zhejiang_gov2026_hangyong.txt"] == ("2026-01-22", "浙江日报", None)
    assert dated["05_sina_gba_five_trillion_cities.txt"] == ("2022-01-29", "国是直通车", "新浪财经")
    assert dated["18_liaoning_gov2026_shenda.txt"] == ("2026-02-01", "辽宁日报", None)
    assert dated["26_hunan_gov2026_changzhutan.txt"] == ("2026-02-24", "湖南日报", None)
    assert all(issued for issued, _, _ in dated.values())


# ----------------------------------------------------------------------------- RDF

def _article(i: int, issued: str | None, **kw) -> Article:
    return Article(id=f"t-{i}", source=f"t{i}.txt", index=1, title=f"第{i}篇", authors=(),
                   affiliations=(), paragraphs=("济南与青岛联动。",), issued=issued, **kw)


ENTS = (Entity("济南", ("City",)), Entity("青岛", ("City",)), Entity("低空经济", ("Industry",)))


def _graph(i: int, issued: str | None, rels: list[tuple[str, str, str]], **kw) -> ArticleGraph:
    ev = Evidence(f"t-{i}", "济南与青岛联动。", 0, 8, "r", 0.9)
    return ArticleGraph(_article(i, issued, **kw), ENTS,
                        tuple(Relation(s, p, o, (ev,)) for s, p, o in rels))


def test_article_graph_states_issued_source_publisher_url_and_conforms():
    full = _graph(1, "2026-01-22", [], origin="浙江日报", publisher="浙江省人民政府",
                  url="https://www.zj.gov.cn/a.html")
    year = _graph(2, "2026", [])
    quads = {(q.predicate.value, q.object)
             for ag in (full, year) for q in ox.parse(article_nquads(ag), format=ox.RdfFormat.N_QUADS)}
    assert (DCT + "issued", ox.Literal("2026-01-22", datatype=ox.NamedNode(XSD + "date"))) in quads
    assert (DCT + "issued", ox.Literal("2026", datatype=ox.NamedNode(XSD + "gYear"))) in quads
    assert (DCT + "source", ox.Literal("浙江日报", language="zh")) in quads
    assert (DCT + "publisher", ox.Literal("浙江省人民政府", language="zh")) in quads
    assert ("https://schema.org/url", ox.NamedNode("https://www.zj.gov.cn/a.html")) in quads
    for ag in (full, year):
        report = _check(article_nquads(ag))
        assert report.conforms, report.text
    # none at all when the file says nothing
    none = article_nquads(_graph(3, None, []))
    assert DCT + "issued" not in none and DCT + "source" not in none


def test_shapes_refuse_a_second_date_or_a_date_time():
    nq = article_nquads(_graph(1, "2026-01-22", []))
    art = "<https://w3id.org/policykg/id/a/t-1>"
    g = "<https://w3id.org/policykg/id/g/t-1>"
    for extra in (f'"2026-01-23"^^<{XSD}date>', f'"2026-01-22T10:00:00"^^<{XSD}dateTime>'):
        report = _check(nq + f"{art} <{DCT}issued> {extra} {g} .\n")
        assert not report.conforms
        assert {r.message for r in report.results} == {
            "an article has at most one dcterms:issued, an xsd:date or xsd:gYear"}


# ----------------------------------------------------------------------------- summary

GRAPHS = [
    _graph(1, "2024-03-01", [("济南", "coordinatesWith", "青岛")]),
    _graph(2, "2026", [("青岛", "coordinatesWith", "济南"), ("济南", "specializesIn", "低空经济")]),
    _graph(3, None, [("济南", "coordinatesWith", "青岛")]),
    _graph(4, "2026-02-01", [("济南", "specializesIn", "低空经济")]),
    _graph(5, "2025-12-31", [("济南", "coordinatesWith", "青岛")]),
]


def test_summary_first_and_last_date_and_articles_per_year():
    facts = [article_facts(g) for g in GRAPHS]
    assert [facts_from_bytes(facts_to_bytes(f)) for f in facts] == facts
    rels = summary_table(facts).relations
    assert rels[("济南", "coordinatesWith", "青岛")] == RelationTotals(
        "0.9", 3, "济南与青岛联动。", "t-1", first="2024-03-01", last="2025-12-31",
        years=((2024, 1), (2025, 1)), undated=1)
    # a year-only date counts as the start of its year: first 2026, last 2026-02-01
    assert rels[("济南", "specializesIn", "低空经济")] == RelationTotals(
        "0.9", 2, "济南与青岛联动。", "t-2", first="2026", last="2026-02-01", years=((2026, 2),))
    assert to_summary(facts) == to_summary(reversed(facts))     # order of articles: no matter


def test_summary_with_dates_conforms_to_the_shapes():
    data = to_summary(map(article_facts, GRAPHS))
    assert b"#YearCount>" in data and b"#firstStated>" in data
    report = _check(data)
    assert report.conforms, report.text


# ----------------------------------------------------------------------------- queries

@pytest.fixture(scope="module")
def dated() -> GraphStore:
    with GraphStore.in_memory() as st:
        for g in GRAPHS:
            st.replace_article(g)
        st.replace_summary(to_summary(map(article_facts, GRAPHS)))
        yield st


def _rows(st: GraphStore, name: str, **params: str) -> list[tuple]:
    return list(run_query(st, named_queries()[name], params=params).rows)


def test_timeline_lists_years_and_counts(dated):
    r = run_query(dated, named_queries()["timeline"], params={"subject": "济南"})
    assert r.variables == ("subjectName", "predicateName", "objectName", "year", "articles",
                           "first", "last")
    assert list(r.rows) == [
        ("济南", "coordinatesWith", "青岛", None, 1, "2024-03-01", "2025-12-31"),  # undated
        ("济南", "coordinatesWith", "青岛", 2024, 1, "2024-03-01", "2025-12-31"),
        ("济南", "coordinatesWith", "青岛", 2025, 1, "2024-03-01", "2025-12-31"),
        ("济南", "specializesIn", "低空经济", 2026, 2, "2026", "2026-02-01"),
        # 青岛 coordinatesWith 济南, seen from 济南's side (the predicate is symmetric)
        ("济南", "coordinatesWith", "青岛", 2026, 1, "2026", "2026"),
    ]
    assert _rows(dated, "timeline", subject="济南", predicate="specializesIn", since="2026",
                 until="2026") == [("济南", "specializesIn", "低空经济", 2026, 2, "2026",
                                    "2026-02-01")]
    assert [row[3] for row in _rows(dated, "timeline", subject="青岛", until="2025")] == [
        2024, 2025]
    assert _rows(dated, "timeline", subject='济南" } UNION { ?s ?p ?o') == []


def test_since_and_until_narrow_the_named_queries(dated):
    all_rel = _rows(dated, "relations")
    assert len(all_rel) == 3
    assert [r[:3] for r in _rows(dated, "relations", since="2026")] == [
        ("济南", "specializesIn", "低空经济"), ("青岛", "coordinatesWith", "济南")]
    assert [r[:3] for r in _rows(dated, "relations", until="2024")] == [
        ("济南", "coordinatesWith", "青岛")]
    assert _rows(dated, "relations", since="2025", until="2025") == [all_rel[0]]
    assert _rows(dated, "relations", since="2030") == []
    # per article: the undated one is left out once a year is given
    assert [r[2] for r in _rows(dated, "coordinates-with", place="济南")] == [
        "第1篇", "第2篇", "第3篇", "第5篇"]
    assert [r[2] for r in _rows(dated, "coordinates-with", place="济南", since="2025")] == [
        "第2篇", "第5篇"]
    assert [r[2] for r in _rows(dated, "coordinates-with", place="济南", until="2024")] == ["第1篇"]
    assert [r[1] for r in _rows(dated, "industries-of", place="济南")] == ["低空经济"]
    assert _rows(dated, "industries-of", place="济南", until="2025") == []
    assert [r[1] for r in _rows(dated, "industries-of", since="2026")] == ["低空经济"]
    assert _rows(dated, "modeled-on", x="济南", since="2020") == []


def test_a_year_parameter_is_four_digits():
    with GraphStore.in_memory() as st:
        st.replace_summary(b"")
        for value in ("2024-01-01", "24", '2024" } #'):
            with pytest.raises(QueryError) as e:
                run_query(st, named_queries()["relations"], params={"since": value})
            assert str(e.value) == (f"parameter ?since: got {value!r}; it takes a year of four "
                                    "digits, e.g. 2024")


# ----------------------------------------------------------------------------- builds

def test_build_reports_a_bad_date_and_builds_the_rest(tmp_path: Path):
    corpus, out = tmp_path / "c", tmp_path / "out"
    corpus.mkdir()
    (corpus / "a.txt").write_text("# 甲\n\ndate: 2026-13-45\n\n" + BODY, encoding="utf-8")
    (corpus / "b.txt").write_text("# 乙\n\n来源：大众日报\n时间：2024-05-06\n\n" + BODY,
                                  encoding="utf-8")
    res = CliRunner().invoke(app, ["build", str(corpus), "--out", str(out), "--no-views"],
                             catch_exceptions=False)
    assert res.exit_code == 0, res.output       # a warning is no failure
    line = _bad_date(f"{corpus.as_posix()}/a.txt", 3, "2026-13-45")
    assert f"warning: {line}" in res.stderr.splitlines()
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["articles"] == ["a-1", "b-1"] and report["conforms"] is True
    assert report["warnings"] == [{"path": f"{corpus.as_posix()}/a.txt", "line": 3,
                                   "message": line.split(": ", 1)[1]}]
    with GraphStore.open(out / "store", read_only=True) as st:
        rows = run_query(st, f"SELECT ?a ?d WHERE {{ ?a <{DCT}issued> ?d }}").rows
    assert rows == (("https://w3id.org/policykg/id/a/b-1", "2024-05-06"),)


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("bundled") / "out"
    build_corpus([ROOT / "corpus" / "sample", ROOT / "corpus" / "dev"], out=out,
                 options=BuildOptions(views=False, validate=False))
    return out


def test_timeline_on_the_bundled_corpus(bundled: Path):
    res = CliRunner().invoke(app, ["query", "timeline", "--store", str(bundled), "-p",
                                   "subject=济南", "--format", "csv"], catch_exceptions=False)
    assert res.exit_code == 0, res.output
    rows = res.stdout.splitlines()
    assert rows[0] == "subjectName,predicateName,objectName,year,articles,first,last"
    # 济南 is only in the sample page, which says no date: its rows count undated articles
    assert len(rows) > 3 and all(r.startswith("济南,") and ",,1,," in r for r in rows[1:])
    assert "济南,coordinatesWith,青岛,,1,," in rows
    # 广州 is in dated texts: years and counts (the 2022 commentary, the 2026 report)
    res = CliRunner().invoke(app, ["query", "timeline", "--store", str(bundled), "-p",
                                   "subject=广州", "--format", "json"], catch_exceptions=False)
    rows = [{k: v["value"] for k, v in b.items()}
            for b in json.loads(res.stdout)["results"]["bindings"]]
    years = {r.get("year") for r in rows}
    assert {"2022", "2026"} <= years            # (and None: the sample page's 广深联动)
    assert all(int(r["articles"]) >= 1 for r in rows)
    assert all(r["first"] <= r["last"] and r["first"][:4] <= r["year"] <= r["last"][:4]
               for r in rows if "year" in r)


@pytest.mark.parametrize("url", ["www.example.com", "ftp://example.com/a", "https://[x]/",
                                 "https://example.com/%zz"])
def test_a_url_the_store_could_not_load_is_a_warning(url: str):
    found: list[ReadWarning] = []
    [a] = parse_articles(f"# 甲\nurl: {url}\n" + BODY, source="u.txt", on_warning=found.append)
    assert a.url is None
    assert [str(w) for w in found] == [f'u.txt:2: url "{url}" is not an http(s) address; '
                                       "the article is built without schema:url"]
