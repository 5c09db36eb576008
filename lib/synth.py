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
* **Scale**: sessions are simulated a million at a time and text columns are built as Arrow
  strings, so scale 100 (10M sessions) fits in a few GiB.
* **Faults as seed 004 documents**: missing values at the documented per-column rates, 3-6%
  duplicate records per table, out-of-range values (ages outside 5-110, negative or absurd
  durations, progress over 100%, absurd spend), inconsistent category spellings, orphan
  foreign keys, unparseable and future dates.

``generate(scale, seed)`` returns the bronze tables (as received: dates as text) plus a
``truth`` mapping (planted segment per user, latent title quality, popularity and sub-theme)
that only the tests and the cluster page's "planted segments" check read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from lib.config import DEVICES, GENRES, LIST_SEP, PLANS
from lib.memory import release_memory

__all__ = ["BASE_COUNTS", "SEGMENTS", "SynthData", "generate", "FAULT_RATES", "WINDOW"]

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


@dataclass
class SynthData:
    """Generated bronze tables plus the latent truth behind them."""

    tables: dict[str, pd.DataFrame]
    truth: dict[str, pd.DataFrame] = field(default_factory=dict)
    build_date: str = WINDOW[1]


def _counts(scale: float) -> dict[str, int]:
    if not np.isfinite(scale) or scale <= 0:
        raise ValueError(f"scale must be a positive number, got {scale!r}")
    minimum = {"users": 60, "movies": 60, "watch_history": 600}
    return {k: max(minimum.get(k, 50), int(round(v * scale))) for k, v in BASE_COUNTS.items()}


def _ids(prefix: str, n: int, width: int, start: int = 0) -> pd.api.extensions.ExtensionArray:
    """``prefix_000001`` ... as Arrow strings (no Python string per row: scale 100 has 10M)."""
    num = pc.cast(pa.array(np.arange(start + 1, start + n + 1)), pa.string())
    return _str(pc.binary_join_element_wise(f"{prefix}_", pc.utf8_lpad(num, width, "0"), ""))


def _str(values: pa.Array | pa.ChunkedArray) -> pd.api.extensions.ExtensionArray:
    """An Arrow string array as pandas' ``str`` dtype, without a copy."""
    return pd.array(values, dtype="str")


