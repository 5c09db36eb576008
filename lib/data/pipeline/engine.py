"""The engines that run the pipeline's transforms: DuckDB (embedded, default) or Apache Spark.

Every silver rule and gold table is an Ibis expression, written once (``silver.py``,
``gold.py``); an :class:`Engine` reads Parquet into Ibis tables, executes expressions and
writes the results back to Parquet. Ibis compiles the same expression to DuckDB's or Spark's
SQL, including the parts whose semantics differ between the two (day of week, median, regular
expression flags). The few primitives Ibis leaves to each backend (lenient date parsing) are
here, so that no transform needs to know which engine runs it.

DuckDB runs in-process with a memory limit, a spill folder inside the build's staging folder
and all cores. Spark runs ``local[N]`` in-process, on a standalone cluster
(``spark://HOST:7077``) or through Spark Connect (``sc://HOST:15002``); PySpark is an optional
install (``requirements-spark.txt``) and needs Java 17.
"""

from __future__ import annotations

import logging
import os
import queue
import shutil
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import ibis.expr.types as ir
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

__all__ = [
    "ENGINES",
    "Engine",
    "connect",
    "spark_available",
    "strip",
    "round_half_up",
    "default_memory_limit",
    "table_path",
    "parquet_files",
    "parquet_rows",
    "Task",
    "run_tasks",
]

log = logging.getLogger(__name__)
ENGINES = ("duckdb", "spark")

# Date and time forms accepted in raw date columns besides ISO 8601 (tried in this order):
# (strftime for DuckDB, the same pattern in Java's DateTimeFormatter letters for Spark).
DATE_FORMATS: tuple[tuple[str, str], ...] = (
    ("%Y-%m-%d", "yyyy-MM-dd"),
    ("%Y-%m-%d %H:%M:%S", "yyyy-MM-dd HH:mm:ss"),
    ("%Y/%m/%d", "yyyy/M/d"),
    ("%m/%d/%Y", "M/d/yyyy"),
    ("%B %d, %Y", "MMMM d, yyyy"),
    ("%b %d, %Y", "MMM d, yyyy"),
    ("%d %B %Y", "d MMMM yyyy"),
    ("%d %b %Y", "d MMM yyyy"),
)


@ibis.udf.scalar.builtin(name="try_strptime")
def _duckdb_try_strptime(s: str, fmts: dt.Array(dt.string)) -> dt.timestamp:  # type: ignore[valid-type]
    """DuckDB's ``try_strptime(text, [formats])``: NULL when no format matches."""


@ibis.udf.scalar.builtin(name="try_to_timestamp")
def _spark_try_to_timestamp(s: str, fmt: str) -> dt.timestamp:  # type: ignore[valid-type]
    """Spark's ``try_to_timestamp(text, format)``: NULL when the text does not match."""


def spark_available() -> tuple[bool, str]:
    """(True, "") when PySpark and Java are installed, else (False, the reason)."""
    try:
        import pyspark  # noqa: F401
    except ImportError:
        return False, "PySpark is not installed (pip install -r requirements-spark.txt)"
    java = shutil.which("java") or (
        os.environ.get("JAVA_HOME") and Path(os.environ["JAVA_HOME"], "bin", "java")
    )
    if not java:
        return False, "Java 17 is not installed (apt-get install -y openjdk-17-jre-headless)"
    return True, ""


BIG_BUILD_ROWS = 50_000_000  # bronze rows from which a build gets the larger memory limit


def default_memory_limit(rows: int | None = None) -> str:
    """DuckDB's memory limit (it spills to disk beyond it): ``$STREAMDASH_DUCKDB_MEMORY``,
    else 2 GB, or for a build of ``rows`` >= 50M bronze rows a quarter of the machine's
    memory between 2 and 6 GB: some of DuckDB's operators cannot spill everything (at
    scale 1000, 105M sessions, a 2 GB limit ran out in the watch history's cleaning)."""
    if os.environ.get("STREAMDASH_DUCKDB_MEMORY"):
        return os.environ["STREAMDASH_DUCKDB_MEMORY"]
    if rows is None or rows < BIG_BUILD_ROWS:
        return "2GB"
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return "2GB"
    gib = min(6.0, max(2.0, total / 4 / 2**30))
    return f"{gib:.1f}GB"


