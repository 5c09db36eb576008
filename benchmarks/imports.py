"""Benchmark: wall time and peak memory of importing real-shaped files and building a dataset.

    python -m benchmarks.imports                     # both cases
    python -m benchmarks.imports --cases ratings     # one case
    python -m benchmarks.imports --ratings 2000000   # a bigger generated ratings file

Cases (issue 7), each in a fresh subprocess so its peak resident memory (ru_maxrss) is its own:

``catalog_top10``
    ``netflix_titles.csv`` (8,807 titles) + Netflix's global weekly Top 10 (10,560 rows), read in
    place from ``../shared/realdata`` (skipped with a reason when absent). Target <= 15 s.
``ratings``
    A generated MovieLens-shaped ``ratings.csv`` (1,000,000 rows: userId,movieId,rating,
    timestamp) and ``movies.csv`` (10,000 movies), written to a temporary folder.
    Target <= 60 s and <= 4 GiB peak.

Phases timed: ``import`` = ``lib.importers.load_files`` on the files' bytes (decode, sniff,
read, convert, link), ``build`` = ``lib.pipeline.build_tables`` (bronze -> silver -> gold,
written atomically to a temporary dataset folder). ``total`` = read bytes + import + build,
which is what "Save dataset" on the Import data page does. The page's preview before saving
additionally sniffs each file once (``sniff``) and builds once into a temporary folder, so
``page`` = sniff + import + build + import + build is the analyst's end-to-end wait for
preview and save together (reported, not targeted).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from lib.config import PROJECT_ROOT

REALDATA = PROJECT_ROOT.parent / "shared" / "realdata"
TARGET_SECONDS = {"catalog_top10": 15.0, "ratings": 60.0}
TARGET_GIB = {"ratings": 4.0}

CHILD = """
import json, resource, sys, tempfile, time
from pathlib import Path
t0 = time.perf_counter()
from lib.importers import load_files, sniff
from lib.pipeline import build_tables
paths = [Path(p) for p in sys.argv[1:]]
t_lib = time.perf_counter()
files = [(p.name, p.read_bytes()) for p in paths]
t_read = time.perf_counter()
sniffed = [sniff(n, b) for n, b in files]
rows = {d.name: d.rows for d in sniffed}
del sniffed
t_sniff = time.perf_counter()
result = load_files(files)
t_import = time.perf_counter()
with tempfile.TemporaryDirectory() as tmp:
    report = build_tables(result.tables, data_dir=Path(tmp) / "bench", name="bench",
                          source="benchmark")
