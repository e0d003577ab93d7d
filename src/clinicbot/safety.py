"""The red-flag gate: runs before retrieval, so an emergency never gets a blog passage.

Two checks, either one is enough:
1. patterns: auditable regular expressions for the plain ways people say it;
2. meaning: the question's nearest neighbour among the red-flag examples and a set of
   ordinary look-alike questions ("does dry needling cause bleeding?") is a red flag, and
   the cosine similarity is at least the threshold. The look-alikes keep ordinary
   questions that mention bleeding, surgery or the chest from tripping the gate.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from importlib import resources

import numpy as np

from .embed import Embedder


@dataclass(frozen=True)
class RedFlag:
    name: str
    line: str  # "911" or "988"
    patterns: tuple[re.Pattern, ...]


@dataclass(frozen=True)
class Alarm:
    flag: RedFlag
    reason: str  # "pattern" or "meaning"
    score: float


class Safety:
    def __init__(self, embedder: Embedder, threshold: float):
        data = tomllib.loads(resources.files("clinicbot").joinpath("data/emergencies.toml").read_text("utf-8"))
        self.flags = [RedFlag(f["name"], f["line"], tuple(re.compile(p, re.I) for p in f["patterns"]))
                      for f in data["red_flag"]]
        examples = [(flag, text) for flag, f in zip(self.flags, data["red_flag"]) for text in f["examples"]]
        ordinary = data["ordinary"]["examples"]
        # Row i of the example matrix belongs to labels[i]: a RedFlag, or None for ordinary.
        self.labels: list[RedFlag | None] = [flag for flag, _ in examples] + [None] * len(ordinary)
        self.vectors = embedder.embed([text for _, text in examples] + ordinary)
        self.threshold = threshold

    def check(self, question: str, vector: np.ndarray) -> Alarm | None:
        for flag in self.flags:
            if any(p.search(question) for p in flag.patterns):
                return Alarm(flag, "pattern", 1.0)
        similarities = self.vectors @ vector
        nearest = int(np.argmax(similarities))
        flag = self.labels[nearest]
        if flag is not None and similarities[nearest] >= self.threshold:
            return Alarm(flag, "meaning", float(similarities[nearest]))
        return None
