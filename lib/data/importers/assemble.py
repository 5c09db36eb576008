"""Several converted files -> one dataset: attach, link titles, combine tables.

Order: files that complete others (credits.csv -> its titles.csv) are attached; catalogs
form the title index (several catalogs of one format get their ids prefixed with the file
name); IMDb-style rows fill the matched catalog rows or become titles of their own; Top 10
titles are linked by name and kind, unmatched ones keep an id generated from their name;
engagement-report titles are linked to the catalog and to the Top 10 titles, unmatched ones
keep a ``report-...`` id. When the import holds no catalog, minimal ``movies`` rows (id, title,
content type) are created for the Top 10 and report titles so the pipeline has titles. A
ratings file whose rows all appear in another one (MovieLens ``u1.base``) is skipped.
"""

from __future__ import annotations

from pathlib import PurePosixPath
from typing import Any

import numpy as np
import pandas as pd

from lib import config
from lib.data.importers.base import DetectedFile, ImportResult, Part
from lib.data.importers.problems import problem
from lib.data.importers.titles import TitleIndex, generated_id, join_entry
from lib.data.importers.values import dup_note

__all__ = ["assemble"]

_GENRE_BLOCK = ("genres", "genre_primary", "genre_secondary")
_CONTENT_TYPE = {"film": "Movie", "tv": "TV Series"}


def _fill_movies(movies: pd.DataFrame, fill: pd.DataFrame) -> pd.DataFrame:
    """Fill missing cells of ``movies`` rows from ``fill`` rows with the same movie_id.

    The genre columns are filled together (only where the row has no genres at all) so that
    one row never mixes two sources' genre vocabularies.
    """
    fill = fill.drop_duplicates("movie_id").set_index("movie_id")
    aligned = fill.reindex(movies["movie_id"].to_numpy()).set_axis(movies.index)
    no_genres = movies["genres"].isna() & movies["genre_primary"].isna()
    out = {}
    for c in fill.columns:
        if c not in movies.columns or c == "title":
            continue
        take = no_genres if c in _GENRE_BLOCK else movies[c].isna()
        out[c] = movies[c].where(~take, aligned[c])
    return movies.assign(**out)


def _finish_table(table: str, frames: list[pd.DataFrame]) -> pd.DataFrame:
    frames = [f for f in frames if len(f)]
    canonical = list(config.BRONZE_TABLES[table])
    extras: list[str] = []
    for f in frames:
        extras += [c for c in f.columns if c not in canonical and c not in extras]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in canonical})
    out = pd.concat(frames, ignore_index=True)
    return out.reindex(columns=canonical + extras).astype("str")


def _skip_subset_ratings(parts: list[tuple[DetectedFile, Part]], notes: list[str]) -> None:
    """Skip a ratings file whose rows all appear in another one (e.g. MovieLens u1.base)."""
    rated = [(d, p) for d, p in parts if "ratings" in p.tables]
    if len(rated) < 2:
        return
    rated.sort(key=lambda dp: -len(dp[1].tables["ratings"]))
    hashes = {
        id(p): pd.util.hash_pandas_object(p.tables["ratings"], index=False).to_numpy()
        for _, p in rated
    }
    for i, (d, p) in enumerate(rated):
        for d2, p2 in rated[:i]:
            if not p2.skipped and np.isin(hashes[id(p)], hashes[id(p2)]).all():
                p.skipped = True
                notes.append(
                    f"{d.name}: all {len(p.tables['ratings']):,} ratings also appear in "
                    f"{d2.name}; skipped so they are not counted twice"
                )
                break


def _attach(parts: list[tuple[DetectedFile, Part]], notes: list[str]) -> list:
    """Apply every attachment (credits) to the target part its ids overlap most."""
    out = [(d, p) for d, p in parts if p.attach is None]
    for d, p in parts:
        att = p.attach
        if att is None:
            continue
        ids = set(att.ids.dropna())
        scored = [
            (len(ids & set(t.tables["movies"]["movie_id"].dropna())), i)
            for i, (td, t) in enumerate(out)
            if td.format in att.targets
        ]
        if not scored:
            raise problem("incomplete", d.name, att.missing.removeprefix(f"{d.name}: "))
        best, i = max(scored)
        if best == 0 and len(scored) > 1:
            raise problem(
                "incomplete",
                d.name,
                "shares no title id with any titles file of this import; cannot tell which "
                "one it belongs to",
                expected="its own titles.csv (the credits' id column names titles.id)",
            )
        td, target = out[i]
        done, more = att.apply(target, td.name)
        out[i] = (td, done)
        notes.extend(more)
    return out


