"""What an operations team relies on, in process: the probes, the metrics endpoint and what it
counts, request ids in responses, logs and audit entries, the Content-Security-Policy and the
request size limit. (`test_serving.py` runs the real gunicorn.)"""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from prometheus_client import REGISTRY

from gov3.accounts.models import User
from gov3.core import health, metrics
from gov3.core.audit import record_audit, verify_chain
from gov3.core.log_format import JsonFormatter, RequestIdFilter
from gov3.core.models import AuditEntry
from gov3.core.request_ids import bound_request_id, current_request_id
from gov3.core.serving import default_workers
from gov3.documents.models import DocumentType
from gov3.documents.services import do_issue_certificate
from gov3.registry.models import Person
from tests.core.test_audit import _tamper

TOKEN = "a-metrics-token-of-some-length"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_healthz_answers_without_the_database(client: Client) -> None:
    response = client.get("/healthz")  # no `db` fixture: a query would fail the test
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_names_the_failing_part_without_a_traceback(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "checks": {"database": "ok", "signing_keys": "ok", "queue": "ok"},
    }

    def broken_store() -> Any:
        raise OSError("/secret/path/keys: permission denied")

    monkeypatch.setattr("gov3.documents.issuers.key_store", broken_store)
    health.register_readiness_check("queue", lambda: "the queue did not answer in 2 s")
    try:
        response = client.get("/readyz")
    finally:
        health.unregister_readiness_check("queue")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["signing_keys"] == "the file key store cannot be opened"
    assert body["checks"]["queue"] == "the queue did not answer in 2 s"
    assert "secret" not in response.content.decode()
    assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_metrics_are_hidden_unless_token_or_address(client: Client, settings: Any) -> None:
    settings.GOV3_METRICS_TOKEN = TOKEN
    settings.GOV3_METRICS_IPS = ("10.0.0.9",)
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="10.0.0.9").status_code == 200
    settings.GOV3_METRICS_TOKEN = ""
    settings.GOV3_METRICS_IPS = ()
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404


@pytest.mark.django_db
def test_requests_are_timed_by_view_name_never_by_path(client: Client, settings: Any) -> None:
    settings.GOV3_METRICS_TOKEN = TOKEN
    before = sample("gov3_http_requests_total", view="portal:login", method="GET", status="200")
    unmatched = sample("gov3_http_requests_total", view="unmatched", method="GET", status="404")
    client.get("/login/")
    client.get("/no-such-page/zqxjv/")
    after = sample("gov3_http_requests_total", view="portal:login", method="GET", status="200")
    assert after == before + 1
    assert (
        sample("gov3_http_requests_total", view="unmatched", method="GET", status="404")
        == unmatched + 1
    )
    text = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    assert (
        'gov3_http_request_duration_seconds_bucket{le="0.1",method="GET",view="portal:login"}'
        in text
    )
    # no label names the path (a timestamp may hold any digits, so letters are looked for)
    assert "no-such-page" not in text
    assert "zqxjv" not in text


@pytest.mark.django_db
def test_a_count_waits_for_the_commit(django_capture_on_commit_callbacks: Any) -> None:
    def confirmed() -> float:
        return sample("gov3_offers_confirmed_total")

    start = confirmed()

    def write_then_fail() -> None:
        with transaction.atomic():
            metrics.count_on_commit(metrics.OFFERS_CONFIRMED)
            raise RuntimeError("rolled back")

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        write_then_fail()
    assert confirmed() == start
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        metrics.count_on_commit(metrics.OFFERS_CONFIRMED)
        assert confirmed() == start  # not yet: the write has not committed
    assert confirmed() == start + 1


@pytest.mark.django_db
def test_issuing_a_document_counts_it(
    citizen: User, family: dict[str, Person], django_capture_on_commit_callbacks: Any
) -> None:
    kind = DocumentType.RESIDENT_REGISTRATION
    before = sample("gov3_documents_issued_total", type=str(kind))
    with django_capture_on_commit_callbacks(execute=True):
        do_issue_certificate(citizen, family["mother"], kind)
    assert sample("gov3_documents_issued_total", type=str(kind)) == before + 1


@pytest.mark.django_db
def test_request_id_in_response_logs_and_audit(
    client: Client, settings: Any, family: dict[str, Person]
) -> None:
    made = client.get("/login/")["X-Request-ID"]
    assert len(made) == 32
    # A client cannot choose its id unless a trusted proxy sets it; a malformed one is replaced.
    assert client.get("/login/", HTTP_X_REQUEST_ID="mine")["X-Request-ID"] != "mine"
    settings.GOV3_TRUSTED_PROXY = True
    assert client.get("/login/", HTTP_X_REQUEST_ID="edge-7f3a")["X-Request-ID"] == "edge-7f3a"
    bad = client.get("/login/", HTTP_X_REQUEST_ID="x\nforged log line")["X-Request-ID"]
    assert "\n" not in bad
    assert len(bad) == 32

    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("gov3.test_operations")
    logger.addHandler(handler)
    try:
        with bound_request_id("task-of-edge-7f3a"), transaction.atomic():
            logger.warning("working")
            entry = record_audit(actor="test", action="test.done", target_type="test")
        logger.warning("outside")
    finally:
        logger.removeHandler(handler)
    inside, outside = (json.loads(line) for line in stream.getvalue().splitlines())
    assert inside["request_id"] == "task-of-edge-7f3a"
    assert "request_id" not in outside
    assert current_request_id() == ""
    assert AuditEntry.objects.get(pk=entry.pk).request_id == "task-of-edge-7f3a"
    assert verify_chain().ok


@pytest.mark.django_db
def test_the_audit_hash_covers_the_request_id(family: dict[str, Person]) -> None:
    with bound_request_id("req-1"), transaction.atomic():
        entry = record_audit(actor="test", action="test.done", target_type="test")
    assert verify_chain().ok
    _tamper("UPDATE core_auditentry SET request_id = 'req-2' WHERE id = %s", [entry.pk])
    report = verify_chain()
    assert not report.ok
    assert report.first_broken_id == entry.pk


@pytest.mark.django_db
def test_pages_carry_a_policy_without_inline_script(client: Client) -> None:
    policy = client.get("/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy


@pytest.mark.django_db
def test_a_body_over_the_limit_is_refused_unread(client: Client, settings: Any) -> None:
    settings.GOV3_MAX_REQUEST_BYTES = 1000
    response = client.post("/login/", data={"username": "x" * 2000, "password": "y"})
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_worker_formula() -> None:
    assert default_workers(2) == 5
    assert default_workers(8) == 17


@pytest.fixture(autouse=True)
def _no_leftover_request_id() -> Iterator[None]:
    yield
    assert current_request_id() == ""
