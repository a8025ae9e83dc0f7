"""Every office value is escaped for its context; no request leaves the site."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from site_helpers import built_site, fixture, without_outbound_links

from generator.site.fixtures import ADVERSARIAL_NAME


def _adversarial_code():
    model, _ = fixture()
    return next(c for c, e in model.enterprises.items() if e.name == ADVERSARIAL_NAME)


def test_adversarial_name_renders_as_text_everywhere():
    site = built_site()
    page = (site / f"enterprises/{_adversarial_code()}/index.html").read_text("utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; | **x** [a](javascript:alert(1))" in page
    for html in site.rglob("*.html"):
        text = html.read_text("utf-8")
        assert "<script>alert(1)" not in text, html
        assert 'href="javascript:' not in text, html
        assert "<strong>x</strong>" not in text, html


def test_title_tag_is_escaped():
    page = (built_site() / f"enterprises/{_adversarial_code()}/index.html").read_text("utf-8")
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "&lt;script&gt;" in title and "<script>" not in title


def test_feed_and_sitemap_are_well_formed_xml():
    site = built_site()
    feed = ET.parse(site / "feed.xml").getroot()
    assert feed.tag.endswith("feed")
    entries = feed.findall("{http://www.w3.org/2005/Atom}entry")
    assert len(entries) >= 4
    ET.parse(site / "sitemap.xml")


def test_csv_neutralises_formulas(tmp_path):
    from generator.site.downloads import to_csv

    rec = {k: "" for k in ("task", "task_title", "code", "authority", "type", "inspected",
                           "completed", "results", "result_codes", "followups", "note",
                           "inspectors")}
    rec["name"] = "=HYPERLINK(\"http://x\")"
    assert b'"\'=HYPERLINK' in to_csv([rec])


_URL = re.compile(r"""(?:href|src|action|srcset|poster|data)\s*=\s*["']?\s*(https?:)?//""", re.I)


def test_no_request_leaves_the_site():
    site = built_site()
    own = "https://gongshi.example.gov.cn/"
    for path in site.rglob("*"):
        if path.suffix == ".html":
            text = without_outbound_links(path.read_text("utf-8"))
            for m in re.finditer(r"""(?:href|src|action|srcset|poster)\s*=\s*["']([^"']*)""",
                                 text, re.I):
                url = m.group(1).strip()
                if url.startswith(("http://", "https://", "//")):
                    assert url.startswith(own), (path, url)
        elif path.suffix == ".css":
            for url in re.findall(r"url\(\s*['\"]?([^'\")]+)", path.read_text("utf-8")):
                assert not url.startswith(("http:", "https:", "//")), (path, url)
        elif path.suffix == ".js" and "assets/javascripts/" in path.as_posix():
            text = path.read_text("utf-8")
            if path.name.startswith("gongshi-"):
                assert not re.search(r"https?://", text), path
        elif path.suffix in (".xml",):
            for url in re.findall(r"https?://[^\s<\"']+", path.read_text("utf-8")):
                assert url.startswith((own, "http://www.w3.org/", "http://www.sitemaps.org/")), url
