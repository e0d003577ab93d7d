"""An index is a folder of named parts plus a manifest:

    manifest.json      format version, model, dimension, counts, corpus hash, built_at
    chunks.json        the chunks (article, heading, sentences) in vector order
    chunks.faiss       one unit vector per chunk passage, exact inner-product search
    headings.npy       one unit vector per chunk heading (articles' headings are often questions)
    sentences.npy      one unit vector per sentence, for choosing the sentences that answer

Vectors are unit length, so inner product = cosine similarity. A clinic has tens to a few
thousand chunks: exact flat search takes well under a millisecond, so no approximate index.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np

from .chunk import Chunk

FORMAT_VERSION = 1
PARTS = ("manifest.json", "chunks.json", "chunks.faiss", "headings.npy", "sentences.npy")
VECTOR_KINDS = ("passages", "headings", "sentences")


class IndexLoadError(RuntimeError):
    """The index folder is missing, incomplete, or was built with another model."""


@dataclass
class Index:
    manifest: dict
    chunks: list[Chunk]
    chunk_vectors: np.ndarray
    heading_vectors: np.ndarray
    sentence_vectors: np.ndarray
    # sentence_starts[i] is the row of chunk i's first sentence in sentence_vectors.
    sentence_starts: np.ndarray = field(init=False)
    faiss_index: faiss.Index = field(init=False)

    def __post_init__(self):
        counts = np.array([len(c.sentences) for c in self.chunks], dtype=np.int64)
        self.sentence_starts = np.concatenate([[0], np.cumsum(counts)])[:-1]
        self.faiss_index = faiss.IndexFlatIP(self.chunk_vectors.shape[1])
        self.faiss_index.add(self.chunk_vectors)

    @property
    def vectors(self) -> dict[str, np.ndarray]:
        return {"passages": self.chunk_vectors, "headings": self.heading_vectors, "sentences": self.sentence_vectors}

    @property
    def version(self) -> str:
        return self.manifest.get("version", "")

    def search(self, query: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """(cosine scores, chunk ids) of the k nearest chunks, best first."""
        scores, ids = self.faiss_index.search(query.reshape(1, -1), min(k, len(self.chunks)))
        return scores[0], ids[0]

    def sentence_rows(self, chunk_id: int) -> slice:
        start = int(self.sentence_starts[chunk_id])
        return slice(start, start + len(self.chunks[chunk_id].sentences))

    def save(self, path: Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        (path / "chunks.json").write_text(json.dumps([c.as_dict() for c in self.chunks], ensure_ascii=False))
        faiss.write_index(self.faiss_index, str(path / "chunks.faiss"))
        np.save(path / "headings.npy", self.heading_vectors)
        np.save(path / "sentences.npy", self.sentence_vectors)
        # The manifest goes last: a folder without one is an unfinished build.
        (path / "manifest.json").write_text(json.dumps(self.manifest, indent=2))

    @classmethod
    def load(cls, path: Path, model_fingerprint: str | None = None) -> "Index":
        path = Path(path)
        missing = [p for p in PARTS if not (path / p).exists()]
        if missing:
            raise IndexLoadError(f"index at {path} is incomplete (missing {', '.join(missing)}): run `clinicbot build`")
        manifest = json.loads((path / "manifest.json").read_text())
        if manifest.get("format_version") != FORMAT_VERSION:
            raise IndexLoadError(f"index at {path} has format {manifest.get('format_version')}, this clinicbot reads "
                              f"format {FORMAT_VERSION}: run `clinicbot build` to rebuild it")
        if model_fingerprint and manifest["model"]["fingerprint"] != model_fingerprint:
            raise IndexLoadError(f"index at {path} was built with model {manifest['model']['name']} "
                              f"({manifest['model']['fingerprint']}), but the configured model is different "
                              f"({model_fingerprint}): rebuild with `clinicbot build` or set CLINICBOT_MODEL back")
        chunks = [Chunk(**c) for c in json.loads((path / "chunks.json").read_text())]
        flat = faiss.read_index(str(path / "chunks.faiss"))
        chunk_vectors = flat.reconstruct_n(0, flat.ntotal)
        index = cls(manifest, chunks, chunk_vectors, np.load(path / "headings.npy"), np.load(path / "sentences.npy"))
        counts = manifest["counts"]
        if not (counts["chunks"] == len(chunks) == len(index.heading_vectors)
                and counts["sentences"] == len(index.sentence_vectors)):
            raise IndexLoadError(f"index at {path} is inconsistent with its manifest: run `clinicbot build`")
        return index
