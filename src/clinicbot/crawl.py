"""Fetch the clinic's posts from its website into the corpus, politely.

Reads the site's sitemap.xml (or a list of page URLs), obeys robots.txt, waits `delay`
seconds between requests to a host, gives up on a page after about `timeout` seconds, refuses
non-HTML and oversized responses, and writes only new or changed articles (atomically) as
CORPUS/<slug>.html. It never deletes a file. One bad page is reported and skipped; only an
unreadable sitemap or start address stops the crawl, with a CrawlError that says what to do.
"""

from __future__ import annotations

import http.client
import os
import re
import tempfile
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urljoin, urlparse
from urllib.robotparser import RobotFileParser

from bs4.dammit import EncodingDetector

from .parse import ParseError, parse_html, url_slug

USER_AGENT = "clinicbot/0.1 (+https://github.com/clinicbot)"
WEB_SCHEMES = ("http", "https")
HTML_TYPES = ("text/html", "application/xhtml+xml")
MAX_REDIRECTS = 5
# The sitemap protocol allows 50 MB; a clinic's is a few kB. The cap bounds memory and parse time.
MAX_SITEMAP_BYTES = 10_000_000
MAX_CHILD_SITEMAPS = 50
MAX_ROBOTS_BYTES = 500_000  # Google reads the first 500 KiB of a robots.txt and ignores the rest
READ_BLOCK = 65_536


class CrawlError(RuntimeError):
    """The crawl cannot start; the message tells the person running it what to do."""


class Skip(Exception):
    """One URL is left out; the message is the reason a person reads in the report."""

    def __init__(self, reason: str, status: int | None = None):
        super().__init__(reason)
        self.status = status


@dataclass
class CrawlReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.added)} added, {len(self.changed)} changed, {len(self.unchanged)} unchanged, "
                f"{len(self.skipped)} skipped")


def read_url_list(path: Path) -> list[str]:
    """One URL a line; blank lines and `#` comments are ignored."""
    # utf-8-sig drops the byte-order mark Notepad writes; stray bytes become a URL that is skipped.
    text = Path(path).read_text(encoding="utf-8-sig", errors="replace")
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def crawl(sources: list[str], corpus: Path, *, delay: float = 1.0, timeout: float = 10.0,
          max_bytes: int = 2_000_000, user_agent: str = USER_AGENT, site: bool | None = None,
          progress: Callable[[str], None] = lambda line: None) -> CrawlReport:
    """Fetch one site (its sitemap) or a list of page URLs into CORPUS; see the module docstring.

    `site`: True reads sources[0]'s sitemap, False fetches the sources as pages; None (the
    default) takes a single source for a site and several for pages."""
    if not sources:
        raise CrawlError("no URLs to crawl: give the clinic's website address or a file of post URLs")
    fetcher = Fetcher(timeout=timeout, delay=delay, user_agent=user_agent)
    report = CrawlReport()
    if site if site is not None else len(sources) == 1:
        pages = _pages_in_sitemap(fetcher, _sitemap_address(sources[0]), report, progress)
    else:
        pages = sources
    corpus = Path(corpus)
    corpus.mkdir(parents=True, exist_ok=True)
    first_url_of: dict[str, str] = {}  # slug -> the URL it was saved from in this crawl
    for url in dict.fromkeys(pages):
        try:
            slug, content = _fetch_article(fetcher, url, max_bytes)
            if slug in first_url_of:  # a redirect or a canonical link that leads to a page already saved
                raise Skip(f"same article as {first_url_of[slug]}")
        except Skip as why:
            _note_skip(report, progress, url, str(why))
            continue
        first_url_of[slug] = url
        outcome = _save(corpus / f"{slug}.html", content)
        getattr(report, outcome).append(slug)
        progress(f"{outcome} {slug}")
    return report


@dataclass
class Response:
    url: str  # after redirects
    body: bytes
    charset: str | None  # as the Content-Type header declares it


class _Redirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        # urllib would also follow a redirect to ftp://; a crawl of a website stays on the web.
        if not _is_web_address(newurl):
            raise Skip(f"redirected to {newurl}, not a web address")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