def _take(values: pd.Series, idx: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``values[idx]`` for a string column, as Arrow strings (no Python string per row)."""
    return _str(pc.take(pa.array(values, pa.string()), pa.array(idx)))


def _labels(labels: Sequence[str], idx: np.ndarray) -> pd.api.extensions.ExtensionArray:
    """``labels[idx]`` as Arrow strings (a dictionary take, no Python string per row)."""
    return _str(pc.take(pa.array(list(labels), pa.string()), pa.array(idx)))


def _choice_rows(rng: np.random.Generator, probs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Sample one category per row from per-row probability vectors ``probs[rows]``."""
    out = np.empty(len(rows), dtype=np.int64)
    chunk = 500_000
    for s in range(0, len(rows), chunk):
        r = rows[s : s + chunk]
        cum = np.cumsum(probs[r], axis=1)
        u = rng.random(len(r))[:, None] * cum[:, -1:]
        out[s : s + chunk] = (cum < u).sum(axis=1)
    return np.minimum(out, probs.shape[1] - 1)


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
def _make_people(rng: np.random.Generator, n: int, salt: int) -> np.ndarray:
    first = rng.choice(FIRST_NAMES, n)
    last = rng.choice(LAST_NAMES, n)
    names = np.char.add(np.char.add(first.astype(str), " "), last.astype(str)).astype(object)
    # make names unique with a middle initial where needed (keeps them looking like names)
    seen: dict[str, int] = {}
    initials = "ABCDEFGHJKLMNPRSTW"
    for i, nm in enumerate(names):
        c = seen.get(nm, 0)
        seen[nm] = c + 1
        if c:
            f, l_ = nm.split(" ", 1)
            names[i] = f"{f} {initials[(c + salt) % len(initials)]}. {l_}"
            if c >= len(initials):
                names[i] = f"{f} {initials[c % len(initials)]}{initials[(c // 7) % 18]}. {l_}"
    return names


def _titles(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    g = len(GENRES)
    gp = rng.choice(g, n, p=_GENRE_FREQ / _GENRE_FREQ.sum())
    has_second = rng.random(n) < 0.6
    second = np.array([_G[rng.choice(_COMPATIBLE[GENRES[x]])] for x in gp], dtype=np.int64)
    third_mask = has_second & (rng.random(n) < 0.25)
    third = rng.integers(0, g, n)
    third = np.where((third == gp) | (third == second), (third + 1) % g, third)

    ctype = np.where(rng.random(n) < 0.62, "Movie", "TV Series").astype(object)
    ctype[(rng.random(n) < 0.25) & (ctype == "TV Series")] = "Limited Series"
    ctype[gp == _G["Documentary"]] = "Documentary"
    ctype[(gp == _G["Comedy"]) & (rng.random(n) < 0.18)] = "Stand-up Comedy"
    series = np.isin(ctype, ["TV Series", "Limited Series"])

    # release years skew recent; the platform adds titles from 2015 on
    release = np.clip(2026 - np.floor(rng.exponential(6.0, n)), 1975, 2026).astype(int)
    end = np.datetime64(WINDOW[1], "D")
    lo = np.maximum(
        np.array([np.datetime64(f"{y}-01-01", "D") for y in release]), np.datetime64("2015-01-01")
    )
    span = (end - lo).astype(int)
    # fresher releases are added soon after release; libraries titles any time
    frac = np.where(release >= 2015, rng.beta(1.0, 6.0, n), rng.random(n))
    added = lo + (frac * span).astype(int).astype("timedelta64[D]")

    dur = np.where(
        series,
        rng.normal(46, 9, n),
        np.where(ctype == "Stand-up Comedy", rng.normal(64, 8, n), rng.normal(104, 17, n)),
    )
    dur = np.clip(dur, 18, 200).round()
    seasons = np.where(series, np.where(ctype == "Limited Series", 1, rng.integers(1, 7, n)), 0)
    episodes = np.where(series, seasons * rng.integers(6, 13, n), 0)

    origin_names = np.array(list(ORIGIN_P))
    origin = origin_names[rng.choice(len(origin_names), n, p=np.array(list(ORIGIN_P.values())))]
    language = np.array([LANGUAGES[c] for c in origin], dtype=object)

    # people: directors specialise in a home genre; cast has a Zipf-like star power
    n_dir = max(20, n // 3)
    directors = _make_people(rng, n_dir, 1)
    dir_genre = rng.choice(g, n_dir, p=_GENRE_FREQ / _GENRE_FREQ.sum())
    dir_effect = rng.normal(0, 0.45, n_dir)
    n_cast = max(60, int(n * 1.6))
    cast_pool = _make_people(rng, n_cast, 5)
    star = rng.pareto(2.2, n_cast)
    star_p = (star + 0.05) / (star + 0.05).sum()
    cast_genre_aff = rng.choice(g, n_cast)

    # director: 80% from the pool whose home genre is the title's genre (vectorised per genre)
    dir_idx = rng.integers(0, n_dir, n)
    home = rng.random(n) < 0.8
    for gi in range(g):
        pool = np.flatnonzero(dir_genre == gi)
        m = home & (gp == gi)
        if len(pool) and m.any():
            dir_idx[m] = pool[rng.integers(0, len(pool), m.sum())]
    # cast: 3-6 distinct members drawn by star power, 3x as likely within their genre
    n_members = rng.integers(3, 7, n)
    cast_lists: list[list[int]] = [[] for _ in range(n)]
    for gi in range(g):
        rows = np.flatnonzero(gp == gi)
        if not len(rows):
            continue
        w = star_p * np.where(cast_genre_aff == gi, 3.0, 1.0)
        cum = np.cumsum(w)
        draws = np.searchsorted(cum, rng.random((len(rows), 16)) * cum[-1], side="right")
        draws = np.minimum(draws, n_cast - 1)
        for r, cand in zip(rows, draws):
            cast_lists[r] = list(dict.fromkeys(cand.tolist()))[: n_members[r]]

    q = rng.normal(0, 1, n)
    star_power = np.array([np.log1p(star[c].max()) for c in cast_lists])
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
    box = np.where(ctype == "Movie", budget * np.exp(rng.normal(0.3, 0.8, n) + 0.4 * q), np.nan)
    box = np.round(box, -3)

    mat = np.empty(n, dtype=object)
    kids = np.isin(gp, [_G["Animation"], _G["Family"]])
    dark = np.isin(gp, [_G["Horror"], _G["Thriller"], _G["Crime"]])
    movie_like = ~series
    mat[movie_like & kids] = rng.choice(["G", "PG"], (movie_like & kids).sum())
    mat[movie_like & dark] = rng.choice(["R", "R", "NC-17", "PG-13"], (movie_like & dark).sum())
    rest = movie_like & ~kids & ~dark
    mat[rest] = rng.choice(["PG", "PG-13", "PG-13", "R"], rest.sum())
    mat[series & kids] = rng.choice(["TV-Y", "TV-G"], (series & kids).sum())
    mat[series & dark] = rng.choice(["TV-MA", "TV-14"], (series & dark).sum())
    srest = series & ~kids & ~dark
    mat[srest] = rng.choice(["TV-PG", "TV-14", "TV-MA"], srest.sum())

    # each title has one of THEMES sub-themes of its primary genre (a third of the genre's
    # description words); viewers favour one sub-theme per genre (see _users/_sessions)
    theme = rng.integers(0, THEMES, n)
    titles, descs = [], []
    used: dict[str, int] = {}
    for i in range(n):
        v = VOCAB[GENRES[gp[i]]]
        v2 = VOCAB[GENRES[second[i]]] if has_second[i] else v
        pat = _TITLE_PATTERNS[rng.integers(len(_TITLE_PATTERNS))]
        t = pat.format(a=rng.choice(v["title"]), b=rng.choice(v2["title"]))
        c = used.get(t, 0)
        used[t] = c + 1
        if c:
            t = f"{t} {['II', 'III', 'IV', 'V', 'VI', 'VII', 'VIII'][min(c - 1, 6)]}"
            if c > 7:
                t = f"{t}: Part {c}"
        titles.append(t)
        words = v["desc"]
        own = [w for j, w in enumerate(words) if j % THEMES == theme[i]]
        other = [w for j, w in enumerate(words) if j % THEMES != theme[i]]
        w1 = np.concatenate([rng.choice(own, 3, replace=False), rng.choice(other, 1)])
        w1 = w1[rng.permutation(4)]
        w2 = rng.choice(v2["desc"], 2, replace=False)
        who = _PROTAG[rng.integers(len(_PROTAG))]
        descs.append(
            f"When {w1[0]} and {w1[1]} upend their lives, {who} faces {w1[2]} and {w1[3]}. "
            f"A story of {w2[0]} and {w2[1]}."
        )

    genre_lists = []
    for i in range(n):
        gl = [GENRES[gp[i]]]
        if has_second[i]:
            gl.append(GENRES[second[i]])
        if third_mask[i]:
            gl.append(GENRES[third[i]])
        genre_lists.append(LIST_SEP.join(dict.fromkeys(gl)))

    movies = pd.DataFrame(
        {
            "movie_id": _ids("movie", n, max(4, len(str(n)))),
            "title": np.array(titles, dtype=object),
            "content_type": ctype,
            "genre_primary": np.array(GENRES, dtype=object)[gp],
            "genre_secondary": np.where(has_second, np.array(GENRES, dtype=object)[second], None),
            "genres": np.array(genre_lists, dtype=object),
            "release_year": release.astype(float),
            "duration_minutes": dur,
            "rating": mat,
            "language": language,
            "country_of_origin": origin.astype(object),
            "imdb_rating": imdb,
            "imdb_votes": votes,
            "meta_score": meta,
            "production_budget": budget,
            "box_office_revenue": box,
            "number_of_seasons": np.where(series, seasons, np.nan),
            "number_of_episodes": np.where(series, episodes, np.nan),
            "is_netflix_original": orig,
            "added_to_platform": _fmt_dates(added),
            "content_warning": np.isin(mat, ["R", "NC-17", "TV-MA"]),
            "description": np.array(descs, dtype=object),
            "director": directors[dir_idx],
            "cast": np.array([LIST_SEP.join(cast_pool[c]) for c in cast_lists], dtype=object),
        }
    )
    truth = pd.DataFrame(
        {
            "movie_id": movies["movie_id"],
            "quality": q,
            "popularity": pop,
            "genre_index": gp,
            "theme": theme,
            "added": added,
            "is_series": series,
            "episodes": episodes,
        }
    )
    return movies, truth


# ----------------------------------------------------------------------------- top 10 --------
def _top10(
    rng: np.random.Generator, movies: pd.DataFrame, truth: pd.DataFrame, list_len: int = 10
) -> pd.DataFrame:
    """Simulated weekly views after a title is added; each week's ten most viewed per list.

    Small demo datasets (scale < 1) chart a proportionally shorter list (``list_len``) so the
    share of titles that ever chart stays near the scale-1 value (about a quarter).
    """
    weeks = np.arange(
        np.datetime64(TOP10_START, "D"), np.datetime64(WINDOW[1], "D") + 1, np.timedelta64(7, "D")
    )
    added = truth["added"].to_numpy().astype("datetime64[D]")
    pop = truth["popularity"].to_numpy()
    series = truth["is_series"].to_numpy()
    runtime_h = np.where(
        series,
        movies["duration_minutes"].to_numpy() * np.maximum(truth["episodes"].to_numpy(), 1) / 60,
        movies["duration_minutes"].to_numpy() / 60,
    )
    base = np.exp(13.0 + 1.6 * pop)  # launch-week views
    rows = []
    for cat_name, mask in (("Films", ~series), ("TV", series)):
        idx = np.flatnonzero(mask)
        if len(idx) == 0:
            continue
        for wk_i, wk in enumerate(weeks):
            age = ((wk - added[idx]).astype(int)) / 7.0
            live = age >= 0
            if not live.any():
                continue
            decay = np.where(live, 0.5 ** np.clip(age, 0, None) + 0.08, 0.0)
            noise = np.exp(rng.normal(0, 0.35, len(idx)))
            views = base[idx] * decay * noise * live
            order = np.argsort(-views, kind="stable")[:list_len]
            order = order[views[order] > 0]
            for rank, j in enumerate(order, start=1):
                t = idx[j]
                rows.append((wk_i, cat_name, rank, t, views[j]))
    if not rows:
        return pd.DataFrame(columns=["week"])
    arr = np.array(rows, dtype=object)
    t_idx = arr[:, 3].astype(int)
    views = arr[:, 4].astype(float)
    lang = movies["language"].to_numpy()[t_idx]
    cat = np.array(
        [
            f"{c} ({'English' if lg == 'English' else 'Non-English'})"
            for c, lg in zip(arr[:, 1], lang)
        ],
        dtype=object,
    )
    df = pd.DataFrame(
        {
            "week": _fmt_dates(weeks[arr[:, 0].astype(int)]),
            "category": cat,
            "weekly_rank": arr[:, 2].astype(int),
            "show_title": movies["title"].to_numpy()[t_idx],
            "season_title": np.where(
                series[t_idx],
                np.char.add(movies["title"].to_numpy()[t_idx].astype(str), ": Season 1"),
                "N/A",
            ).astype(object),
            "movie_id": movies["movie_id"].to_numpy()[t_idx],
            "weekly_hours_viewed": (views * runtime_h[t_idx]).round(-3),
            "runtime": runtime_h[t_idx].round(4),
            "weekly_views": views.round(-3),
        }
    )
    df["cumulative_weeks_in_top_10"] = df.groupby("movie_id").cumcount() + 1
    return df


# ----------------------------------------------------------------------------- users ---------
def _users(rng: np.random.Generator, n: int) -> tuple[pd.DataFrame, dict]:
    k = len(SEGMENTS)
    seg = rng.choice(k, n, p=np.array([s["share"] for s in SEGMENTS]))
    g, d = len(GENRES), len(DEVICES)
    genre_proto = np.full((k, g), 0.12)
    dev_proto = np.full((k, d), 0.1)
    for i, s in enumerate(SEGMENTS):
        for name, w in s["genres"].items():
            genre_proto[i, _G[name]] = w
        for name, w in s["devices"].items():
            dev_proto[i, _D[name]] = w
    genre_proto /= genre_proto.sum(1, keepdims=True)
    dev_proto /= dev_proto.sum(1, keepdims=True)
    taste = rng.gamma(genre_proto[seg] * 25)
    taste /= taste.sum(1, keepdims=True)
    devmix = rng.gamma(dev_proto[seg] * 20)
    devmix /= devmix.sum(1, keepdims=True)

    age_mu = np.array([s["age"][0] for s in SEGMENTS], dtype=float)[seg]
    age_sd = np.array([s["age"][1] for s in SEGMENTS], dtype=float)[seg]
    age = rng.normal(age_mu, age_sd).clip(13, 90).round()
    # younger viewers lean to mobile within any segment (age-dependent device habits)
    young = np.clip((40 - age) / 40, 0, 1)
    devmix[:, _D["Mobile"]] += 0.15 * young
    devmix /= devmix.sum(1, keepdims=True)

    seg_activity = np.array([s["activity"] for s in SEGMENTS])[seg]
    activity = np.exp(np.log(seg_activity) + rng.normal(0, 0.45, n))
    seg_completion = np.array([s["completion"] for s in SEGMENTS])[seg]
    completion = np.clip(seg_completion + rng.normal(0, 0.07, n), 0.1, 0.98)
    plan_p = np.array([s["plans"] for s in SEGMENTS], dtype=float)
    plans = _choice_rows(rng, plan_p, seg)
    hh_lo = np.array([s["household"][0] for s in SEGMENTS])[seg]
    hh_hi = np.array([s["household"][1] for s in SEGMENTS])[seg]
    hh = rng.integers(hh_lo, hh_hi + 1)

    cn = np.array(list(COUNTRIES))
    country_idx = rng.choice(len(cn), n, p=np.array(list(COUNTRIES.values())))
    country = cn[country_idx]
    state = np.empty(n, dtype=object)
    city = np.empty(n, dtype=object)
    for c in np.unique(country):
        m = country == c
        regions, cities = REGIONS[c]
        state[m] = rng.choice(regions, m.sum())
        city[m] = rng.choice(cities, m.sum())

    first = rng.choice(FIRST_NAMES, n).astype(object)
    last = rng.choice(LAST_NAMES, n).astype(object)
    ids = _ids("user", n, max(5, len(str(n))))
    domains = np.array(["example.com", "example.org", "example.net"], dtype=object)
    email = [
        f"{f.lower()}.{l_.lower()}{i[5:]}@{dm}"
        for f, l_, i, dm in zip(first, last, ids, rng.choice(domains, n))
    ]
    gender = rng.choice(["Female", "Male", "Non-binary"], n, p=[0.49, 0.48, 0.03]).astype(object)

    created_start, created_span = _days("2019-01-01", "2026-06-30")
    created = created_start + rng.integers(0, created_span, n).astype("timedelta64[D]")
    secs = rng.integers(0, 86400, n).astype("timedelta64[s]")
    sub_start = created + rng.integers(0, 30, n).astype("timedelta64[D]")
    spend = np.array([PLAN_PRICE[PLANS[p]] for p in plans]) + rng.choice(
        [0, 0, 0, 2.99, 4.99, 7.99], n
    )
    users = pd.DataFrame(
        {
            "user_id": ids,
            "email": np.array(email, dtype=object),
            "first_name": first,
            "last_name": last,
            "age": age.astype(float),
            "gender": gender,
            "country": country.astype(object),
            "state_province": state,
            "city": city,
            "subscription_plan": np.array(PLANS, dtype=object)[plans],
            "subscription_start_date": _fmt_dates(sub_start),
            "is_active": True,  # set after sessions (churn depends on engagement)
            "monthly_spend": spend.round(2),
            "primary_device": np.array(DEVICES, dtype=object)[devmix.argmax(1)],
            "household_size": hh.astype(float),
            "created_at": np.datetime_as_string(
                created.astype("datetime64[s]") + secs, unit="s"
            ).astype(object),
        }
    )
    fav_theme = rng.integers(0, THEMES, (n, g)).astype(np.int8)
    latent = {
        "segment": seg,
        "fav_theme": fav_theme,
        "plan": plans,
        "country": country_idx,
        "taste": taste,
        "devmix": devmix,
        "activity": activity,
        "completion": completion,
        "created": created,
    }
    return users, latent


# ----------------------------------------------------------------------------- sessions ------
SESSION_CHUNK = 1_000_000  # rows simulated at a time (bounds memory at scale 100: 10M rows)


def _sessions(
    rng: np.random.Generator,
    n: int,
    users: pd.DataFrame,
    lat: dict,
    movies: pd.DataFrame,
    tt: pd.DataFrame,
) -> tuple[pd.DataFrame, dict]:
    """Viewing sessions, in time order; ``info`` keeps compact per-row latents for later tables.

    Two passes over chunks of ``SESSION_CHUNK`` rows: first who watched which title when (kept
    as three compact arrays), then, once the rows are in time order, how (device, progress,
    quality, ...) and the table's columns, so that no pass holds more than a chunk's
    temporaries.
    """
    picks = [_pick_sessions(rng, m, lat, movies, tt) for m in _chunk_sizes(n)]
    u = np.concatenate([p[0] for p in picks])
    title = np.concatenate([p[1] for p in picks])
    ts = np.concatenate([p[2] for p in picks])
    del picks
    order = np.argsort(ts, kind="stable")
    u, title, ts = u[order], title[order], ts[order]
    del order
    frames, infos = [], []
    start = 0
    width = max(6, len(str(n)))
    for m in _chunk_sizes(n):
        sl = slice(start, start + m)
        frame, info = _describe_sessions(rng, u[sl], title[sl], ts[sl], lat, movies, tt)
        frame.insert(0, "session_id", _ids("session", m, width, start=start))
        frame.insert(1, "user_id", _take(users["user_id"], u[sl]))
        frame.insert(2, "movie_id", _take(movies["movie_id"], title[sl]))
        frames.append(frame)
        infos.append(info)
        start += m
    df = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    info = {k: np.concatenate([i[k] for i in infos]) for k in infos[0]}
    info.update(u=u, title=title, ts=ts)
    return df, info


def _chunk_sizes(n: int) -> list[int]:
    full, rest = divmod(n, SESSION_CHUNK)
    return [SESSION_CHUNK] * full + ([rest] if rest or not full else [])


def _pick_sessions(
    rng: np.random.Generator, n: int, lat: dict, movies: pd.DataFrame, tt: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Who (user position), what (title position) and when (datetime64[s]) for ``n`` sessions."""
    act = lat["activity"] / lat["activity"].sum()
    u = rng.choice(len(act), n, p=act)
    seg = lat["segment"][u]
    genre = _choice_rows(rng, lat["taste"], u)

    # title of that genre (primary weight 1, secondary 0.5) weighted by popularity, and
    # THEME_BOOST times as likely in the viewer's favourite sub-theme of the genre
    gp = tt["genre_index"].to_numpy()
    theme = tt["theme"].to_numpy()
    pop_w = np.exp(0.9 * tt["popularity"].to_numpy())
    sec = movies["genre_secondary"].map(_G).to_numpy()
    fav = lat["fav_theme"][u, genre]
    title = np.empty(n, dtype=np.int32)
    for gi in range(len(GENRES)):
        members = np.flatnonzero((gp == gi) | (sec == gi))
        if len(members) == 0:
            members = np.arange(len(movies))
        primary = gp[members] == gi
        base = pop_w[members] * np.where(primary, 1.0, 0.5)
        in_genre = genre == gi
        for th in range(THEMES):
            w = base * np.where(primary & (theme[members] == th), THEME_BOOST, 1.0)
            cum = np.cumsum(w)
            m = np.flatnonzero(in_genre & (fav == th))
            title[m] = members[
                np.searchsorted(cum, rng.random(len(m)) * cum[-1], side="right").clip(
                    0, len(members) - 1
                )
            ]
    del genre, fav

    # date: after the title was added and the account created, weekday pattern by segment
    w_start, w_span = _days(*WINDOW)
    added = tt["added"].to_numpy().astype("datetime64[D]")[title]
    created = lat["created"][u]
    lo_off = (np.maximum(np.maximum(added, created), w_start) - w_start).astype(np.int64)
    del added, created
    day = np.empty(n, dtype=np.int64)
    pending = np.arange(n)
    weekend_w = np.array([s["weekend"] for s in SEGMENTS])
    for _ in range(6):
        cand = lo_off[pending] + (rng.random(len(pending)) * (w_span + 1 - lo_off[pending])).astype(
            np.int64
        )
        wd = (
            (w_start + cand.astype("timedelta64[D]")).astype("datetime64[D]").view("int64") - 4
        ) % 7
        wgt = np.where(wd >= 5, weekend_w[seg[pending]], 1.0) / np.maximum(
            weekend_w[seg[pending]], 1
        )
        ok = rng.random(len(pending)) < wgt
        day[pending[ok]] = cand[ok]
        day[pending[~ok]] = cand[~ok]
        pending = pending[~ok]
        if len(pending) == 0:
            break
    hour_p = np.vstack([s["hours"] for s in SEGMENTS])
    hour = _choice_rows(rng, hour_p, seg)
    ts = (w_start + day.astype("timedelta64[D]")).astype("datetime64[s]") + (
        hour * 3600 + rng.integers(0, 3600, n)
    ).astype("timedelta64[s]")
    return u.astype(np.int32), title, ts


_QUALITIES = ("SD", "HD", "4K", "Ultra HD")
_ACTIONS = ("started", "paused", "stopped", "completed")


def _describe_sessions(
    rng: np.random.Generator,
    u: np.ndarray,
    title: np.ndarray,
    ts: np.ndarray,
    lat: dict,
    movies: pd.DataFrame,
    tt: pd.DataFrame,
) -> tuple[pd.DataFrame, dict]:
    """How each session went: device, completion, quality, location, rating."""
    n = len(u)
    seg = lat["segment"][u]
    hour = (ts.astype(np.int64) % 86400) // 3600
    device = _choice_rows(rng, lat["devmix"], u)
    late = (hour >= 23) | (hour <= 4)
    device = np.where(late & (rng.random(n) < 0.35), _D["Mobile"], device)

    # completion follows quality and taste match
    gp = tt["genre_index"].to_numpy()
    q = tt["quality"].to_numpy()[title]
    match = lat["taste"][u, gp[title]] / lat["taste"][u].max(1)
    mean_c = np.clip(lat["completion"][u] - 0.1 + 0.08 * q + 0.15 * (match - 0.5), 0.05, 0.95)
    progress = 100 * rng.beta(mean_c * 6, (1 - mean_c) * 6)
    progress = np.where(rng.random(n) < mean_c * 0.35, 100.0, progress).round(1)
    series = tt["is_series"].to_numpy()[title]
    runtime = movies["duration_minutes"].to_numpy()[title]
    episodes_watched = np.where(series, 1 + rng.poisson(0.6 + 1.5 * (seg == 3)), 1)
    minutes = (progress / 100 * runtime * episodes_watched).round(1)
    action = np.where(progress >= 90, 3, rng.integers(0, 3, n))

    plan = lat["plan"][u]
    basic, premium, premium_plus = (PLANS.index(p) for p in ("Basic", "Premium", "Premium+"))
    r = rng.random(n)
    qual = np.full(n, _QUALITIES.index("HD"), dtype=np.int8)
    qual[(plan == basic) | ((device == _D["Mobile"]) & (r < 0.5))] = _QUALITIES.index("SD")
    qual[(plan == premium) & (r < 0.55)] = _QUALITIES.index("4K")
    qual[(plan == premium_plus) & (r < 0.45)] = _QUALITIES.index("4K")
    qual[(plan == premium_plus) & (r >= 0.45) & (r < 0.8)] = _QUALITIES.index("Ultra HD")
    portable = np.isin(device, [_D["Mobile"], _D["Tablet"]])
    is_download = rng.random(n) < np.where(portable, 0.22, 0.01)
    loc = lat["country"][u].copy()
    travel = rng.random(n) < 0.03
    loc[travel] = rng.integers(0, len(COUNTRIES), travel.sum())

    # explicit star ratings (sparse; 85% missing as documented)
    stars = np.clip(np.round(3.0 + 0.75 * q + 1.6 * (match - 0.55) + rng.normal(0, 0.6, n)), 1, 5)
    rated = rng.random(n) < 0.15
    df = pd.DataFrame(
        {
            "watch_date": _fmt_dates(ts, unit="s"),
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
    info = {
        "match": match.astype(np.float32),
        "q": q.astype(np.float32),
        "progress": progress.astype(np.float32),
        "device": device.astype(np.int8),
    }
    return df, info


def _churn(rng: np.random.Generator, users: pd.DataFrame, info: dict) -> np.ndarray:
    n = len(users)
    counts = np.bincount(info["u"], minlength=n)
    never = np.iinfo(np.int64).min
    last = np.full(n, never, dtype=np.int64)
    np.maximum.at(last, info["u"], info["ts"].view(np.int64))
    end = np.datetime64(WINDOW[1], "s").astype(np.int64)
    days_since = np.where(last == never, 720.0, (end - last) // 86400)
    z = 0.3 + 0.9 * np.log1p(counts) - 0.012 * days_since
    p_active = 1 / (1 + np.exp(-z))
    return rng.random(len(users)) < p_active


# ----------------------------------------------------------------------------- logs ----------
def _rec_logs(rng, n, users, lat, movies, tt) -> pd.DataFrame:
    n_users = len(users)
    u = rng.choice(n_users, n, p=lat["activity"] / lat["activity"].sum())
    by_taste = rng.random(n) < 0.5
    genre = _choice_rows(rng, lat["taste"], u)
    gp = tt["genre_index"].to_numpy()
    pop_w = np.exp(0.8 * tt["popularity"].to_numpy())
    title = rng.choice(len(movies), n, p=pop_w / pop_w.sum())
    for gi in range(len(GENRES)):
        members = np.flatnonzero(gp == gi)
        m = by_taste & (genre == gi)
        if len(members) and m.any():
            title[m] = rng.choice(members, m.sum())
    match = lat["taste"][u, gp[title]] / lat["taste"][u].max(1)
    pos = rng.integers(1, 11, n)
    algos = ("v1.3", "v1.4", "v2.0")
    algo = rng.choice(len(algos), n, p=[0.3, 0.4, 0.3])
    z = -2.4 + 2.6 * match + 0.3 * tt["popularity"].to_numpy()[title] - 0.09 * pos
    z = z + np.where(algo == algos.index("v2.0"), 0.35, 0.0)
    clicked = rng.random(n) < 1 / (1 + np.exp(-z))
    score = np.clip(0.35 + 0.5 * match + rng.normal(0, 0.1, n), 0, 1).round(3)
    w_start, w_span = _days(*WINDOW)
    date = w_start + rng.integers(0, w_span + 1, n).astype("timedelta64[D]")
    rtypes = ("genre_based", "because_you_watched", "trending", "new_releases", "similar_users")
    rtype = np.where(by_taste, rng.integers(0, 2, n), 2 + rng.integers(0, 3, n))
    return pd.DataFrame(
        {
            "recommendation_id": _ids("rec", n, max(6, len(str(n)))),
            "user_id": _take(users["user_id"], u),
            "movie_id": _take(movies["movie_id"], title),
            "recommendation_date": _fmt_dates(date),
            "recommendation_type": _labels(rtypes, rtype),
            "recommendation_score": score,
            "was_clicked": clicked,
            "position_in_list": pos.astype(float),
            "device_type": _labels(DEVICES, _choice_rows(rng, lat["devmix"], u)),
            "time_of_day": _labels(
                ("morning", "afternoon", "evening", "night"),
                rng.choice(4, n, p=[0.15, 0.25, 0.4, 0.2]),
            ),
            "algorithm_version": _labels(algos, algo),
        }
    )


def _typo(word: str, r: float) -> str:
    if len(word) < 4:
        return word
    i = int(r * (len(word) - 2))
    return word[:i] + word[i + 1] + word[i] + word[i + 2 :]


def _search_logs(rng, n, users, lat) -> pd.DataFrame:
    u = rng.choice(len(users), n, p=lat["activity"] / lat["activity"].sum())
    genre = _choice_rows(rng, lat["taste"], u)
    kinds = rng.random(n)
    words = rng.random(n)
    queries = np.empty(n, dtype=object)
    for gi, gname in enumerate(GENRES):
        m = genre == gi
        if not m.any():
            continue
        vocab = VOCAB[gname]
        desc = np.array(vocab["desc"], dtype=object)
        title = np.array([w.lower() for w in vocab["title"]], dtype=object)
        k, w = kinds[m], words[m]
        q = np.where(
            k < 0.35,
            f"{gname.lower()} movies",
            np.where(
                k < 0.55,
                f"best {gname.lower()} series",
                np.where(
                    k < 0.8,
                    desc[(w * len(desc)).astype(int)],
                    title[(w * len(title)).astype(int)],
                ),
            ),
        )
        queries[m] = q
    typo = rng.random(n) < 0.12
    r = rng.random(n)
    for i in np.flatnonzero(typo):
        queries[i] = _typo(queries[i], r[i])
    results = rng.integers(0, 41, n)
    click_p = np.where(typo, 0.45, 0.72) * (results > 0)
    clicked = rng.random(n) < click_p
    w_start, w_span = _days(*WINDOW)
    date = w_start + rng.integers(0, w_span + 1, n).astype("timedelta64[D]")
    return pd.DataFrame(
        {
            "search_id": _ids("search", n, max(6, len(str(n)))),
            "user_id": _take(users["user_id"], u),
            "search_query": queries,
            "search_date": _fmt_dates(date),
            "results_returned": results.astype(float),
            "clicked_result_position": np.where(
                clicked, np.minimum(rng.geometric(0.4, n), np.maximum(results, 1)), np.nan
            ),
            "device_type": _labels(DEVICES, _choice_rows(rng, lat["devmix"], u)),
            "search_duration_seconds": np.round(rng.gamma(2.0, 9.0, n) * np.where(typo, 1.6, 1), 1),
            "had_typo": typo,
            "used_filters": rng.random(n) < 0.22,
            "location_country": _labels(list(COUNTRIES), lat["country"][u]),
        }
    )


def _reviews(rng, n, users, movies, info) -> pd.DataFrame:
    m = len(info["u"])
    # reviewers lean to sessions they finished
    w = 0.3 + info["progress"].astype(float) / 100
    pick = rng.choice(m, n, p=w / w.sum())
    verified = rng.random(n) < 0.9
    uidx = info["u"][pick].copy()
    tidx = info["title"][pick].copy()
    unver = ~verified
    uidx[unver] = rng.integers(0, len(users), unver.sum())
    tidx[unver] = rng.integers(0, len(movies), unver.sum())
    q = info["q"][pick].astype(float)
    match = info["match"][pick].astype(float)
    stars = np.clip(np.round(3.0 + 0.75 * q + 1.6 * (match - 0.55) + rng.normal(0, 0.6, n)), 1, 5)
    sentiment = np.where(stars >= 4, "positive", np.where(stars == 3, "neutral", "negative"))
    texts = np.empty(n, dtype=object)
    pick_text = rng.random(n)
    for label, options in _REVIEW_TEXT.items():
        m = sentiment == label
        opts = np.array(options, dtype=object)
        texts[m] = opts[(pick_text[m] * len(opts)).astype(int)]
    score = np.clip((stars - 3) / 2 * 0.8 + rng.normal(0, 0.12, n), -1, 1).round(3)
    total = rng.poisson(4, n).astype(float)
    helpful = np.minimum(total, rng.binomial(total.astype(int), 0.6)).astype(float)
    base_dates = info["ts"][pick]
    date = base_dates.astype("datetime64[D]") + rng.integers(0, 5, n).astype("timedelta64[D]")
    date = np.minimum(date, np.datetime64(WINDOW[1], "D"))
    return pd.DataFrame(
        {
            "review_id": _ids("review", n, max(6, len(str(n)))),
            "user_id": _take(users["user_id"], uidx),
            "movie_id": _take(movies["movie_id"], tidx),
            "rating": stars,
            "review_date": _fmt_dates(date),
            "device_type": _labels(DEVICES, info["device"][pick]),
            "is_verified_watch": verified,
            "helpful_votes": helpful,
            "total_votes": total,
            "review_text": texts,
            "sentiment": sentiment.astype(object),
            "sentiment_score": score,
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


def _misspell(rng, df: pd.DataFrame, col: str, rate: float) -> None:
    """Respell a ``rate`` share of the known labels of ``col`` (vectorised for 10M rows)."""
    mapping = (
        _SPELLINGS.get(col)
        or _SPELLINGS[{"primary_device": "device_type", "location_country": "country"}[col]]
    )
    values = df[col]
    hit = rng.random(len(values)) < rate
    out = values.copy()
    for label, variants in mapping.items():
        m = np.flatnonzero(hit & (values == label).to_numpy(dtype=bool))
        if len(m):
            out.iloc[m] = np.array(variants, dtype=object)[rng.integers(len(variants), size=len(m))]
    df[col] = out


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
    record would. ``df`` is handed over: its columns are moved into the result one at a time,
    so only one column is ever held twice (watch_history has 10M rows at scale 100).
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
    for col in list(df.columns):
        both = pd.concat([df.pop(col), dups.pop(col)], ignore_index=True)
        out[col] = both.take(order).reset_index(drop=True)
    return pd.DataFrame(out)


def _faults(
    rng: np.random.Generator, t: dict[str, pd.DataFrame], n_dups: dict[str, int]
) -> dict[str, pd.DataFrame]:
    # generate() hands its tables over: change them in place (no copies of 10M-row tables)
    users, movies, wh = t["users"], t["movies"], t["watch_history"]
    # out-of-range anomalies
    ages = users["age"].to_numpy().copy()
    bad = rng.random(len(users)) < 0.006
    ages[bad] = rng.choice([0, 2, 3, 115, 130, 150, -1], bad.sum())
    users["age"] = ages
    spend = users["monthly_spend"].to_numpy().copy()
    bad = rng.random(len(users)) < 0.004
    spend[bad] = rng.uniform(200, 1000, bad.sum()).round(2)
    users["monthly_spend"] = spend
    dur = wh["watch_duration_minutes"].to_numpy().copy()
    bad = rng.random(len(wh)) < 0.005
    dur[bad] = -rng.uniform(1, 120, bad.sum()).round(1)
    bad = rng.random(len(wh)) < 0.003
    dur[bad] = rng.uniform(2000, 20000, bad.sum()).round(1)
    wh["watch_duration_minutes"] = dur
    prog = wh["progress_percentage"].to_numpy().copy()
    bad = rng.random(len(wh)) < 0.008
    prog[bad] = rng.uniform(100.5, 180, bad.sum()).round(1)
    wh["progress_percentage"] = prog
    mdur = movies["duration_minutes"].to_numpy().copy()
    bad = rng.random(len(movies)) < 0.01
    mdur[bad] = rng.choice([-5.0, 0.0, 9999.0], bad.sum())
    movies["duration_minutes"] = mdur

    # orphans, unparseable and future dates (silver rejects these rows)
    uid = wh["user_id"].copy()
    bad = np.flatnonzero(rng.random(len(wh)) < 0.003)
    uid.iloc[bad] = np.array([f"user_x{i:05d}" for i in range(len(bad))], dtype=object)
    wh["user_id"] = uid
    mid = wh["movie_id"].copy()
    bad = np.flatnonzero(rng.random(len(wh)) < 0.002)
    mid.iloc[bad] = np.array([f"movie_x{i:04d}" for i in range(len(bad))], dtype=object)
    wh["movie_id"] = mid
    wd = wh["watch_date"].copy()
    bad = np.flatnonzero(rng.random(len(wh)) < 0.001)
    bad_text = np.array(["not recorded", "2025-13-45", "31/31/2025", "n/a"], dtype=object)
    wd.iloc[bad] = bad_text[np.arange(len(bad)) % 4]
    bad = np.flatnonzero(rng.random(len(wh)) < 0.0008)
    wd.iloc[bad] = "2027-03-15 20:00:00"
    wh["watch_date"] = wd
    del users, movies, wh  # t holds them; _duplicate below replaces them one by one

    # missing values at the documented rates
    for table, cols in FAULT_RATES.items():
        for col, rate in cols.items():
            if rate > 0:
                _blank(rng, t[table], col, rate)
    # inconsistent category spellings
    for col in ("gender", "subscription_plan", "country", "primary_device"):
        _misspell(rng, t["users"], col, 0.03)
    for col in ("device_type", "quality", "location_country"):
        _misspell(rng, t["watch_history"], col, 0.04)
    for name in ("recommendation_logs", "search_logs", "reviews"):
        _misspell(rng, t[name], "device_type", 0.02)

    keys = {
        "users": ("user_id", ["monthly_spend"]),
        "movies": ("movie_id", ["imdb_rating"]),
        "watch_history": ("session_id", ["watch_duration_minutes"]),
        "recommendation_logs": ("recommendation_id", ["recommendation_score"]),
        "search_logs": ("search_id", ["search_duration_seconds"]),
        "reviews": ("review_id", ["sentiment_score"]),
    }
    order = list(t)
    for name, (_key, mutate) in keys.items():
        t[name] = _duplicate(rng, t.pop(name), n_dups.get(name, 0), mutate)
    return {k: t[k] for k in order}


# ----------------------------------------------------------------------------- entry ---------
def generate(
    scale: float = 1.0,
    seed: int = 0,
    *,
    faults: bool = True,
    progress: Callable[[float, str], None] | None = None,
) -> SynthData:
    """Generate the demo dataset.

    Parameters
    ----------
    scale : multiplies seed 004's row counts (1 -> 10,300 users, 1,040 titles, 105,000 sessions).
    seed : random seed; the same seed gives identical tables.
    faults : inject seed 004's quality faults (missing values, duplicates, anomalies, spellings).
    progress : optional callback ``progress(fraction_done, message)``.

    Returns
    -------
    SynthData with ``tables`` (bronze, as received) and ``truth`` (latent segment per user,
    latent quality and popularity per title).
    """
    counts = _counts(scale)
    rng = np.random.default_rng(np.random.PCG64(seed))

    def step(fraction: float, message: str) -> None:
        release_memory()  # the previous step's temporaries (10M-row arrays at scale 100)
        log.info(message)
        if progress is not None:
            progress(fraction, message)

    # rows reserved for the duplicates added later, so that final counts match seed 004's
    rates = {k: rng.uniform(*DUPLICATE_RANGE) for k in BASE_COUNTS}
    n_dups = {
        k: int(round(v * rates[k] / (1 + rates[k]))) if faults else 0 for k, v in counts.items()
    }
    n = {k: v - n_dups[k] for k, v in counts.items()}
    step(0.0, f"generating {n['movies']:,} titles")
    movies, tt = _titles(rng, n["movies"])
    step(0.15, "simulating weekly views and Top 10 charts")
    top10 = _top10(rng, movies, tt, list_len=max(1, round(10 * min(scale, 1.0))))
    step(0.3, f"generating {n['users']:,} viewers")
    users, lat = _users(rng, n["users"])
    step(0.4, f"simulating {n['watch_history']:,} viewing sessions")
    wh, info = _sessions(rng, n["watch_history"], users, lat, movies, tt)
    users["is_active"] = _churn(rng, users, info)
    step(0.7, "generating recommendation logs, searches and reviews")
    rec = _rec_logs(rng, n["recommendation_logs"], users, lat, movies, tt)
    srch = _search_logs(rng, n["search_logs"], users, lat)
    rev = _reviews(rng, n["reviews"], users, movies, info)
    del info
    tables = {
        "users": users,
        "movies": movies,
        "watch_history": wh,
        "recommendation_logs": rec,
        "search_logs": srch,
        "reviews": rev,
        "top10_weekly": top10,
    }
    truth = {
        "user_segments": pd.DataFrame(
            {
                "user_id": users["user_id"],
                "segment": lat["segment"],
                "segment_name": np.array([s["name"] for s in SEGMENTS], dtype=object)[
                    lat["segment"]
                ],
            }
        ),
        "user_tastes": pd.DataFrame(lat["taste"], columns=list(GENRES)).assign(
            user_id=users["user_id"].to_numpy()
        ),
        "title_latents": tt[["movie_id", "quality", "popularity", "theme"]].copy(),
    }
    del users, movies, wh, rec, srch, rev  # tables owns them: the faults free each original
    if faults:
        step(0.9, "injecting seed 004's data-quality faults")
        tables = _faults(rng, tables, n_dups)
    return SynthData(tables=tables, truth=truth)
