"""The package's layout: parts by audience, light imports, no cycles, no long modules."""

import ast
import json
import pathlib
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "loss_casebook"
MODULES = sorted(
    ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
    for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts
)
HEAVY = ("tensorflow", "keras", "jax", "torch", "tf_keras")


def test_every_part_of_the_package_is_found():
    for part in ("loss_casebook.classroom.checkers.case1", "loss_casebook.classroom.grade",
                 "loss_casebook.maintain.bench", "loss_casebook.backends.experiments.case2"):
        assert part in MODULES


def test_importing_the_package_and_its_parts_never_imports_tensorflow():
    """The "as asked" chapters set TF_USE_LEGACY_KERAS before TensorFlow's first import."""
    light = [m for m in MODULES if m.split(".")[-1] not in
             ("callbacks", "losses", "ops", "symptoms", "nanhunter", "__main__")]
    code = ("import importlib, json, sys\n"
            f"for m in {light!r}: importlib.import_module(m)\n"
            f"print(json.dumps(sorted(h for h in {HEAVY!r} if h in sys.modules)))")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout) == []


def _imports(path: pathlib.Path, name: str) -> set[str]:
    """Package modules that ``name`` imports at module level (not inside functions)."""
    tree = ast.parse(path.read_text())
    found = set()
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            base = node.module
            for alias in node.names:
                full = f"{base}.{alias.name}"
                found.add(full if full in MODULES else base)
        elif isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
    return {m for m in found if m in MODULES and m != name}


def test_module_level_imports_are_acyclic():
    graph = {}
    for p in PACKAGE.rglob("*.py"):
        name = ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        graph[name] = _imports(p, name)
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == 1:
            pytest.fail(f"import cycle: {' -> '.join(path + [node])}")
        if state.get(node) == 2:
            return
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            visit(dep, path + [node])
        state[node] = 2

    for node in sorted(graph):
        visit(node, [])


def test_no_module_is_longer_than_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in PACKAGE.rglob("*.py")
            if (n := len(p.read_text().splitlines())) > 400}
    assert long == {}


def test_commands_run_under_their_new_names(tmp_path):
    for module in ("loss_casebook.classroom.student", "loss_casebook.classroom.grade",
                   "loss_casebook.maintain.bench"):
        run = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True,
                             text=True, cwd=tmp_path)
        assert run.returncode == 0, (module, run.stderr)
        assert f"python -m {module}" in run.stdout


def test_the_wheel_holds_every_subpackage():
    """A reader's `pip install loss_casebook-*.whl` must bring classroom/, maintain/, ..."""
    import tomllib

    from setuptools import find_packages

    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    include = config["tool"]["setuptools"]["packages"]["find"]["include"]
    packaged = set(find_packages(str(ROOT), include=include))
    packages = {".".join(p.parent.relative_to(ROOT).parts) for p in PACKAGE.rglob("__init__.py")}
    assert packages and packages <= packaged


@pytest.mark.parametrize("old,new", [("checks", "check.targets"), ("logits", "check.logits"),
                                     ("callbacks", "watch.nanhunter"),
                                     ("nanbirth", "watch.nanbirth"),
                                     ("errorindex", "explain.index")])
def test_an_old_module_name_is_the_moved_module(old, new):
    """Code written against the old flat layout keeps working, patches included."""
    import importlib

    assert (importlib.import_module(f"loss_casebook.{old}")
            is importlib.import_module(f"loss_casebook.{new}"))


def test_the_reader_tools_are_named_by_their_package():
    from loss_casebook import check, watch
    from loss_casebook.watch.nanhunter import NaNHunter
    from loss_casebook.watch.symptoms import SymptomWatch

    assert check.check_targets.__module__ == "loss_casebook.check.targets"
    assert watch.SymptomWatch is SymptomWatch and watch.NaNHunter is NaNHunter
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        watch.nothing  # noqa: B018
