"""The benchmark's results for people: the summary lines (medians and paired ratios), ``samples.csv``,
``summary.csv``, ``machine.json``, the chart and the printed table."""

from __future__ import annotations

import csv
import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path
from typing import Any

from serviceplan.bench.config import CHART_PNG, MACHINE_JSON, SAMPLES_CSV, SUMMARY_CSV
from serviceplan.bench.measure import ROLES, Sample, load_average
from serviceplan.bench.results import Results
from serviceplan.bench.stats import Spread, floor_seconds, pair_ratios, relative, spread


@dataclass(frozen=True)
class Line:
    """One line of the summary table."""

    what: str
    wall: Spread | None
    cpu: Spread | None = None
    peak_mb: Spread | None = None
    ratio: Spread | None = None  # naive / this, per pair (or this / reference, as ``ratio_of`` says)
    cpu_ratio: Spread | None = None  # the same ratio of CPU times
    ratio_of: str = ""
    failed: int = 0
    cpu_roles: tuple[float | None, ...] = ()  # medians of CPU by role (command, kernels, helpers; see ROLES)


def summarize(results: Results) -> list[Line]:
    """The summary: month variants with naive/serviceplan ratios, the floor, archive growth and the range."""
    config = results.config
    samples = results.samples
    notebooks = len(config.area_list)
    lines: list[Line] = []

    def line(scenario: str, variant: str, what: str, size: int | None = None, **extra: Any) -> Line:
        chosen = results.of(scenario, variant, size)
        return Line(
            what,
            spread(s.wall_s for s in chosen),
            spread(s.cpu_s for s in chosen if s.cpu_s is not None),
            spread(s.peak_rss_mb for s in chosen if s.peak_rss_mb is not None),
            failed=len(results.of(scenario, variant, size, ok_only=False)) - len(chosen),
            cpu_roles=tuple(_median_of(chosen, f"cpu_{role}_s") for role in ROLES),
            **extra,
        )

    lines.append(line("month", "naive", f"naive: {notebooks} × papermill CLI + render"))
    lines.append(line("month", "naive-execute", "  naive: papermill CLI only"))
    lines.append(line("month", "naive-render", "  naive: render (nbconvert HTML)"))
    for variant, what in (
        ("cold", "serviceplan run, cold"),
        ("warm", "serviceplan run, unchanged re-run"),
        ("revise", "serviceplan run --revise (all reused)"),
    ):
        ratio = spread(pair_ratios(samples, "naive", variant))
        cpu_ratio = spread(pair_ratios(samples, "naive", variant, measure="cpu_s"))
        lines.append(line("month", variant, what, ratio=ratio, cpu_ratio=cpu_ratio, ratio_of="naive / this"))
    lines.extend(_quarto_lines(results, line))
    lines.append(line("floor", "kernel", "kernel start (one)"))
    lines.append(line("floor", "kernel+imports", "kernel start + notebook imports (one)"))
    both = results.wall("floor", "kernel+imports")
    both_cpu = spread(s.cpu_s for s in results.of("floor", "kernel+imports") if s.cpu_s is not None)
    cold = results.wall("month", "cold")
    cold_cpu = spread(s.cpu_s for s in results.of("month", "cold") if s.cpu_s is not None)
    if both is not None:
        floor = Spread(*(floor_seconds(v, notebooks, config.workers) for v in (both.median, both.low, both.high)),
                       both.n)  # fmt: skip
        floor_cpu = None if both_cpu is None else relative(both_cpu, 1 / notebooks)  # CPU of every notebook's kernel
        lines.append(
            Line(
                f"floor = that × {notebooks} notebooks / {config.workers} workers",
                floor,
                cpu=floor_cpu,
                ratio=relative(cold, floor.median),
                cpu_ratio=relative(cold_cpu, floor_cpu.median if floor_cpu else None),
                ratio_of="cold / floor",
            )
        )
    for module in config.probes:
        if results.of("imports", module):
            lines.append(line("imports", module, f"python -c 'import {module}'"))
    if config.archive_sizes:
        first = min(config.archive_sizes)
        base = results.wall("archive", "serviceplan", first)
        base_cpu = spread(s.cpu_s for s in results.of("archive", "serviceplan", first) if s.cpu_s is not None)
        for size in sorted(config.archive_sizes):
            this = line("archive", "serviceplan", f"publish {config.period or 'a month'} with {size} published", size)
            lines.append(replace(this, ratio=relative(this.wall, base.median if base else None),
                                 cpu_ratio=relative(this.cpu, base_cpu.median if base_cpu else None),
                                 ratio_of=f"this / {first} published"))  # fmt: skip
    if config.range_months:
        months = config.range_months
        this = line("range", "serviceplan", f"range of {months} months", months)
        lines.append(this)
        per_month = Line(
            "  range: per month",
            relative(this.wall, months),
            relative(this.cpu, months),
            failed=this.failed,
            cpu_roles=tuple(None if v is None else v / months for v in this.cpu_roles),
        )
        lines.append(replace(per_month, ratio=relative(per_month.wall, cold.median if cold else None),
                             cpu_ratio=relative(per_month.cpu, cold_cpu.median if cold_cpu else None),
                             ratio_of="per month / cold month"))  # fmt: skip
    return lines


