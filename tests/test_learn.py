"""The learned model beside the rules (issue 14): loading it, its errors, what the build
does with it, and that `policykg train` reproduces the shipped model byte for byte."""
from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from policykg.build.cli import app
from policykg.build.extract import Extractor, ExtractorConfig, extractor_version
from policykg.build.learn import (
    FEATURE_VERSION, MODEL_FORMAT, RELATION_RULE, ModelError, default_model_path,
    parse_model, read_model, to_model_bytes,
)
from policykg.build.reader import iter_corpus

ROOT = Path(__file__).resolve().parent.parent
GOLD = ROOT / "tests" / "data" / "gold"
SAMPLE = ROOT / "corpus" / "sample"
RETRAIN = "run `policykg train tests/data/gold corpus/` to rebuild it"

runner = CliRunner()


def run(*args: object):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture(scope="module")
def model():
    return read_model()


@pytest.fixture(scope="module")
def dev_article():
    return next(a for a in iter_corpus([ROOT / "corpus" / "dev"])
                if a.source.endswith("15_hubei_gov2026_wuhan_circle.txt"))


def test_shipped_model_is_small_and_says_where_it_came_from(model):
    path = default_model_path()
    assert path.stat().st_size <= 20 * 1024 * 1024
    prov = model.provenance
    assert prov["seed"] == 14 and prov["features"] == FEATURE_VERSION
    assert sorted(prov["gold"]) == sorted(p.name for p in GOLD.rglob("*.yaml"))
    import hashlib
    for p in GOLD.rglob("*.yaml"):
        assert prov["gold"][p.name] == hashlib.sha256(p.read_bytes()).hexdigest(), p.name
    # what was read is what would be written
    assert to_model_bytes(model) == path.read_bytes()


def test_missing_model_names_the_file_and_how_to_retrain(tmp_path):
    missing = tmp_path / "none.json"
    with pytest.raises(ModelError) as exc:
        Extractor(ExtractorConfig(model_path=str(missing)))
    assert str(exc.value) == f"{missing}: no model file here; {RETRAIN}"


def test_corrupt_model_names_the_file(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b"\x89PNG\r\n")
    with pytest.raises(ModelError) as exc:
        read_model(bad)
    assert str(exc.value) == f"{bad}: not a policykg model file (not UTF-8 text); {RETRAIN}"
    doc = json.loads(default_model_path().read_bytes())
    doc["crf"] = "bm90IGEgY3JmIG1vZGVs"      # base64 of text that is no CRF model
    with pytest.raises(ModelError) as exc:
        parse_model(json.dumps(doc).encode(), source="m.json")
    assert str(exc.value).startswith("m.json: corrupt model file (")
    assert str(exc.value).endswith(f"); {RETRAIN}")


def test_model_of_other_features_is_refused():
    doc = json.loads(default_model_path().read_bytes())
    doc["features"] = "0"
    with pytest.raises(ModelError) as exc:
        parse_model(json.dumps(doc).encode(), source="old.json")
    assert str(exc.value) == (f"old.json: model format {MODEL_FORMAT} with features '0', but this "
                              f"policykg reads format {MODEL_FORMAT} with features "
                              f"{FEATURE_VERSION!r}; {RETRAIN}")


def test_build_with_a_broken_model_stops_with_the_message_not_a_traceback(tmp_path):
    bad = tmp_path / "m.json"
    bad.write_text("{", encoding="utf-8")
    res = run("build", SAMPLE, "--out", tmp_path / "out", "--quiet", "--no-views", "--model", bad)
    assert res.exit_code == 2
    assert "Traceback" not in res.output
    assert flat(res.stderr) == flat(f"error: {bad}: not a policykg model file (invalid JSON at line 1, "
                                    f"column 2); {RETRAIN}")
    assert not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def eager(model):
    """The shipped model with low thresholds: the merge paths run whatever the shipped
    thresholds are (they may keep nothing when no threshold passed the inner folds)."""
    return replace(model, entity_threshold=0.5, relation_threshold=0.3)


def test_learned_assertions_name_the_model_and_carry_its_probability(eager, dev_article):
    g = Extractor(model=eager).extract(dev_article)
    learned = [e for r in g.relations for e in r.evidence if e.rule.startswith(RELATION_RULE)]
    assert learned, "the model adds no relation to the 湖北 work report"
    assert {e.rule for e in learned} == {f"{RELATION_RULE}.{eager.digest[:12]}"}
    assert all(0.3 <= e.confidence <= 1 for e in learned)
    rules = Extractor(ExtractorConfig(rules_only=True)).extract(dev_article)
    assert not [e for r in rules.relations for e in r.evidence if e.rule.startswith("model.")]


def test_min_confidence_applies_to_learned_relations(eager, dev_article):
    g = Extractor(model=eager).extract(dev_article)
    probs = sorted(e.confidence for r in g.relations for e in r.evidence
                   if e.rule.startswith(RELATION_RULE))
    cut = probs[len(probs) // 2]
    high = Extractor(ExtractorConfig(min_confidence=cut), model=eager).extract(dev_article)
    kept = [e.confidence for r in high.relations for e in r.evidence if e.rule.startswith(RELATION_RULE)]
    assert kept and min(kept) >= cut and len(kept) < len(probs)


def test_learned_spans_add_entities_beside_the_rule_mentions(eager, dev_article):
    g = Extractor(model=eager).extract(dev_article)
    rules = Extractor(ExtractorConfig(rules_only=True)).extract(dev_article)
    assert {e.label for e in rules.entities} < {e.label for e in g.entities}


def test_the_build_version_changes_with_the_model(model):
    assert Extractor().version == extractor_version(model=model.digest)
    assert Extractor(ExtractorConfig(rules_only=True)).version == extractor_version()
    assert extractor_version(model=model.digest) != extractor_version()


@pytest.mark.slow
def test_train_reproduces_the_shipped_model_byte_for_byte(tmp_path):
    """`policykg train` as a user runs it: a fresh process (in this one, earlier tests
    have left state behind that changed one weight's last digit in a CI run)."""
    out = tmp_path / "learned.json"
    res = subprocess.run([sys.executable, "-m", "policykg.build.cli", "train", str(GOLD),
                          str(ROOT / "corpus"), "--out", str(out)],
                         capture_output=True, text=True, cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert out.read_bytes() == default_model_path().read_bytes()


def test_train_names_a_missing_folder(tmp_path):
    res = run("train", tmp_path / "nope", ROOT / "corpus", "--out", tmp_path / "m.json")
    assert res.exit_code == 2
    assert flat(res.stderr) == flat(f"error: {tmp_path / 'nope'}: no such folder; pass the gold "
                                    "folder and the corpus folder")
