"""Watch cases: after a sync, re-evaluate them and turn what moved into alerts, values that carry their
evidence and the snapshot they read (docs/watch.md; the rules in docs/adr/0017-watch-and-alerts.md).

>>> from peacewatch.watch import run_cycle
>>> run = run_cycle(["afghanistan-2020"], store=".peacewatch/demo")   # doctest: +SKIP
>>> [a.summary for a in run.alerts]                                  # doctest: +SKIP
"""

from peacewatch.watch.alerts import KINDS, Alert
from peacewatch.watch.cycle import CaseReport, Run, run_cycle
from peacewatch.watch.schedule import parse_every, repeat
from peacewatch.watch.state import WatchFolder

__all__ = ["KINDS", "Alert", "CaseReport", "Run", "WatchFolder", "parse_every", "repeat", "run_cycle"]
