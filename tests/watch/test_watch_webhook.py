"""Alerts POSTed to a webhook played by a local HTTP server on loopback (pytest-httpserver): retries on
5xx, a refusal not retried, and alerts a failed webhook did not take kept and sent first next time."""

from __future__ import annotations

import json

from werkzeug import Response

from peacewatch.watch import Alert, WatchFolder, run_cycle
from peacewatch.watch.webhook import deliver, redact


def _alerts(n: int) -> list[Alert]:
    return [
        Alert("violence_change", "case", f"scope {i}", f"summary {i}", 3, "run-1", evidence={"rule": "r"})
        for i in range(n)
    ]


def test_each_alert_is_posted_as_its_json_with_its_id_as_idempotency_key(httpserver):
    alerts = _alerts(2)
    for a in alerts:
        body = {**a.to_dict(), "text": a.text()}
        httpserver.expect_ordered_request("/hook", method="POST", json=body).respond_with_data("", status=200)
    done = deliver(httpserver.url_for("/hook"), alerts, wait_initial=0.01)
    assert done.sent == [a.id for a in alerts] and done.failed == []
    httpserver.check_assertions()
    headers = [req.headers["Idempotency-Key"] for req, _ in httpserver.log]
    assert headers == [a.id for a in alerts]


def test_a_500_is_retried_until_the_webhook_takes_the_alert(httpserver):
    httpserver.expect_ordered_request("/hook", method="POST").respond_with_data("busy", status=500)
    httpserver.expect_ordered_request("/hook", method="POST").respond_with_data("busy", status=503)
    httpserver.expect_ordered_request("/hook", method="POST").respond_with_data("ok", status=200)
    done = deliver(httpserver.url_for("/hook"), _alerts(1), wait_initial=0.01)
    assert len(done.sent) == 1 and done.error is None
    assert len(httpserver.log) == 3


def test_a_webhook_down_after_every_attempt_keeps_the_alerts_and_names_no_token(httpserver):
    httpserver.expect_request("/services/T0/SECRET-TOKEN", method="POST").respond_with_data("", status=500)
    url = httpserver.url_for("/services/T0/SECRET-TOKEN")
    alerts = _alerts(3)
    done = deliver(url, alerts, attempts=2, wait_initial=0.01)
    assert done.sent == [] and done.failed == [a.id for a in alerts]
    assert "HTTP 500" in done.error and "SECRET-TOKEN" not in done.error
    assert len(httpserver.log) == 2  # the first alert's two attempts; the others wait for the next run
    assert redact(url).endswith("/...") and "SECRET" not in redact(url)


def test_a_refusal_is_not_retried(httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("no such hook", status=404)
    done = deliver(httpserver.url_for("/hook"), _alerts(1), wait_initial=0.01)
    assert done.failed and "HTTP 404" in done.error and "not retried" in done.error
    assert len(httpserver.log) == 1


def test_alerts_a_failed_webhook_did_not_take_are_sent_first_by_the_next_run(
    httpserver, watched_afghan_store
):
    url = httpserver.url_for("/hook")
    httpserver.expect_request("/hook", method="POST").respond_with_data("", status=500)
    first = run_cycle(["afghanistan-2020"], store=watched_afghan_store.path, sync=False, webhook_url=url)
    assert first.alerts and first.delivery.failed == [a.id for a in first.alerts]
    folder = WatchFolder(watched_afghan_store.path)
    assert [a.id for a in folder.alerts()] == [a.id for a in first.alerts]  # stored all the same

    httpserver.clear()
    got = []

    def take(request):
        got.append(json.loads(request.data)["id"])
        return Response("", status=204)

    httpserver.expect_request("/hook", method="POST").respond_with_handler(take)
    second = run_cycle(["afghanistan-2020"], store=watched_afghan_store.path, sync=False, webhook_url=url)
    assert second.alerts == []  # nothing new on the same data
    assert got == [a.id for a in first.alerts] and second.delivery.failed == []
    assert folder.load()["undelivered"] == {}
    assert "hook" not in folder.state_path.read_text(encoding="utf-8")  # the URL is kept as a hash
