"""The same chat streamed over Socket.IO (namespace /chat), with a real client over HTTP."""

from __future__ import annotations

import socketio


def test_chat_streams_over_socketio(live_server: str, token: str) -> None:
    with socketio.SimpleClient() as client:
        client.connect(live_server, namespace="/chat", transports=["polling"],
                       auth={"token": token})  # fmt: skip
        client.emit("message", {"message": "something chill for studying"})
        events = []
        while True:
            name, payload = client.receive(timeout=20)
            events.append((name, payload))
            if name in ("done", "error"):
                break
    names = [n for n, _ in events]
    assert names[0] == "tool" and names[-1] == "done", names
    reply = events[-1][1]["reply"]
    assert reply["provider"] == "local" and reply["tracks"]
    text = "".join(p["text"] for n, p in events if n == "delta")
    assert text.strip() == reply["reply"].strip()


def test_socketio_refuses_a_bad_token(live_server: str) -> None:
    client = socketio.SimpleClient()
    try:
        client.connect(live_server, namespace="/chat", transports=["polling"],
                       auth={"token": "et_not-a-real-token"})  # fmt: skip
    except socketio.exceptions.ConnectionError as exc:
        assert "/chat" in str(exc)  # the namespace refused the connection
    else:
        client.disconnect()
        raise AssertionError("a bad token must not connect")
