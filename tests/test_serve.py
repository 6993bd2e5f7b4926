"""Datasette: the metadata the SQLite export carries, a real server, and the page Chromium shows."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import REPO, run_cli

import eastasia_data as ead
from eastasia_data.releases import model
from eastasia_data.publish.datasette import CANNED_QUERIES, metadata_path

#: Left out of the quick run (`-m "not slow"`): Datasette and Chromium.
pytestmark = pytest.mark.slow

MODEL = model()


def test_sqlite_export_writes_the_metadata_beside_it(tmp_path):
    out = tmp_path / "eastasia.sqlite"
    result = run_cli("export", "--format", "sqlite", "--out", str(out))
    assert result.code == 0, result.text
    meta = json.loads(metadata_path(out).read_text(encoding="utf-8"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eastasia.metadata.json", "eastasia.sqlite"]
    assert meta["license"] == "CC-BY-4.0"
    assert meta["source"] == f"eastasia-data {ead.__version__}"
    assert "source_url" not in meta  # no repository exists yet: none is invented
    tables = meta["databases"]["eastasia"]["tables"]
    assert sorted(tables) == sorted([*MODEL, *ead.views.SQL])
    for name, table in MODEL.items():
        assert tables[name]["description"] == table.description
        assert list(tables[name]["columns"]) == list(table.field_names)
        for f in table.fields:
            assert tables[name]["columns"][f.name].startswith(f.description)
            assert all(c.value in tables[name]["columns"][f.name] for c in f.categories)
        assert tables[name].get("facets", []) == sorted(f.name for f in table.fields if f.categories)
    # a second export refuses to overwrite the metadata too, and --force replaces both
    out.unlink()
    refused = run_cli("export", "--format", "sqlite", "--out", str(out))
    assert refused.code == 1 and "eastasia.metadata.json exists" in refused.err
    assert run_cli("export", "--format", "sqlite", "--out", str(out), "--force").code == 0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode("utf-8")


@pytest.fixture(scope="module")
def server():
    """``eastasia-data serve`` in its own process, as a user starts it."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "eastasia_data", "serve", "--port", str(port)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            get(base + "/-/versions.json")
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                out, err = proc.communicate()
                pytest.fail(f"eastasia-data serve did not start: {out}{err}")
            time.sleep(0.3)
    yield base, proc
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=30)


def test_served_claims_table_has_descriptions_facets_and_rows(server):
    base, _ = server
    status, page = get(base + "/eastasia/claims")
    assert status == 200
    text = html.unescape(page)
    assert MODEL["claims"].description in text
    for f in MODEL["claims"].fields:
        assert f"<dt>{f.name}</dt><dd>{f.description}" in text
    status, body = get(base + "/eastasia/claims.json?_shape=objects&_size=max")
    data = json.loads(body)
    assert data["filtered_table_rows_count"] == len(ead.load("claims"))
    verdicts = {f["name"]: f for f in data["facet_results"].values()}["verdict"]
    counts = {r["value"]: r["count"] for r in verdicts["results"]}
    assert counts == ead.load("claims")["verdict"].value_counts().loc[lambda s: s > 0].to_dict()


