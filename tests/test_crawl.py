"""`clinicbot crawl` against a real HTTP server on 127.0.0.1 with good, broken and hostile pages."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from clinicbot.crawl import CrawlError, crawl, read_url_list
from clinicbot.parse import parse_file

ARTICLE = """<!doctype html><html><head><title>{title} | Sample Clinic</title>
<link rel="canonical" href="https://www.example.com/blog/{slug}"></head>
<body><nav>Home Blog Contact</nav><article><h1>{title}</h1>
<p>{body} Our therapists see this often, and most patients improve with a few weeks of guided exercise and simple changes at home.</p>
<h2>What helps</h2><p>Gentle movement, good posture and a home exercise program help most people feel better within weeks.</p>
</article><footer>Call (203) 555-0142</footer></body></html>"""


class Site:
    """Pages keyed by path: (status, content type, body bytes, extra headers)."""

    def __init__(self):
        self.pages = {}
        self.user_agents = []
        self.hang_seconds = 5

    def page(self, path, body, status=200, kind="text/html; charset=utf-8", headers=None):
        self.pages[path] = (status, kind, body.encode() if isinstance(body, str) else body, headers or {})


@pytest.fixture
def site():
    site = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            site.user_agents.append(self.headers.get("User-Agent"))
            if self.path == "/hang":
                time.sleep(site.hang_seconds)
            status, kind, body, headers = site.pages.get(self.path, (404, "text/html", b"not found", {}))
            self.send_response(status)
            self.send_header("Content-Type", kind)
            for key, value in headers.items():
                self.send_header(key, value)
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site.base = f"http://127.0.0.1:{server.server_port}"
    yield site
    server.shutdown()
    server.server_close()


def sitemap(urls):
    items = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</urlset>'


@pytest.fixture
def populated(site):
    b = site.base
    site.page("/robots.txt", "User-agent: *\nDisallow: /private/\n", kind="text/plain")
    site.page("/blog/heat-or-ice", ARTICLE.format(title="Heat or Ice?", slug="heat-or-ice", body="Ice calms fresh swelling."))
    site.page("/blog/desk-posture", ARTICLE.format(title="Desk Posture", slug="desk-posture", body="Sitting all day strains the back."))
    site.page("/blog/broken", "<html><body><article><h1>Broken Page<p>Unclosed tags everywhere but real words about knee pain "
                              "and strengthening exercises that help patients walk again without a limp, "
                              "climb stairs and get back to gardening, golf and long walks with the family dog.<div><span>")
    site.page("/old-address", "", status=301, headers={"Location": f"{b}/blog/heat-or-ice"})
    site.page("/brochure.pdf", b"%PDF-1.4 binary", kind="application/pdf")
    site.page("/huge", "<html><body><article>" + "<p>word</p>" * 600_000 + "</article></body></html>")
    site.page("/private/staff-notes", ARTICLE.format(title="Staff", slug="staff", body="Internal."))
    site.page("/contact", "<html><body><nav>Home</nav><p>Call us.</p></body></html>")
    pages = ["/blog/heat-or-ice", "/blog/desk-posture", "/blog/broken", "/old-address", "/missing", "/brochure.pdf",
             "/huge", "/hang", "/private/staff-notes", "/contact", "https://elsewhere.example.org/blog/x"]
    site.page("/sitemap.xml", sitemap([u if u.startswith("http") else b + u for u in pages]), kind="application/xml")
    return site


def run(site, tmp_path, sources=None, **options):
    return crawl(sources or [site.base], tmp_path / "corpus", delay=0, timeout=1, max_bytes=1_000_000, **options)


def test_sitemap_crawl_saves_articles_and_explains_every_skip(populated, tmp_path):
    started = time.monotonic()
    lines = []
    report = run(populated, tmp_path, progress=lines.append)
    assert time.monotonic() - started < 10  # the hanging page cost about its 1 s timeout, not 5 s
    assert sorted(report.added) == ["broken", "desk-posture", "heat-or-ice"]
    assert report.unchanged == ["heat-or-ice"]  # the redirect lands on a page already saved
    b = populated.base
    assert dict(report.skipped) == {
        f"{b}/missing": "HTTP 404",
        f"{b}/brochure.pdf": "not HTML (application/pdf)",
        f"{b}/huge": "too large (> 1000000 bytes)",
        f"{b}/hang": "timed out after 1 s",
        f"{b}/private/staff-notes": "disallowed by robots.txt",
        f"{b}/contact": "no article content",
    }
    assert "added heat-or-ice" in lines
    assert parse_file(tmp_path / "corpus" / "heat-or-ice.html").title == "Heat or Ice?"
    assert "knee pain" in parse_file(tmp_path / "corpus" / "broken.html").text
    assert all(ua.startswith("clinicbot/") for ua in populated.user_agents)
    assert report.summary() == "3 added, 0 changed, 1 unchanged, 6 skipped"


def test_second_crawl_sees_changes_only(populated, tmp_path):
    run(populated, tmp_path)
    populated.page("/blog/desk-posture", ARTICLE.format(title="Desk Posture", slug="desk-posture",
                                                         body="Sitting all day strains the back; stand every half hour."))
    report = run(populated, tmp_path)
    assert report.added == [] and report.changed == ["desk-posture"]
    assert sorted(report.unchanged) == ["broken", "heat-or-ice", "heat-or-ice"]


def test_list_of_urls_and_url_file(populated, tmp_path):
    listing = tmp_path / "urls.txt"
    listing.write_text(f"# posts to fetch\n{populated.base}/blog/heat-or-ice\n\n{populated.base}/missing\n")
    report = run(populated, tmp_path, sources=read_url_list(listing))
    assert report.added == ["heat-or-ice"] and report.skipped == [(f"{populated.base}/missing", "HTTP 404")]


def test_sitemap_index_is_followed(populated, tmp_path):
    b = populated.base
    populated.page("/sitemap-index.xml", f'<?xml version="1.0"?><sitemapindex><sitemap><loc>{b}/posts.xml</loc></sitemap></sitemapindex>',
                   kind="application/xml")
    populated.page("/posts.xml", sitemap([f"{b}/blog/desk-posture"]), kind="application/xml")
    report = run(populated, tmp_path, sources=[f"{b}/sitemap-index.xml"])
    assert report.added == ["desk-posture"]


def test_unreadable_sitemaps_are_clear_errors(site, tmp_path):
    site.page("/sitemap.xml", "<urlset><url><loc>oops", kind="application/xml")
    with pytest.raises(CrawlError, match="not valid XML"):
        run(site, tmp_path)
    with pytest.raises(CrawlError, match="cannot read the sitemap.*cannot connect"):
        crawl(["http://127.0.0.1:9/sitemap.xml"], tmp_path, delay=0, timeout=1)
    with pytest.raises(CrawlError, match="not an http"):
        crawl(["file:///etc/passwd"], tmp_path)


def test_requests_to_one_host_are_spaced_by_the_delay(populated, tmp_path):
    started = time.monotonic()
    crawl([f"{populated.base}/blog/heat-or-ice", f"{populated.base}/blog/desk-posture"], tmp_path, delay=0.4, timeout=1)
    # robots.txt + two pages = three requests, two waits between them
    assert time.monotonic() - started >= 0.8
