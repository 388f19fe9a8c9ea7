"""The output root: one folder per status date, an index of runs, --keep, --dry-run."""

from __future__ import annotations

import json

from click.testing import CliRunner

from pmo_lib.cli import main
from pmo_lib.run.history_page import list_runs, prune_runs, write_history
from pmo_lib.run.transaction import write_marker


def fake_run(root, day, rag="green", failed=0):
    folder = root / day
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({
        "status_date": day, "portfolio_rag": rag, "rag_counts": {"red": 1, "green": 2},
        "counts": {"ok": 3, "failed": failed}, "finished_at": f"{day}T18:00:00+00:00"}))
    write_marker(folder)
    return folder


def test_index_lists_runs_newest_first_with_rag(tmp_path):
    for day, rag in (("2026-11-06", "amber"), ("2026-11-20", "red"), ("2026-11-13", "green")):
        fake_run(tmp_path, day, rag)
    (tmp_path / "scratch").mkdir()
    assert [r["date"] for r in list_runs(tmp_path)] == ["2026-11-20", "2026-11-13", "2026-11-06"]
    html = write_history(tmp_path, name="Northwind <Utilities>").read_text()
    assert html.index("2026-11-20") < html.index("2026-11-13") < html.index("2026-11-06")
    assert 'href="2026-11-20/index.html"' in html and ">RED<" in html
    assert "Northwind &lt;Utilities&gt;" in html and "scratch" not in html


def test_keep_prunes_the_oldest_but_never_the_current(tmp_path):
    for day in ("2026-10-30", "2026-11-06", "2026-11-13", "2026-11-20"):
        fake_run(tmp_path, day)
    assert prune_runs(tmp_path, keep=2, protect=tmp_path / "2026-10-30") == ["2026-11-06"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-10-30", "2026-11-13", "2026-11-20"]


def test_dry_run_writes_nothing(tmp_path):
    out = tmp_path / "output" / "2026-11-20"
    result = CliRunner().invoke(main, ["run", "--data", "data/sample", "--status-date", "2026-11-20",
                                       "--out", str(out), "--projects", "PRJ-008", "--dry-run"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.stdout)
    assert [r["report"] for r in plan["reports"]] == [
        "portfolio/portfolio", "programs/grid-modernisation", "projects/PRJ-008"]
    assert plan["reports"][2]["parameters"]["project_id"] == "PRJ-008"
    assert not (tmp_path / "output").exists()


def test_run_with_a_misspelt_parameter_names_key_and_suggestion(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("rag_thresholds:\n  spi: {gren: 0.9}\n")
    result = CliRunner().invoke(main, ["run", "--data", "data/sample", "--status-date", "2026-11-20",
                                       "--out", str(tmp_path / "o"), "--params", str(bad)])
    assert result.exit_code == 2
    assert f"{bad}: unknown key 'rag_thresholds.spi.gren' (did you mean 'green'?)" in result.stderr
    assert not (tmp_path / "o").exists()


def test_only_marked_run_folders_are_pruned(tmp_path):
    for day in ("2026-11-06", "2026-11-13", "2026-11-20"):
        fake_run(tmp_path, day)
    (tmp_path / "2026-11-06" / ".pmo-run").unlink()  # a folder someone else made, named like a run
    assert prune_runs(tmp_path, keep=1, protect=tmp_path / "2026-11-20") == ["2026-11-13"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-11-06", "2026-11-20"]


def test_symlinked_and_malformed_run_folders_are_skipped_with_a_warning(tmp_path, caplog):
    fake_run(tmp_path, "2026-11-20", "red")
    elsewhere = fake_run(tmp_path / "elsewhere", "2026-11-06")
    (tmp_path / "2026-11-06").symlink_to(elsewhere, target_is_directory=True)
    (tmp_path / "2026-11-13").mkdir()
    (tmp_path / "2026-11-13" / "manifest.json").write_text("[1, 2")
    (tmp_path / "2026-10-30").mkdir()
    (tmp_path / "2026-10-30" / "manifest.json").write_text('["a list, not a manifest"]')
    with caplog.at_level("WARNING", logger="pmo_lib.run"):
        assert [r["date"] for r in list_runs(tmp_path)] == ["2026-11-20"]
        html = write_history(tmp_path, name="N").read_text()
    warnings = sorted({r.getMessage() for r in caplog.records})
    assert len(warnings) == 3
    assert warnings[0].startswith(f"skipped {tmp_path / '2026-10-30' / 'manifest.json'}: not a run manifest")
    assert warnings[1].startswith(f"skipped {tmp_path / '2026-11-06'}: a symlink")
    assert warnings[2].startswith(f"skipped {tmp_path / '2026-11-13' / 'manifest.json'}: cannot be read")
    assert "2026-11-20/index.html" in html and "2026-11-06" not in html
    assert prune_runs(tmp_path, keep=1) == []
    assert (elsewhere / "manifest.json").is_file()


def test_the_output_root_index_is_replaced_only_if_pmo_report_wrote_it(tmp_path):
    fake_run(tmp_path, "2026-11-20")
    ours = write_history(tmp_path, name="N")
    assert ours.read_text().count('name="generator" content="pmo-reports run history"') == 1
    assert "<title>Renamed: report runs</title>" in write_history(tmp_path, name="Renamed").read_text()
    ours.write_text("<!DOCTYPE html><title>Team share</title><p>our own start page</p>")
    assert write_history(tmp_path, name="N") is None
    assert ours.read_text() == "<!DOCTYPE html><title>Team share</title><p>our own start page</p>"


def test_history_page_and_keep_see_only_the_runs_own_portfolio(tmp_path):
    from pmo_lib.run.identity import PortfolioIdentity

    acme = PortfolioIdentity.of("Acme", ["A1", "A2"])
    for day, name, ids in (("2026-10-30", "Acme", "A1 A2"), ("2026-11-06", "Acme", "A1 A2 A3"),
                           ("2026-11-13", "Northwind", "N1"), ("2026-11-20", "Acme", "A1 A2"),
                           ("2026-11-27", "Acme", "Z1 Z2")):
        folder = fake_run(tmp_path, day)
        manifest = json.loads((folder / "manifest.json").read_text())
        (folder / "manifest.json").write_text(json.dumps({**manifest, "portfolio_name": name}))
        (folder / "metrics.csv").write_text("project_id\n" + "\n".join(ids.split()) + "\n")
    others: list = []
    assert [r["date"] for r in list_runs(tmp_path, portfolio=acme, others=others)] == [
        "2026-11-20", "2026-11-06", "2026-10-30"]
    assert [r["date"] for r in others] == ["2026-11-27", "2026-11-13"]
    html = write_history(tmp_path, name="Acme", portfolio=acme).read_text()
    assert 'href="2026-11-20/index.html"' in html and "2026-11-13" not in html and "2026-11-27" not in html
    text = " ".join(html.split())
    assert ("3 runs, newest first. 2 runs of other portfolios (&#39;Northwind&#39;, another &#39;Acme&#39;) in "
            "this folder are not listed: give each portfolio its own output root.") in text
    assert prune_runs(tmp_path, keep=1, protect=tmp_path / "2026-11-20", portfolio=acme) == [
        "2026-11-06", "2026-10-30"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.is_dir()) == ["2026-11-13", "2026-11-20", "2026-11-27"]
