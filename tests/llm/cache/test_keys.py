"""The exact key: what makes two requests the same, and whose they are."""

from __future__ import annotations

from dataclasses import replace

from echotune.llm.cache.keys import cache_scope, cacheable, exact_key
from echotune.llm.types import ChatRequest, Message, ToolCall, ToolSpec
from tests.llm.cache.doubles import ask

SEARCH = ToolSpec("search_catalog", "Search", {"type": "object", "properties": {}})


def key(request: ChatRequest) -> str:
    value = exact_key(request)
    assert value is not None
    return value


def test_whitespace_collapses_but_case_counts() -> None:
    base = key(ask("play  some\tAC/DC\n"))
    assert key(ask("play some AC/DC")) == base
    assert key(ask("  play some   AC/DC  ")) == base
    assert key(ask("play some ac/dc")) != base


def test_everything_that_shapes_the_answer_is_in_the_key() -> None:
    request = ask("recommend jazz")
    base = key(request)
    variants = [
        replace(request, temperature=0.9),
        replace(request, max_tokens=10),
        replace(request, provider="openai"),
        replace(request, tools=(SEARCH,)),
        ask("recommend jazz", system="Another persona."),
    ]
    assert len({base, *(key(v) for v in variants)}) == len(variants) + 1
    schema_changed = replace(request, tools=(replace(SEARCH, parameters={"type": "object"}),))
    assert key(schema_changed) != key(replace(request, tools=(SEARCH,)))


def test_policy_and_latency_flags_do_not_split_entries() -> None:
    request = ask("recommend jazz")
    assert key(replace(request, policy="cheapest", latency_critical=True)) == key(request)
    assert key(replace(request, user_id="someone")) == key(request)  # not personal: shared


def test_tool_call_ids_are_canonical_but_content_is_not() -> None:
    def turn(call_id: str, query: str) -> ChatRequest:
        call = ToolCall(call_id, "search_catalog", {"query": query, "limit": 5})
        return ask(
            "and now?",
            history=(
                Message("user", "find daft punk"),
                Message("assistant", "", tool_calls=(call,)),
                Message("tool", '{"tracks": []}', tool_call_id=call_id, name="search_catalog"),
            ),
        )

    assert key(turn("call_abc", "daft punk")) == key(turn("toolu_xyz", "daft punk"))
    assert key(turn("call_abc", "daft punk")) != key(turn("call_abc", "justice"))


def test_argument_order_does_not_matter() -> None:
    a = ToolCall("1", "recommend", {"mood": "happy", "limit": 5})
    b = ToolCall("1", "recommend", {"limit": 5, "mood": "happy"})
    history_a = (Message("assistant", "", tool_calls=(a,)),)
    history_b = (Message("assistant", "", tool_calls=(b,)),)
    assert key(ask("ok", history=history_a)) == key(ask("ok", history=history_b))


def test_personal_requests_are_scoped_to_their_user() -> None:
    alice = ask("my top artists?", user="alice", personal=True)
    bob = ask("my top artists?", user="bob", personal=True)
    assert cache_scope(alice) == "user:alice"
    assert key(alice).startswith("user:alice:")
    assert key(alice) != key(bob)
    assert key(ask("my top artists?")).startswith("shared:")
    anonymous = ask("my top artists?", personal=True)
    assert exact_key(anonymous) is None
    assert not cacheable(anonymous, None)


def test_hot_requests_bypass_when_a_limit_is_set() -> None:
    assert cacheable(ask("surprise me", temperature=1.0), 1.0)
    assert not cacheable(ask("surprise me", temperature=1.3), 1.0)
    assert cacheable(ask("surprise me", temperature=1.3), None)
    assert not cacheable(ChatRequest(messages=()), None)


def test_the_same_tools_tuple_hashes_the_same_after_memoisation() -> None:
    tools = (SEARCH,)
    first = key(replace(ask("x"), tools=tools))
    assert key(replace(ask("x"), tools=tools)) == first
    assert key(replace(ask("x"), tools=(SEARCH,))) == first  # an equal, different tuple
