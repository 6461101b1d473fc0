"""The vocabularies in ontology/lexicons/*.tsv and their loader (policykg.ontology.lexicons)."""
from __future__ import annotations

import doctest
import importlib.util
from pathlib import Path

import pytest

from policykg.ontology import lexicons as L
from policykg.ontology.namespace import ENTITY_TYPES

ROOT = Path(__file__).resolve().parent.parent
LEXDIR = ROOT / "ontology" / "lexicons"


def surface_forms() -> dict[str, set[str]]:
    """Every label/alias of every lexicon → the lexicon names it appears in."""
    out: dict[str, set[str]] = {}
    for kind in L.VOCABULARY_KINDS:
        for t in L.vocabulary(kind):
            for s in (t.label, *t.aliases):
                out.setdefault(s, set()).add(kind)
    for r in L.regions():
        for s in (r.label, *r.aliases):
            out.setdefault(s, set()).add("regions")
    for p in L.places():
        for s in (p.name, p.short):
            if s:
                out.setdefault(s, set()).add("places")
    return out


# --------------------------------------------------------------------------- files

def test_lexicon_files_are_the_listed_ones():
    assert sorted(p.stem for p in LEXDIR.glob("*.tsv")) == sorted(L.LEXICON_NAMES)


@pytest.mark.parametrize("name", L.LEXICON_NAMES)
def test_file_starts_with_provenance_then_header(name):
    lines = (LEXDIR / f"{name}.tsv").read_text("utf-8").splitlines()
    assert lines[0].startswith("# ") and len(lines[0]) > 20
    header = next(line for line in lines if not line.startswith("#"))
    assert header == "\t".join(L.read_tsv(name)[0])
    assert "source" in header.split("\t") or name in ("places", "heads", "stopwords", "ambiguous_places")
    assert L.read_tsv(name) == L.read_tsv(f"{name}.tsv")


@pytest.mark.parametrize("name", L.LEXICON_NAMES)
def test_every_row_has_a_source_or_reason(name):
    for row in L.read_tsv(name):
        if "source" in row:
            assert row["source"], row
        if "reason" in row:
            assert row["reason"], row


def test_typed_accessors_load_without_duplicate_keys():
    # each accessor raises LexiconError on a repeated key, so loading is the check
    assert all(isinstance(p, L.Place) for p in L.places())
    assert all(isinstance(s, L.ShortName) for s in L.short_names())
    assert all(isinstance(r, L.Region) for r in L.regions())
    for kind in L.VOCABULARY_KINDS:
        terms = L.vocabulary(kind)
        assert terms and all(isinstance(t, L.Term) for t in terms)
        assert all(set(t.types) <= set(ENTITY_TYPES) for t in terms)
    assert all(isinstance(h, L.Head) for h in L.heads())
    assert len({w.word for w in L.stopwords()}) == len(L.stopwords())


def test_sizes():
    assert len(L.vocabulary("industries")) >= 300
    assert len(L.vocabulary("technologies")) >= 150
    assert len(L.vocabulary("strategies")) >= 100
    assert len(L.vocabulary("organizations")) >= 150
    assert len(L.vocabulary("countries")) >= 150


def test_accessors_are_cached():
    assert L.places() is L.places()
    assert L.vocabulary("industries") is L.vocabulary("industries")


# --------------------------------------------------------------------------- places

def test_places_levels():
    levels = [p.level for p in L.places()]
    assert levels.count("province") == 34
    assert levels.count("prefecture") >= 330
    assert levels.count("county") >= 2800
    assert [p.adcode for p in L.places()] == sorted(p.adcode for p in L.places())


def test_jinan_and_shandong():
    jinan = L.place("370100")
    assert (jinan.name, jinan.short, jinan.label, jinan.type, jinan.level, jinan.parent) == (
        "济南市", "济南", "济南", "City", "prefecture", "370000")
    assert jinan.longitude == pytest.approx(117.12, abs=0.01)
    shandong = L.place("370000")
    assert (shandong.name, shandong.short, shandong.type, shandong.level, shandong.parent) == (
        "山东省", "山东", "Region", "province", "")


@pytest.mark.parametrize("name, short, typ", [
    ("北京市", "北京", "City"), ("重庆市", "重庆", "City"), ("香港特别行政区", "香港", "City"),
    ("澳门特别行政区", "澳门", "City"), ("台湾省", "台湾", "Region"),
    ("广西壮族自治区", "广西", "Region"), ("内蒙古自治区", "内蒙古", "Region"), ("西藏自治区", "西藏", "Region"),
    ("新疆维吾尔自治区", "新疆", "Region"), ("延边朝鲜族自治州", "延边", "Region"),
    ("恩施土家族苗族自治州", "恩施", "Region"), ("大兴安岭地区", "大兴安岭", "Region"), ("兴安盟", "兴安", "Region"),
    ("晋江市", "晋江", "City"), ("沛县", "", "Region"), ("历下区", "", "Region"), ("准格尔旗", "", "Region"),
    ("吉林市", "", "City"),            # 吉林 is the province
    ("海南藏族自治州", "", "Region"),   # 海南 is the province
    ("合作市", "", "City"),            # ordinary word
    ("长沙县", "", "Region"),          # 长沙 is the prefecture
])
def test_place_short_forms_and_types(name, short, typ):
    (p,) = [p for p in L.places() if p.name == name]
    assert (p.short, p.type) == (short, typ)


