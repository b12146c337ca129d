"""python -m loss_casebook.explain: pasted text in, the book's entries out."""

from __future__ import annotations

import subprocess
import sys

import pytest

from loss_casebook import errorindex, explain

ENTRIES = errorindex.load()
PATTERNS = [(e.id, p) for e in ENTRIES for p in e.patterns]
#: How readers paste a message: as printed, without its class, without
#: quotes, with other numbers, inside a long traceback line.
REWRITES = {
    "as is": lambda p: p,
    "no class": lambda p: p.split(": ", 1)[1] if p.split(": ", 1)[0].endswith(
        ("Error", "Warning")) else p,
    "no quotes": lambda p: p.replace("'", "").replace('"', "").replace("`", ""),
    "other numbers": lambda p: "".join("7" if c.isdigit() else c for c in p),
    "in a traceback": lambda p: (
        'Traceback (most recent call last):\n  File "/home/me/train.py", line 41, '
        'in <module>\n    model.fit(x, y, callbacks=[ckpt])\n' + p + "\n"),
}
UNRELATED = [
    "Epoch 1/10\n32/32 - 1s - loss: 0.6931 - accuracy: 0.5000 - val_loss: 0.6900",
    "ModuleNotFoundError: No module named 'tensorflow_addons'",
    "ValueError: Shapes (None, 10) and (None, 1) are incompatible",
    "RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB",
    "OSError: [Errno 2] No such file or directory: 'model.h5'",
    "hello, world",
]


def variants():
    return [(eid, how, rewrite(p)) for eid, p in PATTERNS for how, rewrite in REWRITES.items()]


def test_every_pattern_has_enough_words_to_match():
    short = [(eid, p) for eid, p in PATTERNS if len(explain.tokens(p)) < 2]
    assert short == []


@pytest.mark.parametrize("eid,how,text", variants(),
                         ids=[f"{i}-{h}-{n}" for n, (i, h, _) in enumerate(variants())])
def test_each_variant_finds_its_entry_first(eid, how, text):
    found = explain.match(text, ENTRIES)
    assert found and found[0].entry.id == eid, [m.entry.id for m in found]


@pytest.mark.parametrize("text", UNRELATED)
def test_unrelated_logs_find_nothing(text):
    assert explain.match(text, ENTRIES) == []


def test_tokens_drop_classes_quotes_and_numbers():
    assert explain.tokens("ValueError: Unknown loss function: 'x_1' at -0.5e-3, 12") == [
        "unknown", "loss", "function", "x_1", "at", "-#", "#"]


def test_several_causes_are_printed_with_their_sections():
    out = explain.explain("Can save best model only with val_loss available.", ENTRIES)
    for c in next(e for e in ENTRIES if e.id == "checkpoint-metric-missing").causes:
        assert c.html in out and c.section in out


def _cli(*args, stdin=""):
    return subprocess.run([sys.executable, "-m", "loss_casebook.explain", *args],
                          input=stdin, capture_output=True, text=True)


def test_cli_reads_stdin_and_exits_0_when_found():
    run = _cli(stdin="RuntimeError: all elements of target should be between 0 and 1\n")
    assert run.returncode == 0 and "torch-bce-target" in run.stdout
    assert "book/messages.html#targets-outside-0-1" in run.stdout


def test_cli_reads_a_file_and_dash(tmp_path):
    log = tmp_path / "log.txt"
    log.write_text("360/360 - 3s - loss: nan - val_loss: nan\n")
    for arg in (str(log), "-"):
        run = _cli(arg, stdin=log.read_text())
        assert run.returncode == 0 and "[nan-loss" in run.stdout, run.stderr


def test_cli_says_one_sentence_when_nothing_matches():
    run = _cli(stdin="ValueError: Shapes (None, 10) and (None, 1) are incompatible")
    assert run.returncode == 1
    assert run.stdout.strip().count("\n") == 0 and "Nothing" in run.stdout


@pytest.mark.parametrize("args,stdin,says", [
    (("/no/such/file",), "", "cannot read /no/such/file"),
    ((), "", "holds no message"),
    ((), "   \n", "holds no message"),
])
def test_cli_bad_input_exits_2_in_one_sentence(args, stdin, says):
    run = _cli(*args, stdin=stdin)
    assert run.returncode == 2 and run.stdout == ""
    assert says in run.stderr and run.stderr.strip().count("\n") == 0
    assert "Traceback" not in run.stderr


def test_cli_refuses_a_broken_index(tmp_path):
    bad = tmp_path / "errors.toml"
    bad.write_text("[[entry]]\nid = 'x'\n")
    run = _cli("--index", str(bad), stdin="loss: nan")
    assert run.returncode == 2 and "Traceback" not in run.stderr


def test_explain_never_imports_tensorflow():
    code = ("import sys, loss_casebook.explain as e; e.explain('loss: nan'); "
            "print([m for m in ('tensorflow', 'keras', 'torch', 'jax') if m in sys.modules])")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.stdout.strip() == "[]", run.stderr


@pytest.mark.parametrize("heading", ["1-based ids on JAX: a silent shift", "On every backend",
                                     "The fix: targets in [0, 1]", "`Dense(1, softmax)`"])
def test_section_links_use_the_ids_docutils_gives(heading):
    from docutils.nodes import make_id

    from loss_casebook.errorindex import slug

    assert slug(heading) == make_id(heading)
