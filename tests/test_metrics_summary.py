"""The front page: changes, disclosure, headline selection and the biggest changes, with small fake KPI tables and
hand-checked numbers; the parameters' checks; the budget and knowledge KPIs through the registry; the page."""

from __future__ import annotations

import math
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
import pytest
import yaml

from serviceplan.core.errors import ParameterError, UsageError
from serviceplan.core.params import Disclosure, Materiality, SummaryParams, load_params
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.metrics import change, change_kind, summary, summary_text
from serviceplan.metrics.areas import AREAS, Area
from serviceplan.metrics.kpis import Context, KpiFunction, frame, kpi_row
from serviceplan.present import summary_charts

REPO = Path(__file__).resolve().parents[1]
P = Period.parse
PARAMS = load_params(2025, REPO / "params")
RULE = Disclosure(min_count=5, symbol="..")


@dataclass(frozen=True)
class FakeArea(Area):
    """An area whose KPI function is given directly instead of imported by name."""

    function: Callable | None = None

    def kpis(self) -> KpiFunction | None:
        return self.function


def fake_kpis(area: str, values: dict[str, dict[str, tuple[float, str]]], fail: tuple[str, ...] = ()) -> Callable:
    """A KPI function returning ``values[period]`` (kpi -> (value, unit)); periods in ``fail`` raise a clear error."""

    def function(ctx: Context) -> pd.DataFrame:
        if str(ctx.period) in fail:
            raise UsageError(f"no data for {ctx.period}")
        rows = values.get(str(ctx.period), {})
        return frame([kpi_row(ctx, area, kpi, f"Luku {kpi}", v, u, None) for kpi, (v, u) in rows.items()])

    return function


def area(area_id: str, function: Callable, datasets: tuple[str, ...] = ("ledger",)) -> FakeArea:
    return FakeArea(area_id, f"{area_id}.ipynb", f"Sivu {area_id}", "1.", datasets, "fake:kpis", function=function)


def ctx(period: str = "2025-06", workspace: Workspace | None = None) -> Context:
    """A context; comparisons with another year read that year's parameters from ``workspace``."""
    return Context(P(period), PARAMS, workspace or Workspace(Path("/nonexistent")))


# Small thresholds for the small fake tables: a change is material from 10 % and 10 € / 2 people / 2 points.
MATERIALITY = Materiality(
    min_relative_change=0.1,
    min_change={"count": 2, "eur": 10, "share": 0.02, "days": 1, "ratio": 0.1},
    min_base={"count": 5, "eur": 50},
)
SETTINGS = SummaryParams.model_construct(
    headline=["alpha.euros", "beta.share"],
    biggest_changes=3,
    materiality=MATERIALITY,
    not_in_changes=["alpha.ytd"],
    non_person_counts=[],
)


# ---- changes ---------------------------------------------------------------------------------------------------


def test_area_changes_month_and_year(workspace):
    values = {
        "2025-06": {"euros": (120_000.0, "eur"), "share": (0.25, "share"), "few": (7.0, "count")},
        "2025-05": {"euros": (100_000.0, "eur"), "share": (0.20, "share"), "few": (3.0, "count")},
        "2024-06": {"euros": (150_000.0, "eur")},  # share not yet measured a year ago
    }
    table, skipped = summary.area_changes(
        area("alpha", fake_kpis("alpha", values), ("statfin",)), ctx(workspace=workspace)
    )
    table = table.set_index("kpi")
    assert table.loc["euros", "change_month"] == pytest.approx(0.2)  # 120 000 / 100 000 - 1
    assert table.loc["euros", "change_year"] == pytest.approx(-0.2)  # 120 000 / 150 000 - 1
    # 3 is below the count's min_base (20 in params/defaults.yaml): a difference of +4 people, not +133 %
    assert table.loc["few", "change_month_kind"] == "difference" and table.loc["few", "change_month"] == 4
    assert table.loc["share", "change_month"] == pytest.approx(0.05)  # 0.25 - 0.20, percentage points
    assert table.loc["share", "change_kind"] == "points" and math.isnan(table.loc["share", "change_year"])
    assert skipped == []


