"""The presentation layer: Finnish formats, phrases, disclosure control, tables and charts."""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path

import matplotlib
import numpy as np
import pandas as pd
import pytest

from serviceplan.core.params import Disclosure
from serviceplan.core.periods import Period
from serviceplan.present import charts, disclosure, tables, theme
from serviceplan.present import format as fmt
from serviceplan.present.narrative import against_phrase, bullets, change_phrase, join_words, points_phrase, sentence

NN = "\u202f"  # narrow no-break space between thousands
NB = "\u00a0"  # no-break space before a unit
RULE = Disclosure(min_count=5, symbol="..")


# ---- formats -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (fmt.number(1234.5, 1), f"1{NN}234,5"),
        (fmt.number(1234567), f"1{NN}234{NN}567"),
        (fmt.number(-1234.25, 1), f"−1{NN}234,2"),  # U+2212 minus; Babel rounds half to even
        (fmt.number(-0.01), "0"),  # never "−0"
        (fmt.number(12.5, 1, signed=True), "+12,5"),
        (fmt.count(9033), f"9{NN}033"),
        (fmt.year(2025), "2025"),
        (fmt.year(Period(2026, 1)), "2026"),
        (fmt.percent(0.159), f"15,9{NB}%"),
        (fmt.percent(0.032, signed=True), f"+3,2{NB}%"),
        (fmt.points(0.012), f"+1,2{NB}%-yks."),
        (fmt.euro(1234567), f"1{NN}234{NN}567{NB}€"),
        (fmt.euro_compact(2_600_000), f"2,6{NB}M€"),
        (fmt.euro_compact(850_000), f"850{NB}t€"),
        (fmt.euro_compact(120), f"120{NB}€"),
        (fmt.euro_text(24_100_000), f"24,1{NB}milj.{NB}euroa"),
        (fmt.euro_text(32_493, digits=3), f"32{NN}500{NB}euroa"),
        (fmt.euro_text(962.4, digits=3), f"962{NB}euroa"),  # three significant digits, not "1 000 euroa"
        (fmt.euro_compact(7_818.11, 2, digits=3), f"7,82{NB}t€"),  # not "8 t€"
        (fmt.euro_compact(88_013, 2, digits=3), f"88,0{NB}t€"),
        (fmt.euro_compact(406_999, 2, digits=3), f"407{NB}t€"),
        (fmt.euro_text_range(45_450_000, 48_290_000), f"45,5–48,3{NB}milj.{NB}euroa"),
        (fmt.month("2025-01"), "tammikuu 2025"),
        (fmt.month_short(Period(2025, 1)), "tammi 2025"),
        (fmt.month_short("2025-06", with_year=False), "kesä"),
        (fmt.day(date(2025, 6, 30)), "30.6.2025"),
        (fmt.month_inessive("2025-06", with_year=True), "kesäkuussa 2025"),
        (fmt.month_genitive("2025-11"), "marraskuun"),
        (fmt.month_elative("2025-05"), "toukokuusta"),
        (fmt.month_span_inessive("2025-01", "2025-06"), "tammi–kesäkuussa 2025"),
        (fmt.month_span_inessive("2025-06", "2025-06"), "kesäkuussa 2025"),
        (fmt.number(None), "."),  # the legend's "not available"
        (fmt.euro(float("nan")), "."),
    ],
)
def test_finnish_formats(text: str, expected: str):
    assert text == expected


def test_euro_axis_uses_one_unit_and_only_needed_decimals():
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    ax.set_ylim(0, 1.6e6)
    ax.set_yticks([0, 5e5, 1e6, 1.5e6])
    ax.yaxis.set_major_formatter(charts.euro_axis())
    fig.canvas.draw()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    plt.close(fig)
    assert labels == ["0", f"0,5{NB}M€", f"1,0{NB}M€", f"1,5{NB}M€"]
    fig, ax = plt.subplots()
    ax.set_ylim(0, 400_000)
    ax.set_yticks([0, 150_000, 300_000])
    ax.yaxis.set_major_formatter(charts.euro_axis())
    fig.canvas.draw()
    assert [t.get_text() for t in ax.get_yticklabels()] == ["0", f"150{NB}t€", f"300{NB}t€"]
    plt.close(fig)


