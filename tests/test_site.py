"""The static site (`eastasia-data site`): its files and links, as a crawler reads them, and as a reader sees them.

The browser tests (marked slow) serve the site over HTTP on 127.0.0.1, open it in Debian's
Chromium through Selenium and the system chromedriver, audit it with axe-core (the npm package
that scripts/setup.sh installs into .venv/) and take screenshots; to keep them,
``EASTASIA_SCREENSHOTS=DIR pytest tests/test_site.py``.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import re
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import REPO, run_cli

import eastasia_data as ead
from eastasia_data.releases import registry
from eastasia_data.releases import model
from eastasia_data.publish.site import build as site_build

SITE_URL = "https://example.org/eastasia-data"
# The site is a reader's feature (built from the releases, not from data/): left out of the quick run.
pytestmark = pytest.mark.slow

VERSIONS = [r["version"] for r in registry()["releases"]]
LATEST = VERSIONS[-1]
AXE = REPO / ".venv" / "node_modules" / "axe-core" / "axe.min.js"
_HREF = re.compile(r'(?:href|src)="([^"]*)"')


def scratch_checkout(root: Path, site_url: str | None) -> Path:
    """A checkout of its own (pyproject.toml and schemas/) whose configuration sets ``site-url``."""
    root.mkdir()
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    if site_url:
        text = text.replace("[tool.eastasia-data]\n", f'[tool.eastasia-data]\nsite-url = "{site_url}/"\n', 1)
        assert "site-url" in text
    (root / "pyproject.toml").write_text(text, encoding="utf-8")
    shutil.copytree(REPO / "schemas", root / "schemas")
    shutil.copytree(REPO / "releases", root / "releases", ignore=shutil.ignore_patterns("eastasia-data-*[0-9]"))
    return root


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> Path:
    """The site as the command writes it from this checkout, where site-url is unset (no search index)."""
    out = tmp_path_factory.mktemp("plain") / "site"
    result = run_cli("site", "--out", str(out), "--no-search")
    assert result.code == 0, result.text
    assert result.out == f"written: {out} (the site of {len(VERSIONS)} release(s), {VERSIONS[0]} to {LATEST})\n"
    return out


@pytest.fixture(scope="module")
def public(tmp_path_factory) -> Path:
    """The site built in a scratch checkout that sets site-url, with its Pagefind index."""
    base = tmp_path_factory.mktemp("public")
    checkout = scratch_checkout(base / "checkout", SITE_URL)
    out = base / "site"
    result = run_cli("--repo", str(checkout), "site", "--out", str(out))
    assert result.code == 0, result.text
    return out


def pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def first_key(table: str) -> tuple[str, ...]:
    frame = ead.load(table)
    return tuple(str(v) for v in frame[list(model()[table].primary_key)].iloc[0])


def removed_row() -> tuple[str, tuple[str, ...], str]:
    """A row of an earlier release that the newest no longer has: (table, key, the release that removed it)."""
    releases = [site_build._read_release(e) for e in registry()["releases"]]
    for table, rows in site_build.histories(releases).items():
        for key, steps in rows.items():
            if steps[-1].status in ("removed", "absent") and any(s.status == "removed" for s in steps):
                return table, key, next(s.version for s in steps if s.status == "removed")
    pytest.fail("no release removed a row: the latest/ page of a removed row cannot be tested")


# -- the command -------------------------------------------------------------------------------

def test_site_refuses_an_existing_directory_without_force(plain):
    before = (plain / "index.html").read_bytes()
    refused = run_cli("site", "--out", str(plain), "--no-search")
    assert refused.code == 1 and refused.out == ""
    assert refused.err == f"error: {plain} exists; choose another path or pass --force to replace it\n"
    (plain / "stray.txt").write_text("x", encoding="utf-8")
    forced = run_cli("site", "--out", str(plain), "--no-search", "--force")
    assert forced.code == 0, forced.text
    assert not (plain / "stray.txt").exists() and (plain / "index.html").read_bytes() == before
    assert not [p for p in plain.parent.iterdir() if p.name != "site"]  # no scratch directory is left


def test_a_bad_site_url_is_one_line_naming_the_file(tmp_path):
    checkout = scratch_checkout(tmp_path / "checkout", None)
    project = checkout / "pyproject.toml"
    project.write_text(project.read_text(encoding="utf-8").replace(
        "[tool.eastasia-data]\n", '[tool.eastasia-data]\nsite-url = "javascript:alert(1)"\n', 1), encoding="utf-8")
    result = run_cli("--repo", str(checkout), "site", "--out", str(tmp_path / "site"), "--no-search")
    assert result.code == 2 and result.out == "" and result.err.count("\n") == 1
    assert result.err.startswith(f"error: {project}: [tool.eastasia-data] site-url = 'javascript:alert(1)' is not")
    assert not (tmp_path / "site").exists()


# -- the pages and their links -----------------------------------------------------------------

@pytest.mark.parametrize("table", sorted(model()))
def test_every_row_of_every_release_has_its_page_and_latest_page(plain, table):
    for version in VERSIONS:
        tables = model(version)
        if table not in tables:  # an older release lacks a newer table: no pages, and no error
            assert not (plain / version / table).exists()
            continue
        frame = ead.load(table, version=version)
        keys = frame[list(tables[table].primary_key)].astype(str).itertuples(index=False, name=None)
        for key in keys:
            page = plain / version / table / site_build.keypath(key) / "index.html"
            assert page.is_file(), page
            assert (plain / "latest" / table / site_build.keypath(key) / "index.html").is_file()
        assert (plain / version / table / "index.html").is_file()


def test_every_link_leads_to_a_file_of_the_site(plain):
    """Relative links to files (never to a bare directory), so the site works from file:// and under a prefix."""
    broken, count = [], 0
    for page in pages(plain):
        for href in _HREF.findall(page.read_text(encoding="utf-8")):
            if href.startswith(("http://", "https://", "#")):
                continue
            assert not href.startswith("/"), f"{page}: {href} is not relative"
            target = (page.parent / unquote(urlsplit(href).path)).resolve()
            count += 1
            if not target.is_file() and "pagefind/" not in href:  # the index is not built with --no-search
                broken.append(f"{page.relative_to(plain)}: {href}")
    assert count > 10_000 and not broken, broken[:10]