def test_area_changes_skip_months_before_the_data_and_months_that_fail(workspace):
    values = {"2025-01": {"n": (10.0, "count")}, "2024-12": {"n": (9.0, "count")}}
    # ledger starts 2025-01: December 2024 is not asked for at all
    table, skipped = summary.area_changes(area("alpha", fake_kpis("alpha", values)), ctx("2025-01", workspace))
    assert math.isnan(table["prev_month_value"].iloc[0]) and skipped == []
    # statfin starts 2024-01: December 2024 is asked for, fails with a clear error, and is reported as skipped
    failing = area("alpha", fake_kpis("alpha", values, fail=("2024-12",)), ("statfin",))
    table, skipped = summary.area_changes(failing, ctx("2025-01", workspace))
    assert math.isnan(table["prev_month_value"].iloc[0]) and skipped == ["2024-12"]


def test_collect_gives_ids_titles_in_registry_order():
    one = area("alpha", fake_kpis("alpha", {"2025-06": {"a": (1.0, "eur")}}))
    two = area("beta", fake_kpis("beta", {"2025-06": {"b": (2.0, "eur")}}))
    table, _ = summary.collect(ctx(), [two, one])
    assert table["id"].tolist() == ["beta.b", "alpha.a"]
    assert table["area_title"].tolist() == ["Sivu beta", "Sivu alpha"]
    page = FakeArea("summary", "00_summary.ipynb", "Yhteenveto", "-", (), None)
    assert summary.kpi_areas([page, one]) == [one] and summary.pages([page, one]) == [one]


# ---- disclosure, headline, biggest changes -------------------------------------------------------------------------


def kpi_table(rows: list[tuple[str, float, float, float, str]]) -> pd.DataFrame:
    """A collected table from (id, value, previous month, previous year, unit)."""
    table = pd.DataFrame(rows, columns=["id", "value", "prev_month_value", "prev_year_value", "unit"])
    table["kpi"] = table["id"].str.split(".").str[1]
    table["label"] = "Luku " + table["kpi"]
    table["area_title"] = "Sivu " + table["id"].str.split(".").str[0]
    table["status"] = "none"
    table["change_kind"] = ["points" if u == "share" else "relative" for u in table["unit"]]
    table["change_month_kind"] = [
        change_kind(p, u, MATERIALITY.min_base) for p, u in zip(table["prev_month_value"], table["unit"], strict=True)
    ]
    table["change_month"] = [
        change(p, v, u, k)
        for v, p, u, k in zip(
            table["value"], table["prev_month_value"], table["unit"], table["change_month_kind"], strict=True
        )
    ]
    table["change_year"] = math.nan
    table["change_year_kind"] = table["change_kind"]
    return table


def test_disclose_hides_small_counts_of_people_and_their_changes():
    table = kpi_table(
        [
            ("alpha.small", 3, 10, 20, "count"),  # 3 is hidden, so are both changes
            ("alpha.grew", 12, 4, 8, "count"),  # 4 a month ago: the month's change would reveal it
            ("alpha.zero", 0, 0, 0, "count"),  # zero reveals nobody
            ("alpha.actions", 2, 1, 1, "count"),  # listed as a count of things
            ("alpha.share", 0.03, 0.02, 0.01, "share"),
        ]
    )
    out = summary.disclose(table, RULE, ["alpha.actions"]).set_index("id")
    assert out.loc["alpha.small", ["value_hidden", "change_month_hidden", "change_year_hidden"]].tolist() == [
        True,
        True,
        True,
    ]
    assert out.loc["alpha.grew", ["value_hidden", "change_month_hidden", "change_year_hidden"]].tolist() == [
        False,
        True,
        False,
    ]
    for kpi in ("alpha.zero", "alpha.actions", "alpha.share"):
        assert not out.loc[kpi, ["value_hidden", "change_month_hidden", "change_year_hidden"]].any()