def test_month_labels_add_the_year_to_january_and_skip_with_a_step():
    months = ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert charts.month_labels(months) == ["marras\n2025", "joulu", "tammi\n2026", "helmi"]
    assert charts.month_labels(months, step=2) == ["marras\n2025", "", "tammi\n2026", ""]


# ---- phrases ---------------------------------------------------------------------------------------------------


def test_change_words():
    assert change_phrase(100, 103.2) == f"kasvoi 3,2{NB}%"
    assert change_phrase(100, 98.9) == f"laski 1,1{NB}%"
    assert change_phrase(100, 100.04) == "pysyi ennallaan"  # rounds to 0,0 %
    assert change_phrase(0, 5) == "ei vertailutietoa"
    assert change_phrase(200, 250, up="kasvoivat") == f"kasvoivat 25,0{NB}%"
    assert points_phrase(0.15, 0.162) == "nousi 1,2 prosenttiyksikköä"
    assert points_phrase(0.15, 0.15) == "pysyi ennallaan"
    assert against_phrase(103.2, 100) == f"3,2{NB}% yli budjetin"
    assert against_phrase(99, 100, noun_genitive="tavoitteen") == f"1,0{NB}% alle tavoitteen"
    assert join_words(["a", "b", "c"]) == "a, b ja c" and join_words(["a"]) == "a"
    assert sentence("kulut kasvoivat") == "Kulut kasvoivat." and sentence("Valmis?") == "Valmis?"
    assert bullets(["Yksi.", "Kaksi."]) == "- Yksi.\n- Kaksi."


# ---- disclosure control ----------------------------------------------------------------------------------------


def test_primary_and_secondary_suppression_by_hand():
    counts = pd.DataFrame([[3, 10, 20], [8, 12, 30], [15, 25, 40]], columns=["a", "b", "c"])
    mask = disclosure.suppression_mask(counts, 5)
    # 3 is small. Its row's smallest other cell (10) and its column's (8) hide it; that leaves 10 alone in
    # column b and 8 alone in row 1, so 12 goes too. Rows and columns then each hide 0 or 2 cells.
    expected = pd.DataFrame([[True, True, False], [True, True, False], [False, False, False]], columns=["a", "b", "c"])
    pd.testing.assert_frame_equal(mask, expected)


def test_no_line_is_left_with_one_suppressed_cell():
    rng = np.random.default_rng(7)
    counts = pd.DataFrame(rng.integers(0, 30, size=(8, 6)))
    mask = disclosure.suppression_mask(counts, 5)
    assert (mask.sum(axis=1) != 1).all() and (mask.sum(axis=0) != 1).all()
    assert mask[(counts > 0) & (counts < 5)].fillna(True).all().all()  # every small count is hidden


def test_zero_is_shown_and_used_only_when_nothing_else_is_left():
    counts = pd.DataFrame({"x": [0, 3, 0], "y": [7, 9, 0]})
    mask = disclosure.suppression_mask(counts, 5)
    # 3 (row 1) is hidden; row 1's other cell 9 hides it; column x has only zeros left: the first zero goes
    assert mask.to_dict("list") == {"x": [True, True, False], "y": [True, True, False]}


