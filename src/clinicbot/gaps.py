"""What patients asked that no article answers, and how they rated answers, in SQLite.

Privacy by design: questions are redacted before they are written, an up-vote keeps no
question at all, rows carry the day (not the time), and there is no column for an IP
address, a browser or a session. Rows older than `retention_days` are deleted on write.
"""

from __future__ import annotations

import sqlite3
import threading
from contextlib import closing
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Callable

import numpy as np

from .privacy import normalise_question, redact

SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    id INTEGER PRIMARY KEY,
    day TEXT NOT NULL,          -- YYYY-MM-DD: the date only, so timing cannot single anyone out
    kind TEXT NOT NULL,         -- 'unanswered' or 'rating'
    rating TEXT,                -- 'up' / 'down' for ratings
    status TEXT,                -- the reply's status: answered, no_answer, emergency
    article_url TEXT,
    question TEXT               -- redacted; kept only for unanswered questions and thumbs-down
);
CREATE INDEX IF NOT EXISTS events_day ON events(day);
"""


@dataclass
class Gap:
    day: str
    kind: str
    question: str


class GapStore:
    def __init__(self, path: Path | str, retention_days: int = 90):
        self.path = Path(path)
        self.retention_days = retention_days
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        with closing(sqlite3.connect(self.path, timeout=5)) as db, db:
            db.execute("PRAGMA journal_mode=WAL")  # several workers write; readers never block
            db.executescript(SCHEMA)
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def _connect(self) -> sqlite3.Connection:
        """One connection per thread, kept open: opening one per write cost more than the write."""
        db = getattr(self._local, "db", None)
        if db is None:
            db = self._local.db = sqlite3.connect(self.path, timeout=5)
            # WAL with synchronous=NORMAL skips the fsync per commit (the request path stays
            # fast); a power cut can lose the last few rows, never corrupt the file.
            db.execute("PRAGMA synchronous=NORMAL")
        return db

    def _write(self, kind: str, rating: str | None, status: str | None, article_url: str | None,
               question: str | None, today: date | None = None) -> None:
        today = today or date.today()
        with self._connect() as db:  # one transaction
            db.execute("INSERT INTO events (day, kind, rating, status, article_url, question) VALUES (?, ?, ?, ?, ?, ?)",
                       (today.isoformat(), kind, rating, status, article_url,
                        redact(normalise_question(question)) if question else None))
            db.execute("DELETE FROM events WHERE day < ?", ((today - timedelta(days=self.retention_days)).isoformat(),))

    def record_unanswered(self, question: str, status: str = "no_answer", today: date | None = None) -> None:
        self._write("unanswered", None, status, None, question, today)

    def record_feedback(self, rating: str, status: str, article_url: str | None, question: str | None,
                        today: date | None = None) -> None:
        if rating not in ("up", "down"):
            raise ValueError('rating must be "up" or "down"')
        self._write("rating", rating, status, article_url, question if rating == "down" else None, today)

    def unanswered(self) -> list[Gap]:
        """No-answer questions and thumbs-down questions: what the articles don't cover yet."""
        with self._connect() as db:
            rows = db.execute("SELECT day, kind, question FROM events WHERE question IS NOT NULL "
                              "AND (kind = 'unanswered' OR rating = 'down') ORDER BY id").fetchall()
        return [Gap(*row) for row in rows]

    def feedback_counts(self) -> dict[str, int]:
        with self._connect() as db:
            rows = db.execute("SELECT rating, COUNT(*) FROM events WHERE kind = 'rating' GROUP BY rating").fetchall()
        return {"up": 0, "down": 0, **dict(rows)}


@dataclass
class GapGroup:
    count: int
    example: str
    questions: list[str]


def report(questions: list[str], embed: Callable[[list[str]], np.ndarray], *, similarity: float = 0.45,
           top: int = 10) -> list[GapGroup]:
    """Groups questions by meaning: leader clustering, then merging of close groups.

    Vectors are unit length, so cosine = dot product. Pass 1: each question joins the group
    whose centroid (normalised mean of its members) is most similar, if at least
    `similarity`, else starts a group. Pass 1 depends on the order questions came in, so
    pass 2 merges the two closest groups while their centroids are at least `similarity`
    apart. The example is the member nearest its group's centroid.
    """
    if not questions:
        return []
    vectors = embed(questions)

    def centroid(rows: list[int]) -> np.ndarray:
        mean = vectors[rows].mean(axis=0)
        return mean / np.linalg.norm(mean)

    members: list[list[int]] = []
    for i, vector in enumerate(vectors):
        scores = [float(centroid(rows) @ vector) for rows in members]
        best = int(np.argmax(scores)) if scores else -1
        if best >= 0 and scores[best] >= similarity:
            members[best].append(i)
        else:
            members.append([i])
    while len(members) > 1:
        centroids = np.array([centroid(rows) for rows in members])
        closeness = centroids @ centroids.T
        np.fill_diagonal(closeness, -1.0)
        a, b = np.unravel_index(int(np.argmax(closeness)), closeness.shape)
        if closeness[a, b] < similarity:
            break
        members[a].extend(members.pop(b))
    groups = []
    for rows in members:
        example = rows[int(np.argmax(vectors[rows] @ centroid(rows)))]
        groups.append(GapGroup(len(rows), questions[example], [questions[r] for r in rows]))
    groups.sort(key=lambda g: (-g.count, g.example))
    return groups[:top]


def report_as_dict(groups: list[GapGroup]) -> dict:
    return {"groups": [{"count": g.count, "example": g.example, "questions": g.questions} for g in groups]}