def test_headline_in_parameter_order_and_unknown_id_is_one_line():
    table = kpi_table([("beta.share", 0.3, 0.2, 0.1, "share"), ("alpha.euros", 5.0, 4.0, 3.0, "eur")])
    assert summary.headline(table, SETTINGS)["id"].tolist() == ["alpha.euros", "beta.share"]
    wrong = SETTINGS.model_copy(update={"headline": ["alpha.euros", "alpha.nope"]})
    with pytest.raises(ParameterError) as error:
        summary.headline(table, wrong)
    message = str(error.value)
    assert "\n" not in message and "'alpha.nope'" in message and "area 'alpha' has: euros" in message


def test_biggest_changes_are_the_most_material_with_exclusions():
    table = kpi_table(
        [
            ("alpha.up", 150, 100, 1, "eur"),  # +50 € and +50 %: 5 times both thresholds
            ("alpha.ytd", 1000, 1, 1, "eur"),  # +99 900 %, but a year-to-date sum: left out by the parameter
            ("alpha.small", 10, 3, 1, "count"),  # from a hidden count: left out
            ("beta.down", 100, 200, 1, "eur"),  # −100 € and −50 %: materiality min(10, 5) = 5, after alpha.up
            ("beta.share", 0.26, 0.20, 0.1, "share"),  # +6 points: 3 times the 2 points (its +30 % is not used)
            ("beta.count", 24, 20, 1, "count"),  # +4 people and +20 %: min(2, 2) = 2
            ("beta.from_zero", 5, 0, 1, "count"),  # from zero: +5 people, 2.5 times the 2 (no relative size)
            ("beta.same", 7, 7, 1, "count"),  # no change
            ("beta.new", 9, math.nan, 1, "count"),  # no previous value
        ]
    )
    disclosed = summary.disclose(table, RULE, [])
    top = summary.biggest_changes(disclosed, SETTINGS)
    assert top["id"].tolist() == ["alpha.up", "beta.down", "beta.share"]
    assert top["materiality"].tolist() == pytest.approx([5.0, 5.0, 3.0])
    more = summary.biggest_changes(disclosed, SETTINGS.model_copy(update={"biggest_changes": 9}))
    assert more["id"].tolist()[3:] == ["beta.from_zero", "beta.count"]  # 2.5 and 2; nothing else is material
    unknown = SETTINGS.model_copy(update={"not_in_changes": ["alpha.gone"]})
    with pytest.raises(ParameterError, match=r"areas\.summary\.not_in_changes"):
        summary.biggest_changes(disclosed, unknown)


def test_materiality_keeps_trivia_out_of_the_headlines():
    """The cases seen on main's front page, under the repository's parameters: one more finished action (1 → 2,
    "+100,0 %") and a rate moving from 2,0 % to 2,7 % ("+38,3 %") are not among the biggest changes; 109 → 552
    grant recipients is, and it is written without shouting."""
    settings = PARAMS.areas.summary.model_copy(update={"not_in_changes": []})
    table = kpi_table(
        [
            ("knowledge.plan_actions_done", 2, 1, 1, "count"),
            ("immigrants.move_rate", 0.027, 0.0195, 0.019, "share"),
            ("immigrants.moved_to_occupation_teams", 22, 16, 13, "count"),
            ("grants.grant_recipients", 552, 109, 581, "count"),
        ]
    )
    top = summary.biggest_changes(summary.disclose(table, RULE, ["knowledge.plan_actions_done"]), settings)
    assert top["id"].tolist() == ["grants.grant_recipients"]
    sentence = summary_text.change_sentence(top.to_dict("records")[0]).replace("\u202f", " ").replace("\u00a0", " ")
    assert sentence == "Luku grant_recipients (Sivu grants): 109 → 552 (+443; +406 %)"


def test_status_counts_per_area():
    table = kpi_table([("alpha.a", 1, 1, 1, "eur"), ("alpha.b", 1, 1, 1, "eur"), ("beta.c", 1, 1, 1, "eur")])
    table["status"] = ["ok", "alert", "none"]
    counts = summary.status_counts(table).set_index("area_title")
    assert counts.loc["Sivu alpha", ["ok", "warn", "alert", "none", "targeted"]].tolist() == [1, 0, 1, 0, 2]
    assert counts.loc["Sivu beta", ["ok", "none", "targeted"]].tolist() == [0, 1, 0]


# ---- texts and charts ------------------------------------------------------------------------------------------