def _quarto_lines(results: Results, line: Callable[..., Line]) -> list[Line]:
    """The month with Quarto (naive ``quarto render`` against ``serviceplan run`` with site and PDF), or one line
    saying it was skipped and why."""
    notebooks = len(results.config.area_list)
    if not (results.of("month", "naive-quarto", ok_only=False) or results.of("month", "cold-quarto", ok_only=False)):
        found = results.machine.get("quarto_found")
        why = f"Quarto {found} is older than 1.7" if found else "no Quarto on PATH"
        return [Line(f"with Quarto (site + PDF): skipped, {why}", None)]
    ratio = spread(pair_ratios(results.samples, "naive-quarto", "cold-quarto"))
    cpu_ratio = spread(pair_ratios(results.samples, "naive-quarto", "cold-quarto", measure="cpu_s"))
    return [
        line("month", "naive-quarto", f"with Quarto: naive {notebooks} × papermill CLI + quarto render"),
        line("month", "naive-quarto-render", "  naive: quarto render of the project (every format)"),
        line("month", "cold-quarto", "with Quarto: serviceplan run, cold (site + PDF)", ratio=ratio,
             cpu_ratio=cpu_ratio, ratio_of="naive / this"),
    ]  # fmt: skip


def _fmt(value: Spread | None, unit: str = "s", digits: int = 1) -> str:
    return "–" if value is None else value.text(unit, digits)


def _median_of(samples: Sequence[Sample], name: str) -> float | None:
    values = [getattr(s, name) for s in samples if getattr(s, name) is not None]
    return statistics.median(values) if values else None


def summary_rows(lines: Sequence[Line]) -> list[dict[str, str]]:
    """The summary as rows of text (for the CSV and the printed table)."""
    rows = []
    for line in lines:
        rows.append(
            {
                "what": line.what,
                "wall_median_s": "" if line.wall is None else f"{line.wall.median:.3f}",
                "wall_min_s": "" if line.wall is None else f"{line.wall.low:.3f}",
                "wall_max_s": "" if line.wall is None else f"{line.wall.high:.3f}",
                "n": "" if line.wall is None else str(line.wall.n),
                "cpu_median_s": "" if line.cpu is None else f"{line.cpu.median:.3f}",
                **{
                    f"cpu_{role}_median_s": "" if value is None else f"{value:.3f}"
                    for role, value in zip(ROLES, line.cpu_roles or (None,) * len(ROLES), strict=True)
                },
                "peak_rss_median_mb": "" if line.peak_mb is None else f"{line.peak_mb.median:.0f}",
                "ratio": "" if line.ratio is None else f"{line.ratio.median:.3f}",
                "ratio_min": "" if line.ratio is None else f"{line.ratio.low:.3f}",
                "ratio_max": "" if line.ratio is None else f"{line.ratio.high:.3f}",
                "cpu_ratio": "" if line.cpu_ratio is None else f"{line.cpu_ratio.median:.3f}",
                "ratio_of": line.ratio_of,
                "failed": str(line.failed),
            }
        )
    return rows


