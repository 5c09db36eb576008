"""Demo-data generator: seed 004's six tables with learnable structure and injected faults.

Unlike the uniform Faker data of seed 004, the tables here come from a small generative model:

* **Viewer segments** (``SEGMENTS``): each user belongs to one planted segment that sets the
  prior of their genre tastes, device habits, hours of viewing, weekday pattern, activity,
  completion tendency, age, plan and household size. Individual tastes are Dirichlet draws
  around the segment prototype, so clustering can find the segments and a recommender can
  learn the tastes.
* **Titles** carry a latent quality ``q`` (drives IMDb-style rating, critic score, completion
  and user ratings) and a latent popularity ``p`` (quality + cast star power + director +
  noise; drives votes, views and the weekly Top 10).
* **Sessions** pick a genre from the viewer's taste, then a title of that genre weighted by
  popularity and by the viewer's favourite sub-theme of the genre (``THEMES``; a title's
  description words carry its sub-theme, so content similarity can learn it), a date after
  the title was added (weekday pattern by segment), an hour (segment and device), a device
  from the viewer's mix (late-night sessions lean to mobile).
* **Weekly Top 10**: simulated weekly views per title after it is added (launch peak with
  decay plus a catalogue tail); each week's ten most viewed films and series chart. Weekly
  hours viewed are therefore post-release: they exist because a title charted (seed 000's
  leakage trap, reproducible here).
* **Faults as seed 004 documents**: missing values at the documented per-column rates, 3-6%
  duplicate records per table, out-of-range values (ages outside 5-110, negative or absurd
  durations, progress over 100%, absurd spend), inconsistent category spellings, orphan
  foreign keys, unparseable and future dates.

**Streaming.** ``generate_chunks(scale, seed)`` yields every table in chunks of at most
``CHUNK_ROWS`` rows (``Chunk(layer, table, frame)``), one table after another, so that scale
1000 (105M sessions) is generated in a few GiB. Across chunks it keeps only compact per-row
arrays (viewer latents, title attributes, who-watched-what-when of every session as three
int32 arrays, the sessions behind each review); each chunk's text columns are built just
before it is yielded. Every random step draws from its own generator, seeded from
``(seed, step, block)``, so the same seed (and the same ``CHUNK_ROWS``) gives the same
chunks on any machine. Faults and duplicates are injected per chunk (a duplicate lands
within 50 rows of its original, in the same chunk) at the same overall rates.

``generate(scale, seed)`` concatenates the chunks into ``SynthData``: the bronze tables (as
received: dates as text) plus a ``truth`` mapping (planted segment and tastes per user,
latent title quality, popularity and sub-theme) that only the tests and the cluster page's
"planted segments" check read.

Size (about 2,200 lines, over the project's ~700): one generative model of the whole demo
(catalog, viewers, tastes, sessions, logs, weekly charts, planted faults) whose parts share
draws from one seeded stream; splitting it would make the same-seed-same-data guarantee
harder to see.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import zlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.config import DEVICES, GENRES, LIST_SEP, PLANS

__all__ = [
    "BASE_COUNTS",
    "BRONZE_ORDER",
    "CHUNK_ROWS",
    "Chunk",
    "FAULT_RATES",
    "SCHEMAS",
    "SEGMENTS",
    "SynthData",
    "TRUTH_ORDER",
    "WINDOW",
    "generate",
    "generate_chunks",
]

log = logging.getLogger(__name__)

BASE_COUNTS = {
    "users": 10_300,
    "movies": 1_040,
    "watch_history": 105_000,
    "recommendation_logs": 52_000,
    "search_logs": 26_500,
    "reviews": 15_450,
}
# Watch window of the demo data (sessions, logs) and the first week of the Top 10 charts.
WINDOW = ("2024-11-01", "2026-10-31")
TOP10_START = "2021-07-04"

# Missing-value rates per column (seed 004's documented rates; the rest are our choice).
FAULT_RATES: dict[str, dict[str, float]] = {
    "users": {"age": 0.12, "gender": 0.08, "monthly_spend": 0.10, "household_size": 0.15},
    "movies": {
        "imdb_rating": 0.15,
        "production_budget": 0.20,
        "box_office_revenue": 0.25,
        "meta_score": 0.10,
    },
    "watch_history": {
        "watch_duration_minutes": 0.08,
        "progress_percentage": 0.12,
        "quality": 0.05,
    },
    "recommendation_logs": {"recommendation_score": 0.10},
    "search_logs": {"clicked_result_position": 0.0},
    "reviews": {"helpful_votes": 0.05, "total_votes": 0.05},
}
DUPLICATE_RANGE = (0.03, 0.06)
# Sub-themes per genre: a title's description leans on one third of its genre's words, and a
# viewer picks titles of their favourite sub-theme of a genre THEME_BOOST times as often (so
# what a viewer watches within a genre follows content, not only popularity).
THEMES = 3
THEME_BOOST = 5.0
POP_PULL = 0.6  # how strongly a title's latent popularity draws sessions: exp(POP_PULL x pop)

_G = {g: i for i, g in enumerate(GENRES)}
_D = {d: i for i, d in enumerate(DEVICES)}


def _hours(peaks: dict[int, float], base: float = 0.15) -> np.ndarray:
    h = np.full(24, base)
    hrs = np.arange(24)
    for peak, w in peaks.items():
        d = np.minimum(np.abs(hrs - peak), 24 - np.abs(hrs - peak))
        h += w * np.exp(-0.5 * (d / 1.6) ** 2)
    return h / h.sum()


# Planted viewer segments. Weights are relative; unnamed genres/devices get a small base.
SEGMENTS: tuple[dict, ...] = (
    {
        "name": "Late-night mobile thrill seekers",
        "share": 0.24,
        "age": (24, 4),
        "genres": {"Thriller": 5, "Horror": 4, "Crime": 3.5, "Action": 1.2},
        "devices": {"Mobile": 8, "Laptop": 1.2, "Tablet": 0.6},
        "hours": _hours({23: 3.0, 1: 2.0, 20: 0.6}),
        "weekend": 1.0,
        "activity": 1.1,
        "completion": 0.55,
        "plans": (0.45, 0.35, 0.15, 0.05),
        "household": (1, 2),
    },
    {
        "name": "Family weekend TV",
        "share": 0.22,
        "age": (42, 5),
        "genres": {"Animation": 5, "Family": 5, "Comedy": 2.5, "Adventure": 2},
        "devices": {"Smart TV": 8, "Tablet": 1.5, "Game Console": 0.8},
        "hours": _hours({10: 1.0, 16: 2.0, 18: 1.5}),
        "weekend": 2.6,
        "activity": 1.0,
        "completion": 0.75,
        "plans": (0.05, 0.40, 0.45, 0.10),
        "household": (3, 6),
    },
    {
        "name": "Documentary and drama devotees",
        "share": 0.18,
        "age": (58, 6),
        "genres": {"Documentary": 5, "Drama": 4, "History": 4, "Romance": 0.8},
        "devices": {"Laptop": 4, "Desktop": 4, "Smart TV": 1.5},
        "hours": _hours({9: 0.8, 14: 0.8, 20: 2.0}),
        "weekend": 1.0,
        "activity": 0.9,
        "completion": 0.85,
        "plans": (0.20, 0.50, 0.25, 0.05),
        "household": (1, 2),
    },
    {
        "name": "Sci-fi and fantasy binge watchers",
        "share": 0.16,
        "age": (31, 5),
        "genres": {"Sci-Fi": 5, "Fantasy": 4.5, "Action": 2.5, "Adventure": 2},
        "devices": {"Game Console": 5, "Smart TV": 3, "Desktop": 2},
        "hours": _hours({21: 2.0, 0: 1.0}),
        "weekend": 1.4,
        "activity": 3.2,
        "completion": 0.9,
        "plans": (0.02, 0.18, 0.35, 0.45),
        "household": (1, 3),
    },
    {
        "name": "Casual romance and comedy viewers",
        "share": 0.20,
        "age": (36, 8),
        "genres": {"Romance": 5, "Comedy": 5, "Drama": 1.2},
        "devices": {"Tablet": 5, "Mobile": 2, "Laptop": 2},
        "hours": _hours({12: 1.5, 19: 1.5}),
        "weekend": 1.2,
        "activity": 0.35,
        "completion": 0.45,
        "plans": (0.55, 0.30, 0.12, 0.03),
        "household": (1, 3),
    },
)

PLAN_PRICE = {"Basic": 7.99, "Standard": 15.49, "Premium": 22.99, "Premium+": 27.99}
COUNTRIES = {
    "USA": 0.44,
    "Canada": 0.12,
    "United Kingdom": 0.10,
    "India": 0.09,
    "Brazil": 0.08,
    "Germany": 0.07,
    "Mexico": 0.05,
    "Japan": 0.05,
}
REGIONS = {
    "USA": (
        ["California", "Texas", "New York", "Florida", "Illinois", "Ohio", "Georgia", "Washington"],
        ["Springfield", "Riverside", "Fairview", "Madison", "Georgetown", "Clinton", "Salem"],
    ),
    "Canada": (
        ["Ontario", "Quebec", "British Columbia", "Alberta", "Manitoba", "Nova Scotia"],
        ["Maplewood", "Lakeview", "Port Hope", "Kingsbridge", "Elmsdale", "Northfield"],
    ),
    "United Kingdom": (
        ["England", "Scotland", "Wales", "Northern Ireland"],
        ["Ashford", "Bramley", "Wexham", "Kirkby", "Oakham", "Thornbury"],
    ),
    "India": (
        ["Maharashtra", "Karnataka", "Delhi", "Tamil Nadu", "Gujarat"],
        ["Navapur", "Rampur", "Sitapur", "Devgarh", "Chandpur"],
    ),
    "Brazil": (
        ["Sao Paulo", "Rio de Janeiro", "Minas Gerais", "Bahia"],
        ["Santa Luzia", "Boa Vista", "Campo Verde", "Rio Claro"],
    ),
    "Germany": (
        ["Bavaria", "Berlin", "Hesse", "Saxony"],
        ["Neustadt", "Altdorf", "Lindenau", "Bergheim"],
    ),
    "Mexico": (
        ["Jalisco", "Nuevo Leon", "Puebla", "Yucatan"],
        ["San Miguel", "Santa Rosa", "Villa Nueva", "El Carmen"],
    ),
    "Japan": (
        ["Tokyo", "Osaka", "Hokkaido", "Fukuoka"],
        ["Midorimachi", "Kawabe", "Higashiyama", "Minato"],
    ),
}
LANGUAGES = {
    "USA": "English",
    "Canada": "English",
    "United Kingdom": "English",
    "India": "Hindi",
    "Brazil": "Portuguese",
    "Germany": "German",
    "Mexico": "Spanish",
    "Japan": "Japanese",
    "South Korea": "Korean",
    "Spain": "Spanish",
    "France": "French",
}
ORIGIN_P = {
    "USA": 0.50,
    "United Kingdom": 0.10,
    "Canada": 0.05,
    "South Korea": 0.07,
    "Spain": 0.06,
    "India": 0.06,
    "Japan": 0.05,
    "France": 0.05,
    "Germany": 0.03,
    "Mexico": 0.03,
}

FIRST_NAMES = (
    "James Mary Robert Patricia John Jennifer Michael Linda David Elizabeth William Barbara "
    "Richard Susan Joseph Jessica Thomas Sarah Charles Karen Daniel Lisa Matthew Nancy Anthony "
    "Sandra Mark Ashley Paul Emily Steven Donna Andrew Michelle Joshua Carol Kevin Amanda Brian "
    "Melissa George Deborah Timothy Stephanie Ronald Rebecca Jason Laura Ryan Sharon Jacob "
    "Cynthia Gary Kathleen Nicholas Amy Eric Angela Jonathan Shirley Larry Anna Justin Ruth "
    "Scott Brenda Brandon Pamela Benjamin Nicole Samuel Katherine Gregory Samantha Alexander "
    "Christine Frank Emma Raymond Catherine Patrick Debra Jack Rachel Dennis Carolyn Jerry Janet "
    "Aiko Hiro Priya Arjun Sofia Mateo Lucia Diego Lena Jonas Amara Kofi Ines Tomas Mei Wei "
    "Yuna Minho Camila Rafael Chloe Liam Olivia Noah Ava Ethan Mia Lucas Zoe Aaron Nadia Omar"
).split()
LAST_NAMES = (
    "Smith Johnson Williams Brown Jones Garcia Miller Davis Rodriguez Martinez Hernandez Lopez "
    "Gonzalez Wilson Anderson Thomas Taylor Moore Jackson Martin Lee Perez Thompson White Harris "
    "Sanchez Clark Ramirez Lewis Robinson Walker Young Allen King Wright Scott Torres Nguyen Hill "
    "Flores Green Adams Nelson Baker Hall Rivera Campbell Mitchell Carter Roberts Gomez Phillips "
    "Evans Turner Diaz Parker Cruz Edwards Collins Reyes Stewart Morris Morales Murphy Cook "
    "Rogers Gutierrez Ortiz Morgan Cooper Peterson Bailey Reed Kelly Howard Ramos Kim Cox Ward "
    "Richardson Watson Brooks Chavez Wood James Bennett Gray Mendoza Ruiz Hughes Price Alvarez "
    "Castillo Sanders Patel Myers Long Ross Foster Jimenez Tanaka Sato Kumar Singh Schmidt "
    "Muller Weber Silva Santos Oliveira Park Choi Dubois Laurent Novak Larsen Berg Okafor Mensah"
).split()

# Genre vocabularies: title words and description words (so content similarity is meaningful).
VOCAB: dict[str, dict[str, list[str]]] = {
    "Action": {
        "title": "Strike Fury Protocol Vendetta Siege Impact Rogue Breach Outrun Firepower".split(),
        "desc": "mercenary explosive chase commando heist rescue showdown weapons convoy "
        "ambush firefight operative".split(),
    },
    "Adventure": {
        "title": "Expedition Horizon Voyage Quest Summit Wildlands Compass Frontier".split(),
        "desc": "expedition jungle treasure map island voyage explorers mountain ancient "
        "ruins journey uncharted".split(),
    },
    "Animation": {
        "title": "Whiskers Bubbles Pixel Sprout Moonbeam Doodle Critters Tinker".split(),
        "desc": "animated talking animals colorful friendship magical sidekick cartoon "
        "playful village adventure heartwarming".split(),
    },
    "Comedy": {
        "title": "Mixup Roommates Awkward Shenanigans Blunder Misfits Punchline Wedding".split(),
        "desc": "hilarious awkward roommates mishap prank misfits sitcom laughs chaotic "
        "wedding blunder quirky".split(),
    },
    "Crime": {
        "title": "Cartel Alibi Syndicate Heist Verdict Undercover Racket Precinct".split(),
        "desc": "detective cartel smuggling corrupt police murder investigation gang "
        "undercover prosecutor mob evidence".split(),
    },
    "Documentary": {
        "title": "Inside Untold Chronicles Truth Uncovered Anatomy Portrait Archive".split(),
        "desc": "documentary interviews archival footage investigates real story "
        "filmmakers examines history science nature".split(),
    },
    "Drama": {
        "title": "Inheritance Tides Letters Homecoming Promise Silence Bloodline Seasons".split(),
        "desc": "family grief estranged secrets struggle redemption emotional siblings "
        "inheritance loss reconciliation small-town".split(),
    },
    "Family": {
        "title": "Puppy Holiday Treehouse Sleepover Campout Snowday Backyard Grandpa".split(),
        "desc": "kids parents holiday puppy siblings summer camp family-friendly lesson "
        "grandparents heartwarming backyard".split(),
    },
    "Fantasy": {
        "title": "Dragon Kingdom Sorcerer Realm Crown Enchanted Rune Oracle".split(),
        "desc": "sorcerer dragon kingdom prophecy enchanted realm sword magic quest "
        "elves curse throne".split(),
    },
    "History": {
        "title": "Empire Dynasty Revolution Legion Armada Pharaoh Frontier Treaty".split(),
        "desc": "historical empire war revolution century emperor battle dynasty "
        "colonial era chronicle wartime".split(),
    },
    "Horror": {
        "title": "Haunting Hollow Possession Nightmare Curse Crypt Shadows Ritual".split(),
        "desc": "haunted terrifying demon possession ghost cursed ritual nightmare "
        "evil supernatural creepy cabin".split(),
    },
    "Romance": {
        "title": "Sweetheart Serenade Kiss Forever Crush Valentine Blossom Rendezvous".split(),
        "desc": "love romance couple falls heart wedding passion first-date soulmate "
        "longing rekindle chemistry".split(),
    },
    "Sci-Fi": {
        "title": "Nebula Quantum Android Orbit Singularity Colony Starship Cipher".split(),
        "desc": "spaceship alien android galaxy future time-travel planet dystopian "
        "experiment colony robot quantum".split(),
    },
    "Thriller": {
        "title": "Witness Vanishing Paranoia Edge Deadline Stalker Tripwire Blackout".split(),
        "desc": "suspense conspiracy stalker kidnapping twist paranoia fugitive hostage "
        "deadly secret cat-and-mouse".split(),
    },
}
_PROTAG = "a young woman|a retired detective|two brothers|a single mother|a rookie|a scientist|\
a teenager|an unlikely pair|a small-town mayor|a former soldier|a chef|a journalist".split("|")
_TITLE_PATTERNS = ("The {a}", "{a} {b}", "The {a} of {b}", "{a}", "{a} Rising", "Last {a}")
_GENRE_FREQ = np.array(
    [1.2, 0.7, 0.6, 1.4, 0.9, 0.8, 1.6, 0.6, 0.6, 0.4, 0.7, 0.9, 0.7, 1.1], dtype=float
)
_COMPATIBLE = {
    "Action": ["Adventure", "Thriller", "Crime", "Sci-Fi"],
    "Adventure": ["Action", "Fantasy", "Family"],
    "Animation": ["Family", "Comedy", "Adventure", "Fantasy"],
    "Comedy": ["Romance", "Family", "Drama"],
    "Crime": ["Thriller", "Drama", "Action"],
    "Documentary": ["History", "Crime"],
    "Drama": ["Romance", "Crime", "History"],
    "Family": ["Animation", "Comedy", "Adventure"],
    "Fantasy": ["Adventure", "Action", "Animation"],
    "History": ["Drama", "Documentary", "Action"],
    "Horror": ["Thriller", "Fantasy"],
    "Romance": ["Comedy", "Drama"],
    "Sci-Fi": ["Action", "Thriller", "Adventure"],
    "Thriller": ["Crime", "Horror", "Drama"],
}
_REVIEW_TEXT = {
    "positive": [
        "An absolute masterpiece, I could not stop watching.",
        "Fantastic performances and a gripping plot.",
        "Loved every minute, highly recommend.",
        "Beautifully made and surprisingly moving.",
        "One of the best things I have watched this year.",
    ],
    "neutral": [
        "Decent enough, though it drags in the middle.",
        "Some good moments but nothing special.",
        "Watchable, if a little predictable.",
        "Fine for a quiet evening.",
    ],
    "negative": [
        "Boring and far too long.",
        "Weak script and flat acting.",
        "I gave up halfway through.",
        "Did not live up to the hype at all.",
    ],
}


# ----------------------------------------------------------------------------- contract ------
CHUNK_ROWS = 1_000_000
"""Most rows in one yielded chunk, and in one simulated block of viewers, sessions or logs."""

BRONZE_ORDER = (
    "users",
    "movies",
    "watch_history",
    "recommendation_logs",
    "search_logs",
    "reviews",
    "top10_weekly",
)
TRUTH_ORDER = ("user_segments", "user_tastes", "title_latents")
# order in which generate_chunks streams the tables: each table needs only what came before
# it (users' churn needs the sessions; reviews are drawn from the sessions)
_STREAM_ORDER = (
    "movies",
    "top10_weekly",
    "watch_history",
    "users",
    "recommendation_logs",
    "search_logs",
    "reviews",
)


class Chunk(NamedTuple):
    """One piece of one table; all chunks of a table have the same columns and dtypes."""

    layer: str  # "bronze" or "truth"
    table: str
    frame: pd.DataFrame  # at most CHUNK_ROWS rows


@dataclass
class SynthData:
    """Generated bronze tables plus the latent truth behind them."""

    tables: dict[str, pd.DataFrame]
    truth: dict[str, pd.DataFrame] = field(default_factory=dict)
    build_date: str = WINDOW[1]


_S, _F, _B, _I = "str", "float64", "bool", "int64"
SCHEMAS: dict[str, dict[str, str]] = {
    "users": {
        "user_id": _S,
        "email": _S,
        "first_name": _S,
        "last_name": _S,
        "age": _F,
        "gender": _S,
        "country": _S,
        "state_province": _S,
        "city": _S,
        "subscription_plan": _S,
        "subscription_start_date": _S,
        "is_active": _B,
        "monthly_spend": _F,
        "primary_device": _S,
        "household_size": _F,
        "created_at": _S,
    },
    "movies": {
        "movie_id": _S,
        "title": _S,
        "content_type": _S,
        "genre_primary": _S,
        "genre_secondary": _S,
        "genres": _S,
        "release_year": _F,
        "duration_minutes": _F,
        "rating": _S,
        "language": _S,
        "country_of_origin": _S,
        "imdb_rating": _F,
        "imdb_votes": _F,
        "meta_score": _F,
        "production_budget": _F,
        "box_office_revenue": _F,
        "number_of_seasons": _F,
        "number_of_episodes": _F,
        "is_netflix_original": _B,
        "added_to_platform": _S,
        "content_warning": _B,
        "description": _S,
        "director": _S,
        "cast": _S,
    },
    "watch_history": {
        "session_id": _S,
        "user_id": _S,
        "movie_id": _S,
        "watch_date": _S,
        "device_type": _S,
        "watch_duration_minutes": _F,
        "progress_percentage": _F,
        "action": _S,
        "quality": _S,
        "location_country": _S,
        "is_download": _B,
        "user_rating": _F,
    },
    "recommendation_logs": {
        "recommendation_id": _S,
        "user_id": _S,
        "movie_id": _S,
        "recommendation_date": _S,
        "recommendation_type": _S,
        "recommendation_score": _F,
        "was_clicked": _B,
        "position_in_list": _F,
        "device_type": _S,
        "time_of_day": _S,
        "algorithm_version": _S,
    },
    "search_logs": {
        "search_id": _S,
        "user_id": _S,
        "search_query": _S,
        "search_date": _S,
        "results_returned": _F,
        "clicked_result_position": _F,
        "device_type": _S,
        "search_duration_seconds": _F,
        "had_typo": _B,
        "used_filters": _B,
        "location_country": _S,
    },
    "reviews": {
        "review_id": _S,
        "user_id": _S,
        "movie_id": _S,
        "rating": _F,
        "review_date": _S,
        "device_type": _S,
        "is_verified_watch": _B,
        "helpful_votes": _F,
        "total_votes": _F,
        "review_text": _S,
        "sentiment": _S,
        "sentiment_score": _F,
    },
    "top10_weekly": {
        "week": _S,
        "category": _S,
        "weekly_rank": _I,
        "show_title": _S,
        "season_title": _S,
        "movie_id": _S,
        "weekly_hours_viewed": _F,
        "runtime": _F,
        "weekly_views": _F,
        "cumulative_weeks_in_top_10": _I,
    },
    "user_segments": {"user_id": _S, "segment": _I, "segment_name": _S},
    "user_tastes": {**{g: _F for g in GENRES}, "user_id": _S},
    "title_latents": {"movie_id": _S, "quality": _F, "popularity": _F, "theme": _I},
}
"""Columns and pandas dtypes of every generated table (bronze, then truth), in order."""


# ----------------------------------------------------------------------------- helpers -------
def _counts(scale: float) -> dict[str, int]:
    if not np.isfinite(scale) or scale <= 0:
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    minimum = {"users": 60, "movies": 60, "watch_history": 600}
    return {k: max(minimum.get(k, 50), int(round(v * scale))) for k, v in BASE_COUNTS.items()}


def _rng(seed: int, *key: str | int) -> np.random.Generator:
    """The generator of one step (and block) of the data: same (seed, key), same stream."""
    words = [seed, *(zlib.crc32(k.encode()) if isinstance(k, str) else int(k) for k in key)]
    return np.random.default_rng(np.random.SeedSequence(words))


def _sizes(n: int, size: int) -> list[int]:
    """``n`` rows as blocks of ``size`` (the last one shorter; one empty block when n is 0)."""
    full, rest = divmod(n, size)
    return [size] * full + ([rest] if rest or not full else [])


def _spread(k: int, sizes: Sequence[int]) -> list[int]:
    """``k`` items shared over parts in proportion to ``sizes`` (integers that sum to ``k``)."""
    total = int(sum(sizes))
    if total == 0:
        return [0] * len(sizes)
    cum = np.cumsum(np.asarray(sizes, dtype=np.int64))
    return np.diff(np.concatenate([[0], cum * k // total])).tolist()


def _str(values: pa.Array | pa.ChunkedArray) -> pd.api.extensions.ExtensionArray:
    """An Arrow string array as pandas' ``str`` dtype."""
    return pd.array(values, dtype="str")


