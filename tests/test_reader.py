"""Tests for policykg.build.reader: decoding, article splitting, layout repair, corpus walking."""
from __future__ import annotations

import os
import pickle
import re
from pathlib import Path

import pytest

from policykg.build.reader import (
    CorpusError,
    decode_bytes,
    iter_corpus,
    parse_articles,
    read_file,
    slugify,
)
from policykg.graph.model import Article, Skipped

MAIN = Path(__file__).resolve().parents[1]
SAMPLE = MAIN / "corpus" / "sample" / "000_3c3239678a321f59.txt"
DEV = MAIN / "corpus" / "dev"
DATA = Path(__file__).resolve().parent / "data" / "reader"

NUL = "binary file (contains NUL bytes); only UTF-8 or GB18030 text files can be read"
EMPTY = "empty file (no text after removing whitespace)"


def _articles(items):
    return [x for x in items if isinstance(x, Article)]


# ----------------------------------------------------------------------------- sample page

@pytest.fixture(scope="module")
def sample() -> list[Article]:
    return read_file(SAMPLE, root=SAMPLE.parent)


def test_sample_metadata(sample):
    assert [a.title for a in sample] == [
        "唱好“双城记”，加快推动济青联动", "数字赋能，如何点“链”成金", "ChatGPT火出圈 人工智能冷思考"]
    assert [a.authors for a in sample] == [("张舒平", "王玉龙", "赵紫玉"), ("谭璐",), ("邓洲",)]
    assert [a.affiliations for a in sample] == [
        ("山东省人民政府发展研究中心", "山东师范大学", "济南市政府决策研究中心"),
        ("国家发展和改革委员会国际合作中心",),
        ("中国社会科学院国家经济发展与经济风险研究中心",),
    ]
    assert [a.id for a in sample] == [f"000_3c3239678a321f59-{i}" for i in (1, 2, 3)]
    assert [a.index for a in sample] == [1, 2, 3]
    assert {a.source for a in sample} == {"000_3c3239678a321f59.txt"}


def test_sample_layout_joins(sample):
    text = "\n".join(a.text for a in sample)
    for joined in ("青岛国际港口通道和胶济铁路轴优势", "智慧物流网络。", "在数字化建设、协同创新",
                   "新型部件的开发", "中国已成为数字技术投资大国", "开展针对性支持，做到牵好头"):
        assert joined in text
    # 20, 14 and 9 text blocks on the page; 3 + 3 + 0 of them are broken halves.
    assert [len(a.paragraphs) for a in sample] == [17, 11, 9]
    for a in sample:
        for p in a.paragraphs:
            assert not p.startswith(("（作者", "□", "#")), p


def test_sample_no_promo_and_headings(sample):
    assert not any("扫码" in a.text or "山东深观察" in a.text for a in sample)
    assert sample[0].headings == (
        (2, "济青双城联动的重要意义"), (7, "双城联动在全国范围内的实践探索"),
        (13, "加快推动济青双城联动的路径选择"))
    for i, h in sample[0].headings:
        assert sample[0].paragraphs[i] == h
    assert sample[1].headings == sample[2].headings == ()


# ----------------------------------------------------------------------------- dev texts

DEV_FILES = {
    "02_zhejiang_gov2026_hangyong.txt": ("2026年浙江省政府工作报告", "（二）着力提升创新体系整体效能"),
    "05_sina_gba_five_trillion_cities.txt": ("5个万亿级GDP城市“肩并肩”，全国只有这里！", "两大龙头融合发展"),
    "07_ndrc_14th_fyp_digital_economy_interpretation.txt": (
        "《“十四五”数字经济发展规划》解读∣数字经济将成为国家发展新征程的助推器",
        "二、数字基础和数字能力的提升为数字经济的快速增长提供了良好环境"),
    "09_wuhequan_chatgpt_digital_tech.txt": ("院士谈 | 邬贺铨院士解读ChatGPT等数字技术热点",
                                             "数字技术领先发展 平台企业后劲充足"),
}


HEADER_LINE = re.compile(r"^(?:date|source|publisher|url|时间)[:：]")


