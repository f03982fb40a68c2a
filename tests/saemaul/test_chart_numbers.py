"""Charts draw the same in every language (issue 14, item 1): Vietnamese writes 48,5 for 48.5,
and that comma inside an SVG attribute scattered the class chart into digits, cut the take-up
labels to one letter and printed map coordinates as `34,49825, 126,55089`.

Every chart page is rendered in ko, en and vi; every SVG is parsed as a browser would, every
numeric attribute must be one number, and the drawing (all geometry, no words) must be the same
in the three languages."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django_otp import DEVICE_ID_SESSION_KEY

from gov3.accounts.models import User
from gov3.core.templatetags.machine_numbers import coordinate, svg_number
from gov3.demo.saemaul import load_demo, set_up_demo_accounts
from gov3.saemaul.models import Village
from tests import svg
from tests.conftest import make_person

LANGUAGES = ("ko", "en", "vi")


@pytest.mark.parametrize("language", LANGUAGES)
def test_machine_numbers_never_take_the_locale_separator(language: str) -> None:
    with translation.override(language):
        assert svg_number(48.5) == "48.5"
        assert svg_number(1234567.125, 1) == "1234567.1"
        assert svg_number(12) == "12"
        assert svg_number(-0.001) == "0"
        assert coordinate(34.49825) == "34.49825"
        assert coordinate(126.550891) == "126.55089"


def _client(user: User, language: str) -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    device = user.totpdevice_set.first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _page(client: Client, url: str, language: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    assert response["Content-Language"] == language
    return response.content.decode()


@pytest.mark.slow
@pytest.mark.django_db
def test_every_saemaul_chart_draws_the_same_in_every_language(areas: None, settings: Any) -> None:
    settings.DEBUG = True  # the demo's published passwords are refused otherwise
    load_demo()
    make_person(name_local="권우호", name_latin="KWON WOOHO", sex="M")
    set_up_demo_accounts("http://testserver")
    county = User.objects.get(username="saemaul-county")
    leader = User.objects.get(username="saemaul-leader")
    village = Village.objects.get(code="46820-03-0001")
    pages = {
        "dashboard": (county, reverse("saemaul:dashboard")),
        "province dashboard": (
            User.objects.get(username="saemaul-province"),
            reverse("saemaul:dashboard"),
        ),
        "results": (county, reverse("saemaul:results")),
        "village": (leader, reverse("saemaul:village", args=[village.code])),
    }
    for what, (user, url) in pages.items():
        drawn = {}
        for language in LANGUAGES:
            html = _page(_client(user, language), url, language)
            assert svg.problems(html) == [], (what, language)
            drawn[language] = svg.geometry(html)
        assert drawn["vi"] == drawn["en"] == drawn["ko"], what
        if what == "dashboard":
            shapes = drawn["vi"]
            # the class chart still has its bars: rectangles with a real height
            bars = [dict(s.geometry) for s in shapes if s.tag == "rect"]
            assert sum(1 for b in bars if float(b.get("height", "0")) > 1) > 20
            assert sum(1 for s in shapes if s.tag == "path") >= 485  # a marker per village


@pytest.mark.django_db
def test_a_village_location_reads_the_same_in_every_language(areas: None, settings: Any) -> None:
    settings.DEBUG = True
    load_demo()
    make_person(name_local="권우호", name_latin="KWON WOOHO", sex="M")
    set_up_demo_accounts("http://testserver")
    leader = User.objects.get(username="saemaul-leader")
    village = Village.objects.get(code="46820-03-0001")
    expected = f"{float(village.latitude):.5f}, {float(village.longitude):.5f}"
    for language in LANGUAGES:
        html = _page(
            _client(leader, language), reverse("saemaul:village", args=[village.code]), language
        )
        assert expected in html, language


@pytest.mark.django_db
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_take_up_chart_draws_the_same_in_every_language(
    officer_client: Client, citizen: User, language: str
) -> None:
    html = officer_client.get(
        reverse("cases:dashboard"), HTTP_ACCEPT_LANGUAGE=language
    ).content.decode()
    assert "<svg" in html
    assert svg.problems(html) == []
    english = officer_client.get(reverse("cases:dashboard"), HTTP_ACCEPT_LANGUAGE="en")
    assert svg.geometry(html) == svg.geometry(english.content.decode())
    labels = [dict(s.geometry) for s in svg.geometry(html) if s.tag == "text" and dict(s.geometry)]
    # every label and number sits on its own line: no two texts share a baseline and start
    assert len({(t["x"], t["y"]) for t in labels}) == len(labels)
