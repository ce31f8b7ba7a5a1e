"""Ctrl-C during an ingest: DuckDB runs statements in C, where Python's SIGINT handler cannot run, so a
thread turns the signal into an interrupt of the running statement (and reports progress meanwhile);
the transaction is then rolled back and the store is as it was.

A command that commits several snapshots in turn (``peacewatch watch`` syncs, then evaluates) says
what it has done so far with :func:`record_done`, so that Ctrl-C reports the truth
(:func:`interrupted_message`) instead of "the store is unchanged"."""

from __future__ import annotations

import os
import select
import signal
import threading
from collections.abc import Callable
from contextlib import contextmanager

import duckdb

ProgressFn = Callable[[str, float | None], None]

# What the running command has already committed, and what an interrupt now leaves undone.
_DONE: list[str] = []
_LEFT: list[str] = []
_UNCHANGED = "interrupted; the store is unchanged."


def record_done(done: str, left: str) -> None:
    """Record that ``done`` is committed (``"synced acled-afghanistan to snapshot 7"``) and what an
    interrupt from now on leaves undone (``left``; the last one recorded is said)."""
    _DONE.append(done)
    _LEFT[:] = [left]


def forget_done() -> None:
    """The command finished (or starts): an interrupt now leaves nothing half done."""
    _DONE.clear()
    _LEFT.clear()


def interrupted_message() -> str:
    """The sentence for Ctrl-C: the store is unchanged, or what was committed and what was not.

    >>> forget_done(); interrupted_message()
    'interrupted; the store is unchanged.'
    >>> record_done("synced acled-afghanistan to snapshot 7", "the cases were not re-evaluated")
    >>> interrupted_message()
    'interrupted after committing: synced acled-afghanistan to snapshot 7; the cases were not re-evaluated.'
    >>> forget_done()
    """
    if not _DONE:
        return _UNCHANGED
    return f"interrupted after committing: {'; '.join(_DONE)}; {'; '.join(_LEFT)}."


@contextmanager
def interruptible():
    """Ctrl-C while DuckDB runs a statement outside :func:`_polling` (opening the lake, reading the
    catalog) reaches Python as DuckDB's "Query interrupted": it is a KeyboardInterrupt all the same."""
    try:
        yield
    except (duckdb.InterruptException, RuntimeError) as exc:
        if isinstance(exc, duckdb.InterruptException) or "interrupted" in str(exc).lower():
            raise KeyboardInterrupt from None
        raise


@contextmanager
def polling(con, report: ProgressFn):
    """Report DuckDB's progress on the running statement twice a second, and turn Ctrl-C into an
    interrupt of that statement.

    While DuckDB runs a statement the main thread is inside C code and Python's SIGINT handler cannot
    run; the signal's wake-up byte reaches this thread instead, which interrupts the query. Python
    then raises KeyboardInterrupt in the main thread and the transaction is rolled back.
    """
    state = {"stage": ""}
    done = threading.Event()
    interrupted = threading.Event()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    try:
        previous = signal.set_wakeup_fd(wake_w)
    except ValueError:  # not the main thread: no signal handling here
        previous = None

    def poll():
        while not done.is_set():
            ready, _, _ = select.select([wake_r], [], [], 0.5)
            if ready:
                os.read(wake_r, 64)
                interrupted.set()
                con.interrupt()
                continue
            try:
                pct = con.query_progress()
            except Exception:
                pct = -1
            report(state["stage"], pct / 100 if pct and pct >= 0 else None)

    def stage(name: str) -> None:
        state["stage"] = name
        report(name, None)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield stage
    except Exception as exc:
        # DuckDB reports an interrupted query as an InterruptException, or as a RuntimeError caused by
        # the KeyboardInterrupt that Python's own handler raised before our thread saw the signal.
        if (
            interrupted.is_set()
            or isinstance(exc, duckdb.InterruptException)
            or isinstance(exc.__cause__, KeyboardInterrupt)
        ):
            raise KeyboardInterrupt from None
        raise
    finally:
        done.set()
        thread.join()
        if previous is not None:
            signal.set_wakeup_fd(previous)
        os.close(wake_r)
        os.close(wake_w)
