"""Recommender: titles similar to a chosen title, picks for a viewer, and how good the models are.

The build's models step fits, tunes and evaluates the recommenders with the page's defaults
(``lib.data.pipeline.models_recommend``); ``lib.ui.rec_models`` loads those artefacts (cached,
read-only) and computes only what was not precomputed (another alpha, a dataset built
without the models step), once per dataset build. Tabs run lazily (only the open tab
executes). The viewer tab's default model is the one with the best validation score
(validation carved from the evaluation's training part: the test part never chooses); the
evaluation tab reuses that tuning and scores the models on the test part. The chosen title,
models, k, alpha, genres, viewer and tab live in the URL (``rec_*`` query parameters).
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from lib.charts import recommend as rc
from lib.models import rec_explain as rx
from lib.models.recommend import UnknownIdError
from lib.ui import data as ui
from lib.ui import rec_models as rec
from lib.ui.widgets import MISSING, download_csv, empty_state, figure, md_escape

TABS = ("Similar titles", "For a viewer", "How good is it")
CSV_ONLY = ("Raw score", "Why recommended", "Evidence (every title, share)")
SCORE_HELP = {
    "content": "Cosine similarity of the titles' TF-IDF content vectors (genres, description "
    "words, cast, director, country), 0-1.",
    "collaborative": "Cosine similarity of the titles' viewer vectors (who watched them), 0-1.",
    "hybrid": "alpha x content + (1 - alpha) x collaborative, each scaled so the best "
    "candidate is 1; 0-1.",
}
USER_SCORE_HELP = {
    "Content": "Cosine of the title with the mean content vector of the viewer's history, 0-1.",
    "Collaborative": "Item-kNN score: similarity to the viewer's titles weighted by their "
    "ratings or engagement, 0-1 (0 = filled from the most popular titles).",
    "Hybrid": "alpha x content profile + (1 - alpha) x item-kNN, each scaled so the best "
    "candidate is 1; 0-1.",
    "EASE": "Sum over the viewer's titles of EASE's learned weights toward this title "
    "(every watched title counts 1).",
    "RP3beta": "Probability-like score of reaching the title in a 3-step random walk from the "
    "viewer's titles, divided by its popularity^beta.",
    "Popularity": "Share of viewers who watched the title.",
}
MEASURE = {
    "content": "content cosine",
    "collaborative": "co-viewing cosine",
    "hybrid": "blended cosine",
}

name = ui.active_name()
with st.spinner("Loading the recommenders of this dataset..."):
    m = rec.models()
titles = ui.table("titles")

st.title("Recommender")
parts = []
if m.content is not None:
    parts.append(
        f"content similarity over {len(m.content.title_ids_):,} titles "
        f"({', '.join(m.content.fields_)})"
    )
if m.collab is not None:
    parts.append(
        f"collaborative filtering from {m.collab.values_.nnz:,} viewer-title interactions of "
        f"{len(m.collab.user_ids_):,} viewers"
    )
sample = rec.sample()
st.caption(
    f"Dataset **{md_escape(name)}**: "
    + (" and ".join(md_escape(p) for p in parts) or "no usable titles or interactions")
    + "."
    # the counts above are the fitted rows; say so only when they are a sample
    + (f" {md_escape(sample.note())}" if sample is not None and sample.sampled else "")
)
if m.content is None and m.collab is None:
    st.info(
        "The recommender needs titles with genres, descriptions or cast (content similarity) "
        "or viewing sessions / ratings (collaborative filtering); this dataset has neither.",
        icon=":material/info:",
    )
    st.stop()

# ------------------------------------------------------------------ shared controls
default_kind = "hybrid" if m.available("hybrid") is None else "content"
if m.content is None:
    default_kind = "collaborative"
c1, c2 = st.columns([1.2, 3.0], gap="medium")
with c1:
    k = st.slider("Results (k)", 5, 30, 10, key="rec_k", bind="query-params")
with c2:
    genres = st.multiselect(
        "Only titles in these genres",
        m.genres,
        key="rec_genres",
        bind="query-params",
        placeholder="all genres",
        disabled=not m.genres,
    )
genres = [g for g in genres if g in m.genres]

tabs = st.tabs(TABS, key="rec_tab", bind="query-params")


RATING_CONFIG = {
    "IMDb rating": st.column_config.NumberColumn(
        "IMDb", format="%.1f", help="IMDb-style rating, 1-10.", width=50
    ),
    "Viewer rating": st.column_config.NumberColumn(
        "Viewers ★",
        format="%.1f",
        help="Mean rating given by this dataset's viewers, 1-5.",
        width=70,
    ),
}


def _table_config(score_help: str) -> dict:
    return {
        "#": st.column_config.NumberColumn(width=34, pinned=True),
        "Title": st.column_config.TextColumn(width=180, pinned=True),
        "Year": st.column_config.NumberColumn(format="%d", width=50),
        "Genres": st.column_config.TextColumn(width=160),
        "Score": st.column_config.ProgressColumn(
            format="%.2f", min_value=0.0, max_value=1.0, help=score_help, width=90
        ),
        **RATING_CONFIG,
    }


def _query_card(key: str) -> None:
    row = m.catalog.loc[key]
    bits = [f"**{md_escape(row['label'])}**"]
    for value in (row["content_type"], row["genres"]):
        if isinstance(value, str) and value:
            bits.append(md_escape(value))
    if isinstance(row["director"], str) and row["director"]:
        bits.append("directed by " + md_escape(row["director"].replace("|", ", ")))
    imdb = pd.to_numeric(pd.Series([row["imdb_rating"]]), errors="coerce").iloc[0]
    if pd.notna(imdb):
        bits.append(f"IMDb {imdb:.1f}")
    tid = row["title_id"]
    if m.collab is not None and tid in m.collab:  # the count the explanations use
        n = int(m.collab.counts_[m.collab.title_ids_.get_loc(tid)])
        bits.append(f"{n:,} viewers (watched or rated)")
    elif m.collab is not None:
        bits.append("no viewer yet")
    with st.container(border=True):
        st.markdown(" · ".join(bits))
        if isinstance(row["description"], str) and row["description"].strip():
            st.caption(md_escape(row["description"]))


@st.fragment
def similar_tab() -> None:
    """Title picker, results and heatmap: a title change reruns only this fragment."""
    if not m.keys:
        empty_state("This dataset has no titles to choose from.")
        return
    c1, c2, c3 = st.columns([2.2, 1.6, 3.2], gap="medium")
    with c2:
        alpha_box = st.empty()
    with c1:
        kind = st.segmented_control(
            "Model",
            rec.MODEL_KINDS,
            default=default_kind,
            required=True,
            format_func=rec.MODEL_LABELS.get,
            key="rec_model",
            bind="query-params",
            help="Content: similar genres, people and description words. Collaborative: "
            "watched by the same viewers. Hybrid: a blend of both.",
        )
    kind = kind if kind in rec.MODEL_KINDS else default_kind
    alpha = alpha_box.slider(
        "Hybrid: weight of content (alpha)",
        0.0,
        1.0,
        0.5,
        0.1,
        key="rec_alpha",
        bind="query-params",
        disabled=kind != "hybrid",
        help="1 = content only, 0 = collaborative only.",
    )
    why_not = m.available(kind)
    if why_not is not None:
        fallback = "content" if m.content is not None else "collaborative"
        st.info(
            f"{rec.MODEL_LABELS[kind]} recommendations need {why_not}; showing "
            f"{rec.MODEL_LABELS[fallback].lower()} results instead.",
            icon=":material/info:",
        )
        kind = fallback
    default = m.keys.index(m.default_key) if m.default_key in m.labels else 0
    with c3:
        key = st.selectbox(
            "Title",
            m.keys,
            index=default,
            format_func=m.labels.get,
            key="rec_title",
            bind="query-params",
            filter_mode="contains",
            help="Type any part of the title or the year. The choice is kept in the page's URL.",
        )
    if key not in m.labels:
        empty_state("Pick a title to see similar ones.")
        return
    _query_card(key)
    try:
        res = rec.similar_titles(m, key, kind, k, alpha=alpha, genres=genres)
    except UnknownIdError:
        reason = (
            "nobody in this dataset has watched it yet, so there are no co-viewers"
            if kind == "collaborative"
            else "the model has no content for it"
        )
        empty_state(
            f"No {rec.MODEL_LABELS[kind].lower()} results for this title: {reason}.",
            "Try the content or hybrid model.",
        )
        return
    if res.empty:
        empty_state(
            "No similar title found"
            + (" in the chosen genres." if genres else ": it shares nothing with other titles."),
            "Clear the genre filter or pick another title." if genres else None,
        )
        return
    label = m.labels[key]
    why = pd.DataFrame([rec.explain_similar(m, key, r, kind) for r in res["key"]])
    extra: dict[str, list] = {}
    config = _table_config(SCORE_HELP[kind])
    if kind in ("collaborative", "hybrid"):
        extra["Also watched by"] = why["co_viewing"].tolist()
        config["Also watched by"] = st.column_config.TextColumn(
            help=f"Viewers of {label} who also watched this title, of all viewers of {label}.",
            width=120,
        )
    if kind in ("content", "hybrid"):
        for col, part, help_text, width in (
            ("Shared genres", "genres", "Genres both titles have.", 120),
            ("Shared people", "people", "Cast members and directors both titles have.", 160),
            ("Shared words", "words", "Description words that weigh most in both.", 160),
        ):
            extra[col] = why[part].tolist()
            config[col] = st.column_config.TextColumn(help=help_text, width=width)
    extra["Why similar"] = why["summary"].tolist()
    table = rx.result_table(m.catalog, res, extra)
    filt = f" in {', '.join(genres)}" if genres else ""
    st.subheader(
        f"{len(res)} titles most similar to {md_escape(label)}{md_escape(filt)}", anchor=False
    )
    st.dataframe(
        table,
        hide_index=True,
        column_config=config,
        column_order=[c for c in table.columns if c != "Why similar"],
        height=rx.table_height(len(table)),
        key="rec_results",
        placeholder=MISSING,
    )
    model_text = rec.MODEL_LABELS[kind] + (f" (alpha {alpha:.1f})" if kind == "hybrid" else "")
    st.caption(
        f"Model: {model_text}. Score: {SCORE_HELP[kind]} The CSV adds a one-line explanation "
        "per title."
    )
    download_csv(table, f"{name}_similar_to_{key}", key="rec_similar")

    keys = [key, *res["key"].tolist()]
    matrix = rec.pairwise_similarity(m, keys, kind, alpha=alpha)
    fig, data = rc.similarity_heatmap(
        matrix,
        m.labels,
        title=f"How similar the chosen title and its {len(res)} results are to each other "
        f"({MEASURE[kind]})",
        measure=MEASURE[kind],
    )
    figure(
        fig,
        data,
        key="rec_heatmap",
        name=f"{name}_similarity_{key}",
        caption="Pairwise cosine similarity of the chosen title (Q) and its results (by rank), "
        + {
            "content": "from their content vectors.",
            "collaborative": "from their viewer vectors (who watched both).",
            "hybrid": f"blended: {alpha:.1f} x content + {1 - alpha:.1f} x co-viewing cosine.",
        }[kind]
        + " The diagonal (a title with itself, always 1) is left blank. Strongly coloured "
        "blocks among the results mean the list is made of near-duplicates; cells that fade "
        "into the background mean a varied list.",
    )


def _progress_box(label: str):
    """A progress callback that opens a status box with a bar on its first call."""
    box = st.container()
    state: dict = {}

    def progress(fraction: float, message: str) -> None:
        if "bar" not in state:
            state["status"] = box.status(f"{label} (once per dataset build)...", expanded=True)
            with state["status"]:
                state["bar"] = st.progress(0.0)
        state["bar"].progress(min(max(float(fraction), 0.0), 1.0), text=message)
        if fraction >= 1.0:
            state["status"].update(label=f"{label}: done", state="complete", expanded=False)

    return progress


@st.fragment
def viewer_tab() -> None:
    """Viewer picker, history and recommendations: a viewer change reruns only this."""
    if m.viewers is None or m.collab is None:
        st.info(
            f"Recommendations for a viewer need {m.collab_reason or rec.NO_INTERACTIONS}. "
            "Import watch history or ratings to use this tab; similar titles work from the "
            "catalog alone.",
            icon=":material/info:",
        )
        return
    c1, c2 = st.columns([2.0, 2.0], gap="medium")
    with c1:
        ukey = st.selectbox(
            "Viewer",
            m.viewers.index.tolist(),
            index=0,
            format_func=m.viewers["label"].get,
            key="rec_user",
            bind="query-params",
            filter_mode="contains",
            help="Viewers are listed by the number of titles they watched (richest history "
            "first). Type to search by id.",
        )
    model_box = c2.container()
    if ukey not in m.viewers.index:
        empty_state("Pick a viewer to see their recommendations.")
        return
    inter = rec.interactions()  # what the models were fitted on (whole viewer histories)
    hist = rec.viewer_history(m, inter, ukey)
    recent = hist["recent"]
    last = recent["last_ts"].iloc[0] if "last_ts" in recent.columns and len(recent) else None
    cols = st.columns([0.8, 0.8, 1.2, 2.2])
    cols[0].metric("Titles watched", f"{hist['n_titles']:,}")
    cols[1].metric(
        "Viewing sessions", f"{hist['n_sessions']:,}" if hist["n_sessions"] is not None else "n/a"
    )
    cols[2].metric(
        "Last watched", pd.Timestamp(last).strftime("%d %b %Y") if pd.notna(last) else "n/a"
    )
    with cols[3]:
        top_text = " · ".join(
            f"{md_escape(g)} ({n})" for g, n in hist["genre_counts"].head(5).items()
        )
        st.markdown(f"**Top genres** (titles)  \n{top_text or 'n/a'}")

    try:
        tuned, skipped, best = rec.tuning(_progress_box("Choosing the best model on validation"))
    except ValueError as exc:
        st.info(f"Recommendations for a viewer need {exc}.", icon=":material/info:")
        return
    options = [n for n in rec.VIEWER_MODELS if n == "best" or n in tuned or n in skipped]
    with model_box:
        choice = st.selectbox(
            "Model",
            options,
            index=0,
            format_func=lambda n: f"Best on validation ({best})" if n == "best" else n,
            key="rec_viewer_model",
            bind="query-params",
            help="Default: the model with the best NDCG@10 on validation viewing carved from "
            "the training part (the test part never chooses). Every model uses its validated "
            "values and is fitted on all of this dataset's interactions.",
        )
    model_name = best if choice not in options or choice == "best" else choice
    if model_name in skipped:
        sparse = "RP3beta" if "RP3beta" in tuned else best
        st.info(
            f"{model_name} is not available on this dataset: {md_escape(skipped[model_name])} "
            f"Showing {sparse} instead.",
            icon=":material/info:",
        )
        model_name = sparse
    if model_name is None:
        empty_state("No model could be fitted on this dataset's interactions.")
        return
    with st.spinner(f"Fitting {model_name} on every interaction (once per dataset build)..."):
        model = rec.viewer_model(model_name)
    try:
        recs = rec.viewer_recommendations(m, ukey, model_name, k, genres=genres, model=model)
    except UnknownIdError:
        empty_state("This viewer is not in the fitted interactions.")
        return
    matched = rx.genre_mask(m.catalog, recs["key"], hist["top_genres"])
    filt = f" in {', '.join(genres)}" if genres else ""
    st.subheader(f"Top {len(recs)} unseen titles for this viewer{md_escape(filt)}", anchor=False)
    if recs.empty:
        empty_state("No unseen title matches the chosen genres.", "Clear the genre filter.")
    else:
        because_col = (
            "Similar to these watched titles" if model_name == "Content" else "Because you watched"
        )
        because = [b or "(popular pick)" for b in recs["because"]]
        table = rx.result_table(
            m.catalog,
            recs,
            {
                because_col: because,
                "Why recommended": recs["why"],
                "Evidence (every title, share)": recs["evidence"],
            },
        )
        table.insert(4, "Top genre", matched)
        top_score = float(recs["score"].max())
        table["Raw score"] = table["Score"]
        table["Score"] = table["Score"] / top_score if top_score > 0 else 0.0
        config = _table_config(
            "Model score divided by the top pick's score (1 = the best match; raw scores "
            "differ in scale between models and are in the CSV). " + USER_SCORE_HELP[model_name]
        )
        config[because_col] = st.column_config.TextColumn(
            help="The titles of the viewer's history that weigh most in this recommendation, "
            "with their share of the evidence for it (the model's weight from that title to "
            "this one, times the viewer's value of it, over the sum of the positive ones). "
            "'(popular pick)': nothing in the history points to it; it fills the list from "
            "the most watched titles.",
            width=400,
        )
        config["Top genre"] = st.column_config.CheckboxColumn(
            help="Has a genre among the viewer's 3 most watched genres "
            + f"({', '.join(hist['top_genres'])}).",
            width=70,
        )
        st.dataframe(
            table,
            hide_index=True,
            column_config=config,
            column_order=[c for c in table.columns if c not in CSV_ONLY],
            height=rx.table_height(len(table)),
            key="rec_user_results",
            placeholder=MISSING,
        )
        st.caption(
            f"{sum(matched)} of {len(recs)} recommendations share a genre with the viewer's "
            f"top 3 genres ({md_escape(', '.join(hist['top_genres']) or 'none')}). "
            + md_escape(rx.model_caption(model_name, choice == "best", best, tuned))
            + " Titles the viewer already watched are never recommended."
        )
        download_csv(table, f"{name}_{model_name}_recommendations_{ukey}", key="rec_user_dl")
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader("Recently watched", anchor=False)
        shown = recent.head(10)
        rc_cat = m.catalog.reindex(shown["key"])
        recent_table = pd.DataFrame(
            {
                "Title": rc_cat["label"].to_numpy(),
                "Genres": rc_cat["genres"].to_numpy(),
                "Last watched": pd.to_datetime(shown["last_ts"]).to_numpy()
                if "last_ts" in shown.columns
                else None,
            }
        )
        st.dataframe(
            recent_table,
            hide_index=True,
            column_config={
                "Title": st.column_config.TextColumn(width=190),
                "Genres": st.column_config.TextColumn(width=150),
                "Last watched": st.column_config.DatetimeColumn(format="D MMM YYYY", width=100),
            },
            key="rec_recent",
            placeholder=MISSING,
        )
    with right:
        fig, data = rc.genre_mix(
            hist["genre_counts"],
            rx.genre_tally(m.catalog, recs["key"]),
            n_watched=hist["n_titles"],
            n_recommended=len(recs),
        )
        figure(
            fig,
            data,
            key="rec_genre_mix",
            name=f"{name}_genre_mix_{ukey}",
            caption="Share of the viewer's titles and of the recommended titles in each genre "
            "(a title with several genres counts in each).",
        )


def evaluation_tab() -> None:
    st.subheader("How good are the recommendations?", anchor=False)
    if m.collab is None:
        st.info(
            f"The offline evaluation needs {m.collab_reason or rec.NO_INTERACTIONS}: the models "
            "are scored by hiding some of each viewer's titles and checking whether the "
            "recommendations find them again.",
            icon=":material/info:",
        )
        return
    split = "random"
    if rec.has_timestamps():
        split = st.segmented_control(
            "Held-out titles",
            ("random", "time"),
            default="random",
            required=True,
            format_func={
                "random": "Random 20% per viewer",
                "time": "Each viewer's latest title",
            }.get,
            key="rec_eval_split",
            bind="query-params",
            help="Random: 20% of each viewer's titles, drawn at random (seed 0). Latest: each "
            "viewer's most recent title (leave-last-out), closer to predicting what comes next; "
            "tuned the same way on each viewer's latest training title.",
        )
        split = split if split in ("random", "time") else "random"
    try:
        res = rec.comparison(_progress_box("Tuning and evaluating the recommenders"), split)
    except ValueError as exc:
        st.info(f"The offline evaluation needs {exc}.", icon=":material/info:")
        return
    if res.table.empty:
        empty_state("No viewer has enough titles in both the training and the held-out part.")
        return
    metrics = res.table
    by = metrics.set_index("model")
    n_users = int(res.meta["n_users"])
    protocol = res.protocol
    best = res.best
    st.markdown(f"**Protocol.** {md_escape(protocol)}")

    tiles = st.columns(4)
    if "Hybrid" in by.index and pd.notna(
        by["genre_match"].get("Hybrid") if "genre_match" in by else None
    ):
        gm = float(by.at["Hybrid", "genre_match"])
        tiles[3].metric(
            "Hybrid genre match",
            f"{gm:.0%}",
            delta=f"{gm - 0.8:+.0%} vs the 80% target",
            delta_color="normal",
            help="Share of each viewer's top-10 titles having one of the viewer's 3 most "
            f"watched genres (train part), averaged over viewers; 95% interval "
            f"{by.at['Hybrid', 'genre_match_low']:.0%} to "
            f"{by.at['Hybrid', 'genre_match_high']:.0%}. " + protocol,
        )
    if best is not None and best in by.index:
        tiles[0].metric(
            f"Best on validation: {best}",
            f"{by.at[best, 'ndcg']:.3f}",
            help=f"NDCG@{rec.EVAL_K} on the test part of the model chosen on validation "
            f"({rec.tuned_text(best, res.tuned)}); 95% interval "
            f"{by.at[best, 'ndcg_low']:.3f} to {by.at[best, 'ndcg_high']:.3f}. " + protocol,
        )
    paired = res.paired
    for i, other in enumerate(("Collaborative", "Popularity"), start=1):
        row = paired.loc[(paired["model"] == other) & (paired["metric"] == "ndcg")]
        if row.empty:
            continue
        d = row.iloc[0]
        tiles[i].metric(
            f"{best} vs {other}, NDCG@{rec.EVAL_K}",
            f"{d['difference']:+.3f}",
            delta=f"{d['relative']:+.0%} (95%: {d['low']:+.3f} to {d['high']:+.3f})",
            delta_color="normal" if d["low"] > 0 or d["high"] < 0 else "off",
            help="Paired difference on the same test viewers, with its 95% bootstrap "
            "interval. Green: the interval excludes 0. " + protocol,
        )

    table = rx.metrics_table(metrics, res.tuned)
    shown = [c for c in rx.METRIC_COLUMNS if c in metrics.columns]
    config = {
        "Model": st.column_config.TextColumn(width=110, pinned=True),
        "Validated values": st.column_config.TextColumn(
            width=140, help="Hyper-parameters chosen on validation carved from the training part."
        ),
        f"Validation NDCG@{rec.EVAL_K}": st.column_config.NumberColumn(
            "Validation",
            format="%.3f",
            help=f"NDCG@{rec.EVAL_K} on validation: the score that chose the values and the "
            "default model (never the test part).",
            width=80,
        ),
    }
    for c in shown:
        config[rx.METRIC_COLUMNS[c][0]] = st.column_config.TextColumn(
            help=rc.METRIC_INFO[c][2].capitalize() + ", on the test part; in brackets the 95% "
            "bootstrap interval over viewers.",
            width=150,
        )
    st.dataframe(
        table, hide_index=True, column_config=config, key="rec_metrics", placeholder=MISSING
    )
    st.caption(
        f"Each number: the test-part value over the {n_users:,} evaluated viewers, top-"
        f"{rec.EVAL_K} lists, with its 95% interval. "
        + md_escape(protocol)
        + " Coverage, novelty and diversity describe the lists, not their accuracy."
    )
    if res.skipped:
        st.info(
            "Not evaluated: "
            + " ".join(f"**{md_escape(n)}**: {md_escape(r)}" for n, r in res.skipped.items()),
            icon=":material/info:",
        )
    download_csv(metrics, f"{name}_recommender_metrics", key="rec_metrics_dl")

    fig, data = rc.model_comparison(metrics, k=rec.EVAL_K)
    figure(
        fig,
        data,
        key="rec_comparison",
        name=f"{name}_recommender_comparison",
        caption="Bars: the test-part value; whiskers: the 95% bootstrap interval over viewers. "
        + protocol,
    )
    if not paired.empty:
        fig, data = rc.paired_differences(paired, k=rec.EVAL_K)
        figure(
            fig,
            data,
            key="rec_paired",
            name=f"{name}_recommender_paired",
            caption=f"{best} minus each other model on the same test viewers (dots), with the "
            "95% interval of the paired bootstrap (whiskers). A whisker entirely right of the "
            f"dashed line: {best} finds more held-out titles than that model on these viewers.",
        )
    curves = {n: r.curve for n, r in res.tuned.items()}
    fig, data = rc.validation_curves(
        curves, {n: r.params for n, r in res.tuned.items()}, k=rec.EVAL_K
    )
    figure(
        fig,
        data,
        key="rec_validation",
        name=f"{name}_recommender_validation",
        caption="Validation NDCG@10 of every value tried (validation carved from the training "
        "part; the test part is not involved). The star marks the value each model uses here "
        "and in the For a viewer tab.",
    )
    with st.expander("How each model uses the interactions, and the full protocol"):
        st.markdown(
            "\n".join(f"- **{n}**: {md_escape(rec.MODEL_NOTES[n])}." for n in rec.EVAL_MODELS)
            + "\n- Ratings, where the dataset has them, are used as weights only by the item "
            "kNN (and the hybrid's item-kNN part); EASE and RP3beta count every watched or rated "
            "title as 1, whatever the rating."
        )
        st.code(rec.PROTOCOL, language=None)
        st.caption(
            f"Computed once for this dataset build in {res.meta['seconds']:.0f} s "
            f"({res.meta['n_train']:,} training and {res.meta['n_test']:,} held-out "
            "interactions)."
        )


with tabs[0]:
    if tabs[0].open is not False:
        similar_tab()
with tabs[1]:
    if tabs[1].open:
        viewer_tab()
with tabs[2]:
    if tabs[2].open:
        evaluation_tab()
