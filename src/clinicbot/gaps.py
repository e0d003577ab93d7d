"""What patients asked that no article answers, and how they rated answers, in SQLite.

Privacy by design: questions are redacted before they are written, an up-vote keeps no
question at all, rows carry the day (not the time), and there is no column for an IP
address, a browser, a cookie or a session. Rows older than `retention_days` are purged on
the first write of each day and before every read of the gaps.

Several web workers share one file: WAL journal (readers never block the writer), short
transactions, and a 5 s busy timeout so a worker waits for a lock instead of failing.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from .privacy import redact_question

SCHEMA_VERSION = 1  # PRAGMA user_version; raise it (and migrate) when the schema changes
SCHEMA = [
    """CREATE TABLE IF NOT EXISTS events (
        id INTEGER PRIMARY KEY,
        day TEXT NOT NULL,          -- YYYY-MM-DD: the date only, so timing cannot single anyone out
        kind TEXT NOT NULL,         -- 'unanswered' or 'rating'
        rating TEXT,                -- 'up' / 'down' for ratings
        status TEXT,                -- the reply's status: answered, no_answer, emergency
        article_url TEXT,
        question TEXT               -- redacted; kept only for unanswered questions and thumbs-down
    )""",
    "CREATE INDEX IF NOT EXISTS events_day ON events(day)",
]
RATINGS = ("up", "down")


@dataclass(frozen=True)
class Gap:
    day: str       # YYYY-MM-DD
    kind: str      # 'unanswered' (no article matched) or 'rating' (a thumbs-down)
    question: str  # redacted


class GapStore:
    """One SQLite file; safe to use from several threads and processes at once.

    `today` is the clock, a hook for tests (and backfills) that need rows dated in the past.
    """

    def __init__(self, path: Path | str, retention_days: int = 90, *,
                 today: Callable[[], date] = date.today):
        self.path = Path(path)
        self.retention_days = retention_days
        self.today = today
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._last_purge: date | None = None
        self._create_schema()

    def _connect(self) -> sqlite3.Connection:
        """One connection per thread, kept open: opening one per write cost more than the write.

        Keyed by process id too: a connection must not be used on both sides of a fork.
        """
        if getattr(self._local, "pid", None) != os.getpid():
            # isolation_level=None: no implicit transactions; `_transaction` says where they begin and end.
            db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            # WAL with synchronous=NORMAL skips the fsync per commit (the request path stays
            # fast); a power cut can lose the last few rows, never corrupt the file.
            db.execute("PRAGMA synchronous=NORMAL")
            self._local.db, self._local.pid = db, os.getpid()
        return self._local.db

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE takes the write lock up front, so two writers queue (for up to `timeout`)
        instead of both reading and then one failing to upgrade its lock."""
        db = self._connect()
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def _create_schema(self) -> None:
        db = self._connect()
        db.execute("PRAGMA journal_mode=WAL")  # stored in the file; cannot be set inside a transaction
        with self._transaction() as db:  # read the version under the lock: another process may be creating it
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if version > SCHEMA_VERSION:
                raise RuntimeError(f"{self.path} has schema version {version}; this clinicbot knows up to {SCHEMA_VERSION}")
            for statement in SCHEMA:
                db.execute(statement)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _insert(self, kind: str, rating: str | None, status: str | None, article_url: str | None,
                question: str | None) -> None:
        today = self.today()
        stored = redact_question(question) if question else None
        with self._transaction() as db:
            db.execute("INSERT INTO events (day, kind, rating, status, article_url, question) VALUES (?, ?, ?, ?, ?, ?)",
                       (today.isoformat(), kind, rating, status, article_url, stored))
        if self._last_purge != today:  # once a day per process is plenty for a 90-day window
            self.purge()

    def record_unanswered(self, question: str, status: str = "no_answer") -> None:
        self._insert("unanswered", None, status, None, question)

    def record_feedback(self, rating: str, status: str, article_url: str | None, question: str | None) -> None:
        """A thumbs-down keeps the (redacted) question, to find content gaps; a thumbs-up keeps none."""
        if rating not in RATINGS:
            raise ValueError(f"rating must be one of {RATINGS}, not {rating!r}")
        self._insert("rating", rating, status, article_url, question if rating == "down" else None)

    def purge(self) -> int:
        """Deletes rows older than `retention_days`; returns how many went."""
        today = self.today()
        cutoff = today - timedelta(days=self.retention_days)
        with self._transaction() as db:
            deleted = db.execute("DELETE FROM events WHERE day < ?", (cutoff.isoformat(),)).rowcount
        self._last_purge = today
        return deleted

    def unanswered(self, since_days: int | None = None) -> list[Gap]:
        """No-answer questions and thumbs-down questions, oldest first: what the articles don't cover yet."""
        self.purge()  # a report must never show what should have been deleted, even after a quiet spell
        since = date.min if since_days is None else self.today() - timedelta(days=since_days)
        rows = self._connect().execute(
            "SELECT day, kind, question FROM events WHERE question IS NOT NULL AND day >= ? "
            "AND (kind = 'unanswered' OR rating = 'down') ORDER BY id", (since.isoformat(),)).fetchall()
        return [Gap(*row) for row in rows]

    def feedback_counts(self) -> dict[str, int]:
        rows = self._connect().execute(
            "SELECT rating, COUNT(*) FROM events WHERE kind = 'rating' GROUP BY rating").fetchall()
        return {"up": 0, "down": 0, **dict(rows)}