def test_suppress_a_tidy_table_with_a_total_row_and_derived_columns():
    frame = pd.DataFrame(
        {
            "class": ["a", "b", "c", "Yhteensä"],
            "people": [3, 50, 60, 113],
            "euros": [300.0, 5000.0, 6000.0, 11300.0],
            "share": [3 / 113, 50 / 113, 60 / 113, 1.0],
        }
    ).set_index("class", drop=False)
    shown = disclosure.suppress(
        frame, RULE, counts=["people"], derived={"euros": "people", "share": "people"}, total_row="Yhteensä"
    )
    # the total 113 is published, so 3 alone could be recomputed: 50 (the smallest other count) is hidden too
    assert shown["people"].tolist() == ["..", "..", 60, 113]
    assert shown["euros"].tolist() == ["..", "..", 6000.0, 11300.0]
    assert shown["share"].tolist()[:2] == ["..", ".."] and shown.at["c", "class"] == "c"


def test_explanation_names_the_rule_and_symbol():
    text = disclosure.explanation(RULE)
    assert "alle 5 henkilön" in text and "(1–4)" in text and "”..”" in text


# ---- the symbol legend ---------------------------------------------------------------------------------------------


def test_one_legend_each_symbol_one_meaning():
    """``..`` confidential, ``.`` not available or not applicable, ``–`` a true zero (PX convention, docs/domain.md)."""
    assert (disclosure.CONFIDENTIAL, disclosure.NOT_AVAILABLE, disclosure.NIL) == ("..", ".", "\u2013")
    assert fmt.MISSING == disclosure.NOT_AVAILABLE
    assert tables.format_cell(float("nan"), "count") == "."
    assert tables.format_cell(0.0, "count") == "–" and tables.format_cell(0.0, "eur") == "–"  # a true zero
    assert tables.format_cell(0.0004, "percent") == f"0,0{NB}%"  # only rounds to zero: a number
    assert tables.format_cell(0.0, "count", nil=False) == "0"  # a chart without a legend
    assert tables.format_cell("..", "count") == ".."


def test_legend_explains_exactly_the_symbols_a_table_shows():
    frame = pd.DataFrame({"a": [0.0, 1.0], "b": [float("nan"), 2.0]})
    note = tables.table_note(frame, {"a": "count", "b": "count"}, "Huom.")
    assert note == "Huom. Merkinnät: ”.” tieto puuttuu tai ei sovellu, ”–” ei yhtään (luku on nolla)."
    assert tables.table_note(frame.iloc[[1]], {"a": "count", "b": "count"}, "Huom.") == "Huom."
    assert disclosure.legend(["–", "5"]) == "Merkinnät: ”–” ei yhtään (luku on nolla)."
    assert disclosure.legend(["tammi–kesä", "1–4"]) is None  # a range is not a symbol


def test_the_suppression_symbol_cannot_take_another_meaning():
    for symbol in (".", "–", "-"):
        with pytest.raises(ValueError, match="other meanings"):
            Disclosure(min_count=5, symbol=symbol)


# ---- tables ----------------------------------------------------------------------------------------------------


def test_markdown_table_formats_aligns_and_escapes():
    frame = pd.DataFrame({"name": ["a|b", "c"], "eur": [1234.0, ".."], "share": [0.159, float("nan")]})
    text = tables.markdown_table(frame, {"eur": "eur", "share": "percent"}, {"name": "Nimi", "share": "Osuus"})
    assert text.split("\n") == [
        "| Nimi | eur | Osuus |",
        "| :---- | -------: | ------: |",  # dashes as wide as the column's content: its width in the PDF
        f"| a\\|b | 1{NN}234{NB}€ | 15,9{NB}% |",
        "| c | .. | . |",
    ]


