import sys

import pytest

from loss_casebook.nbcheck import last_error


def test_last_error_checks_type_and_message(monkeypatch, capsys):
    monkeypatch.setattr(sys, "last_value", ValueError("Could not interpret loss"), raising=False)
    assert isinstance(last_error(ValueError, "interpret"), ValueError)
    assert "raised ValueError" in capsys.readouterr().out
    with pytest.raises(AssertionError, match="expected TypeError"):
        last_error(TypeError, "interpret")
    with pytest.raises(AssertionError, match="does not mention"):
        last_error(ValueError, "something else")


def test_last_error_without_an_error(monkeypatch):
    monkeypatch.delattr(sys, "last_value", raising=False)
    with pytest.raises(AssertionError, match="no cell has raised"):
        last_error(ValueError, "x")
