"""The benchmark: its arithmetic (spreads, per-pair ratios, the floor), its set-up (fabricated archives, the
notebooks' imports), its measurement of a process tree, its outputs, and one quick end-to-end run of every
scenario on a one-cell fixture notebook (the real notebooks take minutes; `make bench` runs them)."""

from __future__ import annotations

import csv
import json
import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from serviceplan.bench import cli, floor, measure, pipelines, report, runner, stats, workspaces
from serviceplan.bench import config as bench_config
from serviceplan.bench import results as bench_results
from serviceplan.cli import main
from serviceplan.core.errors import UsageError
from serviceplan.core.paths import Workspace
from serviceplan.core.periods import Period
from serviceplan.metrics.areas import Area
from serviceplan.publish import render as rd
from serviceplan.publish import versions

TINY = Area("bench_fx", "bench_fx.ipynb", "Testisivu", "-", (), None)


def notebook(cells: list[tuple[str, str, list[str]]]) -> dict:
    """A minimal nbformat 4.5 notebook from (cell type, source, tags)."""
    return {
        "cells": [
            {
                "cell_type": kind,
                "id": f"c{index}",
                "metadata": {"tags": tags},
                "source": source,
                **({"execution_count": None, "outputs": []} if kind == "code" else {}),
            }
            for index, (kind, source, tags) in enumerate(cells)
        ],
        "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }


def write_tiny_notebook(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / TINY.notebook
    cells = [
        ("markdown", "# Testisivu", []),
        ("code", "period = None\nworkspace = None", ["parameters"]),
        ("code", "import json\nprint(json.dumps({'period': period}))", []),
    ]
    path.write_text(json.dumps(notebook(cells)), encoding="utf-8")
    return path


def sample(variant: str, repetition: int, wall: float, ok: bool = True, scenario: str = "month", size: int = 0):
    return measure.Sample(scenario, variant, repetition, size, wall, wall / 2, 100.0 + repetition, ok, 1.0)


# --- arithmetic ----------------------------------------------------------------------------------------------------


def test_spread_is_median_min_and_max() -> None:
    value = stats.spread([3.0, 1.0, 2.0, 10.0])
    assert value == stats.Spread(2.5, 1.0, 10.0, 4)
    assert value.text() == "2.5 s (1.0–10.0)"
    assert stats.spread([4.0]).text("×", 2) == "4.00 ×"
    assert stats.spread([]) is None


def test_pair_ratios_use_each_repetition_once_and_skip_failures() -> None:
    samples = [
        sample("naive", 0, 30.0),
        sample("cold", 0, 10.0),
        sample("cold", 1, 12.0),
        sample("naive", 1, 24.0),
        sample("naive", 2, 50.0, ok=False),  # a failed run has no ratio
        sample("cold", 2, 10.0),
        sample("naive", 3, 40.0),  # no partner
    ]
    assert stats.pair_ratios(samples, "naive", "cold") == [3.0, 2.0]
    assert stats.spread(stats.pair_ratios(samples, "naive", "cold")) == stats.Spread(2.5, 2.0, 3.0, 2)


def test_floor_is_kernel_and_imports_times_notebooks_over_workers() -> None:
    assert stats.floor_seconds(4.0, 9, 2) == 18.0
    assert stats.floor_seconds(3.0, 1, 1) == 3.0
    with pytest.raises(ValueError, match="workers"):
        stats.floor_seconds(3.0, 9, 0)


def test_pairs_alternate_and_archive_sizes_change_direction() -> None:
    assert [stats.alternating("naive", "serviceplan", r) for r in range(3)] == [
        ("naive", "serviceplan"),
        ("serviceplan", "naive"),
        ("naive", "serviceplan"),
    ]
    assert stats.rotated((12, 1, 24, 6), 0) == [1, 6, 12, 24]
    assert stats.rotated((12, 1, 24, 6), 1) == [24, 12, 6, 1]


def test_summary_ratios_floor_and_archive_growth(tmp_path: Path) -> None:
    config = bench_config.BenchConfig(
        source=Workspace(REPO), out_dir=tmp_path, period=Period(2026, 6), repeat=2, archive_sizes=(1, 24),
        range_months=12, jobs=2, areas=(TINY, TINY, TINY, TINY),
    )  # fmt: skip
    results = bench_results.Results(config, machine={"cpus": 2, "memory_gib": 8.0, "python": "3.11", "quarto": None})
    results.samples = [
        sample("naive", 0, 60.0),
        sample("cold", 0, 20.0),
        sample("warm", 0, 1.0),
        sample("naive", 1, 66.0),
        sample("cold", 1, 30.0),
        sample("warm", 1, 2.0),
        sample("kernel", 0, 1.0, scenario="floor"),
        sample("kernel+imports", 0, 4.0, scenario="floor"),
        sample("kernel+imports", 1, 6.0, scenario="floor"),
        sample("serviceplan", 0, 20.0, scenario="archive", size=1),
        sample("serviceplan", 1, 22.0, scenario="archive", size=1),
        sample("serviceplan", 0, 23.1, scenario="archive", size=24),
        sample("serviceplan", 0, 180.0, scenario="range", size=12),
    ]
    lines = {line.what: line for line in report.summarize(results)}
    cold = lines["serviceplan run, cold"]
    assert cold.wall == stats.Spread(25.0, 20.0, 30.0, 2)
    assert cold.ratio == stats.Spread(2.6, 2.2, 3.0, 2)  # 60/20 = 3.0 and 66/30 = 2.2
    assert lines["serviceplan run, unchanged re-run"].ratio == stats.Spread(46.5, 33.0, 60.0, 2)
    floor = lines["floor = that × 4 notebooks / 2 workers"]
    assert floor.wall == stats.Spread(10.0, 8.0, 12.0, 2)  # median 5 s × 4 / 2; min 4 s, max 6 s
    assert floor.ratio == stats.Spread(2.5, 2.0, 3.0, 2)  # cold 25 s / 10 s (20/10, 30/10)
    assert floor.cpu == stats.Spread(10.0, 8.0, 12.0, 2)  # CPU is half the wall here: 2.5 s median (2, 3) × 4
    assert floor.cpu_ratio.median == pytest.approx(12.5 / 10.0)  # cold CPU median 12.5 s
    assert cold.cpu_ratio == stats.Spread(2.6, 2.2, 3.0, 2)
    growth = lines["publish 2026-06 with 24 published"]
    assert growth.ratio.median == pytest.approx(1.1)  # 23.1 s against the median 21 s with one published
    assert lines["range of 12 months"].wall.median == 180.0
    per_month = lines["  range: per month"]
    assert (per_month.wall.median, per_month.cpu.median) == (15.0, 7.5)  # 180 s and 90 s CPU over 12 months
    assert per_month.ratio.median == pytest.approx(15.0 / 25.0)  # 180/12 per month vs cold 25
    assert lines["with Quarto (site + PDF): skipped, no Quarto on PATH"].wall is None

    written = report.write_results(results, list(lines.values()), tmp_path / "out")
    with written["samples"].open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(results.samples)
    assert rows[1]["variant"] == "cold" and float(rows[1]["wall_s"]) == 20.0
    with written["summary"].open(encoding="utf-8") as handle:
        summary = {row["what"]: row for row in csv.DictReader(handle)}
    assert summary["serviceplan run, cold"]["ratio"] == "2.600"
    assert written["chart"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads(written["machine"].read_text(encoding="utf-8"))["workers"] == 2


# --- set-up ------------------------------------------------------------------------------------------------------


def test_notebook_imports_are_collected_once_in_order(tmp_path: Path) -> None:
    first, second = tmp_path / "a.ipynb", tmp_path / "b.ipynb"
    first.write_text(
        json.dumps(
            notebook(
                [
                    ("markdown", "import not_code", []),
                    ("code", "period = None", ["parameters"]),
                    ("code", "import json\nfrom pathlib import Path as P\nx = 1\nif x:\n    import csv", []),
                ]
            )
        ),
        encoding="utf-8",
    )
    second.write_text(
        json.dumps(notebook([("code", "%matplotlib inline\nimport os", []), ("code", "import json, os", [])])),
        encoding="utf-8",
    )
    assert runner.notebook_imports([first, second]) == [
        "import json",
        "from pathlib import Path as P",
        "import json, os",
    ]


def test_fabricated_archive_is_listed_and_cached(tmp_path: Path) -> None:
    donor = tmp_path / "donor" / "2026-06"
    (donor / "preview").mkdir(parents=True)
    (donor / "preview" / "index.html").write_text("<p>x</p>", encoding="utf-8")
    (donor / "manifest.json").write_text(
        json.dumps({"version": "2026-06", "period": "2026-06", "created": "2026-07-02T08:00:00Z",
                    "render": {"preview": "preview/index.html"}}),
        encoding="utf-8",
    )  # fmt: skip
    cache = []
    for key in ("k1", "k2"):
        entry = tmp_path / "donor" / ".cache" / key
        entry.mkdir(parents=True)
        (entry / "notebook.ipynb").write_text("{}", encoding="utf-8")
        cache.append(entry)
    ws = Workspace(tmp_path / "ws")
    periods = [Period(2026, 6).shift(-k) for k in range(3, 0, -1)]
    workspaces.fabricate_archive(ws, donor, cache, periods)
    assert [v.name for v in versions.list_versions(ws)] == ["2026-03", "2026-04", "2026-05"]
    assert versions.list_versions(ws)[0].manifest()["period"] == "2026-03"
    assert len(list((ws.reports_dir / ".cache").iterdir())) == 3 * 2
    entries = rd.landing_entries(ws)
    assert [e["name"] for e in entries] == ["2026-05", "2026-04", "2026-03"]
    assert entries[0]["report"] == "2026-05/preview/index.html"


def test_command_lines_of_both_pipelines(tmp_path: Path) -> None:
    ws = Workspace(tmp_path / "ws")
    (ws.root / "naive" / "2026-05").mkdir(parents=True)
    (ws.root / "naive" / "2026-05" / "a.ipynb").write_text("{}", encoding="utf-8")
    config = bench_config.BenchConfig(source=ws, out_dir=tmp_path, jobs=2)
    commands = pipelines.naive_commands(ws, Period(2026, 6), [TINY])
    assert Path(commands[0][0]).name.startswith("papermill")
    assert commands[0][1:9] == [
        str(ws.notebooks_dir / TINY.notebook),
        str(ws.root / "naive" / "2026-06" / TINY.notebook),
        "-p",
        "period",
        "2026-06",
        "-p",
        "workspace",
        str(ws.root),
    ]
    render = pipelines.naive_render_commands(ws, quarto=None)
    assert len(render) == 1  # 2026-06 has no executed notebook yet; 2026-05 has one
    assert render[0][-1] == str(ws.root / "naive" / "2026-05" / "a.ipynb")
    shutil.copy2(REPO / "_quarto.yml", ws.quarto_config)
    assert pipelines.naive_render_commands(ws, quarto="quarto") == [["quarto", "render", str(ws.root / "naive")]]
    project = yaml.safe_load((ws.root / "naive" / "_quarto.yml").read_text(encoding="utf-8"))
    shared = yaml.safe_load(ws.quarto_config.read_text(encoding="utf-8"))
    assert project["project"] == {"type": "website", "render": ["*/*.ipynb"]}  # every executed notebook
    assert project["format"] == shared["format"] and set(project["format"]) == {"html", "typst"}  # site and PDF
    assert project["execute"]["enabled"] is False and project["lang"] == "fi"
    real = pipelines.serviceplan_command(config, ws, "2026-06", revise="why")
    assert real[1:] == ["-m", "serviceplan.cli", "--workspace", str(ws.root), "run", "2026-06", "--jobs", "2",
                        "--revise", "why"]  # fmt: skip
    driver = pipelines.serviceplan_command(replace(config, areas=(TINY,)), ws, "2026-05..2026-06")
    assert driver[1:3] == ["-m", "serviceplan.bench.driver"]
    assert json.loads(driver[driver.index("--areas-json") + 1])[0]["notebook"] == TINY.notebook


# --- measuring ---------------------------------------------------------------------------------------------------


def test_run_measured_sees_time_cpu_and_memory_of_children(tmp_path: Path) -> None:
    burn = (
        "import subprocess, sys, time\n"
        "child = subprocess.Popen([sys.executable, '-c', "
        "'import time\\nb = bytearray(80 * 2**20)\\nfor i in range(0, len(b), 4096): b[i] = 1\\ntime.sleep(0.6)'])\n"
        "t = time.process_time()\n"
        "while time.process_time() - t < 0.4: pass\n"
        "child.wait()\n"
    )
    usage = measure.run_measured([sys.executable, "-c", burn], cwd=tmp_path, log=tmp_path / "log.txt")
    assert usage.ok and not usage.failed
    assert usage.wall_s >= 0.6
    assert usage.cpu_s >= 0.3  # the parent's busy loop (the sampler may miss the last tenth of a second)
    assert usage.peak_rss_mb >= 80  # the grandchild's 80 MB, touched page by page, while both ran
    failed = measure.run_measured([sys.executable, "-c", "raise SystemExit(3)"], cwd=tmp_path, log=tmp_path / "f.txt")
    assert not failed.ok and "exited with 3" in failed.failed[0]
    assert "(exit code 3" in (tmp_path / "f.txt").read_text(encoding="utf-8")


# --- the command line ----------------------------------------------------------------------------------------------


def test_command_line_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser()
    cli.add_arguments(parser)
    ws = Workspace(tmp_path)
    config = cli.config_from_args(parser.parse_args(["--quick", "--areas", "grants,budget"]), ws)
    assert (config.repeat, config.archive_sizes, config.range_months) == (1, (1, 2), 2)
    assert [a.id for a in config.areas] == ["grants", "budget"]
    assert config.out_dir == (tmp_path / "bench" / "results").resolve()
    full = cli.config_from_args(parser.parse_args(["--archive", "24,1,6", "--repeat", "5"]), ws)
    assert (full.repeat, full.archive_sizes, full.range_months, full.areas) == (5, (1, 6, 24), 12, None)
    with pytest.raises(UsageError, match="unknown area"):
        cli.config_from_args(parser.parse_args(["--areas", "nope"]), ws)
    assert main(["--workspace", str(tmp_path), "bench", "--repeat", "0"]) == 2
    assert "--repeat must be 1 or more" in capsys.readouterr().err


# --- end to end ----------------------------------------------------------------------------------------------------


class FakeRuns:
    """Stands in for the measured commands: records them, and publishes a version for a ``serviceplan run``."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, int]] = []  # (what, argument, versions published before)
        self.quarto: list[str | None] = []  # for each call, the `quarto` its PATH leads to

    def __call__(self, command, *, cwd, log, env=None) -> measure.Usage:
        command = [str(part) for part in command]
        self.quarto.append(shutil.which("quarto", path=(env or {}).get("PATH", "")))
        if "--workspace" in command:
            ws = Workspace(Path(command[command.index("--workspace") + 1]))
            periods = command[command.index("--areas-json") + 2]
            kind = "revise" if "--revise" in command else "run"
            self.calls.append((kind, periods, len(versions.list_versions(ws))))
            last = periods.split("..")[-1]
            folder = ws.reports_dir / last
            if not folder.exists():
                folder.mkdir(parents=True)
                (folder / "manifest.json").write_text(json.dumps({"version": last, "period": last}), encoding="utf-8")
                (ws.reports_dir / ".cache" / f"key-{last}").mkdir(parents=True)
        elif Path(command[0]).name.startswith("papermill"):
            Path(command[2]).write_text("{}", encoding="utf-8")
            self.calls.append(("papermill", Path(command[1]).name, 0))
        else:
            self.calls.append((Path(command[0]).name, "", 0))
        return measure.Usage(1.0, 0.5, 50.0)


def run_faked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runs: FakeRuns | None = None, **options: object
) -> tuple[FakeRuns, bench_results.Results]:
    """The benchmark of a one-cell notebook on three placeholder months, its measured commands faked."""
    raw = tmp_path / "raw"
    for month in ("2026-04", "2026-05", "2026-06"):
        (raw / month).mkdir(parents=True)
        (raw / month / "placeholder.csv").write_text("x\n", encoding="utf-8")
    fake = runs or FakeRuns()
    monkeypatch.setattr(runner, "run_measured", fake)
    monkeypatch.setattr(measure, "run_measured", fake)  # what run_sequence calls
    monkeypatch.setattr(runner, "kernel_start_and_run", lambda code, cwd, env: floor.KernelTiming(1.0, 3.0, 0.5, 2.0))
    monkeypatch.setattr(pipelines, "_tool", lambda name: name)
    config = bench_config.BenchConfig(
        source=Workspace(REPO), out_dir=tmp_path / "results", repeat=2, archive_sizes=(3, 1), range_months=3,
        areas=(TINY,), notebooks=write_tiny_notebook(tmp_path / "notebooks").parent, raw_data=raw,
        work_dir=tmp_path / "work", probes=("json",),
    )  # fmt: skip
    return fake, runner.Bench(replace(config, **options), say=lambda text: None).run()


def test_scenarios_run_in_alternating_order_on_archives_of_each_size(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The order of the measured commands, and what each one sees, with the commands themselves faked."""
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))  # no Quarto on PATH
    fake, results = run_faked(tmp_path, monkeypatch)
    assert results.config.period == Period(2026, 6)
    assert fake.calls == [
        ("python", "", 0),  # python -c "import json", repetition 0
        ("python", "", 0),  # repetition 1
        # repetition 0: naive first (execute, render), then serviceplan cold, warm, revise
        ("papermill", TINY.notebook, 0),
        ("jupyter-nbconvert", "", 0),
        ("run", "2026-06", 0),
        ("run", "2026-06", 1),
        ("revise", "2026-06", 1),
        # repetition 1: serviceplan first
        ("run", "2026-06", 0),
        ("run", "2026-06", 1),
        ("revise", "2026-06", 1),
        ("papermill", TINY.notebook, 0),
        ("jupyter-nbconvert", "", 0),
        # archive growth: ascending sizes, then descending; each run sees its fabricated archive
        ("run", "2026-06", 1),
        ("run", "2026-06", 3),
        ("run", "2026-06", 3),
        ("run", "2026-06", 1),
        ("run", "2026-04..2026-06", 0),
    ]
    kinds = [(s.scenario, s.variant) for s in results.samples]
    assert kinds.count(("month", "naive")) == 2 and kinds.count(("floor", "kernel+imports")) == 2
    naive = results.of("month", "naive")[0]
    assert (naive.wall_s, naive.cpu_s) == (2.0, 1.0)  # papermill + nbconvert, 1 s and 0.5 s CPU each
    # the stand-in kernel was measured, not a real one (its patch reached the runner)
    assert {s.wall_s for s in results.of("floor", "kernel+imports")} == {3.0}
    assert not list((tmp_path / "work").iterdir())
    assert set(fake.quarto) == {None}
    assert not results.of("month", "cold-quarto") and "Quarto was not found on PATH" in results.notes[0]


def fake_quarto(folder: Path) -> Path:
    """A stand-in `quarto` that only answers `--version` (1.7.34); the harness test below never runs its render."""
    folder.mkdir(parents=True)
    script = folder / "quarto"
    script.write_text('#!/bin/sh\n[ "$1" = "--version" ] && echo 1.7.34 && exit 0\nexit 3\n', encoding="utf-8")
    script.chmod(0o755)
    return script


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in quarto is a POSIX shell script")
def test_hidden_quarto_is_no_quarto_for_the_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    quarto = fake_quarto(tmp_path / "quarto-bin")
    monkeypatch.setenv("PATH", str(quarto.parent))
    assert rd.find_quarto()[0] == rd.Quarto(str(quarto), "1.7.34")
    hidden = workspaces.hide_quarto({"PATH": os.environ["PATH"]}, tmp_path / "no-quarto")
    monkeypatch.setenv("PATH", hidden["PATH"])
    assert rd.find_quarto() == (None, None)  # what the batch sees: previews instead of the site and PDF


@pytest.mark.skipif(sys.platform == "win32", reason="the stand-in quarto is a POSIX shell script")
def test_harness_with_quarto_measures_the_month_with_it_and_hides_it_elsewhere(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A harness test (Quarto is not installed here): with a `quarto` on PATH, each repetition adds the naive
    `quarto render` of the project and a cold `serviceplan run` that finds Quarto, in the alternating order;
    every other measured command finds only the benchmark's failing stand-in, so the no-Quarto figures stay
    comparable. The commands are faked: what Quarto makes of the project is not checked here."""
    quarto = fake_quarto(tmp_path / "quarto-bin")
    monkeypatch.setenv("PATH", os.pathsep.join([str(quarto.parent), os.environ.get("PATH", "")]))
    fake, results = run_faked(tmp_path, monkeypatch, archive_sizes=(1,), range_months=0, probes=())
    month = [(call, found) for call, found in zip(fake.calls, fake.quarto, strict=True)]
    hidden = {found for call, found in month if call[0] != "quarto" and call != ("run", "2026-06", 0)}
    assert len(hidden) == 1 and Path(hidden.pop()).parent.name == "no-quarto"
    with_quarto = [call for call, found in month if found == str(quarto)]
    quarto_render, cold = ("quarto", "", 0), ("run", "2026-06", 0)
    assert with_quarto == [quarto_render, cold, cold, quarto_render]  # one of each per repetition, alternating
    assert [call for call, _ in month] == [
        ("papermill", TINY.notebook, 0),  # repetition 0: naive first; the same notebooks rendered twice
        ("jupyter-nbconvert", "", 0),
        ("quarto", "", 0),
        ("run", "2026-06", 0),  # serviceplan: cold, warm, revise without Quarto, then cold with it
        ("run", "2026-06", 1),
        ("revise", "2026-06", 1),
        ("run", "2026-06", 0),
        ("run", "2026-06", 0),  # repetition 1: serviceplan first
        ("run", "2026-06", 1),
        ("revise", "2026-06", 1),
        ("run", "2026-06", 0),
        ("papermill", TINY.notebook, 0),
        ("jupyter-nbconvert", "", 0),
        ("quarto", "", 0),
        ("run", "2026-06", 1),  # archive growth (without Quarto), one per repetition
        ("run", "2026-06", 1),
    ]
    assert [call for call, found in month if call == ("run", "2026-06", 0) and found != str(quarto)] == [
        ("run", "2026-06", 0)
    ] * 2  # the cold runs without Quarto
    lines = {line.what: line for line in report.summarize(results)}
    with_it = lines["with Quarto: serviceplan run, cold (site + PDF)"]
    assert with_it.wall.n == 2 and with_it.ratio.median == pytest.approx(2.0)  # papermill + quarto: 2 s vs 1 s
    assert lines["with Quarto: naive 1 × papermill CLI + quarto render"].wall.median == 2.0
    assert results.machine["quarto"] == "1.7.34" and "Quarto 1.7.34 found" in results.notes[0]


def test_quick_benchmark_of_one_month_runs_for_real(tmp_path: Path, demo_raw: Path) -> None:
    """The month scenario and the floor, really run on a one-cell notebook: naive, cold, warm, revise."""
    config = bench_config.BenchConfig(
        source=Workspace(REPO),
        out_dir=tmp_path / "results",
        repeat=1,
        archive_sizes=(),
        range_months=0,
        jobs=2,
        areas=(TINY,),
        notebooks=write_tiny_notebook(tmp_path / "notebooks").parent,
        raw_data=demo_raw,
        work_dir=tmp_path / "work",
        probes=(),
    )
    results, written = runner.run_benchmark(config, say=lambda text: None)
    failed = [s for s in results.samples if not s.ok]
    assert not failed, failed
    assert results.config.period == Period(2026, 6)
    walls = {(s.scenario, s.variant): s for s in results.samples}
    assert set(walls) == {
        ("floor", "kernel"),
        ("floor", "kernel+imports"),
        ("month", "naive"),
        ("month", "naive-execute"),
        ("month", "naive-render"),
        ("month", "cold"),
        ("month", "warm"),
        ("month", "revise"),
    }
    assert walls["month", "naive"].wall_s == pytest.approx(
        walls["month", "naive-execute"].wall_s + walls["month", "naive-render"].wall_s, abs=0.01
    )
    assert walls["month", "warm"].cpu_s < walls["month", "cold"].cpu_s  # nothing to execute
    assert all(s.peak_rss_mb > 10 for s in results.samples if s.scenario == "month")
    assert walls["floor", "kernel+imports"].wall_s >= walls["floor", "kernel"].wall_s
    with written["summary"].open(encoding="utf-8") as handle:
        summary = {row["what"]: row for row in csv.DictReader(handle)}
    assert float(summary["serviceplan run, cold"]["ratio"]) > 0
    assert not list((tmp_path / "work").iterdir())  # throw-away workspaces removed


class FailingArchiveRun(FakeRuns):
    """:class:`FakeRuns` whose run on the archive of 3 months writes to its log and exits with code 1."""

    def __call__(self, command, *, cwd, log, env=None) -> measure.Usage:
        usage = super().__call__(command, cwd=cwd, log=log, env=env)
        if Path(log).name == "archive-3-0.log":
            Path(log).write_text("Traceback: the run broke here\n", encoding="utf-8")
            return measure.Usage(1.0, 0.5, 50.0, ok=False, failed=["exit code 1"])
        return usage


def test_the_logs_of_a_run_with_a_failed_measurement_are_kept_with_the_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    (tmp_path / "results" / runner.FAILED_LOGS).mkdir(parents=True)
    (tmp_path / "results" / runner.FAILED_LOGS / "stale.log").write_text("an earlier run's", encoding="utf-8")
    _, results = run_faked(tmp_path, monkeypatch, FailingArchiveRun(), repeat=1)
    kept = tmp_path / "results" / runner.FAILED_LOGS
    assert [s.size for s in results.samples if not s.ok] == [3]
    assert (kept / "archive-3-0.log").read_text(encoding="utf-8") == "Traceback: the run broke here\n"
    assert not (kept / "stale.log").exists()
    assert any(str(kept) in note for note in results.notes)
    assert not list((tmp_path / "work").iterdir())  # the workspaces are still removed


def test_a_run_without_failures_keeps_no_logs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "no-tools"))
    (tmp_path / "results" / runner.FAILED_LOGS).mkdir(parents=True)
    _, results = run_faked(tmp_path, monkeypatch, repeat=1)
    assert all(s.ok for s in results.samples)
    assert not (tmp_path / "results" / runner.FAILED_LOGS).exists()
