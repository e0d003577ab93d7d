"""`clinicbot crawl` against a real HTTP server on 127.0.0.1 with good, broken and hostile pages."""

import re
import socket
import stat
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from clinicbot.crawl import USER_AGENT, CrawlError, crawl, read_url_list
from clinicbot.parse import parse_file

FILLER = ("Our therapists see this often, and most patients improve with a few weeks of guided exercise "
          "and simple changes at home.")


def article(title, body, canonical_slug=None, head=""):
    canonical = f'<link rel="canonical" href="https://www.example.com/blog/{canonical_slug}">' if canonical_slug else ""
    return f"""<!doctype html><html><head>{head}<title>{title} | Sample Clinic</title>{canonical}</head>
<body><nav>Home Blog Contact</nav><article><h1>{title}</h1><p>{body} {FILLER}</p>
<h2>What helps</h2><p>Gentle movement, good posture and a home exercise program help most people feel better.</p>
</article><footer>Call (203) 555-0142</footer></body></html>"""


def sitemap(urls, extra=""):
    items = "".join(f"<url><loc>{u}</loc>{extra}</url>" for u in urls)
    return ('<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">{items}</urlset>')


def sitemap_index(urls):
    items = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urls)
    return f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>'


class Site:
    """What the test server answers, by path, and what it was asked."""

    def __init__(self):
        self.routes = {}
        self.requests = []  # (path, User-Agent)
        self.release = threading.Event()  # set at teardown, so handlers that stall end then

    def page(self, path, body, status=200, kind="text/html; charset=utf-8", headers=(), declare_length=True):
        body = body.encode() if isinstance(body, str) else body
        self.routes[path] = lambda handler: respond(handler, status, kind, body, headers, declare_length)

    def redirect(self, path, location, status=301):
        self.page(path, b"", status=status, headers=[("Location", location)])

    def paths_requested(self):
        return [path for path, _ in self.requests]


def respond(handler, status, kind, body, headers=(), declare_length=True):
    handler.send_response(status)
    handler.send_header("Content-Type", kind)
    if declare_length:
        handler.send_header("Content-Length", str(len(body)))
    for name, value in headers:
        handler.send_header(name, value)
    handler.end_headers()
    handler.wfile.write(body)


def not_found(handler):
    respond(handler, 404, "text/html", b"<h1>Not found</h1>")


@pytest.fixture
def site():
    site = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            site.requests.append((self.path, self.headers.get("User-Agent")))
            try:
                site.routes.get(urlsplit(self.path).path, not_found)(self)  # routes ignore ?query
            except (BrokenPipeError, ConnectionResetError):
                pass  # the crawler hung up on purpose (too large, too slow)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True  # a handler still stalling can't hold up shutdown
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    site.base = f"http://127.0.0.1:{server.server_port}"
    site.host = f"127.0.0.1:{server.server_port}"
    yield site
    site.release.set()
    server.shutdown()
    server.server_close()


def hang(site):
    """Accept the request, then send nothing."""
    def route(handler):
        site.release.wait(30)
    return route