@pytest.mark.parametrize("name", sorted(DEV_FILES))
def test_dev_text(name):
    title, heading = DEV_FILES[name]
    [a] = read_file(DEV / name, root=DEV)
    assert a.title == title
    assert a.source == name
    assert heading in dict((h, i) for i, h in a.headings)
    raw = [ln.strip() for ln in (DEV / name).read_text(encoding="utf-8").splitlines() if ln.strip()]
    # the header lines after the title (date: … / source: …, docs/corpus-dev-sources.md) are
    # metadata, not paragraphs
    body = [ln for ln in raw[1:] if "来源：" not in ln and not HEADER_LINE.match(ln)]
    # One paragraph per line and none of them ends mid-sentence: nothing may be joined.
    assert len(a.paragraphs) == len(body)
    for p, line in zip(a.paragraphs, body):
        assert line.startswith(p)
    assert not any(p.startswith(("来源：", "（来源：")) for p in a.paragraphs)


def test_dev_heading_counts():
    counts = {name: len(read_file(DEV / name)[0].headings) for name in DEV_FILES}
    assert counts == {"02_zhejiang_gov2026_hangyong.txt": 6,
                      "05_sina_gba_five_trillion_cities.txt": 4,
                      "07_ndrc_14th_fyp_digital_economy_interpretation.txt": 4,
                      "09_wuhequan_chatgpt_digital_tech.txt": 3}


def test_dev_trailing_name_title_note():
    [a] = read_file(DEV / "07_ndrc_14th_fyp_digital_economy_interpretation.txt")
    assert a.authors == ("张平文",)
    assert a.affiliations == ("中国科学院", "北京大学")
    assert a.paragraphs[-1].endswith("必将为我国数字经济的下一步发展指明方向。")


# ----------------------------------------------------------------------------- fixtures I wrote

def test_fixture_plain_text_layout():
    [a] = read_file(DATA / "layout_broken.txt", root=DATA)
    assert a.title == "关于推进城市群协同发展的几点思考"
    assert a.authors == ("李明", "王芳")
    assert a.affiliations == ("示例大学区域经济研究院",)
    assert a.paragraphs == (
        "城市群是区域协同发展的主要空间载体。近年来，各地围绕交通互联、产业协作和公共服务共享开展了"
        "大量探索，形成了一批可复制的经验做法。",
        "一、现状与问题",
        "当前，城市之间的合作仍以项目对接为主，缺少稳定的制度安排，一些地方在招商引资、要素配置等"
        "方面仍存在同质竞争。",
        "（一）合作机制不够健全",
        "跨区域议事协调机构层级不高，决策执行链条较长。主要表现在三个方面：",
        "1. 规划衔接不够紧密；",
        "2. 利益分享办法缺失；",
        "3. 考核评价导向单一。",
        "二、对策建议",
        "建立健全联席会议制度，完善成本共担和利益共享的办法，推动形成优势互补、错位发展的格局。",
    )
    assert a.headings == ((1, "一、现状与问题"), (3, "（一）合作机制不够健全"), (8, "二、对策建议"))


def test_fixture_markdown_articles():
    arts = read_file(DATA / "two_articles.md", root=DATA)
    assert [(a.id, a.title) for a in arts] == [
        ("two_articles-1", "示例周刊 第1期"),
        ("two_articles-2", "数字经济赋能产业升级"),
        ("two_articles-3", "区域协调发展的新思路"),
    ]
    assert arts[0].paragraphs == ("本期围绕数字经济与区域协调发展组织了两篇短文，供内部讨论使用。",)
    assert arts[1].authors == ("张晓", "刘洋")
    assert arts[1].affiliations == ("示例研究院", "示例大学")
    assert arts[1].paragraphs == (
        "总体判断",
        "数字技术正在深刻改变产业组织方式，数据成为新的生产要素，平台企业在资源配置中的作用日益凸显。",
        "政策建议", "一是加快建设新型基础设施。", "二是完善数据要素市场规则。")
    assert arts[1].headings == ((0, "总体判断"), (2, "政策建议"))
    assert arts[2].authors == ("陈静",)
    assert arts[2].affiliations == ("示例发展研究中心",)
    assert arts[2].paragraphs == ("区域协调发展要坚持因地制宜，发挥各地比较优势。",)


# ----------------------------------------------------------------------------- parse rules

