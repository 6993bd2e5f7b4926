"""Figures: each renders from the real data into valid PNG and SVG files showing every event and actor."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import matplotlib.image
import pytest
from conftest import MODEL, REPO, run_cli

import eastasia_data as ead
from eastasia_data.publish.plot import actor_graph, timeline_rows

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
        # the actor labels only (an event's title may name an actor that takes no part in it); a label
        # wrapped over lines is one <text> per line, so its lines are joined again
        root = ET.parse(svg).getroot()
        labels = [" ".join("".join(t.itertext()) for t in g.iter(f"{SVG}text"))
                  for g in root.iter(f"{SVG}g") if g.get("id") == "actors"]
        labelled = {n for t in labels for n in names if n in t}
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
    from eastasia_data.publish.plot import RECENT_FROM, event_styles

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


def _scaled(k: int = 3) -> dict:
    """The release's events k times over: each copy's recent events moved back by k * 97 days."""
    import pandas as pd

    events, links = ead.load("events"), ead.load("event_actors")
    copies, link_copies = [events], [links]
    for i in range(1, k):
        e = events.copy()
        recent = e["start_date"] >= pd.Timestamp("2022-01-01")
        shift = pd.DateOffset(days=97 * i)
        e.loc[recent, "start_date"] = e.loc[recent, "start_date"] - shift
        e.loc[recent, "end_date"] = e.loc[recent, "end_date"] - shift
        e["event_id"] = e["event_id"] + f"-copy{i}"
        e["title"] = e["title"] + f" (copy {i})"
        copies.append(e)
        link_copies.append(links.assign(event_id=links["event_id"] + f"-copy{i}"))
    return {"events": pd.concat(copies, ignore_index=True), "event_actors": pd.concat(link_copies, ignore_index=True),
            "actors": ead.load("actors")}


def test_the_timeline_stays_readable_with_three_times_the_events(tmp_path):
    """A tall timeline repeats its time axis at the top, rules off the years and wraps its legend."""
    from eastasia_data.publish.plot import LEGEND_COLUMNS, TALL_FROM, save, timeline

    frames = _scaled(3)
    n = len(frames["events"])
    assert n >= TALL_FROM
    fig = timeline(frames)
    for ax in fig.axes:
        assert ax.xaxis.get_tick_params(which="major")["labeltop"]  # dates at the top as well as at the bottom
    years = sorted(set(frames["events"]["start_date"].dt.year))
    labels = [t.get_text() for t in fig.axes[0].texts if t.get_gid() == "year-label"]
    assert labels == [str(y) for y in years[1:]]  # one rule and label per new year
    legend = fig.legends[0]
    assert legend._ncols <= LEGEND_COLUMNS
    png = save(fig, tmp_path, "timeline")[0]
    image = matplotlib.image.imread(png)
    inches = image.shape[0] / 110
    assert inches / n <= 0.36  # each event keeps its own line of text (0.34 in), however many there are
    assert image.shape[1] <= 17 * 110 + 10  # and the width does not grow with the legend


def test_a_short_timeline_has_no_year_rules():
    from eastasia_data.publish.plot import TALL_FROM, timeline

    frames = {name: ead.load(name) for name in ("events", "event_actors", "actors")}
    frames["events"] = frames["events"].head(TALL_FROM - 1)
    fig = timeline(frames)
    assert not [t for ax in fig.axes for t in ax.texts if t.get_gid() == "year-label"]
