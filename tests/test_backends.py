"""The package on every Keras 3 backend, and the runner that gets it there.

Each backend runs in a child process (Keras fixes its backend at import). A
backend that is not installed is skipped here with the command that installs
it, except in CI (``CI=true``), where every backend must be present.
"""

import subprocess

import pytest
from conftest import in_ci, need

from loss_casebook import backends
from loss_casebook.backends import pool, runner

IN_CI = in_ci()


def _need(backend):
    need(backends.is_installed(backend),
         f"{backend} is not installed; add it with: {backends.INSTALL[backend]}")


def test_every_backend_is_installed_in_ci():
    missing = [b for b, ok in backends.installed().items() if not ok]
    if not IN_CI:
        pytest.skip("only enforced in CI (CI=true); missing here: "
                    f"{missing or 'none'}; add with: pip install -r requirements-backends.txt")
    assert not missing, f"not installed: {missing}; {backends.INSTALL[missing[0]]}"


@pytest.fixture(scope="module")
def package_results():
    found = {b: backends.run("package", b) for b in backends.BACKENDS}
    return {b: r for b, r in found.items() if r.ok}


@pytest.mark.parametrize("backend", backends.BACKENDS)
def test_package_helpers_work_on_backend(backend, package_results):
    _need(backend)
    facts = package_results[backend]["package"]
    assert facts["backend"] == backend
    for name, value in facts.items():
        if isinstance(value, bool):
            assert value, f"{name} is False on {backend}"


@pytest.mark.parametrize("backend", backends.BACKENDS)
def test_nan_hunter_reports_a_nan_loss_or_torchs_error_as_one_event(backend, package_results):
    _need(backend)
    facts = package_results[backend]["package"]
    if backend == "torch":
        assert facts["hunter error"] == (
            "RuntimeError: all elements of input should be between 0 and 1")
        assert "broke at epoch 0, batch 1 with RuntimeError" in facts["hunter summary"]
    else:
        assert facts["hunter error"] is None
        assert "non-finite at epoch 0, batch 1" in facts["hunter summary"]


def test_installed_names_every_backend():
    found = backends.installed()
    assert list(found) == list(backends.BACKENDS)
    assert all(isinstance(v, bool) for v in found.values())


def test_a_missing_backend_is_reported_not_raised(monkeypatch):
    monkeypatch.setitem(backends.MODULES, "torch", ("no_such_module_for_this_test",))
    result = backends.run("case2", "torch")
    assert result.status == "not installed" and not result.ok and result.seconds == 0
    assert result.install == "pip install -r requirements-backends.txt"
    with pytest.raises(KeyError, match="requirements-backends.txt"):
        result["case2"]


def test_require_all_fails_only_in_ci(monkeypatch):
    # whatever this machine has: tensorflow and torch "present", jax missing
    monkeypatch.setitem(backends.MODULES, "tensorflow", ("json",))
    monkeypatch.setitem(backends.MODULES, "torch", ("json",))
    monkeypatch.setitem(backends.MODULES, "jax", ("no_such_module_for_this_test",))
    assert backends.require_all(ci=False) == ["jax"]
    with pytest.raises(backends.BackendError, match="jax is not installed: pip install"):
        backends.require_all(ci=True)


@pytest.mark.parametrize("args, word", [
    (("case2", "theano"), "backend must be one of"),
    (("no-such-case", "jax"), "unknown experiment"),
    (([], "jax"), "at least one"),
])
def test_run_rejects_bad_arguments(args, word):
    with pytest.raises(ValueError, match=word):
        backends.run(*args)


def test_run_rejects_bad_timeout_and_params():
    with pytest.raises(ValueError, match="timeout"):
        backends.run("case2", "jax", timeout=0)
    with pytest.raises(ValueError, match="not run"):
        backends.run("case2", "jax", params={"case1": {}})


def test_a_timeout_is_one_sentence(monkeypatch):
    def slow(*args, **kwargs):
        raise subprocess.TimeoutExpired(args[0], kwargs["timeout"])

    monkeypatch.delenv(pool.ENV, raising=False)  # a fresh interpreter, not a warm worker
    monkeypatch.setattr(runner.subprocess, "run", slow)
    with pytest.raises(backends.BackendError, match=r"case2 on tensorflow did not finish "
                                                      r"within 5 s\.$"):
        backends.run("case2", "tensorflow", timeout=5)


def test_an_error_in_the_child_is_one_sentence():
    _need("tensorflow")
    with pytest.raises(backends.BackendError,
                       match="package on tensorflow raised TypeError: .*unexpected keyword"):
        backends.run("package", "tensorflow", params={"package": {"bogus": 1}})


def test_the_child_sees_its_backend_and_the_default_switches(monkeypatch):
    monkeypatch.delenv("TF_ENABLE_ONEDNN_OPTS", raising=False)
    env = runner._child_env("jax")
    assert env["KERAS_BACKEND"] == "jax" and env["TF_ENABLE_ONEDNN_OPTS"] == "0"
    monkeypatch.setenv("TF_ENABLE_ONEDNN_OPTS", "1")
    assert runner._child_env("torch")["TF_ENABLE_ONEDNN_OPTS"] == "1"


def test_table_aligns_rows_and_leaves_missing_cells_empty():
    text = backends.table({"tensorflow": {"a": 0.12345, "b": True},
                           "torch": {"b": "not installed"}})
    lines = text.splitlines()
    assert lines[0].split() == ["a", "b"] and set(lines[1]) <= {"-", " "}
    assert lines[2].split() == ["tensorflow", "0.123", "True"]
    assert lines[3].split() == ["torch", "not", "installed"]
    with pytest.raises(ValueError, match="empty"):
        backends.table({})


def _recording_run(monkeypatch, fail=()):
    """Replace run() by a stand-in that records how many ran at once."""
    import threading
    import time

    state = {"now": 0, "most": 0, "order": []}
    lock = threading.Lock()

    def fake(experiments, backend, **kwargs):
        with lock:
            state["now"] += 1
            state["most"] = max(state["most"], state["now"])
        time.sleep(0.3)
        with lock:
            state["now"] -= 1
            state["order"].append(backend)
        if backend in fail:
            raise backends.BackendError(f"{backend} failed")
        return runner.Result(backend, "ok", {}, 0.3, "")

    monkeypatch.setattr(runner, "run", fake)
    return state


def test_compare_runs_the_backends_at_once_and_answers_in_their_order(monkeypatch):
    state = _recording_run(monkeypatch)
    results = backends.compare("case2", ["torch", "tensorflow", "jax"])
    assert list(results) == ["torch", "tensorflow", "jax"] and state["most"] == 3
    state = _recording_run(monkeypatch)
    backends.compare("case2", parallel=False)
    assert state["most"] == 1 and state["order"] == list(backends.BACKENDS)


def test_compare_raises_the_first_backends_error_after_all_finished(monkeypatch):
    state = _recording_run(monkeypatch, fail=("jax", "torch"))
    with pytest.raises(backends.BackendError, match="^jax failed$"):
        backends.compare("case2")
    assert sorted(state["order"]) == sorted(backends.BACKENDS)


def test_compare_checks_its_arguments_before_starting_anything(monkeypatch):
    state = _recording_run(monkeypatch)
    with pytest.raises(ValueError, match="backend must be one of"):
        backends.compare("case2", ["tensorflow", "tf"])
    with pytest.raises(ValueError, match="unknown experiment"):
        backends.compare("nope")
    assert state["order"] == []
