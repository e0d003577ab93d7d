"""What the test modules share (conftest.py files can't be imported by name: there are two)."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DATA = Path(__file__).parent / "data"
MODEL_CACHE = str(ROOT / "var" / "model-cache")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(port: int, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=json.dumps(body) if body else None, headers={"Content-Type": "application/json"})
    response = conn.getresponse()
    data = json.loads(response.read())
    conn.close()
    return response.status, data


def wait_for(condition, seconds: float) -> bool:
    """Polls until condition() is true (connection errors count as not yet), at most `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OSError:
            pass
        time.sleep(0.2)
    return False


@contextmanager
def running_server(*args, env: dict):
    """A real `clinicbot serve` process on a free port, healthy before the port is yielded."""
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "clinicbot", "serve", "--port", str(port), *map(str, args)],
                              env={**os.environ, "CLINICBOT_MODEL_CACHE": MODEL_CACHE, **env}, start_new_session=True,
                              stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        if not wait_for(lambda: request(port, "GET", "/api/v1/health")[0] == 200, 120):
            raise RuntimeError("clinicbot serve did not start")
        yield port
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
