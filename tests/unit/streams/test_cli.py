"""casebridge main(): our errors become one ``error:`` line and exit code 2."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from streams.cli import SUBCOMMANDS, main


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name.upper().startswith("CASEBRIDGE_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


def test_settings_error_exits_2_with_one_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CASEBRIDGE_WEB_PORT", "bad")
    with pytest.raises(SystemExit) as caught:
        main(["topics"])

    assert caught.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: invalid setting CASEBRIDGE_WEB_PORT:")
    assert "Traceback" not in err


def test_non_json_list_setting_is_one_line_too(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CASEBRIDGE_INGRESS__WEBHOOK_SECRETS", "a,b")
    with pytest.raises(SystemExit) as caught:
        main(["topics"])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1
    assert err.startswith("error: invalid setting CASEBRIDGE_INGRESS")


def test_unknown_subcommand_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as caught:
        main(["no-such-command"])
    assert caught.value.code == 2
    assert "no-such-command" in capsys.readouterr().err


def test_subcommands_are_listed_lazily(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--help"])
    out = capsys.readouterr().out
    for name in SUBCOMMANDS:
        assert name in out


def test_emulate_without_the_emulators_says_where_they_come_from(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The production wheel has no emulators package (pyproject.toml excludes it).
    import sys

    monkeypatch.setitem(sys.modules, "emulators", None)  # makes `import emulators...` fail
    monkeypatch.delitem(sys.modules, "emulators.cli", raising=False)
    with pytest.raises(SystemExit) as caught:
        main(["emulate", "shopify", "--help"])

    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "'casebridge emulate' needs 'emulators" in err and "make install" in err