def test_served_metadata_names_the_licence_and_no_invented_url(server):
    base, _ = server
    _, body = get(base + "/-/metadata.json")
    meta = json.loads(body)
    assert meta["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert "source_url" not in meta


def test_canned_queries_answer(server):
    base, _ = server
    claims = ead.load("claims")
    sources = ead.load("sources").set_index("source_id")
    _, body = get(base + "/eastasia/contradicted_claims.json?_shape=array")
    rows = json.loads(body)
    contradicted = claims[claims["verdict"] == "contradicted"]
    assert sorted(r["claim_id"] for r in rows) == sorted(contradicted["claim_id"])
    expected = {c: sources.loc[a, "title"] for c, a in zip(contradicted["claim_id"], contradicted["authority_source_id"])}
    assert {r["claim_id"]: r["authority"] for r in rows} == expected
    _, body = get(base + "/eastasia/events_of_actor.json?_shape=array&actor_id=act-north-korea")
    p = ead.views.event_participants()
    of_state = p[(p["actor_id"] == "act-north-korea") | (p["state_actor_id"] == "act-north-korea")]
    rows = json.loads(body)
    assert len(rows) == len(of_state) > (p["actor_id"] == "act-north-korea").sum()  # its army and leader too
    assert {r["title"] for r in rows} == set(of_state["title"]) and "Korean People's Army" in {r["actor"] for r in rows}
    _, body = get(base + "/eastasia/verdicts_by_article.json?_shape=array")
    assert sum(r["claims"] for r in json.loads(body)) == len(claims)
    assert set(CANNED_QUERIES) == {"contradicted_claims", "verdicts_by_article", "events_of_actor"}


def test_serve_listens_on_localhost_only_and_stops_cleanly(tmp_path):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "eastasia_data", "serve", "--port", str(port)], cwd=REPO,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        line = proc.stdout.readline()
        match = re.match(r"serving (\S+) on http://127\.0\.0\.1:(\d+)/", line)
        assert match, line
        database = Path(match.group(1))
        deadline = time.monotonic() + 60
        while True:
            try:
                get(f"http://127.0.0.1:{port}/-/versions.json")
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
                time.sleep(0.3)
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True).stdout
        assert listening.split() and all(addr.startswith("127.0.0.1:") for addr in re.findall(r"\S+:\d+(?=\s)", listening)
                                         if addr.endswith(f":{port}"))
        assert database.is_file()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert "Traceback" not in err
    assert not database.parent.exists()  # the scratch export is removed


def test_serve_refuses_a_bad_port():
    result = run_cli("serve", "--port", "99999")
    assert result.code == 2
    assert result.err.strip() == "error: port 99999 is not a port number (0 to 65535)"


def test_serve_on_a_busy_port_fails_before_announcing_anything(tmp_path):
    """One line, exit 2 (the usage error of the map), nothing printed on standard output, nothing exported."""
    import socket

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_cli("serve", "--port", str(port), process=True, env={"TMPDIR": str(tmp_path)})
    assert result.code == 2 and result.out == ""
    assert result.err.startswith(f"error: port {port} on 127.0.0.1 is in use (") and result.err.count("\n") == 1
    assert "pass --port N with a free one" in result.err and not list(tmp_path.iterdir())


# -- what a browser shows ----------------------------------------------------------------------

def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("chromium is not installed: .ci/run installs it with apt-get install -y chromium")
    pytest.skip("chromium is not installed (apt-get install -y chromium); under CI=true this fails")


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True, text=True, timeout=120)


def test_chromium_shows_the_claims_page_with_descriptions_and_the_verdict_facet(server, tmp_path):
    base, _ = server
    url = base + "/eastasia/claims"
    dom = run_chromium(tmp_path, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr
    text = html.unescape(dom.stdout)
    assert "<title>eastasia: claims:" in text
    descriptions = re.search(r'<dl class="column-descriptions">(.*?)</dl>', text, re.S)
    assert descriptions, "no column descriptions on the page"
    for f in MODEL["claims"].fields:
        assert f"<dt>{f.name}</dt><dd>{f.description}" in descriptions.group(1)
    facet = re.search(r'<div class="facet-info facet-eastasia-claims-verdict".*?</div>', text, re.S)
    assert facet, "no verdict facet on the page"
    for verdict, count in ead.load("claims")["verdict"].value_counts().items():
        if count:
            assert re.search(rf">{verdict}</a>\s*{count}\b", facet.group(0)), verdict
    shot = tmp_path / "claims.png"
    taken = run_chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,1600", url)
    assert taken.returncode == 0, taken.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    keep = os.environ.get("EASTASIA_SCREENSHOTS")
    if keep:  # to look at it: EASTASIA_SCREENSHOTS=DIR pytest tests/test_serve.py
        shutil.copy(shot, Path(keep) / "claims.png")