t_build = time.perf_counter()
print(json.dumps({
    "lib_s": t_lib - t0,
    "read_s": t_read - t_lib,
    "sniff_s": t_sniff - t_read,
    "import_s": t_import - t_sniff,
    "build_s": t_build - t_import,
    "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20,
    "rows": rows,
    "bytes": sum(len(b) for _, b in files),
    "gold": {k: v["rows"] for k, v in report["gold"].items()},
    "join": {k: v["match_rate"] for k, v in result.join_report.items()},
}))
"""


def generate_movielens(
    folder: Path, *, ratings: int = 1_000_000, movies: int = 10_000, seed: int = 0
) -> list[Path]:
    """Write a MovieLens-shaped ``movies.csv`` and ``ratings.csv`` (unique user-movie pairs)."""
    rng = np.random.default_rng(seed)
    genres = np.array(
        [
            "Action",
            "Adventure",
            "Animation",
            "Comedy",
            "Crime",
            "Documentary",
            "Drama",
            "Fantasy",
            "Horror",
            "Mystery",
            "Romance",
            "Sci-Fi",
            "Thriller",
            "War",
        ]
    )
    ids = np.arange(1, movies + 1)
    years = rng.integers(1930, 2024, movies)
    n_genres = rng.integers(1, 4, movies)
    genre_text = ["|".join(rng.choice(genres, size=k, replace=False)) for k in n_genres]
    titles = [
        f'"Movie {i}, The ({y})"' if i % 7 == 0 else f"Movie {i} ({y})" for i, y in zip(ids, years)
    ]
    movies_path = folder / "movies.csv"
    with open(movies_path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("movieId,title,genres\n")
        fh.writelines(f"{i},{t},{g}\n" for i, t, g in zip(ids, titles, genre_text))
    users = max(ratings // 150, 1)
    popularity = rng.zipf(1.3, movies).astype(float)
    popularity /= popularity.sum()
    need = int(ratings * 1.15) + 1000
    pairs = pd.DataFrame(
        {
            "userId": rng.integers(1, users + 1, need),
            "movieId": rng.choice(ids, size=need, p=popularity),
        }
    ).drop_duplicates()
    while len(pairs) < ratings:  # very skewed popularity: top up with uniform pairs
        extra = pd.DataFrame(
            {"userId": rng.integers(1, users + 1, need), "movieId": rng.choice(ids, size=need)}
        )
        pairs = pd.concat([pairs, extra]).drop_duplicates()
    pairs = pairs.iloc[:ratings].sort_values(["userId", "movieId"], kind="stable")
    frame = pairs.assign(
        rating=rng.integers(1, 11, len(pairs)) / 2,
        timestamp=rng.integers(820_454_400, 1_700_000_000, len(pairs)),
    )
    ratings_path = folder / "ratings.csv"
    frame.to_csv(ratings_path, index=False, float_format="%.1f")
    return [ratings_path, movies_path]


def run_case(paths: list[Path]) -> dict:
    t0 = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
    )
    if out.returncode != 0:
        raise RuntimeError(f"benchmark child failed:\n{out.stderr[-3000:]}")
    res = json.loads(out.stdout.strip().splitlines()[-1])
    res["wall_s"] = time.perf_counter() - t0
    res["total_s"] = res["read_s"] + res["import_s"] + res["build_s"]
    res["page_s"] = res["read_s"] + res["sniff_s"] + 2 * (res["import_s"] + res["build_s"])
    return res


def _verdict(case: str, r: dict) -> str:
    parts = []
    if case in TARGET_SECONDS:
        t = TARGET_SECONDS[case]
        ok = r["total_s"] <= t
        parts.append(
            f"time <= {t:.0f} s: {'met' if ok else 'MISSED'} ({r['total_s'] / t:.2f} x budget)"
        )
    if case in TARGET_GIB:
        g = TARGET_GIB[case]
        ok = r["peak_gib"] <= g
        parts.append(
            f"memory <= {g:.0f} GiB: {'met' if ok else 'MISSED'} ({r['peak_gib'] / g:.2f} x budget)"
        )
    return "; ".join(parts)


def main(argv: list[str] | None = None) -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument(
        "--cases",
        nargs="+",
        default=["catalog_top10", "ratings"],
        choices=["catalog_top10", "ratings"],
    )
    p.add_argument("--ratings", type=int, default=1_000_000, help="rows of generated ratings")
    p.add_argument("--movies", type=int, default=10_000, help="movies of generated movies.csv")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    print(
        f"{'case':<14} {'MB':>6} {'sniff s':>8} {'import s':>9} {'build s':>8} {'total s':>8} "
        f"{'page s':>7} {'peak GiB':>9}  target"
    )
    for case in args.cases:
        with tempfile.TemporaryDirectory(prefix="bench-imports-") as tmp:
            if case == "catalog_top10":
                paths = [
                    REALDATA / "netflix_titles" / "netflix_titles.csv",
                    REALDATA / "netflix_top10" / "all-weeks-global.tsv",
                ]
                missing = [str(q) for q in paths if not q.is_file()]
                if missing:
                    print(f"{case:<14} skipped: real data absent ({', '.join(missing)})")
                    continue
            else:
                t = time.perf_counter()
                paths = generate_movielens(
                    Path(tmp), ratings=args.ratings, movies=args.movies, seed=args.seed
                )
                print(
                    f"{'':<14} (generated {args.ratings:,} ratings and {args.movies:,} movies "
                    f"in {time.perf_counter() - t:.1f} s)"
                )
            r = run_case(paths)
        print(
            f"{case:<14} {r['bytes'] / 1e6:>6.1f} {r['sniff_s']:>8.1f} {r['import_s']:>9.1f} "
            f"{r['build_s']:>8.1f} {r['total_s']:>8.1f} {r['page_s']:>7.1f} "
            f"{r['peak_gib']:>9.2f}  {_verdict(case, r)}"
        )
        rows = ", ".join(f"{k} {v:,}" for k, v in r["rows"].items())
        gold = ", ".join(f"{k} {v:,}" for k, v in r["gold"].items() if v)
        print(f"{'':<14} rows: {rows}; gold: {gold}")
        if r["join"]:
            print(
                f"{'':<14} join match rate: "
                + ", ".join(f"{k} {v:.1%}" for k, v in r["join"].items())
            )


if __name__ == "__main__":
    main()