def test_wide_table_with_reference_and_interval():
    data = pd.DataFrame(
        {
            "month": ["2025-01", "2025-01", "2025-02"],
            "line": ["A", "B", "A"],
            "value": [1_020_000.0, 50_000.0, 2_000_000.0],
            "budget": [1_190_000.0, float("nan"), 2_400_000.0],
            "low": [float("nan"), float("nan"), 1_900_000.0],
            "high": [float("nan"), float("nan"), 2_100_000.0],
        }
    )
    wide = tables.wide_table(
        data,
        index="month",
        group="line",
        values=[tables.Column("value", reference="budget"), tables.Column("value", "väli", low="low", high="high")],
        group_labels={"A": "Rivi A"},
    )
    assert list(wide.columns) == ["Kuukausi", "Rivi A", "Rivi A: väli", "B", "B: väli"]
    assert wide.iloc[0].tolist() == ["tammi 2025", "1,02 (1,19)", "1,02", "0,05", "0,05"]
    assert wide.iloc[1].tolist() == ["helmi 2025", "2,00 (2,40)", "2,00 (1,90–2,10)", ".", "."]


def test_kpi_display_formats_by_unit_and_change_kind():
    kpis = pd.DataFrame(
        [
            {"label": "Kulut", "value": 2.5e6, "unit": "eur", "target": 2.6e6, "status": "ok",
             "change_month": 0.032, "change_year": float("nan"), "change_kind": "relative"},
            {"label": "Osuus", "value": 0.25, "unit": "share", "target": float("nan"), "status": "alert",
             "change_month": -0.004, "change_year": 0.012, "change_kind": "points"},
        ]
    )  # fmt: skip
    shown = tables.kpi_display(kpis)
    assert shown.iloc[0].tolist() == ["Kulut", f"2,50{NB}M€", f"+3,2{NB}%", ".", f"2,60{NB}M€", "tavoitteessa"]
    assert shown.iloc[1].tolist() == ["Osuus", f"25,0{NB}%", f"−0,4{NB}%-yks.", f"+1,2{NB}%-yks.", ".", "poikkeama"]
    shown_md = tables.kpi_markdown(kpis, title="T")
    assert shown_md.startswith(
        '::: {.sp-table tabindex="0" role="region" aria-label="T"}\n**T**\n\n| Tunnusluku | Arvo |'
    )
    assert tables.kpi_markdown(kpis).startswith(
        '::: {.sp-table tabindex="0" role="region" aria-label="Tunnusluvut"}\n|'
    )


def test_kpi_display_keeps_the_precision_that_tells_services_apart():
    """Costs per outcome of 7 818 € and 7 242 € both read "8 t€" / "7 t€" on main: the formatting layer keeps three
    significant digits for short euros, and large relative changes lose the decimal that only shouts."""
    kpis = pd.DataFrame(
        [
            {"kpi": "a", "label": "3 kk", "value": 7818.11, "unit": "eur", "target": float("nan"), "status": "none",
             "change_month": 4.064, "change_year": -0.021, "change_kind": "relative"},
            {"kpi": "b", "label": "6 kk", "value": 7241.55, "unit": "eur", "target": float("nan"), "status": "none",
             "change_month": float("nan"), "change_year": float("nan"), "change_kind": "relative"},
        ]
    )  # fmt: skip
    shown = tables.kpi_display(kpis)
    assert shown["Arvo"].tolist() == [f"7,82{NB}t€", f"7,24{NB}t€"]
    assert shown.iloc[0]["Muutos edell. kk"] == f"+406{NB}%" and shown.iloc[0]["Muutos edell. vuodesta"] == f"−2,1{NB}%"


def test_kpi_display_writes_a_difference_from_a_small_base_and_hides_what_disclosure_withholds():
    kpis = pd.DataFrame(
        [
            {"kpi": "vouchers", "label": "Setelit", "value": 440.0, "unit": "count", "target": float("nan"),
             "status": "none", "change_month": 429.0, "change_year": -0.06, "change_month_kind": "difference",
             "change_year_kind": "relative", "change_kind": "relative"},
            {"kpi": "moved", "label": "Siirtyneet", "value": float("nan"), "unit": "count", "target": 5.0,
             "status": "none", "change_month": float("nan"), "change_year": float("nan"), "change_kind": "relative"},
        ]
    )  # fmt: skip
    shown = tables.kpi_display(kpis, hidden=["moved"]).set_index("Tunnusluku")
    assert shown.loc["Setelit"].tolist()[:3] == ["440", "+429", f"−6,0{NB}%"]  # not "+3 900,0 %"
    assert shown.loc["Setelit", "Tila"] == "ei tavoitetta"
    assert shown.loc["Siirtyneet"].tolist() == ["..", "..", "..", "5", "ei arviota"]


