import multiprocessing
import sqlite3
from datetime import date, timedelta

import pytest

from clinicbot.gaps import SCHEMA_VERSION, Gap, GapStore, report, report_as_dict

TODAY = date(2025, 6, 30)


def store_on(path, day, retention_days=90):
    """A store whose clock says `day`: how the tests write rows dated in the past."""
    return GapStore(path, retention_days, today=lambda: day)


def raw_rows(path):
    with sqlite3.connect(path) as db:
        return db.execute("SELECT day, kind, rating, status, article_url, question FROM events ORDER BY id").fetchall()


def test_round_trip(tmp_path):
    store = store_on(tmp_path / "db.sqlite3", TODAY)
    store.record_unanswered("do you treat horses?")
    store.record_feedback("down", "answered", "https://www.example.com/blog/knee", "why so vague about knees")
    store.record_feedback("up", "answered", "https://www.example.com/blog/knee", "great, thanks")
    assert store.unanswered() == [Gap("2025-06-30", "unanswered", "do you treat horses?"),
                                  Gap("2025-06-30", "rating", "why so vague about knees")]
    assert store.feedback_counts() == {"up": 1, "down": 1}


def test_questions_are_redacted_before_they_are_written(tmp_path):
    store = GapStore(tmp_path / "db.sqlite3")
    store.record_unanswered("do you treat horses? I'm Jane, jane@example.org, 203-555-0199")
    store.record_feedback("down", "answered", "https://www.example.com/blog/x", "my name is Bob Stone, why so vague")
    assert [g.question for g in store.unanswered()] == [
        "do you treat horses? I'm [name], [email], [phone]", "my name is [name], why so vague"]
    # the database file and its WAL journal, byte for byte
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir())
    for secret in (b"jane@example.org", b"555-0199", b"Jane", b"Bob Stone"):
        assert secret not in raw


def test_an_up_vote_keeps_no_question(tmp_path):
    store = store_on(tmp_path / "db.sqlite3", TODAY)
    store.record_feedback("up", "answered", "https://www.example.com/blog/x", "great answer, thanks from Sue")
    assert raw_rows(tmp_path / "db.sqlite3") == [
        ("2025-06-30", "rating", "up", "answered", "https://www.example.com/blog/x", None)]
    assert store.unanswered() == []
    assert b"Sue" not in b"".join(p.read_bytes() for p in tmp_path.iterdir())


def test_no_column_can_hold_an_address_a_browser_or_a_time(tmp_path):
    GapStore(tmp_path / "db.sqlite3").record_unanswered("do you treat horses?")
    with sqlite3.connect(tmp_path / "db.sqlite3") as db:
        columns = {row[1] for row in db.execute("PRAGMA table_info(events)")}
        (day,), = db.execute("SELECT day FROM events")
    assert columns == {"id", "day", "kind", "rating", "status", "article_url", "question"}
    assert day == date.today().isoformat()  # the date only, no time of day


def test_schema_version_is_recorded_and_a_newer_file_is_refused(tmp_path):
    path = tmp_path / "db.sqlite3"
    GapStore(path)
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA user_version").fetchone() == (SCHEMA_VERSION,)
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        db.execute(f"PRAGMA user_version={SCHEMA_VERSION + 1}")
    with pytest.raises(RuntimeError, match="schema version"):
        GapStore(path)


def test_purge_deletes_rows_past_retention(tmp_path):
    path = tmp_path / "db.sqlite3"
    store_on(path, TODAY - timedelta(days=45)).record_unanswered("an old question about horses")
    store_on(path, TODAY - timedelta(days=10)).record_unanswered("a recent question about ponies")
    store = store_on(path, TODAY, retention_days=30)
    assert store.purge() == 1
    assert store.purge() == 0
    assert [g.question for g in store.unanswered()] == ["a recent question about ponies"]


def test_writes_and_reports_purge_without_being_asked(tmp_path):
    path = tmp_path / "db.sqlite3"
    store_on(path, TODAY - timedelta(days=45)).record_unanswered("an old question about horses")
    store_on(path, TODAY, retention_days=30).record_unanswered("today's question about donkeys")
    assert len(raw_rows(path)) == 1
    store_on(path, TODAY - timedelta(days=45)).record_unanswered("another old one")
    assert [g.question for g in store_on(path, TODAY, retention_days=30).unanswered()] == [
        "today's question about donkeys"]


def test_unanswered_since_days(tmp_path):
    path = tmp_path / "db.sqlite3"
    store_on(path, TODAY - timedelta(days=20)).record_unanswered("three weeks ago")
    store_on(path, TODAY - timedelta(days=7)).record_unanswered("a week ago")
    store = store_on(path, TODAY)
    assert [g.question for g in store.unanswered(since_days=7)] == ["a week ago"]
    assert len(store.unanswered()) == 2


def test_invalid_rating_is_refused(tmp_path):
    store = GapStore(tmp_path / "db.sqlite3")
    with pytest.raises(ValueError):
        store.record_feedback("meh", "answered", None, None)
    assert raw_rows(tmp_path / "db.sqlite3") == []


def _write_many(path, worker, count):
    store = GapStore(path)
    for i in range(count):
        store.record_unanswered(f"worker {worker} question {i}")


def test_two_processes_writing_lose_nothing(tmp_path):
    path = tmp_path / "db.sqlite3"
    GapStore(path)
    # spawn, not fork: the children must not inherit a parent that may have model threads running
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_write_many, args=(path, w, 100)) for w in range(2)]
    for p in processes:
        p.start()
    for p in processes:
        p.join(timeout=60)
    assert [p.exitcode for p in processes] == [0, 0]
    questions = {g.question for g in GapStore(path).unanswered()}
    assert questions == {f"worker {w} question {i}" for w in range(2) for i in range(100)}


# `embed` is the session fixture in tests/conftest.py: the real bundled all-MiniLM-L6-v2.
def test_report_groups_questions_by_meaning(embed):
    questions = ["how much does a visit cost", "where can I park", "how much is a physical therapy session",
                 "recovery after knee replacement", "is there parking near the clinic", "price of physical therapy",
                 "can you do my taxes", "how long to recover from a knee replacement", "parking for patients?",
                 "how expensive is a PT appointment"]
    groups = report(questions, embed)
    assert [g.count for g in groups] == [4, 3, 2, 1]
    assert {q for g in groups for q in g.questions} == set(questions)
    cost, parking, knee, taxes = groups
    assert all(any(w in q for w in ("cost", "price", "much", "expensive")) for q in cost.questions)
    assert all("park" in q for q in parking.questions) and "park" in parking.example
    assert all("knee" in q for q in knee.questions) and "knee" in knee.example
    assert cost.example in cost.questions
    assert report_as_dict(groups)["groups"][3] == {"count": 1, "example": "can you do my taxes",
                                                   "questions": ["can you do my taxes"]}


def test_report_keeps_the_top_groups_and_handles_nothing(embed):
    assert report([], embed) == []
    groups = report(["where can I park", "is there parking near the clinic", "can you do my taxes"], embed, top=1)
    assert [g.count for g in groups] == [2]