def table_path(folder: Path, name: str) -> Path:
    """Where a layer keeps a table: ``folder/name.parquet`` (a file or a folder of parts)."""
    return Path(folder) / f"{name}.parquet"


def parquet_rows(path: Path) -> int:
    """Row count of a Parquet table (file or folder of parts), from metadata (no scan)."""
    return sum(pq.ParquetFile(f).metadata.num_rows for f in parquet_files(Path(path)))


def parquet_null_counts(path: Path) -> tuple[int, dict[str, int]] | None:
    """(rows, missing values per column) of a Parquet table, from its files' column
    statistics (no scan); None when a column chunk has no null count."""
    rows, nulls = 0, {}
    for f in parquet_files(Path(path)):
        meta = pq.ParquetFile(f).metadata
        rows += meta.num_rows
        for g in range(meta.num_row_groups):
            rg = meta.row_group(g)
            for j in range(rg.num_columns):
                col = rg.column(j)
                st = col.statistics
                if st is None or not st.has_null_count:
                    return None
                name = col.path_in_schema
                nulls[name] = nulls.get(name, 0) + st.null_count
    return rows, nulls


def parquet_files(path: Path) -> list[Path]:
    """The Parquet data files of a table (itself when it is one file), in a stable order."""
    path = Path(path)
    if path.is_file():
        return [path]
    if path.is_dir():
        return sorted(p for p in path.rglob("*.parquet") if p.is_file())
    return []