# ---- charts and theme --------------------------------------------------------------------------------------------


def test_theme_uses_the_okabe_ito_palette():
    theme.apply()
    colours = matplotlib.rcParams["axes.prop_cycle"].by_key()["color"]
    assert [matplotlib.colors.to_hex(c).upper() for c in colours[:3]] == [theme.BLUE, theme.ORANGE, theme.GREEN]


def test_figure_markdown_gives_quarto_a_caption_and_a_separate_fig_alt():
    assert charts.figure_markdown("figures/x.png", 'Kuvio "1": kulut *kasvoivat*', "Kulut [kk]") == (
        '![Kulut \\[kk\\]](figures/x.png){fig-alt="Kuvio \\"1\\": kulut *kasvoivat*"}'
    )
    with pytest.raises(ValueError, match="alt text"):
        charts.figure_markdown("figures/x.png", "  ", "Otsikko")
    with pytest.raises(ValueError, match="caption"):
        charts.figure_markdown("figures/x.png", "Kuvio kuluista.", "")
    with pytest.raises(ValueError, match="must not repeat"):
        charts.figure_markdown("figures/x.png", "Kulut  kasvoivat", "kulut kasvoivat")


def test_show_figure_moves_the_title_into_the_caption(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    theme.apply()
    monkeypatch.chdir(tmp_path)
    shown: list[tuple[str, dict]] = []
    monkeypatch.setattr(tables, "show_markdown", lambda text, metadata=None: shown.append((text, metadata)))
    year = [str(Period(2025, m)) for m in range(1, 13)]
    figure = charts.monthly_bars(_year([90.0, 110.0]), x="month", facet="line", periods=year,
                                 bars=[charts.Series("actual", "Toteuma")], title="Kulut kasvoivat")  # fmt: skip
    charts.show_figure(figure, "test-caption", "Pylväskaavio kuukauden kuluista.")
    ((text, metadata),) = shown
    assert text == '![Kulut kasvoivat](figures/test-caption.png){fig-alt="Pylväskaavio kuukauden kuluista."}'
    assert metadata == {
        charts.FIGURE_MARKER: {
            "name": "test-caption",
            "path": "figures/test-caption.png",
            "caption": "Kulut kasvoivat",
            "alt": "Pylväskaavio kuukauden kuluista.",
        }
    }
    assert figure.get_suptitle() == ""  # the title is text on the page now, not pixels in the image


def _year(values: list[float]) -> pd.DataFrame:
    months = [str(Period(2025, m)) for m in range(1, len(values) + 1)]
    return pd.DataFrame({"month": months, "line": "A", "actual": values, "budget": [100.0] * len(values)})


def test_charts_draw_without_warnings_and_save_png(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    theme.apply()
    monkeypatch.chdir(tmp_path)
    year = [str(Period(2025, m)) for m in range(1, 13)]
    data = _year([90.0, 110.0, 95.0])
    paths = data.assign(
        point=data["actual"].cumsum(), low=data["actual"].cumsum() - 5, high=data["actual"].cumsum() + 5
    )
    stack = pd.DataFrame(
        {"month": ["2025-02", "2025-02", "2025-03"], "part": ["x", "late", "x"], "eur": [1.0, 2.0, 3.0]}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. a glyph missing from the font would warn
        figures = [
            charts.monthly_bars(data, x="month", facet="line", periods=year, bars=[charts.Series("actual", "Toteuma")],
                                reference=charts.Series("budget", "Budjetti", theme.BUDGET), title="Otsikko"),
            charts.cumulative_with_band(paths, x="month", facet="line", periods=year,
                                        actual=charts.Series("actual", "T"), reference=charts.Series("budget", "B"),
                                        point=charts.Series("point", "E"), low="low", high="high", band_label="V",
                                        title="Otsikko"),
            charts.stacked_bars(stack, x="month", stack="part", value="eur", stack_order=["x", "late"],
                                hatched={"late"}, title="Otsikko"),
        ]  # fmt: skip
        charts.show_figure(figures[0], "test-monthly", "Kaavio kuukausittaisista kuluista.")
        saved = [charts.save_figure(f, f"test-{i}") for i, f in enumerate(figures[1:])]
    assert (tmp_path / "figures" / "test-monthly.png").read_bytes().startswith(b"\x89PNG")
    assert all(p.is_file() and p.parent == Path("figures") for p in saved)
    with pytest.raises(ValueError, match="lower-case"):
        charts.save_figure(charts.stacked_bars(stack, x="month", stack="part", value="eur", stack_order=["x"],
                                               title="t"), "Bad Name")  # fmt: skip


def test_save_figure_draws_once_and_gives_the_pixels_savefig_gives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """save_figure skips savefig's layout-only first draw and leaves out the alpha channel of an opaque chart: the
    PNG has the pixels, size and resolution of ``Figure.savefig`` at the report's resolution in a smaller RGB file,
    the figure is drawn once, and a second save is byte-identical."""
    import pickle

    from matplotlib.figure import Figure
    from PIL import Image

    theme.apply()
    data = _year([90.0, 110.0, 95.0, 120.0])
    year = [str(Period(2025, m)) for m in range(1, 13)]
    title = "Pitkä otsikko, joka kertoo havainnon ja rivittyy kuvion leveyteen " * 2
    figure = charts.monthly_bars(data, x="month", facet="line", periods=year, bars=[charts.Series("actual", "T")],
                                 reference=charts.Series("budget", "B", theme.BUDGET), title=title)  # fmt: skip
    blob = pickle.dumps(figure)
    reference = tmp_path / "reference.png"
    pickle.loads(blob).savefig(reference, dpi=theme.SAVE_DPI, metadata={"Software": None})
    draws: list[int] = []
    original = Figure.draw
    monkeypatch.setattr(Figure, "draw", lambda self, renderer: draws.append(1) or original(self, renderer))
    first = charts.save_figure(pickle.loads(blob), "first", tmp_path)
    assert len(draws) == 1
    second = charts.save_figure(pickle.loads(blob), "second", tmp_path)
    with Image.open(reference) as a, Image.open(first) as b:
        assert a.size == b.size == (int(theme.FIGURE_WIDTH_IN * theme.SAVE_DPI), b.size[1])
        assert a.info.get("dpi") == b.info.get("dpi")  # pHYs: the same resolution for Quarto and Typst
        assert (a.mode, b.mode) == ("RGBA", "RGB")
        rgba = np.asarray(a)
        assert (rgba[..., 3] == 255).all()  # savefig's alpha channel is all opaque: nothing is lost without it
        assert np.array_equal(rgba[..., :3], np.asarray(b))
    assert first.stat().st_size < reference.stat().st_size
    assert first.read_bytes() == second.read_bytes()


def test_save_figure_keeps_the_alpha_channel_of_a_see_through_chart(tmp_path: Path):
    """A chart whose background is not opaque keeps its transparency (RGBA)."""
    import matplotlib.pyplot as plt
    from PIL import Image

    figure = plt.figure(figsize=(2, 1))
    figure.patch.set_alpha(0.0)
    figure.add_subplot().plot([0, 1], [1, 0])
    with Image.open(charts.save_figure(figure, "clear", tmp_path)) as saved:
        assert saved.mode == "RGBA"
        assert np.asarray(saved)[0, 0, 3] == 0
