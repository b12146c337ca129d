"""The link checker against a tiny git repository made in a temporary folder."""

import json
import pathlib
import shutil
import subprocess
import sys

import pytest

from loss_casebook.maintain import linkcheck

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="needs git")

BASE = "https://github.com/acme/lib"


def git(repo: pathlib.Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t",
                    *args], check=True, capture_output=True)


@pytest.fixture
def clone(tmp_path: pathlib.Path) -> pathlib.Path:
    """A repository with tag v1.0: pkg/mod.py (3 lines, defines ``helper``)."""
    repo = tmp_path / "lib"
    (repo / "pkg").mkdir(parents=True)
    (repo / "pkg" / "mod.py").write_text("def helper():\n    return 1\n# end\n")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "one")
    git(repo, "tag", "v1.0")
    return repo


def write_notebook(path: pathlib.Path, markdown: str, code: str = "") -> pathlib.Path:
    cells = [{"cell_type": "markdown", "metadata": {}, "source": markdown.splitlines(True)},
             {"cell_type": "code", "metadata": {}, "source": code, "outputs": [],
              "execution_count": None}]
    path.write_text(json.dumps({"cells": cells, "metadata": {}, "nbformat": 4,
                                "nbformat_minor": 5}))
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    status = linkcheck.main(list(argv))
    out, err = capsys.readouterr()
    return status, out, err


def test_good_links_pass(clone, tmp_path, capsys):
    doc = tmp_path / "doc.md"
    doc.write_text(f"See `helper` in [mod]({BASE}/blob/v1.0/pkg/mod.py#L1-L3),\n"
                   f"the [folder]({BASE}/tree/v1.0/pkg) and [line 2]({BASE}/blob/v1.0/pkg/mod.py#L2).\n")
    status, out, err = run(capsys, "--repo", f"acme/lib={clone}", str(doc))
    assert (status, out) == (0, "")
    assert "3 links, 3 checked, 0 broken" in err


@pytest.mark.parametrize("url, reason", [
    (f"{BASE}/blob/v1.0/pkg/gone.py", "pkg/gone.py does not exist in acme/lib at v1.0."),
    (f"{BASE}/blob/v9.9/pkg/mod.py", "no ref at the start of 'v9.9/pkg/mod.py' exists"),
    (f"{BASE}/blob/v1.0/pkg/mod.py#L4", "the anchor asks for lines 4-4 but pkg/mod.py has 3"),
    (f"{BASE}/blob/v1.0/pkg/mod.py#L2-L9", "lines 2-9 but pkg/mod.py has 3 lines at v1.0."),
    (f"{BASE}/tree/v1.0/pkg/mod.py", "pkg/mod.py is a blob, not a tree"),
])
def test_broken_links_fail(clone, tmp_path, capsys, url, reason):
    nb = write_notebook(tmp_path / "ch.ipynb", "Intro.", f"# source: {url}\nx = 1\n")
    status, out, _ = run(capsys, "--repo", f"acme/lib={clone}", str(nb))
    assert status == 1
    assert out.startswith(f"{nb}[1]: {url}: ")
    assert reason in out and len(out.splitlines()) == 1


def test_symbols_warn_then_fail_when_strict(clone, tmp_path, capsys):
    nb = write_notebook(tmp_path / "ch.ipynb",
                        f"- `helper` and `missing_fn` live in [mod]({BASE}/blob/v1.0/pkg/mod.py).\n")
    status, out, _ = run(capsys, "--repo", f"acme/lib={clone}", str(nb))
    assert status == 0 and "warning, `missing_fn` named next to" in out
    assert "`helper`" not in out
    status, out, _ = run(capsys, "--repo", f"acme/lib={clone}", "--symbols", "strict", str(nb))
    assert status == 1 and "error, `missing_fn`" in out