class Engine:
    """One connection: read Parquet into Ibis tables, run expressions, write Parquet.

    Use :func:`connect` to make one, and ``close()`` (or ``with``) when done.
    """

    name: str

    def __init__(
        self, name: str, con: Any, *, spark: Any = None, fuse_selects: bool = True
    ) -> None:
        self.name = name
        self.con = con
        self._spark = spark
        self.fuse_selects = fuse_selects
        self._n = 0
        self._tables: dict[Path, ir.Table] = {}
        self._stashed: list[str] = []

    # -- context manager -------------------------------------------------------------------
    def __enter__(self) -> Engine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the connection (stops the Spark session this engine started)."""
        try:
            self.con.disconnect()
        except Exception:  # noqa: BLE001 - closing is best effort
            log.debug("disconnect failed", exc_info=True)
        if self._spark is not None:
            self._spark.stop()
            self._spark = None

    def _compiling(self) -> None:
        """Set how Ibis compiles this engine's next query (see :func:`connect`).

        Ibis reads the setting from its global options; a build sets the same value on both
        its threads, and two builds at once in one process can only change each other's
        speed, never a result (fused or not, the query means the same)."""
        ibis.options.sql.fuse_selects = self.fuse_selects

    # -- reading and writing ---------------------------------------------------------------
    def read(self, path: Path) -> ir.Table:
        """A Parquet table (one file, or a folder of part files) as an Ibis table."""
        path = Path(path).resolve()
        if path in self._tables:
            return self._tables[path]
        files = parquet_files(path)
        if not files:
            raise FileNotFoundError(f"no Parquet data at {path}")
        self._n += 1
        name = f"t{self._n}_{path.stem}".replace("-", "_").replace(".", "_")
        if self.name == "duckdb":
            source = str(path) if path.is_file() else str(path / "**" / "*.parquet")
            t = self.con.read_parquet(source, table_name=name)
        else:
            t = self.con.read_parquet(str(path), table_name=name)
        self._tables[path] = t
        return t

    def completeness(self, path: Path, *, exclude_suffix: str = "") -> float | None:
        """Mean share of non-missing cells per column of a written table, from the null
        counts in its Parquet metadata (no scan). None for an empty table, or when a file
        lacks the counts."""
        counted = parquet_null_counts(Path(path))
        if counted is None:
            return None
        rows, nulls = counted
        nulls = {
            c: n for c, n in nulls.items() if not (exclude_suffix and c.endswith(exclude_suffix))
        }
        if not rows or not nulls:
            return None
        return float(sum(1 - n / rows for n in nulls.values()) / len(nulls))

    def present(self, path: Path) -> tuple[int, dict[str, int]] | None:
        """(rows, non-missing values per column) of a written table, from the row and null
        counts in its Parquet metadata (no scan); None when a file lacks them."""
        counted = parquet_null_counts(Path(path))
        if counted is None:
            return None
        rows, nulls = counted
        return rows, {c: rows - n for c, n in nulls.items()}

    def rows(self, path: Path) -> int:
        """Row count of a written Parquet table, from its files' metadata (no scan)."""
        return parquet_rows(path)

    def write(
        self, expr: ir.Table, path: Path, *, order_by: Sequence[str] = (), work: bool = False
    ) -> None:
        """Execute ``expr`` and write it to ``path`` (DuckDB: one file; Spark: a folder).

        ``work``: an intermediate file of the build (read once or twice, then deleted):
        written without compression, which costs less time than it saves space."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self._tables.pop(path.resolve(), None)
        self._compiling()
        if order_by:
            expr = expr.order_by(list(order_by))
        if self.name == "duckdb":
            comp = "uncompressed" if work else "zstd"
            # row groups of DuckDB's default size (ROW_GROUP_ROWS): the Parquet encoder's
            # per-group dictionaries stay small. Scale 100's layers: 88.3-88.5 s against
            # 95.3-99.3 s with 500,000 rows (3 interleaved pairs)
            self.con.to_parquet(expr, str(path), compression=comp, row_group_size=ROW_GROUP_ROWS)
        else:
            if path.exists():
                shutil.rmtree(path) if path.is_dir() else path.unlink()
            comp = "none" if work else "zstd"
            self.con.to_parquet(expr, str(path), mode="overwrite", compression=comp)

    def fork(self) -> Engine:
        """Another engine over the same data for a second thread: on DuckDB a cursor of the
        same database (one memory limit and spill folder for both), on Spark this engine
        itself (Spark schedules its own parallel work). Close it when done."""
        if self.name != "duckdb":
            return self
        con = ibis.duckdb.from_connection(self.con.con.cursor())
        return Engine("duckdb", con, fuse_selects=self.fuse_selects)

    def stash(self, expr: ir.Table, path: Path) -> ir.Table:
        """Compute an intermediate result once and return it, to be read a few times by
        later expressions of this engine only (nothing outside the engine reads it).

        DuckDB keeps it as a temporary table (in its buffer pool, spilled to the temp folder
        beyond the memory limit): about half the time of writing Parquet, whose encoder was
        most of the build's heaviest steps (scale 100: the watch history's narrow rows 7.5 s
        as Parquet). Spark writes ``path`` as uncompressed Parquet. :meth:`drop_stashed`
        frees them."""
        if self.name != "duckdb":
            self.write(expr, path, work=True)
            return self.read(path)
        self._compiling()
        self._n += 1
        name = f"_stash{self._n}_{Path(path).stem}".replace("-", "_").replace(".", "_")
        if expr.op().find(ops.InMemoryTable):  # in-memory lookups: Ibis registers them
            t = self.con.create_table(name, obj=expr, temp=True)
        else:
            # CREATE TABLE AS the compiled query. (Ibis' create_table builds an INSERT
            # statement around the query, and its builder deep-copies the whole query tree
            # first: 0.4 s of a 6 s scale-1 build, with the interpreter lock held.)
            self.con.raw_sql(f'CREATE TEMP TABLE "{name}" AS {self.con.compile(expr)}')
            t = self.con.table(name)
        self._stashed.append(name)
        return t

    def drop_stashed(self) -> None:
        """Drop the intermediates :meth:`stash` kept (DuckDB; Spark's are files in the
        build's work folder, removed with it)."""
        while self._stashed:
            self.con.drop_table(self._stashed.pop(), force=True)

    def table(self, df: pd.DataFrame | pa.Table) -> ir.Table:
        """A small in-memory table (lookups, parameters) usable in expressions."""
        return ibis.memtable(df)

    # -- executing -------------------------------------------------------------------------
    def to_pandas(self, expr: ir.Expr) -> Any:
        """Execute ``expr``: a DataFrame for a table, a Series for a column, a value for a
        scalar."""
        self._compiling()
        return self.con.execute(expr)

    def to_arrow(self, expr: ir.Table) -> pa.Table:
        self._compiling()
        return self.con.to_pyarrow(expr)

    def count(self, expr: ir.Table) -> int:
        self._compiling()
        return int(self.con.execute(expr.count()))

    def row(self, expr: ir.Table) -> dict[str, Any]:
        """The single row of an aggregate expression as a dict."""
        self._compiling()
        df = self.con.execute(expr)
        return {k: _py(v) for k, v in df.iloc[0].to_dict().items()} if len(df) else {}

    # -- backend primitives ----------------------------------------------------------------
    def parse_timestamp(self, text: ir.StringValue) -> ir.TimestampValue:
        """Lenient date/time parsing: ISO 8601 first, then ``DATE_FORMATS``; NULL if none."""
        # the common case first: coalesce stops at the first value, so the costlier forms
        # (white space, a trailing Z, other layouts) are only tried on rows that need them
        s = strip(text).re_replace(r"Z$", "")
        forms = [text.try_cast("timestamp"), s.try_cast("timestamp")]
        if self.name == "duckdb":
            fmts = ibis.literal([f for f, _ in DATE_FORMATS], type="array<string>")
            return ibis.coalesce(*forms, _duckdb_try_strptime(s, fmts))
        return ibis.coalesce(
            *forms, *[_spark_try_to_timestamp(s, ibis.literal(j)) for _, j in DATE_FORMATS]
        )


def strip(text: ir.StringValue) -> ir.StringValue:
    """Leading and trailing white space removed. (Not Ibis' ``strip()``: on Spark it trims the
    letters f and v too, as Spark SQL reads its escapes ``\\f`` and ``\\v`` as plain letters.)

    The regular expression runs only on values whose first or last character is white space
    or another control character (a character sorting at or before the space: strings
    compare by their UTF-8 bytes on both engines, and every white space of the regex class
    ``\\s`` is ASCII 9-13 or 32), where it changes nothing for the other control characters.
    Most values (ids, codes) have none: at scale 100 the regex on every id cost 12 s of the
    watch-history cleaning, and a test of the edge characters against a list became a join
    per column in DuckDB (about 1 s per pass of scale 10's watch history).

    "The first character sorts at or before the space" is ``text < "!"`` (the empty string
    too): one comparison instead of a substring (which Ibis compiles with a position CASE),
    2 s of CPU less in scale 100's watch-history cleaning and a smaller query to compile."""
    edge = (text < "!") | (text.right(1) <= " ")
    return ibis.cases((edge, text.re_replace(r"^\s+|\s+$", "")), else_=text)


def round_half_up(x: ir.NumericValue, digits: int = 0) -> ir.FloatingValue:
    """``x`` rounded to ``digits`` decimals, halves up, identically on every engine.

    (Engines' own ``round`` differs: DuckDB rounds the binary double, Spark its decimal text,
    so 0.15 becomes 0.1 on one and 0.2 on the other.)
    """
    f = 10.0**digits
    return (x.cast("float64") * f + 0.5).floor().cast("float64") / f


def _py(v: Any) -> Any:
    """numpy/pandas scalars -> plain Python (for JSON reports)."""
    if v is None or (isinstance(v, float) and pd.isna(v)):
        return None
    if hasattr(v, "item"):
        try:
            return v.item()
        except (ValueError, AttributeError):
            return v
    if v is pd.NaT:
        return None
    return v


ROW_GROUP_ROWS = 122_880  # rows per Parquet row group the DuckDB engine writes
FUSE_SELECTS_ROWS = 5_000_000  # bronze rows from which a build lets Ibis fuse selects


def connect(
    engine: str = "duckdb",
    *,
    spark_master: str | None = None,
    memory_limit: str | None = None,
    temp_dir: Path | None = None,
    threads: int | None = None,
    fuse_selects: bool = True,
) -> Engine:
    """Open an engine.

    Parameters
    ----------
    engine : ``"duckdb"`` (embedded, default) or ``"spark"``.
    spark_master : Spark only: ``local[2]`` (default), ``spark://HOST:7077`` (a standalone
        cluster) or ``sc://HOST:15002`` (Spark Connect).
    memory_limit : DuckDB only: e.g. ``"2GB"``; beyond it DuckDB spills to ``temp_dir``.
    temp_dir : DuckDB's spill folder (the build puts it inside the dataset's staging folder).
    threads : DuckDB worker threads (default: all cores).
    fuse_selects : let Ibis merge a chain of projections into one SELECT, writing each
        column's definition into every later step that reads it. On big data that query
        runs faster (scale 100's layers: 80 s fused, 92 s not); on small data the fixed
        cost of each query dominates, and the unfused query (shorter: no definition
        repeated) is ready sooner (a scale-1 build 0.4-0.5 s sooner, of about 5 s; scale 10
        about the same either way). The build chooses by its bronze rows
        (``FUSE_SELECTS_ROWS``)."""
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r}; expected one of {ENGINES}")
    if engine == "duckdb":
        config: dict[str, Any] = {
            "memory_limit": memory_limit or default_memory_limit(),
            "threads": threads or os.cpu_count() or 2,
            # results keep the order an expression asks for (ORDER BY); any other order is
            # free, as on Spark. Keeping the scan's order costs DuckDB memory and a serial
            # Parquet writer: at scale 100, writing the sorted sessions took 16.3 s so,
            # 14.1 s like this; a table written without sorting, 10.2 s against 6.9 s
            "preserve_insertion_order": False,
        }
        if temp_dir is not None:
            Path(temp_dir).mkdir(parents=True, exist_ok=True)
            config["temp_directory"] = str(temp_dir)
        con = ibis.duckdb.connect(**config)
        return Engine("duckdb", con, fuse_selects=fuse_selects)
    ok, why = spark_available()
    if not ok:
        raise RuntimeError(f"the Spark engine is not available: {why}")
    spark = _spark_session(spark_master or "local[2]")
    con = ibis.pyspark.connect(spark)
    return Engine("spark", con, spark=spark, fuse_selects=fuse_selects)


