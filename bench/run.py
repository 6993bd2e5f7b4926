"""Run every benchmark, print a table, write ``results.md`` and ``results.json``.

    python bench/run.py            # the full run (about 5 minutes on 2 cores)
    python bench/run.py --smoke    # smallest size, one repetition: proves the benchmarks work (< 1 minute)

Each figure is timed several times (5, or 3 at 1,000,000 rows; imports and loads 9); the table gives the
minimum and the median. A figure with a reference (the raw reader, a bare import,
frictionless) is timed in the same run, alternating with it, and its ratio is the
ratio of the minima (the least disturbed by other work on a shared machine) with the
ratio of the medians beside it. Targets are judged on the ratio of the minima.

Everything that involves an import or a whole validation runs in a fresh
subprocess, so nothing is cached between repetitions; loading is timed in-process
(a loader is called many times in one session), after one warm-up call.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

import dataclasses  # noqa: E402

import synth  # noqa: E402

from eastasia_data import loader, paths  # noqa: E402
from eastasia_data.curation import build as building  # noqa: E402
from eastasia_data.curation import descriptor as descriptors  # noqa: E402
from eastasia_data.curation.schemas import read_model  # noqa: E402

PY = sys.executable
#: Children run as a user's interpreter does: writing bytecode. A session that sets PYTHONDONTWRITEBYTECODE
#: would make every run compile the package's own modules again (about 0.1 s), while the references import
#: site-packages that pip compiled at install.
ENV = {**{k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}, "PYTHONHASHSEED": "0"}
#: The checkout's cache (``eastasia_data.curation.cache``): removed before a "cold" run.
CACHE = paths.checkout().root / ".eastasia_data_cache"
FRICTIONLESS_LIMIT_S = 180  # run frictionless at a size only if the previous size predicts it finishes within this


@dataclass
class Figure:
    """One measured quantity: its samples, and optionally its reference's samples and a target."""

    group: str
    name: str
    size: str
    unit: str
    samples: list[float]
    ref_name: str = ""
    ref_samples: list[float] = field(default_factory=list)
    target: str = ""
    #: "ratio<=X", "ratio>=X", "value<=X" or "" (no target)
    rule: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def min(self) -> float:
        return min(self.samples)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def ratio(self) -> float | None:
        return self.min / min(self.ref_samples) if self.ref_samples else None

    @property
    def ratio_median(self) -> float | None:
        return self.median / statistics.median(self.ref_samples) if self.ref_samples else None

    @property
    def met(self) -> bool | None:
        if not self.rule:
            return None
        kind, bound = self.rule.split("=", 1)
        value = self.ratio if kind.startswith("ratio") else self.min
        return value <= float(bound) if kind.endswith("<") else value >= float(bound)


# -- helpers -------------------------------------------------------------------------------

def child(code: str, *args: str, timeout: float = 1800) -> dict:
    """Run ``code`` in a fresh interpreter; it prints one JSON object as its last line."""
    proc = subprocess.run([PY, "-c", code, *args], capture_output=True, text=True, timeout=timeout, env=ENV)
    if proc.returncode != 0:
        raise RuntimeError(f"benchmark child failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fmt(value: float, unit: str) -> str:
    if unit == "s":
        return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"
    if unit == "rows/s":
        return f"{value:,.0f}"
    if unit == "MiB":
        return f"{value:,.1f} MiB"
    return f"{value:,.3g} {unit}"


def say(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


# -- import --------------------------------------------------------------------------------

IMPORT = "import json, time; t = time.perf_counter(); {stmt}; print(json.dumps(time.perf_counter() - t))"
FIRST_LOAD_OURS = ("import json, time; t = time.perf_counter(); import eastasia_data as ead; ead.load('events');"
                   "print(json.dumps(time.perf_counter() - t))")
FIRST_LOAD_REF = ("import json, sys, time; t = time.perf_counter(); import pandas as pd, pyarrow as pa, pyarrow.parquet as pq;"
                  "pq.read_table(sys.argv[1]).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get);"
                  "print(json.dumps(time.perf_counter() - t))")


def bench_import(runs: int) -> list[Figure]:
    ours, ref, first, first_ref = [], [], [], []
    events = str(loader.path("events"))
    for _ in range(runs):
        ours.append(child(IMPORT.format(stmt="import eastasia_data")))
        ref.append(child(IMPORT.format(stmt="import pandas, pyarrow")))
        first.append(child(FIRST_LOAD_OURS))
        first_ref.append(child(FIRST_LOAD_REF, events))
    return [
        Figure("import", "`import eastasia_data`", "-", "s", ours, "`import pandas, pyarrow`", ref,
               "≤ 1.15×", "ratio<=1.15"),
        Figure("import", "import + first `load('events')`", "real", "s", first,
               "import pandas, pyarrow + `read_table().to_pandas()`", first_ref, "≤ 1.15×", "ratio<=1.15"),
    ]


# -- loading -------------------------------------------------------------------------------

def _reference_read(path: Path):
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    return pq.read_table(path).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype()}.get,
                                         date_as_object=False)


