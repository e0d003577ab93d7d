"""Question → ranked chunks, scored on one 0–1 scale so one threshold can say "no article".

Three cosines describe how close a chunk is to the question:
- passage: to the whole chunk (title + heading + text);
- sentence: to the chunk's best single sentence (a precise match a long passage dilutes);
- heading: to the section's heading (clinics head sections with the questions patients ask).
Short questions ("joint mobilization") match one sentence or a heading well and the whole
passage poorly, so the score leans on the best of the three and adds their mean:

    score = 0.6 · max(passage, sentence, heading) + 0.2 · mean(…) + 0.2 · lexical

lexical is BM25 over the chunks squashed to 0–1 as s / (s + BM25_HALF), so rare words shared
with the question (a condition's name, "splint") count where the small model is unsure.
The weights and the answer threshold were chosen on the labelled questions (README).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

import numpy as np

from .chunk import Chunk
from .index import Index

MODES = ("hybrid", "dense", "bm25")
WEIGHTS = {"best": 0.6, "mean": 0.2, "lexical": 0.2}
BM25_K1, BM25_B = 1.2, 0.75
BM25_HALF = 6.0  # the raw BM25 score that maps to 0.5

STOPWORDS = frozenset("""a about after again all am an and any are as at be because been before being
between both but by can could did do does doing down during each few for from further get got had has
have having he her here hers him his how i if in into is it its itself just me more most my myself no nor
not of off on once only or other our ours out over own same she should so some such than that the their
them then there these they this those through to too under until up very was we were what when where
which while who whom why will with would you your yours yourself im ive dont cant id ill""".split())


def tokens(text: str) -> list[str]:
    """Lower-case words without stop words, with a light plural/-ing/-ed stem."""
    words = re.findall(r"[a-z0-9]+", text.lower().replace("'", ""))
    return [_stem(w) for w in words if w not in STOPWORDS]


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


class BM25:
    """Okapi BM25: Σ over query terms of idf(t) · tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen))."""

    def __init__(self, documents: list[str]):
        counts = [Counter(tokens(d)) for d in documents]
        lengths = np.array([sum(c.values()) for c in counts], dtype=np.float32)
        self.size = len(documents)
        self.norm = BM25_K1 * (1 - BM25_B + BM25_B * lengths / max(float(lengths.mean()), 1.0))
        # Postings: term → (ids of the documents holding it, its count in each).
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for doc_id, c in enumerate(counts):
            for term, tf in c.items():
                ids, tfs = postings.setdefault(term, ([], []))
                ids.append(doc_id)
                tfs.append(tf)
        self.postings = {t: (np.array(ids), np.array(tfs, dtype=np.float32)) for t, (ids, tfs) in postings.items()}
        self.idf = {t: math.log(1 + (self.size - len(ids) + 0.5) / (len(ids) + 0.5))
                    for t, (ids, _) in self.postings.items()}

    def scores(self, query: str) -> np.ndarray:
        result = np.zeros(self.size, dtype=np.float32)
        for term in set(tokens(query)):
            if term in self.postings:
                ids, tf = self.postings[term]
                result[ids] += self.idf[term] * tf * (BM25_K1 + 1) / (tf + self.norm[ids])
        return result


@dataclass
class Hit:
    chunk_id: int
    chunk: Chunk
    score: float  # the blended 0–1 score that ranks and is held to the answer threshold
    similarity: float  # the best plain cosine (passage, heading or sentence), comparable to other cosines
    heading_score: float  # cosine of the question to the section's heading
    sentence_scores: np.ndarray  # cosine of the question to each of the chunk's sentences


class Retriever:
    def __init__(self, index: Index, mode: str = "hybrid"):
        if mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}")
        self.index = index
        self.mode = mode
        self.bm25 = BM25([f"{c.title} {c.heading} {c.text}" for c in index.chunks])
        # sentence i belongs to chunk owner[i]: lets one matrix product score every sentence.
        self.owner = np.repeat(np.arange(len(index.chunks)), [len(c.sentences) for c in index.chunks])

    def search(self, question: str, vector: np.ndarray, k: int = 5) -> list[Hit]:
        index = self.index
        sentence_cos = index.sentence_vectors @ vector
        passage = index.chunk_vectors @ vector
        heading = index.heading_vectors @ vector
        best_sentence = np.full(len(index.chunks), -1.0, dtype=np.float32)
        np.maximum.at(best_sentence, self.owner, sentence_cos)
        similarity = np.maximum(np.maximum(passage, heading), best_sentence)
        if self.mode == "dense":
            scores = passage
        else:
            raw = self.bm25.scores(question)
            lexical = raw / (raw + BM25_HALF)
            scores = lexical if self.mode == "bm25" else (
                WEIGHTS["best"] * similarity + WEIGHTS["mean"] * (passage + best_sentence + heading) / 3
                + WEIGHTS["lexical"] * lexical)
        top = np.argsort(-scores)[:k]
        return [Hit(int(i), index.chunks[i], float(scores[i]), float(similarity[i]), float(heading[i]),
                    sentence_cos[index.sentence_rows(int(i))]) for i in top]
