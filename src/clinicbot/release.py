"""`clinicbot build` end to end: build, stage, verify, gate, publish.

The staged version is loaded back exactly as a server will load it and answers the labelled
questions in CORPUS/questions/ before one atomic switch makes it current. If a question that
the current version passes would fail, nothing is published (unless forced).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from . import publish
from .bot import Bot
from .build import BuildReport, build
from .clinic import load_clinic
from .embed import get_embedder
from .evaluate import compare, evaluate, gate_questions
from .index import Index, IndexLoadError


class GateFailed(RuntimeError):
    def __init__(self, regressions: list[str], changed: list[str]):
        super().__init__(f"{len(regressions)} question(s) that passed before now fail; nothing was published "
                         "(the bot keeps serving the current index). Fix the articles, or use --force.")
        self.regressions, self.changed = regressions, changed


@dataclass
class Release:
    folder: Path
    report: BuildReport
    questions: int
    passed: int
    changed: list[str] = field(default_factory=list)  # questions whose answer changed
    forced: list[str] = field(default_factory=list)  # regressions published anyway with force


def release(settings: dict, force: bool = False, progress: Callable[[str], None] = lambda line: None) -> Release:
    root, corpus = Path(settings["index"]), Path(settings["corpus"])
    clinic = load_clinic(corpus / "clinic.toml")
    with publish.build_lock(root):
        progress(f"loading the model ({settings['backend']})…")
        embedder = get_embedder(settings["model"], settings["backend"], settings["model_cache"])
        previous = _current_index(root, progress)
        index, report = build(corpus, embedder, previous, clinic.website, progress=progress)
        version, staged = publish.stage(root, index)
        bot = Bot(embedder, Index.load(staged, embedder.fingerprint), clinic,
                  answer_threshold=settings["answer_threshold"], emergency_threshold=settings["emergency_threshold"],
                  templates=settings["templates"])
        questions = gate_questions(corpus)
        after = evaluate(bot, questions)
        regressions, changed = compare(evaluate(bot.with_index(previous), questions), after) if previous else ([], [])
        if regressions and not force:
            shutil.rmtree(staged, ignore_errors=True)
            raise GateFailed(regressions, changed)
        folder = publish.publish(root, staged, version)
        publish.prune(root, settings["keep_versions"])
    return Release(folder, report, len(questions), after.passed, changed, regressions)


def _current_index(root: Path, progress: Callable[[str], None]) -> Index | None:
    """The index being served, whose unchanged articles keep their vectors; None if unusable."""
    served = publish.current(root)
    if served is None:
        return None
    try:
        return Index.load(served)
    except IndexLoadError as err:
        progress(f"not reusing the current index ({err})")
        return None
