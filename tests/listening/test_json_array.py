"""The streaming JSON array reader: same elements as json.loads, exact error positions."""

from __future__ import annotations

import io
import json

import pytest

from echotune.listening import json_array
from echotune.listening.json_array import JsonArrayError, JsonArrayReader, Segment

CHUNKS = [5, 64, 1000, 1 << 20]
RECORDS = [
    {"ts": "2024-01-01T00:00:00Z", "name": "Ünïcode ☃ मेरा", "n": i, "ok": i % 2 == 0}
    for i in range(40)
]


def segments(data: bytes, chunk: int = 64) -> list[Segment]:
    return list(JsonArrayReader(io.BytesIO(data), chunk).segments())


def elements(data: bytes, chunk: int = 64) -> list[object]:
    found = []
    for seg in segments(data, chunk):
        assert seg.first_index == len(found)
        found.extend(seg.elements)
    return found


def failure(data: bytes, chunk: int = 64) -> JsonArrayError:
    with pytest.raises(JsonArrayError) as caught:
        elements(data, chunk)
    return caught.value


@pytest.mark.parametrize("chunk", CHUNKS)
def test_pretty_and_minified_arrays_read_like_json_loads(chunk: int) -> None:
    for text in (json.dumps(RECORDS, indent=2, ensure_ascii=False), json.dumps(RECORDS)):
        assert elements(text.encode(), chunk) == RECORDS


@pytest.mark.parametrize("chunk", CHUNKS)
def test_braces_and_commas_inside_strings_and_nested_values(chunk: int) -> None:
    tricky = [{"a": "}, {", "b": {"c": [1, {"d": "},"}]}}, "x", 3, [{"e": "]"}], {}]
    assert elements(json.dumps(tricky, indent=1).encode(), chunk) == tricky
    assert elements(json.dumps(tricky).encode(), chunk) == tricky


@pytest.mark.parametrize("text", ["[]", "  [ \n ]  \n", "\ufeff[]"])
def test_empty_arrays(text: str) -> None:
    assert elements(text.encode()) == []


def test_a_byte_order_mark_is_skipped_and_offsets_stay_true() -> None:
    data = '\ufeff[{"a": 1}, {"a": tru}]'.encode()
    assert failure(data).byte_offset == data.index(b"tru")


def _typed(data: bytes) -> list[object]:
    """A typed decoder that reads only arrays of objects whose "n" is even."""
    elements = json.loads(data)
    if any(not isinstance(e, dict) or e.get("n", 0) in range(1, 40, 2) for e in elements):
        raise ValueError("does not fit")
    return [("typed", e) for e in elements]


def test_a_typed_decoder_reads_the_chunks_it_can_json_loads_the_rest() -> None:
    evens = [r for r in RECORDS if r["n"] in range(0, 40, 2)]
    data = json.dumps(evens + [{"n": 1}] + evens, indent=2).encode()
    reader = JsonArrayReader(io.BytesIO(data), 200, typed=_typed)
    found = list(reader.segments())
    typed = [s for s in found if s.typed]
    plain = [s for s in found if not s.typed]
    assert typed and plain
    assert all(e[0] == "typed" for s in typed for e in s.elements)
    assert [e for s in typed for e in s.plain_elements()] == [
        e[1] for s in typed for e in s.elements
    ]
    assert any({"n": 1} in s.elements for s in plain)
    everything = [e for s in found for e in s.plain_elements()]
    assert everything == json.loads(data)


@pytest.mark.parametrize("chunk", CHUNKS)
def test_segments_know_where_each_element_starts(chunk: int) -> None:
    data = json.dumps(RECORDS, indent=2, ensure_ascii=False).encode()
    starts = [i for i in range(len(data)) if data[i : i + 7] == b'{\n    "']
    for seg in segments(data, chunk):
        for k in range(len(seg.elements)):
            assert seg.byte_offset_of(k) == starts[seg.first_index + k]


