"""Article → chunks: one per section (split when long), each keeping its heading and its sentences.

A chunk is what retrieval ranks; its sentences are what an answer quotes, so sentence
boundaries are found here once and stored with the index.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from .parse import Article

MAX_CHUNK_WORDS = 160

# A sentence ends at . ! or ? followed by space and a capital, digit or quote, except after
# abbreviations a clinic's prose uses ("Dr. Smith", "e.g. heat").
_BOUNDARY = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”’)]))\s+(?=[A-Z0-9\"“‘(])")
_ABBREVIATION = re.compile(r"\b(?:Dr|Mr|Mrs|Ms|St|vs|etc|e\.g|i\.e|U\.S|No|approx)\.$", re.I)


@dataclass
class Chunk:
    slug: str
    title: str
    url: str
    date: str
    heading: str
    sentences: list[str]

    @property
    def text(self) -> str:
        return " ".join(self.sentences)

    @property
    def passage(self) -> str:
        """What gets embedded: the title and heading give a section its context."""
        parts = [self.title] + ([self.heading] if self.heading != self.title else []) + [self.text]
        return " ".join(p if p.endswith((".", "?", "!", ":")) else p + "." for p in parts)

    def as_dict(self) -> dict:
        return asdict(self)


def split_sentences(paragraph: str) -> list[str]:
    pieces = _BOUNDARY.split(paragraph.strip())
    sentences: list[str] = []
    for piece in pieces:
        if sentences and _ABBREVIATION.search(sentences[-1]):
            sentences[-1] += " " + piece
        else:
            sentences.append(piece)
    return [s for s in (s.strip() for s in sentences) if s]


def chunk(article: Article) -> list[Chunk]:
    chunks = []
    for section in article.sections:
        sentences = [s for p in section.paragraphs for s in split_sentences(p)]
        for group in _groups(sentences):
            chunks.append(Chunk(article.slug, article.title, article.url, article.date,
                                section.heading, group))
    return chunks


def _groups(sentences: list[str]) -> list[list[str]]:
    """Consecutive sentences in groups of at most MAX_CHUNK_WORDS words (a long sentence stands alone)."""
    groups: list[list[str]] = [[]]
    words = 0
    for sentence in sentences:
        count = len(sentence.split())
        if groups[-1] and words + count > MAX_CHUNK_WORDS:
            groups.append([])
            words = 0
        groups[-1].append(sentence)
        words += count
    return [g for g in groups if g]