def _time(fn, runs: int, min_seconds: float = 0.2) -> list[float]:
    """Per-call seconds of ``fn``: each sample repeats it until ``min_seconds`` have passed."""
    fn()  # warm-up: page cache, lazy imports
    samples = []
    for _ in range(runs):
        n, t0 = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            elapsed = time.perf_counter() - t0
            if elapsed >= min_seconds:
                break
        samples.append(elapsed / n)
    return samples


def _paired(ours, ref, runs: int) -> tuple[list[float], list[float]]:
    a, b = [], []
    for _ in range(runs):  # alternate, so that both see the same load on the machine
        a += _time(ours, 1)
        b += _time(ref, 1)
    return a, b


def write_release(model: dict, frames: dict, out: Path) -> Path:
    """A release directory for ``frames`` (valid by construction), written with the release module's own writers."""
    files = {name: building.parquet_bytes(building.arrow_table(model[name], frames[name])) for name in model}
    rows = {name: len(frames[name]) for name in model}
    package = dataclasses.replace(descriptors.checkout_package(), description="synthetic benchmark data",
                                  version="0.0.0")
    descriptor = descriptors.release_descriptor(package, model, files, rows, [], "2026-01-01T00:00:00Z")
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (out / f"{name}.parquet").write_bytes(data)
    (out / paths.DESCRIPTOR).write_bytes(descriptors.descriptor_bytes(descriptor))
    return out


def _load_figures(directory: Path, size: str, runs: int, one: str) -> list[Figure]:
    from eastasia_data.releases import descriptor

    resources = {r["name"]: r for r in descriptor(release=directory)["resources"]}  # the release to time, by release=
    names = list(resources)
    paths_ = {n: loader.path(n, release=directory) for n in names}
    for n in names:  # same dtypes, or the comparison is meaningless
        assert loader.load(n, release=directory).dtypes.equals(_reference_read(paths_[n]).dtypes), n
    a, b = _paired(lambda: loader.load(one, release=directory), lambda: _reference_read(paths_[one]), runs)
    rows = resources[one]["eastasia:rows"]
    figs = [Figure("load", f"`load('{one}')`", f"{size} ({rows:,} rows)", "s", a,
                   "`pq.read_table(p).to_pandas()`", b, "≤ 1.10×", "ratio<=1.10")]
    if len(names) > 1:
        total = sum(resources[n]["eastasia:rows"] for n in names)
        a, b = _paired(lambda: loader.load_all(release=directory), lambda: [_reference_read(paths_[n]) for n in names],
                       runs)
        figs.append(Figure("load", "`load_all()` (every table)", f"{size} ({total:,} rows)", "s", a,
                           "`read_table().to_pandas()` per table", b, "≤ 1.10×", "ratio<=1.10"))
    return figs


# -- validation ----------------------------------------------------------------------------