class _Linker:
    """State of one assembly: the title index, the movies so far and the join report."""

    def __init__(self, parts: list[tuple[DetectedFile, Part]], notes: list[str]) -> None:
        self.parts = parts
        self.notes = notes
        self.index = TitleIndex()
        self.movies = _finish_table("movies", [])
        self.frames: dict[str, list[pd.DataFrame]] = {t: [] for t in config.BRONZE_TABLES}
        self.join_report: dict[str, dict[str, Any]] = {}
        self.minimal: dict[str, tuple[str, str | None]] = {}
        self.generated: list[tuple[str, str, str | None, str]] = []
        self.has_catalog = False
        self.n_catalog_files = 0

    def of(self, role: str) -> list[tuple[DetectedFile, Part]]:
        return [(d, p) for d, p in self.parts if p.role == role]

    def catalogs(self) -> None:
        cats = self.of("catalog")
        self.has_catalog = bool(cats)
        self.n_catalog_files = len(cats)
        per_format = pd.Series([d.format for d, _ in cats]).value_counts().to_dict()
        frames = []
        stems = [PurePosixPath(d.name).stem for d, _ in cats]
        for (d, p), stem in zip(cats, stems, strict=True):
            m = p.tables["movies"]
            if p.prefix_ids and per_format.get(d.format, 0) > 1:
                if stems.count(stem) > 1:  # netflix/titles.csv, prime/titles.csv
                    stem = f"{PurePosixPath(d.name).parent.name}_{stem}"
                prefix = config.slug(stem) or "catalog"
                m = m.assign(movie_id=prefix + ":" + m["movie_id"])
                self.notes.append(
                    f"{d.name}: several catalogs in one import; its ids are prefixed '{prefix}:'"
                )
            frames.append(m)
            self.index.add(m["movie_id"], p.keys, d.name)
        self.movies = _finish_table("movies", frames)

    def imdb(self) -> None:
        imdb = sorted(self.of("imdb"), key=lambda dp: dp[0].format != "imdb_movies")
        self.n_catalog_files += len(imdb)
        for d, p in imdb:
            m, keys = p.tables["movies"], p.keys
            had_targets, target = self.index.size > 0, self.index.label()
            ids = m["movie_id"].to_numpy(dtype=object).copy()
            statuses = []
            for i, (norm, year) in enumerate(zip(keys["norm"], keys["year"], strict=True)):
                y = None if pd.isna(year) else year
                mid, status = self.index.match(norm, year=y, kind="film")
                statuses.append(status)
                if mid is not None:
                    ids[i] = mid
            matched = np.array([s == "matched" for s in statuses], dtype=bool)
            if matched.any():
                self.movies = _fill_movies(self.movies, m[matched].assign(movie_id=ids[matched]))
            new = m[~matched]
            self.movies = _finish_table("movies", [self.movies, new])
            self.index.add(new["movie_id"], keys[~matched], d.name)
            if had_targets:
                self._report(d.name, "IMDb titles", statuses, list(m["title"]), target, {})
            if "top10_titles" in p.tables:
                t = p.tables["top10_titles"]
                self.frames["top10_titles"].append(t.assign(movie_id=pd.Series(ids, index=t.index)))

    def _report(self, name, what, statuses, titles, target, rows) -> None:
        self.join_report[name] = join_entry(name, what, statuses, titles, target, rows)
        self.notes.append(self.join_report[name]["message"])

    def _link_names(self, d: DetectedFile, p: Part, table: str, prefix: str, what: str) -> None:
        """Link a Top 10 or report part by (name, kind); unmatched titles get generated ids.

        A ``year`` key (set for report titles published twice in one period) is matched too
        and goes into the generated id; an ``alt`` key (the title after ' // ') is tried when
        the main title matches nothing.
        """
        keys = p.keys
        na = pd.Series(np.nan, index=keys.index)
        kinds = [None if pd.isna(k) else str(k) for k in keys["kind"]]
        years = [None if pd.isna(y) else float(y) for y in keys.get("year", na)]
        alts = keys.get("alt", na)
        had_targets, target = self.index.size > 0, self.index.label()
        link_keys = list(zip(keys["norm"], kinds, years, strict=True))
        idmap: dict[tuple[str, str | None, float | None], str] = {}
        statuses, titles = [], []
        for key, alt, title in zip(link_keys, alts, keys["title"], strict=True):
            if key in idmap:
                continue
            norm, kind, year = key
            mid, status = (None, "unmatched")
            if had_targets:
                mid, status = self.index.match(norm, kind=kind, year=year)
                if status == "unmatched" and isinstance(alt, str) and alt:
                    mid, status = self.index.match(alt, kind=kind, year=year)
            if mid is None:
                label = " ".join(str(x) for x in (norm, kind or "", int(year) if year else ""))
                mid = generated_id(prefix, label.strip())
                self.generated.append((mid, norm, kind, d.name))
                if not self.has_catalog:
                    self.minimal.setdefault(mid, (title, kind))
            idmap[key] = mid
            statuses.append(status)
            titles.append(title)
        t = p.tables[table]
        ids = pd.Series([idmap[k] for k in link_keys], index=t.index, dtype="str")
        self.frames[table].append(t.assign(movie_id=ids))
        if had_targets:
            linked = {k for k, s in zip(idmap, statuses, strict=True) if s == "matched"}
            rows = {"rows": len(t), "rows_matched": sum(k in linked for k in link_keys)}
            self._report(d.name, what, statuses, titles, target, rows)

    def top10(self) -> None:
        for d, p in self.of("top10"):
            table = "top10_weekly" if "top10_weekly" in p.tables else "top10_titles"
            self._link_names(d, p, table, "top10", "Top 10 titles")

    def reports(self) -> None:
        """Link report titles to the catalog and to the Top 10 titles no catalog row matched."""
        for source in dict.fromkeys(s for *_, s in self.generated):
            rows = list(dict.fromkeys(g[:3] for g in self.generated if g[3] == source))
            keys = pd.DataFrame({"norm": [g[1] for g in rows], "kind": [g[2] for g in rows]})
            self.index.add([g[0] for g in rows], keys, source)
        for d, p in self.of("report"):
            self._link_names(d, p, "engagement_report", "report", "report titles")

    def minimal_movies(self) -> None:
        if not self.minimal:
            return
        rows = pd.DataFrame(
            {
                "movie_id": list(self.minimal),
                "title": [t for t, _ in self.minimal.values()],
                "content_type": [_CONTENT_TYPE.get(k or "") for _, k in self.minimal.values()],
            }
        )
        self.movies = _finish_table("movies", [self.movies, rows])
        self.notes.append(
            f"no catalog in this import: {len(rows):,} minimal movies rows created from the "
            "Top 10 and report titles (id, title, content type)"
        )

    def tables(self) -> dict[str, pd.DataFrame]:
        for _, p in self.of("plain"):
            for table, f in p.tables.items():
                self.frames[table].append(f)
        out: dict[str, pd.DataFrame] = {}
        if len(self.movies):
            out["movies"] = self.movies
        for table, fs in self.frames.items():
            if table != "movies" and any(len(f) for f in fs):
                out[table] = _finish_table(table, fs)
        return out


