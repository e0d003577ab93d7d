from pathlib import Path

import pytest

from clinicbot.chunk import chunk, split_sentences
from clinicbot.parse import ParseError, parse_file, parse_html

PAGE = """<!doctype html><html><head><title>Does It Hurt? | Sample Clinic</title>
<meta name="description" content="What to expect.">
<link rel="canonical" href="https://www.example.com/blog/does-it-hurt">
<meta property="article:published_time" content="2024-03-01T10:00:00-05:00">
<script>var tracking = "SCRIPT TEXT";</script><style>.x{color:red}</style></head>
<body><header class="site-header"><nav><a href="/">Home</a><a href="/book">Book Online</a></nav></header>
<div class="cookie-banner" id="cookie-consent"><p>We use cookies to improve your experience on this website.</p>
<button>Accept</button></div>
<main><article class="blog-post"><h1>Does It Hurt?</h1>
<p>Most people feel very little during the treatment, and many say they feel nothing at all when it begins.</p>
<h2>What you may feel</h2><p>A brief twitch in the muscle is common. It means the muscle is letting go.</p>
<ul><li>Mild soreness for a day.</li><li>A small bruise now and then.</li></ul>
<div class="share-buttons"><a href="#">Share on Facebook</a></div></article>
<section class="related-posts"><h2>You Might Also Enjoy...</h2>
<article><h3>Another Post</h3><p>A teaser paragraph that should never be indexed as part of this article.</p></article></section>
</main><footer><p>123 Sample Street, Milford CT. Call (203) 555-0142.</p></footer></body></html>"""


def test_html_keeps_the_article_and_drops_site_chrome():
    article = parse_html(PAGE)
    assert (article.slug, article.title, article.url, article.date) == (
        "does-it-hurt", "Does It Hurt?", "https://www.example.com/blog/does-it-hurt", "2024-03-01")
    assert article.description == "What to expect."
    assert [s.heading for s in article.sections] == ["Does It Hurt?", "What you may feel"]
    assert article.sections[1].paragraphs[-2:] == ["Mild soreness for a day.", "A small bruise now and then."]
    for chrome in ("SCRIPT TEXT", "cookies", "Share on Facebook", "teaser", "Book Online", "555-0142", "color:red"):
        assert chrome not in article.text


def test_demo_corpus_pages_parse_without_chrome():
    corpus = Path(__file__).resolve().parents[1] / "corpus"
    pages = sorted(corpus.glob("*.html"))
    assert len(pages) == 7
    for page in pages:
        article = parse_file(page)
        assert article.url == f"https://www.example.com/blog/{page.stem}"
        assert article.date[:2] == "20" and len(article.sections) >= 3
        assert "You Might Also Enjoy" not in article.text
        assert "cookie" not in article.text.lower()


def test_markdown_with_front_matter(tmp_path):
    path = tmp_path / "heat-or-ice.md"
    path.write_text("---\ntitle: Heat or Ice?\nurl: https://www.example.com/blog/heat-or-ice\ndate: 2024-05-02\n---\n\n"
                    "Intro text about choosing between heat and ice for a sore back after a long day.\n\n"
                    "## When to use ice\n\nUse **ice** in the first two days after an injury. It calms swelling.\n\n"
                    "## When to use heat\n\n- Heat relaxes stiff muscles.\n- Use it before exercise, for [tightness](https://x.test).\n")
    article = parse_file(path)
    assert (article.slug, article.title, article.date) == ("heat-or-ice", "Heat or Ice?", "2024-05-02")
    assert [s.heading for s in article.sections] == ["Heat or Ice?", "When to use ice", "When to use heat"]
    assert article.sections[1].paragraphs == ["Use ice in the first two days after an injury. It calms swelling."]
    assert "Use it before exercise, for tightness." in article.sections[2].paragraphs


def test_plain_text_headings_are_short_standalone_lines(tmp_path):
    path = tmp_path / "posture.txt"
    path.write_text("Posture at Work\n\nSitting for hours strains the lower back, and small changes to a desk help a lot "
                    "over a working week.\n\nSet up your chair\n\nKeep your feet flat and your hips a little above your knees. "
                    "Take a short walk every half hour, and let your shoulders drop away from your ears.\n")
    article = parse_file(path)
    assert article.title == "Posture at Work"
    assert [s.heading for s in article.sections] == ["Posture at Work", "Set up your chair"]


@pytest.mark.parametrize("content, message", [
    ("<html><body><nav>Home</nav><p>Short.</p></body></html>", "no article text"),
    ("", "no article text"),
])
def test_pages_without_article_text_are_refused(tmp_path, content, message):
    path = tmp_path / "empty.html"
    path.write_text(content)
    with pytest.raises(ParseError, match=message):
        parse_file(path)


def test_non_utf8_file_is_refused(tmp_path):
    path = tmp_path / "latin1.md"
    path.write_bytes("---\ntitle: Caf\xe9\n---\n".encode("latin-1"))
    with pytest.raises(ParseError, match="UTF-8"):
        parse_file(path)


def test_sentences_split_at_ends_not_abbreviations():
    assert split_sentences('Dr. Smith treats backs, e.g. sciatica. About 400,000 people a year! Is it ok? "Yes." Then 8% more.') == [
        "Dr. Smith treats backs, e.g. sciatica.", "About 400,000 people a year!", "Is it ok?", '"Yes."', "Then 8% more."]


def test_chunks_follow_sections_and_keep_the_heading():
    chunks = chunk(parse_html(PAGE))
    assert [c.heading for c in chunks] == ["Does It Hurt?", "What you may feel"]
    assert chunks[1].sentences[:2] == ["A brief twitch in the muscle is common.", "It means the muscle is letting go."]
    assert chunks[1].passage.startswith("Does It Hurt? What you may feel. A brief twitch")
