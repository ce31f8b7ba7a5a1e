"""The home page reads alerts.jsonl, a file another command writes: whatever bytes are in it, the page
shows at most ALERTS_SHOWN alerts, each field text or nothing, and never fails."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peacewatch.serve.pages.home import ALERTS_SHOWN, latest_alerts

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=10,
)
_line = st.one_of(
    st.dictionaries(
        st.sampled_from(["time", "case", "commitment", "message", "before", "after", "x"]), _json
    ).map(json.dumps),
    st.text(max_size=40),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_line, max_size=30), tail=st.binary(max_size=20))
def test_any_alerts_file_gives_at_most_the_shown_number_of_alerts_as_text(tmp_path, lines, tail):
    path = tmp_path / "alerts.jsonl"
    path.write_bytes("\n".join(lines).encode("utf-8") + b"\n" + tail)
    alerts = latest_alerts(path)
    assert len(alerts) <= ALERTS_SHOWN
    for alert in alerts:
        assert all(v is None or isinstance(v, str) for v in alert.values())


def test_only_the_newest_alerts_are_shown_newest_first(tmp_path):
    path = tmp_path / "alerts.jsonl"
    path.write_text("".join(json.dumps({"time": f"t{i:02d}"}) + "\n" for i in range(25)), encoding="utf-8")
    assert [a["time"] for a in latest_alerts(path)] == [f"t{i:02d}" for i in range(24, 14, -1)]