def test_display_uses_symbols_words_and_the_disclosure_symbol():
    table = kpi_table([("alpha.small", 3, 10, math.nan, "count"), ("alpha.late", 1, 0, math.nan, "count")])
    table["target"] = [math.nan, 0.0]
    table["status"] = ["none", "alert"]
    disclosed = summary.disclose(table, RULE, ["alpha.late"])
    shown = summary_text.headline_display(disclosed, RULE)
    assert shown.loc[0, "Arvo"] == ".." and shown.loc[0, "Muutos edell. kk"] == ".."
    assert shown.loc[1, "Arvo"] == "1" and shown.loc[1, "Tila"] == "✖\u00a0poikkeama"
    assert shown.loc[1, "Muutos edell. kk"] == "+1"  # from zero: the difference (main wrote "ed. 0")
    assert shown.loc[1, "Tavoite"] == "–" and shown.loc[0, "Tavoite"] == "."  # zero target; no target
    tiles = summary_text.tiles(disclosed, RULE)
    assert tiles[0]["value"] == ".." and tiles[0]["target"] == "ei tavoitetta"
    assert tiles[1]["target"] == "tavoite 0" and tiles[1]["status_text"] == "✖\u00a0poikkeama"
    assert tiles[1]["changes"] == "kk: +1   vuosi: ei vertailua"


def test_tiles_say_no_change_in_words():
    table = kpi_table([("alpha.late", 0, 0, 0, "count"), ("alpha.rate", 0.5, 0.5, math.nan, "share")])
    table["target"] = [0.0, 0.6]
    table["status"] = ["ok", "alert"]
    tiles = summary_text.tiles(summary.disclose(table, RULE, ["alpha.late"]), RULE)
    assert [t["changes"] for t in tiles] == ["kk: ei muutosta   vuosi: ei vertailua"] * 2  # main: "kk: ed. 0"
    assert tiles[0]["value"] == "0"  # a chart has no symbol legend: a zero is a number there
    figure = summary_charts.kpi_tiles(tiles, title="Otsikko")
    assert any(t.get_text() == "✖\u00a0poikkeama" for ax in figure.axes for t in ax.texts)
    plt.close(figure)


def test_describe_names_off_target_kpis_and_changes():
    table = kpi_table([("alpha.a", 150, 100, 1, "eur"), ("alpha.b", 0.3, 0.2, 1, "share"), ("beta.c", 1, 1, 1, "eur")])
    table["status"] = ["ok", "alert", "warn"]
    changes = summary.biggest_changes(
        summary.disclose(table, RULE, []), SETTINGS.model_copy(update={"not_in_changes": []})
    )
    text = summary_text.describe(P("2025-06"), table, changes, [])
    assert text[0] == "Tavoitteellisista otsikkotunnusluvuista 1/3 on tavoitteessa kesäkuussa 2025."
    assert text[1] == "Lähellä rajaa: luku c." and text[2] == "Tavoitteesta poikkeaa: luku b."
    # alpha.a +50 € / +50 %: 5 times its thresholds; alpha.b +10 points: 5 times 2 points, a tie: registry order
    shown = text[3].replace("\u00a0", " ")  # no-break spaces before units
    assert shown.startswith(
        "Suurimmat muutokset edellisestä kuukaudesta: Luku a (Sivu alpha): 100 € → 150 € (+50 €; +50,0 %)"
    )
    assert "Luku b (Sivu alpha): 20,0 % → 30,0 % (+10,0 %-yks.)" in shown
    counts = summary.status_counts(table)
    titles = summary_text.figure_texts(
        P("2025-06"), table, counts, summary_text.tiles(summary.disclose(table.assign(target=1.0), RULE, []), RULE)
    )
    assert titles["status"]["title"] == "1/3 tavoitteellisesta tunnusluvusta on tavoitteessa kesäkuussa 2025"
    assert titles["tiles"]["title"].startswith("2/3 otsikkotunnusluvusta ei ole tavoitteessa")
    figure = summary_charts.status_bars(
        counts, labels={s: summary_text.status_text(s) for s in summary.STATUSES}, title="Otsikko"
    )
    assert [t.get_text() for t in figure.axes[0].get_yticklabels()] == ["Sivu alpha", "Sivu beta"]
    plt.close(figure)


