"""A real `clinicbot serve` process and headless Debian Chromium driven by Playwright."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import sync_playwright

from support import CORPUS, free_port, running_server

CHROMIUM = "/usr/bin/chromium"
HOST_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Another clinic site</title></head>
<body><h1>A page on another origin with a strict CSP</h1>
<script src="{bot}/widget.js" data-api="{bot}" data-title="Strict Clinic" defer></script></body></html>"""


@pytest.fixture(scope="session")
def host_origin():
    """Another origin (another port) serving a clinic page under a strict Content-Security-Policy."""
    holder = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            bot = holder["bot"]
            body = HOST_PAGE.format(bot=bot).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", f"default-src 'none'; script-src {bot}; "
                                                        f"connect-src {bot}; style-src {bot}; img-src {bot}")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield holder, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="session")
def bot_url(index_root, host_origin, tmp_path_factory):
    holder, origin = host_origin
    env = {"CLINICBOT_ALLOWED_ORIGINS": origin, "CLINICBOT_DB": str(tmp_path_factory.mktemp("db") / "clinicbot.sqlite3")}
    with running_server("--index", index_root, "--corpus", CORPUS, env=env) as port:
        holder["bot"] = f"http://127.0.0.1:{port}"
        yield holder["bot"]


@pytest.fixture(scope="session")
def browser():
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM,
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
