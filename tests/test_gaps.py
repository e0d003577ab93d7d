import multiprocessing
import sqlite3
from datetime import date, timedelta

import pytest

from clinicbot.gaps import GapStore, report, report_as_dict


def test_questions_are_redacted_before_they_are_written(tmp_path):
    store = GapStore(tmp_path / "db.sqlite3")
    store.record_unanswered("do you treat horses? I'm Jane, jane@example.org, 203-555-0199")
    store.record_feedback("down", "answered", "https://www.example.com/blog/x", "my name is Bob Stone, why so vague")
    store.record_feedback("up", "answered", "https://www.example.com/blog/x", "great answer, thanks from Sue at 203-555-0100")
    assert [g.question for g in store.unanswered()] == [
        "do you treat horses? I'm [name], [email], [phone]", "my name is [name], why so vague"]
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for secret in (b"jane@example.org", b"555-0199", b"Bob Stone", b"Sue", b"555-0100"):
        assert secret not in raw
    assert store.feedback_counts() == {"up": 1, "down": 1}


def test_no_column_can_hold_an_address_or_a_browser(tmp_path):
    GapStore(tmp_path / "db.sqlite3")
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(events)")}
    assert columns == {"id", "day", "kind", "rating", "status", "article_url", "question"}


def test_rows_past_retention_are_deleted(tmp_path):
    store = GapStore(tmp_path / "db.sqlite3", retention_days=30)
    today = date.today()
    store.record_unanswered("an old question about horses", today=today - timedelta(days=45))
    store.record_unanswered("a recent question about ponies", today=today - timedelta(days=10))
    store.record_unanswered("today's question about donkeys", today=today)
    assert [g.question for g in store.unanswered()] == ["a recent question about ponies", "today's question about donkeys"]


def test_invalid_rating_is_refused(tmp_path):
    with pytest.raises(ValueError):
        GapStore(tmp_path / "db.sqlite3").record_feedback("meh", "answered", None, None)


def _write_many(path, worker):
    store = GapStore(path)
    for i in range(50):
        store.record_unanswered(f"worker {worker} question {i}")


def test_two_processes_writing_lose_nothing(tmp_path):
    path = tmp_path / "db.sqlite3"
    GapStore(path)
    processes = [multiprocessing.Process(target=_write_many, args=(path, w)) for w in range(2)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=60)
    assert len(GapStore(path).unanswered()) == 100


def test_report_groups_questions_by_meaning(embed):
    questions = ["how much does a visit cost", "how much is a physical therapy session", "price of physical therapy",
                 "how expensive is a PT appointment",
                 "where can I park", "is there parking near the clinic", "parking for patients?",
                 "recovery after knee replacement", "how long to recover from a knee replacement",
                 "can you do my taxes"]
    groups = report(questions, embed)
    assert [g.count for g in groups] == [4, 3, 2, 1]
    assert "park" in groups[1].example and "knee" in groups[2].example
    assert report_as_dict(groups)["groups"][3] == {"count": 1, "example": "can you do my taxes",
                                                   "questions": ["can you do my taxes"]}
