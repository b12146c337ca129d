"""python -m loss_casebook.explain: a paste in, the book's ranked answers out."""

from __future__ import annotations

import re
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


MESSAGES = [(eid, p) for eid, p in PATTERNS
            if next(e for e in ENTRIES if e.id == eid).kind == "message"]
SYMPTOMS = [(e.id, p) for e in ENTRIES if e.kind == "symptom"
            for p in e.patterns + e.words]


def variants():
    return [(eid, how, rewrite(p)) for eid, p in MESSAGES for how, rewrite in REWRITES.items()]


def test_every_pattern_has_enough_words_to_match():
    short = [(eid, p) for eid, p in PATTERNS if len(explain.tokens(p)) < 2]
    assert short == []


@pytest.mark.parametrize("eid,how,text", variants(),
                         ids=[f"{i}-{h}-{n}" for n, (i, h, _) in enumerate(variants())])
def test_each_message_variant_finds_its_entry_first(eid, how, text):
    found = explain.match(text, ENTRIES)
    assert found and found[0].entry.id == eid, [m.entry.id for m in found]
    first = explain.answer(text).items[0]
    assert first.doc.ref == f"err-{eid}" and first.why == "message"


@pytest.mark.parametrize("eid,text", SYMPTOMS, ids=[f"{i}-{n}" for n, (i, _) in
                                                    enumerate(SYMPTOMS)])
def test_each_symptom_is_among_the_first_three_answers(eid, text):
    """The entry, or a section of a chapter that explains or shows it."""
    e = next(e for e in ENTRIES if e.id == eid)
    docs = {c.doc for c in e.causes} | {d for c in e.causes for d in c.also} | {
        t.chapter for t in e.texts if t.chapter}
    refs = [i.doc.ref for i in explain.answer(text).items[:3]]
    assert f"err-{eid}" in refs or {r.split("#")[0] for r in refs} & docs, refs


def test_symptoms_are_not_matched_as_messages():
    # a healthy log shares the shape of a symptom's example log, not its facts
    assert explain.match("loss: 0.6931 - acc: 0.0100 - val_loss: 0.6512", ENTRIES) == []


@pytest.mark.parametrize("text", UNRELATED)
def test_unrelated_logs_are_not_explained(text):
    a = explain.answer(text)
    assert not a.explained and all(i.why == "words" for i in a.items)
    out = explain.explain(text)
    assert out.startswith(("Nothing in the book explains", "The book may explain"))


def test_tokens_drop_classes_quotes_and_numbers():
    assert explain.tokens("ValueError: Unknown loss function: 'x_1' at -0.5e-3, 12") == [
        "unknown", "loss", "function", "x_1", "at", "-#", "#"]


def test_a_negative_log_without_a_loss_name_lists_both_causes_and_the_question():
    a = explain.answer("Epoch 3/10\n90/90 - 1s - loss: -55.0 - acc: 0.11")
    ids = [i.doc.entry.id for i in a.items if i.doc.entry is not None][:2]
    assert set(ids) == {"negative-cosine-loss", "negative-cross-entropy"} and a.explained
    out = explain.explain("loss: -55.0 - acc: 0.11")
    assert out.count("tell it apart: What did you compile with?") == 2
    assert "your line 1: loss: -55.0 - acc: 0.11" in out


@pytest.mark.parametrize("compiled,eid", [('loss="cosine_similarity"', "negative-cosine-loss"),
                                          ("loss=keras.losses.BinaryCrossentropy()",
                                           "negative-cross-entropy")])
def test_the_compile_line_picks_the_negative_cause(compiled, eid):
    a = explain.answer(f"model.compile(optimizer='adam', {compiled})\nloss: -0.52")
    assert a.items[0].doc.entry.id == eid and a.items[0].why == "log"
    assert all(i.doc.entry is None or i.why != "log" or i.doc.entry.id == eid
               for i in a.items)


def test_a_positive_loss_is_not_negative():
    a = explain.answer("loss: 0.52 - val_loss: 0.61 - accuracy: 0.75")
    assert not any(s.rule == "negative" for s in a.signs) and not a.explained


def test_nan_anywhere_is_a_nan_with_its_epoch_and_batch():
    log = ("Epoch 1/5\n 12/90 [==>....] - ETA: 12s - loss: 0.6931\n"
           "Epoch 2/5\n 37/90 [=====>..] - ETA: 12s - loss: nan")
    a = explain.answer(log)
    nan = next(s for s in a.signs if s.rule == "nonfinite")
    assert (nan.reading.epoch, nan.reading.batch, nan.reading.line) == (2, 37, 4)
    assert a.items[0].doc.entry.id == "nan-loss"
    assert "checkpoint" not in a.items[0].doc.ref


