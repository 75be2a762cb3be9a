"""`serviceplan render [VERSION]`: a version published without Quarto gets its site and PDF later, atomically and
without any number, notebook, KPI file or input record changing.

Quarto cannot be installed here, so these tests put a stand-in ``quarto`` on PATH that behaves as the real command
line does at its interface (quarto.org/docs/cli/render.html): ``quarto --version`` prints the version,
``quarto render`` in a project folder writes the project's output (``_site/`` for a website, the PDF beside the
document for the ``default`` project) and prints a progress line per file; on a failure it prints the error Quarto
1.7.34 printed on main at b8cff03 (shared/evidence/b8cff03/quarto-render-error.txt) and exits 1. With the real
Quarto on PATH the same command is tested end to end in ``test_render_with_quarto``.
"""

from __future__ import annotations

import json
import shutil
import stat
import sys
from pathlib import Path

import pytest

from serviceplan import cli
from serviceplan.core.errors import RunError, UsageError
from serviceplan.core.paths import Workspace
from serviceplan.publish import render as rd
from serviceplan.publish import rerender, versions
from test_gate_privacy import demo_release

VERSION = "2025-06"
FAKE_QUARTO = """#!/bin/sh
if [ "$1" = "--version" ]; then echo 1.7.34; exit 0; fi
if [ -n "$FAKE_QUARTO_FAIL" ] && grep -q "type: default" _quarto.yml; then
  echo "[1/1] palvelusuunnitelma-2025-06.qmd"
  echo "[typst]: Compiling palvelusuunnitelma-2025-06.typ to palvelusuunnitelma-2025-06.pdf...error: file not found"
  exit 1
fi
if grep -q "type: website" _quarto.yml; then
  mkdir -p _site
  for page in index.qmd *.ipynb; do
    echo "[ 1/10] $page"
    echo '<html lang="fi"><body>page</body></html>' > "_site/${page%.*}.html"
  done
  cp report-nav.js _site/
else
  for doc in *.qmd; do
    echo "[1/1] $doc"
    printf '%%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n' > "${doc%.qmd}.pdf"
    printf '2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' >> "${doc%.qmd}.pdf"
    printf '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n' >> "${doc%.qmd}.pdf"
    printf 'trailer<</Size 4/Root 1 0 R>>\n%%%%EOF\n' >> "${doc%.qmd}.pdf"
  done
fi
mkdir -p .quarto
"""

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="the stand-in quarto is a shell script")


@pytest.fixture
def published(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory, demo_raw: Path) -> Workspace:
    """A private copy of the demo report of 2025-06 as published without Quarto (previews only)."""
    source, _ = demo_release(tmp_path_factory, demo_raw)
    ws = Workspace(tmp_path / "ws")
    for name in ("reports", "params", "data"):
        if (source.root / name).exists():
            shutil.copytree(source.root / name, ws.root / name, ignore=shutil.ignore_patterns(".lock"))
    shutil.copy2(source.quarto_config, ws.quarto_config)
    shutil.rmtree(ws.reports_dir / VERSION / rd.SITE_DIR, ignore_errors=True)  # as published without Quarto
    return ws