def _spark_session(master: str) -> Any:
    from pyspark.sql import SparkSession

    conf = {
        "spark.app.name": "streamdash-pipeline",
        "spark.ui.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
        # timestamps without a time zone, as DuckDB and pandas keep them
        "spark.sql.timestampType": "TIMESTAMP_NTZ",
        # JSON of rejected rows keeps null fields, as DuckDB's does
        "spark.sql.jsonGenerator.ignoreNullFields": "false",
        # timestamps in Parquet as DuckDB and pandas read them (not the legacy INT96)
        "spark.sql.parquet.outputTimestampType": "TIMESTAMP_MICROS",
        "spark.sql.shuffle.partitions": os.environ.get("STREAMDASH_SPARK_PARTITIONS", "4"),
        "spark.sql.adaptive.enabled": "true",
        "spark.driver.memory": os.environ.get("STREAMDASH_SPARK_DRIVER_MEMORY", "2g"),
        "spark.sql.warehouse.dir": str(Path(os.environ.get("TMPDIR", "/tmp")) / "streamdash-wh"),
    }
    if master.startswith("sc://"):
        builder = SparkSession.builder.remote(master)
        for k, v in conf.items():
            if k not in ("spark.driver.memory", "spark.ui.enabled", "spark.sql.warehouse.dir"):
                builder = builder.config(k, v)
        return builder.getOrCreate()
    builder = SparkSession.builder.master(master)
    for k, v in conf.items():
        builder = builder.config(k, v)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


