"""The Saemaul map (issue 14, item 12): villages over the outlines of the county's eup/myeon,
named in the page's language, with the source of the outlines under it; a village page shows
where the village is on the same map. Before, it was a scatter of triangles."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from gov3.accounts.models import User
from gov3.catalogue.boundaries import outline_of
from gov3.demo.saemaul import EUP_MYEON, load_demo, set_up_demo_accounts
from gov3.saemaul.models import Village
from tests.conftest import load_small_kr_areas, make_person

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def _client(username: str, language: str) -> Client:
    user = User.objects.get(username=username)
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    device = user.totpdevice_set.first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture(scope="module")
def demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The Saemaul demo (~2 s to load), once for this module's tests: they only read it, each in
    a savepoint inside this transaction, which is rolled back after the last of them."""
    with django_db_blocker.unblock():
        # Django's own test-case transaction (as pytest-django's `db` opens one per test), so
        # that the services' durable blocks may run inside it as they do in any test.
        atomics = TestCase._enter_atomics()
        try:
            with override_settings(DEBUG=True):  # the demo's published passwords need it
                load_small_kr_areas()
                load_demo()
                make_person(name_local="권우호", name_latin="KWON WOOHO", sex="M")
                set_up_demo_accounts("http://testserver")
            yield
        finally:
            TestCase._rollback_atomics(atomics)


def test_every_demo_village_lies_inside_its_eup_myeon(demo: None) -> None:
    villages = Village.objects.select_related("area__parent")
    outlines = {}
    for village in villages:
        if village.area_id not in outlines:
            outlines[village.area_id] = outline_of(village.area)
        outline = outlines[village.area_id]
        assert outline is not None, village.area
        assert outline.contains(float(village.latitude), float(village.longitude)), village.code


@pytest.mark.parametrize(
    ("language", "names"),
    [
        ("ko", [name for name, _, _, _ in EUP_MYEON]),
        ("en", [name for _, name, _, _ in EUP_MYEON]),
    ],
)
def test_the_county_map_draws_the_eup_myeon_with_their_names(
    demo: None, language: str, names: list[str]
) -> None:
    html = _client("saemaul-county", language).get(reverse("saemaul:dashboard")).content.decode()
    svg = html[html.index('<figure class="sm-chart sm-map">') :]
    svg = svg[: svg.index("</figure>")]
    assert svg.count('class="sm-map-frame"') == 1  # Haenam-gun's outline
    assert svg.count('class="sm-map-area"') == 14  # its eup/myeon
    labels = re.findall(r'<text class="sm-map-label"[^>]*>([^<]+)</text>', svg)
    assert sorted(labels) == sorted(names)
    assert svg.count("sm-marker sm-class-") >= 485
    assert "Statistics Korea" in svg
    assert "Korea Open Government License type 1" in svg


def test_the_whole_country_map_names_the_provinces(demo: None) -> None:
    html = _client("saemaul-central", "en").get(reverse("saemaul:dashboard")).content.decode()
    assert html.count('class="sm-map-area"') == 17
    for name in ("Seoul", "Jeollanam-do", "Jeju"):
        assert f">{name}</text>" in html


@pytest.mark.parametrize("language", ["ko", "en", "vi"])
def test_a_village_page_shows_where_the_village_is(demo: None, language: str) -> None:
    village = Village.objects.get(code="46820-03-0003")
    html = (
        _client("saemaul-myeon", language)
        .get(reverse("saemaul:village", args=[village.code]))
        .content.decode()
    )
    assert 'aria-labelledby="where-title"' in html
    assert "sm-marker--here" in html
    assert '<text class="sm-map-label sm-map-label--here"' in html
    assert f">{village.name_local}</text>" in html
    assert html.count('class="sm-map-frame"') == 1  # Hwasan-myeon