@pytest.fixture
def fake_quarto(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    script = tmp_path / "bin" / "quarto"
    script.parent.mkdir()
    script.write_text(FAKE_QUARTO, encoding="utf-8")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{script.parent}:/usr/bin:/bin")
    return script


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_render_adds_the_site_and_pdf_and_changes_no_number(
    published: Workspace, fake_quarto: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = published.reports_dir / VERSION
    before = _snapshot(folder)
    assert cli.main(["--workspace", str(published.root), "render"]) == 0  # the newest version without a site
    after = _snapshot(folder)
    pdf = rd.pdf_file_name(VERSION)
    for name, data in before.items():  # notebooks, figures, KPI files, manifest, previews, logs: byte for byte
        if name.split("/")[0] not in rerender.RENDERED:
            assert after[name] == data, f"{name} changed"
    added = {name.split("/")[0] for name in set(after) - set(before)}
    assert added <= {rd.SITE_DIR, pdf, versions.RENDER_RECORD, "logs"}
    assert (folder / rd.SITE_DIR / "index.html").is_file() and (folder / rd.SITE_DIR / pdf).is_file()
    assert (folder / pdf).read_bytes().startswith(b"%PDF") and not (folder / ".quarto").exists()
    record = json.loads((folder / versions.RENDER_RECORD).read_text(encoding="utf-8"))
    assert record["quarto"] == "1.7.34" and record["by"] == "serviceplan render"
    assert set(record["seconds"]) == {"site", "pdf", "total"}
    assert record["manifest_sha256"] == rerender.protected_digests(folder, pdf)["manifest.json"]
    version = versions.list_versions(published)[-1]
    assert versions.render_record(version)["site"] == "_site/index.html"  # manifest.render updated by render.json
    entry = json.loads((published.reports_dir / versions.VERSIONS_FILE).read_text(encoding="utf-8"))["versions"][0]
    assert entry["report"] == f"{VERSION}/_site/index.html" and entry["pdf"] == f"{VERSION}/{pdf}"
    assert f'href="{VERSION}/_site/index.html">Sivusto' in (published.reports_dir / "index.html").read_text("utf-8")
    assert "rendered 2025-06" in capsys.readouterr().out
    assert not list((published.reports_dir / versions.STAGING).glob("*"))
    with pytest.raises(UsageError, match="already has its site"):
        rerender.choose_version(published, None)


def test_a_failed_render_leaves_the_version_as_it_was(
    published: Workspace, fake_quarto: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = published.reports_dir / VERSION
    before = _snapshot(folder)
    landing = (published.reports_dir / "index.html").read_bytes()
    monkeypatch.setenv("FAKE_QUARTO_FAIL", "1")
    with pytest.raises(RunError) as failure:
        rerender.render_version(published, VERSION, say=lambda text: None)
    message = str(failure.value)
    assert "could not render the PDF (palvelusuunnitelma-2025-06.qmd: " in message and "file not found" in message
    assert _snapshot(folder) == before
    assert (published.reports_dir / "index.html").read_bytes() == landing
    assert not list((published.reports_dir / versions.STAGING).glob("*"))


def test_render_needs_quarto_and_a_known_version(published: Workspace, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(RunError, match=r"Quarto 1\.7 or newer is needed"):
        rerender.render_version(published, VERSION)
    with pytest.raises(UsageError, match="no published version '2031-01'"):
        rerender.choose_version(published, "2031-01")
    assert rerender.choose_version(published, None).name == VERSION


QUARTO, QUARTO_FOUND = rd.find_quarto()


@pytest.mark.skipif(
    QUARTO is None,
    reason=f"Quarto >= 1.7 is not on PATH (found: {QUARTO_FOUND or 'none'}): the real site and PDF are not rendered",
)
def test_render_with_quarto(published: Workspace) -> None:
    """The real thing: the demo month's site passes axe-core (0 serious or critical on every page) and its PDF has a
    Title, Finnish text and at most 40 pages."""
    import subprocess

    from serviceplan.publish import accessibility_gate as accessibility

    rerender.render_version(published, VERSION, say=lambda text: None)
    folder = published.reports_dir / VERSION
    pages = sorted(p for p in (folder / rd.SITE_DIR).glob("*.html"))
    assert len(pages) == 10  # the front page and the nine pages
    if accessibility.find_browser() is not None:
        report = accessibility.check_pages(pages, root=published.reports_dir)
        assert [str(v) for v in report.violations if v.gating] == []
    pdf = folder / rd.pdf_file_name(VERSION)
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    assert fields["Title"].strip().startswith("Työllisyyspalvelujen palvelusuunnitelman seuranta")
    assert 1 < int(fields["Pages"]) <= 40
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Lautakuntaraportti" in text and "Tunnusluvut" in text and "Kuukauden havainnot" in text
