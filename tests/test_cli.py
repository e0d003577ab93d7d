"""The CLI commands a developer or staff member runs (in-process, with the session's index)."""

import json

from click.testing import CliRunner

from clinicbot.cli import cli
from support import CORPUS, DATA, MODEL_CACHE


def run(index_root, *args):
    env = {"CLINICBOT_MODEL_CACHE": MODEL_CACHE, "CLINICBOT_INDEX": str(index_root), "CLINICBOT_CORPUS": str(CORPUS)}
    return CliRunner().invoke(cli, list(map(str, args)), env=env, catch_exceptions=False)


def test_ask_prints_the_answer_or_json(index_root):
    text = run(index_root, "ask", "Is there a cure for Meniere's disease?")
    assert text.exit_code == 0
    assert text.output.startswith("[answered]\nThere is currently no cure for Meniere's disease.")
    reply = json.loads(run(index_root, "ask", "I can't breathe", "--json").output)
    assert reply["status"] == "emergency" and reply["sources"] == []


def test_eval_prints_metrics_and_every_miss(index_root, tmp_path):
    labels = tmp_path / "q.jsonl"
    labels.write_text('{"q": "What is a trigger point?", "expect": ["who-can-benefit-from-dry-needling"]}\n'
                      '{"q": "What is a trigger point?", "expect": ["all-about-menieres-disease-signs-and-treatments"]}\n'
                      '{"q": "best pizza in town?", "status": "no_answer"}\n'
                      '{"q": "I want to kill myself", "status": "emergency"}\n')
    result = run(index_root, "eval", labels)
    assert result.exit_code == 0
    assert "top1_accuracy: 0.5" in result.output and "no_answer_recall: 1.0" in result.output
    assert "emergency_recall: 1.0" in result.output
    assert "MISS 'What is a trigger point?': answered from who-can-benefit-from-dry-needling" in result.output
    metrics = json.loads(run(index_root, "eval", labels, "--json").output)
    assert metrics["passed"] == 3 and len(metrics["misses"]) == 1


def test_eval_baselines_and_sweep(index_root):
    bm25 = json.loads(run(index_root, "eval", DATA / "patient_questions.jsonl", "--json", "--mode", "bm25").output)
    hybrid = json.loads(run(index_root, "eval", DATA / "patient_questions.jsonl", "--json").output)
    assert hybrid["passed"] > bm25["passed"]
    rows = json.loads(run(index_root, "eval", DATA / "patient_questions.jsonl", "--sweep", "--json").output)
    assert [r["threshold"] for r in rows][:2] == [0.2, 0.225]
    assert rows[0]["refused_answerable"] <= rows[-1]["refused_answerable"]
    assert rows[0]["answered_off_topic"] >= rows[-1]["answered_off_topic"]


def test_a_bad_question_file_is_a_clear_error(index_root, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"q": "ok"}\nnot json\n')
    result = run(index_root, "eval", bad)
    assert result.exit_code == 1 and "bad.jsonl:2: not JSON" in result.output


def test_templates_can_be_overridden(bot, tmp_path):
    (tmp_path / "no_answer.txt.j2").write_text("Sorry! Ring {{ clinic.phone }}.")
    from clinicbot.bot import Bot

    custom = Bot(bot.embedder, bot.index, bot.clinic, answer_threshold=0.4, emergency_threshold=0.68,
                 templates=tmp_path, safety=bot.safety, intents=bot.intents)
    assert custom.ask("what's the capital of France?").answer == f"Sorry! Ring {bot.clinic.phone}."
    assert "Read the full article" in custom.ask("does dry needling hurt?").answer  # the rest stay built in
