"""Benchmark: the same build on DuckDB, on Spark local[2] and on a standalone Spark cluster.

    python -m benchmarks.engine                        # scales 1 and 10, cluster at 10
    python -m benchmarks.engine --scales 1 --cluster-scale 1

For each scale: DuckDB (embedded) and Spark ``local[2]``, each in a fresh subprocess, with
the Spark/DuckDB time ratio. Then a standalone cluster on localhost - one master and two
workers (1 core, 1.5 GiB each), started with the ``spark-daemon.sh`` script that ships with
PySpark and stopped at the end whatever happens - builds ``--cluster-scale`` through
``spark://127.0.0.1:PORT``; its gold and quality report are compared with DuckDB's
(``lib.data.pipeline.verify``). Needs PySpark and Java 17
(``pip install -r requirements-spark.txt``).
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from lib.data.pipeline import build
scale, out, engine, master = float(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4] or None
report = build(scale=scale, seed=0, data_dir=out, engine=engine, spark_master=master,
               models=False)
print(json.dumps({"seconds": time.perf_counter() - t0,
                  "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
                  "sessions": report["invariants"]["watch_history"]["bronze"]}))
"""


def _build(scale: float, out: Path, engine: str, master: str = "") -> dict:
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable}
    res = subprocess.run(
        [sys.executable, "-c", CHILD, str(scale), str(out), engine, master],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
    )
    if res.returncode != 0:
        raise RuntimeError(f"{engine} build failed:\n{res.stderr[-3000:]}")
    return json.loads(res.stdout.strip().splitlines()[-1])


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def standalone_cluster(workers: int = 2, cores: int = 1, memory: str = "1500m"):
    """A Spark master and ``workers`` workers on localhost; yields the master URL."""
    import pyspark

    home = Path(pyspark.__file__).parent
    daemon = home / "sbin" / "spark-daemon.sh"
    tmp = Path(tempfile.mkdtemp(prefix="spark-cluster-"))
    env = {
        **os.environ,
        "SPARK_HOME": str(home),
        "SPARK_LOG_DIR": str(tmp / "logs"),
        "SPARK_PID_DIR": str(tmp / "pids"),
        "PYSPARK_PYTHON": sys.executable,
    }
    port = _port()
    url = f"spark://127.0.0.1:{port}"
    master = "org.apache.spark.deploy.master.Master"
    worker = "org.apache.spark.deploy.worker.Worker"

    def daemon_cmd(*args: str) -> None:
        subprocess.run(["bash", str(daemon), *args], env=env, check=True, capture_output=True)

    try:
        daemon_cmd(
            "start",
            master,
            "1",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--webui-port",
            str(_port()),
        )
        for i in range(1, workers + 1):
            daemon_cmd(
                "start",
                worker,
                str(i),
                "--webui-port",
                str(_port()),
                "--cores",
                str(cores),
                "--memory",
                memory,
                url,
            )
        deadline = time.monotonic() + 90
        logs = tmp / "logs"
        while time.monotonic() < deadline:
            text = "".join(p.read_text(errors="replace") for p in logs.glob("*Worker*.out"))
            if text.count("Successfully registered with master") >= workers:
                break
            time.sleep(0.5)
        else:
            raise TimeoutError(f"the workers did not register with {url} within 90 s")
        yield url
    finally:
        for i in range(1, workers + 1):
            subprocess.run(
                ["bash", str(daemon), "stop", worker, str(i)], env=env, capture_output=True
            )
        subprocess.run(["bash", str(daemon), "stop", master, "1"], env=env, capture_output=True)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--scales", type=float, nargs="+", default=[1, 10])
    p.add_argument("--cluster-scale", type=float, default=10, help="0: no cluster run")
    args = p.parse_args(argv)
    from lib.data.pipeline.engine import spark_available
    from lib.data.pipeline.verify import diff_layer, diff_reports

    ok, why = spark_available()
    if not ok:
        sys.exit(f"Spark is not available: {why}")
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        print(
            f"{'scale':>6} {'sessions':>11} {'duckdb s':>9} {'spark local[2] s':>17} "
            f"{'spark/duckdb':>13}  gold equal"
        )
        duck = {}
        for scale in args.scales:
            d = _build(scale, tmp / f"duck{scale}", "duckdb")
            s = _build(scale, tmp / f"spark{scale}", "spark", "local[2]")
            duck[scale] = tmp / f"duck{scale}"
            same = not diff_layer(tmp / f"duck{scale}", tmp / f"spark{scale}", "gold") and not (
                diff_reports(tmp / f"duck{scale}", tmp / f"spark{scale}")
            )
            print(
                f"{scale:>6g} {d['sessions']:>11,} {d['seconds']:>9.1f} {s['seconds']:>17.1f} "
                f"{s['seconds'] / d['seconds']:>12.1f}x  {'yes' if same else 'NO'}",
                flush=True,
            )
        if args.cluster_scale:
            scale = args.cluster_scale
            if scale not in duck:
                _build(scale, tmp / f"duck{scale}", "duckdb")
            with standalone_cluster() as url:
                c = _build(scale, tmp / "cluster", "spark", url)
            gold = diff_layer(tmp / f"duck{scale}", tmp / "cluster", "gold")
            report = diff_reports(tmp / f"duck{scale}", tmp / "cluster")
            print(
                f"\nstandalone cluster (1 master + 2 workers x 1 core on localhost, {url}): "
                f"scale {scale:g} built in {c['seconds']:.1f} s; gold equals DuckDB's: "
                f"{'yes' if not gold else 'NO ' + str(gold)}; report counts equal: "
                f"{'yes' if not report else 'NO ' + str(report)}"
            )


if __name__ == "__main__":
    main()
