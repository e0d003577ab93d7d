"""Paths shared by the test modules (conftest.py files can't be imported by name: there are two)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "corpus"
DATA = Path(__file__).parent / "data"
MODEL_CACHE = str(ROOT / "var" / "model-cache")