def _corrupt(at: int, replacement: bytes) -> tuple[bytes, int]:
    """The pretty export with record `at`'s `ok` value replaced; and that value's offset."""
    data = json.dumps(RECORDS, indent=2, ensure_ascii=False).encode()
    marker = f'"n": {at},\n    "ok": '.encode()
    pos = data.index(marker) + len(marker)
    end = data.index(b"\n", pos)
    return data[:pos] + replacement + data[end:], pos


@pytest.mark.parametrize("chunk", CHUNKS)
def test_bad_json_reports_byte_offset_and_record_index(chunk: int) -> None:
    data, pos = _corrupt(17, b"tru")
    err = failure(data, chunk)
    assert (err.byte_offset, err.index) == (pos, 17)
    assert err.reason.startswith("invalid JSON")


@pytest.mark.parametrize("chunk", CHUNKS)
def test_invalid_utf8_is_reported_where_it_is(chunk: int) -> None:
    data, pos = _corrupt(25, b'"\xff\xfe"')
    err = failure(data, chunk)
    assert err.byte_offset == pos + 1 and "UTF-8" in err.reason
    assert err.index == 25


@pytest.mark.parametrize(
    ("text", "reason", "offset"),
    [
        ("", "the file is empty", 0),
        ("  \n", "the file is empty", 3),
        ('{"ts": 1}', "not a JSON array", 0),
        ('[{"a": 1}, {"a": ', "truncated in the middle of a record", 11),
        ('[{"a": 1}, {"a": "xy', "truncated in the middle of a record", 11),
        ('[{"a": 1},  ', "truncated: the array ends after a comma", 12),
        ('[{"a": 1}', "truncated: the array is never closed", 9),
        ("[", "truncated: the array is never closed", 1),
        ('[{"a": 1},\n]', "a comma before ']'", 11),
        ('[{"a": 1}] x', "unexpected data after the end of the array", 11),
        ('[{"a": 1} {"a": 2}]', "expected ',' or ']' after a record", 10),
    ],
)
def test_shape_errors(text: str, reason: str, offset: int) -> None:
    for chunk in (3, 1000):
        err = failure(text.encode(), chunk)
        assert err.reason.startswith(reason), err.reason
        assert err.byte_offset == offset


def test_a_huge_element_is_refused_not_buffered(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_array, "MAX_ELEMENT_BYTES", 1000)
    monkeypatch.setattr(json_array, "_WINDOW", 64)
    data = b'[{"a": 1}, {"big": "' + b"x" * 5000 + b'"}]'
    err = failure(data, 256)
    assert err.reason == "a record is larger than 4 MiB" and err.index == 1


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    data = b"[" + b"[" * 100_000 + b"]" * 100_000 + b"]"
    assert "nested too deeply" in failure(data, 1 << 20).reason


def test_bytes_read_follows_the_stream() -> None:
    data = json.dumps(RECORDS).encode()
    reader = JsonArrayReader(io.BytesIO(data), 100)
    it = reader.segments()
    next(it)
    assert 0 < reader.bytes_read < len(data)
    list(it)
    assert reader.bytes_read == len(data)


@pytest.mark.parametrize("chunk", [4, 33, 1 << 20])
def test_every_truncation_is_an_error_never_a_wrong_answer(chunk: int) -> None:
    data = json.dumps(RECORDS[:4], indent=2, ensure_ascii=False).encode()
    for size in range(len(data.rstrip())):
        with pytest.raises(JsonArrayError):
            elements(data[:size], chunk)


@pytest.mark.parametrize("chunk", [7, 1 << 20])
def test_any_one_byte_change_reads_as_json_loads_does_or_fails(chunk: int) -> None:
    data = json.dumps(RECORDS[:3], indent=2).encode()
    for pos in range(0, len(data), 3):
        for byte in b'}{,]["\\ x':
            changed = data[:pos] + bytes([byte]) + data[pos + 1 :]
            try:
                expected = json.loads(changed)
            except ValueError:
                expected = None
            try:
                got = elements(changed, chunk)
            except JsonArrayError:
                got = None
            if isinstance(expected, list):
                assert got == expected, (pos, chr(byte))
            else:
                assert got is None, (pos, chr(byte))
