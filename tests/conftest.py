"""Shared fixtures: the real bundled model and the real corpus, built once per test session."""

from __future__ import annotations

import os
import shutil

os.environ.setdefault("HF_HUB_OFFLINE", "1")

import pytest

from clinicbot import publish
from clinicbot.bot import Bot
from clinicbot.build import build
from clinicbot.clinic import load_clinic
from clinicbot.embed import get_embedder
from clinicbot.settings import BY_NAME

from support import CORPUS, MODEL_CACHE


@pytest.fixture(scope="session")
def embedder():
    return get_embedder("", "onnx", MODEL_CACHE)


@pytest.fixture(scope="session")
def embed(embedder):
    return embedder.embed


@pytest.fixture(scope="session")
def clinic():
    return load_clinic(CORPUS / "clinic.toml")


@pytest.fixture(scope="session")
def index_root(tmp_path_factory, embedder, clinic):
    """The demo corpus built and published once, as `clinicbot build` does."""
    root = tmp_path_factory.mktemp("index")
    index, _ = build(CORPUS, embedder, base_url=clinic.website)
    with publish.build_lock(root):
        version, staged = publish.stage(root, index)
        publish.publish(root, staged, version)
    return root


@pytest.fixture(scope="session")
def index(index_root, embedder):
    from clinicbot.index import Index

    return Index.load(publish.current(index_root), embedder.fingerprint)


@pytest.fixture(scope="session")
def bot(embedder, index, clinic):
    return Bot(embedder, index, clinic, answer_threshold=BY_NAME["answer_threshold"].default,
               emergency_threshold=BY_NAME["emergency_threshold"].default)


@pytest.fixture
def app(index_root, tmp_path):
    from clinicbot.app import create_app

    return create_app({"index": str(index_root), "corpus": str(CORPUS), "model_cache": MODEL_CACHE,
                       "db": str(tmp_path / "clinicbot.sqlite3"), "reload_seconds": 0.0})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def corpus_copy(tmp_path):
    """A writable copy of the demo corpus, for tests that add or break articles."""
    target = tmp_path / "corpus"
    shutil.copytree(CORPUS, target, ignore=shutil.ignore_patterns("questions"))
    return target