# ------------------------------------------------------------------------ parallel steps ---
@dataclass(frozen=True)
class Task:
    """One step of a build: ``run(engine)`` once every task named in ``after`` has finished.

    ``run`` reads its inputs from files with the engine it is given (Ibis tables belong to
    one connection), and ``message`` is the progress line shown when it starts."""

    name: str
    run: Callable[[Engine], Any]
    after: tuple[str, ...] = ()
    message: str = ""


def run_tasks(
    engine: Engine,
    tasks: Sequence[Task],
    *,
    started: Callable[[Task], None] | None = None,
    workers: int = 2,
) -> dict[str, Any]:
    """Run ``tasks`` and return their results by name.

    On DuckDB, ``workers`` threads each take the first task in list order whose ``after``
    tasks are done, on a cursor of the same database (:meth:`Engine.fork`: one memory limit
    and spill folder). One query seldom keeps both cores busy (its single-threaded parts,
    Ibis compiling the next query, the Parquet footer), and a small table's dozen queries are
    mostly fixed cost: two at once fill the gaps. On Spark (which schedules its own parallel
    work) and with ``workers=1`` the tasks run one after another in list order, which must
    therefore list every task after those it waits for.

    ``started(task)`` is called from this thread only (progress bars belong to the caller's
    thread). The first error stops the scheduling of further tasks; the running ones finish,
    then it is raised here.
    """
    names = [t.name for t in tasks]
    if len(set(names)) != len(names):
        raise ValueError(f"task names repeat: {names}")
    for t in tasks:
        unknown = [a for a in t.after if a not in names]
        if unknown:
            raise ValueError(f"task {t.name!r} waits for unknown tasks {unknown}")
    say = started or (lambda _t: None)
    if engine.name == "duckdb" and workers > 1 and len(tasks) > 1:
        return _Pool(tasks).run(engine, min(workers, len(tasks)), say)
    results: dict[str, Any] = {}
    for t in tasks:
        if any(a not in results for a in t.after):
            raise ValueError(f"task {t.name!r} is listed before a task it waits for")
        say(t)
        results[t.name] = t.run(engine)
    return results


