"""Health, readiness, metrics and request ids on the running app."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient


def test_live(client: TestClient) -> None:
    r = client.get("/health/live")
    assert r.status_code == 200
    assert r.json()["status"] == "ok"


def test_ready_reports_storage_catalog_and_model(client: TestClient) -> None:
    r = client.get("/health/ready")
    assert r.status_code == 200
    body = r.json()
    assert body["ready"] is True
    assert body["storage"]["backend"] == "sqlite"
    assert body["storage"]["reachable"] is True
    assert body["storage"]["fallback"] is False
    assert body["storage"]["indexes_present"] is True
    assert body["catalog"]["tracks"] == 28356
    assert body["model"]["loaded"] is True
    assert body["model"]["tracks"] == 28356


def test_request_id_is_returned_and_kept(client: TestClient) -> None:
    fresh = client.get("/health/live")
    assert len(fresh.headers["x-request-id"]) == 32
    kept = client.get("/health/live", headers={"X-Request-ID": "trace-abc.123"})
    assert kept.headers["x-request-id"] == "trace-abc.123"
    unsafe = client.get("/health/live", headers={"X-Request-ID": "bad id\twith spaces"})
    assert unsafe.headers["x-request-id"] != "bad id\twith spaces"


def test_json_log_line_carries_request_id(
    client: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    from echotune.observability.logging import configure_logging

    configure_logging("INFO", json=True)
    r = client.get("/health/live", headers={"X-Request-ID": "log-check-1"})
    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]
    request_lines = [entry for entry in lines if entry.get("event") == "request"]
    assert r.status_code == 200
    assert any(
        e["request_id"] == "log-check-1" and e["route"] == "/health/live" and e["status"] == 200
        for e in request_lines
    )


def test_metrics_count_routes_and_latencies(client: TestClient, auth: dict[str, str]) -> None:
    client.get("/v1/recommendations", params={"seed_genres": "pop", "limit": 3}, headers=auth)
    client.get("/v1/tracks/0000000000000000000000", headers=auth)
    text = client.get("/metrics").text
    assert 'echotune_http_requests_total{method="GET",route="/v1/recommendations",status="200"}' in text
    assert 'route="/v1/tracks/{id}",status="404"' in text
    assert "echotune_http_request_duration_seconds_bucket" in text
    assert 'echotune_recommendation_duration_seconds_count{engine="discovery"}' in text
    assert 'echotune_storage_operation_duration_seconds_count{backend="sqlite",operation="get_many",outcome="ok",repo="tracks"}' in text
    assert "echotune_catalog_tracks 28356.0" in text


def test_openapi_docs(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/v1/recommendations", "/v1/search", "/health/ready", "/metrics"} <= set(paths)
