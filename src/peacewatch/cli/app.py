"""The ``peacewatch`` command. Exit codes: 0 success, 1 a user error (one clear message, no
traceback), 2 an internal error (a bug in peacewatch: please report it with the traceback)."""

from __future__ import annotations

import errno
import gc
import os
import sys
import threading
import traceback

import typer

from peacewatch.cli import coercion, lazy_ibis
from peacewatch.errors import PeacewatchError
from peacewatch.textsafe import printable

app = typer.Typer(
    name="peacewatch",
    help="Monitor peace processes from conflict-event data: ingest, indicators, change statistics.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Before any command imports Ibis: its SQL compilers load one at a time (cli/lazy_ibis.py).
lazy_ibis.install()

STORE_HELP = "Store folder. Default: $PEACEWATCH_STORE, else ./peacewatch-store."


def _register() -> None:
    from peacewatch.cli import (
        agreement_cmds,
        brief_cmds,
        case_cmds,
        chart_cmds,
        history_cmds,
        indicator_cmds,
        serve_cmds,
        store_cmds,
        sync_cmds,
        sync_gdelt_cmds,  # noqa: F401 (its commands join sync_cmds.sync_app on import)
        sync_ucdp_cmds,  # noqa: F401
        watch_cmds,
    )
    from peacewatch.cli.options import with_store_data

    store_cmds.register(app)
    indicator_cmds.register(app)
    case_cmds.register(app)
    agreement_cmds.register(app)
    brief_cmds.register(app)
    chart_cmds.register(app)
    history_cmds.register(app)
    serve_cmds.register(app)
    sync_cmds.register(app)
    watch_cmds.register(app)
    # Every command with --store also takes a team store's --data (cli/options.py).
    groups = [app]
    while groups:
        group = groups.pop()
        for command in group.registered_commands:
            command.callback = with_store_data(command.callback)
        groups += [g.typer_instance for g in group.registered_groups if g.typer_instance is not None]


_register()


def _interrupted_message() -> str:
    """What Ctrl-C leaves: a command that commits in steps records them in store/interrupts.py; one
    that never loaded that module committed nothing (read from sys.modules: no import at startup)."""
    notes = sys.modules.get("peacewatch.store.interrupts")
    return notes.interrupted_message() if notes else "interrupted; the store is unchanged."


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (0, 1 user error, 2 internal error)."""
    if notes := sys.modules.get("peacewatch.store.interrupts"):
        notes.forget_done()  # an earlier command of this process (tests, the API) says nothing here
    try:
        command = typer.main.get_command(app)
        coercion.seat(command)  # option values converted without pydantic (cli/coercion.py)
        code = command.main(args=argv, standalone_mode=False, prog_name="peacewatch")
        if code == 130:  # typer's answer to Ctrl-C outside a query
            return _interrupted()
        return code if isinstance(code, int) else 0
    except PeacewatchError as exc:
        _err(f"error: {exc}")
        return 1
    except typer.Exit as exc:
        if isinstance(exc.__cause__, KeyboardInterrupt):
            return _interrupted()
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        return _interrupted()
    except BrokenPipeError:
        return 0
    except OSError as exc:
        # The system refused a file operation (a full or read-only disk, a missing folder, no
        # permission): the user's to fix, so one sentence and exit 1, not a bug report.
        _err(f"error: {os_error_message(exc)}")
        return 1
    except Exception as exc:
        # Usage errors come from click (vendored inside newer typer): recognised by their interface.
        if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
            ctx = getattr(exc, "ctx", None)
            path = getattr(ctx, "command_path", "") if ctx else ""
            hint = f"\nTry '{path} --help'." if path else ""
            message, also = exc.format_message(), _format_hint(exc)
            _err(f"error: {message.rstrip('.') + '.' + also if also else message}{hint}")
            return 1
        _err("internal error: this is a bug in peacewatch. Please report it with this traceback:")
        # A team store's password may sit in a message DuckDB wrote: hidden here too.
        sys.stderr.write(_scrub(traceback.format_exc()))
        return 2


def _interrupted() -> int:
    """Ctrl-C was handled: say so and exit 1. From here on SIGINT is ignored: the interpreter's
    teardown puts SIGINT back to its default action (kill the process) and then waits for DuckDB's
    threads to stop, and a SIGINT in that window (a second Ctrl-C, or one Python has not yet acted on)
    ended the process by the signal instead of exit code 1 (docs/adr/0018)."""
    import contextlib
    import signal

    if _CONSOLE.is_set():  # only the console script's process: main() in a test or a server keeps its Ctrl-C
        with contextlib.suppress(ValueError):  # not the main thread: no handler to change
            signal.signal(signal.SIGINT, signal.SIG_IGN)
    _INTERRUPTED.set()
    _err(_interrupted_message())
    return 1


# Set once a command was interrupted: run() then exits without the interpreter's teardown.
_INTERRUPTED = threading.Event()
# Set by run(), the console script: the process is peacewatch's own and ends with the command.
_CONSOLE = threading.Event()


# Options people try for "give me JSON" on a command that spells it another way.
_JSON_WORDS = ("--format", "--output", "--out", "-o", "--json", "--to-json")


def _format_hint(exc: Exception) -> str:
    """For an unknown output option, the one this command has: --json, or --format json."""
    name = getattr(exc, "option_name", None)
    ctx = getattr(exc, "ctx", None)
    if name not in _JSON_WORDS or ctx is None:
        return ""
    opts = {o for p in ctx.command.params for o in getattr(p, "opts", ())}
    if "--json" in opts and name != "--json":
        return " This command prints JSON with --json."
    if "--format" in opts:
        return " For JSON, use --format json."
    return ""


_OS_HINTS = {
    errno.ENOSPC: "The disk is full: free some space and run the command again.",
    errno.EDQUOT: "The disk quota is used up: free some space and run the command again.",
    errno.EROFS: "The file system is read-only: write somewhere else (--out, --store).",
    errno.EACCES: "Check the permissions of the file and its folder, or write somewhere else.",
    errno.EPERM: "The file may be immutable or owned by another user: check it, or write elsewhere.",
    errno.ENOENT: "Check the path; a folder to write into must exist.",
    errno.ENOTDIR: "A part of the path is a file, not a folder: check the path.",
    errno.EISDIR: "Expected a file, found a folder: check the path.",
}


def os_error_message(exc: OSError) -> str:
    """One sentence for an OSError: the file, what the system said, and what to do."""
    what = exc.strerror or str(exc) or type(exc).__name__
    hint = _OS_HINTS.get(exc.errno or -1, "")
    text = f"{exc.filename}: {what}." if exc.filename is not None else f"{what.rstrip('.')}."
    return f"{text} {hint}".strip()


def _err(message: str) -> None:
    # Messages quote files and flags, which may hold escape sequences: show them, never run them.
    sys.stderr.write(printable(_scrub(message)) + "\n")


def _scrub(text: str) -> str:
    """``text`` without a team store's password, whoever wrote it (store/postgres.py); the store
    package loads only when there is a message to write."""
    from peacewatch.store.postgres import scrub

    return scrub(text)


def run() -> None:  # pragma: no cover - the console script
    _CONSOLE.set()
    code = main()
    leave()
    if _INTERRUPTED.is_set():
        # Python's own exit would end the process by SIGINT instead of code 1 when the Ctrl-C's
        # KeyboardInterrupt had once escaped a nested evaluation, even though peacewatch then
        # handled it (docs/adr/0018); the store is rolled back and unlocked by now.
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


def leave() -> None:
    """Before the process exits: spare it the garbage collector's last passes over the ~100,000
    objects its imports made, which cost a short command 0.1-0.3 s after its answer and free nothing
    that exiting does not (objects are still finalised as their modules are cleared)."""
    gc.freeze()


if os.environ.get("PEACEWATCH_DEBUG"):
    app.pretty_exceptions_enable = True
