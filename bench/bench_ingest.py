"""Benchmark ingest against the tools it competes with, on one generated site, in one run.

    python bench/bench_ingest.py [--pages 2000] [--repeat 3] [--scaling 500,2000,10000]

Generates a site of N unique article pages of 20–80 KB (``bench/ingest_site.py``), serves it
on 127.0.0.1 (port 80 when run as root: trafilatura's URL store rejects ``127.0.0.1:PORT``
addresses, so its sitemap mode is skipped on another port), and measures, each the median of
``--repeat`` runs:

* ``gigawatch run`` (crawl → extract → tag → dedupe → load) into a new DuckDB file, with
  ``[crawl]`` download_delay 0, autothrottle off, 16 requests per domain, on a temporary
  Prefect server (as a first-time user runs it); then a no-op rerun, once more on a temporary
  server and once with a Prefect server kept up (as ``gigawatch serve`` keeps one);
* a plain ``trafilatura.extract`` loop over the same files, in 1 process and in 2 processes;
* trafilatura's CLI in sitemap mode (``--sitemap URL --list``, then ``-i FILE -o DIR
  --parallel 2``, sleep 0, SSRF protection off for the loopback) and with ``--input-dir``.

For each: wall seconds, pages/s, CPU seconds and the peak memory of the whole process tree
(the sum of the resident sizes of the process and its descendants, sampled every 0.2 s). The
ratios gigawatch ÷ plain loop and gigawatch ÷ CLI are printed, and the run's per-stage times
when the run summary records them. ``--scaling`` runs ``gigawatch run`` once per size, with
a Prefect server up, to show how the cost per page grows with the history.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from ingest_site import generate, serve  # noqa: E402

sys.path.insert(0, str(ROOT))
# a Prefect server kept up during a block, as `gigawatch serve` keeps one
from flows.serve import local_server  # noqa: E402

BIN = Path(sys.executable).parent
LOOP = """
import sys, time
from pathlib import Path
import trafilatura
files = [Path(p) for p in Path(sys.argv[1]).read_text().split()]
def one(path):
    return trafilatura.extract(path.read_bytes()) is not None
if int(sys.argv[2]) == 1:
    ok = sum(map(one, files))
else:
    from multiprocessing import Pool
    with Pool(int(sys.argv[2])) as pool:
        ok = sum(pool.imap_unordered(one, files, chunksize=16))
print(ok)
"""


@dataclass
class Measure:
    wall: float
    cpu: float
    peak_mb: float
    out: str = ""
    # the highest resident size of each process, in MB, by role (see _role)
    roles: dict[str, list[float]] = field(default_factory=dict)


def _role(pid: int) -> str:
    """What a process of the run is, from its command line."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return "other"
    for marker, role in (("spawn_main", "pool worker"), ("resource_tracker", "other"),
                         ("scrapy", "crawl"), ("ctypes", "crawl"), ("uvicorn", "prefect server"),
                         ("prefect", "prefect server"), ("gigawatch", "flow")):  # fmt: skip
        if marker in cmd:
            return role
    return "other"


def _tree_rss(pid: int, peaks: dict[int, tuple[str, int]] | None = None) -> int:
    """Resident bytes of ``pid`` and all its descendants (Linux /proc); with ``peaks``, each
    one's highest resident size so far, by pid, with its role."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
            p = int(entry.name)
            children.setdefault(int(fields[1]), []).append(p)
            rss[p] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        total += rss.get(p, 0)
        todo.extend(children.get(p, []))
        if peaks is not None and p in rss and rss[p] > peaks.get(p, ("", 0))[1]:
            # a child between fork and exec still shows the flow's command line (and its
            # resident pages): only the top process is the flow
            role = _role(p)
            if role != "flow" or p == pid:
                peaks[p] = (role, rss[p])
    return total


def measure(cmd: list[str], env: dict[str, str] | None = None, cwd: Path | None = None) -> Measure:
    """Run ``cmd``; its wall time, CPU seconds (itself and waited-for descendants) and the
    peak resident memory of its process tree."""
    before = os.times()
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=env,
                            cwd=cwd, text=True)  # fmt: skip
    peak = 0
    done = threading.Event()
    peaks: dict[int, tuple[str, int]] = {}

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(proc.pid, peaks))
            done.wait(0.2)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    out, _ = proc.communicate()
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    after = os.times()
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited {proc.returncode}:\n{out[-3000:]}")
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    roles: dict[str, list[float]] = {}
    for role, high in peaks.values():
        roles.setdefault(role, []).append(high / 2**20)
    return Measure(wall, cpu, peak / 2**20, out, roles)


def by_process(m: Measure) -> str:
    """Each process's peak, by role: "flow 377, pool worker 159 + 159, crawl 104"."""
    return ", ".join(
        f"{role} " + " + ".join(f"{mb:.0f}" for mb in sorted(mbs, reverse=True))
        for role, mbs in sorted(m.roles.items(), key=lambda kv: -max(kv[1]))
        if max(mbs) >= 20
    )