@pytest.mark.parametrize("note, affs", [
    ("（作者单位分别为甲研究院、乙大学）", ("甲研究院", "乙大学")),
    ("（作者单位：国家发展和改革委员会国际合作中心）", ("国家发展和改革委员会国际合作中心",)),
    ("（作者系中国社会科学院工业经济研究所副所长，研究员）", ("中国社会科学院工业经济研究所",)),
    ("（作者系甲大学经济学院教授、博士生导师）", ("甲大学经济学院",)),
    ("作者单位：丙发展研究中心", ("丙发展研究中心",)),
])
def test_affiliation_notes(note, affs):
    [a] = parse_articles(f"# 题目\n\n正文一句。\n\n{note}\n", source="n.txt")
    assert a.affiliations == affs
    assert a.paragraphs == ("正文一句。",)


@pytest.mark.parametrize("byline, authors", [
    ("□ 张舒平 王玉龙 赵紫玉", ("张舒平", "王玉龙", "赵紫玉")),
    ("作者：张三、李四", ("张三", "李四")),
    ("文/王五", ("王五",)),
    ("□ 本报记者 赵六，钱七", ("赵六", "钱七")),
])
def test_bylines(byline, authors):
    [a] = parse_articles(f"# 题目\n{byline}\n正文一句。\n", source="b.txt")
    assert a.authors == authors
    assert a.paragraphs == ("正文一句。",)


def test_byline_only_before_body():
    [a] = parse_articles("# 题目\n正文一句。\n文/王五\n", source="b.txt")
    assert a.authors == ()
    assert a.paragraphs == ("正文一句。", "文/王五")


@pytest.mark.parametrize("lines, paragraphs", [
    # a long line without a sentence end is a broken line, even across blank lines
    (["济南" * 20, "", "", "和青岛联动。"], ["济南" * 20 + "和青岛联动。"]),
    # a short unpunctuated line is a heading …
    (["两大龙头融合发展", "深圳和香港占据独特位置。"], ["两大龙头融合发展", "深圳和香港占据独特位置。"]),
    # … unless it ends on a comma or the next line plainly continues it
    (["完善成本共担，", "推动联动。"], ["完善成本共担，推动联动。"]),
    (["完善成本共担和利益共享", "的办法。"], ["完善成本共担和利益共享的办法。"]),
    # numbered items and indented lines start new paragraphs
    (["主要" * 20, "（二）着力提升效能"], ["主要" * 20, "（二）着力提升效能"]),
    (["主要" * 20, "2. 第二项。"], ["主要" * 20, "2. 第二项。"]),
    (["主要" * 20, "\u3000\u3000新的段落。"], ["主要" * 20, "新的段落。"]),
    # a quote closed after 。 ends the paragraph; a bare ” mid-sentence does not
    (["他说：“" + "好" * 30 + "。”", "下一段。"], ["他说：“" + "好" * 30 + "。”", "下一段。"]),
    (["落实“" + "双城记" * 10 + "”", "重要指示。"], ["落实“" + "双城记" * 10 + "”重要指示。"]),
    # English words broken across lines keep a space
    (["The " + "quick " * 10 + "brown", "fox."], ["The " + "quick " * 10 + "brown fox."]),
])
def test_join_rules(lines, paragraphs):
    [a] = parse_articles("# T\n" + "\n".join(lines) + "\n", source="j.txt")
    assert list(a.paragraphs) == paragraphs


def test_promo_and_source_lines_dropped():
    text = ("# 题目\n来源：国是直通车\n2022-01-29 10:23\n正文一句。\n长按识别二维码\n"
            "（来源：新华网）\n责任编辑：某某\n点击关注我们\n")
    [a] = parse_articles(text, source="p.txt")
    assert a.paragraphs == ("正文一句。",)


def test_untitled_text_and_preamble():
    [a] = parse_articles("这是一个很长的段落，它以句号结尾，所以不能当作标题。\n第二段。\n", source="d/未命名.txt")
    assert a.title == "未命名"
    assert a.id == "wei-ming-ming-1"
    assert a.paragraphs == ("这是一个很长的段落，它以句号结尾，所以不能当作标题。", "第二段。")
    [b] = parse_articles("扫码关注\n简短标题\n\n正文。\n", source="x.txt")
    assert (b.title, b.paragraphs) == ("简短标题", ("正文。",))
    # a preamble holding only a page header makes no article
    arts = parse_articles("山东深观察\n# 题目\n正文。\n", source="x.txt")
    assert [(a.index, a.title) for a in arts] == [(1, "题目")]


