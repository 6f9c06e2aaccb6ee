"""Following the crawler's spool while it is written (gigawatch.crawl.SpoolReader)."""

from __future__ import annotations

import json
from pathlib import Path

from gigawatch.crawl import SpoolReader, read_spool


def line(n: int) -> str:
    return json.dumps({"run_id": "r", "kind": "article", "url": f"https://a.example/{n}"}) + "\n"


def test_only_complete_lines_are_read_and_each_once(tmp_path: Path):
    spool = tmp_path / "pages.jsonl"
    reader = SpoolReader(spool)
    assert reader.read() == []  # not written yet
    first, second = line(1), line(2)
    spool.write_text(first + second[:10], encoding="utf-8")  # the second one half-written
    got = reader.read()
    assert [i["url"] for i in got] == ["https://a.example/1"]
    assert got[0]["fetch_id"]  # as read_spool gives it
    with spool.open("a", encoding="utf-8") as fh:
        fh.write(second[10:] + line(3))
    assert [i["url"] for i in reader.read()] == ["https://a.example/2", "https://a.example/3"]
    assert reader.read() == []
    # the same items and ids as reading the finished file in one go
    whole = [i for batch in read_spool(spool, 2) for i in batch]
    assert whole == SpoolReader(spool).read() and len(whole) == 3


def test_a_new_attempt_is_read_from_its_top(tmp_path: Path):
    spool = tmp_path / "pages.jsonl"
    spool.write_text(line(1) + line(2), encoding="utf-8")
    reader = SpoolReader(spool)
    assert len(reader.read()) == 2
    spool.unlink()  # a retried crawl starts a new spool, shorter at first
    reader.switch(spool)
    spool.write_text(line(7), encoding="utf-8")
    assert [i["url"] for i in reader.read()] == ["https://a.example/7"]
