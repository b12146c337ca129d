import os
import subprocess
import sys

import pytest

from loss_casebook import repro


@pytest.mark.parametrize("seed", [-1, 1.5, True, "1"])
def test_seed_everything_rejects_bad_seeds(seed):
    with pytest.raises(ValueError, match="non-negative integer"):
        repro.seed_everything(seed)


def test_seed_everything_makes_runs_repeatable_and_quiet():
    code = (
        "from loss_casebook.repro import seed_everything\n"
        "seed_everything(3)\n"
        "import numpy as np, tensorflow as tf\n"
        "print(np.random.rand(), float(tf.random.uniform(())))\n"
    )
    runs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
            for _ in range(2)]
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout
    assert "cuda" not in runs[0].stderr.lower()


def test_training_seed_adds_the_offset_from_the_environment(monkeypatch):
    monkeypatch.delenv(repro.SEED_OFFSET_ENV, raising=False)
    assert repro.training_seed(3) == 3
    monkeypatch.setenv(repro.SEED_OFFSET_ENV, " 2 ")
    assert repro.training_seed(3) == 5
    monkeypatch.setenv(repro.SEED_OFFSET_ENV, "")
    assert repro.training_seed(0) == 0


@pytest.mark.parametrize("raw", ["-1", "1.5", "one", "0x1"])
def test_a_bad_offset_is_named_in_one_sentence(monkeypatch, raw):
    monkeypatch.setenv(repro.SEED_OFFSET_ENV, raw)
    with pytest.raises(ValueError, match=f"^{repro.SEED_OFFSET_ENV} must be a non-negative "):
        repro.training_seed(0)
    with pytest.raises(ValueError, match=repro.SEED_OFFSET_ENV):
        repro.seed_everything(0)


def test_the_offset_shifts_what_seed_everything_seeds():
    code = ("import sys\n"
            "from loss_casebook.repro import seed_everything\n"
            "seed_everything(int(sys.argv[1]))\n"
            "import numpy as np, tensorflow as tf\n"
            "print(np.random.rand(), float(tf.random.uniform(())))\n")
    env = {k: v for k, v in os.environ.items() if k != repro.SEED_OFFSET_ENV}

    def draw(seed, offset=None):
        extra = {} if offset is None else {repro.SEED_OFFSET_ENV: offset}
        run = subprocess.run([sys.executable, "-c", code, str(seed)], capture_output=True,
                             text=True, env={**env, **extra})
        assert run.returncode == 0, run.stderr[-2000:]
        return run.stdout

    assert draw(3, "1") == draw(4) != draw(3)


def test_every_experiment_seeds_training_through_the_offset():
    import pathlib
    import re

    folder = pathlib.Path(repro.__file__).parent / "backends" / "experiments"
    calls = [(p.name, m.group(1)) for p in sorted(folder.glob("*.py"))
             for m in re.finditer(r"set_random_seed\((.*)\)", p.read_text())]
    assert calls, "no experiment seeds Keras any more: update this test"
    assert all(arg.startswith("training_seed(") for _, arg in calls), calls


def test_seed_everything_finds_the_devices_quietly():
    """The cuInit failure of a machine without a GPU is not printed, whatever the log level."""
    code = ("from loss_casebook.repro import seed_everything\n"
            "seed_everything(0)\n"
            "import tensorflow as tf\n"
            "print(len(tf.config.list_physical_devices('CPU')))\n")
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "0"}
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    assert run.returncode == 0 and run.stdout.strip() == "1", run.stderr
    assert "cuinit" not in run.stderr.lower()


def test_versions_reports_what_the_book_needs():
    info = repro.versions()
    assert {"tensorflow", "keras 3", "tf-keras", "tf.keras is", "device"} <= set(info)


def test_sphinx_extension_drops_repeated_scripts():
    from sphinx.builders.html._assets import _JavaScript

    from loss_casebook.maintain.sphinxext import dedupe_scripts

    scripts = [_JavaScript(None, body="const A = 1"), _JavaScript("x.js"),
               _JavaScript("", body="const A = 1"), _JavaScript("x.js"), _JavaScript("y.js")]
    kept = dedupe_scripts(scripts)
    assert [(s.filename or "", s.attributes.get("body", "")) for s in kept] == [
        ("", "const A = 1"), ("x.js", ""), ("y.js", "")]