VALIDATE = """
import json, sys, time
sys.modules['hypothesis'] = None  # as a `[validate]` install (issue 25): Pandera then skips its data-synthesis strategies
from eastasia_data.curation.validate import validate
import eastasia_data.curation.checks.evidence, eastasia_data.curation.checks.fields, eastasia_data.curation.checks.hygiene
import eastasia_data.curation.checks.relations, eastasia_data.curation.checks.table  # pandera: imported before the clock starts
import jsonschema  # (imported by the first read of the schemas)

def status_kib(field):  # VmHWM: peak RSS of this process (ru_maxrss would carry the parent's over fork); VmRSS: now
    for line in open('/proc/self/status'):
        if line.startswith(field + ':'):
            return int(line.split()[1])

def high_water_kib():
    return status_kib('VmHWM')

base = high_water_kib()
t = time.perf_counter()
report = validate(sys.argv[1], sys.argv[2], require_archive=True)
seconds = time.perf_counter() - t
peak = high_water_kib()
frames = sum(int(f.memory_usage(deep=True).sum()) for f in report.frames().values() if f is not None)
lines = sorted({(p.file.rsplit('/', 1)[-1], p.line) for p in report.problems})
rows, problems = report.rows, len(report.problems)
del report
warm = []  # the same call again in this process: the schemas read, patterns compiled, lazy imports done
warm_base = warm_peak = None
for k in range(int(sys.argv[3])):
    if k == 0:
        # The memory a warm call needs: the first call's one-time costs (lazy imports, caches) stay out.
        # Arrow's pool gives back what it kept, and the peak is reset to the present (Linux: clear_refs 5).
        import gc, pyarrow
        gc.collect()
        pyarrow.default_memory_pool().release_unused()
        try:
            with open('/proc/self/clear_refs', 'w') as f:
                f.write('5')
            warm_base = status_kib('VmRSS')
        except OSError:
            pass
    t = time.perf_counter()
    validate(sys.argv[1], sys.argv[2], require_archive=True)
    warm.append(time.perf_counter() - t)
    if k == 0 and warm_base is not None:
        warm_peak = high_water_kib()
print(json.dumps({"seconds": seconds, "warm": warm, "rows": rows, "problems": problems, "lines": lines, "peak_kib": peak,
                  "base_kib": base, "frame_bytes": frames, "warm_base_kib": warm_base, "warm_peak_kib": warm_peak}))
"""

READ_TEXT = """
import json, sys, time
from pathlib import Path
import pandas as pd, pyarrow as pa, pyarrow.csv as pacsv
t = time.perf_counter()
rows = 0
for path in sorted(Path(sys.argv[1]).glob('*.csv')):
    header = path.open(encoding='utf-8').readline().rstrip('\\n').split(',')
    frame = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(column_types={h: pa.string() for h in header})).to_pandas()
    rows += len(frame)
print(json.dumps({"seconds": time.perf_counter() - t, "rows": rows}), flush=True)
# pyarrow's threaded CSV reader (the reference's, as a user calls it) can abort the interpreter's
# shutdown now and then (arrow#34314); the figure is printed, so the child skips the shutdown.
import os; os._exit(0)
"""

FRICTIONLESS = """
import json, sys, time
import frictionless
t = time.perf_counter()
report = frictionless.validate(sys.argv[1], limit_errors=10**8)
print(json.dumps({"seconds": time.perf_counter() - t, "valid": report.valid, "errors": report.stats["errors"]}))
"""


