#!/usr/bin/env python
"""Ways to load every wave's raw answers (`Store.answer_matrix`), measured on the same stores (issue 16).

    python benchmarks/raw_load.py [--sizes 10k,100k,1m] [--postgresql [--postgresql-sizes 10k,100k]]
                                  [--methods current,kit,...] [--repeat 3] [--work /tmp/osa-raw-load]

The stores are benchmarks/run.py's enterprise workspaces (40 items, 200 teams, 8 waves; built once and
kept under --work, default /tmp/osa-raw-load, reused while run.py's BUILD_VERSION stays the same). Each
method loads the matrix of all 8 waves; every result is compared with the current code's (it must be
identical: same respondents, teams, values and NaNs); the table prints the best run's wall-clock and CPU
seconds, the ratio to the current code and the peak memory.

Methods (SQLite; with --postgresql the same on a PostgreSQL copy built by the same generator):
  current   Python's driver (sqlite3 / psycopg), one row object per answer and per respondent: the code
            before issue 16, kept in `answer_matrix` as its fallback for the answers
  kit       `answer_matrix` now: for 500,000 cells of respondents at a time, the database packs the
            answers into three comma-separated strings (group_concat / string_agg of respondent ids, item
            names and values) that NumPy parses (np.fromstring; item names matched as bytes, 8 to a uint64
            word); a wave stored in one go (contiguous respondent ids) is read without joining the
            respondents; a wave of several parts is read by two connections at once; the respondents and
            their teams are packed the same way
  pivot-sql one row per respondent from SQL: MAX(CASE WHEN item = ? THEN value END) per item, GROUP BY
            respondent, through Python's driver, fetchall into np.array
  numeric   numeric rows only: SQLite maps items to column numbers with CASE in SQL and fetchmany goes
            into np.array; PostgreSQL: array_position in SQL and psycopg's binary COPY TO STDOUT of
            fixed-width rows read with one np.frombuffer
  adbc      Arrow-native: the ADBC driver (adbc-driver-sqlite / -postgresql, pyarrow) fetches (respondent,
            item, value) as Arrow columns, pyarrow.compute.index_in turns items into column numbers, NumPy
            scatters them; skipped with a note when pyarrow and the drivers cannot be imported
  adbc-2    the same with two connections at once, each reading half of the respondents (threads)

Peak memory is the growth of the process's peak resident set during the first timed run (VmHWM, reset
through /proc/self/clear_refs before it; Linux only): it sees SQLite's cache and Arrow's buffers, which
tracemalloc does not, but not memory freed earlier and reused (small figures are unreliable).
"""

from __future__ import annotations

import argparse
import datetime as _dt
import gc
import importlib
import multiprocessing
import os
import sys
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
for folder in (ROOT, ROOT / "tests", HERE):     # the kit from this checkout; tests/_postgres.py; run.py
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

import run  # noqa: E402  (benchmarks/run.py: sizes, the workspace builder, formatting)
from assessment.demo import _team_levels, generate_wave, teams_frame  # noqa: E402
from assessment.store import Store  # noqa: E402
from assessment.templates import load_template  # noqa: E402

METHODS = ("current", "kit", "pivot-sql", "numeric", "adbc", "adbc-2")
SLOW = {"current", "pivot-sql", "numeric"}     # run once only, whatever --repeat says


# ---------------------------------------------------------------- memory

