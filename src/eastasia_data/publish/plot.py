"""Figures of the release: a timeline of the events and a network of the actors.

Both are drawn with matplotlib (``pip install "eastasia-data[plot]"``), without pyplot, so
drawing never touches a global figure or backend. Each figure is built from a small
table that tests and notebooks can inspect (:func:`timeline_rows`, :func:`actor_graph`)
and saved as PNG and SVG by :func:`save`. SVG output keeps text as text and is
byte-stable (fixed hash salt, no date); PNG output carries no software stamp.

Examples
--------
>>> from eastasia_data.publish.plot import timeline_rows
>>> rows = timeline_rows()
>>> rows.columns.tolist()
['event_id', 'start', 'end', 'date', 'precision', 'title', 'category', 'actors']
"""

from __future__ import annotations

import textwrap
from collections import Counter
from collections.abc import Mapping
from itertools import combinations
from pathlib import Path
from typing import Any

from eastasia_data.dates import format_dates
from eastasia_data.errors import PlotError, require

KINDS = ("timeline", "network")
#: Events from this year on get the wide right-hand panel of the timeline.
RECENT_FROM = 2022
_ROLE_ORDER = {"actor": 0, "recipient": 1, "participant": 2}
_SVG_SALT = "eastasia-data"
#: Colour of the arrows from an actor to the targets of its courses of action (no node uses it).
STRATEGY_COLOUR = "#00897b"
#: The timeline's colours (Okabe and Ito's, told apart with every common colour-vision deficiency)
#: and marker shapes: the event categories, in schema order, take the colours in turn and a new
#: shape every len(EVENT_COLOURS) categories, so no two categories look alike.
EVENT_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")
EVENT_MARKERS = ("o", "s", "D", "^", "v", "P")
#: From this many events on, the timeline repeats its time axis at the top and rules off the years,
#: so that a tall figure can be read without scrolling back to the bottom.
TALL_FROM = 40
#: Most entries per row of the timeline's legend (16 categories and the bar fit in three rows).
LEGEND_COLUMNS = 6
#: Under the network figure: what its links mean (the datasheet's caveat travels with the picture).
NETWORK_CAVEAT = ("A link shows what the two archived articles connect: actors in the same event, on whatever "
                  "side, or an actor's course of action and its target. It is not a measure of alliance or "
                  "of how often actors deal with each other.")


def _frames(frames: Mapping[str, Any] | None, *names: str) -> dict[str, Any]:
    if frames is not None:
        return {n: frames[n] for n in names}
    from eastasia_data.loader import load

    return {n: load(n) for n in names}


def timeline_rows(frames: Mapping[str, Any] | None = None):
    """One row per event, in time order, with what the timeline draws for it.

    Parameters
    ----------
    frames : mapping of str to DataFrame, optional
        ``events``, ``event_actors`` and ``actors`` as :func:`eastasia_data.load`
        returns them; by default the release's.

    Returns
    -------
    pandas.DataFrame
        Columns ``event_id``, ``start`` and ``end`` (timestamps; ``end`` may be missing),
        ``date`` (the start date as text at its precision), ``precision`` (``day``,
        ``month`` or ``year``), ``title``, ``category`` and
        ``actors`` (the actors' names, those acting first, then recipients, then
        participants, joined by ", ").

    Examples
    --------
    >>> rows = timeline_rows()
    >>> row = rows.set_index("event_id").loc["evt-2024-06-19-treaty-signed"]
    >>> row["date"], row["category"]
    ('2024-06-19', 'SUPPORT')
    >>> "Russia" in row["actors"] and "North Korea" in row["actors"]
    True
    """
    import pandas as pd

    f = _frames(frames, "events", "event_actors", "actors")
    names = f["actors"].set_index("actor_id")["name"].astype(str)
    links = f["event_actors"].assign(
        name=lambda d: d["actor_id"].map(names),
        order=lambda d: d["role"].astype(str).map(_ROLE_ORDER),
    ).sort_values(["event_id", "order", "name"])
    actors = links.groupby("event_id", sort=False)["name"].agg(lambda s: ", ".join(dict.fromkeys(s)))
    events = f["events"].sort_values(["start_date", "event_id"], kind="stable")
    return pd.DataFrame({
        "event_id": events["event_id"].astype(str),
        "start": events["start_date"],
        "end": events["end_date"],
        "date": format_dates(events["start_date"], events["date_precision"].astype(object)),
        "precision": events["date_precision"].astype(str),
        "title": events["title"].astype(str),
        "category": events["category"],
        "actors": events["event_id"].map(actors).fillna("").astype(str),
    }).reset_index(drop=True)