def write_datapackage(model: dict, data_dir: Path) -> Path:
    """The checkout's root descriptor, its resources pointing at the generated CSVs."""
    descriptor = descriptors.root_descriptor(model)
    for resource in descriptor["resources"]:
        resource["path"] = Path(resource["path"]).name
    path = data_dir / "datapackage.json"
    path.write_text(json.dumps(descriptor, ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def _wall(cmd: list[str], cwd: Path, ok: tuple[int, ...] = (0,), cold: bool = False) -> float:
    """Seconds a whole command takes, from the start of its interpreter to its exit (it must exit with ``ok``).

    ``cold``: the checkout's cache is removed first (otherwise it holds what the previous run left).
    """
    if cold:
        shutil.rmtree(CACHE, ignore_errors=True)
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=1800, env=ENV)
    seconds = time.perf_counter() - t
    if proc.returncode not in ok:
        raise RuntimeError(f"{' '.join(map(str, cmd))} exited {proc.returncode}:\n{(proc.stdout + proc.stderr)[-3000:]}")
    return seconds


BIN = Path(PY).parent


def bench_validation(sizes: list, runs_for, work: Path, sources: Path, model: dict,
                     whole_at: tuple = ("real", 100_000)) -> tuple[list[Figure], dict]:
    """Validation at each size: first call and warm, clean and 1% broken, memory, and against frictionless."""
    figs: list[Figure] = []
    sets: dict = {}
    fl_rate = None
    root = paths.checkout().root
    for total in sizes:
        runs = runs_for(total)
        real = total == "real"
        label = "real data" if real else f"{total:,} rows"
        if real:
            clean_dir, broken_dir, broken = paths.data_dir(), None, None
            descriptor = root / "datapackage.json"
        else:
            clean_dir, broken_dir = work / f"clean-{total}", work / f"broken-{total}"
            t = time.perf_counter()
            clean = synth.generate(clean_dir, total, sources_dir=sources)
            broken = synth.generate(broken_dir, total, broken=0.01, sources_dir=sources)
            clean.frames.clear(); broken.frames.clear()  # keep this process small: its children are measured
            say(f"  generated {total:,} rows (x2) in {time.perf_counter() - t:.1f} s")
            sets[total] = clean_dir
            descriptor = write_datapackage(model, clean_dir)
        warm_runs = 3 if real or total <= 100_000 else 1
        ours, warm, ours_b, ref, results = [], [], [], [], []
        for _ in range(runs):
            r = child(VALIDATE, str(clean_dir), str(sources), str(warm_runs))
            rb = child(VALIDATE, str(broken_dir), str(sources), "0") if broken_dir else None
            rt = child(READ_TEXT, str(clean_dir))
            if r["problems"]:
                raise RuntimeError(f"the clean data ({label}) is not valid: {r['problems']} problems")
            if rb is not None:
                expected = sorted({(f, line) for f, line, _, _ in broken.broken})
                if [tuple(x) for x in rb["lines"]] != expected:
                    raise RuntimeError(f"the broken set at {label} is not reported at exactly the broken rows")
                ours_b.append(rb["seconds"])
            ours.append(r["seconds"]); warm += r["warm"]; ref.append(rt["seconds"]); results.append((r, rb))
        r0, rb0 = results[0]
        rows = r0["rows"]
        big = not real and total >= 1_000_000
        extra = {"rows": rows, "csv_bytes": sum(p.stat().st_size for p in clean_dir.glob("*.csv"))}
        if not real:
            extra.update(rows_per_table=clean.rows, broken_rows=len(broken.broken), problems_in_broken=rb0["problems"])
        figs.append(Figure("validate", "`validate()` clean, first call in a process", label, "s", ours,
                           "read the CSVs as text (pyarrow.csv, all columns string, to pandas)", ref,
                           "≤ 3× at 1,000,000 rows" if big else "", "ratio<=3" if big else "", extra))
        figs.append(Figure("validate", "`validate()` clean, warm (called again in the same process)", label, "s", warm,
                           "read the CSVs as text (as above)", ref,
                           "≤ 4× the text read on the real data" if real else "", "ratio<=4" if real else ""))
        figs.append(Figure("validate", "`validate()` clean, rows per second", label, "rows/s", [rows / x for x in ours]))
        if ours_b:
            figs.append(Figure("validate", "`validate()` 1% broken vs clean", label, "s", ours_b,
                               "`validate()` clean", ours, "≤ 2×", "ratio<=2",
                               {"broken_rows": len(broken.broken), "problems": rb0["problems"]}))
        peak = max(max(r["peak_kib"], rb["peak_kib"] if rb else 0) for r, rb in results)
        base = min(r["base_kib"] for r, _ in results)
        frame_mib = r0["frame_bytes"] / 2**20
        figs.append(Figure("validate", "peak memory (RSS) of the validating process", label, "MiB",
                           [peak / 1024], "", [], "", "",
                           {"baseline_after_imports_mib": base / 1024, "text_frames_mib": frame_mib}))
        growth = (peak - base) / 1024
        figs.append(Figure("validate", "memory growth during the first `validate()` / size of the frames read", label, "×",
                           [growth / frame_mib if frame_mib else float("nan")], "", [], "", "",
                           {"growth_mib": growth, "text_frames_mib": frame_mib}))
        warm_growth = [(r["warm_peak_kib"] - r["warm_base_kib"]) / 1024 for r, _ in results if r.get("warm_peak_kib")]
        if warm_growth:
            from_100k = not real and total >= 100_000  # below, fixed costs (thread pools, compiled patterns) dominate
            figs.append(Figure("validate", "memory growth during a warm `validate()` / size of the frames read", label,
                               "×", [min(warm_growth) / frame_mib if frame_mib else float("nan")], "", [],
                               "< 3× from 100,000 rows" if from_100k else "", "value<=3" if from_100k else "",
                               {"growth_mib": warm_growth, "text_frames_mib": frame_mib}))
        # frictionless, where it finishes in reasonable time
        predicted = rows / fl_rate if fl_rate else 0
        if predicted > FRICTIONLESS_LIMIT_S:
            figs.append(Figure("validate", "frictionless: skipped", label, "s", [predicted], extra={
                "reason": f"predicted {predicted:.0f} s per run from the previous size (limit {FRICTIONLESS_LIMIT_S} s)"}))
            continue
        fl_runs = 1 if big else min(runs, 3)
        fl = []
        for _ in range(fl_runs):
            res = child(FRICTIONLESS, str(descriptor))
            if not res["valid"]:
                raise RuntimeError(f"frictionless finds the clean data invalid ({label})")
            fl.append(res["seconds"])
        fl_rate = rows / min(fl)
        at_100k = total == 100_000
        figs.append(Figure("validate", "rows/s: `validate()` vs `frictionless.validate`, in-process (first call each)",
                           label, "×", [min(fl) / min(ours)], "", [], "≥ 30× at 100,000 rows, faster at every size",
                           "value>=30" if at_100k else "value>=1",
                           {"frictionless_seconds": fl, "frictionless_rows_per_s": fl_rate, "ours_seconds": ours}))
        if total in whole_at:
            env_sources = ["--sources-dir", str(sources)]
            mine = [PY, "-c", WITHOUT_HYPOTHESIS, "validate", "--data-dir", str(clean_dir), *env_sources]
            theirs = [str(BIN / "frictionless"), "validate", str(descriptor)]
            a, c, b = [], [], []
            for _ in range(fl_runs):
                c.append(_wall(mine, root, cold=True))
                a.append(_wall(mine, root))
                b.append(_wall(theirs, root))
            figs.append(Figure("validate", "whole command: `frictionless validate` / `eastasia-data validate` (hypothesis not installed), warm cache",
                               label, "×", [min(b) / min(a)], "", [], "≥ 5× at 100,000 rows" if at_100k else "",
                               "value>=5" if at_100k else "",
                               {"eastasia_data_seconds": a, "frictionless_seconds": b}))
            figs.append(Figure("validate", "whole command: `frictionless validate` / `eastasia-data validate` (hypothesis not installed), cold cache",
                               label, "×", [min(b) / min(c)], "", [], "(shown beside the warm figure)", "",
                               {"eastasia_data_seconds": c, "frictionless_seconds": b}))
    return figs, sets


# -- whole commands --------------------------------------------------------------------------

#: ``eastasia-data`` as a ``[validate]`` install runs it, where hypothesis (a test dependency in the dev
#: extra) is absent: Pandera then skips importing its data-synthesis strategies on the first validation.
WITHOUT_HYPOTHESIS = ("import sys; sys.modules['hypothesis'] = None; "
                      "from eastasia_data.cli import run; run()")

#: The commands a contributor or a reader runs in a checkout: (label, arguments, the imports they are held to,
#: the target, and how the command is started).
COMMANDS = [
    # Judged as a `[validate]` install runs it (issue 25); the dev install, with hypothesis, is shown beside.
    ("`eastasia-data validate`, hypothesis not installed", ["validate"], "pandas, pyarrow, pandera.pandas",
     "ratio<=1.15", [PY, "-c", WITHOUT_HYPOTHESIS]),
    ("`eastasia-data validate`, dev install (hypothesis installed)", ["validate"], "pandas, pyarrow, pandera.pandas", ""),
    ("`eastasia-data diff HEAD`", ["diff", "HEAD"], "pandas, pyarrow", "ratio<=1.2"),
    ("`eastasia-data check-version`", ["check-version"], "pandas, pyarrow", "ratio<=1.2"),
    ("`eastasia-data fmt --check`", ["fmt", "--check"], "pandas, pyarrow", "ratio<=1.2"),
    ("`eastasia-data cite`", ["cite"], "pandas, pyarrow", "ratio<=1.2"),
    ("`eastasia-data tables`", ["tables"], "pandas, pyarrow", "ratio<=1.2"),
    ("`eastasia-data show events`", ["show", "events"], "pandas, pyarrow", "ratio<=1.2"),
]


def bench_commands(runs: int, sources: Path) -> list[Figure]:
    """Each command as a user runs it, in the checkout, against importing what it is held to; alternated."""
    root = paths.checkout().root
    refs = sorted({entry[2] for entry in COMMANDS})
    ref_samples: dict[str, list[float]] = {r: [] for r in refs}
    samples: dict[str, list[float]] = {entry[0]: [] for entry in COMMANDS}
    cold: dict[str, list[float]] = {entry[0]: [] for entry in COMMANDS}
    for _ in range(runs):
        for imports in refs:
            ref_samples[imports].append(_wall([PY, "-c", f"import {imports}"], root))
        for label, args, _, _, *start in COMMANDS:
            extra = ["--sources-dir", str(sources)] if args[0] == "validate" else []
            cmd = [*(start[0] if start else [str(BIN / "eastasia-data")]), *args, *extra]
            cold[label].append(_wall(cmd, root, cold=True))  # the cache removed first
            samples[label].append(_wall(cmd, root))  # what the cold run left
    figs = []
    for label, _, imports, rule, *_ in COMMANDS:
        ref = f"`python -c \"import {imports}\"`"
        target = f"≤ {rule.split('=')[1]}×" if rule else "(shown beside the figure above)"
        figs.append(Figure("commands", f"{label}, warm cache", "real data", "s", samples[label], ref,
                           ref_samples[imports], target, rule))
        figs.append(Figure("commands", f"{label}, cold cache", "real data", "s", cold[label], ref,
                           ref_samples[imports], "(shown beside the warm figure)", ""))
    return figs


# -- build and wheel -----------------------------------------------------------------------

BUILD = """
import json, sys, time
from eastasia_data.curation.build import build
import eastasia_data.curation.validate, eastasia_data.curation.checks.table
t = time.perf_counter()
result = build(sys.argv[1], data_dir=sys.argv[2], sources_dir=sys.argv[3], require_archive=True)
print(json.dumps({"seconds": time.perf_counter() - t, "path": str(result.path)}))
"""


def bench_build(data_dir: Path, label: str, runs: int, work: Path, sources: Path) -> tuple[Figure, Path]:
    samples, path = [], None
    for k in range(runs):
        out = work / f"build-{label.split()[0]}-{k}"
        res = child(BUILD, str(out), str(data_dir), str(sources))
        samples.append(res["seconds"])
        path = Path(res["path"])
    size = sum(p.stat().st_size for p in path.glob("*.parquet"))
    return Figure("build", "`build` (validate + Parquet + descriptor)", label, "s", samples,
                  extra={"parquet_bytes": size}), path


def bench_wheel(work: Path) -> Figure:
    dist = work / "dist"
    t = time.perf_counter()
    subprocess.run([PY, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(dist), str(paths.checkout().root)],
                   check=True, capture_output=True, timeout=600)
    seconds = time.perf_counter() - t
    wheel = next(dist.glob("eastasia_data-*.whl"))
    return Figure("build", "wheel size", wheel.name, "KiB", [wheel.stat().st_size / 1024],
                  extra={"bytes": wheel.stat().st_size, "pip_wheel_seconds": seconds})


# -- report --------------------------------------------------------------------------------

def machine() -> dict:
    import frictionless
    import numpy
    import pandas
    import pandera
    import pyarrow

    cpu = next((ln.split(":", 1)[1].strip() for ln in Path("/proc/cpuinfo").read_text().splitlines()
                if ln.startswith("model name")), platform.processor())
    mem = next((int(ln.split()[1]) // 1024 // 1024 for ln in Path("/proc/meminfo").read_text().splitlines()
                if ln.startswith("MemTotal")), 0)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=paths.checkout().root, capture_output=True,
                            text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "src"], cwd=paths.checkout().root, capture_output=True,
                           text=True).stdout.strip()
    return {
        "cpu": cpu, "cores": os.cpu_count(), "memory_gib": mem, "os": platform.platform(),
        "python": platform.python_version(), "pandas": pandas.__version__, "pyarrow": pyarrow.__version__,
        "numpy": numpy.__version__, "pandera": pandera.__version__, "frictionless": frictionless.__version__,
        "eastasia_data_commit": commit + (" (src/ modified)" if dirty else ""),
        "load_average": os.getloadavg(),
    }


