"""The chat driven by real vendor SDKs against loopback fakes: tool calling, no invented
tracks, failover, the breaker, per-user caching and budgets, streams that break."""

from __future__ import annotations

import json
import uuid

from fastapi.testclient import TestClient

from tests.fakes.llm.anthropic_app import FakeAnthropic
from tests.fakes.llm.openai_app import FakeOpenAI


def bearer(client: TestClient) -> dict[str, str]:
    services = client.app.state.services  # type: ignore[attr-defined]
    name = "chat-" + uuid.uuid4().hex[:8]
    _, _, secret = client.portal.call(services.users.create_token, name)  # type: ignore[union-attr]
    return {"Authorization": f"Bearer {secret}"}


def ask(client: TestClient, auth: dict[str, str], message: str) -> dict[str, object]:
    response = client.post("/api/v1/chat", json={"message": message}, headers=auth)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_openai_calls_our_tools_and_invented_tracks_are_dropped(
    vendor_client: TestClient, fake_openai: FakeOpenAI
) -> None:
    auth = bearer(vendor_client)
    fake_openai.script.call_tool("recommend", {"mood": "happy", "limit": 5})
    fake_openai.script.say("Here you go:\n1. Imaginary Anthem — The Nobodies\nEnjoy!")
    body = ask(vendor_client, auth, "recommend me something happy")
    assert body["provider"] == "openai-fake"
    assert body["tools"] == ["recommend"]
    assert body["dropped_lines"] == 1 and "Imaginary Anthem" not in str(body["reply"])
    assert len(body["tracks"]) == 5  # type: ignore[arg-type]
    first, second = fake_openai.requests[-2:]
    # The first request carried the taste summary and the tool schemas...
    assert "EchoTune" in json.dumps(first.body["messages"][0])
    assert {t["function"]["name"] for t in first.body["tools"]} >= {"recommend", "create_playlist"}
    # ...the second, the tool's result: real catalog tracks.
    tool_message = second.body["messages"][-1]
    assert tool_message["role"] == "tool"
    assert len(json.loads(tool_message["content"])["tracks"]) == 5


def test_failover_to_anthropic_when_openai_fails(
    vendor_client: TestClient, fake_openai: FakeOpenAI, fake_anthropic: FakeAnthropic
) -> None:
    auth = bearer(vendor_client)
    fake_openai.faults.add(status=500)
    fake_anthropic.script.say("Shoegaze is dreamy, noisy guitar rock.")
    body = ask(vendor_client, auth, "what is shoegaze " + uuid.uuid4().hex[:6] + "?")
    assert body["provider"] == "claude-fake"
    assert body["reply"] == "Shoegaze is dreamy, noisy guitar rock."


def test_personal_answers_are_never_served_to_another_user(
    vendor_client: TestClient, fake_openai: FakeOpenAI
) -> None:
    alice, bob = bearer(vendor_client), bearer(vendor_client)
    question = "what should I listen to tonight " + uuid.uuid4().hex[:6]
    fake_openai.script.say("Alice's private answer")
    fake_openai.script.say("Bob's own answer")
    assert ask(vendor_client, alice, question)["reply"] == "Alice's private answer"
    bob_body = ask(vendor_client, bob, question)
    assert bob_body["reply"] == "Bob's own answer" and bob_body["cached"] is False
    again = ask(vendor_client, alice, question)  # a new conversation, same request: a hit
    assert again["reply"] == "Alice's private answer" and again["cached"] is True


def test_general_questions_are_shared_through_the_cache(
    vendor_client: TestClient, fake_openai: FakeOpenAI
) -> None:
    question = "Who founded Motown Records? " + uuid.uuid4().hex[:6]
    fake_openai.script.say("Berry Gordy, in 1959.")
    first = ask(vendor_client, bearer(vendor_client), question)
    second = ask(vendor_client, bearer(vendor_client), question)
    assert first["reply"] == second["reply"] == "Berry Gordy, in 1959."
    assert second["cached"] is True
    assert len([r for r in fake_openai.requests]) == 1


def test_a_spent_daily_budget_is_a_clear_429_or_the_free_assistant(
    vendor_client: TestClient, fake_openai: FakeOpenAI
) -> None:
    auth = bearer(vendor_client)
    fake_openai.script.reply("A long answer.", input_tokens=49_000, output_tokens=2_000)
    ask(vendor_client, auth, "tell me about jazz " + uuid.uuid4().hex[:6])
    pinned = vendor_client.post("/api/v1/chat", headers=auth, json={
        "message": "and blues? " + uuid.uuid4().hex[:6], "provider": "openai-fake"})
    assert pinned.status_code == 429, pinned.text
    assert "budget" in pinned.json()["error"]["message"].lower()
    assert int(pinned.headers["retry-after"]) > 0
    # Unpinned, the offline assistant (free, never charged) still answers.
    served = ask(vendor_client, auth, "recommend me some blues " + uuid.uuid4().hex[:6])
    assert served["provider"] == "local" and served["tracks"]


def test_a_stream_cut_after_the_first_token_stops_with_an_error_event(
    vendor_client: TestClient, fake_openai: FakeOpenAI, fake_anthropic: FakeAnthropic
) -> None:
    auth = bearer(vendor_client)
    fake_openai.script.say("First line of the answer\nSecond line that never arrives")
    fake_openai.faults.add(cut_after_chunks=2)
    fake_anthropic.script.say("Claude would have said something else")
    with vendor_client.stream("POST", "/api/v1/chat", headers=auth, json={
            "message": "tell me a story " + uuid.uuid4().hex[:6], "stream": True}) as response:
        body = "".join(response.iter_text())
    assert "event: error" in body
    assert "not continued by another model" in body
    assert "Claude would have said" not in body  # never spliced
    assert len(fake_anthropic.requests) == 0


def test_a_model_that_only_calls_tools_still_gets_an_answer(
    vendor_client: TestClient, fake_openai: FakeOpenAI
) -> None:
    auth = bearer(vendor_client)
    for _ in range(6):
        fake_openai.script.call_tool("search_catalog", {"query": "love"})
    body = ask(vendor_client, auth, "find me love songs " + uuid.uuid4().hex[:6])
    assert body["provider"] == "openai-fake"
    assert body["tools"] == ["search_catalog"] * 4  # four rounds of tools, then it stops
    assert "couldn't put an answer together" in str(body["reply"])


# Last in this file: it leaves the OpenAI fake's breaker open for a while.
def test_the_breaker_opens_after_repeated_failures(
    vendor_client: TestClient, fake_openai: FakeOpenAI, fake_anthropic: FakeAnthropic
) -> None:
    auth = bearer(vendor_client)
    fake_openai.faults.add(status=503, times=None)
    for i in range(4):
        ask(vendor_client, auth, f"tell me a music fact number {uuid.uuid4().hex[:6]} {i}")
    providers = {p["name"]: p for p in vendor_client.get("/api/v1/llm/providers",
                                                          headers=auth).json()}  # fmt: skip
    assert providers["openai-fake"]["breaker"] == "open"
    assert providers["claude-fake"]["breaker"] == "closed"
    calls_before = len(fake_openai.requests)
    ask(vendor_client, auth, "one more fact " + uuid.uuid4().hex[:6])
    assert len(fake_openai.requests) == calls_before  # an open breaker is not called
    metrics = vendor_client.get("/metrics").text
    assert "openai-fake" in metrics
