"""Run a labelled question file through a Bot and score it.

Each line of the file is JSON: `q`, and any of `expect` (acceptable article slugs; the
question must be answered from one of them), `status` ("answered", "no_answer" or
"emergency"), `contains` (text the answer must include), `contains_booking` and
`contains_phone` (the answer must include the booking link / the phone number).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .bot import Bot, Reply
from .parse import url_slug


class QuestionFileError(ValueError):
    pass


@dataclass
class Outcome:
    label: dict
    reply: Reply
    problems: list[str]

    @property
    def passed(self) -> bool:
        return not self.problems

    @property
    def expected_status(self) -> str:
        return self.label.get("status") or ("answered" if "expect" in self.label else "")


@dataclass
class EvalReport:
    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def passed(self) -> int:
        return sum(o.passed for o in self.outcomes)

    def _ratio(self, hits: int, total: int) -> float | None:
        return round(hits / total, 3) if total else None

    @property
    def metrics(self) -> dict:
        answerable = [o for o in self.outcomes if "expect" in o.label]
        said_none = [o for o in self.outcomes if o.reply.status == "no_answer"]
        none_expected = [o for o in self.outcomes if o.expected_status == "no_answer"]
        emergencies = [o for o in self.outcomes if o.expected_status == "emergency"]
        false_alarms = [o for o in self.outcomes if o.reply.status == "emergency" and o.expected_status != "emergency"]
        return {
            "questions": len(self.outcomes),
            "passed": self.passed,
            "top1_accuracy": self._ratio(sum(top_slug(o.reply) in o.label["expect"] for o in answerable), len(answerable)),
            "no_answer_precision": self._ratio(sum(o.expected_status == "no_answer" for o in said_none), len(said_none)),
            "no_answer_recall": self._ratio(sum(o.reply.status == "no_answer" for o in none_expected), len(none_expected)),
            "emergency_recall": self._ratio(sum(o.reply.status == "emergency" for o in emergencies), len(emergencies)),
            "false_emergencies": len(false_alarms),
        }

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.passed]


def load_questions(path: Path) -> list[dict]:
    questions = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            label = json.loads(line)
        except json.JSONDecodeError as err:
            raise QuestionFileError(f"{path}:{number}: not JSON ({err.msg})") from None
        if not isinstance(label, dict) or not isinstance(label.get("q"), str):
            raise QuestionFileError(f'{path}:{number}: each line needs a "q" string')
        questions.append(label)
    return questions


def top_slug(reply: Reply) -> str:
    return url_slug(reply.sources[0].url) if reply.status == "answered" and reply.sources else ""


def check(label: dict, reply: Reply) -> list[str]:
    problems = []
    status = label.get("status") or ("answered" if "expect" in label else None)
    if status and reply.status != status:
        problems.append(f"status {reply.status}, expected {status}")
    if "expect" in label and reply.status == "answered" and top_slug(reply) not in label["expect"]:
        problems.append(f"answered from {top_slug(reply) or reply.kind}, expected {' or '.join(label['expect'])}")
    if "contains" in label and label["contains"].lower() not in reply.answer.lower():
        problems.append(f"answer lacks {label['contains']!r}")
    if label.get("contains_booking") and reply.booking_url not in reply.answer:
        problems.append("answer lacks the booking link")
    if label.get("contains_phone") and reply.phone not in reply.answer:
        problems.append("answer lacks the phone number")
    return problems


def evaluate(bot: Bot, questions: list[dict]) -> EvalReport:
    report = EvalReport()
    for label in questions:
        reply = bot.ask(label["q"])
        report.outcomes.append(Outcome(label, reply, check(label, reply)))
    return report


def gate_questions(corpus: Path) -> list[dict]:
    """The labelled questions a build must keep passing: every *.jsonl in CORPUS/questions/."""
    return [q for path in sorted((Path(corpus) / "questions").glob("*.jsonl")) for q in load_questions(path)]


def compare(before: EvalReport, after: EvalReport) -> tuple[list[str], list[str]]:
    """(questions that passed before and fail now, questions whose answer changed)."""
    regressions, changed = [], []
    for old, new in zip(before.outcomes, after.outcomes):
        question = old.label["q"]
        if old.passed and not new.passed:
            regressions.append(f"{question!r}: {'; '.join(new.problems)}")
        was, now = (old.reply.status, top_slug(old.reply)), (new.reply.status, top_slug(new.reply))
        if was != now:
            changed.append(f"{question!r}: {'/'.join(filter(None, was))} → {'/'.join(filter(None, now))}")
    return regressions, changed


def sweep(bot: Bot, questions: list[dict], thresholds: list[float]) -> list[dict]:
    """How each answer threshold would do on the labelled article and no-answer questions.

    Every question is asked once with no threshold; a threshold t then answers exactly the
    questions whose best article scored at least t. Questions the red-flag gate or the
    clinic topics take are left out: the threshold never sees them.
    """
    open_bot = bot.with_threshold(0.0)
    scored = []
    for label in questions:
        expected = label.get("status") or ("answered" if "expect" in label else "")
        if "expect" not in label and expected != "no_answer":
            continue
        reply = open_bot.ask(label["q"])
        if reply.kind == "article":
            scored.append((label, reply.score, top_slug(reply)))
        elif expected == "no_answer" and reply.status == "no_answer":
            scored.append((label, reply.score, ""))
    rows = []
    for t in thresholds:
        right = sum((s >= t and slug in label["expect"]) if "expect" in label else s < t for label, s, slug in scored)
        wrong_answers = sum(s >= t for label, s, _ in scored if "expect" not in label)
        missed = sum(s < t for label, s, _ in scored if "expect" in label)
        rows.append({"threshold": t, "correct": right, "of": len(scored),
                     "answered_off_topic": wrong_answers, "refused_answerable": missed})
    return rows
