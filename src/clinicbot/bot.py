"""Question → Reply: the red-flag gate, the clinic's own facts, then the articles.

    emergency (911/988)  ←  red flag, checked first, nothing from the blog
    answered (clinic)    ←  booking, phone, hours, location, insurance, cost from clinic.toml
    answered (article)   ←  best chunk scores at least answer_threshold: 1–3 of its sentences
    no_answer            ←  otherwise: an honest "no article on that", phone and booking link
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2
import numpy as np

from . import publish
from .clinic import Clinic, load_clinic
from .embed import Embedder, get_embedder
from .index import Index
from .retrieve import Hit, Retriever
from .safety import Safety

DISCLAIMER = "General information, not medical advice."
MAX_QUESTION_CHARS = 500
INTENT_THRESHOLD = 0.62
MAX_ANSWER_SENTENCES = 3
MIN_ANSWER_WORDS = 18  # a shorter best sentence takes its neighbour along for context
LEAD_BONUS = 0.35  # how much a section's opening counts when the question matches its heading
DID_YOU_MEAN_BAND = 0.1  # a no-answer within this of the threshold offers the nearest section as a chip


@dataclass
class Source:
    title: str
    url: str
    snippet: str
    score: float


@dataclass
class Reply:
    status: str  # "answered" | "no_answer" | "emergency"
    answer: str
    booking_url: str
    phone: str
    phone_href: str
    sources: list[Source] = field(default_factory=list)
    suggestions: list[str] = field(default_factory=list)
    kind: str = ""  # "article", a clinic topic ("booking", "hours"…), or the red flag's name
    score: float = 0.0
    disclaimer: str = DISCLAIMER

    def as_dict(self) -> dict:
        return asdict(self)


def normalise(question: str) -> str:
    """Same meaning, same text: folds curly quotes and runs of spaces (and makes cache keys)."""
    text = unicodedata.normalize("NFKC", question).replace("’", "'").replace("‘", "'")
    return re.sub(r"\s+", " ", text).strip()[:MAX_QUESTION_CHARS]


class Intents:
    """Matches practical questions about the clinic (see data/intents.toml)."""

    def __init__(self, embedder: Embedder):
        data = tomllib.loads(resources.files("clinicbot").joinpath("data/intents.toml").read_text("utf-8"))
        self.patterns = [(i["name"], [re.compile(p, re.I) for p in i["patterns"]]) for i in data["intent"]]
        self.labels = [i["name"] for i in data["intent"] for _ in i["examples"]]
        self.vectors = embedder.embed([e for i in data["intent"] for e in i["examples"]])

    def match(self, question: str, vector: np.ndarray) -> tuple[str | None, float, bool]:
        """(intent, similarity, matched by a pattern)."""
        similarities = self.vectors @ vector
        best = int(np.argmax(similarities))
        for name, patterns in self.patterns:
            if any(p.search(question) for p in patterns):
                return name, float(similarities[best]), True
        return self.labels[best], float(similarities[best]), False


class Bot:
    def __init__(self, embedder: Embedder, index: Index, clinic: Clinic, *, answer_threshold: float,
                 emergency_threshold: float, templates: str | Path = "", mode: str = "hybrid",
                 safety: Safety | None = None, intents: Intents | None = None):
        self.embedder = embedder
        self.index = index
        self.clinic = clinic
        self.answer_threshold = answer_threshold
        self.template_dir = str(templates)
        self.retriever = Retriever(index, mode)
        self.safety = safety or Safety(embedder, emergency_threshold)
        self.intents = intents or Intents(embedder)
        loaders = [jinja2.FileSystemLoader(self.template_dir)] if templates else []
        self.templates = jinja2.Environment(
            loader=jinja2.ChoiceLoader(loaders + [jinja2.PackageLoader("clinicbot", "templates")]),
            autoescape=False, keep_trailing_newline=False, undefined=jinja2.StrictUndefined)
        self._answer = lru_cache(maxsize=1024)(self._answer_uncached)  # repeated questions come from memory

    def ask(self, question: str) -> Reply:
        return self._answer(normalise(question))

    def with_index(self, index: Index) -> "Bot":
        """The same bot over a newly published index; the red-flag and clinic examples are reused."""
        return self._copy(index, self.answer_threshold)

    def with_threshold(self, answer_threshold: float) -> "Bot":
        return self._copy(self.index, answer_threshold)

    def _copy(self, index: Index, answer_threshold: float) -> "Bot":
        return Bot(self.embedder, index, self.clinic, answer_threshold=answer_threshold,
                   emergency_threshold=self.safety.threshold, templates=self.template_dir,
                   mode=self.retriever.mode, safety=self.safety, intents=self.intents)

    def _answer_uncached(self, text: str) -> Reply:
        vector = self.embedder.embed_one(text)
        alarm = self.safety.check(text, vector)
        if alarm:
            return self._reply("emergency", "emergency.txt.j2", kind=alarm.flag.name, score=alarm.score,
                               line=alarm.flag.line)
        hits = self.retriever.search(text, vector, k=8)
        best = hits[0] if hits else None
        intent, intent_score, by_pattern = self.intents.match(text, vector)
        article_score = best.score if best else 0.0
        # Both are plain cosines: the question is a clinic topic if it is nearer to one of those examples.
        if by_pattern or (intent_score >= INTENT_THRESHOLD and intent_score > (best.similarity if best else 0.0)):
            return self._reply("answered", "clinic.txt.j2", kind=intent, score=intent_score, intent=intent)
        if best is None or best.score < self.answer_threshold:
            near = best is not None and best.score >= self.answer_threshold - DID_YOU_MEAN_BAND
            return self._reply("no_answer", "no_answer.txt.j2", score=article_score,
                               suggestions=([topic(best)] if near else []) + ["How do I book an appointment?"])
        sentences = answer_sentences(best)
        sources = [Source(best.chunk.title, best.chunk.url, " ".join(sentences), round(best.score, 3))]
        for hit in hits[1:]:
            if hit.score >= self.answer_threshold and hit.chunk.url not in {s.url for s in sources}:
                sources.append(Source(hit.chunk.title, hit.chunk.url, first_sentences(hit), round(hit.score, 3)))
        return self._reply("answered", "answer.txt.j2", kind="article", score=best.score,
                           sources=sources[:3], suggestions=suggestions(best, hits),
                           sentences=sentences, title=best.chunk.title, url=best.chunk.url)

    def _reply(self, status: str, template: str, *, kind: str = "", score: float = 0.0,
               sources: list[Source] | None = None, suggestions: list[str] | None = None, **context) -> Reply:
        answer = self.templates.get_template(template).render(
            clinic=self.clinic.as_dict(), disclaimer=DISCLAIMER, **context).strip()
        return Reply(status=status, answer=answer, booking_url=self.clinic.booking_url, phone=self.clinic.phone,
                     phone_href=self.clinic.tel, sources=sources or [], suggestions=suggestions or [],
                     kind=kind, score=round(float(score), 3))


def answer_sentences(hit: Hit) -> list[str]:
    """The best-matching sentence, widened to its neighbours while they match nearly as well
    (or while the answer is too short to stand alone), at most three, in reading order.

    A section's opening sentences answer its heading, but often lean on it ("Most patients
    barely notice the needle" under "Does dry needling hurt?"), so they match the question
    poorly on their own. When the question matches the heading, sentence i gains
    LEAD_BONUS · heading cosine · 2^-i.
    """
    sentences = hit.chunk.sentences
    lead = LEAD_BONUS * max(hit.heading_score, 0.0) * 0.5 ** np.arange(len(sentences))
    scores = hit.sentence_scores + lead
    best = int(np.argmax(scores))
    start = end = best
    while end - start + 1 < MAX_ANSWER_SENTENCES:
        words = sum(len(s.split()) for s in sentences[start:end + 1])
        after = scores[end + 1] if end + 1 < len(sentences) else -1.0
        before = scores[start - 1] if start > 0 else -1.0
        close = scores[best] - 0.08
        if after >= close or (words < MIN_ANSWER_WORDS and after > -1.0):
            end += 1
        elif before >= close:
            start -= 1
        else:
            break
    return sentences[start:end + 1]


def first_sentences(hit: Hit) -> str:
    return " ".join(hit.chunk.sentences[:2])


def topic(hit: Hit) -> str:
    """What a chip offers for a hit: its heading when that is a question, else its article's title."""
    return hit.chunk.heading if hit.chunk.heading.endswith("?") else hit.chunk.title


def suggestions(best: Hit, hits: list[Hit], limit: int = 3) -> list[str]:
    """Follow-ups: the topics of the next best sections, each once, never the one just answered."""
    seen = {best.chunk.heading, best.chunk.title}
    found: list[str] = []
    for hit in hits[1:]:
        candidate = topic(hit)
        if candidate not in seen:
            seen.add(candidate)
            found.append(candidate)
    return found[:limit]


class NoIndex(RuntimeError):
    pass


def open_bot(settings: dict, mode: str = "hybrid") -> Bot:
    """The Bot over the published index that `settings` point at (model loaded once per process)."""
    folder = publish.current(settings["index"])
    if folder is None:
        raise NoIndex(f"no index at {settings['index']}: run `clinicbot build` (or `make run`) first")
    embedder = get_embedder(settings["model"], settings["backend"], settings["model_cache"])
    return Bot(embedder, Index.load(folder, embedder.fingerprint),
               load_clinic(Path(settings["corpus"]) / "clinic.toml"),
               answer_threshold=settings["answer_threshold"], emergency_threshold=settings["emergency_threshold"],
               templates=settings["templates"], mode=mode)