def sources_file(work: Path, base: str, n: int) -> Path:
    path = work / "sources.toml"
    path.write_text(
        "[crawl]\ndownload_delay = 0\nautothrottle = false\n"
        "concurrent_requests_per_domain = 16\n"
        f"max_pages_per_source = {n + 100}\ndepth_limit = 1\n\n"
        f'[[source]]\nname = "bench"\nsitemaps = ["{base}/sitemap.xml"]\n'
        'allowed_domains = ["127.0.0.1"]\n',
        encoding="utf-8",
    )
    return path


def gigawatch_run(work: Path, sources: Path, db: Path, api: str | None = None) -> Measure:
    """``gigawatch run`` with a temporary Prefect server (``api`` None: no local server is
    looked for), or with the server at ``api``."""
    env = dict(os.environ, DO_NOT_TRACK="1", PREFECT_SERVER_ANALYTICS_ENABLED="false")
    env.pop("PREFECT_API_URL", None)
    if api:
        env["PREFECT_API_URL"] = api
    else:
        env["GIGAWATCH_LOCAL_PREFECT"] = "0"
    return measure([str(BIN / "gigawatch"), "run", "--sources", str(sources), "--db", str(db)],
                   env=env, cwd=work)  # fmt: skip


def stage_times(db: Path) -> dict[str, float] | None:
    """The per-stage seconds of the newest run, when its summary records them."""
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        row = con.execute(
            "SELECT summary FROM flow_runs ORDER BY started_at DESC LIMIT 1"
        ).fetchone()
    except duckdb.Error:
        return None
    finally:
        con.close()
    if not row or not row[0]:
        return None
    summary = json.loads(row[0]) if isinstance(row[0], str) else row[0]
    return summary.get("timings")


def stored(db: Path) -> int:
    import duckdb

    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM documents").fetchone()[0]
    finally:
        con.close()


def trafilatura_config(work: Path) -> Path:
    import trafilatura

    text = (Path(trafilatura.__file__).parent / "settings.cfg").read_text(encoding="utf-8")
    text = text.replace("SLEEP_TIME = 5.0", "SLEEP_TIME = 0").replace(
        "SSRF_PROTECTION = on", "SSRF_PROTECTION = off")  # fmt: skip
    path = work / "trafilatura.cfg"
    path.write_text(text, encoding="utf-8")
    return path


def cli_sitemap(work: Path, base: str, config: Path) -> Measure:
    out = work / "cli-out"
    shutil.rmtree(out, ignore_errors=True)
    listed = work / "urls.txt"
    script = (f"{BIN / 'trafilatura'} --config-file {config} --sitemap {base}/sitemap.xml --list "
              f"> {listed} && {BIN / 'trafilatura'} --config-file {config} -i {listed} "
              f"-o {out} --parallel 2")  # fmt: skip
    return measure(["bash", "-c", script])


def cli_dir(work: Path, site: Path, config: Path) -> Measure:
    out = work / "cli-dir-out"
    shutil.rmtree(out, ignore_errors=True)
    return measure([str(BIN / "trafilatura"), "--config-file", str(config), "--input-dir",
                    str(site / "a"), "-o", str(out), "--parallel", "2"])  # fmt: skip


def startup(out: str) -> str:
    """The run's own start-up line (``Start-up: 12.3 s (...)``), its seconds."""
    for line in out.splitlines():
        if line.startswith("Start-up:"):
            return line.split()[1] + " s"
    return "not printed"


