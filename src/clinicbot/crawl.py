"""Fetch the clinic's posts from its website into the corpus, politely.

Reads the site's sitemap.xml (or a list of page URLs), obeys robots.txt, waits `delay`
seconds between requests, gives up on a page after `timeout` seconds, refuses non-HTML and
oversized responses, and writes only new or changed pages (atomically) as CORPUS/<slug>.html.
One bad page is reported and skipped; only an unreadable sitemap stops the crawl.
"""

from __future__ import annotations

import os
import socket
import tempfile
import time
import urllib.error
import urllib.request
import urllib.robotparser
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import urljoin, urlparse

from .parse import ParseError, parse_html, url_slug

USER_AGENT = "clinicbot/0.1 (+https://github.com/clinicbot; a clinic's own FAQ assistant)"
MAX_REDIRECTS = 5
MAX_SITEMAP_BYTES = 10_000_000


class CrawlError(RuntimeError):
    pass


class Refused(Exception):
    """A page that is skipped, with the reason a person reads."""


@dataclass
class CrawlReport:
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self) -> str:
        return (f"{len(self.added)} added, {len(self.changed)} changed, {len(self.unchanged)} unchanged, "
                f"{len(self.skipped)} skipped")


class _LimitedRedirects(urllib.request.HTTPRedirectHandler):
    max_redirections = MAX_REDIRECTS


def read_url_list(path: Path) -> list[str]:
    lines = (line.strip() for line in Path(path).read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line and not line.startswith("#")]


class Fetcher:
    def __init__(self, timeout: float, max_bytes: int, user_agent: str, delay: float):
        self.timeout, self.max_bytes, self.user_agent, self.delay = timeout, max_bytes, user_agent, delay
        self.opener = urllib.request.build_opener(_LimitedRedirects())
        self._last_request: dict[str, float] = {}
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}

    def _wait_turn(self, host: str) -> None:
        wait = self._last_request.get(host, 0.0) + self.delay - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_request[host] = time.monotonic()

    def get(self, url: str, accept: tuple[str, ...], max_bytes: int | None = None) -> tuple[str, str]:
        """(final URL, decoded text); Refused with a reason when the page can't be used."""
        limit = max_bytes or self.max_bytes
        self._wait_turn(urlparse(url).netloc)
        request = urllib.request.Request(url, headers={"User-Agent": self.user_agent, "Accept": ", ".join(accept)})
        started = time.monotonic()
        try:
            # The socket timeout bounds each read, so a server that sends nothing cannot stall us.
            with self.opener.open(request, timeout=self.timeout) as response:
                kind = response.headers.get_content_type()
                if not any(kind == a or (a.endswith("/*") and kind.startswith(a[:-1])) for a in accept):
                    raise Refused(f"not HTML ({kind})")
                body = b""
                while len(body) <= limit:
                    if time.monotonic() - started > self.timeout:
                        raise Refused(f"timed out after {self.timeout:g} s")
                    block = response.read(65536)
                    if not block:
                        break
                    body += block
                if len(body) > limit:
                    raise Refused(f"too large (> {limit} bytes)")
                charset = response.headers.get_content_charset() or "utf-8"
                try:
                    text = body.decode(charset, errors="replace")
                except LookupError:
                    text = body.decode("utf-8", errors="replace")
                return response.geturl(), text
        except urllib.error.HTTPError as err:
            raise Refused(f"HTTP {err.code}") from None
        except (socket.timeout, TimeoutError):
            raise Refused(f"timed out after {self.timeout:g} s") from None
        except urllib.error.URLError as err:
            reason = err.reason
            if isinstance(reason, (socket.timeout, TimeoutError)):
                raise Refused(f"timed out after {self.timeout:g} s") from None
            raise Refused(f"cannot connect ({reason})") from None
        except (OSError, ValueError) as err:
            raise Refused(f"cannot fetch ({err})") from None

    def allowed(self, url: str) -> bool:
        parts = urlparse(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            parser = urllib.robotparser.RobotFileParser()
            try:
                _, text = self.get(origin + "/robots.txt", ("text/plain", "text/*"), max_bytes=500_000)
                parser.parse(text.splitlines())
            except Refused:  # no robots.txt (or unreadable): nothing is disallowed
                parser = None
            self._robots[origin] = parser
        parser = self._robots[origin]
        return parser is None or parser.can_fetch(self.user_agent, url)


def _sitemap_urls(fetcher: Fetcher, sitemap: str, depth: int = 0) -> list[str]:
    try:
        _, text = fetcher.get(sitemap, ("application/xml", "text/xml", "text/plain", "text/html"),
                              max_bytes=MAX_SITEMAP_BYTES)
        root = ElementTree.fromstring(text)
    except Refused as err:
        raise CrawlError(f"cannot read the sitemap {sitemap}: {err}; check the address, or pass page URLs instead") from None
    except ElementTree.ParseError as err:
        raise CrawlError(f"the sitemap {sitemap} is not valid XML ({err}); pass page URLs instead") from None
    locations = [el.text.strip() for el in root.iter() if el.tag.endswith("loc") and el.text]
    if root.tag.endswith("sitemapindex") and depth < 2:
        return [url for child in locations for url in _sitemap_urls(fetcher, child, depth + 1)]
    host = urlparse(sitemap).netloc
    return [url for url in locations if urlparse(url).netloc == host]


def crawl(sources: list[str], corpus: Path, *, delay: float = 1.0, timeout: float = 10.0,
          max_bytes: int = 2_000_000, user_agent: str = USER_AGENT,
          progress: Callable[[str], None] = lambda line: None) -> CrawlReport:
    corpus = Path(corpus)
    fetcher = Fetcher(timeout, max_bytes, user_agent, delay)
    for source in sources:
        if urlparse(source).scheme not in ("http", "https"):
            raise CrawlError(f"{source} is not an http(s) address")
    if len(sources) == 1:
        sitemap = sources[0] if sources[0].endswith(".xml") else urljoin(sources[0], "/sitemap.xml")
        pages = _sitemap_urls(fetcher, sitemap)
        progress(f"{len(pages)} pages in {sitemap}")
    else:
        pages = sources
    corpus.mkdir(parents=True, exist_ok=True)
    report = CrawlReport()
    for url in dict.fromkeys(pages):
        try:
            if not fetcher.allowed(url):
                raise Refused("disallowed by robots.txt")
            final_url, text = fetcher.get(url, ("text/html", "application/xhtml+xml"))
            slug = _article_slug(text, final_url)
        except Refused as err:
            report.skipped.append((url, str(err)))
            progress(f"skipped {url} ({err})")
            continue
        outcome = _save(corpus / f"{slug}.html", text.encode("utf-8"))
        getattr(report, outcome).append(slug)
        progress(f"{outcome} {slug}")
    return report


def _article_slug(text: str, url: str) -> str:
    try:
        article = parse_html(text, default_slug=url_slug(urlparse(url).path))
    except ParseError:
        raise Refused("no article content") from None
    if not article.slug:
        raise Refused("no article content")
    return article.slug


def _save(path: Path, content: bytes) -> str:
    if path.exists() and path.read_bytes() == content:
        return "unchanged"
    outcome = "changed" if path.exists() else "added"
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=".crawl-")
    with os.fdopen(handle, "wb") as out:
        out.write(content)
    os.replace(tmp, path)  # a reader sees the old file or the new one, never half of one
    return outcome