def actor_graph(frames: Mapping[str, Any] | None = None):
    """The actors and the links between them that the network figure draws.

    Two actors are linked by every event they both take part in (``event_actors``) and
    by every course of action one of them has directed at the other (``strategies``
    and ``strategy_targets``).

    Parameters
    ----------
    frames : mapping of str to DataFrame, optional
        ``actors``, ``event_actors``, ``strategies`` and ``strategy_targets``; by default
        the release's.

    Returns
    -------
    nodes : pandas.DataFrame
        One row per actor that has at least one link: ``actor_id``, ``name``, ``kind``,
        ``events`` (how many events it takes part in) and ``strategies`` (how many
        courses of action it takes or is the target of). ``nodes.attrs["kinds"]`` lists
        every kind of actor in schema order, which fixes each kind's colour.
    edges : pandas.DataFrame
        One row per linked pair and kind of link: ``source`` and ``target`` (actor ids,
        in id order for shared events, actor → target for strategies), ``link``
        (``"event"`` or ``"strategy"``) and ``weight`` (how many).

    Examples
    --------
    >>> nodes, edges = actor_graph()
    >>> "act-china" in set(nodes["actor_id"])
    True
    >>> sorted(edges["link"].unique())
    ['event', 'strategy']
    """
    import pandas as pd

    f = _frames(frames, "actors", "event_actors", "strategies", "strategy_targets")
    shared: Counter = Counter()
    for _, group in f["event_actors"].groupby("event_id"):
        for a, b in combinations(sorted(set(group["actor_id"].astype(str))), 2):
            shared[(a, b)] += 1
    pairs = f["strategy_targets"].merge(f["strategies"][["strategy_id", "actor_id"]], on="strategy_id",
                                        suffixes=("_target", "_actor"))
    directed: Counter = Counter(
        (str(a), str(t)) for a, t in zip(pairs["actor_id_actor"], pairs["actor_id_target"]) if a != t
    )
    edges = pd.DataFrame(
        [(a, b, "event", n) for (a, b), n in sorted(shared.items())]
        + [(a, b, "strategy", n) for (a, b), n in sorted(directed.items())],
        columns=["source", "target", "link", "weight"],
    )
    events = f["event_actors"].groupby("actor_id")["event_id"].nunique()
    strategies = Counter(pairs["actor_id_target"].astype(str)) + Counter(f["strategies"]["actor_id"].astype(str))
    linked = sorted(set(edges["source"]) | set(edges["target"]))
    actors = f["actors"].set_index("actor_id")
    kind = f["actors"]["kind"]
    nodes = pd.DataFrame({
        "actor_id": linked,
        "name": [str(actors.at[a, "name"]) for a in linked],
        "kind": [str(actors.at[a, "kind"]) for a in linked],
        "events": [int(events.get(a, 0)) for a in linked],
        "strategies": [int(strategies.get(a, 0)) for a in linked],
    })
    nodes.attrs["kinds"] = [str(k) for k in kind.cat.categories] if hasattr(kind, "cat") else sorted(set(kind.astype(str)))
    return nodes, edges