def test_unchecked_repo_fails_only_when_strict(clone, tmp_path, capsys):
    doc = tmp_path / "doc.md"
    doc.write_text("[x](https://github.com/other/repo/blob/v1/a.py)\n")
    status, out, _ = run(capsys, "--repo", f"acme/lib={clone}", str(doc))
    assert status == 0 and "not checked, no clone of other/repo was given." in out
    assert run(capsys, "--strict", str(doc))[0] == 1


def test_missing_clone_is_a_one_sentence_error(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text("nothing\n")
    r = subprocess.run([sys.executable, "-m", "loss_casebook.maintain.linkcheck",
                        "--repo", f"acme/lib={tmp_path / 'nowhere'}", str(doc)],
                       capture_output=True, text=True,
                       cwd=pathlib.Path(__file__).resolve().parents[1])
    assert r.returncode == 2 and r.stdout == ""
    assert r.stderr == (f"linkcheck: error: the clone path {tmp_path / 'nowhere'} given "
                        "for acme/lib does not exist.\n")


@pytest.mark.parametrize("argv", [["--repo", "acme-lib"], ["--symbols", "loud"],
                                  ["/no/such/path"]])
def test_bad_arguments_exit_2(capsys, argv):
    status, out, err = run(capsys, *argv)
    assert status == 2 and out == ""
    assert err.startswith("linkcheck: error: ") and len(err.splitlines()) == 1
    assert "Traceback" not in err


def test_not_a_repository(tmp_path, capsys):
    status, _, err = run(capsys, "--repo", f"acme/lib={tmp_path}", str(tmp_path))
    assert status == 2 and "is not a git repository." in err


def test_trailing_punctuation_is_not_part_of_the_link(clone, tmp_path, capsys):
    doc = tmp_path / "doc.md"
    doc.write_text(f"Read {BASE}/blob/v1.0/pkg/mod.py. Then {BASE}/blob/v1.0/pkg/gone.py.\n")
    status, out, _ = run(capsys, "--repo", f"acme/lib={clone}", str(doc))
    assert status == 1
    assert out == (f"{doc}:1: {BASE}/blob/v1.0/pkg/gone.py: "
                   "pkg/gone.py does not exist in acme/lib at v1.0.\n")


# ---------------------------------------------------------------- the book, offline

def _installed(package: str) -> str:
    import importlib.util

    spec = importlib.util.find_spec(package)
    assert spec is not None and spec.origin, f"{package} is not installed"
    return str(pathlib.Path(spec.origin).parents[1])


def _wheels() -> list[str]:
    """Keras, JAX and TensorFlow files installed here sit at their repositories' paths."""
    import importlib.metadata as md

    keras, jax = md.version("keras"), md.version("jax")
    return ["--dir", f"keras-team/keras@v{keras}={_installed('keras')}",
            "--dir", f"jax-ml/jax@jax-v{jax}={_installed('jax')}",
            "--dir", f"tensorflow/tensorflow@v{md.version('tensorflow')}={_installed('tensorflow')}",
            "--dir", f"tensorflow/tensorflow@v{md.version('tensorflow')}="
                     f"{_installed('tensorflow')}/tensorflow/include"]


def test_the_books_links_into_installed_packages_resolve(capsys):
    """Every link to Keras, JAX or TensorFlow at the pinned version names a real file.

    tf-keras's wheel moves its files under src/ and old Keras releases are not
    installed: those links are checked with --repo against clones (README).
    """
    code = linkcheck.main(_wheels())
    out = capsys.readouterr().out
    assert code == 0, "\n".join(line for line in out.splitlines() if "not checked" not in line)


def test_a_broken_link_in_a_chapter_fails_the_offline_check(tmp_path, capsys):
    page = tmp_path / "page.md"
    page.write_text("- [losses](https://github.com/keras-team/keras/blob/v3.15.1/"
                    "keras/src/losses/no_such_file.py): `binary_crossentropy`\n")
    assert linkcheck.main([*_wheels(), str(page)]) == 1
    assert "no_such_file.py does not exist" in capsys.readouterr().out