class Fetcher:
    """The crawl's HTTP client: User-Agent, a delay per host, robots.txt, time and size limits."""

    def __init__(self, *, timeout: float, delay: float, user_agent: str):
        self.timeout, self.delay, self.user_agent = timeout, delay, user_agent
        self.opener = urllib.request.build_opener(_Redirects())
        self._last_request_at: dict[str, float] = {}
        self._robots: dict[str, RobotFileParser] = {}

    def get(self, url: str, *, max_bytes: int, html_only: bool = False) -> Response:
        """The response to a GET, or Skip with the reason it can't be used."""
        self._wait_turn(urlparse(url).netloc)
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent})
        deadline = time.monotonic() + self.timeout
        try:
            # `timeout` becomes the socket timeout: connecting and each read give up after it.
            with self.opener.open(request, timeout=self.timeout) as response:
                kind = response.headers.get_content_type()
                if html_only and kind not in HTML_TYPES:
                    raise Skip(f"not HTML ({kind})")
                body = self._read_body(response, max_bytes, deadline)
                return Response(response.geturl(), body, response.headers.get_content_charset())
        except urllib.error.HTTPError as err:
            err.close()
            raise Skip(_http_error_reason(err), status=err.code) from None
        except urllib.error.URLError as err:
            raise Skip(self._network_reason(err.reason, connecting=True)) from None
        except (OSError, http.client.HTTPException) as err:
            raise Skip(self._network_reason(err, connecting=False)) from None

    def _read_body(self, response: http.client.HTTPResponse, max_bytes: int, deadline: float) -> bytes:
        too_large = Skip(f"too large (> {max_bytes} bytes)")
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > max_bytes:
            raise too_large  # no need to download it to know
        body = bytearray()
        # read1 makes one socket read, so the deadline is checked even when a server trickles a
        # byte at a time (each read alone would stay under the socket timeout). A stall is thus
        # bounded by the deadline plus one socket timeout.
        while len(body) <= max_bytes:
            if time.monotonic() > deadline:
                raise Skip(f"timed out after {self.timeout:g} s")
            block = response.read1(min(READ_BLOCK, max_bytes + 1 - len(body)))
            if not block:
                if response.length:  # read1 returns b"" rather than raising when a body is cut short
                    raise Skip("the server closed the connection before the whole page arrived")
                return bytes(body)
            body += block
        raise too_large

    def _network_reason(self, err: object, *, connecting: bool) -> str:
        if isinstance(err, TimeoutError):
            return f"timed out after {self.timeout:g} s"
        if isinstance(err, http.client.HTTPException):
            return f"bad response from the server ({type(err).__name__})"
        detail = getattr(err, "strerror", None) or err  # "Connection refused", not "[Errno 111] ..."
        return f"cannot connect ({detail})" if connecting else f"network error ({detail})"

    def _wait_turn(self, host: str) -> None:
        wait = self._last_request_at.get(host, float("-inf")) + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_request_at[host] = time.monotonic()

    def allowed(self, url: str) -> bool:
        parts = urlparse(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin + "/robots.txt")
        return self._robots[origin].can_fetch(self.user_agent, url)

    def _read_robots(self, robots_url: str) -> RobotFileParser:
        rules = RobotFileParser(robots_url)
        try:
            response = self.get(robots_url, max_bytes=MAX_ROBOTS_BYTES)
        except Skip as why:
            # As RobotFileParser.read() does: 401/403 mean keep out; a missing file means no rules.
            rules.disallow_all = why.status in (401, 403)
            rules.allow_all = not rules.disallow_all
            return rules
        rules.parse(response.body.decode("utf-8", errors="replace").splitlines())
        return rules


def _http_error_reason(err: urllib.error.HTTPError) -> str:
    if 300 <= err.code < 400 and err.headers.get("Location"):  # urllib gave up following it
        return f"too many redirects (a loop, or more than {MAX_REDIRECTS})"
    return f"HTTP {err.code}"


def _is_web_address(url: str) -> bool:
    try:
        parts = urlparse(url)
    except ValueError:  # e.g. an unclosed "[" of an IPv6 address
        return False
    return parts.scheme in WEB_SCHEMES and bool(parts.netloc)


def _sitemap_address(source: str) -> str:
    if not _is_web_address(source):
        raise CrawlError(f"{source} is not a web address: write it in full, e.g. https://www.your-clinic.com")
    return source if urlparse(source).path.endswith(".xml") else urljoin(source, "/sitemap.xml")