def _codes(prefix: str, numbers: np.ndarray, width: int) -> pa.Array:
    """``prefix`` + zero-padded ``numbers`` as Arrow strings (no Python string per row)."""
    text = pc.utf8_lpad(
        pc.cast(pa.array(np.asarray(numbers, dtype=np.int64)), pa.string()), width, "0"
    )
    return pc.binary_join_element_wise(prefix, text, "")


def _ids(prefix: str, positions: np.ndarray, width: int) -> pd.api.extensions.ExtensionArray:
    """``prefix_000001`` ... for 0-based row positions."""
    return _str(_codes(f"{prefix}_", np.asarray(positions, dtype=np.int64) + 1, width))


def _width(n: int, least: int) -> int:
    return max(least, len(str(n)))


def _take(vocab: Sequence[str] | pa.Array, idx: np.ndarray, valid: np.ndarray | None = None):
    """``vocab[idx]`` as an Arrow string array (null where ``valid`` is False)."""
    if not isinstance(vocab, pa.Array):
        vocab = pa.array(list(vocab), pa.string())
    mask = None if valid is None else ~np.asarray(valid, dtype=bool)
    return pc.take(vocab, pa.array(np.asarray(idx, dtype=np.int64), mask=mask))


def _labels(
    labels: Sequence[str], idx: np.ndarray, valid: np.ndarray | None = None
) -> pd.api.extensions.ExtensionArray:
    """``labels[idx]`` as Arrow strings (a dictionary take, no Python string per row)."""
    return _str(_take(labels, idx, valid))


