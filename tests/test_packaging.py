"""The wheel installs build/ graph/ ontology/ as policykg.* and nothing at top level.

The wheel is built from a copy of the source tree (the working tree stays clean), with
the working directory outside the project: ``python -m build`` run from the project
root would import our ``build/`` package instead of PyPA's ``build``.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("build", "graph", "ontology")
# Data files the wheel must carry (pyproject's [tool.setuptools.package-data]).
DATA = {"ontology": ("*.ttl", "lexicons/*.tsv", "queries/*.rq"),
        "graph": ("templates/*.html", "static/*.js", "static/*.css")}
IGNORE = shutil.ignore_patterns(".git", ".venv", "out", "dist", "*.egg-info", ".setuptools-build",
                                "__pycache__", ".pytest_cache", "*.pyc")

pytestmark = pytest.mark.slow


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env["PYTHONSAFEPATH"] = "1"     # never put the cwd on sys.path
    return env


def _has_pypa_build(cwd: Path) -> bool:
    probe = subprocess.run(
        [sys.executable, "-P", "-c", "import build, sys; sys.exit(not hasattr(build, 'ProjectBuilder'))"],
        cwd=cwd, env=_clean_env(), capture_output=True)
    return probe.returncode == 0


def _listing(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if "__pycache__" not in p.parts}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    shutil.copytree(ROOT, src, ignore=IGNORE)
    before = _listing(src / "build")
    out = work / "dist"
    if _has_pypa_build(work):
        cmd = [sys.executable, "-P", "-m", "build", "--wheel", "--outdir", str(out), str(src)]
    else:
        cmd = [sys.executable, "-P", "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(src)]
    run = subprocess.run(cmd, cwd=work, env=_clean_env(), capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, f"{' '.join(cmd)} failed:\n{run.stdout[-3000:]}\n{run.stderr[-3000:]}"
    wheels = sorted(out.glob("policykg-*.whl"))
    assert len(wheels) == 1, f"expected one policykg wheel in {out}, found {wheels}"
    with zipfile.ZipFile(wheels[0]) as zf:
        names = set(zf.namelist())
        dist_info = next(n.split("/")[0] for n in names if n.endswith(".dist-info/METADATA"))
        meta = {f: zf.read(f"{dist_info}/{f}").decode("utf-8")
                for f in ("entry_points.txt", "top_level.txt", "METADATA")}
    return {"src": src, "names": names, "meta": meta, "dist_info": dist_info,
            "build_before": before, "build_after": _listing(src / "build")}


def test_every_module_is_packaged_under_policykg(built):
    src, names = built["src"], built["names"]
    assert "policykg/build/__init__.py" in names
    if (src / "build" / "reader.py").exists():
        assert "policykg/build/reader.py" in names
    expected = {f"policykg/{pkg}/{p.relative_to(src / pkg).as_posix()}"
                for pkg in PACKAGES for p in (src / pkg).rglob("*.py")
                if "__pycache__" not in p.parts}
    assert len(expected) >= 6
    assert sorted(expected - names) == []


def test_ontology_and_view_data_files_are_packaged(built):
    src, names = built["src"], built["names"]
    expected = {f"policykg/{pkg}/{p.relative_to(src / pkg).as_posix()}"
                for pkg, patterns in DATA.items() for pat in patterns for p in (src / pkg).glob(pat)}
    assert "policykg/ontology/policykg.ttl" in expected
    assert any(e.startswith("policykg/ontology/lexicons/") and e.endswith(".tsv") for e in expected)
    assert sorted(expected - names) == []


def test_nothing_installs_at_top_level(built):
    tops = {n.split("/")[0] for n in built["names"]}
    assert tops == {"policykg", built["dist_info"]}
    assert built["meta"]["top_level.txt"].split() == ["policykg"]
    assert re.search(r"^Name: policykg$", built["meta"]["METADATA"], re.M)


def test_console_script_entry_point(built):
    lines = [ln.strip() for ln in built["meta"]["entry_points.txt"].splitlines()]
    section = lines[lines.index("[console_scripts]") + 1:]
    assert "policykg = policykg.build.cli:main" in section


def test_no_scratch_dirs_inside_the_build_package(built):
    src = built["src"]
    # setup.cfg moves setuptools' build_base to .setuptools-build; the default ./build
    # would drop lib/ and bdist.*/ into our source package.
    assert not (src / "build" / "lib").exists()
    assert not list((src / "build").glob("bdist*"))
    assert not (src / "build" / ".setuptools-build").exists()
    assert built["build_after"] == built["build_before"]


def test_gitignore_does_not_hide_the_build_package():
    lines = (ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    hiding = [ln for ln in lines
              if re.fullmatch(r"(\*\*/)?/?build/?(\*\*?)?", ln.strip())]
    assert hiding == []