def write_results(results: Results, lines: Sequence[Line], out_dir: Path) -> dict[str, Path]:
    """Write ``samples.csv`` (every measurement), ``summary.csv``, ``machine.json`` and the chart."""
    out_dir.mkdir(parents=True, exist_ok=True)
    samples = out_dir / SAMPLES_CSV
    with samples.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[f.name for f in fields(Sample)])
        writer.writeheader()
        for sample in results.samples:
            writer.writerow(asdict(sample))
    summary = out_dir / SUMMARY_CSV
    rows = summary_rows(lines)
    with summary.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["what"])
        writer.writeheader()
        writer.writerows(rows)
    machine = out_dir / MACHINE_JSON
    record = {
        **results.machine,
        "load1_at_end": load_average(),
        "period": str(results.config.period or ""),
        "repeat": results.config.repeat,
        "workers": results.config.workers,
        "notebooks": [a.notebook for a in results.config.area_list],
        "notes": results.notes,
    }
    machine.write_text(json.dumps(record, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    chart = write_chart(results, out_dir / CHART_PNG)
    return {"samples": samples, "summary": summary, "machine": machine, "chart": chart}


def _cpu(results: Results, scenario: str, variant: str, size: int | None = None) -> Spread | None:
    return spread(s.cpu_s for s in results.of(scenario, variant, size) if s.cpu_s is not None)


def write_chart(results: Results, path: Path) -> Path:
    """Three panels: one month (wall medians with min–max bars, CPU as diamonds, and the floor), the cost of
    publishing a month against the archive's size, and the range per month against one cold month."""
    import matplotlib

    matplotlib.use("Agg", force=True)
    import matplotlib.pyplot as plt

    config = results.config
    fig, (month, archive, ranged) = plt.subplots(
        1, 3, figsize=(15, 5), gridspec_kw={"width_ratios": [1.5, 1, 0.8]}, layout="tight"
    )
    notebooks = len(config.area_list)

    bars = [
        ("naive (papermill CLI + render)", results.wall("month", "naive"), _cpu(results, "month", "naive"), "#b2182b"),
        ("serviceplan run, cold", results.wall("month", "cold"), _cpu(results, "month", "cold"), "#2166ac"),
        ("serviceplan run, unchanged", results.wall("month", "warm"), _cpu(results, "month", "warm"), "#67a9cf"),
        ("serviceplan --revise (reused)", results.wall("month", "revise"), _cpu(results, "month", "revise"),
         "#92c5de"),
        ("naive + quarto render", results.wall("month", "naive-quarto"), _cpu(results, "month", "naive-quarto"),
         "#d6604d"),
        ("serviceplan cold, site + PDF", results.wall("month", "cold-quarto"), _cpu(results, "month", "cold-quarto"),
         "#053061"),
    ]  # fmt: skip
    both = results.wall("floor", "kernel+imports")
    if both is not None:
        floor = floor_seconds(both.median, notebooks, config.workers)
        floor_cpu = _cpu(results, "floor", "kernel+imports")
        bars.append(("floor (kernel + imports)", Spread(floor, floor, floor, 1), relative(floor_cpu, 1 / notebooks),
                     "#999999"))  # fmt: skip
    shown = [bar for bar in bars if bar[1] is not None]
    positions = list(range(len(shown)))[::-1]
    for y, (_label, wall, cpu, colour) in zip(positions, shown, strict=True):
        assert wall is not None
        month.barh(y, wall.median, color=colour)
        month.errorbar(wall.median, y, xerr=[[wall.median - wall.low], [wall.high - wall.median]], fmt="none",
                       ecolor="black", capsize=3, lw=1)  # fmt: skip
        if cpu is not None:
            month.plot(cpu.median, y, marker="D", color="black", markersize=5, linestyle="none")
        # after the whisker and the diamond, saying which number is which
        label = f"  {wall.median:.1f} s wall" + (f", {cpu.median:.1f} s CPU" if cpu else "")
        month.text(max(wall.high, cpu.median if cpu else 0), y, label, va="center", fontsize=9)
    month.plot([], [], marker="D", color="black", markersize=5, linestyle="none", label="CPU time (all processes)")
    month.legend(loc="lower right", fontsize=8)
    month.set_yticks(positions, [bar[0] for bar in shown])
    month.set_xlabel("wall time, s (median; whisker = min–max)")
    ratio = spread(pair_ratios(results.samples, "naive", "cold"))
    month.set_title(f"One month {config.period or ''}" + (f": naive / cold = {ratio.median:.2f}×" if ratio else ""),
                    loc="left")  # fmt: skip
    month.margins(x=0.45)

    points = [(size, results.wall("archive", "serviceplan", size)) for size in sorted(config.archive_sizes)]
    points = [(size, value) for size, value in points if value is not None]
    if points:
        xs = [size for size, _ in points]
        first = points[0][1].median
        archive.plot(xs, [v.median for _, v in points], marker="o", color="#2166ac", label="wall, median")
        archive.fill_between(xs, [v.low for _, v in points], [v.high for _, v in points], color="#2166ac",
                             alpha=0.2, label="wall, min–max")  # fmt: skip
        cpus = [(size, _cpu(results, "archive", "serviceplan", size)) for size, _ in points]
        archive.plot([x for x, c in cpus if c], [c.median for _, c in cpus if c], marker="D", color="black",
                     linestyle="--", lw=1, label="CPU, median")  # fmt: skip
        archive.set_xticks(xs)
        archive.set_ylim(bottom=0)
        archive.legend(loc="lower right", fontsize=8)
        archive.set_title(f"Publishing a month: last / first = {points[-1][1].median / first:.2f}×", loc="left")
    else:
        archive.set_title("Publishing a month (not measured)", loc="left")
    archive.set_xlabel("months already published")
    archive.set_ylabel("s")

    cold = results.wall("month", "cold")
    span = results.wall("range", "serviceplan")
    if span is not None and cold is not None and config.range_months:
        labels = ["one cold month", f"range, per month\n({config.range_months} months)"]
        values = [cold.median, span.median / config.range_months]
        ranged.bar(labels, values, color=["#2166ac", "#4393c3"])
        for x, value in enumerate(values):
            ranged.text(x, value, f"{value:.1f} s", ha="center", va="bottom", fontsize=9)
        cpus = [_cpu(results, "month", "cold"), relative(_cpu(results, "range", "serviceplan"), config.range_months)]
        ranged.plot([x for x, c in enumerate(cpus) if c], [c.median for c in cpus if c], marker="D", color="black",
                    linestyle="none", label="CPU time")  # fmt: skip
        ranged.legend(loc="lower right", fontsize=8)
        ranged.set_title(f"Range {span.median:.0f} s: a month {values[1] / values[0]:.2f}× cold", loc="left")
    else:
        ranged.set_title("Range (not measured)", loc="left")
    ranged.set_ylabel("wall time, s")
    machine = results.machine
    loads = [s.load1 for s in results.samples if s.load1 is not None]
    fig.suptitle(
        f"serviceplan benchmark: {machine.get('cpus')} CPUs, {machine.get('memory_gib')} GiB, Python "
        f"{machine.get('python')}, {config.workers} workers, {config.repeat} repetition(s), "
        f"{notebooks} notebooks" + (f"; 1-min load average {min(loads):.1f}–{max(loads):.1f}" if loads else ""),
        x=0.01,
        ha="left",
        fontsize=10,
    )
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def print_summary(lines: Sequence[Line], results: Results) -> None:
    """Print the summary as a table."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="serviceplan benchmark (wall: median (min–max))")
    for column in ("what", "wall", "cpu", "cpu: command / kernels / helpers", "peak memory", "ratio (wall)",
                   "ratio (cpu)", "ratio of", "failed"):  # fmt: skip
        table.add_column(column)
    for line in lines:
        roles = " / ".join("–" if v is None else f"{v:.1f}" for v in line.cpu_roles) if line.cpu_roles else ""
        table.add_row(
            line.what,
            _fmt(line.wall),
            _fmt(line.cpu),
            roles,
            _fmt(line.peak_mb, "MB", 0),
            _fmt(line.ratio, "×", 2),
            _fmt(line.cpu_ratio, "×", 2),
            line.ratio_of,
            str(line.failed or ""),
        )
    console = Console(highlight=False)
    if not console.is_terminal:  # a log file or a pipe: wide enough for one line per row
        console = Console(highlight=False, width=200)
    console.print(table)
    for note in results.notes:
        console.print(note, markup=False)
