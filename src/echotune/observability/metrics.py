"""Prometheus metrics of one app instance, on a registry of its own."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

_FAST_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "echotune_http_requests_total",
            "HTTP requests by route template, method and status",
            ["route", "method", "status"],
            registry=self.registry,
        )
        self.request_latency = Histogram(
            "echotune_http_request_duration_seconds",
            "HTTP request latency by route template",
            ["route", "method"],
            buckets=_FAST_BUCKETS,
            registry=self.registry,
        )
        self.storage_latency = Histogram(
            "echotune_storage_operation_duration_seconds",
            "Storage operation latency by repository and operation",
            ["backend", "repo", "operation", "outcome"],
            buckets=_FAST_BUCKETS,
            registry=self.registry,
        )
        self.recommend_latency = Histogram(
            "echotune_recommendation_duration_seconds",
            "Time to compute recommendations, by engine",
            ["engine"],
            buckets=_FAST_BUCKETS,
            registry=self.registry,
        )
        self.catalog_tracks = Gauge(
            "echotune_catalog_tracks",
            "Tracks in the recommendation feature index",
            registry=self.registry,
        )

    def render(self) -> bytes:
        return generate_latest(self.registry)
