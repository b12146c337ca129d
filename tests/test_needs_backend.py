"""The ``needs-<backend>`` cell tag (``loss_casebook.maintain.needs``), run on a
made-up notebook under nbval with PyTorch hidden as on the default install
(``tests/hide_modules/sitecustomize.py``, which every process started with it
on ``PYTHONPATH`` runs: pytest, the kernel and the backend processes)."""

import importlib.util
import os
import pathlib
import subprocess
import sys

import nbformat
import pytest

from conftest import need

HIDE = pathlib.Path(__file__).parent / "hide_modules"

PROBE = ('import importlib.util\n'
         'seen = importlib.util.find_spec("torch") is not None\n'
         'print("torch" if seen else "no torch")')


def notebook(folder: pathlib.Path, tag: str = "needs-torch") -> pathlib.Path:
    """A cell that prints what only an install with PyTorch prints (stored
    as it does), then a cell that uses what the first defined."""
    first = nbformat.v4.new_code_cell(PROBE, metadata={"tags": [tag]}, execution_count=1)
    first.outputs = [nbformat.v4.new_output("stream", name="stdout", text="torch\n")]
    second = nbformat.v4.new_code_cell("print(type(seen).__name__)", execution_count=2)
    second.outputs = [nbformat.v4.new_output("stream", name="stdout", text="bool\n")]
    nb = nbformat.v4.new_notebook(cells=[first, second])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    path = folder / "chapter.ipynb"
    nbformat.write(nb, path)
    (folder / "pytest.ini").write_text("[pytest]\n")  # none of the book's addopts
    return path


def nbval(path: pathlib.Path, *, hide: bool, ci: bool, plugin: bool = True):
    env = {k: v for k, v in os.environ.items() if k not in ("CI", "LOSS_CASEBOOK_HIDE")}
    if hide:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(HIDE), env.get("PYTHONPATH")]))
        env["LOSS_CASEBOOK_HIDE"] = "torch"
    if ci:
        env["CI"] = "true"
    args = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:xdist",
            "--nbval", "-rsf", "--rootdir", str(path.parent), str(path)]
    if plugin:
        args[3:3] = ["-p", "loss_casebook.maintain.needs"]
    return subprocess.run(args, cwd=path.parent, env=env, capture_output=True,
                          text=True, timeout=300)


def test_hiding_torch_hides_it_from_the_kernel_too(tmp_path):
    """Without the plugin, the hidden PyTorch makes the stored output differ:
    the simulation reaches the kernel, and nbval compares the tagged cell."""
    proc = nbval(notebook(tmp_path), hide=True, ci=False, plugin=False)
    assert proc.returncode == 1, proc.stdout
    assert "1 failed, 1 passed" in proc.stdout, proc.stdout
    assert "no torch" in proc.stdout, proc.stdout


def test_without_torch_the_tagged_cell_runs_and_skips_with_its_reason(tmp_path):
    proc = nbval(notebook(tmp_path), hide=True, ci=False)
    assert proc.returncode == 0, proc.stdout
    assert "1 passed, 1 skipped" in proc.stdout, proc.stdout  # the next cell saw `seen`
    assert ("this cell compares torch output, and torch is not installed "
            "(pip install -r requirements-backends.txt)") in proc.stdout, proc.stdout


def test_in_ci_a_missing_torch_fails_the_tagged_cell(tmp_path):
    proc = nbval(notebook(tmp_path), hide=True, ci=True)
    assert proc.returncode == 1, proc.stdout
    assert "1 failed, 1 passed" in proc.stdout, proc.stdout
    assert "missing in CI: this cell compares torch output" in proc.stdout, proc.stdout


def test_with_torch_the_tagged_cell_is_compared(tmp_path):
    need(importlib.util.find_spec("torch") is not None,
         "PyTorch not installed (pip install -r requirements-backends.txt)")
    path = notebook(tmp_path)
    assert nbval(path, hide=False, ci=True).returncode == 0
    nb = nbformat.read(path, as_version=4)
    nb.cells[0].outputs[0].text = "something else\n"
    nbformat.write(nb, path)
    proc = nbval(path, hide=False, ci=False)
    assert proc.returncode == 1 and "1 failed, 1 passed" in proc.stdout, proc.stdout


def test_a_tag_that_names_no_backend_is_a_usage_error(tmp_path):
    proc = nbval(notebook(tmp_path, tag="needs-pytorch"), hide=False, ci=False)
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert "tag needs-pytorch names no backend; the backends are tensorflow, jax, torch" in (
        proc.stdout + proc.stderr)


@pytest.mark.parametrize("name", ["torch", "torch.nn"])
def test_the_hidden_module_cannot_be_found_or_imported(name):
    env = dict(os.environ, PYTHONPATH=str(HIDE), LOSS_CASEBOOK_HIDE="torch")
    code = ("import importlib.util, importlib.metadata as m, sys\n"
            f"assert importlib.util.find_spec({name.split('.')[0]!r}) is None\n"
            "assert importlib.util.find_spec('json') is not None\n"
            "try:\n"
            f"    __import__({name!r})\n"
            "except ModuleNotFoundError as e:\n"
            "    print(e)\n"
            "try:\n"
            "    m.version('torch')\n"
            "except m.PackageNotFoundError:\n"
            "    print('no distribution')\n")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["No module named 'torch'", "no distribution"]