def _pages_in_sitemap(fetcher: Fetcher, sitemap: str, report: CrawlReport,
                      progress: Callable[[str], None]) -> list[str]:
    """Page URLs on the sitemap's own host; a sitemap index's child sitemaps are read too."""
    try:
        root = _read_sitemap(fetcher, sitemap)
    except Skip as why:
        raise CrawlError(f"cannot read the sitemap {sitemap}: {why}. Check the address, or list the post "
                         f"URLs in a text file (one a line) and run `clinicbot crawl FILE`") from None
    if _local_name(root.tag) == "urlset":
        listed = _locations(root, "url")
    else:
        listed = []
        children = _on_host(_locations(root, "sitemap"), sitemap, report, progress)
        if len(children) > MAX_CHILD_SITEMAPS:
            progress(f"reading the first {MAX_CHILD_SITEMAPS} of the {len(children)} sitemaps in {sitemap}")
        for child in children[:MAX_CHILD_SITEMAPS]:
            try:
                child_root = _read_sitemap(fetcher, child)
            except Skip as why:
                _note_skip(report, progress, child, f"sitemap: {why}")
                continue
            if _local_name(child_root.tag) == "sitemapindex":  # the protocol forbids nesting indexes
                _note_skip(report, progress, child, "sitemap: an index inside an index")
                continue
            listed += _locations(child_root, "url")
    pages = _on_host(listed, sitemap, report, progress)
    progress(f"{len(pages)} pages listed in {sitemap}")
    return pages


def _read_sitemap(fetcher: Fetcher, url: str) -> ElementTree.Element:
    """The root element, <urlset> or <sitemapindex>; Skip with the reason otherwise."""
    body = fetcher.get(url, max_bytes=MAX_SITEMAP_BYTES).body
    # A sitemap never needs a DTD; refusing one rules out entity-expansion bombs and external entities.
    if re.search(rb"<!DOCTYPE", body, re.IGNORECASE):
        raise Skip("not a sitemap (it has a DOCTYPE)")
    try:
        root = ElementTree.fromstring(body)  # bytes, so the XML declaration's encoding is honoured
    except ElementTree.ParseError as err:
        raise Skip(f"not valid XML ({err})") from None
    if _local_name(root.tag) not in ("urlset", "sitemapindex"):
        raise Skip(f"not a sitemap (it starts with <{_local_name(root.tag)}>)")
    return root


def _locations(root: ElementTree.Element, entry: str) -> list[str]:
    """The <loc> of each <url> (or <sitemap>) entry. Extensions such as <image:loc> are not pages."""
    return [loc.text.strip() for item in root if _local_name(item.tag) == entry
            for loc in item if _local_name(loc.tag) == "loc" and loc.text and loc.text.strip()]


def _local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]  # "{http://www.sitemaps.org/schemas/sitemap/0.9}url" -> "url"


def _on_host(urls: list[str], sitemap: str, report: CrawlReport, progress: Callable[[str], None]) -> list[str]:
    host = urlparse(sitemap).netloc.lower()
    kept = []
    for url in dict.fromkeys(urls):
        if _is_web_address(url) and urlparse(url).netloc.lower() == host:
            kept.append(url)
        else:
            _note_skip(report, progress, url, f"not on {host}")
    return kept


def _fetch_article(fetcher: Fetcher, url: str, max_bytes: int) -> tuple[str, bytes]:
    """(slug, the page as UTF-8) for a page that holds an article; Skip otherwise."""
    if not _is_web_address(url):
        raise Skip("not an http(s) address")
    if not fetcher.allowed(url):
        raise Skip("disallowed by robots.txt")
    response = fetcher.get(url, max_bytes=max_bytes, html_only=True)
    html = _decode(response)
    return _article_slug(html, response.url), html.encode("utf-8")


def _decode(response: Response) -> str:
    # The header wins; many pages declare their charset only in a <meta> tag.
    charset = response.charset or EncodingDetector.find_declared_encoding(response.body, is_html=True)
    try:
        return response.body.decode(charset or "utf-8", errors="replace")
    except LookupError:  # a charset name Python doesn't know
        return response.body.decode("utf-8", errors="replace")


def _article_slug(html: str, final_url: str) -> str:
    """The same parse `clinicbot build` does, so a page saved here is one the build accepts."""
    try:
        article = parse_html(html, default_slug=url_slug(urlparse(final_url).path))
    except ParseError:
        raise Skip("no article content") from None
    if not article.title:
        raise Skip("no title or <h1>")
    if not article.slug:
        raise Skip("no canonical link and no page name in its address to name the file after")
    return article.slug


def _save(path: Path, content: bytes) -> str:
    """Write only what is new or changed: 'added', 'changed' or 'unchanged'."""
    if path.exists() and path.read_bytes() == content:
        return "unchanged"
    outcome = "changed" if path.exists() else "added"
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".crawl-", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o644)  # mkstemp makes it owner-only; the web server may run as another user
        os.replace(tmp, path)  # a reader sees the old file or the new one, never half of one
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise CrawlError(f"cannot write {path}: {err.strerror or err}") from None
    return outcome


def _note_skip(report: CrawlReport, progress: Callable[[str], None], url: str, reason: str) -> None:
    report.skipped.append((url, reason))
    progress(f"skipped {url} ({reason})")
