"""Publishing: versions, atomic switch, rollback, the quality gate, and a live server that
keeps answering while builds are killed and picks up new versions by itself."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from clinicbot import publish
from clinicbot.index import Index
from support import CORPUS, MODEL_CACHE, request, running_server, wait_for

GATE = [{"q": "Do I need surgery for carpal tunnel syndrome?", "expect": ["carpal-tunnel-syndrome-will-i-need-surgery"]},
        {"q": "Does dry needling hurt?", "expect": ["who-can-benefit-from-dry-needling"]}]
NEW_POST = """---
title: Heat or Ice After an Injury?
date: 2024-06-01
---

Choosing between heat and ice puzzles many of our patients after a sprain, a strain or a long day of gardening.

## When should I use ice?

Ice is best in the first two or three days after an injury, while the area is swollen and warm to the touch.
Wrap the ice pack in a thin towel and keep it on for fifteen minutes at a time.
"""


def cli(*args, env=None, timeout=300):
    environment = {**os.environ, "CLINICBOT_MODEL_CACHE": MODEL_CACHE, "CLINICBOT_RELOAD_SECONDS": "0.5", **(env or {})}
    return subprocess.run([sys.executable, "-m", "clinicbot", *map(str, args)], capture_output=True, text=True,
                          env=environment, timeout=timeout, stdin=subprocess.DEVNULL)


@pytest.fixture
def gated_corpus(corpus_copy):
    (corpus_copy / "questions").mkdir()
    (corpus_copy / "questions" / "gate.jsonl").write_text("\n".join(json.dumps(q) for q in GATE) + "\n")
    return corpus_copy


def test_versions_rollback_and_prune(tmp_path, index_root):
    index = Index.load(publish.current(index_root))  # a private copy: staging renumbers it
    root = tmp_path / "root"
    published = []
    for _ in range(4):
        with publish.build_lock(root):
            version, staged = publish.stage(root, index)
            published.append(publish.publish(root, staged, version))
    assert publish.current(root) == published[-1].resolve()
    assert [p.name[:5] for p in publish.versions(root)] == ["v0001", "v0002", "v0003", "v0004"]
    assert publish.rollback(root) == published[-2]
    assert publish.current(root) == published[-2].resolve()
    publish.prune(root, keep=2)
    assert [p.name[:5] for p in publish.versions(root)] == ["v0003", "v0004"]
    with pytest.raises(publish.PublishError, match="no earlier version"):
        publish.rollback(root)


def test_build_refuses_to_publish_a_regression_unless_forced(gated_corpus, tmp_path):
    root = tmp_path / "index"
    first = cli("build", "--corpus", gated_corpus, "--index", root)
    assert first.returncode == 0, first.stderr
    assert "checked 2 labelled questions: 2 pass" in first.stdout
    served = publish.current(root)

    (gated_corpus / "carpal-tunnel-syndrome-will-i-need-surgery.html").unlink()
    refused = cli("build", "--corpus", gated_corpus, "--index", root)
    assert refused.returncode == 1
    assert "now fails: 'Do I need surgery for carpal tunnel syndrome?'" in refused.stderr
    assert "nothing was published" in refused.stderr
    assert publish.current(root) == served and len(publish.versions(root)) == 1

    forced = cli("build", "--corpus", gated_corpus, "--index", root, "--force")
    assert forced.returncode == 0, forced.stderr
    assert "answer changed: 'Do I need surgery for carpal tunnel syndrome?'" in forced.stdout
    assert "1 removed" in forced.stdout
    assert publish.current(root) != served

    rolled = cli("rollback", "--index", root)
    assert rolled.returncode == 0 and publish.current(root) == served


def test_cli_errors_name_the_fix(tmp_path):
    no_index = cli("serve", "--index", tmp_path / "nothing", "--port", "0")
    assert no_index.returncode == 1 and "run `clinicbot build` first" in no_index.stderr
    no_corpus = cli("build", "--corpus", tmp_path / "missing", "--index", tmp_path / "i")
    assert no_corpus.returncode == 1 and "clinic.toml is missing" in no_corpus.stderr
    (tmp_path / "empty").mkdir()
    shutil.copy(CORPUS / "clinic.toml", tmp_path / "empty")
    empty = cli("build", "--corpus", tmp_path / "empty", "--index", tmp_path / "i")
    assert empty.returncode == 1 and "no usable articles" in empty.stderr
    assert publish.current(tmp_path / "i") is None


def test_live_server_survives_killed_builds_and_reloads_new_versions(gated_corpus, tmp_path):
    root = tmp_path / "index"
    assert cli("build", "--corpus", gated_corpus, "--index", root).returncode == 0
    environment = {**os.environ, "CLINICBOT_MODEL_CACHE": MODEL_CACHE, "CLINICBOT_RELOAD_SECONDS": "0.5",
                   "CLINICBOT_DB": str(tmp_path / "db.sqlite3")}
    with running_server("--index", root, "--corpus", gated_corpus, "--workers", "2", env=environment) as port:
        (gated_corpus / "heat-or-ice.md").write_text(NEW_POST)

        # SIGKILL builds at different moments: loading, embedding, checking, about to publish.
        for delay in (0.5, 2.5, 5.0, 7.0):
            build = subprocess.Popen([sys.executable, "-m", "clinicbot", "build", "--corpus", gated_corpus,
                                      "--index", root], env=environment, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
            time.sleep(delay)
            build.send_signal(signal.SIGKILL)
            build.wait()
            status, reply = request(port, "POST", "/api/v1/ask", {"question": "does dry needling hurt?"})
            assert status == 200 and reply["status"] == "answered"
            Index.load(publish.current(root))  # whatever the kill interrupted, `current` is complete

        statuses = []
        done = cli("build", "--corpus", gated_corpus, "--index", root)
        assert done.returncode == 0, done.stderr
        newest = publish.current(root).name
        assert not list((root / "versions").glob(".building-*"))  # leftovers cleared

        def all_workers_on_newest():
            for _ in range(8):
                status, reply = request(port, "POST", "/api/v1/ask", {"question": "should I use heat or ice after a sprain?"})
                statuses.append(status)
                if request(port, "GET", "/api/v1/health")[1]["index"]["version"] != newest:
                    return False
            return True

        assert wait_for(all_workers_on_newest, 15), "the server did not pick up the new index"
        assert set(statuses) == {200}
        status, reply = request(port, "POST", "/api/v1/ask", {"question": "should I use heat or ice after a sprain?"})
        assert reply["sources"][0]["url"] == "https://www.example.com/blog/heat-or-ice"
