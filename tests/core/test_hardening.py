"""The smaller holes found when gov3 was tried as an attacker would: each stays closed."""

from __future__ import annotations

import io
import json
import logging
import sys
from typing import Any
from unittest.mock import patch

import pytest
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext

from gov3.accounts.models import User
from gov3.cases.models import Objection
from gov3.cases.services import do_object
from gov3.core.errors import ValidationFailedError
from gov3.core.log_format import JsonFormatter
from gov3.core.spreadsheets import neutralise, restore
from gov3.offers.models import Offer
from gov3.saemaul import exchange
from gov3.settings import Gov3Settings, ImproperlyConfiguredError, read_secret


@pytest.mark.parametrize(
    "cell", ['=HYPERLINK("http://evil","x")', "+1+1", "-2+3", "@SUM(A1)", "\tx"]
)
def test_csv_cells_that_would_run_as_formulas_are_written_as_text(cell: str) -> None:
    text = exchange._csv(["name"], [{"name": cell}])
    assert text.splitlines()[1].lstrip('"').startswith("'")
    [row] = exchange.read_csv(text, ["name"])
    assert row.values["name"] == cell.strip()  # gov3 reads its own export back unchanged
    assert neutralise(7) == 7
    assert neutralise("\r=1") == "'\r=1"
    assert restore("'plain") == "'plain"


def test_the_pdf_verification_api_refuses_by_content_length_before_reading(
    client: Client, settings: Any
) -> None:
    settings.GOV3_VERIFY_MAX_BYTES = 1000
    body = io.BytesIO(b"x" * 10)  # the body is small; only the declared length is too large
    response = client.generic(
        "POST",
        "/api/v1/verify/pdf",
        body.read(),
        content_type="multipart/form-data; boundary=zzz",
        CONTENT_LENGTH=str(100 * 1024 * 1024),
    )
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_a_multipart_body_without_a_boundary_is_a_clear_400(client: Client) -> None:
    response = client.generic(
        "POST", "/api/v1/verify/pdf", b"--x\r\n", content_type="multipart/form-data"
    )
    assert response.status_code == 400
    assert "boundary" in response.json()["detail"]


def test_without_debug_short_secrets_and_wildcard_hosts_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GOV3_SECRET_KEY", "x")
    with pytest.raises(ImproperlyConfiguredError, match="at least 16"):
        read_secret("GOV3_SECRET_KEY", development_default="dev", debug=False)
    assert read_secret("GOV3_SECRET_KEY", development_default="dev", debug=True) == "x"
    monkeypatch.setenv("GOV3_DEBUG", "0")
    monkeypatch.setenv("GOV3_SECRET_KEY", "s" * 50)
    monkeypatch.setenv("GOV3_KEY_PASSPHRASE", "p" * 50)
    monkeypatch.setenv("GOV3_ALLOWED_HOSTS", "*")
    with pytest.raises(ImproperlyConfiguredError, match="not '\\*'"):
        Gov3Settings.from_environment()


def test_server_errors_are_logged_as_json_on_stderr() -> None:
    logger = logging.getLogger("django.request")
    [handler] = [h for h in logger.handlers if isinstance(h.formatter, JsonFormatter)]
    assert handler.level == logging.ERROR
    assert type(handler) is logging.StreamHandler  # its default stream: stderr
    try:
        raise ValueError("boom")
    except ValueError:
        record = logger.makeRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s",
            ("/x",),
            sys.exc_info(),
        )
    line = json.loads(handler.formatter.format(record))
    assert line["level"] == "ERROR"
    assert line["message"] == "Internal Server Error: /x"
    assert "ValueError: boom" in line["exception"]


@pytest.mark.django_db
def test_one_open_objection_per_offer(
    register_birth: Any, citizen: User, welfare_agency: Any
) -> None:
    baby = register_birth()
    offer = Offer.objects.get(subject=baby, service_id="child_allowance")
    do_object(citizen, offer=offer, text="The birth date is wrong.")
    with pytest.raises(ValidationFailedError):
        do_object(citizen, offer=offer, text="And again.")
    assert Objection.objects.filter(offer=offer).count() == 1


@pytest.mark.django_db
def test_the_database_keeps_one_open_objection_per_offer_when_requests_race(
    register_birth: Any, citizen: User, welfare_agency: Any
) -> None:
    """Two requests that both checked before either wrote: the second write is refused by the
    database, and the citizen gets the same clear answer."""
    baby = register_birth()
    offer = Offer.objects.get(subject=baby, service_id="child_allowance")
    first = do_object(citizen, offer=offer, text="The birth date is wrong.")
    racing = Objection.objects.filter(pk=first.pk).values().get()
    for key in ("id", "public_id"):
        racing.pop(key)
    with pytest.raises(IntegrityError), transaction.atomic():
        Objection.objects.create(**racing)
    # the check in the service sees nothing open (as when the other request has not committed)
    with (
        patch.object(QuerySet, "exists", return_value=False),
        pytest.raises(ValidationFailedError) as refused,
    ):
        do_object(citizen, offer=offer, text="And again.")
    assert str(refused.value) == gettext(
        "You have already said what is wrong with this; the agency will answer that first."
    )
    assert Objection.objects.filter(offer=offer).count() == 1
    # once answered, a new objection may be made
    Objection.objects.filter(pk=first.pk).update(status="answered")
    do_object(citizen, offer=offer, text="Still wrong.")
    assert Objection.objects.filter(offer=offer, status="open").count() == 1


@pytest.mark.django_db
def test_the_officer_search_is_never_a_get_with_the_query(officer_client: Client) -> None:
    page = officer_client.get(reverse("backoffice:search")).content.decode()
    assert 'method="post"' in page
    response = officer_client.get(
        reverse("backoffice:search"), {"q": "김영", "purpose": "citizen_request"}
    )
    assert "김영희" not in response.content.decode()  # a GET with a query searches nothing
