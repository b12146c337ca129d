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
    lines = bench.table([("a.ipynb", 1.25, 100.0), ("cold build", 200.0, 900.4)]).splitlines()
    assert lines[0].startswith("| what") and len(lines) == 4
    assert "|     1.2 |" in lines[2] or "|     1.3 |" in lines[2]
    assert bench.machine().startswith("Measured 20") and "cores" in bench.machine()


def test_outside_a_book_it_says_so_in_one_sentence(tmp_path):
    run = subprocess.run([sys.executable, "-m", "loss_casebook.maintain.bench", "--book", str(tmp_path)],
                         capture_output=True, text=True)
    assert run.returncode == 2 and run.stdout == ""
    assert run.stderr.strip() == f"bench: {tmp_path} is not a book folder: it has no _toc.yml"
