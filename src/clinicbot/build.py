"""Corpus folder → Index: parse every article, chunk it, embed what changed.

Articles whose content fingerprint matches the previous index keep their stored vectors,
so adding one post to a large corpus embeds only that post.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import numpy as np

from .chunk import Chunk, chunk
from .embed import Embedder
from .index import FORMAT_VERSION, VECTOR_KINDS, Index
from .parse import SUFFIXES, Article, ParseError, parse_file


class CorpusError(ValueError):
    pass


@dataclass
class BuildReport:
    articles: int = 0
    chunks: int = 0
    sentences: int = 0
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    embedded: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"{self.articles} articles, {self.chunks} chunks, {self.sentences} sentences "
                f"({len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed, "
                f"{len(self.skipped)} skipped; {len(self.embedded)} embedded) in {self.seconds:.1f} s")


def read_corpus(corpus: Path, report: BuildReport, progress: Callable[[str], None], base_url: str = "") -> list[Article]:
    """Every article in the folder; one without a canonical URL gets BASE_URL/blog/<slug>."""
    corpus = Path(corpus)
    if not corpus.is_dir():
        raise CorpusError(f"corpus folder {corpus} does not exist: point --corpus (or CLINICBOT_CORPUS) at your articles")
    files = sorted(p for p in corpus.iterdir() if p.suffix.lower() in SUFFIXES and not p.name.startswith("."))
    articles: dict[str, Article] = {}
    sources: dict[str, str] = {}  # slug → file name
    for path in files:
        try:
            article = parse_file(path)
        except (ParseError, OSError) as err:
            report.skipped.append((path.name, str(err)))
            progress(f"skipped {path.name}: {err}")
            continue
        article.url = article.url or f"{base_url.rstrip('/')}/blog/{article.slug}"
        if article.slug in articles:
            # Two files claim one URL: the file named after the slug wins.
            loser = path.name if path.stem != article.slug else sources[article.slug]
            report.skipped.append((loser, f"another file has the same URL slug ({article.slug})"))
            progress(f"skipped {loser}: another file has the same URL slug ({article.slug})")
            if loser == path.name:
                continue
        articles[article.slug] = article
        sources[article.slug] = path.name
    if not articles:
        raise CorpusError(f"no usable articles in {corpus} (looked for {', '.join(SUFFIXES)} files)")
    return list(articles.values())


def corpus_hash(articles: list[Article]) -> str:
    digest = hashlib.sha256()
    for article in sorted(articles, key=lambda a: a.slug):
        digest.update(f"{article.slug}:{article.fingerprint}\n".encode())
    return digest.hexdigest()[:16]


def _stored_rows(previous: Index) -> dict[str, dict[str, np.ndarray]]:
    """slug → {kind: that article's rows} of the previous index's vectors."""
    rows: dict[str, tuple[list, list]] = {}
    for i, c in enumerate(previous.chunks):
        chunk_rows, sentence_rows = rows.setdefault(c.slug, ([], []))
        chunk_rows.append(i)
        sentence_rows.extend(range(previous.sentence_rows(i).start, previous.sentence_rows(i).stop))
    vectors = previous.vectors
    return {slug: {kind: vectors[kind][s if kind == "sentences" else c] for kind in VECTOR_KINDS}
            for slug, (c, s) in rows.items()}


def build(corpus: Path, embedder: Embedder, previous: Index | None = None, base_url: str = "",
          progress: Callable[[str], None] = lambda line: None) -> tuple[Index, BuildReport]:
    started = time.perf_counter()
    report = BuildReport()
    articles = read_corpus(corpus, report, progress, base_url)
    reusable = previous is not None and previous.manifest["model"]["fingerprint"] == embedder.fingerprint
    before = previous.manifest["articles"] if previous is not None else {}
    stored = _stored_rows(previous) if reusable else {}

    entries: list[tuple[list[Chunk], dict[str, np.ndarray] | None]] = []
    for article in articles:
        article_chunks = chunk(article)
        if not article_chunks:
            report.skipped.append((article.slug, "no sentences"))
            continue
        unchanged = before.get(article.slug) == article.fingerprint and article.slug in stored
        entries.append((article_chunks, stored[article.slug] if unchanged else None))
        if article.slug not in before:
            report.added.append(article.slug)
        elif before[article.slug] != article.fingerprint:
            report.changed.append(article.slug)
        if not unchanged:
            report.embedded.append(article.slug)
    chunks = [c for article_chunks, _ in entries for c in article_chunks]
    kept = {c.slug for c in chunks}
    report.removed = sorted(set(before) - kept)
    if report.embedded:
        progress(f"embedding {len(report.embedded)} articles")
    vectors = _vectors(entries, embedder)
    by_slug = {a.slug: a for a in articles if a.slug in kept}
    manifest = {
        "format_version": FORMAT_VERSION,
        "model": {"name": embedder.name, "fingerprint": embedder.fingerprint},
        "dimension": embedder.dimension,
        "counts": {"articles": len(by_slug), "chunks": len(chunks), "sentences": len(vectors["sentences"])},
        "corpus_hash": corpus_hash(list(by_slug.values())),
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "articles": {slug: a.fingerprint for slug, a in by_slug.items()},
    }
    index = Index(manifest, chunks, vectors["passages"], vectors["headings"], vectors["sentences"])
    report.articles, report.chunks, report.sentences = len(by_slug), len(chunks), len(vectors["sentences"])
    report.seconds = time.perf_counter() - started
    return index, report


def _vectors(entries, embedder: Embedder) -> dict[str, np.ndarray]:
    """Stored vectors where an article is unchanged; the rest embedded in one batch per kind."""
    new = [c for article_chunks, stored in entries if stored is None for c in article_chunks]
    fresh = {"passages": iter(embedder.embed([c.passage for c in new])),
             "headings": iter(embedder.embed([c.heading for c in new])),
             "sentences": iter(embedder.embed([s for c in new for s in c.sentences]))}
    rows: dict[str, list] = {kind: [] for kind in VECTOR_KINDS}
    for article_chunks, stored in entries:
        for kind in VECTOR_KINDS:
            if stored is not None:
                rows[kind].extend(stored[kind])
            else:
                count = sum(len(c.sentences) for c in article_chunks) if kind == "sentences" else len(article_chunks)
                rows[kind].extend(next(fresh[kind]) for _ in range(count))
    return {kind: np.ascontiguousarray(np.vstack(r), dtype=np.float32) for kind, r in rows.items()}
