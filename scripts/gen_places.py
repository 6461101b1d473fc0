"""Generate ``ontology/lexicons/places.tsv`` from cpca's shipped ``adcodes.csv``.

Usage: ``python scripts/gen_places.py [--check]`` (``--check`` compares with the
committed file and exits 1 when they differ). Deterministic: rows sorted by adcode,
so the same cpca version gives a byte-identical file.
"""
from __future__ import annotations

import csv
import importlib.metadata
import importlib.resources
import io
import sys
from pathlib import Path

from policykg.graph.rdf import atomic_write

OUT = Path(__file__).resolve().parent.parent / "ontology" / "lexicons" / "places.tsv"
COLUMNS = ("adcode", "name", "short", "level", "parent", "type", "longitude", "latitude")

# cpca keeps placeholder rows for the statistical groupings under a province or
# municipality; they are not places.
PLACEHOLDERS = frozenset({"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"})
MUNICIPALITIES = frozenset({"北京市", "天津市", "上海市", "重庆市"})
SARS = frozenset({"香港特别行政区", "澳门特别行政区"})
# County-level short forms that are ordinary words in policy prose (和平, 合作, 新兴 …):
# picked by hand from the short forms that jieba 0.42's dictionary tags as a
# non-place word; the county keeps its full name, only the short form is dropped.
GENERIC_SHORTS = frozenset({
    "三台", "五台", "万年", "东方", "中方", "乐业", "互助", "会同", "光泽", "公安", "共和",
    "兴业", "凤凰", "博爱", "南部", "合作", "同仁", "同心", "和平", "大厂", "大安", "大方",
    "大英", "大通", "天台", "天长", "太和", "富民", "富裕", "平乐", "平和", "平定", "康乐",
    "延长", "惠民", "新兴", "新民", "方正", "明光", "武功", "比如", "永和", "永新", "永福",
    "江山", "民权", "清水", "清流", "温泉", "灯塔", "白玉", "石棉", "石门", "磐石", "安宁",
    "安远", "资源", "通道", "长子", "阳春", "莲花", "友谊", "文成", "黄龙", "高台",
    "洞口", "威信",
})
# Administrative suffixes, longest first; an ethnic part before 自治… is removed too.
SUFFIXES = ("特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特区",
            "省", "市", "盟", "县")


def _nations() -> tuple[str, ...]:
    """The 56 nationalities (cpca's ``56_nations.csv``), with and without 族, longest first."""
    text = importlib.resources.files("cpca").joinpath("resources/56_nations.csv").read_text("utf-8")
    names = {n.strip() for n in text.splitlines() if n.strip()}
    forms = names | {n[:-1] for n in names if n.endswith("族") and len(n) > 2}
    return tuple(sorted(forms, key=lambda n: (-len(n), n)))


def strip_suffix(name: str, nations: tuple[str, ...]) -> str:
    """The name without its administrative suffix, or ``""`` when nothing sensible remains.

    >>> n = _nations()
    >>> [strip_suffix(x, n) for x in ("山东省", "广西壮族自治区", "内蒙古自治区", "西藏自治区",
    ...  "延边朝鲜族自治州", "恩施土家族苗族自治州", "大兴安岭地区", "兴安盟", "香港特别行政区",
    ...  "沛县", "历下区", "鄂伦春自治旗", "准格尔旗")]
    ['山东', '广西', '内蒙古', '西藏', '延边', '恩施', '大兴安岭', '兴安', '香港', '', '', '', '']
    """
    for suffix in SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            stem = name[: -len(suffix)]
            break
    else:
        return ""  # districts (…区), banners (…旗) and names without a suffix
    if suffix.startswith("自治"):
        changed = True
        while changed:  # 恩施土家族苗族 → 恩施土家族 → 恩施
            changed = False
            for nation in nations:
                if stem.endswith(nation) and len(stem) - len(nation) >= 2:
                    stem, changed = stem[: -len(nation)], True
                    break
        if stem in nations:  # 鄂伦春(自治旗): the short would be the people's name
            return ""
    return stem


def _level(code: str) -> str:
    if code[2:] == "0000":
        return "province"
    if code[4:] == "00":
        return "prefecture"
    return "county"


def _type(name: str, level: str) -> str:
    if level == "province":
        return "City" if name in MUNICIPALITIES or name in SARS else "Region"
    return "City" if name.endswith("市") else "Region"


def generate() -> str:
    """The full text of places.tsv."""
    version = importlib.metadata.version("cpca")
    text = importlib.resources.files("cpca").joinpath("resources/adcodes.csv").read_text("utf-8")
    nations = _nations()
    raw = {}
    for row in csv.DictReader(io.StringIO(text)):
        code = row["adcode"][:6]  # cpca pads GB/T 2260 codes to 12 digits
        if row["adcode"][6:].strip("0") or row["name"] in PLACEHOLDERS:
            continue
        raw[code] = row
    places = []
    for code in sorted(raw):
        row, level = raw[code], _level(code)
        if level == "province":
            parent = ""
        elif level == "prefecture" or code[:4] + "00" not in raw:
            parent = code[:2] + "0000"  # counties under a placeholder hang off the province
        else:
            parent = code[:4] + "00"
        places.append({"adcode": code, "name": row["name"], "level": level, "parent": parent,
                       "type": _type(row["name"], level),
                       "short": strip_suffix(row["name"], nations),
                       "longitude": row["longitude"], "latitude": row["latitude"]})
    # A short form must name one place: drop it where a higher level already uses the
    # same string as name or short (吉林市 → 吉林 is the province), where two places of
    # one level share it, or where it is an ordinary word.
    taken: set[str] = set()
    for level in ("province", "prefecture", "county"):
        rows = [p for p in places if p["level"] == level]
        counts: dict[str, int] = {}
        for p in rows:
            counts[p["short"]] = counts.get(p["short"], 0) + 1
        for p in rows:
            s = p["short"]
            if s in taken or counts[s] > 1 or s in GENERIC_SHORTS:
                p["short"] = ""
        taken |= {p["name"] for p in rows} | {p["short"] for p in rows if p["short"]}
    out = io.StringIO()
    out.write(f"# Generated by scripts/gen_places.py from cpca {version}, file cpca/resources/adcodes.csv\n")
    out.write("# (GB/T 2260 codes and names as shipped in that package, with its coordinates). Do not edit.\n")
    out.write("# Placeholder rows (市辖区, 县, 省直辖县级行政区划) are left out; counties under them have the province as parent.\n")
    out.write("# short: name without 省/市/自治区/特别行政区/地区/盟/自治州/县 (and the ethnic part of 自治… names),\n")
    out.write("# empty for districts and banners, when <2 characters remain, when a higher level or another place of the\n")
    out.write("# same level uses it, or when it is an ordinary word (GENERIC_SHORTS in the script).\n")
    out.write("\t".join(COLUMNS) + "\n")
    for p in places:
        out.write("\t".join(p[c] for c in COLUMNS) + "\n")
    return out.getvalue()


def main(argv: list[str]) -> int:
    text = generate()
    if "--check" in argv:
        same = OUT.exists() and OUT.read_text("utf-8") == text
        print(f"{OUT}: {'up to date' if same else 'differs from the generator; re-run without --check'}")
        return 0 if same else 1
    atomic_write(OUT, text.encode("utf-8"))   # the build's writer: mode from the umask
    print(f"wrote {OUT} ({text.count(chr(10)) - 7} places)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
