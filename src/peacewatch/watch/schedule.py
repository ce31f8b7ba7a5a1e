"""Running watch cycles in the foreground, every so often (``--every 1d``), until stopped.

The interval counts from the start of one cycle to the start of the next, so a cycle that takes a
minute does not push the schedule back a minute every day; a cycle longer than the interval is
followed by the next at once. Ctrl-C while waiting stops cleanly: the cycles done are complete (each
writes its alerts and state before the wait begins). ``cycles`` bounds the number of cycles (tests,
and a scheduler that wants N runs and then control back).

>>> parse_every("6h"), parse_every("15m"), parse_every("1d")
(21600.0, 900.0, 86400.0)
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

from peacewatch.errors import WatchError

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")


def parse_every(text: str) -> float:
    """Seconds from ``NUMBER UNIT``: s (seconds), m (minutes), h (hours) or d (days)."""
    m = _EVERY.match(text or "")
    if not m or float(m.group(1)) <= 0:
        raise WatchError(
            f"--every {text!r}: expected a positive number and a unit: s, m, h or d (e.g. 1d, 6h, 15m).",
            hint="Or use --once from cron or a systemd timer (docs/watch.md).",
        )
    return float(m.group(1)) * _UNITS[m.group(2)]


def repeat(
    cycle: Callable[[int], object],
    every: float,
    *,
    cycles: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Call ``cycle(n)`` for n = 1, 2, ... every ``every`` seconds, ``cycles`` times (None: until
    Ctrl-C). Returns the number of cycles completed; Ctrl-C during a wait ends the loop there and then,
    and during a cycle is passed on (the cycle's own writes are atomic)."""
    done = 0
    while cycles is None or done < cycles:
        started = clock()
        cycle(done + 1)
        done += 1
        if cycles is not None and done >= cycles:
            break
        try:
            sleep(max(0.0, every - (clock() - started)))
        except KeyboardInterrupt:
            break
    return done