# ---- parameters ------------------------------------------------------------------------------------------------


def params_with(tmp_path: Path, **summary_settings: object) -> Path:
    folder = tmp_path / "params"
    shutil.copytree(REPO / "params", folder)
    data = yaml.safe_load((folder / "defaults.yaml").read_text(encoding="utf-8"))
    data["areas"]["summary"].update(summary_settings)
    (folder / "defaults.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({"headline": ["nowhere.kpi"]}, "unknown area in KPI id 'nowhere.kpi'"),
        ({"headline": ["budget.forecast_total_eur"] * 2}, "duplicate"),
        ({"headline": [f"budget.k{i}" for i in range(9)]}, "at most 8"),
        ({"headline": ["Budget forecast"]}, "pattern"),
        ({"non_person_counts": ["nowhere.kpi"]}, "unknown area"),
    ],
)
def test_summary_parameters_are_checked_on_load(tmp_path: Path, settings: dict, expected: str):
    with pytest.raises(ParameterError) as error:
        load_params(2025, params_with(tmp_path, **settings))
    message = str(error.value)
    assert "\n" not in message and "areas.summary" in message and expected in message


# ---- the registered areas on the demo data -----------------------------------------------------------------------


def test_budget_and_knowledge_through_the_registry(demo_workspace):
    period = P("2025-06")
    context = Context(period, load_params(2025, demo_workspace.params_dir), demo_workspace)
    chosen = [a for a in AREAS if a.id in ("budget", "knowledge")]
    table, skipped = summary.collect(context, chosen)
    assert skipped == [] and set(table["id"].str.split(".").str[0]) == {"budget", "knowledge"}
    ids = [i for i in context.params.areas.summary.headline if i.split(".")[0] in ("budget", "knowledge")]
    top = summary.headline(table, context.params.areas.summary.model_copy(update={"headline": ids}))
    assert top["id"].tolist() == ids
    late = table.set_index("id").loc["knowledge.plan_actions_late"]
    # the demo: T5.3 became late in June 2025 (due 31.5.), nothing was late at the end of May
    assert (late["value"], late["prev_month_value"], late["status"]) == (1.0, 0.0, "alert")
    forecast = table.set_index("id").loc["budget.forecast_total_eur"]
    assert forecast["change_month"] == pytest.approx(forecast["value"] / forecast["prev_month_value"] - 1)
    assert math.isnan(forecast["prev_year_value"])  # June 2024 is before the ledger's first month


def test_every_headline_and_listed_id_exists_in_the_registered_areas(demo_workspace):
    """The parameters name KPIs of whatever areas are registered: each id must exist in its area's KPI table."""
    context = Context(P("2025-06"), load_params(2025, demo_workspace.params_dir), demo_workspace)
    table, _ = summary.collect(context)
    settings = context.params.areas.summary
    for key, ids in (
        ("headline", settings.headline),
        ("not_in_changes", settings.not_in_changes),
        ("non_person_counts", settings.non_person_counts),
    ):
        summary.check_ids(table, ids, f"areas.summary.{key}")
    assert len(summary.headline(table, settings)) == len(settings.headline) <= 8
    # a sum from the start of the year must not compete as a "change of the month" (see params/defaults.yaml)
    year_to_date = table[table["label"].str.contains("vuoden alusta") | table["id"].str.contains("ytd")]
    assert sorted(set(year_to_date["id"]) - set(settings.not_in_changes)) == []


# ---- the page ------------------------------------------------------------------------------------------------

NOTEBOOK = REPO / "notebooks" / "00_summary.ipynb"


def test_notebook_runs_cleanly(run_page):
    assert AREAS[0].id == "summary" and AREAS[0].notebook == NOTEBOOK.name
    page = run_page(NOTEBOOK.name, "2025-11")
    assert [Path(p).stem for _, p in page.images] == ["summary-headline", "summary-cities", "summary-status-by-area"]
    assert all(len(alt) > 80 and (page.folder / p).is_file() for alt, p in page.images)
    assert "Tietosuojan vuoksi" in page.markdown and "suurinta muutosta" in page.markdown