def _join(*parts, sep: str = "") -> pa.Array:
    """Element-wise concatenation of Arrow string arrays and literals (nulls skipped)."""
    return pc.binary_join_element_wise(*parts, sep, null_handling="skip")


def _choice_rows(rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Sample one category per row from per-row probability vectors ``probs[rows]``."""
    out = np.empty(len(rows), dtype=np.int64)
    dtype = np.promote_types(probs.dtype, np.float32)
    chunk = 250_000
    for s in range(0, len(rows), chunk):
        cum = np.cumsum(np.take(probs, rows[s : s + chunk], axis=0), axis=1, dtype=dtype)
        u = rng.random(len(cum))[:, None] * cum[:, -1:]
        out[s : s + chunk] = np.count_nonzero(cum < u, axis=1)
    return np.minimum(out, probs.shape[1] - 1)


def _cell(matrix: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """``matrix[rows, cols]`` (a flat take: several times faster than fancy indexing)."""
    flat = rows.astype(np.int64) * matrix.shape[1] + cols
    return np.take(matrix.reshape(-1), flat)


class _Sampler:
    """Draws indices with probability proportional to ``weights`` (inverse CDF + guide table).

    ``rng.choice(n, size, p=...)`` binary-searches a 10M-entry CDF per draw at random places
    in memory (about 6 s per million draws over 10M viewers on this machine); the guide
    table starts each search at the right place, so a draw costs one or two look-ups.
    """

    def __init__(self, weights: np.ndarray) -> None:
        cdf = np.cumsum(np.asarray(weights, dtype=np.float64))
        if not len(cdf) or not cdf[-1] > 0:
            raise ValueError("weights must be non-negative with a positive sum")
        cdf /= cdf[-1]
        cdf[-1] = 1.0
        self.cdf = cdf
        m = len(cdf)
        # guide[k]: the first index whose cumulative weight reaches k / m
        self.guide = np.searchsorted(cdf, np.arange(m) / m, side="left").astype(np.int32)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        x = rng.random(n)
        m = len(self.cdf)
        i = self.guide[np.minimum((x * m).astype(np.int64), m - 1)].astype(np.int64)
        todo = np.flatnonzero(self.cdf[i] <= x)
        while len(todo):  # walk to the first cumulative weight above x (a step or two)
            i[todo] += 1
            todo = todo[self.cdf[i[todo]] <= x[todo]]
        return np.minimum(i, m - 1)


RELEASE_ROWS = 1_000_000  # sessions from which a run hands freed memory back (_release)


def _release() -> None:
    """Hand freed memory back to the OS between tables (glibc and Arrow keep freed pages for
    reuse, so without this the resident size keeps the high-water mark of earlier tables)."""
    gc.collect()
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc (macOS, musl): nothing to trim
        pass


def _cumcount(key: np.ndarray) -> np.ndarray:
    """How many earlier rows share each row's ``key`` (0 for the first)."""
    n = len(key)
    order = np.argsort(key, kind="stable")
    sk = key[order]
    start = np.ones(n, dtype=bool)
    start[1:] = sk[1:] != sk[:-1]
    pos = np.arange(n)
    first = np.maximum.accumulate(np.where(start, pos, 0))
    out = np.empty(n, dtype=np.int64)
    out[order] = pos - first
    return out


def _days(a: str, b: str) -> tuple[np.datetime64, int]:
    start = np.datetime64(a, "D")
    return start, int((np.datetime64(b, "D") - start).astype(int))


def _fmt_dates(values: np.ndarray, unit: str = "D") -> pd.api.extensions.ExtensionArray:
    """ISO dates (``2025-01-31``) or timestamps (``2025-01-31T20:15:00``) as Arrow strings."""
    text = pc.cast(pa.array(values.astype(f"datetime64[{unit}]")), pa.string())
    if unit != "D":
        text = pc.replace_substring(text, " ", "T", max_replacements=1)
    return _str(text)


# ----------------------------------------------------------------------------- titles --------
_CONTENT = ("Movie", "TV Series", "Limited Series", "Documentary", "Stand-up Comedy")
_MATURITY = ("G", "PG", "PG-13", "R", "NC-17", "TV-Y", "TV-G", "TV-PG", "TV-14", "TV-MA")
_WARNED = [_MATURITY.index(r) for r in ("R", "NC-17", "TV-MA")]
_LANGS = tuple(dict.fromkeys(LANGUAGES.values()))
_ORIGINS = tuple(ORIGIN_P)
_ORIGIN_LANG = np.array([_LANGS.index(LANGUAGES[c]) for c in _ORIGINS])
_INITIALS = "ABCDEFGHJKLMNPRSTW"
_ROMAN = ("II", "III", "IV", "V", "VI", "VII", "VIII")


def _flat(key: str) -> tuple[list[str], np.ndarray, np.ndarray]:
    """All genres' ``key`` words in one list, with each genre's offset and length."""
    words: list[str] = []
    off, size = [], []
    for g in GENRES:
        off.append(len(words))
        size.append(len(VOCAB[g][key]))
        words.extend(VOCAB[g][key])
    return words, np.array(off), np.array(size)


_TITLE_WORDS, _TW_OFF, _TW_LEN = _flat("title")
_DESC_WORDS, _DW_OFF, _DW_LEN = _flat("desc")
# the same word in two genres' lists ("Frontier") is the same word in a title
_TW_UID = np.unique(np.array(_TITLE_WORDS), return_inverse=True)[1]


def _pattern_parts() -> tuple[list[str], list[str], list[str], np.ndarray]:
    pre, mid, post, uses_b = [], [], [], []
    for pat in _TITLE_PATTERNS:
        p, rest = pat.split("{a}")
        pre.append(p)
        if "{b}" in rest:
            m, q = rest.split("{b}")
            mid.append(m)
            post.append(q)
            uses_b.append(True)
        else:
            mid.append(rest)
            post.append("")
            uses_b.append(False)
    return pre, mid, post, np.array(uses_b)


_PAT_PRE, _PAT_MID, _PAT_POST, _PAT_USES_B = _pattern_parts()


def _people(rng: np.random.Generator, n: int, salt: int) -> pa.Array:
    """``n`` distinct-looking names; repeats get a middle initial (``Mary K. Smith``)."""
    first = rng.integers(0, len(FIRST_NAMES), n)
    last = rng.integers(0, len(LAST_NAMES), n)
    c = _cumcount(first * len(LAST_NAMES) + last)
    k = len(_INITIALS)
    middle = [""] + [
        f"{_INITIALS[(i + salt) % k]}. "
        if i < k
        else f"{_INITIALS[i % k]}{_INITIALS[(i // 7) % k]}. "
        for i in range(1, int(c.max(initial=0)) + 1)
    ]
    return _join(_take(FIRST_NAMES, first), " ", _take(middle, c), _take(LAST_NAMES, last))


def _first_distinct(draws: np.ndarray, keep: np.ndarray, width: int) -> np.ndarray:
    """Per row, the first ``keep[row]`` distinct values of ``draws[row]`` (-1 pads to width)."""
    m, w = draws.shape
    first = np.ones((m, w), dtype=bool)
    for j in range(1, w):
        first[:, j] = (draws[:, :j] != draws[:, j : j + 1]).all(axis=1)
    rank = np.cumsum(first, axis=1)
    r, c = np.nonzero(first & (rank <= keep[:, None]))
    out = np.full((m, width), -1, dtype=np.int32)
    out[r, rank[r, c] - 1] = draws[r, c]
    return out


@dataclass
class _Titles:
    """Every title's attributes as compact arrays; text columns are built per chunk."""

    n: int
    gp: np.ndarray  # primary genre index
    second: np.ndarray  # secondary genre index (meaningful where has_second)
    has_second: np.ndarray
    third: np.ndarray
    has_third: np.ndarray
    ctype: np.ndarray  # index into _CONTENT
    series: np.ndarray
    release: np.ndarray
    added: np.ndarray  # datetime64[D]
    dur: np.ndarray  # clean runtime (minutes), before the faults
    seasons: np.ndarray
    episodes: np.ndarray
    origin: np.ndarray
    language: np.ndarray
    q: np.ndarray
    pop: np.ndarray
    imdb: np.ndarray
    meta: np.ndarray
    votes: np.ndarray
    budget: np.ndarray
    box: np.ndarray
    mat: np.ndarray  # index into _MATURITY
    orig: np.ndarray
    theme: np.ndarray
    pat: np.ndarray  # title: pattern, first and second word (global ids), repeat number
    word_a: np.ndarray
    word_b: np.ndarray
    rep: np.ndarray
    desc: np.ndarray  # (n, 6) global description-word ids
    who: np.ndarray
    dir_idx: np.ndarray
    cast: np.ndarray  # (n, 6) cast-pool positions, -1 padded
    directors: pa.Array
    cast_pool: pa.Array

    @property
    def width(self) -> int:
        return _width(self.n, 4)


def _make_titles(seed: int, n: int) -> _Titles:
    rng = _rng(seed, "titles")
    g = len(GENRES)
    freq = _GENRE_FREQ / _GENRE_FREQ.sum()
    gp = rng.choice(g, n, p=freq)
    has_second = rng.random(n) < 0.6
    comp_len = np.array([len(_COMPATIBLE[x]) for x in GENRES])
    comp = np.zeros((g, comp_len.max()), dtype=np.int64)
    for i, x in enumerate(GENRES):
        comp[i, : comp_len[i]] = [_G[c] for c in _COMPATIBLE[x]]
    second = comp[gp, (rng.random(n) * comp_len[gp]).astype(np.int64)]
    third_mask = has_second & (rng.random(n) < 0.25)
    third = rng.integers(0, g, n)
    third = np.where((third == gp) | (third == second), (third + 1) % g, third)
    has_third = third_mask & (third != gp) & (third != second)

    movie, tv, limited = (_CONTENT.index(c) for c in ("Movie", "TV Series", "Limited Series"))
    ctype = np.where(rng.random(n) < 0.62, movie, tv)
    ctype[(rng.random(n) < 0.25) & (ctype == tv)] = limited
    ctype[gp == _G["Documentary"]] = _CONTENT.index("Documentary")
    ctype[(gp == _G["Comedy"]) & (rng.random(n) < 0.18)] = _CONTENT.index("Stand-up Comedy")
    series = (ctype == tv) | (ctype == limited)

    # release years skew recent; the platform adds titles from 2015 on
    release = np.clip(2026 - np.floor(rng.exponential(6.0, n)), 1975, 2026).astype(np.int64)
    end = np.datetime64(WINDOW[1], "D")
    year_start = (release - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    lo = np.maximum(year_start, np.datetime64("2015-01-01", "D"))
    span = (end - lo).astype(np.int64)
    # fresher releases are added soon after release; libraries titles any time
    frac = np.where(release >= 2015, rng.beta(1.0, 6.0, n), rng.random(n))
    added = lo + (frac * span).astype(np.int64).astype("timedelta64[D]")

    dur = np.where(
        series,
        rng.normal(46, 9, n),
        np.where(
            ctype == _CONTENT.index("Stand-up Comedy"), rng.normal(64, 8, n), rng.normal(104, 17, n)
        ),
    )
    dur = np.clip(dur, 18, 200).round()
    seasons = np.where(series, np.where(ctype == limited, 1, rng.integers(1, 7, n)), 0)
    episodes = np.where(series, seasons * rng.integers(6, 13, n), 0)
    origin = rng.choice(len(_ORIGINS), n, p=np.array(list(ORIGIN_P.values())))

    # people: directors specialise in a home genre; cast has a Zipf-like star power
    n_dir = max(20, n // 3)
    directors = _people(rng, n_dir, 1)
    dir_genre = rng.choice(g, n_dir, p=freq)
    dir_effect = rng.normal(0, 0.45, n_dir)
    n_cast = max(60, int(n * 1.6))
    cast_pool = _people(rng, n_cast, 5)
    star = rng.pareto(2.2, n_cast)
    cast_genre_aff = rng.choice(g, n_cast)

    # director: 80% from the pool whose home genre is the title's genre
    dir_idx = rng.integers(0, n_dir, n)
    home = rng.random(n) < 0.8
    for gi in range(g):
        pool = np.flatnonzero(dir_genre == gi)
        m = home & (gp == gi)
        if len(pool) and m.any():
            dir_idx[m] = pool[rng.integers(0, len(pool), m.sum())]
    # cast: 3-6 distinct members drawn by star power, 3x as likely within their genre
    n_members = rng.integers(3, 7, n)
    cast = np.full((n, 6), -1, dtype=np.int32)
    for gi in range(g):
        rows = np.flatnonzero(gp == gi)
        if not len(rows):
            continue
        sampler = _Sampler((star + 0.05) * np.where(cast_genre_aff == gi, 3.0, 1.0))
        draws = sampler.sample(rng, len(rows) * 16).reshape(len(rows), 16)
        cast[rows] = _first_distinct(draws, n_members[rows], 6)
        del sampler, draws

    q = rng.normal(0, 1, n)
    star_power = np.log1p(np.where(cast >= 0, star[cast], -np.inf).max(axis=1))
    star_z = (star_power - star_power.mean()) / (star_power.std() + 1e-9)
    orig = rng.random(n) < 0.35
    pop = 0.55 * q + 0.45 * star_z + dir_effect[dir_idx] + 0.35 * orig + rng.normal(0, 0.7, n)
    pop = pop + np.where(np.isin(gp, [_G["Thriller"], _G["Action"], _G["Crime"]]), 0.25, 0.0)
    pop = (pop - pop.mean()) / pop.std()

    imdb = np.clip(6.4 + 0.95 * q + rng.normal(0, 0.35, n), 1.5, 9.6).round(1)
    meta = np.clip(60 + 13 * q + rng.normal(0, 8, n), 5, 99).round()
    age_years = 2026 - release
    votes = np.exp(8.2 + 0.9 * pop + 0.04 * np.minimum(age_years, 20) + rng.normal(0, 0.5, n))
    votes = np.maximum(5, votes.round())
    budget = np.exp(rng.normal(16.5, 1.0, n) + 0.3 * pop).round(-3)
    box = np.where(ctype == movie, budget * np.exp(rng.normal(0.3, 0.8, n) + 0.4 * q), np.nan)
    box = np.round(box, -3)

    mat = np.zeros(n, dtype=np.int8)
    kids = np.isin(gp, [_G["Animation"], _G["Family"]])
    dark = np.isin(gp, [_G["Horror"], _G["Thriller"], _G["Crime"]])
    movie_like = ~series
    for mask, options in (
        (movie_like & kids, ["G", "PG"]),
        (movie_like & dark, ["R", "R", "NC-17", "PG-13"]),
        (movie_like & ~kids & ~dark, ["PG", "PG-13", "PG-13", "R"]),
        (series & kids, ["TV-Y", "TV-G"]),
        (series & dark, ["TV-MA", "TV-14"]),
        (series & ~kids & ~dark, ["TV-PG", "TV-14", "TV-MA"]),
    ):
        codes = np.array([_MATURITY.index(o) for o in options], dtype=np.int8)
        mat[mask] = codes[rng.integers(0, len(codes), mask.sum())]

    # each title has one of THEMES sub-themes of its primary genre (a third of the genre's
    # description words); viewers favour one sub-theme per genre (see _make_viewers/_pick)
    theme = rng.integers(0, THEMES, n)
    b_genre = np.where(has_second, second, gp)
    pat = rng.integers(0, len(_TITLE_PATTERNS), n)
    word_a = _TW_OFF[gp] + (rng.random(n) * _TW_LEN[gp]).astype(np.int64)
    word_b = _TW_OFF[b_genre] + (rng.random(n) * _TW_LEN[b_genre]).astype(np.int64)
    n_uid = int(_TW_UID.max()) + 2
    key = (pat * n_uid + _TW_UID[word_a]) * n_uid + np.where(
        _PAT_USES_B[pat], _TW_UID[word_b] + 1, 0
    )
    rep = _cumcount(key)  # the n-th title with the same name gets a sequel number

    # description: 3 words of the title's sub-theme and 1 other of its genre, shuffled, then
    # 2 distinct words of its second genre
    size = _DW_LEN[gp]
    per_theme = -(-int(_DW_LEN.max()) // THEMES)
    own = theme[:, None] + THEMES * np.arange(per_theme)
    keys = rng.random((n, per_theme))
    keys[own >= size[:, None]] = 2.0
    own3 = np.take_along_axis(own, np.argsort(keys, axis=1)[:, :3], axis=1)
    n_own = (own < size[:, None]).sum(axis=1)
    k = (rng.random(n) * (size - n_own)).astype(np.int64)
    residues = np.array([[r for r in range(THEMES) if r != th] for th in range(THEMES)])
    other = THEMES * (k // (THEMES - 1)) + residues[theme, k % (THEMES - 1)]
    w1 = np.concatenate([own3, other[:, None]], axis=1)
    w1 = np.take_along_axis(w1, np.argsort(rng.random((n, 4)), axis=1), axis=1)
    size2 = _DW_LEN[b_genre]
    i1 = (rng.random(n) * size2).astype(np.int64)
    i2 = (rng.random(n) * (size2 - 1)).astype(np.int64)
    i2 += i2 >= i1
    desc = np.concatenate(
        [_DW_OFF[gp][:, None] + w1, _DW_OFF[b_genre][:, None] + np.stack([i1, i2], axis=1)],
        axis=1,
    ).astype(np.int16)
    who = rng.integers(0, len(_PROTAG), n).astype(np.int8)

    return _Titles(
        n=n,
        gp=gp.astype(np.int8),
        second=second.astype(np.int8),
        has_second=has_second,
        third=third.astype(np.int8),
        has_third=has_third,
        ctype=ctype.astype(np.int8),
        series=series,
        release=release.astype(np.int16),
        added=added,
        dur=dur,
        seasons=seasons.astype(np.int16),
        episodes=episodes.astype(np.int16),
        origin=origin.astype(np.int8),
        language=_ORIGIN_LANG[origin].astype(np.int8),
        q=q,
        pop=pop,
        imdb=imdb,
        meta=meta,
        votes=votes,
        budget=budget,
        box=box,
        mat=mat,
        orig=orig,
        theme=theme.astype(np.int8),
        pat=pat.astype(np.int8),
        word_a=word_a.astype(np.int16),
        word_b=word_b.astype(np.int16),
        rep=rep.astype(np.int32),
        desc=desc,
        who=who,
        dir_idx=dir_idx.astype(np.int32),
        cast=cast,
        directors=directors,
        cast_pool=cast_pool,
    )


def _title_text(t: _Titles, idx: np.ndarray) -> pa.Array:
    """Titles of the titles at positions ``idx`` ("The Haunting of Ritual", "Nebula III")."""
    pat, rep = t.pat[idx], t.rep[idx]
    b = _take(_TITLE_WORDS, t.word_b[idx], valid=_PAT_USES_B[pat])
    top = int(rep.max(initial=0))
    suffix = [""] + [
        f" {_ROMAN[min(c - 1, 6)]}" + (f": Part {c}" if c > 7 else "") for c in range(1, top + 1)
    ]
    return _join(
        _take(_PAT_PRE, pat),
        _take(_TITLE_WORDS, t.word_a[idx]),
        _take(_PAT_MID, pat),
        b,
        _take(_PAT_POST, pat),
        _take(suffix, rep),
    )


def _movies_frame(t: _Titles, lo: int, hi: int) -> pd.DataFrame:
    sl = slice(lo, hi)
    idx = np.arange(lo, hi)
    series = t.series[sl]
    words = [_take(_DESC_WORDS, t.desc[sl, j]) for j in range(6)]
    description = _join(
        "When ", words[0], " and ", words[1], " upend their lives, ",
        _take(_PROTAG, t.who[sl]), " faces ", words[2], " and ", words[3],
        ". A story of ", words[4], " and ", words[5], ".",
    )  # fmt: skip
    genres = _join(
        _take(GENRES, t.gp[sl]),
        _take(GENRES, t.second[sl], valid=t.has_second[sl]),
        _take(GENRES, t.third[sl], valid=t.has_third[sl]),
        sep=LIST_SEP,
    )
    cast = t.cast[sl]
    cast_text = _join(
        *(_take(t.cast_pool, cast[:, j], valid=cast[:, j] >= 0) for j in range(cast.shape[1])),
        sep=LIST_SEP,
    )
    return pd.DataFrame(
        {
            "movie_id": _ids("movie", idx, t.width),
            "title": _str(_title_text(t, idx)),
            "content_type": _labels(_CONTENT, t.ctype[sl]),
            "genre_primary": _labels(GENRES, t.gp[sl]),
            "genre_secondary": _labels(GENRES, t.second[sl], valid=t.has_second[sl]),
            "genres": _str(genres),
            "release_year": t.release[sl].astype(float),
            "duration_minutes": t.dur[sl],
            "rating": _labels(_MATURITY, t.mat[sl]),
            "language": _labels(_LANGS, t.language[sl]),
            "country_of_origin": _labels(_ORIGINS, t.origin[sl]),
            "imdb_rating": t.imdb[sl],
            "imdb_votes": t.votes[sl],
            "meta_score": t.meta[sl],
            "production_budget": t.budget[sl],
            "box_office_revenue": t.box[sl],
            "number_of_seasons": np.where(series, t.seasons[sl], np.nan),
            "number_of_episodes": np.where(series, t.episodes[sl], np.nan),
            "is_netflix_original": t.orig[sl],
            "added_to_platform": _fmt_dates(t.added[sl]),
            "content_warning": np.isin(t.mat[sl], _WARNED),
            "description": _str(description),
            "director": _str(pc.take(t.directors, pa.array(t.dir_idx[sl]))),
            "cast": _str(cast_text),
        }
    )


# ----------------------------------------------------------------------------- top 10 --------
def _top10(rng: np.random.Generator, t: _Titles, list_len: int = 10) -> pd.DataFrame:
    """Simulated weekly views after a title is added; each week's ten most viewed per list.

    Small demo datasets (scale < 1) chart a proportionally shorter list (``list_len``) so the
    share of titles that ever chart stays near the scale-1 value (about a quarter). Titles
    are ordered by the day they were added, so each week only the live ones are simulated,
    and each week's top is found by partition (linear), not by sorting the catalogue.
    """
    weeks = np.arange(
        np.datetime64(TOP10_START, "D"), np.datetime64(WINDOW[1], "D") + 1, np.timedelta64(7, "D")
    )
    runtime_h = np.where(t.series, t.dur * np.maximum(t.episodes, 1) / 60, t.dur / 60)
    base = np.exp(13.0 + 1.6 * t.pop)  # launch-week views
    out: dict[str, list[np.ndarray]] = {k: [] for k in ("week", "cat", "rank", "title", "views")}
    for cat, mask in enumerate((~t.series, t.series)):
        idx = np.flatnonzero(mask)
        idx = idx[np.argsort(t.added[idx], kind="stable")]
        added = t.added[idx]
        for wk_i, wk in enumerate(weeks):
            live = int(np.searchsorted(added, wk, side="right"))  # added on or before wk
            if live == 0:
                continue
            age = (wk - added[:live]).astype(np.int64) / 7.0
            noise = np.exp(rng.normal(0, 0.35, live))
            views = base[idx[:live]] * (0.5**age + 0.08) * noise
            top = np.arange(live)
            if live > list_len:
                top = np.argpartition(-views, list_len - 1)[:list_len]
            top = top[np.argsort(-views[top], kind="stable")]
            top = top[views[top] > 0]
            out["week"].append(np.full(len(top), wk_i))
            out["cat"].append(np.full(len(top), cat))
            out["rank"].append(np.arange(1, len(top) + 1))
            out["title"].append(idx[top])
            out["views"].append(views[top])
    cols = {k: np.concatenate(v) if v else np.zeros(0, dtype=np.int64) for k, v in out.items()}
    t_idx = cols["title"].astype(np.int64)
    views = cols["views"].astype(float)
    english = t.language[t_idx] == _LANGS.index("English")
    labels = ("Films (English)", "Films (Non-English)", "TV (English)", "TV (Non-English)")
    show = _title_text(t, t_idx)
    season = pc.if_else(
        pa.array(t.series[t_idx]), _join(show, ": Season 1"), pa.scalar("N/A", pa.string())
    )
    df = pd.DataFrame(
        {
            "week": _fmt_dates(weeks[cols["week"].astype(np.int64)]),
            "category": _labels(labels, cols["cat"] * 2 + ~english),
            "weekly_rank": cols["rank"].astype(np.int64),
            "show_title": _str(show),
            "season_title": _str(season),
            "movie_id": _ids("movie", t_idx, t.width),
            "weekly_hours_viewed": (views * runtime_h[t_idx]).round(-3),
            "runtime": runtime_h[t_idx].round(4),
            "weekly_views": views.round(-3),
        }
    )
    df["cumulative_weeks_in_top_10"] = df.groupby("movie_id").cumcount().astype(np.int64) + 1
    return df


# ----------------------------------------------------------------------------- viewers -------
@dataclass
class _Viewers:
    """Every viewer's latents as compact arrays (about 115 bytes a viewer)."""

    n: int
    segment: np.ndarray  # int8
    taste: np.ndarray  # (n, genres) float32, rows sum to 1
    taste_max: np.ndarray
    devmix: np.ndarray  # (n, devices) float16 (only sampled from)
    fav_theme: np.ndarray | None  # (n, genres) int8; dropped once the sessions are picked
    age: np.ndarray
    completion: np.ndarray
    plan: np.ndarray
    country: np.ndarray
    created: np.ndarray  # int16 days since _CREATED[0]
    sampler: _Sampler  # draws viewers in proportion to their activity

    @property
    def width(self) -> int:
        return _width(self.n, 5)

    def created_on(self, idx: np.ndarray | slice) -> np.ndarray:
        """Account creation day (datetime64[D]) of the viewers at ``idx``."""
        return np.datetime64(_CREATED[0], "D") + self.created[idx].astype("timedelta64[D]")


def _prototypes() -> tuple[np.ndarray, np.ndarray]:
    k, g, d = len(SEGMENTS), len(GENRES), len(DEVICES)
    genre_proto = np.full((k, g), 0.12)
    dev_proto = np.full((k, d), 0.1)
    for i, s in enumerate(SEGMENTS):
        for name, w in s["genres"].items():
            genre_proto[i, _G[name]] = w
        for name, w in s["devices"].items():
            dev_proto[i, _D[name]] = w
    return (
        genre_proto / genre_proto.sum(1, keepdims=True),
        dev_proto / dev_proto.sum(1, keepdims=True),
    )


def _seg(key: str) -> np.ndarray:
    return np.array([s[key] for s in SEGMENTS])


_CREATED = ("2019-01-01", "2026-06-30")  # accounts are created in this span


def _make_viewers(seed: int, n: int, block: int) -> _Viewers:
    g, d = len(GENRES), len(DEVICES)
    genre_proto, dev_proto = _prototypes()
    share = _seg("share").astype(float)
    age_mu, age_sd = (np.array([s["age"][i] for s in SEGMENTS], dtype=float) for i in (0, 1))
    plan_p = np.array([s["plans"] for s in SEGMENTS], dtype=float)
    country_p = np.array(list(COUNTRIES.values()))
    created_span = _days(*_CREATED)[1]
    activity = np.empty(n, np.float32)
    v = _Viewers(
        n=n,
        segment=np.empty(n, np.int8),
        taste=np.empty((n, g), np.float32),
        taste_max=np.empty(n, np.float32),
        devmix=np.empty((n, d), np.float16),
        fav_theme=np.empty((n, g), np.int8),
        age=np.empty(n, np.int8),
        completion=np.empty(n, np.float32),
        plan=np.empty(n, np.int8),
        country=np.empty(n, np.int8),
        created=np.empty(n, np.int16),
        sampler=None,  # type: ignore[arg-type]
    )
    lo = 0
    for b, m in enumerate(_sizes(n, block)):
        rng = _rng(seed, "viewers", b)
        sl = slice(lo, lo + m)
        seg = rng.choice(len(SEGMENTS), m, p=share)
        taste = rng.gamma(genre_proto[seg] * 25)
        taste /= taste.sum(1, keepdims=True)
        devmix = rng.gamma(dev_proto[seg] * 20)
        devmix /= devmix.sum(1, keepdims=True)
        age = rng.normal(age_mu[seg], age_sd[seg]).clip(13, 90).round()
        # younger viewers lean to mobile within any segment (age-dependent device habits)
        devmix[:, _D["Mobile"]] += 0.15 * np.clip((40 - age) / 40, 0, 1)
        devmix /= devmix.sum(1, keepdims=True)
        v.segment[sl] = seg
        v.taste[sl] = taste
        v.taste_max[sl] = v.taste[sl].max(1)
        v.devmix[sl] = devmix
        v.age[sl] = age
        activity[sl] = np.exp(np.log(_seg("activity")[seg]) + rng.normal(0, 0.45, m))
        v.completion[sl] = np.clip(_seg("completion")[seg] + rng.normal(0, 0.07, m), 0.1, 0.98)
        v.plan[sl] = _choice_rows(rng, plan_p, seg)
        v.country[sl] = rng.choice(len(country_p), m, p=country_p)
        v.created[sl] = rng.integers(0, created_span, m)
        v.fav_theme[sl] = rng.integers(0, THEMES, (m, g))
        lo += m
    v.sampler = _Sampler(activity)
    return v


def _users_frame(
    rng: np.random.Generator, v: _Viewers, lo: int, hi: int, sessions: np.ndarray, last: np.ndarray
) -> pd.DataFrame:
    """Viewers ``lo:hi`` as the users table; churn follows their sessions (count, recency)."""
    m = hi - lo
    sl = slice(lo, hi)
    seg = v.segment[sl]
    first = _take(FIRST_NAMES, rng.integers(0, len(FIRST_NAMES), m))
    last_name = _take(LAST_NAMES, rng.integers(0, len(LAST_NAMES), m))
    number = pc.utf8_lpad(pc.cast(pa.array(np.arange(lo + 1, hi + 1)), pa.string()), v.width, "0")
    domain = _take(["example.com", "example.org", "example.net"], rng.integers(0, 3, m))
    email = _join(pc.utf8_lower(first), ".", pc.utf8_lower(last_name), number, "@", domain)
    gender = rng.choice(3, m, p=[0.49, 0.48, 0.03])
    country = v.country[sl].astype(np.int64)
    names = list(COUNTRIES)
    regions = [REGIONS[c][0] for c in names]
    cities = [REGIONS[c][1] for c in names]
    state = _pick_within(rng, regions, country)
    city = _pick_within(rng, cities, country)
    secs = rng.integers(0, 86400, m).astype("timedelta64[s]")
    created = v.created_on(sl)
    sub_start = created + rng.integers(0, 30, m).astype("timedelta64[D]")
    plan = v.plan[sl].astype(np.int64)
    price = np.array([PLAN_PRICE[p] for p in PLANS])
    spend = price[plan] + rng.choice([0, 0, 0, 2.99, 4.99, 7.99], m)
    hh = rng.integers(_seg("household")[seg, 0], _seg("household")[seg, 1] + 1)
    # churn: more sessions and a recent last session keep a viewer active
    w_span = _days(*WINDOW)[1]
    days_since = np.where(
        last[sl] < 0, 720.0, (w_span * 86400 - last[sl].astype(np.int64)) // 86400
    )
    z = 0.3 + 0.9 * np.log1p(sessions[sl]) - 0.012 * days_since
    active = rng.random(m) < 1 / (1 + np.exp(-z))
    return pd.DataFrame(
        {
            "user_id": _str(_join("user_", number)),
            "email": _str(email),
            "first_name": _str(first),
            "last_name": _str(last_name),
            "age": v.age[sl].astype(float),
            "gender": _labels(("Female", "Male", "Non-binary"), gender),
            "country": _labels(names, country),
            "state_province": _str(state),
            "city": _str(city),
            "subscription_plan": _labels(PLANS, plan),
            "subscription_start_date": _fmt_dates(sub_start),
            "is_active": active,
            "monthly_spend": spend.round(2),
            "primary_device": _labels(DEVICES, v.devmix[sl].argmax(1)),
            "household_size": hh.astype(float),
            "created_at": _fmt_dates(created.astype("datetime64[s]") + secs, unit="s"),
        }
    )


def _pick_within(rng: np.random.Generator, lists: list[list[str]], group: np.ndarray) -> pa.Array:
    """One word per row, uniformly from the list of the row's group."""
    flat = [w for words in lists for w in words]
    size = np.array([len(w) for w in lists])
    off = np.concatenate([[0], np.cumsum(size)[:-1]])
    return _take(flat, off[group] + (rng.random(len(group)) * size[group]).astype(np.int64))


# ----------------------------------------------------------------------------- sessions ------
_HOUR_P = np.vstack([s["hours"] for s in SEGMENTS])
_QUALITIES = ("SD", "HD", "4K", "Ultra HD")
_ACTIONS = ("started", "paused", "stopped", "completed")


class _TitlePicker:
    """Per genre and favourite sub-theme, titles weighted by popularity and theme boost.

    A title of the genre as primary weighs 1, as secondary 0.5, times ``exp(0.9 * pop)``, and
    ``THEME_BOOST`` times more when its sub-theme is the viewer's favourite of that genre.
    """

    def __init__(self, t: _Titles) -> None:
        pop_w = np.exp(POP_PULL * t.pop)
        self.groups: list[tuple[np.ndarray, _Sampler]] = []
        for gi in range(len(GENRES)):
            members = np.flatnonzero((t.gp == gi) | (t.has_second & (t.second == gi)))
            if len(members) == 0:
                members = np.arange(t.n)
            primary = t.gp[members] == gi
            base = pop_w[members] * np.where(primary, 1.0, 0.5)
            for th in range(THEMES):
                boost = np.where(primary & (t.theme[members] == th), THEME_BOOST, 1.0)
                self.groups.append((members.astype(np.int32), _Sampler(base * boost)))

    def pick(self, rng: np.random.Generator, genre: np.ndarray, fav: np.ndarray) -> np.ndarray:
        key = genre * THEMES + fav
        order = np.argsort(key, kind="stable")
        bounds = np.searchsorted(key[order], np.arange(len(self.groups) + 1))
        title = np.empty(len(key), dtype=np.int32)
        for k, (members, sampler) in enumerate(self.groups):
            rows = order[bounds[k] : bounds[k + 1]]
            if len(rows):
                title[rows] = members[sampler.sample(rng, len(rows))]
        return title


def _pick_sessions(
    rng: np.random.Generator, m: int, v: _Viewers, t: _Titles, picker: _TitlePicker
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who (viewer), what (title) and when (seconds into the window) of ``m`` sessions,
    sorted by time (int32 arrays)."""
    u = v.sampler.sample(rng, m)
    seg = v.segment[u].astype(np.int64)
    genre = _choice_rows(rng, v.taste, u)
    title = picker.pick(rng, genre, _cell(v.fav_theme, u, genre).astype(np.int64))
    del genre

    # date: after the title was added and the account created, weekday pattern by segment
    w_start, w_span = _days(*WINDOW)
    lo_off = np.maximum(np.maximum(t.added[title], v.created_on(u)), w_start)
    lo_off = (lo_off - w_start).astype(np.int64)
    day = np.empty(m, dtype=np.int64)
    pending = np.arange(m)
    weekend_w = _seg("weekend").astype(float)
    first_weekday = (w_start.astype(np.int64) - 4) % 7  # 1970-01-01 was a Thursday
    for _ in range(6):
        lo = lo_off[pending]
        cand = lo + (rng.random(len(pending)) * (w_span + 1 - lo)).astype(np.int64)
        wd = (first_weekday + cand) % 7
        w = weekend_w[seg[pending]]
        ok = rng.random(len(pending)) < np.where(wd >= 5, w, 1.0) / np.maximum(w, 1)
        day[pending] = cand  # a rejected draw stands if no later one is accepted
        pending = pending[~ok]
        if len(pending) == 0:
            break
    hour = _choice_rows(rng, _HOUR_P, seg)
    ts = day * 86400 + hour * 3600 + rng.integers(0, 3600, m)
    order = np.argsort(ts, kind="stable")
    return u[order].astype(np.int32), title[order], ts[order].astype(np.int32)


class _Timeline:
    """All sessions in time order, held as sorted blocks of three int32 arrays.

    ``rows(start, stop)`` merges the blocks' rows of the days that cover global positions
    ``start:stop`` (ties in time broken by block, then position), so only the days of one
    chunk are ever sorted together.
    """

    def __init__(self, blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]], n_days: int):
        self.blocks = blocks
        edges = np.arange(n_days + 1, dtype=np.int64) * 86400
        self.offsets = [np.searchsorted(b[2], edges) for b in blocks]
        per_day = np.sum([np.diff(o) for o in self.offsets], axis=0)
        self.cum = np.concatenate([[0], np.cumsum(per_day)])

    def rows(self, start: int, stop: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if stop <= start:
            empty = np.zeros(0, dtype=np.int32)
            return empty, empty, empty
        d0 = int(np.searchsorted(self.cum, start, side="right")) - 1
        d1 = int(np.searchsorted(self.cum, stop - 1, side="right")) - 1
        parts = [[a[o[d0] : o[d1 + 1]] for a in b] for b, o in zip(self.blocks, self.offsets)]
        u, title, ts = (np.concatenate([p[i] for p in parts]) for i in range(3))
        order = np.argsort(ts, kind="stable")
        sel = order[start - self.cum[d0] : stop - self.cum[d0]]
        return u[sel], title[sel], ts[sel]


def _sessions_frame(
    rng: np.random.Generator,
    start: int,
    u: np.ndarray,
    title: np.ndarray,
    ts: np.ndarray,
    v: _Viewers,
    t: _Titles,
    width: int,
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray, np.ndarray]:
    """How each session went (device, completion, quality, location, rating) as table rows;
    also returns each session's device, progress and taste match (reviews lean on them)."""
    n = len(u)
    seg = v.segment[u]
    hour = (ts.astype(np.int64) % 86400) // 3600
    device = _choice_rows(rng, v.devmix, u)
    late = (hour >= 23) | (hour <= 4)
    device = np.where(late & (rng.random(n) < 0.35), _D["Mobile"], device)

    # completion follows quality and taste match
    q = t.q[title]
    match = _cell(v.taste, u, t.gp[title]) / v.taste_max[u]
    mean_c = np.clip(v.completion[u] - 0.1 + 0.08 * q + 0.15 * (match - 0.5), 0.05, 0.95)
    progress = 100 * rng.beta(mean_c * 6, (1 - mean_c) * 6)
    progress = np.where(rng.random(n) < mean_c * 0.35, 100.0, progress).round(1)
    series = t.series[title]
    runtime = t.dur[title]
    episodes_watched = np.where(series, 1 + rng.poisson(0.6 + 1.5 * (seg == 3)), 1)
    minutes = (progress / 100 * runtime * episodes_watched).round(1)
    action = np.where(progress >= 90, 3, rng.integers(0, 3, n))

    plan = v.plan[u]
    basic, premium, premium_plus = (PLANS.index(p) for p in ("Basic", "Premium", "Premium+"))
    r = rng.random(n)
    qual = np.full(n, _QUALITIES.index("HD"), dtype=np.int8)
    qual[(plan == basic) | ((device == _D["Mobile"]) & (r < 0.5))] = _QUALITIES.index("SD")
    qual[(plan == premium) & (r < 0.55)] = _QUALITIES.index("4K")
    qual[(plan == premium_plus) & (r < 0.45)] = _QUALITIES.index("4K")
    qual[(plan == premium_plus) & (r >= 0.45) & (r < 0.8)] = _QUALITIES.index("Ultra HD")
    portable = np.isin(device, [_D["Mobile"], _D["Tablet"]])
    is_download = rng.random(n) < np.where(portable, 0.22, 0.01)
    loc = v.country[u].astype(np.int64)
    travel = rng.random(n) < 0.03
    loc[travel] = rng.integers(0, len(COUNTRIES), travel.sum())

    # explicit star ratings (sparse; 85% missing as documented)
    stars = np.clip(np.round(3.0 + 0.75 * q + 1.6 * (match - 0.55) + rng.normal(0, 0.6, n)), 1, 5)
    rated = rng.random(n) < 0.15
    w_start = np.datetime64(WINDOW[0], "s")
    df = pd.DataFrame(
        {
            "session_id": _ids("session", np.arange(start, start + n), width),
            "user_id": _ids("user", u, v.width),
            "movie_id": _ids("movie", title, t.width),
            "watch_date": _fmt_dates(w_start + ts.astype("timedelta64[s]"), unit="s"),
            "device_type": _labels(DEVICES, device),
            "watch_duration_minutes": minutes,
            "progress_percentage": progress,
            "action": _labels(_ACTIONS, action),
            "quality": _labels(_QUALITIES, qual),
            "location_country": _labels(list(COUNTRIES), loc),
            "is_download": is_download,
            "user_rating": np.where(rated, stars, np.nan),
        }
    )
    return df, device.astype(np.int8), progress, match.astype(np.float32)


# ----------------------------------------------------------------------------- logs ----------
_RTYPES = ("genre_based", "because_you_watched", "trending", "new_releases", "similar_users")
_ALGOS = ("v1.3", "v1.4", "v2.0")
_DAYPARTS = ("morning", "afternoon", "evening", "night")


def _rec_frame(
    rng: np.random.Generator,
    start: int,
    n: int,
    v: _Viewers,
    t: _Titles,
    popular: _Sampler,
    width: int,
) -> pd.DataFrame:
    u = v.sampler.sample(rng, n)
    by_taste = rng.random(n) < 0.5
    genre = _choice_rows(rng, v.taste, u)
    title = popular.sample(rng, n)
    for gi in range(len(GENRES)):
        members = np.flatnonzero(t.gp == gi)
        m = by_taste & (genre == gi)
        if len(members) and m.any():
            title[m] = members[rng.integers(0, len(members), m.sum())]
    gp = t.gp[title]
    match = _cell(v.taste, u, gp) / v.taste_max[u]
    pos = rng.integers(1, 11, n)
    algo = rng.choice(len(_ALGOS), n, p=[0.3, 0.4, 0.3])
    z = -2.4 + 2.6 * match + 0.3 * t.pop[title] - 0.09 * pos
    z = z + np.where(algo == _ALGOS.index("v2.0"), 0.35, 0.0)
    clicked = rng.random(n) < 1 / (1 + np.exp(-z))
    score = np.clip(0.35 + 0.5 * match + rng.normal(0, 0.1, n), 0, 1).round(3)
    w_start, w_span = _days(*WINDOW)
    date = w_start + rng.integers(0, w_span + 1, n).astype("timedelta64[D]")
    rtype = np.where(by_taste, rng.integers(0, 2, n), 2 + rng.integers(0, 3, n))
    return pd.DataFrame(
        {
            "recommendation_id": _ids("rec", np.arange(start, start + n), width),
            "user_id": _ids("user", u, v.width),
            "movie_id": _ids("movie", title, t.width),
            "recommendation_date": _fmt_dates(date),
            "recommendation_type": _labels(_RTYPES, rtype),
            "recommendation_score": score.astype(float),
            "was_clicked": clicked,
            "position_in_list": pos.astype(float),
            "device_type": _labels(DEVICES, _choice_rows(rng, v.devmix, u)),
            "time_of_day": _labels(_DAYPARTS, rng.choice(4, n, p=[0.15, 0.25, 0.4, 0.2])),
            "algorithm_version": _labels(_ALGOS, algo),
        }
    )


def _typo(word: str, r: float) -> str:
    if len(word) < 4:
        return word
    i = int(r * (len(word) - 2))
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


@cache
def _queries() -> tuple[list[str], np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every search query (per genre: "<genre> movies", "best <genre> series", description
    words, title words) and, after them, every typo of each (two neighbours swapped)."""
    vocab: list[str] = []
    off, n_desc, n_title = [], [], []
    for g in GENRES:
        off.append(len(vocab))
        desc = VOCAB[g]["desc"]
        title = [w.lower() for w in VOCAB[g]["title"]]
        n_desc.append(len(desc))
        n_title.append(len(title))
        vocab += [f"{g.lower()} movies", f"best {g.lower()} series", *desc, *title]
    typos: list[str] = []
    typo_off, typo_n = [], []
    for word in vocab:
        k = len(word) - 2 if len(word) >= 4 else 1
        typo_off.append(len(vocab) + len(typos))
        typo_n.append(k)
        typos += [_typo(word, (i + 0.5) / k) for i in range(k)]
    return (
        vocab + typos,
        np.array(off),
        np.array(n_desc),
        np.array(n_title),
        np.array([typo_off, typo_n]),
    )


def _search_frame(
    rng: np.random.Generator, start: int, n: int, v: _Viewers, width: int
) -> pd.DataFrame:
    vocab, off, n_desc, n_title, typo = _queries()
    u = v.sampler.sample(rng, n)
    genre = _choice_rows(rng, v.taste, u)
    kinds = rng.random(n)
    words = rng.random(n)
    nd, nt = n_desc[genre], n_title[genre]
    local = np.where(
        kinds < 0.35,
        0,
        np.where(
            kinds < 0.55,
            1,
            np.where(
                kinds < 0.8,
                2 + (words * nd).astype(np.int64),
                2 + nd + (words * nt).astype(np.int64),
            ),
        ),
    )
    code = off[genre] + local
    had_typo = rng.random(n) < 0.12
    r = rng.random(n)
    code = np.where(had_typo, typo[0, code] + (r * typo[1, code]).astype(np.int64), code)
    results = rng.integers(0, 41, n)
    click_p = np.where(had_typo, 0.45, 0.72) * (results > 0)
    clicked = rng.random(n) < click_p
    w_start, w_span = _days(*WINDOW)
    date = w_start + rng.integers(0, w_span + 1, n).astype("timedelta64[D]")
    position = np.where(clicked, np.minimum(rng.geometric(0.4, n), np.maximum(results, 1)), np.nan)
    return pd.DataFrame(
        {
            "search_id": _ids("search", np.arange(start, start + n), width),
            "user_id": _ids("user", u, v.width),
            "search_query": _labels(vocab, code),
            "search_date": _fmt_dates(date),
            "results_returned": results.astype(float),
            "clicked_result_position": position.astype(float),
            "device_type": _labels(DEVICES, _choice_rows(rng, v.devmix, u)),
            "search_duration_seconds": np.round(
                rng.gamma(2.0, 9.0, n) * np.where(had_typo, 1.6, 1), 1
            ),
            "had_typo": had_typo,
            "used_filters": rng.random(n) < 0.22,
            "location_country": _labels(list(COUNTRIES), v.country[u]),
        }
    )


_SENTIMENTS = ("negative", "neutral", "positive")
_REVIEW_LINES = [line for s in _SENTIMENTS for line in _REVIEW_TEXT[s]]
_REVIEW_OFF = np.cumsum([0] + [len(_REVIEW_TEXT[s]) for s in _SENTIMENTS])


@dataclass
class _ReviewPicks:
    """The session behind each review (viewer, title, day, device, taste match)."""

    u: np.ndarray
    title: np.ndarray
    day: np.ndarray
    device: np.ndarray
    match: np.ndarray


def _reviews_frame(
    rng: np.random.Generator,
    start: int,
    p: _ReviewPicks,
    v: _Viewers,
    t: _Titles,
    width: int,
) -> pd.DataFrame:
    n = len(p.u)
    verified = rng.random(n) < 0.9
    uidx = p.u.astype(np.int64)
    tidx = p.title.astype(np.int64)
    unver = ~verified
    uidx[unver] = rng.integers(0, v.n, unver.sum())
    tidx[unver] = rng.integers(0, t.n, unver.sum())
    q = t.q[p.title]
    stars = np.clip(np.round(3.0 + 0.75 * q + 1.6 * (p.match - 0.55) + rng.normal(0, 0.6, n)), 1, 5)
    sentiment = np.where(stars >= 4, 2, np.where(stars == 3, 1, 0))
    lines = _REVIEW_OFF[sentiment] + (rng.random(n) * np.diff(_REVIEW_OFF)[sentiment]).astype(
        np.int64
    )
    score = np.clip((stars - 3) / 2 * 0.8 + rng.normal(0, 0.12, n), -1, 1).round(3)
    total = rng.poisson(4, n).astype(float)
    helpful = np.minimum(total, rng.binomial(total.astype(int), 0.6)).astype(float)
    w_start = np.datetime64(WINDOW[0], "D")
    date = w_start + (p.day.astype(np.int64) + rng.integers(0, 5, n)).astype("timedelta64[D]")
    date = np.minimum(date, np.datetime64(WINDOW[1], "D"))
    return pd.DataFrame(
        {
            "review_id": _ids("review", np.arange(start, start + n), width),
            "user_id": _ids("user", uidx, v.width),
            "movie_id": _ids("movie", tidx, t.width),
            "rating": stars.astype(float),
            "review_date": _fmt_dates(date),
            "device_type": _labels(DEVICES, p.device),
            "is_verified_watch": verified,
            "helpful_votes": helpful,
            "total_votes": total,
            "review_text": _labels(_REVIEW_LINES, lines),
            "sentiment": _labels(_SENTIMENTS, sentiment),
            "sentiment_score": score.astype(float),
        }
    )


# ----------------------------------------------------------------------------- faults --------
_SPELLINGS = {
    "device_type": {
        "Smart TV": ["smart tv", "SmartTV", "SMART TV", "Smart TV "],
        "Mobile": ["mobile", "MOBILE", " Mobile", "Mobile Phone"],
        "Tablet": ["tablet", "TABLET"],
        "Laptop": ["laptop", "Laptop "],
        "Desktop": ["desktop", "PC"],
        "Game Console": ["game console", "Console", "GameConsole"],
    },
    "primary_device": None,  # same map as device_type
    "subscription_plan": {
        "Basic": ["basic", "BASIC "],
        "Standard": ["standard", "Std"],
        "Premium": ["premium", "PREMIUM"],
        "Premium+": ["Premium Plus", "premium+"],
    },
    "gender": {"Female": ["F", "female", "FEMALE"], "Male": ["M", "male", "MALE"]},
    "country": {
        "USA": ["US", "U.S.A.", "United States", "usa"],
        "Canada": ["canada", "CA"],
        "United Kingdom": ["UK", "U.K.", "Great Britain"],
    },
    "location_country": None,  # same map as country
    "quality": {"HD": ["hd", "H.D."], "4K": ["4k", "UHD 4K"], "SD": ["sd"], "Ultra HD": ["UHD"]},
}
# respelled share per table and column
_MISSPELL = {
    "users": {"gender": 0.03, "subscription_plan": 0.03, "country": 0.03, "primary_device": 0.03},
    "watch_history": {"device_type": 0.04, "quality": 0.04, "location_country": 0.04},
    "recommendation_logs": {"device_type": 0.02},
    "search_logs": {"device_type": 0.02},
    "reviews": {"device_type": 0.02},
}
# numeric columns a re-sent duplicate may carry with a slightly different value
_MUTATE = {
    "users": ["monthly_spend"],
    "movies": ["imdb_rating"],
    "watch_history": ["watch_duration_minutes"],
    "recommendation_logs": ["recommendation_score"],
    "search_logs": ["search_duration_seconds"],
    "reviews": ["sentiment_score"],
}


def _misspell(rng: np.random.Generator, df: pd.DataFrame, col: str, rate: float) -> None:
    """Respell a ``rate`` share of the known labels of ``col`` (one Arrow pass)."""
    mapping = (
        _SPELLINGS.get(col)
        or _SPELLINGS[{"primary_device": "device_type", "location_country": "country"}[col]]
    )
    labels = list(mapping)
    variants = [v for label in labels for v in mapping[label]]
    size = np.array([len(mapping[label]) for label in labels])
    off = np.concatenate([[0], np.cumsum(size)[:-1]])
    values = pa.array(df[col].array, pa.large_string())
    which = pc.index_in(values, value_set=pa.array(labels, pa.large_string()))
    known = which.is_valid().to_numpy(zero_copy_only=False)
    label = which.fill_null(0).to_numpy(zero_copy_only=False).astype(np.int64)
    hit = (rng.random(len(values)) < rate) & known
    pick = off[label[hit]] + (rng.random(int(hit.sum())) * size[label[hit]]).astype(np.int64)
    new = _take(variants, pick).cast(pa.large_string())
    df[col] = _str(pc.replace_with_mask(values, pa.array(hit), new))


def _blank(rng, df: pd.DataFrame, col: str, rate: float) -> None:
    mask = rng.random(len(df)) < rate
    numeric = pd.api.types.is_numeric_dtype(df[col]) and not pd.api.types.is_bool_dtype(df[col])
    if numeric:
        values = df[col].to_numpy(dtype=float, copy=True)
        values[mask] = np.nan
        df[col] = values
    else:
        df[col] = df[col].mask(mask)


def _duplicate(rng, df: pd.DataFrame, n_dup: int, mutate: list[str]) -> pd.DataFrame:
    """Add ``n_dup`` duplicates: exact copies, and re-sent records with the same id.

    Each duplicate arrives a little after its original (up to 50 rows later), as a re-sent
    record would. ``df`` is handed over: its columns are moved into the result.
    """
    if n_dup <= 0:
        return df
    src = rng.choice(len(df), min(n_dup, len(df)), replace=False)
    dups = df.iloc[src].copy()
    changed = rng.random(len(dups)) < 0.3
    for col in mutate:  # numeric columns: a re-sent record with a slightly different value
        if col in dups and changed.any():
            vals = dups[col].to_numpy(dtype=float, copy=True)
            i = np.flatnonzero(changed & np.isfinite(vals))
            vals[i] = np.round(vals[i] * rng.uniform(0.9, 1.1, len(i)), 2)
            dups[col] = vals
    arrival = np.concatenate(
        [np.arange(len(df), dtype=float), src + rng.integers(1, 51, len(src)) - 0.5]
    )
    order = np.argsort(arrival, kind="stable")
    out = {}
    for col in list(df.columns):  # one column at a time is ever held twice
        both = pd.concat([df.pop(col), dups.pop(col)], ignore_index=True)
        out[col] = both.take(order).reset_index(drop=True)
    return pd.DataFrame(out)


def _replace(
    values: pd.Series, rows: np.ndarray, new: pa.Array
) -> pd.api.extensions.ExtensionArray:
    """``values`` with the text at positions ``rows`` replaced by ``new``."""
    mask = np.zeros(len(values), dtype=bool)
    mask[rows] = True
    arr = pa.array(values.array, pa.large_string())
    return _str(pc.replace_with_mask(arr, pa.array(mask), new.cast(pa.large_string())))


def _out_of_range(rng: np.random.Generator, df: pd.DataFrame, col: str, rate: float, draw) -> None:
    values = df[col].to_numpy(dtype=float, copy=True)
    bad = rng.random(len(values)) < rate
    values[bad] = draw(int(bad.sum()))
    df[col] = values


def _inject(
    rng: np.random.Generator, table: str, df: pd.DataFrame, n_dup: int, orphans: dict[str, int]
) -> pd.DataFrame:
    """Seed 004's faults in one chunk of ``table`` (``orphans`` numbers orphan ids across
    chunks); returns the chunk with ``n_dup`` duplicates added."""
    if table == "users":
        _out_of_range(rng, df, "age", 0.006, lambda k: rng.choice([0, 2, 3, 115, 130, 150, -1], k))
        _out_of_range(rng, df, "monthly_spend", 0.004, lambda k: rng.uniform(200, 1000, k).round(2))
    elif table == "movies":
        _out_of_range(
            rng, df, "duration_minutes", 0.01, lambda k: rng.choice([-5.0, 0.0, 9999.0], k)
        )
    elif table == "watch_history":
        col = "watch_duration_minutes"
        _out_of_range(rng, df, col, 0.005, lambda k: -rng.uniform(1, 120, k).round(1))
        _out_of_range(rng, df, col, 0.003, lambda k: rng.uniform(2000, 20000, k).round(1))
        _out_of_range(
            rng, df, "progress_percentage", 0.008, lambda k: rng.uniform(100.5, 180, k).round(1)
        )
        # orphans, unparseable and future dates (silver rejects these rows)
        for col, prefix, width, rate in (
            ("user_id", "user_x", 5, 0.003),
            ("movie_id", "movie_x", 4, 0.002),
        ):
            bad = np.flatnonzero(rng.random(len(df)) < rate)
            first = orphans.get(prefix, 0)
            orphans[prefix] = first + len(bad)
            df[col] = _replace(
                df[col], bad, _codes(prefix, np.arange(first, first + len(bad)), width)
            )
        bad = np.flatnonzero(rng.random(len(df)) < 0.001)
        bad_text = ["not recorded", "2025-13-45", "31/31/2025", "n/a"]
        df["watch_date"] = _replace(df["watch_date"], bad, _take(bad_text, np.arange(len(bad)) % 4))
        bad = np.flatnonzero(rng.random(len(df)) < 0.0008)
        future = _take(["2027-03-15 20:00:00"], np.zeros(len(bad)))
        df["watch_date"] = _replace(df["watch_date"], bad, future)
    # missing values at the documented rates, then inconsistent category spellings
    for col, rate in FAULT_RATES.get(table, {}).items():
        if rate > 0:
            _blank(rng, df, col, rate)
    for col, rate in _MISSPELL.get(table, {}).items():
        _misspell(rng, df, col, rate)
    return _duplicate(rng, df, n_dup, _MUTATE.get(table, []))


def _conform(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """The chunk with exactly ``SCHEMAS[table]``'s columns, in order, in their dtypes."""
    schema = SCHEMAS[table]
    if list(df.columns) != list(schema):
        raise RuntimeError(f"{table}: generated columns {list(df.columns)} != {list(schema)}")
    wrong = {c: d for c, d in schema.items() if df[c].dtype != d}
    return df.astype(wrong) if wrong else df


# ----------------------------------------------------------------------------- entry ---------
@dataclass
class _Part:
    """One output chunk of a table: base rows ``lo:hi`` of the table plus ``dups`` copies."""

    index: int
    lo: int
    hi: int
    dups: int

    @property
    def rows(self) -> int:
        return self.hi - self.lo + self.dups


def _parts(count: int, n_dup: int, size: int) -> list[_Part]:
    sizes = _sizes(count, size)
    parts, lo = [], 0
    for i, (s, d) in enumerate(zip(sizes, _spread(n_dup, sizes))):
        parts.append(_Part(i, lo, lo + s - d, d))
        lo += s - d
    return parts


class _Progress:
    """Reports ``(fraction, message)`` at the start of each unit of work (strictly rising)."""

    def __init__(self, total: float, callback: Callable[[float, str], None] | None) -> None:
        self.total = total
        self.done = 0.0
        self.callback = callback

    def start(self, message: str, units: float) -> None:
        log.info(message)
        if self.callback is not None:
            self.callback(self.done / self.total, message)  # < 1: units are positive
        self.done += units

    def finish(self, message: str) -> None:
        log.info(message)
        if self.callback is not None:
            self.callback(1.0, message)


class _Stream:
    """State of one run of ``generate_chunks`` (see there)."""

    def __init__(self, scale: float, seed: int, faults: bool, size: int, progress) -> None:
        self.seed = seed
        self.faults = faults
        self.size = size
        self.scale = scale
        counts = _counts(scale)
        plan = _rng(seed, "plan")
        # rows reserved for the duplicates added per chunk, so that final counts match
        rates = {k: plan.uniform(*DUPLICATE_RANGE) for k in BASE_COUNTS}
        self.n_dups = {
            k: int(round(v * rates[k] / (1 + rates[k]))) if faults else 0 for k, v in counts.items()
        }
        self.counts = counts
        self.n = {k: v - self.n_dups[k] for k, v in counts.items()}
        self.parts = {k: _parts(counts[k], self.n_dups[k], size) for k in counts}
        self.orphans: dict[str, int] = {}
        n = self.n
        total = (
            3 * n["movies"]  # titles, Top 10 simulation and chart rows
            + n["users"]  # viewer latents
            + n["watch_history"]  # who watched what when
            + sum(counts.values())
            + n["movies"]
            + 2 * n["users"]  # truth tables
        )
        self.progress = _Progress(total, progress)
        # freed memory is handed back between tables only where it is worth it: each full
        # garbage collection takes about 0.1 s with the build's libraries loaded (a tenth of
        # scale 1's generation), and a small run's freed pages are a few MB
        self.release = _release if counts["watch_history"] >= RELEASE_ROWS else (lambda: None)

    def _finish(self, table: str, part: _Part, frame: pd.DataFrame) -> pd.DataFrame:
        if self.faults:
            rng = _rng(self.seed, "faults", table, part.index)
            frame = _inject(rng, table, frame, part.dups, self.orphans)
        return _conform(table, frame)

    def _say(self, table: str, part: _Part) -> None:
        first = sum(p.rows for p in self.parts[table][: part.index])
        self.progress.start(
            f"{table}: rows {first + 1:,}-{first + part.rows:,} of {self.counts[table]:,}",
            part.rows,
        )

    def run(self) -> Iterator[Chunk]:
        seed, n = self.seed, self.n
        say = self.progress.start
        say(f"generating {n['movies']:,} titles", n["movies"])
        t = _make_titles(seed, n["movies"])
        for part in self.parts["movies"]:
            self._say("movies", part)
            yield Chunk(
                "bronze", "movies", self._finish("movies", part, _movies_frame(t, part.lo, part.hi))
            )

        say("simulating weekly views and Top 10 charts", n["movies"])
        list_len = max(1, round(10 * min(self.scale, 1.0)))
        top10 = _top10(_rng(seed, "top10"), t, list_len=list_len)
        sizes = _sizes(len(top10), self.size)
        lo = 0
        for m in sizes:
            say(
                f"top10_weekly: rows {lo + 1:,}-{lo + m:,} of {len(top10):,}",
                n["movies"] / len(sizes),
            )
            yield Chunk(
                "bronze",
                "top10_weekly",
                _conform("top10_weekly", top10.iloc[lo : lo + m].reset_index(drop=True)),
            )
            lo += m
        del top10

        say(f"drawing tastes and habits of {n['users']:,} viewers", n["users"])
        v = _make_viewers(seed, n["users"], self.size)
        yield from self._sessions(v, t)
        yield from self._users(v)

        popular = _Sampler(np.exp(0.8 * t.pop))
        width = _width(n["recommendation_logs"], 6)
        for part in self.parts["recommendation_logs"]:
            self._say("recommendation_logs", part)
            rng = _rng(seed, "recommendation_logs", part.index)
            frame = _rec_frame(rng, part.lo, part.hi - part.lo, v, t, popular, width)
            yield Chunk(
                "bronze", "recommendation_logs", self._finish("recommendation_logs", part, frame)
            )
            del frame
        del popular
        self.release()
        width = _width(n["search_logs"], 6)
        for part in self.parts["search_logs"]:
            self._say("search_logs", part)
            rng = _rng(seed, "search_logs", part.index)
            frame = _search_frame(rng, part.lo, part.hi - part.lo, v, width)
            yield Chunk("bronze", "search_logs", self._finish("search_logs", part, frame))
            del frame
        width = _width(n["reviews"], 6)
        picks = self.review_picks
        for part in self.parts["reviews"]:
            self._say("reviews", part)
            rng = _rng(seed, "reviews", part.index)
            sl = slice(part.lo, part.hi)
            p = _ReviewPicks(
                *(a[sl] for a in (picks.u, picks.title, picks.day, picks.device, picks.match))
            )
            frame = _reviews_frame(rng, part.lo, p, v, t, width)
            yield Chunk("bronze", "reviews", self._finish("reviews", part, frame))
            del frame, p
        del picks, self.review_picks
        yield from self._truth(v, t)
        total = sum(self.counts.values())
        self.progress.finish(
            f"demo data generated: {total:,} bronze rows in {len(_STREAM_ORDER)} tables"
        )

    def _sessions(self, v: _Viewers, t: _Titles) -> Iterator[Chunk]:
        seed, n_ws = self.seed, self.n["watch_history"]
        self.progress.start(f"simulating {n_ws:,} viewing sessions (who, what, when)", n_ws)
        picker = _TitlePicker(t)
        blocks = [
            _pick_sessions(_rng(seed, "sessions", b), m, v, t, picker)
            for b, m in enumerate(_sizes(n_ws, self.size))
        ]
        del picker
        v.fav_theme = None  # only the picks needed it
        timeline = _Timeline(blocks, _days(*WINDOW)[1] + 1)
        del blocks
        self.release()
        # per viewer: sessions and the last one's time (churn); per review: its session
        self.sessions = np.zeros(v.n, dtype=np.int32)
        self.last = np.full(v.n, -1, dtype=np.int32)
        parts = self.parts["watch_history"]
        per_part = _spread(self.n["reviews"], [p.hi - p.lo for p in parts])
        picked: list[list[np.ndarray]] = [[] for _ in range(5)]
        width = _width(n_ws, 6)
        for part, n_rev in zip(parts, per_part):
            self._say("watch_history", part)
            u, title, ts = timeline.rows(part.lo, part.hi)
            np.add.at(self.sessions, u, 1)
            np.maximum.at(self.last, u, ts)
            rng = _rng(seed, "watch_history", part.index)
            frame, device, progress, match = _sessions_frame(
                rng, part.lo, u, title, ts, v, t, width
            )
            # reviewers lean to sessions they finished
            w = 0.3 + progress / 100
            pick = np.sort(rng.choice(len(u), n_rev, p=w / w.sum()))
            for lst, a in zip(picked, (u, title, ts // 86400, device, match)):
                lst.append(a[pick])
            del u, title, ts, device, progress, match, w, pick
            yield Chunk("bronze", "watch_history", self._finish("watch_history", part, frame))
            del frame
        del timeline
        u, title, day, device, match = (np.concatenate(x) for x in picked)
        del picked
        self.review_picks = _ReviewPicks(u, title, day.astype(np.int16), device, match)
        self.release()

    def _users(self, v: _Viewers) -> Iterator[Chunk]:
        for part in self.parts["users"]:
            self._say("users", part)
            rng = _rng(self.seed, "users", part.index)
            frame = _users_frame(rng, v, part.lo, part.hi, self.sessions, self.last)
            yield Chunk("bronze", "users", self._finish("users", part, frame))
            del frame
        del self.sessions, self.last
        self.release()

    def _truth(self, v: _Viewers, t: _Titles) -> Iterator[Chunk]:
        names = [s["name"] for s in SEGMENTS]
        for lo, m in self._blocks(t.n):
            self.progress.start(f"title_latents: rows {lo + 1:,}-{lo + m:,} of {t.n:,}", m)
            sl = slice(lo, lo + m)
            frame = pd.DataFrame(
                {
                    "movie_id": _ids("movie", np.arange(lo, lo + m), t.width),
                    "quality": t.q[sl],
                    "popularity": t.pop[sl],
                    "theme": t.theme[sl].astype(np.int64),
                }
            )
            yield Chunk("truth", "title_latents", _conform("title_latents", frame))
            del frame
        for lo, m in self._blocks(v.n):
            self.progress.start(f"user_segments: rows {lo + 1:,}-{lo + m:,} of {v.n:,}", m)
            sl = slice(lo, lo + m)
            frame = pd.DataFrame(
                {
                    "user_id": _ids("user", np.arange(lo, lo + m), v.width),
                    "segment": v.segment[sl].astype(np.int64),
                    "segment_name": _labels(names, v.segment[sl]),
                }
            )
            yield Chunk("truth", "user_segments", _conform("user_segments", frame))
            del frame
        for lo, m in self._blocks(v.n):
            self.progress.start(f"user_tastes: rows {lo + 1:,}-{lo + m:,} of {v.n:,}", m)
            sl = slice(lo, lo + m)
            frame = pd.DataFrame(v.taste[sl].astype(np.float64), columns=list(GENRES))
            frame["user_id"] = _ids("user", np.arange(lo, lo + m), v.width)
            yield Chunk("truth", "user_tastes", _conform("user_tastes", frame))
            del frame

    def _blocks(self, n: int) -> Iterator[tuple[int, int]]:
        lo = 0
        for m in _sizes(n, self.size):
            yield lo, m
            lo += m


def generate_chunks(
    scale: float = 1.0,
    seed: int = 0,
    *,
    faults: bool = True,
    progress: Callable[[float, str], None] | None = None,
) -> Iterator[Chunk]:
    """Generate the demo dataset as a stream of chunks of at most ``CHUNK_ROWS`` rows.

    Parameters
    ----------
    scale : multiplies seed 004's row counts (1 -> 10,300 users, 1,040 titles, 105,000 sessions).
    seed : non-negative random seed; the same seed (and ``CHUNK_ROWS``) gives identical chunks.
    faults : inject seed 004's quality faults (missing values, duplicates, anomalies, spellings).
    progress : optional callback ``progress(fraction_done, message)``; fractions rise strictly
        and end at 1.0.

    Yields
    ------
    ``Chunk(layer, table, frame)``. Each table's chunks come one after another, with the
    columns and dtypes of ``SCHEMAS[table]``: the bronze tables (as received: dates as text)
    in the order movies, top10_weekly, watch_history, users, recommendation_logs,
    search_logs, reviews; then the truth tables title_latents, user_segments, user_tastes.
    """
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
    size = int(CHUNK_ROWS)
    if size < 1:
        raise ValueError(f"CHUNK_ROWS must be a positive integer, got {CHUNK_ROWS!r}")
    stream = _Stream(scale, int(seed), faults, size, progress)  # validates scale now
    return stream.run()


def generate(
    scale: float = 1.0,
    seed: int = 0,
    *,
    faults: bool = True,
    progress: Callable[[float, str], None] | None = None,
) -> SynthData:
    """Generate the demo dataset whole: ``generate_chunks`` with each table's chunks joined.

    Returns
    -------
    SynthData with ``tables`` (bronze, as received, in ``BRONZE_ORDER``) and ``truth``
    (planted segment and tastes per user, latent quality, popularity and sub-theme per title).
    """
    parts: dict[str, list[pd.DataFrame]] = {}
    for chunk in generate_chunks(scale, seed, faults=faults, progress=progress):
        parts.setdefault(chunk.table, []).append(chunk.frame)

    def joined(name: str) -> pd.DataFrame:
        frames = parts.pop(name)
        return frames[0] if len(frames) == 1 else pd.concat(frames, ignore_index=True)

    tables = {name: joined(name) for name in BRONZE_ORDER}
    truth = {name: joined(name) for name in TRUTH_ORDER}
    return SynthData(tables=tables, truth=truth)