def median(ms: list[Measure]) -> Measure:
    walls = sorted(ms, key=lambda m: m.wall)
    mid = walls[len(walls) // 2]
    return Measure(mid.wall, statistics.median(m.cpu for m in ms),
                   max(m.peak_mb for m in ms), mid.out, mid.roles)  # fmt: skip


def row(name: str, m: Measure | None, n: int, ref: float | None) -> str:
    if m is None:
        return f"| {name} | skipped | | | | |"
    rate = n / m.wall
    ratio = f"{rate / ref:.2f}" if ref else "—"
    return f"| {name} | {m.wall:.1f} | {rate:.1f} | {ratio} | {m.cpu:.0f} | {m.peak_mb:.0f} |"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--scaling", default="", help="sizes for the cost-per-page run, e.g. 500,2000,10000"
    )
    parser.add_argument("--port", type=int, default=80 if os.geteuid() == 0 else 8765)
    parser.add_argument("--workdir", type=Path, help="keep the site and warehouses here")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="bench-ingest-"))
    work.mkdir(parents=True, exist_ok=True)
    host = "127.0.0.1" if args.port == 80 else f"127.0.0.1:{args.port}"
    base = f"http://{host}"
    load = os.getloadavg()
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    loads = " ".join(f"{x:.2f}" for x in load)
    print(f"machine: {os.cpu_count()} cores, {mem:.0f} GiB, load average {loads}; "
          f"pages {args.pages}, repeat {args.repeat}, {base}")  # fmt: skip
    site = work / "site"
    shutil.rmtree(site, ignore_errors=True)
    t0 = time.perf_counter()
    files = generate(site, args.pages, host)
    sizes = sorted(f.stat().st_size for f in files)
    print(f"site: {len(files)} pages, median {sizes[len(sizes) // 2] / 1024:.0f} KB "
          f"({sizes[0] / 1024:.0f}–{sizes[-1] / 1024:.0f} KB), generated in "
          f"{time.perf_counter() - t0:.0f} s")  # fmt: skip
    listing = work / "files.txt"
    listing.write_text("\n".join(str(f) for f in files), encoding="utf-8")
    server = serve(site, args.port)
    sources = sources_file(work, base, args.pages)
    config = trafilatura_config(work)
    runs, noops, served, loop1, loop2, cli, cli_d = [], [], [], [], [], [], []
    timings = None
    try:
        for i in range(args.repeat):
            db = work / f"run-{i}.duckdb"
            db.unlink(missing_ok=True)
            runs.append(gigawatch_run(work, sources, db))
            timings = stage_times(db) or timings
            print(f"  gigawatch run {i + 1}: {runs[-1].wall:.1f} s, {stored(db)} articles stored",
                  flush=True)  # fmt: skip
            noops.append(gigawatch_run(work, sources, db))
            with local_server() as api:
                gigawatch_run(work, sources, db, api)  # the server's first run creates the flow
                served.append(gigawatch_run(work, sources, db, api))
            loop1.append(measure([sys.executable, "-c", LOOP, str(listing), "1"]))
            loop2.append(measure([sys.executable, "-c", LOOP, str(listing), "2"]))
            if args.port == 80:
                cli.append(cli_sitemap(work, base, config))
            cli_d.append(cli_dir(work, site, config))
            print(f"  repeat {i + 1} done: loop {loop1[-1].wall:.1f} s, loop×2 "
                  f"{loop2[-1].wall:.1f} s", flush=True)  # fmt: skip
        n = args.pages
        ref = n / median(loop1).wall
        print("\n| measure | median wall s | pages/s | ÷ plain loop | CPU s | peak MB (tree) |")
        print("|---|---|---|---|---|---|")
        print(row("gigawatch run", median(runs), n, ref))
        print(row("plain trafilatura.extract loop, 1 process", median(loop1), n, ref))
        print(row("plain loop, 2 processes", median(loop2), n, ref))
        print(row("trafilatura CLI --sitemap, --parallel 2", median(cli) if cli else None, n, ref))
        print(row("trafilatura CLI --input-dir, --parallel 2", median(cli_d), n, ref))
        for label, ms in (("temporary Prefect server", noops), ("Prefect server up", served)):
            noop = median(ms)
            print(f"| second gigawatch run, nothing new ({label}) | {noop.wall:.1f} | — | — "
                  f"| {noop.cpu:.0f} | {noop.peak_mb:.0f} |")  # fmt: skip
        print(
            f"start-up, last run: {startup(median(runs).out)}; with a server up: "
            f"{startup(median(served).out)}"
        )
        g = n / median(runs).wall
        line = f"\nratios: gigawatch ÷ plain loop {g / ref:.2f}"
        if cli:
            line += f", gigawatch ÷ CLI sitemap mode {g / (n / median(cli).wall):.2f}"
        print(line)
        print(f"peak MB by process, gigawatch run: {by_process(median(runs))}; no-op with a "
              f"server up: {by_process(median(served))}")  # fmt: skip
        recorded = json.dumps(timings) if timings else "not recorded"
        print(f"per-stage seconds of the last run: {recorded}")
        if args.scaling:
            # with a Prefect server up, so that the per-page cost is not the start-up's
            # and after the run's start-up (its own Start-up: line), which a page does not cost
            print("\n| N | wall s | ms per page | ms per page after start-up | CPU ms per page "
                  "| peak MB | by process |\n|---|---|---|---|---|---|---|")  # fmt: skip
            with local_server() as api:
                for size in (int(s) for s in args.scaling.split(",")):
                    sub = work / f"scale-{size}"
                    shutil.rmtree(sub, ignore_errors=True)
                    server.shutdown()
                    server.server_close()
                    generate(sub / "site", size, host)
                    server = serve(sub / "site", args.port)
                    src = sources_file(sub, base, size)
                    m = gigawatch_run(sub, src, sub / "run.duckdb", api)
                    up = startup(m.out).split()[0]
                    after = (f"{1000 * (m.wall - float(up)) / size:.1f}"
                             if up.replace(".", "", 1).isdigit() else "—")  # fmt: skip
                    print(f"| {size} | {m.wall:.1f} | {1000 * m.wall / size:.1f} | {after} "
                          f"| {1000 * m.cpu / size:.1f} | {m.peak_mb:.0f} | {by_process(m)} |",
                          flush=True)  # fmt: skip
    finally:
        server.shutdown()
        server.server_close()
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