def _whole_import_notes(tables: dict[str, pd.DataFrame], n_catalogs: int) -> list[str]:
    notes = []
    if n_catalogs > 1 and "movies" in tables:
        notes += dup_note("movies (whole import)", "movie_id", tables["movies"]["movie_id"])
    if "top10_weekly" in tables:
        w = tables["top10_weekly"]
        key = ["week", "category", "weekly_rank"] + (
            ["country_iso2"] if w["country_iso2"].notna().any() else []
        )
        n = int(w.duplicated(key).sum())
        if n:
            notes.append(
                f"top10_weekly: {n:,} row(s) repeat a (week, list, rank) already present, e.g. "
                "from an older and a newer Top 10 file; kept as received, silver dedupes"
            )
    if "engagement_report" in tables:
        r = tables["engagement_report"]
        n = int(r.duplicated(["period_start", "kind", "title", "release_date"]).sum())
        if n:
            notes.append(
                f"engagement_report: {n:,} row(s) repeat a (period, kind, title, release date) "
                "already "
                "present, e.g. the same report imported twice; kept as received, silver dedupes"
            )
    return notes


def assemble(dets: list[DetectedFile], source: str, notes: list[str]) -> ImportResult:
    """Combine sniffed files into one :class:`ImportResult` (see the module docstring)."""
    notes = list(notes)
    for d in dets:
        notes.extend(d.notes)
    parts = [(d, d._part) for d in dets if d._part is not None]
    _skip_subset_ratings(parts, notes)
    parts = _attach([(d, p) for d, p in parts if not p.skipped], notes)
    link = _Linker(parts, notes)
    link.catalogs()
    link.imdb()
    link.top10()
    link.reports()
    link.minimal_movies()
    tables = link.tables()
    notes += _whole_import_notes(tables, link.n_catalog_files)
    return ImportResult(
        tables=tables,
        files=dets,
        mappings={d.name: d.mapping for d in dets},
        notes=notes,
        join_report=link.join_report,
        source=source,
    )