def test_place_shorts_name_one_place_and_parents_exist():
    shorts = [p.short for p in L.places() if p.short]
    assert len(shorts) == len(set(shorts))
    codes = {p.adcode for p in L.places()}
    assert all(p.parent in codes for p in L.places() if p.level != "province")
    assert all(L.place(p.parent).level == "province" for p in L.places() if p.level == "prefecture")


def test_unknown_adcode():
    with pytest.raises(KeyError) as e:
        L.place("999999")
    assert e.value.args[0] == ("no place with adcode '999999' in places.tsv; "
                               "use a 6-digit GB/T 2260 code such as '370100'")


def _load_generator():
    spec = importlib.util.spec_from_file_location("gen_places", ROOT / "scripts" / "gen_places.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_places_tsv_is_what_the_generator_writes():
    pytest.importorskip("cpca")
    gen = _load_generator()
    assert gen.generate() == (LEXDIR / "places.tsv").read_text("utf-8")
    assert doctest.testmod(gen).failed == 0


# --------------------------------------------------------------------------- short names, regions

def test_short_names():
    ab = L.abbreviations()
    assert ab["甬"] == ("宁波",)
    assert ab["鲁"] == ("山东",)
    assert ab["蓉"] == ("成都",)
    assert ab["苏"] == ("江苏", "苏州")
    assert {s.kind for s in L.short_names() if s.abbr == "苏"} == {"ambiguous"}
    assert {s.kind for s in L.short_names() if s.abbr == "京"} == {"province"}


def test_every_province_level_unit_has_an_official_abbreviation():
    official = {s.place for s in L.short_names() if s.source.startswith("official province")}
    provinces = {p.label for p in L.places() if p.level == "province"}
    assert official == provinces


def test_short_names_and_region_members_are_known_places():
    labels = ({p.label for p in L.places()} | {r.label for r in L.regions()}
              | {t.label for t in L.vocabulary("countries")})
    assert [s for s in L.short_names() if s.place not in labels] == []
    assert [(r.label, m) for r in L.regions() for m in r.members if m not in labels] == []


def test_regions():
    yrd = L.region("长三角")
    assert {"长江三角洲", "长三角地区"} <= set(yrd.aliases)
    assert L.region("大湾区").label == "粤港澳大湾区"
    assert L.region("粤港澳大湾区").types == ("Region", "Strategy")
    assert L.region("京津冀").members == ("北京", "天津", "河北")
    assert L.region("雄安新区").members == ("保定",)
    kinds = [r.kind for r in L.regions()]
    assert kinds.count("new-area") == 19
    assert kinds.count("city-cluster") == 19
    assert len(L.region("长三角城市群").members) == 26


# --------------------------------------------------------------------------- vocabularies

def test_countries_and_organizations():
    china = next(t for t in L.vocabulary("countries") if t.label == "中国")
    assert china.aliases == ("我国", "中华人民共和国") and china.types == ("Region",)
    eu = next(t for t in L.vocabulary("countries") if t.label == "欧盟")
    assert eu.types == ("Organization", "Region")
    g20 = {t.label for t in L.vocabulary("countries") if "G20" in t.source}
    assert len(g20) == 19
    ndrc = next(t for t in L.vocabulary("organizations") if t.label == "国家发展和改革委员会")
    assert {"国家发展改革委", "国家发改委", "发改委"} <= set(ndrc.aliases)
    assert ndrc.types == ("Organization",)


def test_industries_and_technologies():
    industries = {t.label: t for t in L.vocabulary("industries")}
    assert {"生物医药", "数字经济", "总部经济", "文旅", "低空经济", "制造业", "医药制造业"} <= set(industries)
    assert "医药制造" in industries["医药制造业"].aliases
    gb = [t for t in industries.values() if t.source.startswith("GB/T 4754-2017 国民经济行业分类, 大类")]
    assert len(gb) >= 80
    tech = {t.label: t for t in L.vocabulary("technologies")}
    assert {"5G", "物联网", "区块链", "云计算", "ChatGPT", "人工智能"} <= set(tech)
    assert "AI" in tech["人工智能"].aliases
    assert "超算" in industries and "超算" in tech   # GUIDELINES: Industry alt Technology


def test_strategies():
    strategies = {t.label: t for t in L.vocabulary("strategies")}
    assert "“一带一路”倡议" in strategies["一带一路"].aliases
    assert "新基建" in strategies["新型基础设施建设"].aliases
    assert "“东数西算”工程" in strategies["东数西算"].aliases


def test_heads():
    heads = L.heads()
    assert [len(h.head) for h in heads] == sorted((len(h.head) for h in heads), reverse=True)
    by = {h.head: h for h in heads}
    assert (by["机制"].type, by["城市群"].type, by["纲要"].type, by["大学"].type) == (
        "Mechanism", "Region", "PolicyDocument", "Organization")
    assert by["联席会议"].min_len == 4
    assert {h.type for h in heads} == set(ENTITY_TYPES) - {"City"}


def test_stopwords_are_not_vocabulary_entries():
    stop = {w.word for w in L.stopwords()}
    assert {"城市", "产业", "技术", "机制", "周边城市", "各地", "高质量发展"} <= stop
    assert sorted(stop & set(surface_forms())) == []


def test_ambiguous_places_are_place_forms():
    forms = surface_forms()
    amb = [w.word for w in L.ambiguous_places()]
    assert "朝阳" in amb
    assert [w for w in amb if "places" not in forms.get(w, set())] == []


# --------------------------------------------------------------------------- errors

def test_malformed_row(tmp_path):
    (tmp_path / "demo.tsv").write_text("# demo\nlabel\taliases\tsource\n甲\t\tx\n乙\tb\n", "utf-8")
    with pytest.raises(L.LexiconError) as e:
        L.read_tsv("demo", directory=tmp_path)
    assert str(e.value) == (
        "demo.tsv line 4: expected 3 tab-separated cells (label, aliases, source), got 2: "
        "'乙\\tb'; fix the row so that it has one cell per column (cells may be empty)")


def test_whitespace_in_cell(tmp_path):
    (tmp_path / "demo.tsv").write_text("# demo\nword\treason\n城市 \tgeneric\n", "utf-8")
    with pytest.raises(L.LexiconError) as e:
        L.read_tsv("demo.tsv", directory=tmp_path)
    assert str(e.value) == ("demo.tsv line 3: cell word = '城市 ' has leading or trailing "
                            "whitespace; remove it")


def test_missing_header(tmp_path):
    (tmp_path / "demo.tsv").write_text("# only comments\n", "utf-8")
    with pytest.raises(L.LexiconError) as e:
        L.read_tsv("demo", directory=tmp_path)
    assert str(e.value) == ("demo.tsv: no header row after the # comments; "
                            "add a tab-separated header line")


def test_unknown_lexicon(tmp_path):
    (tmp_path / "a.tsv").write_text("x\n", "utf-8")
    with pytest.raises(L.LexiconError) as e:
        L.read_tsv("b", directory=tmp_path)
    assert str(e.value) == f"lexicon 'b' not found: no file {tmp_path / 'b.tsv'}; use one of a"


def test_duplicate_key_is_reported(tmp_path, monkeypatch):
    (tmp_path / "industries.tsv").write_text(
        "# demo\nlabel\taliases\tsource\n数字经济\t\tx\n总部经济\t数字经济\tx\n", "utf-8")
    monkeypatch.setattr(L, "_default_dir", lambda: tmp_path)
    with pytest.raises(L.LexiconError) as e:
        L.vocabulary.__wrapped__("industries")
    assert str(e.value) == "industries.tsv line 4: '数字经济' repeats line 3; keep one row per key"


def test_bad_type_is_reported(tmp_path, monkeypatch):
    (tmp_path / "countries.tsv").write_text(
        "# demo\nlabel\taliases\ttype\tsource\n欧盟\t\tOrganisation|Region\tx\n", "utf-8")
    monkeypatch.setattr(L, "_default_dir", lambda: tmp_path)
    with pytest.raises(L.LexiconError) as e:
        L.vocabulary.__wrapped__("countries")
    assert str(e.value) == (
        "countries.tsv line 3: type 'Organisation|Region' is not allowed; use one or more of "
        "City, Region, Industry, Technology, Strategy, Mechanism, PolicyDocument, Organization "
        "separated by |")


def test_short_name_kind_must_match_ambiguity(tmp_path, monkeypatch):
    (tmp_path / "short_names.tsv").write_text(
        "# demo\nabbr\tplace\tkind\tsource\n苏\t江苏\tprovince\tx\n苏\t苏州\tcity\tx\n", "utf-8")
    monkeypatch.setattr(L, "_default_dir", lambda: tmp_path)
    with pytest.raises(L.LexiconError) as e:
        L.short_names.__wrapped__()
    assert str(e.value) == (
        "short_names.tsv line 3: abbr '苏' has 2 row(s) but kind 'province'; use kind ambiguous "
        "exactly when a character names several places")


def test_lexicons_doctests():
    assert doctest.testmod(L).failed == 0
