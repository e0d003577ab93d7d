"""Corpus files → Article: title, canonical URL, date and the main text split by its headings.

HTML pages are parsed as a clinic's website serves them, so site chrome (navigation,
cookie banners, share buttons, related posts, footers) is dropped. Markdown is rendered
to HTML and goes the same way; plain text becomes Markdown first.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from bs4 import BeautifulSoup, Tag
from markdown_it import MarkdownIt

SUFFIXES = (".html", ".htm", ".md", ".markdown", ".txt")

# Elements that never hold article text.
DROP_TAGS = ["script", "style", "noscript", "nav", "header", "footer", "aside", "form",
             "button", "iframe", "svg", "template", "dialog"]
# Class or id fragments of site chrome that pages mark with ordinary <div>s.
CHROME = re.compile(r"cookie|consent|share|social|related|newsletter|subscribe|comment|"
                    r"breadcrumb|sidebar|banner|popup|modal|byline|author-bio|tags", re.I)
RELATED_HEADING = re.compile(r"you might also|related (posts|articles)|read next|more from", re.I)
BLOCK_TAGS = ["h2", "h3", "h4", "p", "li", "blockquote", "td", "dd", "dt"]
MIN_ARTICLE_CHARS = 200


class ParseError(ValueError):
    pass


@dataclass
class Section:
    heading: str
    paragraphs: list[str]


@dataclass
class Article:
    slug: str
    title: str
    url: str
    date: str
    description: str
    sections: list[Section] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n\n".join(f"{s.heading}\n" + "\n".join(s.paragraphs) for s in self.sections)

    @property
    def fingerprint(self) -> str:
        """Hash of what gets embedded: an unchanged article keeps its stored vectors."""
        payload = "\x1f".join([self.title, self.url, self.date, self.text])
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:16]


def clean(text: str) -> str:
    """One line of text; no space before punctuation (inline tags joined with spaces leave some)."""
    text = re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()
    return re.sub(r" ([.,;:!?)])", r"\1", text)


def slugify(value: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")


def parse_file(path: Path) -> Article:
    path = Path(path)
    try:
        raw = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise ParseError("not UTF-8 text") from None
    if path.suffix.lower() in (".html", ".htm"):
        return parse_html(raw, default_slug=slugify(path.stem))
    meta, body = split_front_matter(raw)
    if path.suffix.lower() == ".txt":
        body = text_to_markdown(body)
    html = MarkdownIt().render(body)
    article = parse_html(f"<article>{html}</article>", default_slug=slugify(path.stem))
    article.title = meta.get("title") or article.title
    article.url = meta.get("url") or meta.get("canonical") or article.url
    article.date = meta.get("date") or article.date
    article.description = meta.get("description") or article.description
    article.slug = slugify(meta.get("slug") or url_slug(article.url) or path.stem)
    if not article.title:
        raise ParseError("no title: add 'title:' to the front matter")
    if article.sections and article.sections[0].heading == "":
        article.sections[0].heading = article.title
    return article


def split_front_matter(raw: str) -> tuple[dict, str]:
    """`---` delimited `key: value` lines at the top of a Markdown or text file."""
    match = re.match(r"\A---\s*\n(.*?)\n---\s*\n", raw, re.S)
    if not match:
        return {}, raw
    meta = {}
    for line in match.group(1).splitlines():
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip().lower()] = value.strip().strip("\"'")
    return meta, raw[match.end():]


def text_to_markdown(body: str) -> str:
    """A short line standing alone, without closing punctuation, is a heading in plain text."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n", body) if b.strip()]
    title_done = False
    out = []
    for block in blocks:
        single_line = "\n" not in block
        if single_line and len(block) < 90 and not block.endswith((".", "!", ",", ";", ":", '"')):
            out.append(("# " if not title_done else "## ") + block)
            title_done = True
        else:
            out.append(block)
    return "\n\n".join(out)


def url_slug(url: str) -> str:
    return slugify(url.rstrip("/").rsplit("/", 1)[-1]) if url else ""


def parse_html(raw: str, default_slug: str = "") -> Article:
    soup = BeautifulSoup(raw, "lxml")
    url = _attr(soup.find("link", rel="canonical"), "href") or _meta(soup, "og:url")
    date = (_meta(soup, "article:published_time") or _meta(soup, "date")
            or _attr(soup.find("time"), "datetime"))
    description = _meta(soup, "description") or _meta(soup, "og:description")
    page_title = clean(soup.title.get_text()) if soup.title else ""
    root = _content_root(soup)
    h1 = root.find("h1") or soup.find("h1")
    title = clean(h1.get_text()) if h1 else re.split(r"\s+[|–—-]\s+", page_title)[0]
    sections = _sections(root, title)
    if sum(len(p) for s in sections for p in s.paragraphs) < MIN_ARTICLE_CHARS:
        raise ParseError(f"no article text found (fewer than {MIN_ARTICLE_CHARS} characters)")
    return Article(slug=url_slug(url) or default_slug, title=title, url=url, date=date[:10],
                   description=description, sections=sections)


def _attr(tag: Tag | None, name: str) -> str:
    value = tag.get(name) if tag else None
    return clean(value if isinstance(value, str) else " ".join(value or []))


def _meta(soup: BeautifulSoup, key: str) -> str:
    return _attr(soup.find("meta", attrs={"property": key}) or soup.find("meta", attrs={"name": key}), "content")


def _content_root(soup: BeautifulSoup) -> Tag:
    # Related-post blocks are dropped first so their <article> teasers are never taken for the post.
    for heading in soup.find_all(["h2", "h3"], string=RELATED_HEADING):
        (heading.find_parent(["section", "div", "aside"]) or heading).decompose()
    for tag in soup.find_all(DROP_TAGS):
        if not tag.decomposed and not (tag.name == "header" and tag.find("h1") and tag.find_parent("article")):
            tag.decompose()
    for tag in soup.find_all(True):
        if tag.decomposed or tag.name in ("html", "body", "main", "article"):
            continue
        marks = " ".join(tag.get("class") or []) + " " + (tag.get("id") or "")
        if CHROME.search(marks):
            tag.decompose()
    articles = soup.find_all("article")
    if articles:
        return max(articles, key=lambda a: len(a.get_text()))
    return soup.find("main") or soup.body or soup


def _sections(root: Tag, title: str) -> list[Section]:
    sections = [Section(heading=title, paragraphs=[])]
    for tag in root.find_all(BLOCK_TAGS):
        if tag.find_parent(BLOCK_TAGS):  # a <p> inside an <li>: its text is in the <li> already
            continue
        text = clean(tag.get_text(" "))
        if not text:
            continue
        if tag.name in ("h2", "h3", "h4"):
            sections.append(Section(heading=text, paragraphs=[]))
        else:
            sections[-1].paragraphs.append(text)
    return [s for s in sections if s.paragraphs]