def test_without_site_url_no_absolute_address_is_invented(plain):
    assert not (plain / "sitemap.xml").exists()
    for page in pages(plain):
        text = page.read_text(encoding="utf-8")
        assert 'rel="canonical"' not in text and "example.org" not in text and "lite.datasette.io" not in text
    key = first_key("claims")
    review = jsonld(plain / LATEST / "claims" / site_build.keypath(key) / "index.html")
    assert review["@type"] == "ClaimReview" and "url" not in review
    croissant = jsonld(plain / "index.html")
    assert "url" not in croissant
    assert all(not d["contentUrl"].startswith("http") for d in croissant["distribution"])


def jsonld(page: Path) -> dict:
    scripts = re.findall(r'<script type="application/ld\+json">\n(.*?)\n</script>', page.read_text(encoding="utf-8"), re.S)
    assert len(scripts) == 1, page
    return json.loads(scripts[0])


def test_with_site_url_pages_name_their_public_address(public):
    key = first_key("claims")
    path = f"{LATEST}/claims/{site_build.keypath(key)}"
    page = (public / path / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{SITE_URL}/{path}">' in page
    latest = (public / "latest" / "claims" / site_build.keypath(key) / "index.html").read_text(encoding="utf-8")
    assert f'<link rel="canonical" href="{SITE_URL}/{path}">' in latest  # the versioned page is the canonical one
    sitemap = (public / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>(.*?)</loc>", sitemap)
    assert f"{SITE_URL}/{path}" in locs and f"{SITE_URL}/" in locs
    for loc in locs:
        assert loc.startswith(SITE_URL + "/")
        rest = loc[len(SITE_URL) + 1:]
        assert (public / rest / "index.html").is_file() or (public / rest).is_file(), loc
    home = (public / "index.html").read_text(encoding="utf-8")
    sqlite = f"{SITE_URL}/{ead.__version__}/downloads/eastasia.sqlite"
    assert f'href="https://lite.datasette.io/?url={sqlite.replace(":", "%3A")}"' in home
    assert (public / ead.__version__ / "downloads" / "eastasia.sqlite").is_file()
    assert (public / "pagefind" / "pagefind-ui.js").is_file()


def test_the_claim_page_embeds_its_claimreview_as_a_crawler_reads_it(public):
    extruct = pytest.importorskip("extruct")
    claims = ead.load("claims")
    claim = claims[claims["verdict"] == "contradicted"].iloc[0]
    path = f"{LATEST}/claims/{claim['claim_id']}/"
    html = (public / path / "index.html").read_text(encoding="utf-8")
    found = extruct.extract(html, base_url=f"{SITE_URL}/{path}", syntaxes=["json-ld"])["json-ld"]
    assert len(found) == 1
    review = found[0]
    assert review["@type"] == "ClaimReview" and review["url"] == f"{SITE_URL}/{path}"
    assert review["claimReviewed"] == claim["paraphrase"]
    assert review["itemReviewed"]["text"] == claim["excerpt"]
    assert review["reviewRating"]["ratingValue"] == 1 and review["reviewBody"] == claim["verdict_note"]
    assert review["author"]["name"] == "eastasia-data contributors"
    sources = ead.load("sources").set_index("source_id")
    assert review["citation"][0]["name"] == sources.loc[claim["authority_source_id"], "title"]


def test_the_claim_page_shows_the_claim_whole(plain):
    claims = ead.load("claims")
    claim = claims[claims["verdict"] == "contradicted"].iloc[0]
    import html as htmllib

    text = htmllib.unescape((plain / LATEST / "claims" / claim["claim_id"] / "index.html").read_text(encoding="utf-8"))
    for column in ("excerpt", "paraphrase", "verdict_note"):
        assert claim[column] in text
    sources = ead.load("sources").set_index("source_id")
    assert sources.loc[claim["source_id"], "title"] in text
    assert sources.loc[claim["authority_source_id"], "title"] in text
    if "authority_excerpt" in claims and isinstance(claim["authority_excerpt"], str):  # the authority's own words
        assert f'<blockquote class="excerpt">{claim["authority_excerpt"]}</blockquote>' in text
        assert "quotes no words of the authority" not in text
    assert "History across releases" in text and "Cite this row" in text
    words = re.sub(r"<[^>]+>", "", text)  # the citation block as a reader copies it
    assert f"{ead.cite('apa').strip()} Table claims, row claim_id = {claim['claim_id']}." in words
    history = ead.history("claims", claim["claim_id"])
    for version, status in zip(history["version"], history["status"]):
        assert re.search(rf"<td>(<a [^>]*>)?{re.escape(version)}(</a>)?</td>\s*<td>{status}</td>", text), version


def test_the_latest_page_of_a_removed_row_says_when_and_why(plain):
    table, key, version = removed_row()
    page = (plain / "latest" / table / site_build.keypath(key) / "index.html").read_text(encoding="utf-8")
    assert f"was removed in release {version}" in page
    history = ead.history(table, key)
    reasons = [r for r in history["reason"].dropna() if r]  # no reason is missing (NaN), as in test_corrections
    if reasons:  # the page escapes the text (quotes become entities): compare what a reader sees
        import html as htmllib

        text = htmllib.unescape(page)
        assert all(r.splitlines()[0] in text for r in reasons)
    else:
        assert "The corrections register records no reason for this row." in page
    last = history[history["status"].isin(["added", "changed", "unchanged"])]["version"].iloc[-1]
    assert f'href="../../{"../" * len(key)}{last}/{table}/{site_build.keypath(key)}index.html"' in page


@pytest.mark.parametrize("table", ["claims", "event_actors"])
def test_the_history_on_the_pages_is_ead_history(table):
    """Checked row by row on a sample (``ead.history`` reads every release per row: minutes for every link row):
    every row that some release changed or removed, up to 25, and the first and last 5 of the rest."""
    releases = [site_build._read_release(e) for e in registry()["releases"]]
    computed = site_build.histories(releases)[table]
    eventful = [k for k, steps in computed.items() if {"changed", "removed"} & {s.status for s in steps}]
    quiet = [k for k in computed if k not in set(eventful)]
    sample = eventful[:25] + quiet[:5] + quiet[-5:]
    assert eventful and len(sample) > 10
    for key in sample:
        steps = computed[key]
        expected = ead.history(table, key).fillna("")  # the page shows a missing reason as empty
        got = [[s.version, s.status, s.changed, s.changelog, s.reason] for s in steps]
        assert got == expected[["version", "status", "changed", "changelog", "reason"]].values.tolist(), key


def test_each_diff_page_links_every_changed_row(plain):
    for old, new in zip(VERSIONS, VERSIONS[1:]):
        page = (plain / "diff" / f"{old}..{new}" / "index.html").read_text(encoding="utf-8")
        for table in sorted(set(model(old)) & set(model(new))):
            key = list(model(new)[table].primary_key)
            before = ead.load(table, version=old).astype(str).set_index(key)
            after = ead.load(table, version=new).astype(str).set_index(key)
            for k in after.index.difference(before.index):
                k = k if isinstance(k, tuple) else (k,)
                assert f'href="../../{new}/{table}/{site_build.keypath(k)}index.html"' in page, (table, k)
            for k in before.index.difference(after.index):
                k = k if isinstance(k, tuple) else (k,)
                assert f'href="../../{old}/{table}/{site_build.keypath(k)}index.html"' in page, (table, k)


def test_values_from_the_data_are_text_and_only_http_addresses_links(tmp_path):
    releases = [site_build._read_release(e) for e in registry()["releases"]]
    latest = releases[-1]
    key = next(k for k, r in latest.rows["claims"].items() if r["authority_source_id"])
    row = latest.rows["claims"][key]
    row["paraphrase"] = '<script>alert("x")</script>'
    latest.rows["sources"][(row["source_id"],)]["title"] = "<b>bold</b>"
    latest.rows["sources"][(row["authority_source_id"],)]["url"] = "javascript:alert(1)"
    site = site_build.Site(tmp_path, releases, None)
    site.history = site_build.histories(releases)
    site.row_page(latest, "claims", key, latest=False)
    page = (tmp_path / site.row_path(latest.version, "claims", key) / "index.html").read_text(encoding="utf-8")
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
    assert 'href="javascript:' not in page
    authority = (row["authority_source_id"],)
    site.row_page(latest, "sources", authority, latest=False)
    page = (tmp_path / site.row_path(latest.version, "sources", authority) / "index.html").read_text(encoding="utf-8")
    assert 'href="javascript:' not in page and "<dd>javascript:alert(1)</dd>" in page
    assert site_build.is_http("https://example.org/x") and not site_build.is_http("data:text/html,x")


def test_json_ld_cannot_end_its_script_element():
    text = str(site_build.jsonld({"a": "</script><script>alert(1)</script> & more"}))
    assert "</script" not in text and "<" not in text and "&" not in text
    assert json.loads(text) == {"a": "</script><script>alert(1)</script> & more"}


def test_the_site_is_the_same_bytes_each_time(plain, tmp_path):
    again = tmp_path / "again"
    assert run_cli("site", "--out", str(again), "--no-search").code == 0

    def digest(site: Path) -> dict[str, str]:
        return {str(p.relative_to(site)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(site.rglob("*")) if p.is_file()}

    assert digest(again) == digest(plain)


def kinds_of_page(site: Path) -> list[Path]:
    """Every page but the row pages, and of those the first, the last and the largest of each release's table
    (and of ``latest/``): one template makes all the rows of a table, so these show each template with the
    shortest and the longest values, in a few hundred pages rather than all twelve thousand."""
    rows: dict[tuple[str, str], list[Path]] = {}
    chosen = []
    for page in pages(site):
        parts = page.relative_to(site).parts
        if "pagefind" in parts:
            continue
        if len(parts) >= 4 and (parts[0] in VERSIONS or parts[0] == "latest"):
            rows.setdefault(parts[:2], []).append(page)
        else:
            chosen.append(page)
    for group in rows.values():
        chosen += sorted({group[0], group[-1], max(group, key=lambda q: q.stat().st_size)})
    return chosen


def test_every_kind_of_page_parses_in_html5lib_strict_mode(public):
    import html5lib

    parser = html5lib.HTMLParser(strict=True)
    chosen = kinds_of_page(public)
    assert len(chosen) > 100 and any(p.name == "index.html" and "latest" in p.parts for p in chosen)
    for page in chosen:
        try:
            parser.parse(page.read_bytes())
        except html5lib.html5parser.ParseError as exc:
            pytest.fail(f"{page.relative_to(public)}: {exc}")


# -- what a reader sees ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(public):
    """The public site over HTTP on 127.0.0.1, as Pagefind needs it."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(public)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium through its chromedriver (no browser download)."""
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not (chromium and driver):
        if os.environ.get("CI") == "true":
            pytest.fail("chromium and chromium-driver are not installed: .ci/run installs them with apt-get")
        pytest.skip("chromium or chromedriver is missing (apt-get install -y chromium chromium-driver)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1400",
                "--disable-background-networking", "--disable-component-update", "--no-first-run"):
        options.add_argument(arg)
    d = webdriver.Chrome(service=Service(driver), options=options)
    d.set_page_load_timeout(60)
    yield d
    d.quit()


def screenshot(browser, name: str, tmp_path: Path) -> Path:
    shot = tmp_path / f"{name}.png"
    browser.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    keep = os.environ.get("EASTASIA_SCREENSHOTS")
    if keep:
        shutil.copy(shot, Path(keep) / shot.name)
    return shot


def audit(browser) -> list[str]:
    """axe-core's serious and critical violations on the open page."""
    if not AXE.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{AXE} is missing: scripts/setup.sh installs axe-core with npm")
        pytest.skip("axe-core is not installed (scripts/setup.sh installs it with npm)")
    browser.execute_script(AXE.read_text(encoding="utf-8"))
    result = browser.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document).then(r => done(r.violations.map(v => [v.impact, v.id, v.nodes.length, v.help])));")
    return [f"{impact} {rule} ({n} nodes): {text}" for impact, rule, n, text in result
            if impact in ("serious", "critical")]


def test_a_reader_goes_from_the_home_page_to_a_claim(served, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    browser.get(served)
    assert browser.title.startswith("eastasia-data")
    assert audit(browser) == []
    screenshot(browser, "home", tmp_path)
    browser.find_element(By.LINK_TEXT, "claims").click()
    assert browser.current_url == served + "latest/claims/index.html"
    assert audit(browser) == []
    claims = ead.load("claims")
    Select(browser.find_element(By.CSS_SELECTOR, 'select[data-facet="verdict"]')).select_by_value("contradicted")
    contradicted = int((claims["verdict"] == "contradicted").sum())
    shown = browser.find_element(By.CSS_SELECTOR, "output.shown").text
    assert shown == f"{contradicted} of {len(claims)} rows shown"
    visible = [r for r in browser.find_elements(By.CSS_SELECTOR, "table.rows tbody tr") if r.is_displayed()]
    assert len(visible) == contradicted
    screenshot(browser, "claims-contradicted", tmp_path)
    first = visible[0].find_element(By.TAG_NAME, "a")
    claim_id = first.text
    first.click()
    assert browser.current_url == served + f"latest/claims/{claim_id}/index.html"
    claim = claims.set_index("claim_id").loc[claim_id]
    body = browser.find_element(By.TAG_NAME, "main").text
    assert claim["paraphrase"] in body and "Verdict: contradicted" in body
    assert audit(browser) == []
    screenshot(browser, "claim", tmp_path)
    browser.find_element(By.PARTIAL_LINK_TEXT, f"{LATEST}/claims/{claim_id}/").click()
    assert browser.current_url == served + f"{LATEST}/claims/{claim_id}/index.html"
    assert "Cite this row" in browser.find_element(By.TAG_NAME, "main").text


def test_a_reader_sees_why_a_row_was_removed(served, browser, tmp_path):
    from selenium.webdriver.common.by import By

    table, key, version = removed_row()
    browser.get(served + f"latest/{table}/{site_build.keypath(key)}")
    text = browser.find_element(By.CSS_SELECTOR, ".removed").text
    assert f"was removed in release {version}" in text
    assert audit(browser) == []
    screenshot(browser, "removed", tmp_path)
    browser.find_element(By.LINK_TEXT, "the row as it was there").click()
    assert "/latest/" not in browser.current_url and browser.current_url.endswith("index.html")


def test_the_search_finds_a_claim_in_the_page(served, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    claims = ead.load("claims")
    claim = claims[claims["verdict"] == "contradicted"].iloc[0]
    browser.get(served + "search/")
    box = WebDriverWait(browser, 30).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".pagefind-ui__search-input")))
    box.send_keys(claim["claim_id"])
    WebDriverWait(browser, 30).until(
        expected_conditions.presence_of_element_located((By.CSS_SELECTOR, ".pagefind-ui__result-link")))
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-link")]
    assert served + f"latest/claims/{claim['claim_id']}/" in links  # the latest page, not each release's
    assert all(link.startswith((served + "latest/", served + "diff/")) or link == served for link in links), links
    assert audit(browser) == []
    screenshot(browser, "search", tmp_path)


def test_the_diff_and_table_pages_pass_the_audit(served, browser, tmp_path):
    for path in [f"diff/{VERSIONS[-2]}..{LATEST}/", f"{VERSIONS[0]}/claims/"]:
        browser.get(served + path)
        assert audit(browser) == [], path
    screenshot(browser, "diff", tmp_path)