@dataclass
class GapGroup:
    count: int
    example: str
    questions: list[str]


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=-1, keepdims=True)


def _leader_clusters(vectors: np.ndarray, similarity: float) -> tuple[list[list[int]], list[np.ndarray]]:
    """Pass 1: each question joins the group with the most similar centroid if the cosine is at
    least `similarity`, else it leads a new group. Returns members and each group's vector sum."""
    members: list[list[int]] = []
    sums: list[np.ndarray] = []
    for i, vector in enumerate(vectors):
        if sums:
            scores = _unit(np.array(sums)) @ vector
            best = int(np.argmax(scores))
            if scores[best] >= similarity:
                members[best].append(i)
                sums[best] = sums[best] + vector
                continue
        members.append([i])
        sums.append(vector.copy())
    return members, sums


def _merge_close_groups(members: list[list[int]], sums: list[np.ndarray], similarity: float) -> list[list[int]]:
    """Pass 2: pass 1 depends on the order questions came in (a question that arrived before its
    paraphrases may lead a group of its own), so the two groups with the closest centroids are
    merged while their cosine is at least `similarity` (agglomerative clustering on centroids)."""
    while len(members) > 1:
        centroids = _unit(np.array(sums))
        closeness = centroids @ centroids.T
        np.fill_diagonal(closeness, -np.inf)
        a, b = sorted(np.unravel_index(int(np.argmax(closeness)), closeness.shape))
        if closeness[a, b] < similarity:
            break
        members[a] = sorted(members[a] + members.pop(b))
        sums[a] = sums[a] + sums.pop(b)
    return members


def report(questions: list[str], embed: Callable[[list[str]], np.ndarray], *, similarity: float = 0.45,
           top: int = 10) -> list[GapGroup]:
    """Groups questions by meaning, biggest group first (ties by example), at most `top` groups.

    `embed` returns one unit-length row per text, so the cosine of two questions is their dot
    product. A group's centroid is the normalised mean of its members; the 1/n of the mean
    cancels in the normalisation, so a running vector sum is all a group needs. The example
    shown for a group is the member nearest its centroid: the most typical wording.

    `similarity` 0.45, not higher: with all-MiniLM-L6-v2, paraphrases of short questions
    ("price of physical therapy" / "how much does a visit cost") score only 0.4-0.6 apart,
    while unrelated clinic questions mostly stay below 0.3.
    """
    if not questions:
        return []
    vectors = np.asarray(embed(questions), dtype=np.float32)
    members, sums = _leader_clusters(vectors, similarity)
    groups = []
    for rows in _merge_close_groups(members, sums, similarity):
        centroid = _unit(vectors[rows].sum(axis=0))
        example = rows[int(np.argmax(vectors[rows] @ centroid))]
        groups.append(GapGroup(len(rows), questions[example], [questions[r] for r in rows]))
    groups.sort(key=lambda g: (-g.count, g.example))
    return groups[:top]


def report_as_dict(groups: list[GapGroup]) -> dict:
    """The JSON body of the admin report endpoint."""
    return {"groups": [asdict(g) for g in groups]}