class _Pool:
    """:func:`run_tasks`' threads: a list of pending tasks under one condition variable."""

    def __init__(self, tasks: Sequence[Task]) -> None:
        self.pending = list(tasks)
        self.done: set[str] = set()
        self.results: dict[str, Any] = {}
        self.errors: list[BaseException] = []
        self.active = 0
        self.lock = threading.Condition()
        self.events: queue.SimpleQueue = queue.SimpleQueue()

    def fail(self, e: BaseException) -> None:
        with self.lock:
            self.errors.append(e)
            self.lock.notify_all()

    def take(self) -> Task | None:
        with self.lock:
            while True:
                if self.errors or not self.pending:
                    return None
                for t in self.pending:
                    if all(a in self.done for a in t.after):
                        self.pending.remove(t)
                        self.active += 1
                        return t
                if not self.active:  # nothing runs and nothing can start: a cycle
                    return None
                self.lock.wait()

    def work(self, eng: Engine) -> None:
        try:
            while (t := self.take()) is not None:
                self.events.put(t)
                try:
                    out = t.run(eng)
                except BaseException as e:  # noqa: BLE001 - raised again in run()
                    self.fail(e)
                    return
                finally:
                    eng.drop_stashed()
                with self.lock:
                    self.results[t.name] = out
                    self.done.add(t.name)
                    self.active -= 1
                    self.lock.notify_all()
        finally:
            self.events.put(None)  # this worker has stopped

    def run(self, engine: Engine, workers: int, say: Callable[[Task], None]) -> dict[str, Any]:
        forks = [engine.fork() for _ in range(workers)]
        threads = [
            threading.Thread(target=self.work, args=(f,), name=f"build-{i}", daemon=True)
            for i, f in enumerate(forks)
        ]
        for th in threads:
            th.start()
        running = len(threads)
        try:
            while running:
                t = self.events.get()
                if t is None:
                    running -= 1
                elif not self.errors:
                    say(t)
        except BaseException as e:  # the progress callback failed, or an interrupt: stop
            self.fail(e)
            raise
        finally:
            for th in threads:
                th.join()
            for f in forks:
                f.close()
        if self.errors:
            raise self.errors[0]
        if self.pending:
            names = [t.name for t in self.pending]
            raise ValueError(f"tasks wait for each other in a cycle: {names}")
        return self.results
