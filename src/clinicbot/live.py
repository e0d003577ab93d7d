"""Keeps a process serving the newest published index without a restart.

Every `reload_seconds` one request checks where ROOT/current points (a single readlink).
When it has moved, a background thread loads the new version and swaps it in with one
assignment; requests in flight keep the Bot they started with, and none waits for the load.
A version that fails to load is logged and skipped; the old one keeps serving.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from . import publish
from .bot import Bot
from .index import Index

log = logging.getLogger(__name__)


class LiveBot:
    def __init__(self, bot: Bot, root: Path, reload_seconds: float):
        self.bot = bot
        self.root = Path(root)
        self.reload_seconds = reload_seconds
        self._seen = publish.current_name(self.root)
        self._next_check = time.monotonic() + reload_seconds
        self._loading = threading.Lock()

    def get(self) -> Bot:
        if self.reload_seconds > 0 and time.monotonic() >= self._next_check:
            self._next_check = time.monotonic() + self.reload_seconds
            name = publish.current_name(self.root)
            if name and name != self._seen and self._loading.acquire(blocking=False):
                threading.Thread(target=self._load, args=(name,), daemon=True).start()
        return self.bot

    def _load(self, name: str) -> None:
        try:
            folder = publish.current(self.root)
            index = Index.load(folder, self.bot.embedder.fingerprint)
            self.bot = self.bot.with_index(index)
            log.info("now serving index %s", index.version or folder.name)
        except Exception:  # keep serving the old index, whatever went wrong with the new one
            log.exception("could not load the newly published index %s; still serving the previous one", name)
        finally:
            self._seen = name
            self._loading.release()