def test_empty_articles_dropped_and_id_stem():
    arts = parse_articles("# 空\n来源：某报\n# 有内容\n正文。\n", source="x.md", id_stem="abc")
    assert [(a.id, a.index, a.title) for a in arts] == [("abc-1", 1, "有内容")]


def test_slugify():
    assert slugify("000_3c3239678a321f59") == "000_3c3239678a321f59"
    assert slugify("济青 联动（Ⅱ）") == "ji-qing-lian-dong-ii"
    assert slugify("Café Déjà") == "cafe-deja"
    assert slugify("---") == "doc"


# ----------------------------------------------------------------------------- decoding

TEXT = "# 济青联动\n\n济南与青岛加快推动联动发展。\n"


def test_decode_gb18030_file(tmp_path):
    p = tmp_path / "gbk.txt"
    p.write_bytes(TEXT.encode("gb18030"))
    [a] = read_file(p)
    assert (a.title, a.paragraphs, a.source) == ("济青联动", ("济南与青岛加快推动联动发展。",), "gbk.txt")


def test_decode_utf8_bom_crlf_zero_width():
    data = b"\xef\xbb\xbf" + "济南\u200b\r\n青岛\r联动\ufeff\u200d".encode()
    assert decode_bytes(data, path="x.txt") == "济南\n青岛\n联动"


def test_decode_utf16_with_bom():
    assert decode_bytes("\ufeff济南\r\n青岛".encode("utf-16-le"), path="x.txt") == "济南\n青岛"


def test_decode_big5_by_guess():
    text = "數位經濟發展規劃，加快推動產業鏈供應鏈升級。"
    assert decode_bytes(text.encode("big5"), path="x.txt") == text


@pytest.mark.parametrize("data, reason", [
    (b"", EMPTY),
    (b" \r\n\t \n", EMPTY),
    ("\u3000\u200b\n".encode(), EMPTY),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", NUL),
    (bytes(range(1, 9)) * 4 + "文本".encode(), "binary file (84% control characters); "
                                               "only UTF-8 or GB18030 text files can be read"),
    ("数字经济发展规划".encode() + b"\xff\x80" + "。更多文本".encode(),
     "cannot decode as UTF-8 or GB18030 (first bad byte at offset 24); re-save the file as UTF-8"),
])
def test_decode_errors(data, reason):
    with pytest.raises(CorpusError) as info:
        decode_bytes(data, path="dir/f.txt")
    assert info.value.path == "dir/f.txt"
    assert info.value.reason == reason
    assert str(info.value) == f"dir/f.txt: {reason}"


def test_corpus_error_pickles():
    e = pickle.loads(pickle.dumps(CorpusError("a.txt", EMPTY)))
    assert (e.path, e.reason, str(e)) == ("a.txt", EMPTY, f"a.txt: {EMPTY}")


