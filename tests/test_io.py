"""Files in and out: inputs are bounded regular files, read without blocking; outputs never
replace a device, a FIFO or a link, and leave no temporary file behind."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from guardian.cli import main
from guardian.errors import UserError
from guardian.io import MAX_JSON_DEPTH, InputError, parse_json, read_bytes, write_output
from tests.conftest import EXAMPLE_CATALOG, ROOT


def test_a_regular_file_is_read_and_bounded(tmp_path):
    path = tmp_path / "f.json"
    path.write_bytes(b"x" * 100)
    assert read_bytes(path, "a file") == b"x" * 100
    assert read_bytes(path, "a file", limit=100) == b"x" * 100
    with pytest.raises(InputError, match="is larger than 0 MiB"):
        read_bytes(path, "a file", limit=99)


def test_an_organisation_sized_deployment_is_not_refused(tmp_path):
    """A graph of 50,000 resources is ~84 MiB: the default bound admits it (a sparse file)."""
    path = tmp_path / "graph.json"
    with path.open("wb") as f:
        f.truncate(100 * 2**20)
    assert len(read_bytes(path, "a graph")) == 100 * 2**20


@pytest.mark.parametrize("make", ["fifo", "dir", "missing", "socket"])
def test_what_is_no_regular_file_is_refused_without_blocking(tmp_path, make):
    path = tmp_path / "input"
    if make == "fifo":
        os.mkfifo(path)
    elif make == "dir":
        path.mkdir()
    elif make == "socket":
        import socket

        s = socket.socket(socket.AF_UNIX)
        s.bind(str(path))
        s.close()
    with pytest.raises(InputError) as info:
        read_bytes(path, "a preview")
    assert info.value.path == str(path)
    assert {"fifo": "is a FIFO", "dir": "is a directory", "missing": "no such file",
            "socket": "cannot read"}[make] in info.value.reason


def test_dev_zero_is_refused():
    with pytest.raises(InputError, match="is a character device, not a regular file"):
        read_bytes("/dev/zero", "a state file")


@pytest.mark.parametrize(("text", "message"), [
    ("[" * 100_000 + "]" * 100_000, f"nested deeper than {MAX_JSON_DEPTH} levels"),
    ("[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1),
     f"nested deeper than {MAX_JSON_DEPTH} levels"),
    ("9" * 5000, "a number of 5000 characters"),
    ("[1e999]", "out of range"),
    ("[NaN]", "NaN is not a JSON number"),
    ('{"a": "\\ud800"}', "a lone surrogate"),
    ('{"\\udfff": 1}', "a lone surrogate"),
    ("{", "1:2: not valid JSON (Expecting property name"),
])
def test_json_is_bounded(text, message):
    with pytest.raises(UserError, match=r".*") as info:
        parse_json(text, "f.json", "a report")
    assert message in str(info.value) and str(info.value).startswith("f.json")


def test_json_within_the_bounds_is_read():
    deep = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert parse_json(deep, "f", "x") is not None
    assert parse_json('{"a": "\\ud83d\\ude00", "n": 12345678901234567890, "f": 1.5e3}', "f",
                      "x") == {"a": "\U0001F600", "n": 12345678901234567890, "f": 1500.0}


@pytest.mark.parametrize("option", ["--preview", "--state", "--graph"])
@pytest.mark.parametrize("target", ["fifo", "/dev/zero", "deep", "digits"])
def test_check_on_a_hostile_deployment_file_exits_2(tmp_path, capsys, option, target):
    path = tmp_path / "input.json"
    if target == "fifo":
        os.mkfifo(path)
    elif target == "deep":
        path.write_text("[" * 100_000 + "]" * 100_000)
    elif target == "digits":
        path.write_text('{"steps": [], "deployment": {"resources": []}, "n": ' + "9" * 5000 + "}")
    else:
        path = Path(target)
    assert main(["check", "--catalog", str(EXAMPLE_CATALOG), option, str(path)]) == 2
    err = capsys.readouterr().err
    assert f"guardian: {path}" in err and "Traceback" not in err


# --- output ------------------------------------------------------------------------------


def test_a_regular_file_is_replaced_atomically_keeping_its_mode(tmp_path):
    out = tmp_path / "report.json"
    out.write_text("old")
    out.chmod(0o640)
    write_output("new", out)
    assert out.read_text() == "new" and stat.S_IMODE(out.stat().st_mode) == 0o640
    assert os.listdir(tmp_path) == ["report.json"]


def test_a_new_file_gets_the_umask_mode_and_its_directory(tmp_path):
    out = tmp_path / "sub" / "report.json"
    write_output(b"data", out)
    assert out.read_bytes() == b"data"
    assert stat.S_IMODE(out.stat().st_mode) == 0o666 & ~_umask()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_dash_is_stdout(capsysbinary):
    write_output("hello\n", "-")
    assert capsysbinary.readouterr().out == b"hello\n"


def test_a_character_device_is_written_to_never_replaced():
    before = os.stat("/dev/null")
    write_output("discarded", "/dev/null")
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_ino == before.st_ino


def test_a_symlink_to_a_file_is_refused_and_left_alone(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    link = tmp_path / "out.json"
    link.symlink_to(victim)
    with pytest.raises(UserError, match="is a symbolic link to a file; refusing to follow it"):
        write_output("overwritten?", link)
    assert victim.read_text() == "precious" and link.is_symlink()


def test_a_dangling_symlink_is_refused(tmp_path):
    link = tmp_path / "out.json"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(UserError, match="symbolic link to nothing"):
        write_output("x", link)
    assert not (tmp_path / "nowhere").exists()


def test_a_fifo_without_a_reader_is_refused_at_once(tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    with pytest.raises(UserError, match="is a FIFO with no reader"):
        write_output("x", fifo)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(UserError, match="is a directory; refusing to write over it"):
        write_output("x", tmp_path)


def test_dev_stdout_writes_into_the_pipe_it_leads_to(tmp_path):
    """`-o /dev/stdout` (a link to the open pipe) is written to, as the README says."""
    code = ("from guardian.io import write_output; write_output('through the pipe', "
            "'/dev/stdout')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, timeout=60, check=True)
    assert out.stdout == "through the pipe"


def test_a_failed_write_leaves_no_temporary_file(tmp_path, monkeypatch):
    out = tmp_path / "report.json"
    out.write_text("old")

    def broken(src, dst):  # type: ignore[no-untyped-def]
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(UserError, match="No space left on device"):
        write_output("new", out)
    assert os.listdir(tmp_path) == ["report.json"] and out.read_text() == "old"


def test_cli_output_onto_a_symlink_exits_2(tmp_path, capsys):
    victim = tmp_path / "victim"
    victim.write_text("precious")
    (tmp_path / "rules.json").symlink_to(victim)
    code = main(["export", "notice", "--catalog", str(EXAMPLE_CATALOG), "-o",
                 str(tmp_path / "rules.json")])
    assert code == 2 and victim.read_text() == "precious"
    assert "refusing to follow it" in capsys.readouterr().err
