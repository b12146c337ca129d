import subprocess
import sys

import pytest

from loss_casebook.maintain import bench


def test_replace_block_changes_only_the_marked_part():
    text = f"intro\n{bench.START}\nold table\n{bench.END}\noutro\n"
    assert bench.replace_block(text, "new") == f"intro\n{bench.START}\nnew\n{bench.END}\noutro\n"


@pytest.mark.parametrize("text", ["no markers", f"{bench.END}\n{bench.START}",
                                  f"{bench.START}\n{bench.START}\n{bench.END}"])
def test_replace_block_refuses_a_file_without_one_marked_block(text):
    with pytest.raises(bench.BenchError, match="exactly one"):
        bench.replace_block(text, "new")


def test_table_and_machine_line():
    lines = bench.table([("a.ipynb", 1.25, 100.0, 60.0), ("cold build", 200.0, 900.4, 180.0),
                         ("CI: venv", 7.0, None, None)]).splitlines()
    assert lines[0].startswith("| what") and len(lines) == 5
    assert "|     1.2 |" in lines[2] or "|     1.3 |" in lines[2]
    assert [line.split("|")[-2].strip() for line in lines[2:]] == ["yes", "NO", ""]
    assert lines[4].split("|")[3].strip() == ""  # no peak memory measured
    assert bench.machine().startswith("Measured 20") and "cores" in bench.machine()


def test_outside_a_book_it_says_so_in_one_sentence(tmp_path):
    run = subprocess.run([sys.executable, "-m", "loss_casebook.maintain.bench", "--book", str(tmp_path)],
                         capture_output=True, text=True)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.strip() == f"bench: {tmp_path} is not a book folder: it has no _toc.yml"


CI_LOG = """::: apt-get install chromium bubblewrap
::: apt-get install chromium bubblewrap ok (3 s)
::: python venv ok (7 s)
some pytest output
::: pytest (TF_ENABLE_ONEDNN_OPTS=1 TF_NUM_INTRAOP_THREADS=7) ok (900 s)
"""


def test_ci_rows_take_each_step_and_the_total_against_its_budget():
    rows = bench.ci_rows(CI_LOG)
    assert [r[0] for r in rows] == [
        "CI: apt-get install chromium bubblewrap", "CI: python venv",
        "CI: pytest (TF_ENABLE_ONEDNN_OPTS=1 TF_NUM_INTRAOP_THREADS=7)",
        "CI: all steps (bash .ci/run)"]
    assert rows[-1][1] == 910.0 and rows[-1][3] == bench.BUDGET["ci"]


@pytest.mark.parametrize("log, word", [("no steps here", "no '::: STEP ok"),
                                       (CI_LOG + "::: pytest FAILED (3 s)\n", "failed step")])
def test_ci_rows_refuse_a_log_without_steps_or_with_a_failed_one(log, word):
    with pytest.raises(bench.BenchError, match=word):
        bench.ci_rows(log)
