"""Read a corpus of Chinese policy texts (``.txt`` / ``.md``) into :class:`Article` objects.

Three steps, each usable on its own:

1. :func:`decode_bytes` — bytes → clean ``str`` (UTF-8, GB18030, or a confident guess).
2. :func:`parse_articles` — text → articles: split at ``# `` headings, pull out bylines,
   source lines and the closing ``（作者单位…）`` note, drop promo lines, and repair
   paragraphs that page layout broke across lines. The article's date, source,
   publisher and address come from its header lines (``date:``, ``source:``,
   ``publisher:``, ``url:`` after the title), the 来源：/ 时间：/ 发布日期：lines of
   scraped pages, the file's front matter, or a year that starts the title
   (:func:`parse_issued` reads the dates); a date that cannot be read is a
   :class:`~policykg.graph.model.ReadWarning` naming the file and line, and the
   article is built without it.
3. :func:`read_file` / :func:`iter_corpus` — files and folders → articles, one file at a
   time; a bad file becomes a :class:`Skipped` and never stops the rest.

>>> text = "# 济青联动\\n\\n□ 张三 李四\\n\\n济南与青岛联动，\\n\\n加快融合发展。\\n"
>>> [a] = parse_articles(text, source="demo.txt")
>>> a.id, a.title, a.authors, a.paragraphs
('demo-1', '济青联动', ('张三', '李四'), ('济南与青岛联动，加快融合发展。',))
>>> [a] = parse_articles("# 标题\\ndate: 2026-01-22\\n来源：浙江日报\\n正文一句。", source="d.txt")
>>> a.issued, a.origin, a.paragraphs
('2026-01-22', '浙江日报', ('正文一句。',))
"""
from __future__ import annotations

import errno
import hashlib
import os
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date
from pathlib import Path, PurePosixPath

import yaml

from policykg.graph.model import Article, ReadWarning, Skipped

__all__ = [
    "CorpusError",
    "decode_bytes",
    "iter_corpus",
    "parse_articles",
    "parse_issued",
    "read_file",
    "slugify",
]

SUFFIXES = (".txt", ".md")

# Error reasons: one wording each, asserted verbatim by the tests.
EMPTY = "empty file (no text after removing whitespace)"
BINARY_NUL = "binary file (contains NUL bytes); only UTF-8 or GB18030 text files can be read"
NO_ARTICLE = ("no article text (only titles, bylines, source lines or promo lines); "
              "add the article's paragraphs")
NOT_TEXT = "not a .txt or .md file"
OUTSIDE_LINK = "symbolic link to a path outside the folder (not followed)"
BROKEN_LINK = "broken symbolic link (target does not exist)"
MISSING = "no such file or folder"
SPECIAL = "not a regular file or folder (device, pipe or socket)"
LINK_LOOP = "symbolic link loop (the link leads back to itself; not followed)"
#: what :func:`parse_issued` accepts, in its error message
DATE_FORMATS = "YYYY-MM-DD, YYYY年M月D日 or YYYY"
NO_ISSUED = "the article is built without dcterms:issued"
NO_URL = "the article is built without schema:url"

#: called with each warning of a file (see :func:`iter_corpus`)
OnWarning = Callable[[ReadWarning], None]


def _emit(found: list[ReadWarning], on_warning: OnWarning | None) -> None:
    """Pass each warning to ``on_warning``; by default a Python ``UserWarning``, so
    library users see it too."""
    for w in found:
        if on_warning is None:
            warnings.warn(str(w), UserWarning, stacklevel=3)
        else:
            on_warning(w)


class CorpusError(Exception):
    """A corpus file that cannot be read as articles.

    >>> str(CorpusError("a/b.txt", EMPTY))
    'a/b.txt: empty file (no text after removing whitespace)'
    """

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"

    def __reduce__(self):  # keep pickling working despite the two-argument __init__
        return (type(self), (self.path, self.reason))


# --------------------------------------------------------------------------- decoding

_BOMS = (  # longest first: the UTF-32-LE BOM starts with the UTF-16-LE one
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)
# C0 controls other than \t \n \v \f \r and ESC: their share tells binary from text.
_CONTROL_BYTES = frozenset(range(0x20)) - {0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x1B}
_CONTROL_LIMIT = 0.05
# Multi-byte East Asian encodings score near-zero "coherence" in charset-normalizer
# even when right; for them a low chaos (mess) score alone is the evidence.
_CJK_CODECS = ("big5", "cp950", "big5hkscs", "cp932", "shift_jis", "euc_jp", "euc_kr",
               "cp949", "iso2022", "hz", "gb2312", "gbk", "gb18030", "utf_")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_OTHER_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")