def test_a_whole_nan_traceback_finds_the_nan_entries():
    tb = ("Traceback (most recent call last):\n  File \"train.py\", line 9, in <module>\n"
          "    loss.backward()\nRuntimeError: Function 'AcosBackward0' returned nan values "
          "in its 0th output.\n")
    refs = [i.doc.ref for i in explain.answer(tb).items[:3]]
    assert "err-nan-debugger" in refs, refs


def test_a_stall_at_the_softmax_floor_leads_to_case_5():
    log = "\n".join(f"Epoch {n}/9 - loss: 0.7436 - accuracy: 1.0000" for n in range(1, 10))
    a = explain.answer(log)
    assert a.items[0].doc.entry.id == "probabilities-as-logits" and a.explained


@pytest.mark.parametrize("value,k", [("0.6931", 2), ("0.3251", None), ("2.3026", 10)])
def test_a_plateau_at_the_prior_says_it_is_not_in_the_book(value, k):
    log = "\n".join(f"Epoch {n}/9 - loss: {value}" for n in range(1, 10))
    a = explain.answer(log)
    prior = [s for s in a.signs if s.rule == "prior"]
    assert (prior[0].says.split("= ln ")[1].split(",")[0] == str(k)) if k else not prior
    assert not a.explained


def test_a_10_mb_log_is_answered_in_under_5_s():
    import time

    lines = [f"{i % 90 + 1}/90 [==========] - ETA: 1s - loss: {1 / (1 + i):.4f} - acc: 0.5"
             for i in range(200_000)]
    log = "\n".join(lines[:100_000] + ["loss: nan"] + lines[100_000:])
    assert len(log) > 10_000_000
    t0 = time.perf_counter()
    a = explain.answer(log)
    assert time.perf_counter() - t0 < 5
    assert a.items[0].doc.entry.id == "nan-loss"


def test_an_entry_id_prints_the_entry():
    out = explain.explain_entry("negative-cross-entropy")
    e = next(e for e in ENTRIES if e.id == "negative-cross-entropy")
    assert e.title in out and e.tell in out and all(c.fix in out for c in e.causes)
    with pytest.raises(KeyError, match="no entry has the id 'nope'"):
        explain.explain_entry("nope")


def test_links_open_from_a_terminal(tmp_path, monkeypatch):
    from loss_casebook.explain import reply

    monkeypatch.delenv(reply.SITE_ENV, raising=False)
    rel = "book/case1/03-explained.html#what-the-number-is"
    assert explain.link(rel, site="https://example.org/book/") == \
        "https://example.org/book/" + rel
    monkeypatch.setenv(reply.SITE_ENV, "https://casebook.test")
    assert explain.link(rel) == "https://casebook.test/" + rel
    monkeypatch.delenv(reply.SITE_ENV)
    built = tmp_path / "_build" / "html" / "book" / "case1" / "03-explained.html"
    built.parent.mkdir(parents=True)
    built.write_text("<html></html>")
    (tmp_path / "_config.yml").write_text("title: x\n")
    assert explain.link(rel, root=tmp_path) == built.as_uri() + "#what-the-number-is"
    (tmp_path / "_config.yml").write_text("html:\n  favicon: x.png\n  baseurl: https://b.test\n")
    assert explain.link(rel, root=tmp_path) == "https://b.test/" + rel
    built.unlink()
    (tmp_path / "_config.yml").write_text("title: x\n")
    assert "jupyter-book build" in explain.link(rel, root=tmp_path)


def test_several_causes_are_printed_with_their_sections():
    out = explain.explain_entry("checkpoint-metric-missing")
    for c in next(e for e in ENTRIES if e.id == "checkpoint-metric-missing").causes:
        assert c.html in out and c.section in out


def _cli(*args, stdin=""):
    run = subprocess.run([sys.executable, "-m", "loss_casebook.explain", *args],
                         input=stdin.encode("latin-1") if any(ord(c) > 127 for c in stdin)
                         else stdin.encode(), capture_output=True)
    return subprocess.CompletedProcess(run.args, run.returncode, run.stdout.decode(),
                                       run.stderr.decode())


def test_cli_reads_stdin_and_exits_0_when_found():
    run = _cli("--site", "https://b.test", stdin="RuntimeError: all elements of target "
               "should be between 0 and 1\n")
    assert run.returncode == 0 and "[torch-bce-target]" in run.stdout
    assert "https://b.test/book/find-your-error.html#err-torch-bce-target" in run.stdout


