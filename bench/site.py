"""Bench of the static site (`eastasia-data site`): its build time on the real releases, and its growth with the rows.

```sh
.venv/bin/python bench/site.py                 # the real releases, then synthetic releases of 10x and 100x the rows
.venv/bin/python bench/site.py --sizes 10      # only 10x
.venv/bin/python bench/site.py --out /tmp/b    # write site.json and site.md elsewhere (default: bench/)
```

Figures (minimum and median of the runs, seconds):

* real: ``build_site`` of every registered release (pages, copied files, the downloads' exports),
  with and without the Pagefind index, over ``export("sqlite")`` of the same (installed) release:
  the ratio the issue asks for;
* growth: one synthetic release (``bench/synth.py``, every table scaled) of 10x and 100x the rows
  of the newest release, its pages written by the same code (``Site.build(downloads=False)``, as
  a synthetic release has no exports of its own), then indexed by Pagefind; seconds per 1,000 rows
  show whether the build grows linearly.

Needs the source archive (synthetic excerpts are cut from it) and the dev extra.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def summary(samples: list[float]) -> dict:
    return {"min": min(samples), "median": statistics.median(samples), "runs": len(samples)}


def real(work: Path, runs: int) -> dict:
    from eastasia_data.publish.export import export
    from eastasia_data.publish.site import build_site

    counter = iter(range(10_000))
    sqlite = timed(lambda: export("sqlite", work / f"e{next(counter)}.sqlite"), runs)
    pages = timed(lambda: build_site(work / f"s{next(counter)}", search=False), runs)
    searched = timed(lambda: build_site(work / f"s{next(counter)}"), runs)
    site = work / f"s{3 * runs - 1}"
    files = sum(1 for p in site.rglob("*") if p.is_file()) if site.exists() else None
    return {"export_sqlite": summary(sqlite), "site_no_search": summary(pages), "site": summary(searched),
            "ratio_no_search": min(pages) / min(sqlite), "ratio": min(searched) / min(sqlite), "files": files}


def synthetic(work: Path, factor: int, sources: Path) -> dict:
    import run
    import synth

    from eastasia_data.curation.schemas import read_model
    from eastasia_data.releases import descriptor
    from eastasia_data.publish.site import build as site_build

    rows = {r["name"]: r["eastasia:rows"] for r in descriptor()["resources"]}
    model = read_model()
    sizes = {name: rows.get(name, 0) * factor for name in model if name != "passages"}
    t = time.perf_counter()
    data = synth.generate(None, sizes=sizes, sources_dir=sources)
    directory = run.write_release(model, data.frames, work / f"release-{factor}x" / "eastasia-data-0.0.0")
    made = time.perf_counter() - t
    release = site_build.read_release(directory, "2026-01-01", "sha256:synthetic")
    out = work / f"site-{factor}x"
    out.mkdir()
    t = time.perf_counter()
    site_build.Site(out, [release], None).build(downloads=False)
    pages = time.perf_counter() - t
    t = time.perf_counter()
    site_build._pagefind(out)
    search = time.perf_counter() - t
    files = sum(1 for p in out.rglob("*") if p.is_file())
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file())
    total = sum(len(f) for f in data.frames.values())
    shutil.rmtree(out)
    return {"factor": factor, "rows": total, "generate_seconds": made, "pages_seconds": pages,
            "pagefind_seconds": search, "files": files, "bytes": size,
            "seconds_per_1000_rows": (pages + search) / total * 1000}


def render(result: dict) -> str:
    r = result["real"]
    lines = ["# The static site: build time", "",
             f"Real releases ({r['files']} files): `export --format sqlite` {r['export_sqlite']['min']:.2f} s; "
             f"the site {r['site']['min']:.2f} s with the Pagefind index ({r['ratio']:.1f}x the export), "
             f"{r['site_no_search']['min']:.2f} s without ({r['ratio_no_search']:.1f}x); minimum of "
             f"{r['site']['runs']} runs.", "",
             "| synthetic release | rows | pages (s) | Pagefind (s) | files | MB | s per 1,000 rows |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for g in result["growth"]:
        lines.append(f"| {g['factor']}x | {g['rows']:,} | {g['pages_seconds']:.1f} | {g['pagefind_seconds']:.1f} | "
                     f"{g['files']:,} | {g['bytes'] / 1e6:.0f} | {g['seconds_per_1000_rows']:.2f} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    from eastasia_data import paths

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=[10, 100], help="multiples of the real rows")
    parser.add_argument("--runs", type=int, default=3, help="runs of each real-data figure")
    parser.add_argument("--out", type=Path, default=BENCH)
    args = parser.parse_args(argv)
    sources = paths.default_sources_dir()
    if sources is None or not sources.is_dir():
        parser.error("the source archive is needed: set EASTASIA_SOURCES")
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        result = {"real": real(work, args.runs), "growth": []}
        print(render(result), flush=True)
        for factor in args.sizes:
            result["growth"].append(synthetic(work, factor, sources))
            print(render(result), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "site.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    (args.out / "site.md").write_text(render(result), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
