"""Helpers of the browser tests: a quiet local HTTP server, the vendored axe-core, the
in-browser verifier driven like a visitor."""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # noqa: D401 - keep test output clean
        pass


def serve(root: Path):
    handler = functools.partial(_Quiet, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def verify_page(page, url: str, code: str = "", task: str = "2023-01") -> str:
    page.goto(url + f"verify/?task={task}")
    if code:
        page.fill("#gs-verify-code", code)
    page.click("#gs-verify-form button[type=submit]")
    page.wait_for_selector("#gs-verify-verdict", timeout=30000)
    return page.inner_text("#gs-verify-result")