def _colours(values) -> dict[str, Any]:
    from matplotlib import colormaps

    palette = colormaps["tab20"].colors  # type: ignore[attr-defined]  # a ListedColormap
    return {str(v): palette[(2 * i) % 20 + (2 * i // 20) % 2] for i, v in enumerate(values)}


def event_styles(categories) -> dict[str, tuple[str, str]]:
    """The colour and marker shape of each event category in the timeline.

    Examples
    --------
    >>> styles = event_styles(["AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE"])
    >>> styles["AGREE"], styles["COOPERATE"]
    (('#0072B2', 'o'), ('#0072B2', 's'))
    >>> len(set(styles.values())) == len(styles)
    True
    """
    n = len(EVENT_COLOURS)
    if len(categories) > n * len(EVENT_MARKERS):
        raise PlotError(f"{len(categories)} event categories: the timeline tells at most {n * len(EVENT_MARKERS)} apart")
    return {str(c): (EVENT_COLOURS[i % n], EVENT_MARKERS[i // n]) for i, c in enumerate(categories)}


def timeline(frames: Mapping[str, Any] | None = None):
    """Draw the events over time, coloured by PLOVER category and labelled with their actors.

    One row per event, oldest at the top: the date (at its precision) and title on the left,
    a marker at the event's start, a bar to its end for events lasting longer than a day (or
    over the month or year when the date is known only that far), the actors on the right.
    Events before :data:`RECENT_FROM` share a narrow left panel so that the recent, dense
    years get the width; the time axis is broken between the panels (a double slash marks
    it) and each panel has its own scale. Categories differ in colour or shape or both
    (:func:`event_styles`).

    Parameters
    ----------
    frames : mapping of str to DataFrame, optional
        As for :func:`timeline_rows`.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; its markers are the collection with gid ``events``.

    Examples
    --------
    >>> fig = timeline()
    >>> markers = [c for ax in fig.axes for c in ax.collections if c.get_gid() == "events"]
    >>> sum(len(c.get_offsets()) for c in markers) == len(timeline_rows())
    True
    """
    import matplotlib.dates as mdates
    import pandas as pd
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.transforms import blended_transform_factory, offset_copy

    rows = timeline_rows(frames)
    period = {"month": pd.DateOffset(months=1), "year": pd.DateOffset(years=1)}
    if rows.empty:
        raise PlotError("there are no events to draw")
    categories = [str(c) for c in rows["category"].cat.categories] if hasattr(rows["category"], "cat") \
        else sorted(rows["category"].astype(str).unique())
    style = event_styles(categories)
    colour = {c: s[0] for c, s in style.items()}
    recent = rows["start"] >= pd.Timestamp(f"{RECENT_FROM}-01-01")
    panels = [p for p in (rows[~recent], rows[recent]) if len(p)]
    n = len(rows)
    fig = Figure(figsize=(17, 1.6 + 0.34 * n), layout="constrained")
    grid = fig.add_gridspec(1, len(panels), width_ratios=[1, 3][-len(panels):] if len(panels) == 2 else [1])
    y = {eid: n - 1 - i for i, eid in enumerate(rows["event_id"])}
    axes: list[Any] = []
    for i, part in enumerate(panels):
        ax = fig.add_subplot(grid[0, i], sharey=axes[0] if axes else None)
        axes.append(ax)
        ys = [y[e] for e in part["event_id"]]
        for _, r in part.iterrows():
            end = r["end"] if pd.notna(r["end"]) else r["start"] + period.get(r["precision"], pd.Timedelta(0))
            if end > r["start"]:
                ax.plot([r["start"], end], [y[r["event_id"]]] * 2, color=colour[str(r["category"])],
                        linewidth=5, alpha=0.5, solid_capstyle="round")
        for category, group in part.groupby(part["category"].astype(str), sort=False):
            ax.scatter(group["start"], [y[e] for e in group["event_id"]], color=colour[category], s=70, zorder=3,
                       marker=style[category][1], edgecolors="black", linewidths=0.5, gid="events")
        lo = part["start"].min()
        hi = pd.concat([part["start"], part["end"].dropna()]).max()
        pad = (hi - lo) * 0.04 + pd.Timedelta(days=30)
        ax.set_xlim(lo - pad, hi + pad)
        ax.grid(axis="x", color="0.85", linewidth=0.6)
        ax.grid(axis="y", color="0.93", linewidth=0.6)
        ax.set_axisbelow(True)
        if len(panels) == 2 and i == 0:  # the long, sparse past: a tick every 25 years
            ax.xaxis.set_major_locator(mdates.YearLocator(25))
            ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        else:
            locator = mdates.AutoDateLocator(maxticks=12)
            ax.xaxis.set_major_locator(locator)
            ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        if n >= TALL_FROM:  # a tall figure: the time axis at the top too
            ax.tick_params(axis="x", top=True, labeltop=True)
        if i:
            ax.tick_params(axis="y", left=False, labelleft=False)
            ax.spines["left"].set_visible(False)
    if len(axes) == 2:  # the break in the time axis: a double slash at the end of one panel, the start of the next
        for ax, x in ((axes[0], 1.0), (axes[1], 0.0)):
            for shift in (-2.5, 2.5):  # two slashes, 5 points apart
                ax.plot([x], [0], transform=offset_copy(ax.transAxes, fig=fig, x=shift, units="points"),
                        marker=[(-0.5, -1), (0.5, 1)], markersize=10, linestyle="none", color="black", mew=1.2,
                        clip_on=False, zorder=5, gid="axis-break")
        axes[0].set_xlabel(f"to {RECENT_FROM - 1} (compressed)", fontsize=8.5, color="0.3")
        axes[1].set_xlabel(f"from {RECENT_FROM}", fontsize=8.5, color="0.3")
    first, last = axes[0], axes[-1]
    if n >= TALL_FROM:  # rule off each year, across the panels and the labels, with the year at the rule
        years = rows["start"].dt.year.tolist()
        for k in range(1, n):
            if years[k] != years[k - 1]:
                boundary = n - k - 0.5
                for ax in axes:
                    ax.axhline(boundary, color="0.55", linewidth=0.8, zorder=1, gid="year-rule")
                first.text(0.01, boundary - 0.1, str(years[k]), fontsize=8, ha="left", va="top", color="0.35",
                           weight="bold", gid="year-label",
                           transform=blended_transform_factory(first.transAxes, first.transData))
    first.set_ylim(-0.7, n - 0.3)
    first.set_yticks([y[e] for e in rows["event_id"]])
    first.set_yticklabels([f"{d}  {t}" for d, t in zip(rows["date"], rows["title"])], fontsize=8.5)
    to_right = blended_transform_factory(last.transAxes, last.transData)
    for _, r in rows.iterrows():
        last.text(1.01, y[r["event_id"]], textwrap.fill(r["actors"], 56), transform=to_right, fontsize=8, va="center",
                  ha="left", color="0.25", gid="actors")
    last.text(1.01, n - 0.3, "actors", transform=to_right, fontsize=9, va="bottom", ha="left", weight="bold")
    present = [c for c in categories if c in set(rows["category"].astype(str))]
    handles = [Line2D([], [], marker=style[c][1], linestyle="", markerfacecolor=colour[c], markeredgecolor="black",
                      markeredgewidth=0.5, markersize=8, label=c) for c in present]
    handles.append(Line2D([], [], color="0.6", linewidth=5, alpha=0.6,
                          label="bar: duration, or the month or year a date is known to"))
    fig.legend(handles=handles, loc="outside lower center", ncol=min(len(handles), LEGEND_COLUMNS), frameon=False,
               title="PLOVER event category", fontsize=8.5, title_fontsize=9)
    fig.suptitle(f"Events in eastasia-data ({n}), oldest first", fontsize=13)
    return fig


def network(frames: Mapping[str, Any] | None = None, *, seed: int = 7):
    """Draw the actors as a network linked by shared events and by courses of action.

    Grey lines join actors taking part in the same events (thicker for more events);
    teal arrows run from an actor to the actors its courses of action are directed at.
    Nodes are coloured by kind of actor and sized by the number of events. Under the title,
    :data:`NETWORK_CAVEAT` says that a link is what the articles connect, not an alliance,
    so the caveat goes wherever the picture goes.

    Parameters
    ----------
    frames : mapping of str to DataFrame, optional
        As for :func:`actor_graph`.
    seed : int, default 7
        Seed of the spring layout (networkx), so the same data gives the same picture.

    Returns
    -------
    matplotlib.figure.Figure
        The figure; its nodes are the collection with gid ``actors``.

    Examples
    --------
    >>> fig = network()
    >>> nodes, _ = actor_graph()
    >>> [len(c.get_offsets()) for c in fig.axes[0].collections if c.get_gid() == "actors"] == [len(nodes)]
    True
    """
    import networkx as nx
    import numpy as np
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D
    from matplotlib.patches import FancyArrowPatch

    nodes, edges = actor_graph(frames)
    if nodes.empty:
        raise PlotError("there are no linked actors to draw")
    graph = nx.Graph()
    graph.add_nodes_from(nodes["actor_id"])
    for (a, b), w in edges.groupby(["source", "target"])["weight"].sum().items():
        graph.add_edge(a, b, weight=float(w) if not graph.has_edge(a, b) else graph[a][b]["weight"] + float(w))
    pos = nx.spring_layout(graph, seed=seed, weight="weight", k=2.2 / np.sqrt(len(nodes)), iterations=300)
    fig = Figure(figsize=(14, 11), layout="constrained")
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_aspect("equal")
    shared = edges[edges["link"] == "event"]
    for a, b, w in zip(shared["source"], shared["target"], shared["weight"]):
        (x1, y1), (x2, y2) = pos[a], pos[b]
        ax.plot([x1, x2], [y1, y2], color="0.55", alpha=0.55, linewidth=min(0.6 + 0.9 * w, 8.0), zorder=1)
    for a, b, w in edges[edges["link"] == "strategy"][["source", "target", "weight"]].itertuples(index=False):
        ax.add_patch(FancyArrowPatch(pos[a], pos[b], arrowstyle="-|>", mutation_scale=14,
                                     connectionstyle="arc3,rad=0.18", color=STRATEGY_COLOUR, alpha=0.8,
                                     linewidth=min(0.8 + 0.3 * w, 4.0), shrinkA=12, shrinkB=14, zorder=2))
    # Colours follow the schema's order of actor kinds, so a kind keeps its colour as data changes.
    all_kinds = nodes.attrs.get("kinds") or sorted(set(nodes["kind"]))
    colour = _colours(all_kinds)
    kinds = [k for k in all_kinds if k in set(nodes["kind"])]
    xy = np.array([pos[a] for a in nodes["actor_id"]])
    sizes = 90 + 45 * nodes["events"].to_numpy()
    ax.scatter(xy[:, 0], xy[:, 1], s=sizes, c=[colour[k] for k in nodes["kind"]],
               edgecolors="black", linewidths=0.7, zorder=3, gid="actors")
    for (x, y_), name, size in zip(xy, nodes["name"], sizes):
        ax.annotate(name, (x, y_), xytext=(0, np.sqrt(size) / 2 + 2), textcoords="offset points", ha="center", va="bottom",
                    fontsize=9, zorder=4, bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.75})
    span = xy.max(axis=0) - xy.min(axis=0)
    ax.set_xlim(xy[:, 0].min() - 0.08 * span[0], xy[:, 0].max() + 0.08 * span[0])
    ax.set_ylim(xy[:, 1].min() - 0.06 * span[1], xy[:, 1].max() + 0.1 * span[1])
    handles = [Line2D([], [], marker="o", linestyle="", markerfacecolor=colour[k], markeredgecolor="black",
                      markersize=9, label=k.replace("_", " ")) for k in kinds]
    handles += [Line2D([], [], color="0.55", linewidth=2, label="shared events (thicker: more)"),
                Line2D([], [], color=STRATEGY_COLOUR, linewidth=1.5, marker=">", label="course of action → target")]
    ax.legend(handles=handles, loc="lower left", fontsize=9, frameon=False, title="node size: number of events")
    fig.suptitle(f"Actors linked by shared events and strategies ({len(nodes)} actors)", fontsize=13)
    ax.set_title(textwrap.fill(NETWORK_CAVEAT, 120), fontsize=9.5, color="0.2", style="italic", gid="caveat")
    return fig


def save(fig, out_dir: str | Path, stem: str) -> list[Path]:
    """Write a figure as ``<stem>.png`` and ``<stem>.svg`` into ``out_dir``.

    The SVG keeps text as ``<text>`` elements and is byte-stable: the hash salt is fixed
    and no date is written. The PNG carries no software stamp.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure.
    out_dir : str or path
        The directory (created if missing).
    stem : str
        The file name without extension.

    Returns
    -------
    list of pathlib.Path
        The PNG and the SVG written.

    Examples
    --------
    >>> import tempfile
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 1))
    >>> _ = fig.add_subplot().plot([0, 1], [0, 1])
    >>> [p.name for p in save(fig, tempfile.mkdtemp(), "line")]
    ['line.png', 'line.svg']
    """
    import matplotlib

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    with matplotlib.rc_context({"svg.hashsalt": _SVG_SALT, "svg.fonttype": "none"}):
        for ext, metadata in (("png", {"Software": None}), ("svg", {"Date": None, "Creator": None})):
            path = out / f"{stem}.{ext}"
            fig.savefig(path, dpi=110, metadata=metadata, facecolor="white")
            written.append(path)
    return written


def plot(kind: str, out_dir: str | Path, frames: Mapping[str, Any] | None = None) -> list[Path]:
    """Draw one figure from the release and write it as PNG and SVG.

    Parameters
    ----------
    kind : {"timeline", "network"}
        Which figure.
    out_dir : str or path
        Where to write ``<kind>.png`` and ``<kind>.svg``.
    frames : mapping of str to DataFrame, optional
        The tables to draw from; by default the release's.

    Returns
    -------
    list of pathlib.Path
        The files written.

    Raises
    ------
    PlotError
        Unknown kind, matplotlib (or networkx) not installed, or nothing to draw.

    Examples
    --------
    >>> import tempfile
    >>> [p.suffix for p in plot("timeline", tempfile.mkdtemp())]
    ['.png', '.svg']
    """
    if kind not in KINDS:
        raise PlotError(f"unknown figure {kind!r}; use one of {', '.join(KINDS)}")
    for package in ("matplotlib", "networkx"):
        require(package, "plot", "drawing figures")
    draw = {"timeline": timeline, "network": network}[kind]
    return save(draw(frames), out_dir, kind)
