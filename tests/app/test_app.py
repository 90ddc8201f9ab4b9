"""The sample app in app/: its server answers / and /healthz and stops on SIGTERM;
its Dockerfile keeps the properties the task definition relies on."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
TIMEOUT = 10


@pytest.fixture
def server():
    """The real entry point on 127.0.0.1 and an ephemeral port; always stopped."""
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": "0", "SERVICE_NAME": "web"}
    process = subprocess.Popen(
        [sys.executable, str(APP / "server.py")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        first_line = process.stdout.readline()
        match = re.fullmatch(r"listening on 127\.0\.0\.1:(\d+)\n", first_line)
        assert match, f"unexpected first line: {first_line!r}"
        yield process, f"http://127.0.0.1:{match.group(1)}"
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(TIMEOUT)
        process.stdout.close()


def get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers["Content-Type"], error.read()


def test_server_answers_root_and_health_then_stops_on_sigterm(server):
    process, base = server

    status, content_type, body = get(base + "/")
    assert (status, content_type) == (200, "application/json")
    assert json.loads(body)["service"] == "web"

    assert get(base + "/healthz") == (200, "text/plain; charset=utf-8", b"ok\n")
    assert get(base + "/healthz?probe=alb")[0] == 200
    assert get(base + "/missing")[0] == 404

    process.send_signal(signal.SIGTERM)
    assert process.wait(TIMEOUT) == 0
    log = process.stdout.read()
    assert '"GET /healthz HTTP/1.1" 200' in log
    assert log.rstrip().endswith("stopped")


def test_dockerfile_runs_the_server_as_non_root_on_8080_without_healthcheck():
    lines = [line for line in (APP / "Dockerfile").read_text().splitlines() if not line.lstrip().startswith("#")]
    # Join continuation lines, then one (KEYWORD, arguments) pair per instruction.
    instructions = [
        (keyword.upper(), " ".join(rest.split()))
        for keyword, rest in (
            text.split(None, 1) for text in "\n".join(lines).replace("\\\n", " ").splitlines() if text.strip()
        )
    ]
    keywords = [keyword for keyword, _ in instructions]
    values = dict(instructions)

    assert values["USER"] not in ("root", "0"), "the image must not run as root"
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k == "RUN")
    assert values["EXPOSE"] == "8080"
    assert "HEALTHCHECK" not in keywords, "the ALB target group owns health checks"
    assert "PYTHONDONTWRITEBYTECODE=1" in values["ENV"]
    assert json.loads(values["CMD"]) == ["python", "/srv/server.py"]