def trickle(site):
    """Send headers, then a few bytes at a time: every read succeeds, the page never ends."""
    def route(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        for _ in range(100):
            if site.release.wait(0.2):
                return
            handler.wfile.write(b"<p>")
    return route


def truncated(handler):
    """Promise 5000 bytes, send fewer, hang up."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.send_header("Content-Length", "5000")
    handler.end_headers()
    handler.wfile.write(article("Cut Short", "Half a post.").encode())


@pytest.fixture
def clinic_site(site):
    b = site.base
    site.page("/robots.txt", "User-agent: *\nDisallow: /private/\n", kind="text/plain")
    site.page("/blog/heat-or-ice", article("Heat or Ice?", "Ice calms fresh swelling.", "heat-or-ice"))
    site.page("/blog/desk-posture", article("Desk Posture", "Sitting all day strains the back.", "desk-posture"))
    site.page("/blog/Hip_Pain", article("Hip Pain", "Hips ache after long walks."))  # no canonical link
    site.page("/blog/broken", "<html><body><article><h1>Broken Page<p>Unclosed tags everywhere but real words about "
                              "knee pain and strengthening exercises that help patients walk again without a limp, "
                              "climb stairs and get back to gardening, golf and long walks with the family dog.<div><span>")
    site.redirect("/old-address", f"{b}/blog/knee-pain-after-running")
    site.page("/blog/knee-pain-after-running", article("Knee Pain After Running", "Runners' knees need rest."))
    site.redirect("/loop", f"{b}/loop")
    site.redirect("/to-ftp", "ftp://127.0.0.1/brochure.pdf")
    site.page("/brochure.pdf", b"%PDF-1.4 binary", kind="application/pdf")
    huge = "<html><body><article>" + "<p>word</p>" * 500_000 + "</article></body></html>"  # 5.5 MB
    site.page("/huge", huge)
    site.page("/huge-streamed", huge, declare_length=False)  # no Content-Length to go by
    site.routes["/hang"] = hang(site)
    site.routes["/trickle"] = trickle(site)
    site.routes["/truncated"] = truncated
    site.page("/private/staff-notes", article("Staff Notes", "Internal.", "staff-notes"))
    site.page("/contact", "<html><head><title>Contact</title></head><body><nav>Home</nav><p>Call us.</p></body></html>")
    site.page("/untitled", f"<html><body><main><p>{FILLER * 3}</p></main></body></html>")
    paths = ["/blog/heat-or-ice", "/blog/desk-posture", "/blog/Hip_Pain", "/blog/broken", "/old-address",
             "/blog/heat-or-ice?ref=home", "/missing", "/brochure.pdf", "/huge", "/huge-streamed", "/hang", "/trickle",
             "/truncated", "/loop", "/to-ftp", "/private/staff-notes", "/contact", "/untitled"]
    urls = [b + path for path in paths] + ["https://elsewhere.example.org/blog/x"]
    site.page("/sitemap.xml", sitemap(urls), kind="application/xml")
    return site


def run(site, corpus, sources=None, **options):
    return crawl(sources or [site.base], corpus, delay=0, timeout=1, max_bytes=1_000_000, **options)


EXPECTED_ADDED = ["broken", "desk-posture", "heat-or-ice", "hip-pain", "knee-pain-after-running"]


def expected_skips(site):
    b = site.base
    return {
        f"{b}/blog/heat-or-ice?ref=home": f"same article as {b}/blog/heat-or-ice",
        f"{b}/missing": "HTTP 404",
        f"{b}/brochure.pdf": "not HTML (application/pdf)",
        f"{b}/huge": "too large (> 1000000 bytes)",
        f"{b}/huge-streamed": "too large (> 1000000 bytes)",
        f"{b}/hang": "timed out after 1 s",
        f"{b}/trickle": "timed out after 1 s",
        f"{b}/truncated": "the server closed the connection before the whole page arrived",
        f"{b}/loop": "too many redirects (a loop, or more than 5)",
        f"{b}/to-ftp": "redirected to ftp://127.0.0.1/brochure.pdf, not a web address",
        f"{b}/private/staff-notes": "disallowed by robots.txt",
        f"{b}/contact": "no article content",
        f"{b}/untitled": "no title or <h1>",
        "https://elsewhere.example.org/blog/x": f"not on {site.host}",
    }


def test_sitemap_crawl_saves_articles_and_explains_every_skip(clinic_site, tmp_path):
    corpus = tmp_path / "corpus"
    lines = []
    started = time.monotonic()
    report = run(clinic_site, corpus, progress=lines.append)
    # Generous: the two slow pages cost about their 1 s timeout each, not the 30 s they would stall.
    assert time.monotonic() - started < 10
    assert sorted(report.added) == EXPECTED_ADDED
    assert report.changed == [] and report.unchanged == []
    assert dict(report.skipped) == expected_skips(clinic_site)
    assert len(report.skipped) == len(expected_skips(clinic_site))
    assert report.summary() == "5 added, 0 changed, 0 unchanged, 14 skipped"

    assert sorted(p.name for p in corpus.iterdir()) == [f"{slug}.html" for slug in EXPECTED_ADDED]
    assert parse_file(corpus / "heat-or-ice.html").title == "Heat or Ice?"
    assert "knee pain" in parse_file(corpus / "broken.html").text
    assert "Runners' knees" in parse_file(corpus / "knee-pain-after-running.html").text
    assert stat.S_IMODE((corpus / "hip-pain.html").stat().st_mode) == 0o644

    assert "added heat-or-ice" in lines
    assert f"skipped {clinic_site.base}/missing (HTTP 404)" in lines
    assert {agent for _, agent in clinic_site.requests} == {USER_AGENT}
    assert "/private/staff-notes" not in clinic_site.paths_requested()


def test_second_crawl_sees_changes_only_and_deletes_nothing(clinic_site, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "old-post.html").write_text("a post the website no longer has")
    for slow in ("/hang", "/trickle"):  # timing is the first test's business; here they'd cost 2 s a crawl
        del clinic_site.routes[slow]
    run(clinic_site, corpus)

    again = run(clinic_site, corpus)
    assert again.added == [] and again.changed == []
    assert sorted(again.unchanged) == EXPECTED_ADDED

    clinic_site.page("/blog/desk-posture", article("Desk Posture", "Stand up every half hour.", "desk-posture"))
    third = run(clinic_site, corpus)
    assert third.added == [] and third.changed == ["desk-posture"]
    assert sorted(third.unchanged) == [s for s in EXPECTED_ADDED if s != "desk-posture"]
    assert "every half hour" in parse_file(corpus / "desk-posture.html").text
    assert (corpus / "old-post.html").exists()
    assert not list(corpus.glob(".crawl-*"))  # no temporary files left behind


def test_list_of_urls_from_a_file(clinic_site, tmp_path):
    b = clinic_site.base
    listing = tmp_path / "urls.txt"
    listing.write_text(f"\ufeff# posts to fetch\n{b}/blog/heat-or-ice\n\n  {b}/missing  \nwww.example.com/blog/x\r\n",
                       encoding="utf-8")
    urls = read_url_list(listing)
    assert urls == [f"{b}/blog/heat-or-ice", f"{b}/missing", "www.example.com/blog/x"]
    report = run(clinic_site, tmp_path / "corpus", sources=urls)
    assert report.added == ["heat-or-ice"]
    assert report.skipped == [(f"{b}/missing", "HTTP 404"), ("www.example.com/blog/x", "not an http(s) address")]
    assert "/sitemap.xml" not in clinic_site.paths_requested()


def test_sitemap_index_is_followed_on_its_own_host(site, tmp_path):
    b = site.base
    site.page("/sitemap-index.xml", sitemap_index([f"{b}/posts.xml", f"{b}/gone.xml", f"{b}/nested.xml",
                                                   "https://elsewhere.example.org/sitemap.xml"]), kind="application/xml")
    image = "<image:image><image:loc>{}/photo.jpg</image:loc></image:image>".format(b)
    site.page("/posts.xml", sitemap([f"{b}/blog/desk-posture"], extra=image), kind="application/xml")
    site.page("/nested.xml", sitemap_index([f"{b}/posts.xml"]), kind="application/xml")
    site.page("/blog/desk-posture", article("Desk Posture", "Sitting all day strains the back.", "desk-posture"))

    report = run(site, tmp_path / "corpus", sources=[f"{b}/sitemap-index.xml"])
    assert report.added == ["desk-posture"]
    assert dict(report.skipped) == {
        "https://elsewhere.example.org/sitemap.xml": f"not on {site.host}",
        f"{b}/gone.xml": "sitemap: HTTP 404",
        f"{b}/nested.xml": "sitemap: an index inside an index",
    }
    assert "/photo.jpg" not in site.paths_requested()  # an image extension's <loc> is not a page


BILLION_LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]><urlset>&lol2;</urlset>')


@pytest.mark.parametrize("body, status, problem", [
    ("<urlset><url><loc>oops", 200, "not valid XML"),
    ("<html><body><p>Page not found</p></body></html>", 200, "not a sitemap (it starts with <html>)"),
    (BILLION_LAUGHS, 200, "not a sitemap (it has a DOCTYPE)"),
    ("", 404, "HTTP 404"),
])
def test_an_unreadable_sitemap_is_a_clear_error(site, tmp_path, body, status, problem):
    site.page("/sitemap.xml", body, status=status, kind="application/xml")
    with pytest.raises(CrawlError, match=re.escape(f"cannot read the sitemap {site.base}/sitemap.xml: ") + ".*" + re.escape(problem)) as error:
        run(site, tmp_path / "corpus")
    assert "clinicbot crawl FILE" in str(error.value)  # it says what to do instead


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_or_invalid_start_address_is_a_clear_error(tmp_path):
    with pytest.raises(CrawlError, match=r"cannot read the sitemap .*cannot connect \(Connection refused\)"):
        crawl([f"http://127.0.0.1:{closed_port()}/sitemap.xml"], tmp_path, delay=0, timeout=1)
    with pytest.raises(CrawlError, match="not a web address: write it in full"):
        crawl(["www.example.com"], tmp_path)
    with pytest.raises(CrawlError, match="not a web address"):
        crawl(["file:///etc/passwd"], tmp_path)
    with pytest.raises(CrawlError, match="no URLs to crawl"):
        crawl([], tmp_path)


@pytest.mark.parametrize("robots, status, allowed", [
    (None, 404, True),  # no robots.txt: no rules
    ("", 403, False),  # as urllib.robotparser: a forbidden robots.txt means keep out
    ("User-agent: clinicbot\nDisallow: /blog/\n", 200, False),
    ("User-agent: otherbot\nDisallow: /\n", 200, True),
])
def test_robots_txt_is_obeyed(site, tmp_path, robots, status, allowed):
    if robots is not None:
        site.page("/robots.txt", robots, status=status, kind="text/plain")
    site.page("/blog/heat-or-ice", article("Heat or Ice?", "Ice calms fresh swelling.", "heat-or-ice"))
    page, other = f"{site.base}/blog/heat-or-ice", f"{site.base}/missing"
    report = run(site, tmp_path / "corpus", sources=[page, other])
    assert (report.added == ["heat-or-ice"]) is allowed
    assert ((page, "disallowed by robots.txt") in report.skipped) is not allowed
    assert site.paths_requested().count("/robots.txt") == 1  # read once per site


def test_pages_are_decoded_by_their_declared_charset(site, tmp_path):
    site.page("/header", article("Café Hours", "Our café is open late.").encode("latin-1"),
              kind="text/html; charset=iso-8859-1")
    site.page("/meta", article("Don’t Skip Warm-ups", "Warm muscles don’t tear.", head='<meta charset="windows-1252">')
              .encode("cp1252"), kind="text/html")
    site.page("/undeclared", article("Stray Byte", "A stray \xff byte.").encode("latin-1"), kind="text/html")
    b = site.base
    report = run(site, tmp_path / "corpus", sources=[f"{b}/header", f"{b}/meta", f"{b}/undeclared"])
    assert sorted(report.added) == ["header", "meta", "undeclared"]
    assert "café is open" in parse_file(tmp_path / "corpus" / "header.html").text
    assert "don’t tear" in parse_file(tmp_path / "corpus" / "meta.html").text
    assert "A stray \ufffd byte" in parse_file(tmp_path / "corpus" / "undeclared.html").text


def test_requests_to_one_host_are_spaced_by_the_delay(clinic_site, tmp_path):
    b = clinic_site.base
    started = time.monotonic()
    crawl([f"{b}/blog/heat-or-ice", f"{b}/blog/desk-posture"], tmp_path, delay=0.4, timeout=1)
    # robots.txt and two pages: three requests, two waits between them
    assert time.monotonic() - started >= 0.8
