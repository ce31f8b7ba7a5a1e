"""`peacewatch serve` for real: uvicorn in a subprocess on 127.0.0.1 and a free port, read over HTTP,
then stopped."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from serve_api_support import two_release_store

SRC = Path(__file__).resolve().parents[2] / "src"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str]) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    return subprocess.Popen(
        [sys.executable, "-m", "peacewatch", "serve", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.slow
def test_the_real_server_answers_on_loopback_and_stops(tmp_path):
    store = two_release_store(tmp_path)
    port = _free_port()
    proc = _start(["--store", str(store.path), "--port", str(port), "--workers", "2", "--no-warm"])
    try:
        deadline, answer = time.monotonic() + 120, None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/api/datasets", timeout=30)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert answer is not None, proc.stderr.read() if proc.poll() is not None else "no answer in 120 s"
        assert answer.status_code == 200 and answer.json()[0]["dataset_id"] == "acled-afg"
        assert answer.headers["peacewatch-snapshot"] == "2"
        assert "server" not in answer.headers  # no version banner
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            _, err = proc.communicate(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    assert f"http://127.0.0.1:{port}/" in err
    assert "warning" not in err.lower()


def test_a_non_loopback_host_is_warned_about_and_writes_need_the_token(tmp_path, monkeypatch):
    from peacewatch.serve import ServeConfig
    from peacewatch.serve.launch import exposure_warning, from_env, to_env

    config = ServeConfig(store=str(tmp_path), allow_writes=True, write_token="x" * 20, cors_origins=("a",))
    assert exposure_warning("127.0.0.1", 8000, config) is None
    assert exposure_warning("::1", 8000, config) is None
    warned = exposure_warning("0.0.0.0", 8000, config)
    assert warned and "beyond this machine" in warned and "TLS" in warned
    again = from_env(to_env(config))
    assert again.write_token is None and again.cors_origins == ("a",)  # the token never goes in the env


def test_allow_writes_without_the_token_stops_the_command_with_one_sentence(tmp_path, monkeypatch, capsys):
    from peacewatch.cli.app import main

    monkeypatch.delenv("PEACEWATCH_SERVE_TOKEN", raising=False)
    store = two_release_store(tmp_path)
    assert main(["serve", "--store", str(store.path), "--allow-writes"]) == 1
    err = capsys.readouterr().err
    assert "PEACEWATCH_SERVE_TOKEN" in err and "Traceback" not in err
