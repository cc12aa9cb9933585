"""Reading interaction files: separators, headers, weights, repeats, bad lines, gzip."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from echotune.errors import InvalidInput
from echotune.recommend.cf.files import (
    BadRows,
    Columns,
    iter_interactions,
    read_interactions,
    write_interactions,
)
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


# Last.fm-360K's layout (user, artist mbid, artist name, plays), with an empty mbid
# and a quote that never closes: as TSV, neither may disturb the rows around them.
LASTFM_360K = (
    "00000c28\t3bd73256-3905-4f3a-97e2-8b341527f805\tbetty blowtorch\t2137\n"
    '00000c28\t\t"weird al" yankovic\t52\n'
    '00000c28\tf2fa2f1c-6fe3-4d10-8d4c-8a5bdbf18e5d\t"die-hard fans\t7\n'
    "00001411\tb3ae82c2-e60b-4551-a76d-6620f1b456aa\tbetty blowtorch\t3\n"
)


def test_movielens_double_colon_files_read_with_their_rating_as_weight(tmp_path: Path) -> None:
    # MovieLens 1M's ratings.dat layout: user::movie::rating::timestamp.
    path = write(
        tmp_path, "1::1193::5::978300760\r\n1::661::3::978302109\r\n2::1193::4::978298413\r\n"
    )
    data = read_interactions(path, Columns.parse("1,2,3"))
    assert data.user_ids == ("1", "2") and data.item_ids == ("1193", "661")
    assert data.matrix.toarray().tolist() == [[5.0, 3.0], [4.0, 0.0]]
    # Without --columns the timestamp makes the row too wide, and the error says how to pick.
    with pytest.raises(InvalidInput) as caught:
        read_interactions(path)
    assert caught.value.message == (
        f"{path}:1: expected 'user item [weight]', got 4 fields; "
        "pick the user, item and weight fields with --columns USER,ITEM[,WEIGHT]"
    )
    rows = list(iter_interactions(write(tmp_path, "ann :: t1 :: 2\nbob::t2\n")))
    assert rows == [("ann", "t1", 2.0), ("bob", "t2", 1.0)]


def test_tab_files_are_tsv_so_quotes_are_plain_characters(tmp_path: Path) -> None:
    rows = list(iter_interactions(write(tmp_path, LASTFM_360K), Columns.parse("1,3,4")))
    assert rows == [
        ("00000c28", "betty blowtorch", 2137.0),
        ("00000c28", '"weird al" yankovic', 52.0),
        ("00000c28", '"die-hard fans', 7.0),
        ("00001411", "betty blowtorch", 3.0),
    ]


def test_columns_pick_fields_of_wider_files_and_find_their_header(tmp_path: Path) -> None:
    events = (
        "userid\ttimestamp\tartid\tartname\n"
        "user_000001\t2009-05-04T23:08:57Z\tf1b1cf71\tDeep Dish\n"
        "user_000001\t2009-05-04T13:54:10Z\ta7f7df4a\tDeep Dish\n"
        "user_000002\t2009-05-04T13:52:04Z\t\tBoards of Canada\n"
    )
    data = read_interactions(write(tmp_path, events), Columns.parse("1, 4"))
    assert data.user_ids == ("user_000001", "user_000002")
    assert data.item_ids == ("Deep Dish", "Boards of Canada")
    assert data.matrix.toarray().tolist() == [[2.0, 0.0], [0.0, 1.0]]
    # The empty mbid column is refused by name and line when it is the item.
    with pytest.raises(InvalidInput, match=r"plays.txt:4: empty user or item id"):
        read_interactions(write(tmp_path, events), Columns.parse("1,3"))


USAGE = "expected USER,ITEM[,WEIGHT] as 1-based column numbers"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("1", USAGE),
        ("1,2,3,4", USAGE),
        ("0,2", USAGE),
        ("1,x", USAGE),
        ("2,2", "a column is named twice"),
    ],
)
def test_bad_columns_are_refused(text: str, reason: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        Columns.parse(text)
    assert caught.value.message == f"columns {text!r}: {reason}"


def test_a_row_short_of_the_chosen_columns_names_its_line(tmp_path: Path) -> None:
    path = write(tmp_path, "a\tb\tc\t1\nd\te\n")
    with pytest.raises(InvalidInput, match=r"plays.txt:2: expected at least 4 fields, got 2"):
        read_interactions(path, Columns.parse("1,3,4"))


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("u\ti\tw\nann\tt1\t1\nbob\tt2\tlots\n", 3, "weight 'lots'"),
        ("ann,t1,1\nann,t2,-1\n", 2, "weight '-1'"),
        ("ann,t1,1\n\nann,t2,nan\n", 3, "weight 'nan'"),
        ("ann t1 1\nann t2 1 extra\n", 2, "4 fields"),
        ("ann,t1\nlonely\n", 2, "1 fields"),
        ("ann,t1\n,t2\n", 2, "empty user"),
        ("ann,t1,1\nann,t2,inf\n", 2, "weight 'inf'"),
        ("ann\tt1\t1\nann\t\t2\n", 2, "empty user or item id"),
        ("ann\tt1\t1\n\tt2\tlots\n", 2, "empty user or item id"),
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


RAGGED = (
    # Last.fm-1K-like events: a row cut short (a stray carriage return in a
    # track name splits it), an empty user, a bad count. Three bad of seven.
    "u1\t2009-05-04\tmbid\tDeep Dish\t\tFamous\n"
    "u1\t2009-05-04\tmbid\tSakamoto\t\tComposition\n"
    "u2\t2009-05-04\tmbid\tSakamoto\t\tMc2 part\r"
    " two\n"
    "\t2009-05-04\tmbid\tBjork\t\tJoga\n"
    "u2\t2009-05-04\tmbid\tBjork\t\tHyper\n"
    "u3\t2009-05-04\tmbid\tBjork\t\tHyper\n"
)


def test_bad_rows_within_the_allowance_are_skipped_counted_and_quoted(tmp_path: Path) -> None:
    path = write(tmp_path, RAGGED, "events.tsv")
    bad = BadRows(limit=2)
    data = read_interactions(path, Columns.parse("1,4"), bad)
    assert bad.skipped == 2
    assert bad.examples == [
        f"{path}:4: expected at least 4 fields, got 1",
        f"{path}:5: empty user or item id",
    ]
    assert sorted(data.triples()) == [
        ("u1", "Deep Dish", 1.0),
        ("u1", "Sakamoto", 1.0),
        ("u2", "Bjork", 1.0),
        ("u2", "Sakamoto", 1.0),
        ("u3", "Bjork", 1.0),
    ]


def test_one_bad_row_past_the_allowance_refuses_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, RAGGED, "events.tsv")
    with pytest.raises(InvalidInput) as caught:
        read_interactions(path, Columns.parse("1,4"), BadRows(limit=1))
    assert caught.value.message == (
        f"{path}:5: empty user or item id (more than 1 bad rows, the --max-bad-rows limit)"
    )
    with pytest.raises(InvalidInput) as first:
        read_interactions(path, Columns.parse("1,4"))
    assert first.value.message.startswith(f"{path}:4: expected at least 4 fields, got 1; ")
    assert "pass --max-bad-rows N" in first.value.message


def test_one_allowance_spans_several_files(tmp_path: Path) -> None:
    bad = BadRows(limit=2)
    first = write(tmp_path, "ann,t1,1\nann,t2,x\n", "a.csv")
    second = write(tmp_path, "bob,t1,1\nbob,t3,-2\ncat,t1,1\ncat,t2,oops\n", "b.csv")
    assert read_interactions(first, bad_rows=bad).nnz == 1
    with pytest.raises(InvalidInput, match=r"b.csv:4: weight 'oops'"):
        read_interactions(second, bad_rows=bad)
    assert bad.skipped == 2
    assert [e.split(": ", 1)[1] for e in bad.examples] == [
        "weight 'x' is not a finite number >= 0",
        "weight '-2' is not a finite number >= 0",
    ]


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


@pytest.mark.parametrize("name", ["plays.tsv", "plays.tsv.gz"])
def test_a_write_that_fails_half_way_leaves_the_old_file_and_no_part(
    tmp_path: Path, name: str
) -> None:
    path = tmp_path / name
    write_interactions(path, [("ann", "t1", 2.0)])
    before = path.read_bytes()
    with pytest.raises(InvalidInput, match="contains a tab"):
        write_interactions(path, [("bob", "t2", 1.0), ("b\tad", "t3", 1.0)])
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_the_reader_streams(tmp_path: Path) -> None:
    # A bad line far down is only met after the earlier rows were yielded one by one.
    lines = "".join(f"u{i}\tt{i % 7}\t1\n" for i in range(5000)) + "u\tt\tbad\n"
    rows = iter_interactions(write(tmp_path, lines))
    assert next(rows) == ("u0", "t0", 1.0)
    with pytest.raises(InvalidInput, match=":5001:"):
        for _ in rows:
            pass


@pytest.mark.parametrize("name", ["plays.tsv", "plays.tsv.gz"])
def test_progress_reports_bytes_read_of_the_file_on_disk(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    rows = [(f"u{n % 97}", f"t{n}", 1.0) for n in range(25_000)]
    write_interactions(path, rows)
    seen: list[int] = []
    data = read_interactions(path, progress=seen.append)
    assert data.nnz == 25_000
    # Two calls along the way (every 10,000 rows) and one at the end, at the file's size.
    assert len(seen) == 3 and seen == sorted(seen)
    assert 0 < seen[0] < seen[-1] == path.stat().st_size
