"""Figures: each renders from the real data into valid PNG and SVG files showing every event and actor."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import matplotlib.image
import pytest
from conftest import MODEL, REPO, run_cli

import eastasia_data as ead
from eastasia_data.plot import actor_graph, timeline_rows

#: Left out of the quick run (`-m "not slow"`): figures drawn.
pytestmark = pytest.mark.slow

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(path) -> list[str]:
    root = ET.parse(path).getroot()
    return ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]


def svg_marks(path, gid: str) -> int:
    """How many markers the collections with this gid drew (one <use> or <path> each, outside <defs>)."""
    def count(element) -> int:
        return sum(1 if child.tag in (f"{SVG}use", f"{SVG}path") else count(child)
                   for child in element if child.tag != f"{SVG}defs")

    groups = [g for g in ET.parse(path).getroot().iter(f"{SVG}g") if g.get("id") == gid]
    assert groups, f"no collection with gid {gid!r}"
    return sum(count(g) for g in groups)


@pytest.fixture(scope="module", params=["timeline", "network"])
def rendered(request, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param)
    result = run_cli("plot", request.param, "--out", str(out))
    assert result.code == 0, result.text
    png, svg = out / f"{request.param}.png", out / f"{request.param}.svg"
    assert f"written: {png}" in result.out and f"written: {svg}" in result.out
    return request.param, png, svg


def test_drawing_again_says_what_it_did_to_the_files_there(rendered):
    kind, png, svg = rendered
    again = run_cli("plot", kind, "--out", str(png.parent))
    assert again.code == 0 and again.out == f"unchanged: {png}\nunchanged: {svg}\n"
    svg.write_text("<svg/>", encoding="utf-8")
    changed = run_cli("plot", kind, "--out", str(png.parent))
    assert changed.out == f"unchanged: {png}\nreplaced: {svg}\n"


def test_png_is_a_readable_image(rendered):
    _, png, _ = rendered
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pixels = matplotlib.image.imread(png)
    height, width = pixels.shape[:2]
    assert width >= 1000 and height >= 800
    assert pixels.std() > 0.05  # not a blank canvas


def test_svg_shows_every_event_or_actor(rendered):
    kind, _, svg = rendered
    texts = svg_texts(svg)
    if kind == "timeline":
        rows = timeline_rows()
        assert len(rows) == len(ead.load("events"))
        assert svg_marks(svg, "events") == len(rows)
        labels = [t for t in texts if "  " in t]
        assert labels == [f"{d}  {t}" for d, t in zip(rows["date"], rows["title"])]
        names = set(ead.load("actors")["name"])
        labelled = {n for t in texts for n in names if n in t.replace("\n", " ")}
        assert labelled == set(ead.load("actors").set_index("actor_id").loc[
            ead.load("event_actors")["actor_id"].unique(), "name"])
        categories = set(ead.load("events")["category"].astype(str))
        assert categories <= set(texts)
    else:
        nodes, edges = actor_graph()
        assert svg_marks(svg, "actors") == len(nodes)
        assert set(nodes["name"]) <= set(texts)
        linked = set(ead.load("event_actors")["actor_id"]) | set(ead.load("strategy_targets")["actor_id"])
        assert set(nodes["actor_id"]) == linked | set(ead.load("strategies")["actor_id"])
        assert (edges["weight"] > 0).all()


def test_svg_is_byte_stable(rendered, tmp_path):
    kind, _, svg = rendered
    again = run_cli("plot", kind, "--out", str(tmp_path))
    assert again.code == 0, again.text
    assert (tmp_path / f"{kind}.svg").read_bytes() == svg.read_bytes()


def test_plot_without_a_name_draws_both(tmp_path):
    result = run_cli("plot", "--out", str(tmp_path))
    assert result.code == 0, result.text
    assert sorted(p.name for p in tmp_path.iterdir()) == ["network.png", "network.svg", "timeline.png", "timeline.svg"]


def test_unknown_figure_is_a_usage_error():
    result = run_cli("plot", "map")
    assert result.code == 2
    assert "invalid choice" in result.err


def test_the_timeline_marks_its_broken_axis_and_tells_every_category_apart(tmp_path):
    from eastasia_data.plot import RECENT_FROM, event_styles

    result = run_cli("plot", "timeline", "--out", str(tmp_path))
    assert result.code == 0, result.text
    svg = tmp_path / "timeline.svg"
    assert svg_marks(svg, "axis-break") == 4  # a double slash on each side of the gap
    texts = svg_texts(svg)
    assert f"to {RECENT_FROM - 1} (compressed)" in texts and f"from {RECENT_FROM}" in texts
    styles = event_styles(MODEL["events"].field("category").enum)
    assert len(set(styles.values())) == len(styles)  # no two categories share colour and shape


def test_the_network_carries_the_caveat_of_the_datasheet(tmp_path):
    result = run_cli("plot", "network", "--out", str(tmp_path))
    assert result.code == 0, result.text
    caveat = " ".join(" ".join(svg_texts(tmp_path / "network.svg")).split())
    assert "what the two archived articles connect" in caveat and "not a measure of alliance" in caveat
    datasheet = " ".join((REPO / "docs" / "datasheet.md").read_text(encoding="utf-8").split())
    assert "The network figure shows what the articles link, not who is allied with whom." in datasheet