def render(figs: list[Figure], info: dict, mode: str, seconds: float, notes: str, written: str | None = None) -> str:
    out = [
        "# Benchmark results",
        "",
        f"Written by `python bench/run.py{' --smoke' if mode == 'smoke' else ''}` on "
        f"{written or time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} in {seconds / 60:.1f} minutes "
        f"({mode} mode). Do not edit by hand: the notes at the end come from `bench/notes.md`.",
        "",
        "## Machine and versions",
        "",
        "| | |",
        "|---|---|",
    ]
    out += [f"| {k} | {v} |" for k, v in info.items()]
    out += [
        "",
        "## Figures",
        "",
        "min and median over the runs; *ratio* = our min / reference min (median / median in brackets).",
        "",
        "| group | figure | size | min | median | reference | ref. min | ratio | target | met |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for f in figs:
        ratio = f"{f.ratio:.2f}× ({f.ratio_median:.2f}×)" if f.ratio is not None else ""
        met = {True: "yes", False: "**no**", None: ""}[f.met]
        value_min = fmt(f.min, f.unit)
        value_med = fmt(f.median, f.unit) if len(f.samples) > 1 else ""
        if f.unit == "rows/s":
            value_min = f"{fmt(max(f.samples), f.unit)} (best)"
        ref = f"{f.ref_name}" if f.ref_name else ""
        out.append(f"| {f.group} | {f.name} | {f.size} | {value_min} | {value_med} | {ref} | "
                   f"{fmt(min(f.ref_samples), 's') if f.ref_samples else ''} | {ratio} | {f.target} | {met} |")
    out += ["", "## Details", ""]
    for f in figs:
        if f.extra or len(f.samples) > 1:
            detail = {"runs": len(f.samples), **f.extra}
            out.append(f"- {f.name} ({f.size}): " + json.dumps(detail, default=str))
    if notes:
        out += ["", notes.strip()]
    return "\n".join(out) + "\n"


def rerender(out: Path) -> int:
    """results.md again from results.json (same figures), with the current notes."""
    saved = json.loads((out / "results.json").read_text(encoding="utf-8"))
    names = {f.name for f in Figure.__dataclass_fields__.values()}
    figs = [Figure(**{k: v for k, v in f.items() if k in names}) for f in saved["figures"]]
    notes_path = BENCH / "notes.md"
    notes = notes_path.read_text(encoding="utf-8") if notes_path.is_file() and saved["mode"] == "full" else ""
    text = render(figs, saved["machine"], saved["mode"], saved["seconds"], notes, saved.get("written"))
    (out / "results.md").write_text(text, encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--smoke", action="store_true", help="smallest size, one repetition (for CI)")
    parser.add_argument("--out", type=Path, default=BENCH, help="where to write results.md and results.json")
    parser.add_argument("--sources-dir", type=Path, default=None, help="the source archive (default as validate)")
    parser.add_argument("--render-only", action="store_true",
                        help="rewrite results.md from results.json and bench/notes.md without measuring again")
    args = parser.parse_args(argv)
    if args.render_only:
        return rerender(args.out)
    sources = args.sources_dir or paths.default_sources_dir()
    if sources is None or not Path(sources).is_dir():
        parser.error("the source archive is needed: pass --sources-dir or set EASTASIA_SOURCES")
    smoke = args.smoke
    runs = 1 if smoke else 5
    sizes: list = ["real", 1_000] if smoke else ["real", 1_000, 10_000, 100_000, 1_000_000]
    big = sizes[-1]

    def runs_for(total) -> int:
        return 1 if smoke else (3 if total != "real" and total >= 1_000_000 else 5)

    started = time.perf_counter()
    model = read_model()
    figs: list[Figure] = []
    work = Path(tempfile.mkdtemp(prefix="eastasia-bench-"))
    try:
        say("import ...")
        quick = 1 if smoke else 2 * runs - 1  # imports and loads are cheap: more runs against the noise
        figs += bench_import(quick)
        say("load ...")
        figs += _load_figures(loader.release_dir(), "real", quick, "event_actors")
        events = synth.generate(None, sizes={"events": big},  # every other table at its minimum
                                sources_dir=sources)
        one = write_release({"events": model["events"]}, {"events": events.frames["events"]}, work / "events-release")
        figs += _load_figures(one, "synthetic", quick, "events")
        del events
        say("commands ...")
        figs += bench_commands(quick, Path(sources))
        say("validate ...")
        vfigs, sets = bench_validation(sizes, runs_for, work, Path(sources), model,
                                       whole_at=("real",) if smoke else ("real", 100_000))
        figs += vfigs
        say("build ...")
        fig, _ = bench_build(paths.data_dir(), "real data", runs, work, sources)
        figs.append(fig)
        fig, built = bench_build(sets[big], f"synthetic {big:,} rows", runs_for(big), work, sources)
        figs.append(fig)
        figs += _load_figures(built, "synthetic", quick, "event_actors")
        figs.append(bench_wheel(work))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    seconds = time.perf_counter() - started
    info = machine()
    notes_path = BENCH / "notes.md"
    notes = notes_path.read_text(encoding="utf-8") if notes_path.is_file() and not smoke else ""
    args.out.mkdir(parents=True, exist_ok=True)
    mode = "smoke" if smoke else "full"
    (args.out / "results.md").write_text(render(figs, info, mode, seconds, notes), encoding="utf-8")
    (args.out / "results.json").write_text(json.dumps(
        {"mode": mode, "seconds": seconds, "machine": info, "written": time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
         "figures": [{**asdict(f), "min": f.min, "median": f.median, "ratio": f.ratio, "ratio_median": f.ratio_median,
                      "met": f.met} for f in figs]}, indent=1, default=str), encoding="utf-8")
    for f in figs:
        ratio = f"  ratio {f.ratio:.2f}x" if f.ratio is not None else ""
        met = {True: "  met", False: "  NOT MET", None: ""}[f.met]
        print(f"{f.group:9} {f.name[:58]:58} {f.size[:26]:26} min {fmt(f.min, f.unit):>14}{ratio}{met}")
    print(f"wrote {args.out / 'results.md'} and results.json in {seconds:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
