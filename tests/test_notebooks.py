"""The notebooks in notebooks/: committed without outputs, and they run top to bottom.

Each notebook is executed with nbclient (kernel ``python3``, 120 s per cell) with the
notebooks folder as working directory, and builds into a temporary folder
(``POLICYKG_NOTEBOOK_OUT``). Cells that state a fact about the sample assert it, so
an extraction regression fails here. Runtime: ~25 s for the three notebooks.
"""
from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
CELL_TIMEOUT = 120
KERNEL = "python3"


def test_the_three_notebooks_are_there():
    assert [p.name for p in NOTEBOOKS][:3] == [
        "01_build_and_query.ipynb", "02_network_analysis.ipynb", "03_views.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs(path: Path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata.get("kernelspec", {}).get("name") == KERNEL, (
        f"{path.name}: kernelspec must be {KERNEL!r} (the kernel CI runs)")
    dirty = [i for i, cell in enumerate(nb.cells, 1) if cell.cell_type == "code"
             and (cell.get("outputs") or cell.get("execution_count") is not None)]
    assert dirty == [], (
        f"{path.name}: cells {dirty} have outputs or execution counts; clear them before "
        "committing (Jupyter: Edit → Clear All Outputs, or "
        "`jupyter nbconvert --clear-output --inplace notebooks/*.ipynb`)")


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_top_to_bottom(path: Path, tmp_path, monkeypatch):
    monkeypatch.setenv("POLICYKG_NOTEBOOK_OUT", str(tmp_path))  # the kernel inherits it
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, timeout=CELL_TIMEOUT, kernel_name=KERNEL,
                            resources={"metadata": {"path": str(NOTEBOOK_DIR)}})
    client.execute()  # raises CellExecutionError (cell source + traceback) on any error
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert errors == []
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code")
    assert any((tmp_path / path.stem).iterdir()), "the notebook built into POLICYKG_NOTEBOOK_OUT"