def decode_bytes(data: bytes, *, path: str) -> str:
    r"""Decode a text file's bytes: UTF-8 (BOM optional), then GB18030, then a confident guess.

    Newlines become ``\n`` (a form feed, a page break in PDF exports, too); zero-width
    characters and stray control characters are removed.

    >>> decode_bytes("济南\r\n青岛".encode("gb18030"), path="x.txt")
    '济南\n青岛'
    >>> decode_bytes(b"\xef\xbb\xbf\xe6\xb5\x8e\xe5\x8d\x97\xe2\x80\x8b", path="x.txt")
    '济南'
    >>> try:
    ...     decode_bytes(b" \n\t", path="x.txt")
    ... except CorpusError as e:
    ...     print(e)
    x.txt: empty file (no text after removing whitespace)
    """
    if not data.strip():
        raise CorpusError(path, EMPTY)
    text = _decode(data, path)
    text = _normalise(text)
    if not text.strip():
        raise CorpusError(path, EMPTY)
    return text


def _decode(data: bytes, path: str) -> str:
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec)
            except UnicodeDecodeError as exc:
                raise CorpusError(path, f"cannot decode as {codec.upper()} (the file starts "
                                  f"with its byte order mark) (first bad byte at offset "
                                  f"{exc.start + len(bom)}); re-save the file as UTF-8") from None
    if b"\x00" in data:
        raise CorpusError(path, BINARY_NUL)
    controls = sum(data.count(bytes((b,))) for b in _CONTROL_BYTES)
    if controls / len(data) > _CONTROL_LIMIT:
        pct = round(100 * controls / len(data))
        raise CorpusError(path, f"binary file ({pct}% control characters); "
                                "only UTF-8 or GB18030 text files can be read")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        bad = exc.start
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError:
        text = None
    if text is not None and _looks_chinese(text):
        return text
    guessed = _guess(data)
    if guessed is not None:
        return guessed
    if text is not None:  # valid GB18030, but not Chinese: say so, not "cannot decode"
        raise CorpusError(path, f"cannot decode as UTF-8 (first bad byte at offset {bad}); "
                                "as GB18030 it is not Chinese text and no other encoding "
                                "fits; re-save the file as UTF-8")
    raise CorpusError(path, f"cannot decode as UTF-8 or GB18030 (first bad byte at offset "
                            f"{bad}); re-save the file as UTF-8")


def _looks_chinese(text: str, *, sample: int = 20000) -> bool:
    """GB18030 decodes almost any byte soup; real GBK Chinese stays in the common GB2312 set."""
    wide = [c for c in text[: sample * 4] if ord(c) > 0x7F and not c.isspace()][:sample]
    if not wide:
        return False
    common = 0
    for c in wide:
        try:
            c.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(wide) >= 0.8


def _guess(data: bytes) -> str | None:
    from charset_normalizer import from_bytes  # lazy: only for files that are neither

    best = from_bytes(data).best()
    if best is None or best.chaos > 0.15:
        return None
    codec = best.encoding.lower()
    if codec.startswith(("utf_16", "utf_32")):
        # without a byte order mark (BOMs are handled before): NUL-free bytes read as
        # UTF-16 give rare CJK characters (mojibake), never the file's text
        return None
    if best.coherence < 0.2 and not codec.startswith(_CJK_CODECS):
        return None
    return str(best)


def _normalise(text: str) -> str:
    text = _LINE_BREAKS.sub("\n", text)
    text = _ZERO_WIDTH.sub("", text)
    return _OTHER_CONTROLS.sub("", text)


# --------------------------------------------------------------------------- ids

def slugify(stem: str) -> str:
    """ASCII slug of a file stem; Chinese becomes toneless pinyin joined by ``-``.

    >>> slugify("000_3c3239678a321f59")
    '000_3c3239678a321f59'
    >>> slugify("济青联动 ChatGPT（二）")
    'ji-qing-lian-dong-chatgpt-er'
    >>> slugify("《》")
    'doc'
    """
    s = unicodedata.normalize("NFKC", stem)
    if not s.isascii():
        from pypinyin import lazy_pinyin  # lazy: ~0.3 s to load its dictionary

        s = "-".join(lazy_pinyin(s))
    s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    s = re.sub(r"[^a-z0-9_]+", "-", s.lower()).strip("-")
    return s or "doc"


def _short_hash(s: str) -> str:
    return hashlib.sha256(s.encode("utf-8")).hexdigest()[:8]


# --------------------------------------------------------------------------- line classes

_FINAL = set("。！？；…!?;：:.")
_CLOSE_ALWAYS = set("）)")
_CLOSE_QUOTES = set("”’」』》〉】\"'")
# A chunk ending in one of these is mid-sentence, never a heading.
_MID_END = set("，、,（(“‘「『《〈【—-/／·～~")
# A heading never ends on a function word that needs a continuation.
_WORD_END = set("的和与及或在对把被从向将并而之让使给跟同于")
_CONT_START = re.compile(r"^(?:[，。、；：！？）)」』”’】》〉…,.;:!?]|的(?!确)|等(?![到待]))")
_NEW_PARA = re.compile(
    r"^(?:[（(][一二三四五六七八九十百零〇]+[）)]"
    r"|[（(]\d{1,3}[）)]"
    r"|[一二三四五六七八九十百]+[、．.]"
    r"|\d{1,3}[、．]"
    r"|\d{1,3}[.)）](?!\d)"
    r"|第[一二三四五六七八九十百零〇\d]+[章节条部分篇]"
    r"|[①-⑳⑴-⒇⒈-⒛]"
    r"|[•·●○■◆◇▪▶►]"
    r"|[-*+]\s)"
)
_MD_HEADING = re.compile(r"^(#{2,6})\s+(.*?)(?:\s+#+)?\s*$")
_TITLE_HEADING = re.compile(r"^#\s+(.*?)(?:\s+#+)?\s*$")
_BOLD_LINE = re.compile(r"^\*\*(.+?)\*\*$")
_INDENT = re.compile(r"^(?:[\u3000\t]| {2,}|\xa0)")
_SPACES = re.compile(r"[ \t\xa0\u3000]+")