def test_cli_reads_a_file_and_dash(tmp_path):
    log = tmp_path / "log.txt"
    log.write_text("360/360 - 3s - loss: nan - val_loss: nan\n")
    for arg in (str(log), "-"):
        run = _cli(arg, stdin=log.read_text())
        assert run.returncode == 0 and "[nan-loss" in run.stdout, run.stderr


def test_cli_says_so_when_the_book_does_not_explain_it_and_lists_the_nearest():
    run = _cli(stdin="RuntimeError: CUDA out of memory. Tried to allocate 20.00 MiB")
    assert run.returncode == 1
    first, rest = run.stdout.split("\n", 1)
    assert first.startswith("Nothing in the book explains this text;") and "1. " in rest


def test_cli_prints_an_entry_by_its_id():
    run = _cli("nan-loss")
    assert run.returncode == 0 and run.stdout.startswith("loss: nan  [nan-loss, symptom]")
    run = _cli("no-such-entry")
    assert run.returncode == 2 and "no entry has the id 'no-such-entry'" in run.stderr


@pytest.mark.parametrize("args,stdin,says", [
    (("/no/such/file",), "", "cannot read /no/such/file"),
    ((), "", "holds no words"),
    ((), "   \n", "holds no words"),
    ((), "\x89PNG\r\n\x1a\n\xff\xfe", "not UTF-8 text"),
    ((), "log\x00\x00binary", "binary file"),
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


def test_fit_log_prints_a_history_as_keras_fit_verbose_2_does(capsys):
    """Same lines as Keras 3's own log, up to the time fields."""
    import keras
    import numpy as np

    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(1)])
    model.compile(optimizer="sgd", loss="mse")
    x = np.arange(30, dtype="float32").reshape(10, 3) / 30
    times = re.compile(r" - \d+s - \d+m?s/step")
    for epochs in (1, 2):
        history = model.fit(x, x[:, :1], validation_data=(x, x[:, :1]), epochs=epochs,
                            batch_size=5, verbose=2).history
        printed = capsys.readouterr().out
        assert [times.sub("", line) for line in printed.strip().splitlines()] == [
            times.sub("", line) for line in explain.fit_log(history, steps=2).splitlines()]


def test_fit_log_refuses_bad_histories_in_one_sentence():
    for bad, says in [({}, "non-empty mapping"), ([0.5], "non-empty mapping"),
                      ({"loss": [0.5], "val_loss": []}, "same number of epochs")]:
        with pytest.raises(ValueError, match=says):
            explain.fit_log(bad)
    with pytest.raises(ValueError, match="steps must be a positive whole number"):
        explain.fit_log({"loss": [0.5]}, steps=0)


@pytest.mark.parametrize("history,ok", [
    ({"loss": [0.69, 0.5, 0.4], "val_loss": [0.7, 0.6, 0.5]}, True),
    ({"loss": [0.69, 0.5, 0.6], "val_loss": [0.6, 0.5, 0.4]}, True),   # val below: a note
    ({"loss": [0.1, -0.3, -0.6]}, False),                              # negative
    ({"loss": [0.69, float("nan")]}, False),                           # NaN
    ({"loss": [0.9, 0.3134, 0.3133, 0.3132]}, False),                  # case 5's floor, K = 2
])
def test_healthy_is_false_for_a_symptom_and_true_otherwise(history, ok):
    assert explain.healthy(explain.answer(explain.fit_log(history))) is ok


def test_the_epochs_last_line_is_the_epoch_not_a_batch():
    log = "Epoch 1/3\n12/12 - 8s - 701ms/step - loss: nan"
    nan = next(s for s in explain.answer(log).signs if s.rule == "nonfinite")
    assert (nan.reading.epoch, nan.reading.batch) == (1, None)
    assert nan.says.endswith("at epoch 1")


#: Chinese: the seeds' own titles (in the index's words) and two paraphrases that are not.
CHINESE = [("Keras - 负余弦邻近损失", "negative-cosine-loss"),
           ("Keras BinaryCrossentropy 损失为两个向量之间的 angular 距离给出 NaN", "nan-loss"),
           ("余弦损失是负的", "negative-cosine-loss"),
           ("损失变成 nan", "nan-loss")]


@pytest.mark.parametrize("query,eid", CHINESE)
def test_chinese_text_reaches_its_entry(query, eid):
    assert explain.answer(query).items[0].doc.ref == f"err-{eid}"
