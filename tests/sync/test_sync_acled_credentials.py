"""Credentials: the environment first, else what `peacewatch login` saved in a file only its owner
can read (the keyring is off here: PEACEWATCH_KEYRING=0); secrets are redacted from every message."""

from __future__ import annotations

import json
import stat

import pytest
from acled_service import EMAIL, PASSWORD, assert_no_secret

from peacewatch.cli.app import main
from peacewatch.errors import CredentialsError
from peacewatch.sync.credentials import credentials, credentials_file
from peacewatch.sync.http import Redactor, describe


@pytest.fixture
def no_acled_env(tmp_path, monkeypatch):
    for var in ("ACLED_EMAIL", "ACLED_PASSWORD", "UCDP_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PEACEWATCH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("PEACEWATCH_KEYRING", "0")
    return tmp_path


def test_login_saves_a_file_only_its_owner_can_read_and_syncs_find_it(no_acled_env, capsys, monkeypatch):
    import typer

    answers = iter([EMAIL, PASSWORD])
    monkeypatch.setattr(typer, "prompt", lambda *a, **k: next(answers))
    assert main(["login", "acled", "--json"]) == 0
    out = capsys.readouterr()
    saved = json.loads(out.out)
    assert saved["service"] == "acled" and str(credentials_file()) in saved["saved_in"]
    assert stat.S_IMODE(credentials_file().stat().st_mode) == 0o600
    assert credentials("acled") == {"email": EMAIL, "password": PASSWORD}
    assert_no_secret([PASSWORD], texts=[out.out, out.err])


def test_the_environment_takes_precedence_over_the_saved_file(no_acled_env, monkeypatch):
    from peacewatch.sync.credentials import save

    save("acled", {"email": "old@example.org", "password": "old"})
    monkeypatch.setenv("ACLED_EMAIL", EMAIL)
    monkeypatch.setenv("ACLED_PASSWORD", PASSWORD)
    assert credentials("acled") == {"email": EMAIL, "password": PASSWORD}


def test_half_set_environment_variables_are_an_error_naming_the_missing_one(no_acled_env, monkeypatch):
    monkeypatch.setenv("ACLED_EMAIL", EMAIL)
    with pytest.raises(CredentialsError, match="ACLED_PASSWORD unset"):
        credentials("acled")


def test_no_credentials_is_an_error_saying_how_to_set_them(no_acled_env):
    with pytest.raises(CredentialsError, match="peacewatch login acled"):
        credentials("acled")


def test_a_credentials_file_others_can_read_is_refused(no_acled_env):
    from peacewatch.sync.credentials import save

    save("ucdp", {"token": "t0k3n"})
    credentials_file().chmod(0o644)
    with pytest.raises(CredentialsError, match="mode 600") as err:
        credentials("ucdp")
    assert "t0k3n" not in str(err.value)


def test_the_redactor_hides_secrets_in_every_spelling_and_secret_parameters():
    r = Redactor([PASSWORD, "tok/en+1"])
    from urllib.parse import quote, quote_plus

    for form in (PASSWORD, quote(PASSWORD, safe=""), quote_plus(PASSWORD), "tok/en+1", "tok%2Fen%2B1"):
        assert r(f"x {form} y") == "x *** y"
    assert describe("GET", "http://h/read", {"country": "A", "password": "p", "key": "k"}, r) == (
        "GET http://h/read?country=A&password=***&key=***"
    )
