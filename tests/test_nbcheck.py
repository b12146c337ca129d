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


def test_capture_log_keeps_records_and_lets_them_print(capsys):
    import logging

    from loss_casebook.nbcheck import capture_log

    logger = logging.getLogger("casebook-test")
    printed = []
    sink = logging.Handler()
    sink.emit = lambda record: printed.append(record.getMessage())
    logger.addHandler(sink)
    handler = capture_log("casebook-test")
    try:
        logger.warning("Can save best model only with %s available, skipping.", "val_acc")
    finally:
        logger.removeHandler(handler)
        logger.removeHandler(sink)
    expected = "Can save best model only with val_acc available, skipping."
    assert handler.messages == [expected]
    assert printed == [expected]  # still reaches the other handlers


@pytest.mark.parametrize("name", ["", None, 3])
def test_capture_log_rejects_bad_names(name):
    from loss_casebook.nbcheck import capture_log

    with pytest.raises(ValueError, match="logger name"):
        capture_log(name)