def _status(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def peak_growth(fn):
    """(result, bytes the peak resident set grew while fn ran), or None for the bytes off Linux."""
    gc.collect()
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")            # resets VmHWM to the current resident set
    except OSError:
        return fn(), None
    base = _status("VmRSS")
    result = fn()
    return result, max(_status("VmHWM") - base, 0)


# ---------------------------------------------------------------- methods

def _frame(store: Store, wave: str, fill) -> pd.DataFrame:
    """The matrix as `answer_matrix` builds it, with the answers put in by `fill(values, ids, items, wave_id)`."""
    template = store.wave_template(wave)
    wave_id = store.wave_id(wave)
    ids, team = _people_by_rows(store, wave_id)
    items = template.item_ids
    values = np.full((len(ids), len(items)), np.nan)
    if len(ids):
        fill(values, ids, items, wave_id)
    wide = pd.DataFrame(values, index=pd.Index(ids, name="respondent"), columns=items, copy=False)
    wide.insert(0, "team", team)
    wide.columns.name = None
    return wide


def _people_by_rows(store: Store, wave_id: int):
    """The wave's respondents and teams as `answer_matrix` read them before issue 16: a row object each."""
    people = store.frame("SELECT r.respondent_id AS respondent, t.name AS team FROM respondents r "
                         "JOIN teams t ON r.team_id = t.team_id WHERE r.wave_id = ? ORDER BY r.respondent_id",
                         (wave_id,)).set_index("respondent")
    codes, names = pd.factorize(people["team"])
    return people.index.to_numpy(dtype="int64"), names.take(codes)


def _scatter(values, ids, respondent, col, value):
    row = np.minimum(np.searchsorted(ids, respondent), len(ids) - 1)
    keep = (col >= 0) & (ids[row] == respondent)
    values[row[keep], col[keep]] = value[keep]


def load_current(store, wave):
    store._packed_answers = lambda *a: False     # the fallback: the code as it was before issue 16
    store._wave_people = lambda wave_id: _people_by_rows(store, wave_id)
    try:
        return store.answer_matrix(wave)
    finally:
        del store._packed_answers, store._wave_people


def load_kit(store, wave):
    return store.answer_matrix(wave)


def _adbc(store, wave, parts):
    """The answers through ADBC: (respondent, item, value) as Arrow columns from `parts` connections at once
    (respondent ranges), items to column numbers with pyarrow.compute.index_in, scattered with NumPy. On
    SQLite this opens the driver's own copy of SQLite next to the store's connection, which is unsafe for a
    store in use (see benchmarks/README.md); the benchmark's stores are throwaway copies that nothing writes."""
    sqlite = store._dialect.name == "sqlite"
    if sqlite:
        import adbc_driver_sqlite.dbapi as driver
        uri = str(store.path)
    else:
        import adbc_driver_postgresql.dbapi as driver
        uri = store.url
    sql = ("SELECT a.respondent_id, a.item, a.value FROM answers a JOIN respondents r ON a.respondent_id = "
           "r.respondent_id WHERE r.wave_id = {0} AND r.respondent_id BETWEEN {1} AND {2} "
           "AND a.respondent_id BETWEEN {1} AND {2}").format(*(["?1", "?2", "?3"] if sqlite else ["$1", "$2", "$3"]))

    def fill(values, ids, items, wave_id):
        edges = np.linspace(0, len(ids), parts + 1).astype(int)

        def read(k):
            with driver.connect(uri, autocommit=True) as conn, conn.cursor() as cur:
                if sqlite:     # the default batch of 1,024 rows costs a third more time
                    cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": "65536"})
                cur.execute(sql, (wave_id, int(ids[edges[k]]), int(ids[edges[k + 1] - 1])))
                return _arrow_columns(cur.fetch_arrow_table(), items)
        with ThreadPoolExecutor(parts) as pool:
            for respondent, col, value in pool.map(read, range(parts)):
                _scatter(values, ids, respondent, col, value)
    return _frame(store, wave, fill)


def _arrow_columns(table, items):
    """(respondent, column in `items` or -1, value) as NumPy arrays from an Arrow table of those three."""
    import pyarrow as pa
    import pyarrow.compute as pc
    item = table.column(1)
    col = pc.index_in(item, value_set=pa.array(items, type=item.type)).fill_null(-1)
    return (table.column(0).to_numpy().astype("int64"), col.to_numpy().astype("int64"),
            table.column(2).to_numpy().astype("float64"))


def adbc_sqlite_child(path: str, meta: list, parts: int, repeat: int):
    """`_adbc` on a SQLite file in a process that opens it through ADBC only (people as well as answers):
    (seconds of each run, peak memory of the first, the matrices)."""
    import adbc_driver_sqlite.dbapi as driver
    people_sql = ("SELECT r.respondent_id AS respondent, t.name AS team FROM respondents r JOIN teams t "
                  "ON r.team_id = t.team_id WHERE r.wave_id = ? ORDER BY r.respondent_id")
    sql = ("SELECT a.respondent_id, a.item, a.value FROM answers a JOIN respondents r ON a.respondent_id = "
           "r.respondent_id WHERE r.wave_id = ?1 AND r.respondent_id BETWEEN ?2 AND ?3 "
           "AND a.respondent_id BETWEEN ?2 AND ?3")

    def query(conn, text, params):
        with conn.cursor() as cur:
            cur.adbc_statement.set_options(**{"adbc.sqlite.query.batch_rows": "65536"})
            cur.execute(text, params)
            return cur.fetch_arrow_table()

    def everything():
        out = {}
        conns = [driver.connect(path, autocommit=True) for _ in range(parts)]
        try:
            for wave, wave_id, items in meta:
                people = query(conns[0], people_sql, (wave_id,))
                ids = people.column(0).to_numpy().astype("int64")
                codes, names = pd.factorize(people.column(1).to_numpy(zero_copy_only=False))
                values = np.full((len(ids), len(items)), np.nan)
                if len(ids):
                    edges = np.linspace(0, len(ids), parts + 1).astype(int)

                    def read(k):
                        table = query(conns[k], sql, (wave_id, int(ids[edges[k]]), int(ids[edges[k + 1] - 1])))
                        return _arrow_columns(table, items)
                    with ThreadPoolExecutor(parts) as pool:
                        for respondent, col, value in pool.map(read, range(parts)):
                            _scatter(values, ids, respondent, col, value)
                index = pd.Index(ids, name="respondent")
                wide = pd.DataFrame(values, index=index, columns=items, copy=False)
                wide.insert(0, "team", pd.Series(names.take(codes), index=index, dtype="str"))
                wide.columns.name = None
                out[wave] = wide
        finally:
            for conn in conns:
                conn.close()
        return out
    times, cpu, peaks, result = [], [], [], None

    def timed():
        started, started_cpu = time.perf_counter(), time.process_time()
        out = everything()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
        return out
    for _ in range(repeat):
        result = None
        result, peak = peak_growth(timed)
        peaks.append(peak)
    return times, cpu, peaks, result


def load_adbc(store, wave):
    return _adbc(store, wave, 1)


def load_adbc_2(store, wave):
    return _adbc(store, wave, 2)


def load_pivot_sql(store, wave):
    def fill(values, ids, items, wave_id):
        cases = ", ".join("MAX(CASE WHEN a.item = ? THEN a.value END)" for _ in items)
        rows = store._all(f"SELECT a.respondent_id, {cases} FROM answers a JOIN respondents r "
                          "ON a.respondent_id = r.respondent_id WHERE r.wave_id = ? GROUP BY a.respondent_id "
                          "ORDER BY a.respondent_id", (*items, wave_id))
        if rows:
            block = np.array(rows, dtype="float64")        # None -> NaN
            respondent = block[:, 0].astype("int64")
            values[np.searchsorted(ids, respondent)] = block[:, 1:]
    return _frame(store, wave, fill)


def load_numeric(store, wave):
    pg = store._dialect.name == "postgresql"

    def fill(values, ids, items, wave_id):
        if pg:
            record = np.dtype([("n", ">i2"), ("l1", ">i4"), ("rid", ">i4"), ("l2", ">i4"), ("col", ">i4"),
                               ("l3", ">i4"), ("value", ">i4")])
            data = bytearray()
            with store._conn.cursor() as cur:
                query = ("COPY (SELECT a.respondent_id::int4, COALESCE(array_position(%s::text[], a.item::text), 0)::int4, "
                         "a.value::int4 FROM answers a JOIN respondents r ON a.respondent_id = r.respondent_id "
                         "WHERE r.wave_id = %s) TO STDOUT (FORMAT BINARY)")
                with cur.copy(query, (list(items), wave_id)) as copy:
                    for block in copy:
                        data += block
            body = np.frombuffer(bytes(data[19:-2]), dtype=record)   # 19-byte header, 2-byte trailer
            _scatter(values, ids, body["rid"].astype("int64"), body["col"].astype("int64") - 1,
                     body["value"].astype("float64"))
        else:
            case = "CASE a.item" + "".join(f" WHEN ? THEN {k}" for k in range(len(items))) + " ELSE -1 END"
            cur = store._exec(f"SELECT a.respondent_id, {case}, a.value FROM answers a JOIN respondents r "
                              "ON a.respondent_id = r.respondent_id WHERE r.wave_id = ?", (*items, wave_id))
            while chunk := cur.fetchmany(200_000):
                block = np.array(chunk, dtype="int64")
                _scatter(values, ids, block[:, 0], block[:, 1], block[:, 2].astype("float64"))
    return _frame(store, wave, fill)


LOADERS = {"current": load_current, "kit": load_kit, "pivot-sql": load_pivot_sql, "numeric": load_numeric,
           "adbc": load_adbc, "adbc-2": load_adbc_2}


# ---------------------------------------------------------------- stores

def build_postgresql(url: str, respondents: int, seed: int) -> Store:
    """run.build_workspace's 8 waves, in a PostgreSQL store (the same generator, plan and seed)."""
    per_wave = respondents // run.WAVES
    plan = run.make_plan(per_wave)
    start = _dt.date(2022, 3, 1)
    store = Store.open(url, create=True)
    template = load_template(run.TEMPLATE)
    store.open_wave(run.WAVE_NAMES[0], template, opens=start)
    teams = teams_frame(plan.organisation)
    store.add_teams(list(teams[["team", "parent"]].itertuples(index=False, name=None)))
    template = store.wave_template(run.WAVE_NAMES[0])
    levels = _team_levels(template, teams["team"], plan)
    rng = np.random.default_rng(seed)
    for k, wave in enumerate(run.WAVE_NAMES):
        opens = start + _dt.timedelta(days=182 * k)
        if k:
            store.open_wave(wave, template, opens=opens, closes=opens + _dt.timedelta(days=21))
        matrix, comments = generate_wave(template, plan, k, rng, respondents=per_wave, team_levels=levels)
        store.add_answer_matrix(wave, matrix, comments, source="demo",
                                submitted_on=(opens + _dt.timedelta(days=7)).isoformat())
        if k < run.WAVES - 1:
            store.set_wave_status(wave, "closed")
    return store


# ---------------------------------------------------------------- measuring

def measure(store: Store, database: str, label: str, methods, repeat: int) -> list[dict]:
    waves = store.wave_names()
    rows, reference = [], None
    for method in methods:
        load = LOADERS[method]

        def everything():
            return {w: load(store, w) for w in waves}
        def timed():
            started, started_cpu = time.perf_counter(), time.process_time()
            out = everything()
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            return out
        times, cpu, peaks, result = [], [], [], None
        if method.startswith("adbc") and database == "sqlite":
            # in a process of its own that opens the file only through ADBC: next to the store's sqlite3
            # connection the driver's copy of SQLite breaks the locks ("database is locked", a deleted WAL)
            meta = [(w, store.wave_id(w), store.wave_template(w).item_ids) for w in waves]
            ctx = multiprocessing.get_context("spawn")
            with ProcessPoolExecutor(1, mp_context=ctx) as pool:
                times, cpu, peaks, result = pool.submit(adbc_sqlite_child, str(store.path), meta,
                                                        1 if method == "adbc" else 2, repeat).result()
        for _ in range(0 if times else 1 if method in SLOW else repeat):
            result = None
            result, peak = peak_growth(timed)     # the peak is read from /proc: it does not slow the run
            peaks.append(peak)
        best = int(np.argmin(times))
        seconds, cpu_seconds, peak = times[best], cpu[best], peaks[0]
        if method == "current":
            reference = result
            same = True
        else:
            same = reference is not None and all(_identical(reference[w], result[w]) for w in waves)
        if reference is None:
            same = None
        respondents = sum(len(m) for m in result.values())
        cells = sum(int(m.iloc[:, 1:].notna().to_numpy().sum()) for m in result.values())
        del result
        rows.append({"database": database, "size": label, "method": method, "seconds": seconds,
                     "cpu_seconds": cpu_seconds, "peak_bytes": peak,
                     "respondents": respondents, "answers": cells, "identical": same})
        run.progress(f"    {database} {label} {method}: {run.human_seconds(seconds)}, peak {run.human_bytes(peak)}"
                     f"{'' if same in (True, None) else ', NOT IDENTICAL'}")
    current = {r["size"]: r["seconds"] for r in rows if r["method"] == "current"}
    for r in rows:
        r["ratio"] = r["seconds"] / current[r["size"]] if r["size"] in current else None
    return rows


def _identical(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    try:
        pd.testing.assert_frame_equal(a, b, check_exact=True)
    except AssertionError:
        return False
    return True


def table(rows: list[dict]) -> list[str]:
    head = ["database", "size", "method", "seconds", "vs current", "CPU seconds", "answers/s", "peak memory",
            "identical"]
    cells = [[r["database"], r["size"], r["method"], run.human_seconds(r["seconds"]),
              f"{r['ratio']:.3f}" if r["ratio"] is not None else "—", run.human_seconds(r["cpu_seconds"]),
              run.human_rate(r["answers"] / r["seconds"], "answers"), run.human_bytes(r["peak_bytes"]),
              {True: "yes", False: "NO", None: "—"}[r["identical"]]] for r in rows]
    widths = [max(len(str(c[k])) for c in cells + [head]) for k in range(len(head))]
    out = [" | ".join(h.ljust(w) for h, w in zip(head, widths)), "-+-".join("-" * w for w in widths)]
    return out + [" | ".join(str(c).ljust(w) for c, w in zip(line, widths)) for line in cells]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="10k,100k,1m", help="total responses over the 8 waves (default 10k,100k,1m)")
    parser.add_argument("--methods", default=",".join(METHODS), help=f"comma-separated, from {', '.join(METHODS)}")
    parser.add_argument("--postgresql", action="store_true",
                        help="also on PostgreSQL (a throwaway cluster, tests/_postgres.py; the stores are built anew)")
    parser.add_argument("--postgresql-sizes", default="10k,100k",
                        help="the sizes measured on PostgreSQL (default 10k,100k: building 1M there takes long)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of the fast methods, best kept (default 3)")
    parser.add_argument("--work", default="/tmp/osa-raw-load", help="where the SQLite workspaces are kept")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    sizes = [run.parse_size(s) for s in args.sizes.split(",") if s.strip()]
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    unknown = sorted(set(methods) - set(METHODS))
    if unknown:
        parser.error(f"--methods: no method {', '.join(unknown)}; choose from {', '.join(METHODS)}")
    if any(m.startswith("adbc") for m in methods):
        try:
            for module in ("pyarrow", "adbc_driver_sqlite.dbapi", "adbc_driver_postgresql.dbapi"):
                importlib.import_module(module)
        except ImportError as exc:
            run.progress(f"adbc methods skipped: {exc} (pip install pyarrow adbc-driver-sqlite adbc-driver-postgresql)")
            methods = [m for m in methods if not m.startswith("adbc")]
    if "current" in methods:
        methods.remove("current")
    methods.insert(0, "current")                  # the reference every other method is compared with
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    run.progress(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    rows = []
    for n in sizes:
        label = run.size_label(n)
        ws, built = run.open_or_build(work / f"ws-{label}", n, args.seed, reuse=True)
        if built is not None:
            ws.close()         # a fresh build leaves SQLite's cache warm: reopen, as a later session would
            ws = type(ws)(work / f"ws-{label}")
        rows += measure(ws.store, "sqlite", label, methods, args.repeat)
        ws.close()
    if args.postgresql:
        import _postgres
        why = _postgres.missing()
        if why:
            run.progress(f"PostgreSQL skipped: {why}")
        else:
            server = _postgres.start_cluster()
            try:
                for n in [run.parse_size(s) for s in args.postgresql_sizes.split(",") if s.strip()]:
                    label = run.size_label(n)
                    run.progress(f"  building the {label} store in PostgreSQL")
                    store = build_postgresql(_postgres.create_database(server, f"raw_{label}"), n, args.seed)
                    store.close()
                    store = Store.open(_postgres.database_url(server, f"raw_{label}"))
                    rows += measure(store, "postgresql", label, methods, args.repeat)
                    store.close()
            finally:
                _postgres.stop_cluster(server)
    lines = table(rows)
    print()
    print("\n".join(lines))
    print(f"\nload average {os.getloadavg()[0]:.2f} at the end; total {time.perf_counter() - started:.0f} s; "
          f"{run.machine()}")
    return 1 if any(r["identical"] is False for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