_PROMO = re.compile(
    r"扫码关注|请扫码|扫一扫|扫描二维码|长按识别|长按二维码|识别二维码|识别图中二维码|点击关注"
    r"|关注我们|关注公众号|更多内容|更多精彩|阅读原文|欢迎转发|欢迎分享|转载请注明|版权所有"
    r"|版权归|免责声明|点个在看|点亮在看|分享到|责任编辑|责编"
)
_PROMO_MAX = 60
_META = re.compile(
    r"^[（(【\[]?\s*(?:来源|稿源|出处|转自|文章来源|本文来源|信息来源|原标题|发布时间|发布日期"
    r"|发布机构|编辑|校对|审核|审校|监制|统筹|策划|编审|终审|初审|复审|图片来源)\s*[：:]"
)
_META_MAX = 80
_DATE_LINE = re.compile(
    r"^\d{4}\s*[-年/.]\s*\d{1,2}\s*(?:[-月/.]\s*\d{1,2}\s*日?)?"
    r"(?:\s+(?:星期|周)[一二三四五六日天])?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)

# --- article metadata (date, source, publisher, url)
#: ``date: 2026-01-22`` … header lines after the title (English keys, case-insensitive)
_HEADER = re.compile(r"^(date|source|publisher|url)\s*[:：]\s*(.*)$", re.IGNORECASE)
#: the fields of scraped 来源 / 发布时间 lines; one line may hold several
_META_FIELD = re.compile(
    r"(文章来源|本文来源|信息来源|来源|稿源|出处|转自|发布时间|发布日期|发布机构|时间|日期)\s*[：:]\s*")
_META_KEY = {"文章来源": "origin", "本文来源": "origin", "信息来源": "origin", "来源": "origin",
             "稿源": "origin", "出处": "origin", "转自": "origin", "发布时间": "issued",
             "发布日期": "issued", "时间": "issued", "日期": "issued", "发布机构": "publisher",
             "date": "issued", "source": "origin", "publisher": "publisher", "url": "url"}
#: where a field's value ends: the next short ``key：`` of the line (记者：…, 编辑：…)
_NEXT_KEY = re.compile(r"\s+[^\s：:]{1,6}[：:]")
#: a 时间：/ 日期：line (not dropped as boilerplate elsewhere: only among the leading lines)
_TIME_LINE = re.compile(r"^[（(【\[]?\s*(?:时间|日期)\s*[：:]")
_TITLE_YEAR = re.compile(r"^[《“\"]?(\d{4})\s*年")
_URL = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")
_CLOSERS = "）)】]"
# dates: the time of day, a weekday and a time zone are read past
_DATE_TAIL = re.compile(r"(?:\s*(?:星期|周)[一二三四五六日天])?"
                        r"(?:(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$")
_YMD = re.compile(r"^(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})"
                  r"|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日)$")
_YM = re.compile(r"^(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*月?$")
_Y = re.compile(r"^(\d{4})\s*年?$")


def parse_issued(value: str) -> str:
    """A publication date as ``YYYY-MM-DD``, or ``YYYY`` when only the year (or the
    year and month) is given; raises ``ValueError`` saying what is accepted.

    >>> parse_issued("2026-01-22"), parse_issued("2026年2月1日 10:30"), parse_issued("2024")
    ('2026-01-22', '2026-02-01', '2024')
    >>> parse_issued("2022-01-21T09:00:00+08:00"), parse_issued("2026/2/9"), parse_issued("2026年1月")
    ('2022-01-21', '2026-02-09', '2026')
    >>> parse_issued("2026-13-45")
    Traceback (most recent call last):
    ...
    ValueError: date "2026-13-45" is not a valid date (expected YYYY-MM-DD, YYYY年M月D日 or YYYY)
    """
    v = _SPACES.sub(" ", value).strip()
    core = _DATE_TAIL.sub("", v, count=1).strip()
    try:
        if m := _YMD.match(core):
            y, mo, d = m[1], m[2] or m[4], m[3] or m[5]
            return date(int(y), int(mo), int(d)).isoformat()
        if (m := _YM.match(core)) and 1 <= int(m[2]) <= 12 and int(m[1]) >= 1:
            return m[1]
        if (m := _Y.match(core)) and int(m[1]) >= 1:
            return m[1]
    except ValueError:      # 2026-13-45, 2026-02-30: no such day
        pass
    raise ValueError(f'date "{v}" is not a valid date (expected {DATE_FORMATS})')


@dataclass(frozen=True)
class _Meta:
    """An article's metadata as read so far: the first value of each field wins."""

    issued: str | None = None
    origin: str | None = None
    publisher: str | None = None
    url: str | None = None

    def merged(self, other: _Meta) -> _Meta:
        """Each field from ``self``, else from ``other`` (the file's front matter)."""
        return _Meta(**{f.name: getattr(other, f.name) if getattr(self, f.name) is None
                        else getattr(self, f.name) for f in fields(self)})


def _read_field(meta: _Meta, field_: str, value: str, line: int, display: str,
                out: list[ReadWarning]) -> _Meta:
    """``meta`` with ``field_`` set from ``value`` unless it is set already (or invalid:
    then a warning goes to ``out``)."""
    value = value.strip().strip(_CLOSERS).strip()
    if not value or getattr(meta, field_) is not None:
        return meta
    if field_ == "issued":
        try:
            value = parse_issued(value)
        except ValueError as exc:
            out.append(ReadWarning(display, line, f"{exc}; {NO_ISSUED}"))
            # "": given but unreadable; no other line, front matter or title year stands in
            # for it (the warning says the article has no date)
            return replace(meta, issued="")
    elif field_ == "url" and not _is_url(value):
        out.append(ReadWarning(display, line, f'url "{value}" is not an http(s) address; {NO_URL}'))
        return meta
    return replace(meta, **{field_: value})


def _is_url(value: str) -> bool:
    """An http(s) address that is a valid IRI (as the store parses it: ``https://[x]``
    or ``%zz`` would stop the load)."""
    import pyoxigraph as ox  # lazy: only files with a url: line need it

    if not _URL.match(value):
        return False
    try:
        ox.NamedNode(value)
    except ValueError:
        return False
    return True


def _read_meta_line(meta: _Meta, line: str, n: int, display: str,
                    out: list[ReadWarning]) -> _Meta:
    """The fields of a 来源：… 时间：… line (several may share one line)."""
    # a key starts the line or follows a space or bracket (not 图片来源：, a caption's credit)
    for m in _META_FIELD.finditer(line):
        if m.start() and line[m.start() - 1] not in " （(【[":
            continue
        value = _NEXT_KEY.split(line[m.end():], maxsplit=1)[0]
        meta = _read_field(meta, _META_KEY[m[1]], value, n, display, out)
    return meta


_BYLINE = re.compile(
    r"^(?:[□■◎●○◇◆]\s*|(?:作者|文|撰文|文字|作者署名)\s*[：:／/｜|丨]\s*)(?P<names>\S.*)$"
)
_ROLE_WORDS = re.compile(r"^(?:本报记者|本报通讯员|记者|通讯员|实习生|特约撰稿人|特约评论员|评论员)")
_NAME_SPLIT = re.compile(r"[\s、，,；;／/｜|丨]+")

_NOTE_LINE = re.compile(r"^[（(]\s*(?P<body>作者(?:单位|分别|系|为|是)[^（）()]*?)\s*[）)]$")
_NOTE_TAIL = re.compile(r"[（(]\s*(?P<body>作者(?:单位|分别|系|为|是)[^（）()]*?)\s*[）)]$")
_NOTE_BARE = re.compile(r"^(?P<body>作者单位\s*[：:].+)$")
_NOTE_BODY = re.compile(
    r"^作者\s*(?:(?P<unit>单位)\s*(?:分别)?\s*(?:是|为|：|:)?"
    r"|(?:分别)?\s*(?:系|为|是))\s*(?P<rest>.+)$"
)
# Trailing job titles dropped from affiliations: longest first so 副主任 goes before 主任.
_JOB_TITLES = tuple(sorted({
    "主任", "副主任", "常务副主任", "研究员", "副研究员", "助理研究员", "特约研究员", "兼职研究员",
    "高级研究员", "首席研究员", "教授", "副教授", "特聘教授", "客座教授", "讲席教授", "助理教授",
    "院长", "副院长", "执行院长", "常务副院长", "所长", "副所长", "博士", "博士生", "博士研究生",
    "硕士研究生", "研究生", "博士后", "博士生导师", "博导", "硕士生导师", "处长", "副处长", "局长",
    "副局长", "司长", "副司长", "厅长", "副厅长", "科长", "部长", "副部长", "院士", "校长",
    "副校长", "书记", "副书记", "党委书记", "秘书长", "副秘书长", "主席", "副主席", "会长",
    "副会长", "理事长", "副理事长", "董事长", "总经理", "副总经理", "负责人", "首席专家",
    "首席经济学家", "经济学家", "专家", "访问学者", "讲师", "分析师", "经济师", "高级经济师",
    "工程师", "高级工程师", "委员", "组长", "副组长", "主编", "副主编", "成员", "主任委员",
}, key=lambda t: (-len(t), t)))


def _is_final(s: str) -> bool:
    """Does the chunk end a sentence (so a following line is a new paragraph)?"""
    if not s:
        return True
    c = s[-1]
    if c in _FINAL or c in _CLOSE_ALWAYS:
        return True
    if c in _CLOSE_QUOTES:
        # 。” ends a quoted sentence; a bare ” or 》 usually closes a term mid-sentence.
        t = s.rstrip("".join(_CLOSE_QUOTES))
        return bool(t) and (t[-1] in _FINAL or t[-1] in _CLOSE_ALWAYS)
    return False


def _looks_like_heading(s: str) -> bool:
    """A short line that ends without sentence-final punctuation or a dangling word."""
    if _is_final(s) or s[-1] in _MID_END or s[-1] in _WORD_END:
        return False
    if not any(c.isalpha() for c in s):
        return False
    limit = 60 if _NEW_PARA.match(s) else 30
    return len(s) <= limit


def _is_promo(s: str) -> bool:
    return len(s) <= _PROMO_MAX and _PROMO.search(s) is not None


def _is_meta(s: str) -> bool:
    return (len(s) <= _META_MAX and _META.match(s) is not None) or _DATE_LINE.match(s) is not None


def _title_like(s: str) -> bool:
    if len(s) > 60 or s[-1] in _MID_END or s[-1] in _WORD_END:
        return False
    if s[-1] in "！？!?":
        return len(s) <= 30
    return not _is_final(s)


def _byline(s: str) -> tuple[str, ...] | None:
    m = _BYLINE.match(s)
    if not m or len(s) > 40:
        return None
    names = []
    for tok in _NAME_SPLIT.split(m["names"]):
        tok = _ROLE_WORDS.sub("", tok).strip()
        if tok:
            names.append(tok)
    if not names or len(names) > 10 or any(len(n) > 12 for n in names):
        return None
    return tuple(names)


def _strip_titles(s: str) -> str:
    s = s.strip()
    changed = True
    while changed:
        changed = False
        for t in _JOB_TITLES:
            if s.endswith(t) and len(s) > len(t):
                s = s[: -len(t)].rstrip()
                changed = True
                break
            if s == t:
                return ""
    return s.rstrip("的")


def _affiliations(body: str) -> tuple[str, ...]:
    """Affiliations in a closing note such as ``作者单位分别是A、B`` or ``作者系A主任，研究员``.

    >>> _affiliations("作者单位分别是山东师范大学、济南市政府决策研究中心")
    ('山东师范大学', '济南市政府决策研究中心')
    >>> _affiliations("作者系中国社会科学院工业经济研究所研究员，博士")
    ('中国社会科学院工业经济研究所',)
    """
    m = _NOTE_BODY.match(body.strip())
    if not m:
        return ()
    rest = m["rest"]
    if m["unit"]:
        parts = re.split(r"[、；;，,]", rest)
    else:  # 作者系…: the first clause names the unit; later clauses are titles
        parts = re.split(r"[、]", re.split(r"[，,；;]", rest)[0])
    return tuple(a for a in (_strip_titles(p) for p in parts) if a)


def _name_title_note(s: str) -> tuple[str, tuple[str, ...], str] | None:
    """A paragraph ending ``（张平文 中国科学院院士 北京大学副校长）``: name, units, rest."""
    m = re.search(r"[（(]([^（）()]+)[）)]$", s)
    if not m:
        return None
    toks = m[1].split()
    if len(toks) < 2 or not re.fullmatch(r"[\u4e00-\u9fff·]{2,5}", toks[0]):
        return None
    units = []
    for tok in toks[1:]:
        if not tok.endswith(_JOB_TITLES):
            return None
        unit = _strip_titles(tok)
        if unit:
            units.append(unit)
    return toks[0], tuple(units), s[: m.start()].rstrip()


# --------------------------------------------------------------------------- parsing

@dataclass
class _Chunk:
    text: str
    heading: bool = False    #: a markdown ``##`` heading: never joined
    indented: bool = False   #: starts with indentation: a new paragraph
    parts: int = 1           #: how many source lines were joined into it


def _join_ok(cur: _Chunk, nxt: _Chunk) -> bool:
    if cur.heading or nxt.heading or nxt.indented or _NEW_PARA.match(nxt.text):
        return False
    if _is_final(cur.text):
        return False
    if cur.parts == 1 and _looks_like_heading(cur.text):
        # A short unpunctuated line stands alone as a heading unless the next
        # line plainly continues it (starts with ，or 的…).
        return _CONT_START.match(nxt.text) is not None
    return True  # a long line without a sentence end was broken by the layout


def _glue(a: str, b: str) -> str:
    sep = " " if a[-1].isascii() and a[-1].isalpha() and b[0].isascii() and b[0].isalpha() else ""
    return a + sep + b


_Line = tuple[int, str]     #: (1-based line number in the file, text)


def _split_front_matter(lines: list[_Line], display: str,
                        out: list[ReadWarning]) -> tuple[list[_Line], _Meta]:
    """The lines after a ``---`` front matter block, and the metadata it gives
    (YAML read as plain strings: a date YAML cannot construct is reported, not raised)."""
    if lines and lines[0][1].strip() == "---":
        for i in range(1, min(len(lines), 200)):
            if lines[i][1].strip() in ("---", "..."):
                return lines[i + 1:], _front_matter_meta(lines[1:i], display, out)
    return lines, _Meta()


def _front_matter_meta(lines: list[_Line], display: str, out: list[ReadWarning]) -> _Meta:
    meta = _Meta()
    try:
        node = yaml.compose("\n".join(t for _, t in lines), Loader=yaml.BaseLoader)
    except yaml.YAMLError:
        return meta     # not YAML: dropped as before, without metadata
    if not isinstance(node, yaml.MappingNode):
        return meta
    first = lines[0][0] if lines else 1
    for key, value in node.value:
        field_ = _META_KEY.get(str(key.value).lower()) if isinstance(key, yaml.ScalarNode) else None
        if field_ and isinstance(value, yaml.ScalarNode):
            meta = _read_field(meta, field_, str(value.value), first + value.start_mark.line,
                               display, out)
    return meta


def parse_articles(text: str, *, source: str, id_stem: str | None = None,
                   on_warning: OnWarning | None = None) -> list[Article]:
    """Split text into articles at ``# `` headings and clean each one.

    Text before the first ``# `` heading (or a whole file without one) is an article
    titled by its first line when that line is short and unpunctuated, else by the
    file stem. Articles with no paragraph left are dropped. Each warning (a date that
    cannot be read) goes to ``on_warning`` (default: a Python ``UserWarning``).

    >>> t = "# 标题\\n来源：某报\\n## 一、背景\\n正文一句。\\n（作者单位：某研究中心）\\n扫码关注"
    >>> [a] = parse_articles(t, source="dir/f.md")
    >>> a.paragraphs, a.headings, a.affiliations
    (('一、背景', '正文一句。'), ((0, '一、背景'),), ('某研究中心',))
    """
    articles, found = _parse(text, source=source, id_stem=id_stem, display=source)
    _emit(found, on_warning)
    return articles


def _parse(text: str, *, source: str, id_stem: str | None,
           display: str) -> tuple[list[Article], list[ReadWarning]]:
    stem = PurePosixPath(source).stem
    id_stem = id_stem if id_stem is not None else slugify(stem)
    found: list[ReadWarning] = []
    lines, file_meta = _split_front_matter(list(enumerate(_normalise(text).split("\n"), 1)),
                                           display, found)

    sections: list[tuple[str | None, list[_Line]]] = [(None, [])]
    for n, line in lines:
        m = _TITLE_HEADING.match(line.strip())
        if m and m[1]:
            # a heading that is only markup (``# ** **``) starts an untitled article
            sections.append((m[1].replace("**", "").strip() or None, []))
        else:
            sections[-1][1].append((n, line))

    out: list[Article] = []
    for title, body in sections:
        warned: list[ReadWarning] = []
        built = _build(title, body, fallback_title=stem, display=display, out=warned)
        if built is None:
            continue
        found += warned         # an article's warnings only when the article is built
        title_, authors, affs, paragraphs, headings, meta = built
        meta = meta.merged(file_meta)
        if meta.issued is None and (y := _TITLE_YEAR.match(title_)) and int(y[1]) >= 1:
            meta = replace(meta, issued=y[1])    # 2026年…政府工作报告: the year only
        n = len(out) + 1
        out.append(Article(id=f"{id_stem}-{n}", source=source, index=n, title=title_,
                           authors=authors, affiliations=affs, paragraphs=paragraphs,
                           headings=headings, issued=meta.issued or None, origin=meta.origin,
                           publisher=meta.publisher, url=meta.url))
    return out, found


def _build(title: str | None, lines: list[_Line], *, fallback_title: str, display: str,
           out: list[ReadWarning]):
    cleaned: list[tuple[str, bool]] = []  # (stripped line, indented)
    meta = _Meta()
    # the leading lines (the title when it is no ``#`` heading, a byline, metadata)
    # may hold ``date:`` … header lines, a 时间：line or a bare date
    lead, lead_max = 0, (1 if title is None else 0)
    for n, raw in lines:
        line = _SPACES.sub(" ", raw).strip()
        if not line or _is_promo(line):
            continue
        leading = lead <= lead_max
        if leading and (h := _HEADER.match(line)):
            meta = _read_field(meta, _META_KEY[h[1].lower()], h[2], n, display, out)
            continue
        if _is_meta(line) or (leading and _TIME_LINE.match(line) and len(line) <= _META_MAX):
            if _DATE_LINE.match(line):
                if leading:
                    meta = _read_field(meta, "issued", line, n, display, out)
            else:
                meta = _read_meta_line(meta, line, n, display, out)
            continue
        cleaned.append((line, bool(_INDENT.match(raw))))
        if _byline(line) is None:
            lead += 1
    if not cleaned:
        return None
    if title is None:
        first = cleaned[0][0]
        m = _MD_HEADING.match(first)
        cand = (m[2] if m else first).replace("**", "").strip()
        if cand and _title_like(cand):
            title = cand
            cleaned = cleaned[1:]
        else:
            title = fallback_title

    authors: tuple[str, ...] = ()
    affs: tuple[str, ...] = ()
    chunks: list[_Chunk] = []
    seen_text = False
    for line, indented in cleaned:
        m = _MD_HEADING.match(line)
        if m:
            if heading := m[2].replace("**", "").strip():
                chunks.append(_Chunk(heading, heading=True))
            continue
        if not seen_text and not authors and (names := _byline(line)):
            authors = names
            continue
        note = _NOTE_LINE.match(line) or _NOTE_BARE.match(line)
        if note:
            affs += _affiliations(note["body"])
            continue
        b = _BOLD_LINE.match(line)
        text = b[1].strip() if b else line
        if not text:  # ``** **``: emphasis around nothing; an empty chunk would break joining
            continue
        chunks.append(_Chunk(text, indented=indented))
        seen_text = True

    paras: list[_Chunk] = []
    for ch in chunks:
        if paras and _join_ok(paras[-1], ch):
            last = paras[-1]
            last.text = _glue(last.text, ch.text)
            last.parts += 1
        else:
            paras.append(ch)

    # A closing note run into the last paragraph: （作者系…） or （张平文 院士 …）.
    if paras and not paras[-1].heading:
        last = paras[-1]
        m = _NOTE_TAIL.search(last.text)
        if m and not affs:
            affs = _affiliations(m["body"])
            last.text = last.text[: m.start()].rstrip()
        elif not authors and not affs and (nt := _name_title_note(last.text)):
            authors, affs, last.text = (nt[0],), nt[1], nt[2]
        if not last.text:
            paras.pop()

    if not any(not p.heading for p in paras):
        return None
    heads = tuple((i, p.text) for i, p in enumerate(paras)
                  if p.heading or (p.parts == 1 and _looks_like_heading(p.text)))
    return title, authors, affs, tuple(p.text for p in paras), heads, meta


# --------------------------------------------------------------------------- files

def read_file(path: Path, *, root: Path | None = None,
              on_warning: OnWarning | None = None) -> list[Article]:
    """Read one file; ``Article.source`` is relative to ``root`` (or the file name).

    Raises :class:`CorpusError` naming the file when it cannot be read or has no text;
    warnings go to ``on_warning`` (default: a Python ``UserWarning``).
    """
    path = Path(path)
    source = _text_name(path.relative_to(root).as_posix() if root is not None else path.name)
    articles, found = _read(path, source=source, id_stem=slugify(_text_name(path.stem)),
                            display=_text_name(path.as_posix()))
    _emit(found, on_warning)
    return articles


def _read(path: Path, *, source: str, id_stem: str,
          display: str) -> tuple[list[Article], list[ReadWarning]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CorpusError(display, f"cannot read file ({exc.strerror or exc})") from None
    text = decode_bytes(data, path=display)
    articles, found = _parse(text, source=source, id_stem=id_stem, display=display)
    if not articles:
        raise CorpusError(display, NO_ARTICLE)
    return articles, found


@dataclass(frozen=True)
class _Entry:
    key: tuple[str, ...]    #: sort key within its folder (relative path parts)
    display: str            #: the path as the user would type it
    path: Path | None = None
    source: str = ""
    skip: str | None = None
    linked: bool = False    #: reached through a symbolic link


def _is_within(p: Path, root: Path) -> bool:
    return p == root or root in p.parents


def _text_name(name: str) -> str:
    r"""A path as text: names that are not UTF-8 (GBK names from a Windows zip file)
    are read as GB18030, else shown with ``\x`` escapes; never lone surrogates,
    which could not be written to the report or the RDF.

    >>> _text_name(os.fsdecode("报告.txt".encode("gbk"))), _text_name(os.fsdecode(b"a\xff.txt"))
    ('报告.txt', 'a\\xff.txt')
    """
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:
        return "/".join(map(_text_part, name.split("/")))   # folders may differ


def _text_part(part: str) -> str:
    raw = os.fsencode(part)   # surrogateescape: the original bytes
    for codec in ("utf-8", "gb18030"):
        try:
            return raw.decode(codec)
        except UnicodeDecodeError:
            pass
    return raw.decode("utf-8", errors="backslashreplace")


def _link_target(p: Path) -> tuple[Path | None, str | None]:
    """Where a symbolic link leads, or why it cannot be followed."""
    try:
        target = p.resolve()
        target.stat()
    except RuntimeError:          # Python < 3.13: resolve() raises it on a loop
        return None, LINK_LOOP
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return None, LINK_LOOP
        if exc.errno in (errno.ENOENT, errno.ENOTDIR):
            return None, BROKEN_LINK
        return None, f"cannot follow symbolic link ({exc.strerror or exc})"
    return target, None


def _walk(root: Path) -> list[_Entry]:
    real_root = root.resolve()
    out: list[_Entry] = []

    def add_file(p: Path, rel: tuple[str, ...], linked: bool) -> None:
        disp = _text_name(root.joinpath(*rel).as_posix())
        if p.suffix.lower() in SUFFIXES:
            out.append(_Entry(rel, disp, p, _text_name("/".join(rel)), linked=linked))
        else:
            out.append(_Entry(rel, disp, skip=NOT_TEXT))

    def walk(d: Path, rel: tuple[str, ...], visited: frozenset[Path], linked: bool) -> None:
        try:
            with os.scandir(d) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            out.append(_Entry(rel, _text_name(root.joinpath(*rel).as_posix()),
                              skip=f"cannot list folder ({exc.strerror or exc})"))
            return
        for e in entries:
            if e.name.startswith("."):
                continue  # hidden files and folders (.git, .DS_Store) are not corpus
            p, r = Path(e.path), (*rel, e.name)
            disp = _text_name(root.joinpath(*r).as_posix())
            if e.is_symlink():
                target, why = _link_target(p)
                if target is None:
                    out.append(_Entry(r, disp, skip=why))
                elif not _is_within(target, real_root):
                    out.append(_Entry(r, disp, skip=OUTSIDE_LINK))
                elif target.is_dir():
                    if target not in visited:  # a link back up the tree would loop
                        walk(p, r, visited | {target}, True)
                elif target.is_file():
                    add_file(p, r, True)
                else:
                    out.append(_Entry(r, disp, skip=SPECIAL))
            elif e.is_dir(follow_symlinks=False):
                walk(p, r, visited | {p.resolve()}, linked)
            elif e.is_file(follow_symlinks=False):
                add_file(p, r, linked)
            else:
                out.append(_Entry(r, disp, skip=SPECIAL))

    walk(root, (), frozenset({real_root}), False)
    return sorted(out, key=lambda e: e.key)


def _plan(paths: Sequence[Path]) -> list[_Entry]:
    plan: list[_Entry] = []
    for given in paths:
        p = Path(given)
        disp = _text_name(p.as_posix())
        if p.is_dir():
            plan.extend(_walk(p))
        elif p.is_file():
            if p.suffix.lower() in SUFFIXES:
                plan.append(_Entry((p.name,), disp, p, _text_name(p.name)))
            else:
                plan.append(_Entry((p.name,), disp, skip=NOT_TEXT))
        elif p.is_symlink():
            plan.append(_Entry((p.name,), disp, skip=_link_target(p)[1] or BROKEN_LINK))
        elif not p.exists():
            plan.append(_Entry((p.name,), disp, skip=MISSING))
        else:
            plan.append(_Entry((p.name,), disp, skip=SPECIAL))

    # The same file reached twice (listed twice, or via a link) is read once: at its
    # first path not through a link (so adding a link never changes a source), else first.
    real = {id(e): e.path.resolve() for e in plan if e.path is not None}
    keep: dict[Path, _Entry] = {}
    for e in plan:
        if e.path is not None:
            cur = keep.get(real[id(e)])
            if cur is None or (cur.linked and not e.linked):
                keep[real[id(e)]] = e
    deduped: list[_Entry] = []
    for e in plan:
        if e.path is not None and keep[real[id(e)]] is not e:
            e = _Entry(e.key, e.display,
                       skip=f"same file as {keep[real[id(e)]].display} (read once)")
        deduped.append(e)
    return deduped


def _id_stems(plan: list[_Entry]) -> dict[str, str]:
    """display → id stem; files whose stems slug alike get a hash of their path."""
    by_slug: dict[str, list[_Entry]] = {}
    for e in plan:
        if e.path is not None:
            by_slug.setdefault(slugify(_text_name(e.path.stem)), []).append(e)
    stems: dict[str, str] = {}
    for slug, group in by_slug.items():
        if len(group) == 1:
            stems[group[0].display] = slug
            continue
        sources = [e.source for e in group]
        for e in group:
            key = e.source if sources.count(e.source) == 1 else e.display
            stems[e.display] = f"{slug}-{_short_hash(key)}"
    return stems


def iter_corpus(paths: Sequence[Path], *,
                on_warning: OnWarning | None = None) -> Iterator[Article | Skipped]:
    """Articles of every ``.txt``/``.md`` file under ``paths``, one file read at a time.

    Folders are walked recursively in sorted order of relative path; hidden entries are
    ignored; other files, links leading outside the folder and unreadable files come
    out as :class:`Skipped` in their place, and reading continues. A file's warnings
    (:class:`~policykg.graph.model.ReadWarning`: a date that cannot be read; the
    article is built without it) go to ``on_warning`` before its articles come out
    (default: a Python ``UserWarning``).
    """
    plan = _plan(paths)
    stems = _id_stems(plan)
    for e in plan:
        if e.path is None:
            yield Skipped(path=e.display, reason=e.skip or "")
            continue
        try:
            articles, found = _read(e.path, source=e.source, id_stem=stems[e.display],
                                    display=e.display)
        except CorpusError as exc:
            yield Skipped(path=e.display, reason=exc.reason)
            continue
        except Exception as exc:  # noqa: BLE001 - one bad file must not stop the corpus
            yield Skipped(path=e.display, reason=f"internal error while reading "
                                                 f"({type(exc).__name__}: {exc}); please report it")
            continue
        _emit(found, on_warning)
        yield from articles
