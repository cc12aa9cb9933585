"""The music chat over HTTP with the built-in offline assistant (no key is set in tests)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient


def chat(client: TestClient, auth: dict[str, str], message: str, **extra: object) -> dict[str, object]:
    response = client.post("/api/v1/chat", json={"message": message, **extra}, headers=auth)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_recommendation_request_answers_with_real_catalog_tracks(
    client: TestClient, auth: dict[str, str]
) -> None:
    body = chat(client, auth, "something upbeat for a run")
    assert body["provider"] == "local"
    assert body["tools"] == ["recommend"]
    tracks = body["tracks"]
    assert isinstance(tracks, list) and len(tracks) >= 5
    for track in tracks:
        found = client.get(f"/v1/tracks/{track['id']}", headers=auth)
        assert found.status_code == 200
        assert found.json()["name"] == track["name"]
        assert track["name"] in str(body["reply"])


def test_playlist_of_45_minutes(client: TestClient, auth: dict[str, str]) -> None:
    body = chat(client, auth, "make me a 45-minute focus playlist")
    assert body["tools"] == ["create_playlist"]
    minutes = sum(int(t["duration_ms"]) for t in body["tracks"]) / 60_000  # type: ignore[union-attr]
    assert 40 <= minutes <= 50, minutes


def test_conversation_is_kept_in_order_and_listed(client: TestClient, auth: dict[str, str]) -> None:
    first = chat(client, auth, "recommend some chill jazz")
    cid = first["conversation_id"]
    second = chat(client, auth, "why did you suggest the first one?", conversation_id=cid)
    assert second["conversation_id"] == cid
    assert second["tools"] == ["explain_recommendation"]
    stored = client.get(f"/api/v1/chat/conversations/{cid}", headers=auth).json()["messages"]
    assert [m["order"] for m in stored] == list(range(len(stored)))
    assert [m["role"] for m in stored][:4] == ["user", "assistant", "tool", "assistant"]
    listed = client.get("/api/v1/chat/conversations", headers=auth).json()["items"]
    assert listed[0]["id"] == cid and listed[0]["title"] == "recommend some chill jazz"
    assert client.delete(f"/api/v1/chat/conversations/{cid}", headers=auth).status_code == 204
    assert client.get(f"/api/v1/chat/conversations/{cid}", headers=auth).status_code == 404


def test_streams_over_sse(client: TestClient, auth: dict[str, str]) -> None:
    with client.stream("POST", "/api/v1/chat", headers=auth,
                       json={"message": "songs like Daft Punk", "stream": True}) as response:
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/event-stream")
        events = [(e, json.loads(d)) for e, d in _sse(response.iter_lines())]
    kinds = [e for e, _ in events]
    assert kinds[0] == "tool" and kinds[-1] == "done" and "delta" in kinds
    text = "".join(d["text"] for e, d in events if e == "delta")
    assert text.strip() == events[-1][1]["reply"]["reply"].strip()


def test_providers_are_listed(client: TestClient, auth: dict[str, str]) -> None:
    providers = client.get("/api/v1/llm/providers", headers=auth).json()
    assert [p["name"] for p in providers][-1] == "local"
    assert providers[-1]["breaker"] == "closed"


def test_someone_elses_conversation_is_not_found(client: TestClient, auth: dict[str, str]) -> None:
    cid = chat(client, auth, "hi")["conversation_id"]
    other = client.post("/api/v1/chat", json={"message": "hi", "conversation_id": "nope"},
                        headers=auth)  # fmt: skip
    assert other.status_code == 404
    assert cid


def _sse(lines: object) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    event = "message"
    for line in lines:  # type: ignore[attr-defined]
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            out.append((event, line.split(":", 1)[1].strip()))
    return out


def test_an_unknown_provider_is_a_400(client: TestClient, auth: dict[str, str]) -> None:
    response = client.post("/api/v1/chat", headers=auth,
                           json={"message": "hi", "provider": "nonexistent"})  # fmt: skip
    assert response.status_code == 400
    assert "nonexistent" in response.json()["error"]["message"]
