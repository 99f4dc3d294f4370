"""Bounded reads and atomic writes: no MemoryError, no half-written or destroyed file."""

import errno
import os
import stat
import threading

import pytest

from prd_assistant import textfile
from prd_assistant.textfile import (
    SaveError,
    TextFileError,
    check_writable,
    read_text_file,
    write_text_atomic,
)


def test_an_endless_file_is_refused_at_the_limit_not_read_to_the_end():
    with pytest.raises(TextFileError, match="larger than the 1 KiB limit"):
        read_text_file("/dev/zero", max_bytes=1024)


def test_a_file_exactly_at_the_limit_is_read(tmp_path):
    (tmp_path / "a.md").write_bytes(b"x" * 1024)
    assert read_text_file(tmp_path / "a.md", max_bytes=1024) == "x" * 1024
    (tmp_path / "b.md").write_bytes(b"x" * 1025)
    with pytest.raises(TextFileError, match="limit"):
        read_text_file(tmp_path / "b.md", max_bytes=1024)


def test_a_symlink_loop_is_not_called_a_missing_file(tmp_path):
    os.symlink(tmp_path / "b.md", tmp_path / "a.md")
    os.symlink(tmp_path / "a.md", tmp_path / "b.md")
    with pytest.raises(TextFileError) as info:
        read_text_file(tmp_path / "a.md", max_bytes=1024)
    assert "loops" in str(info.value) and "no such file" not in str(info.value)


def test_a_folder_and_a_missing_file_get_their_own_messages(tmp_path):
    with pytest.raises(TextFileError, match="is a folder"):
        read_text_file(tmp_path, max_bytes=1024)
    with pytest.raises(TextFileError, match="no such file"):
        read_text_file(tmp_path / "nope.md", max_bytes=1024)


def test_atomic_write_replaces_the_file_and_leaves_no_temporary(tmp_path):
    target = tmp_path / "d.json"
    target.write_text("old", encoding="utf-8")
    os.chmod(target, 0o640)
    write_text_atomic(target, "new ✓")
    assert target.read_text(encoding="utf-8") == "new ✓"
    assert os.stat(target).st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["d.json"]


def test_a_symlink_stays_a_link_and_its_target_is_replaced(tmp_path):
    (tmp_path / "real.md").write_text("old", encoding="utf-8")
    os.symlink(tmp_path / "real.md", tmp_path / "link.md")
    write_text_atomic(tmp_path / "link.md", "new")
    assert (tmp_path / "link.md").is_symlink()
    assert (tmp_path / "real.md").read_text(encoding="utf-8") == "new"


def test_a_fifo_is_written_in_place_not_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text(encoding="utf-8")))
    reader.start()
    check_writable(fifo, "-o")
    write_text_atomic(fifo, "through the pipe")
    reader.join(10)
    assert received == ["through the pipe"]
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_a_full_disk_keeps_the_old_file_whole(tmp_path, monkeypatch):
    target = tmp_path / "d.json"
    target.write_text("the good draft", encoding="utf-8")

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(textfile.os, "fsync", full)
    with pytest.raises(SaveError) as info:
        write_text_atomic(target, "x" * 100_000)
    assert "disk is full" in str(info.value) and "unchanged" in str(info.value)
    assert target.read_text(encoding="utf-8") == "the good draft"
    assert [p.name for p in tmp_path.iterdir()] == ["d.json"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda tmp: tmp / "missing" / "prd.md", "does not exist"),
        (lambda tmp: tmp, "is a folder"),
        (lambda tmp: tmp / "file.txt" / "prd.md", "is not a folder"),
    ],
)
def test_unwritable_paths_are_named_before_any_work(tmp_path, make, message):
    (tmp_path / "file.txt").write_text("x", encoding="utf-8")
    with pytest.raises(SaveError, match=message):
        check_writable(make(tmp_path), "-o")


def test_a_read_only_folder_is_refused(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    os.chmod(folder, 0o500)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: permissions do not stop writes")
        with pytest.raises(SaveError, match="cannot write"):
            check_writable(folder / "prd.md", "-o")
    finally:
        os.chmod(folder, 0o700)
