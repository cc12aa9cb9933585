"""Reading interaction files: separators, headers, weights, repeats, bad lines, gzip."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from echotune.errors import InvalidInput
from echotune.recommend.cf.files import iter_interactions, read_interactions, write_interactions
from echotune.recommend.cf.interactions import Interactions


def write(tmp_path: Path, text: str, name: str = "plays.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "text",
    [
        "user\titem\tweight\nann\tt1\t2\nann\tt2\t1.5\nbob\tt1\t1\n",
        "ann,t1,2\nann,t2,1.5\nbob,t1,1\n",
        "user_id item_id plays\nann  t1 2\n\nann t2   1.5\n# a comment\nbob t1 1\n",
        'u,i,w\n"ann",t1,2\nann,"t2",1.5\nbob,t1,1\n',
    ],
    ids=["tab-header", "comma", "whitespace-header", "quoted-csv"],
)
def test_separators_and_headers(tmp_path: Path, text: str) -> None:
    data = read_interactions(write(tmp_path, text))
    assert data.user_ids == ("ann", "bob") and data.item_ids == ("t1", "t2")
    assert data.matrix.dtype == np.float32
    assert data.matrix.toarray().tolist() == [[2.0, 1.5], [1.0, 0.0]]


def test_weight_is_optional_and_repeats_are_summed(tmp_path: Path) -> None:
    path = write(tmp_path, "user,item\nann,t1\nann,t1\nbob,t2\nann,t1\n")
    data = read_interactions(path)
    assert data.nnz == 2
    ann, t1 = data.user_index("ann"), data.item_index("t1")
    assert ann is not None and t1 is not None
    assert data.matrix[ann, t1] == 3.0


def test_two_column_file_without_header_keeps_its_first_row(tmp_path: Path) -> None:
    rows = list(iter_interactions(write(tmp_path, "ann t1\nbob t2\n")))
    assert rows == [("ann", "t1", 1.0), ("bob", "t2", 1.0)]


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("u\ti\tw\nann\tt1\t1\nbob\tt2\tlots\n", 3, "weight 'lots'"),
        ("ann,t1,1\nann,t2,-1\n", 2, "weight '-1'"),
        ("ann,t1,1\n\nann,t2,nan\n", 3, "weight 'nan'"),
        ("ann t1 1\nann t2 1 extra\n", 2, "4 fields"),
        ("ann,t1\nlonely\n", 2, "1 fields"),
        ("ann,t1\n,t2\n", 2, "empty user"),
    ],
)
def test_bad_lines_name_the_file_and_line(
    tmp_path: Path, text: str, line: int, reason: str
) -> None:
    path = write(tmp_path, text)
    with pytest.raises(InvalidInput) as caught:
        read_interactions(path)
    assert f"{path}:{line}:" in caught.value.message
    assert reason in caught.value.message


def test_unreadable_files_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot open"):
        read_interactions(tmp_path / "missing.tsv")
    binary = tmp_path / "bytes.tsv"
    binary.write_bytes(b"ann\tt1\t1\n\xff\xfe\tt2\t1\n")
    with pytest.raises(InvalidInput, match="unreadable"):
        read_interactions(binary)
    broken = tmp_path / "broken.tsv.gz"
    broken.write_bytes(b"not gzip at all")
    with pytest.raises(InvalidInput, match="unreadable"):
        read_interactions(broken)


def test_empty_file_gives_empty_interactions(tmp_path: Path) -> None:
    data = read_interactions(write(tmp_path, "\n# nothing\n"))
    assert data.n_users == 0 and data.n_items == 0 and data.matrix.shape == (0, 0)


def test_write_then_read_round_trips_through_gzip(tmp_path: Path) -> None:
    triples = [("ann", "t1", 2.0), ("bob", "t2", 0.5), ("ann", "t3", 1.0)]
    path = tmp_path / "out.tsv.gz"
    assert write_interactions(path, triples) == 3
    first = path.read_bytes()
    assert gzip.decompress(first).decode().splitlines()[0] == "user\titem\tweight"
    again = Interactions.from_triples(iter_interactions(path))
    assert sorted(again.triples()) == sorted(triples)
    # Same rows, same bytes: the gzip header carries no timestamp.
    write_interactions(path, triples)
    assert path.read_bytes() == first


def test_ids_with_tabs_cannot_be_written(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput):
        write_interactions(tmp_path / "x.tsv", [("a\tb", "t", 1.0)])


def test_the_reader_streams(tmp_path: Path) -> None:
    # A bad line far down is only met after the earlier rows were yielded one by one.
    lines = "".join(f"u{i}\tt{i % 7}\t1\n" for i in range(5000)) + "u\tt\tbad\n"
    rows = iter_interactions(write(tmp_path, lines))
    assert next(rows) == ("u0", "t0", 1.0)
    with pytest.raises(InvalidInput, match=":5001:"):
        for _ in rows:
            pass
