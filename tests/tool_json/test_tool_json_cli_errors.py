"""Bad input to `tools export` / `agent export`: a clear message, exit 2, nothing half-written."""

from __future__ import annotations

import pytest


def _snapshot(path):
    return {p.relative_to(path): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


@pytest.fixture
def existing_out(tmp_path):
    """An out dir that already holds an older export."""
    out = tmp_path / "defs"
    out.mkdir()
    (out / "salesforce_search_records.json").write_text("{}\n")
    return out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--base-url", "not a url"], "--base-url must be an absolute http(s) URL"),
        (["--base-url", "ftp://gw.example.com"], "--base-url must be an absolute http(s) URL"),
        (["--base-url", "https://gw.example.com/?x=1"], "--base-url must be an absolute http(s) URL"),
        (["--format", "yaml"], "unknown format 'yaml': choose one of ui, api"),
        (["--target", "mars"], "unknown target 'mars': choose one of gateway, direct"),
        (["--target", "direct", "--domain", "acme.my.salesforce.com"], "--domain must be an absolute"),
        (["--target", "direct", "--api-version", "58"], "--api-version must look like v58.0"),
        (["--secret-id", " "], "--secret-id must name"),
    ],
)
def test_bad_option_exits_2_and_writes_nothing(cli, capsys, tmp_path, existing_out, extra, message):
    """Each bad option names the problem on stderr, exits 2, and leaves the out dir untouched."""
    before = _snapshot(tmp_path)
    assert cli(["tools", "export", "--out", str(existing_out), *extra]) == 2
    captured = capsys.readouterr()
    assert message in captured.err
    assert captured.out == ""
    assert _snapshot(tmp_path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["defs"]  # no staging dir left behind


def test_out_that_is_a_file_exits_2(cli, capsys, tmp_path):
    """--out naming an existing file is refused."""
    target = tmp_path / "file.json"
    target.write_text("keep")
    assert cli(["tools", "export", "--out", str(target)]) == 2
    assert "exists and is not a directory" in capsys.readouterr().err
    assert target.read_text() == "keep"


def test_unwritable_out_dir_exits_2(cli, capsys, tmp_path):
    """An out dir that can't be created (its parent is a file) exits 2 with the OS reason."""
    blocker = tmp_path / "blocker"
    blocker.write_text("")
    assert cli(["tools", "export", "--out", str(blocker / "defs")]) == 2
    assert f"cannot write to {blocker / 'defs'}" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["blocker"]


def test_export_replaces_files_and_keeps_others(cli, tmp_path, existing_out):
    """A good export overwrites the three files in place and leaves unrelated files alone."""
    (existing_out / "README.txt").write_text("mine")
    assert cli(["tools", "export", "--out", str(existing_out)]) == 0
    names = sorted(p.name for p in existing_out.iterdir())
    assert names == [
        "README.txt",
        "salesforce_create_record.json",
        "salesforce_get_record.json",
        "salesforce_search_records.json",
    ]
    assert (existing_out / "salesforce_search_records.json").read_text() != "{}\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["defs"]


def test_agent_export_bad_base_url_exits_2(cli, capsys, tmp_path):
    """agent export with an invalid base URL writes nothing."""
    out = tmp_path / "agent.json"
    assert cli(["agent", "export", "--out", str(out), "--base-url", "gateway"]) == 2
    assert "--base-url must be an absolute http(s) URL" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []


def test_agent_export_to_a_directory_exits_2(cli, capsys, tmp_path):
    """agent export --out naming a directory is refused."""
    assert cli(["agent", "export", "--out", str(tmp_path)]) == 2
    assert "is a directory" in capsys.readouterr().err


def test_real_entry_point_exit_codes(tmp_path):
    """`python -m service tools export` writes the files (0) and refuses an unknown format (2)."""
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[2]
    base = [sys.executable, "-m", "service", "tools", "export", "--out"]
    ok = subprocess.run([*base, str(tmp_path / "ok")], cwd=repo, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stderr
    assert len(list((tmp_path / "ok").glob("*.json"))) == 3
    bad = subprocess.run(
        [*base, str(tmp_path / "bad"), "--format", "xml"], cwd=repo, capture_output=True, text=True, timeout=120
    )
    assert bad.returncode == 2
    assert "unknown format 'xml'" in bad.stderr
    assert not (tmp_path / "bad").exists()