def test_read_file_errors_name_the_file(tmp_path):
    p = tmp_path / "bin.txt"
    p.write_bytes(b"abc\x00def")
    with pytest.raises(CorpusError) as info:
        read_file(p)
    assert str(info.value) == f"{p.as_posix()}: {NUL}"
    q = tmp_path / "promo.txt"
    q.write_text("扫码关注\n来源：某报\n", encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        read_file(q)
    assert str(info.value) == (f"{q.as_posix()}: no article text (only titles, bylines, source "
                               "lines or promo lines); add the article's paragraphs")


# ----------------------------------------------------------------------------- corpus walking

def test_folder_good_and_bad_file(tmp_path):
    (tmp_path / "good.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01binary")
    out = list(iter_corpus([tmp_path]))
    assert out[0] == Skipped(path=(tmp_path / "bad.txt").as_posix(), reason=NUL)
    assert len(out) == 2 and isinstance(out[1], Article)
    assert (out[1].id, out[1].source) == ("good-1", "good.txt")


def test_folder_walk_order_and_skips(tmp_path):
    (tmp_path / "b.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "a.md").write_text(TEXT, encoding="utf-8")
    (tmp_path / "image.png").write_bytes(b"\x89PNG")
    (tmp_path / ".hidden.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.TXT").write_text(TEXT, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    out = list(iter_corpus([tmp_path]))
    got = [(x.source, x.id) if isinstance(x, Article) else (x.path, x.reason) for x in out]
    root = tmp_path.as_posix()
    assert got == [
        ("a.md", "a-1"),
        ("b.txt", "b-1"),
        (f"{root}/empty.txt", EMPTY),
        (f"{root}/image.png", "not a .txt or .md file"),
        ("sub/c.TXT", "c-1"),
    ]


def test_explicit_paths(tmp_path):
    good = tmp_path / "x" / "报告.txt"
    good.parent.mkdir()
    good.write_text(TEXT, encoding="utf-8")
    pdf = tmp_path / "doc.pdf"
    pdf.write_bytes(b"%PDF")
    out = list(iter_corpus([pdf, good, tmp_path / "missing.txt", good]))
    assert out[0] == Skipped(pdf.as_posix(), "not a .txt or .md file")
    assert (out[1].source, out[1].id) == ("报告.txt", "bao-gao-1")
    assert out[2] == Skipped((tmp_path / "missing.txt").as_posix(), "no such file or folder")
    assert out[3] == Skipped(good.as_posix(), f"same file as {good.as_posix()} (read once)")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinks(tmp_path):
    corpus, outside = tmp_path / "corpus", tmp_path / "outside"
    corpus.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text(TEXT, encoding="utf-8")
    (corpus / "good.txt").write_text(TEXT, encoding="utf-8")
    (corpus / "out.txt").symlink_to(outside / "secret.txt")
    (corpus / "outdir").symlink_to(outside, target_is_directory=True)
    (corpus / "dangling.txt").symlink_to(corpus / "nowhere.txt")
    (corpus / "sub").mkdir()
    (corpus / "sub" / "loop").symlink_to(corpus, target_is_directory=True)
    (corpus / "sub" / "inner.txt").symlink_to(corpus / "good.txt")
    out = list(iter_corpus([corpus]))
    root = corpus.as_posix()
    got = [(x.source,) if isinstance(x, Article) else (x.path, x.reason) for x in out]
    assert got == [
        (f"{root}/dangling.txt", "broken symbolic link (target does not exist)"),
        ("good.txt",),
        (f"{root}/out.txt", "symbolic link to a path outside the folder (not followed)"),
        (f"{root}/outdir", "symbolic link to a path outside the folder (not followed)"),
        (f"{root}/sub/inner.txt", f"same file as {root}/good.txt (read once)"),
    ]


def test_same_stem_disambiguated(tmp_path):
    for d in ("a", "b"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "x.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b" / "x.md").write_text(TEXT, encoding="utf-8")
    (tmp_path / "济南.txt").write_text(TEXT, encoding="utf-8")
    ids = [a.id for a in iter_corpus([tmp_path])]
    assert len(set(ids)) == 4
    assert ids[0].startswith("x-") and ids[0].endswith("-1") and len(ids[0]) == len("x-12345678-1")
    assert ids[3] == "ji-nan-1"  # unique stems keep their plain slug
    assert ids == [a.id for a in iter_corpus([tmp_path])]


def test_streams_one_file_at_a_time(tmp_path):
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "b.txt").write_text(TEXT, encoding="utf-8")
    it = iter_corpus([tmp_path])
    first = next(it)
    assert first.source == "a.txt"
    (tmp_path / "b.txt").unlink()  # b is read only now: its loss is reported, not raised
    assert list(it) == [Skipped((tmp_path / "b.txt").as_posix(),
                                "cannot read file (No such file or directory)")]


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path):
    p = tmp_path / "locked.txt"
    p.write_text(TEXT, encoding="utf-8")
    p.chmod(0)
    try:
        assert list(iter_corpus([tmp_path])) == [
            Skipped(p.as_posix(), "cannot read file (Permission denied)")]
    finally:
        p.chmod(0o644)


def test_deterministic():
    paths = [SAMPLE.parent, DEV, DATA / "layout_broken.txt", DATA / "two_articles.md"]
    first, second = list(iter_corpus(paths)), list(iter_corpus(paths))
    assert first == second
    assert [a.content_hash for a in first] == [a.content_hash for a in second]
    assert all(isinstance(x, Article) for x in first)
    assert all(a.id.isascii() for a in first)
    assert len(first) == 3 + 11 + 4  # sample page, dev texts, two_articles.md
