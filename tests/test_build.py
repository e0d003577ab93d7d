"""Corpus → index: incremental embedding, skipped articles, manifest checks, save/load."""

import shutil

import numpy as np
import pytest

from clinicbot.build import CorpusError, build
from clinicbot.index import Index, IndexLoadError

NEW_POST = """---
title: Heat or Ice After an Injury?
date: 2024-06-01
---

Choosing between heat and ice confuses many of our patients after a sprain or a strain.

## When to use ice

Ice is best in the first two or three days after an injury, while the area is swollen and warm.
Wrap the ice pack in a thin towel and keep it on for fifteen minutes at a time.

## When to use heat

Heat suits stiff, tight muscles and old aches rather than fresh injuries.
A warm pack before your home exercises helps the muscles loosen up.
"""


def test_full_build_then_incremental_embeds_only_what_changed(corpus_copy, embedder, clinic):
    first, report = build(corpus_copy, embedder, base_url=clinic.website)
    assert report.articles == 7 and len(report.added) == 7 and len(report.embedded) == 7
    assert first.manifest["counts"] == {"articles": 7, "chunks": len(first.chunks),
                                        "sentences": len(first.sentence_vectors)}

    (corpus_copy / "heat-or-ice.md").write_text(NEW_POST)
    second, report = build(corpus_copy, embedder, previous=first, base_url=clinic.website)
    assert report.added == ["heat-or-ice"] and report.embedded == ["heat-or-ice"]
    assert report.changed == [] and report.removed == []
    new = [c for c in second.chunks if c.slug == "heat-or-ice"]
    assert new[0].url == "https://www.example.com/blog/heat-or-ice"
    # Stored vectors are reused untouched for the unchanged articles.
    old_rows = [i for i, c in enumerate(first.chunks) if c.slug == "5-common-causes-of-recurrent-back-pain"]
    new_rows = [i for i, c in enumerate(second.chunks) if c.slug == "5-common-causes-of-recurrent-back-pain"]
    assert np.array_equal(first.chunk_vectors[old_rows], second.chunk_vectors[new_rows])

    page = corpus_copy / "all-about-menieres-disease-signs-and-treatments.html"
    page.write_text(page.read_text().replace("</article>", "<p>Our therapists also teach gaze stabilisation exercises that make everyday head turns easier.</p></article>", 1))
    (corpus_copy / "is-exercising-on-your-own-part-of-physical-therapy.html").unlink()
    third, report = build(corpus_copy, embedder, previous=second, base_url=clinic.website)
    assert report.changed == ["all-about-menieres-disease-signs-and-treatments"]
    assert report.removed == ["is-exercising-on-your-own-part-of-physical-therapy"]
    assert report.embedded == ["all-about-menieres-disease-signs-and-treatments"]
    # Vectors stay aligned with their chunks after reuse: each chunk is nearest to its own passage.
    again = embedder.embed([c.passage for c in third.chunks])
    assert np.allclose(again, third.chunk_vectors, atol=1e-4)


def test_bad_articles_are_skipped_by_name(corpus_copy, embedder, clinic):
    (corpus_copy / "empty.html").write_text("")
    (corpus_copy / "menu-only.html").write_text("<html><body><nav>Home Services Blog</nav></body></html>")
    (corpus_copy / "no-title.md").write_text("just some words without front matter or heading\n")
    (corpus_copy / "binary.txt").write_bytes(b"\xff\xfe\x00garbage")
    shutil.copy(corpus_copy / "who-can-benefit-from-dry-needling.html", corpus_copy / "copy-of-dry-needling.html")
    _, report = build(corpus_copy, embedder, base_url=clinic.website)
    skipped = dict(report.skipped)
    assert set(skipped) == {"empty.html", "menu-only.html", "no-title.md", "binary.txt", "copy-of-dry-needling.html"}
    assert "same URL slug" in skipped["copy-of-dry-needling.html"]
    assert "UTF-8" in skipped["binary.txt"]
    assert report.articles == 7


def test_empty_or_missing_corpus_is_a_clear_error(tmp_path, embedder):
    with pytest.raises(CorpusError, match="does not exist"):
        build(tmp_path / "nope", embedder)
    (tmp_path / "clinic.toml").write_text("name = 'x'\n")
    with pytest.raises(CorpusError, match="no usable articles"):
        build(tmp_path, embedder)


def test_save_load_round_trip_and_model_check(tmp_path, index, embedder):
    index.save(tmp_path / "copy")
    loaded = Index.load(tmp_path / "copy", embedder.fingerprint)
    assert loaded.manifest == index.manifest
    assert [c.sentences for c in loaded.chunks] == [c.sentences for c in index.chunks]
    assert np.array_equal(loaded.chunk_vectors, index.chunk_vectors)
    with pytest.raises(IndexLoadError, match="built with model all-MiniLM-L6-v2.*rebuild"):
        Index.load(tmp_path / "copy", "another-model")
    (tmp_path / "copy" / "sentences.npy").unlink()
    with pytest.raises(IndexLoadError, match="incomplete.*sentences.npy"):
        Index.load(tmp_path / "copy")
