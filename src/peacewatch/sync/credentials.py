"""Credentials of the live services, found where the user put them and nowhere else.

Each service names its fields (:data:`FIELDS`) and the environment variables that give them. A sync
asks :func:`credentials` for a service's values: the environment variables first (all of a
service's fields must be set there), else what ``peacewatch login SERVICE`` saved (:func:`save`):

- the OS keyring, when the ``keyring`` package is importable and has a usable backend (macOS
  Keychain, Windows Credential Locker, the Secret Service on Linux desktops), under the service name
  ``peacewatch`` and the user name of the service;
- else a JSON file only its owner can read (mode 0600) at ``$PEACEWATCH_CONFIG_DIR/credentials.json``
  (default ``$XDG_CONFIG_HOME/peacewatch``, else ``~/.config/peacewatch``). A file that others can
  read is refused, as ssh refuses such a key. ``PEACEWATCH_KEYRING=0`` skips the keyring.

Secrets never go into the store, a log, an error message, a payload or a brief: the service module
registers them with its :class:`peacewatch.sync.http.Redactor` the moment it reads them.

>>> import os; os.environ["UCDP_TOKEN"] = "abc"           # doctest: +SKIP
>>> credentials("ucdp")                                   # doctest: +SKIP
{'token': 'abc'}
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from peacewatch.errors import CredentialsError

# service -> field -> the environment variable that gives it
FIELDS: dict[str, dict[str, str]] = {
    "acled": {"email": "ACLED_EMAIL", "password": "ACLED_PASSWORD"},
    "ucdp": {"token": "UCDP_TOKEN"},
}
# Fields that are secrets (the rest, such as an e-mail address, may be shown).
SECRET_FIELDS = frozenset({"password", "token"})
KEYRING_SERVICE = "peacewatch"


def config_dir() -> Path:
    """$PEACEWATCH_CONFIG_DIR, else $XDG_CONFIG_HOME/peacewatch, else ~/.config/peacewatch."""
    if os.environ.get("PEACEWATCH_CONFIG_DIR"):
        return Path(os.environ["PEACEWATCH_CONFIG_DIR"]).expanduser()
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "peacewatch"


def credentials_file() -> Path:
    return config_dir() / "credentials.json"


def _known(service: str) -> dict[str, str]:
    if service not in FIELDS:
        raise CredentialsError(
            f"expected a service with credentials ({', '.join(sorted(FIELDS))}), found {service!r}.",
            hint="GDELT needs none; give one of those to `peacewatch login`.",
        )
    return FIELDS[service]


def _keyring():
    """The keyring module when it has a usable backend (None: use the file)."""
    if os.environ.get("PEACEWATCH_KEYRING", "1").strip().lower() in {"0", "no", "false", "off"}:
        return None
    try:
        import keyring
        from keyring.backends import fail
    except Exception:  # not installed, or broken: the file serves
        return None
    try:
        backend = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(backend, fail.Keyring) or getattr(backend, "priority", 0) < 1:
        return None
    return keyring


def where() -> str:
    """Where :func:`save` keeps credentials on this machine, for messages and `peacewatch login`."""
    ring = _keyring()
    if ring is not None:
        return f"the OS keyring ({type(ring.get_keyring()).__name__})"
    return f"{credentials_file()} (readable by its owner only)"


def _read_file() -> dict[str, dict[str, str]]:
    path = credentials_file()
    if not path.is_file():
        return {}
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise CredentialsError(
            f"{path}: expected a file only its owner can read (mode 600), found mode {mode:o}.",
            hint=f"Run `chmod 600 {path}`, or `peacewatch login` again to rewrite it.",
        )
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        raise CredentialsError(
            f"{path}: expected the JSON that `peacewatch login` writes, found something else.",
            hint="Delete the file and run `peacewatch login SERVICE` again.",
        ) from None
    return data if isinstance(data, dict) else {}


def _write_file(data: dict[str, dict[str, str]]) -> Path:
    path = credentials_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    # Created 0600 from the start (never readable by others, whatever the umask), then renamed over.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=1, sort_keys=True)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def save(service: str, values: dict[str, str]) -> str:
    """Keep ``values`` (every field of ``service``) for later syncs; returns where they went."""
    fields = _known(service)
    missing = [f for f in fields if not values.get(f)]
    if missing:
        raise CredentialsError(f"expected {', '.join(fields)} for {service}, found no {', '.join(missing)}.")
    ring = _keyring()
    if ring is not None:
        ring.set_password(KEYRING_SERVICE, service, json.dumps({f: values[f] for f in fields}))
        return where()
    data = _read_file()
    data[service] = {f: values[f] for f in fields}
    _write_file(data)
    return where()


def stored(service: str) -> dict[str, str] | None:
    """What ``peacewatch login`` saved for ``service`` (None: nothing)."""
    fields = _known(service)
    ring = _keyring()
    if ring is not None:
        text = ring.get_password(KEYRING_SERVICE, service)
        found = json.loads(text) if text else None
    else:
        found = _read_file().get(service)
    if not isinstance(found, dict) or not all(found.get(f) for f in fields):
        return None
    return {f: str(found[f]) for f in fields}


def credentials(service: str) -> dict[str, str]:
    """The credentials of ``service``: its environment variables, else what ``peacewatch login``
    saved; a CredentialsError saying how to set them when there are none."""
    fields = _known(service)
    from_env = {f: os.environ.get(var, "") for f, var in fields.items()}
    if all(from_env.values()):
        return from_env
    if any(from_env.values()):
        unset = [fields[f] for f, v in from_env.items() if not v]
        raise CredentialsError(
            f"{service}: expected {' and '.join(fields.values())} in the environment, found "
            f"{' and '.join(unset)} unset.",
            hint=f"Set {' and '.join(unset)} too, or unset them all and use `peacewatch login {service}`.",
        )
    found = stored(service)
    if found is None:
        raise CredentialsError(
            f"{service}: expected credentials, found none in the environment "
            f"({', '.join(fields.values())}) or in {where()}.",
            hint=f"Set {' and '.join(fields.values())}, or run `peacewatch login {service}` once.",
        )
    return found


def secrets(values: dict[str, str]) -> list[str]:
    """The values among ``values`` that must never be shown."""
    return [v for f, v in values.items() if f in SECRET_FIELDS and v]
