"""The portal speaks Korean, Vietnamese and English, and no catalogue has a gap in it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation import pgettext

from gov3.accounts.models import User
from tests.conftest import require_tool

LOCALE = Path(settings.LOCALE_PATHS[0])
TRANSLATED = ["ko", "vi"]
# A %-placeholder as Django's {% blocktranslate %} and gettext("... %(name)s ...") write it.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")

# What each page must say in each language (headings and buttons a reader cannot miss).
LOGIN_PAGE = {
    "ko": ["로그인", "공무원 로그인"],
    "vi": ["Đăng nhập", "Đăng nhập cán bộ"],
    "en": ["Sign in", "Officer sign-in"],
}
HOME_PAGE = {
    "ko": ["먼저 찾아가는 공공서비스", "국민 로그인", "본문 바로가기"],
    "vi": ["Dịch vụ công chủ động đến với bạn", "Đăng nhập", "Chuyển đến nội dung chính"],
    "en": ["Public services that come to you", "Sign in as a citizen", "Skip to main content"],
}
RECORD_PAGE = {
    "ko": ["내 정보", "주민등록번호", "세대원", "세대주와의 관계", "내 정보 열람 내역"],
    "vi": ["Thông tin của tôi", "Số định danh cá nhân", "Hộ gia đình", "Quan hệ với chủ hộ"],
    "en": ["My information", "National id number", "Members of the household"],
}
# Text that would betray an untranslated page.
ENGLISH_ONLY = ["Sign in", "Skip to main content", "Public services that come to you"]


def _catalog(language: str) -> Catalog:
    with (LOCALE / language / "LC_MESSAGES" / "django.po").open("rb") as po_file:
        return read_po(po_file, locale=language)


def _messages(language: str) -> list[Message]:
    return [message for message in _catalog(language) if message.id]


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(autouse=True)
def _compiled_catalogues() -> None:
    """Pages are translated from the .mo files; say how to build them rather than fail oddly."""
    for language in ["ko", "vi", "en"]:
        po_path = LOCALE / language / "LC_MESSAGES" / "django.po"
        mo_path = po_path.with_suffix(".mo")
        assert mo_path.exists(), f"{mo_path} is missing: run `make messages`"
        assert mo_path.stat().st_mtime >= po_path.stat().st_mtime, (
            f"{mo_path} is older than its .po: run `make messages`"
        )


def _page(client: Client, path: str, language: str) -> str:
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response["Content-Language"] == language
    return response.content.decode()


# -- the catalogues ---------------------------------------------------------------------------


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated_and_not_fuzzy(language: str) -> None:
    messages = _messages(language)
    assert len(messages) > 100
    fuzzy = [message.id for message in messages if message.fuzzy]
    assert fuzzy == [], f"fuzzy entries are not compiled; review them: {fuzzy}"
    untranslated = [
        message.id
        for message in messages
        if not message.string or (isinstance(message.string, tuple) and not all(message.string))
    ]
    assert untranslated == [], f"untranslated in {language}: {untranslated}"


@pytest.mark.parametrize("language", TRANSLATED)
def test_translations_keep_their_placeholders(language: str) -> None:
    for message in _messages(language):
        singular = str(message.id[0] if isinstance(message.id, tuple) else message.id)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            assert _placeholders(str(string)) == _placeholders(singular), (singular, string)


@pytest.mark.parametrize("language", TRANSLATED)
def test_catalogue_header_has_language_charset_and_one_plural_form(language: str) -> None:
    catalog = _catalog(language)
    assert not catalog.fuzzy, "a fuzzy header makes the whole catalogue be skipped"
    assert str(catalog.locale) == language
    assert catalog.charset.lower() == "utf-8"
    assert catalog.num_plurals == 1
    assert catalog.plural_expr == "0"
    assert (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8").count(
        "Plural-Forms: nplurals=1; plural=0;"
    ) == 1


def test_the_catalogues_hold_the_same_messages() -> None:
    ids = {language: {m.id for m in _messages(language)} for language in ["ko", "vi", "en"]}
    assert ids["ko"] == ids["vi"] == ids["en"]


def test_english_is_the_source_language() -> None:
    """The en catalogue may stay empty: Django shows the msgid itself."""
    catalog = _catalog("en")
    assert not catalog.fuzzy
    assert str(catalog.locale) == "en"


# -- the pages --------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ko", "vi", "en"])
def test_login_page_is_in_the_requested_language(client: Client, language: str) -> None:
    page = _page(client, reverse("portal:login"), language)
    assert f'<html lang="{language}">' in page
    for text in LOGIN_PAGE[language]:
        assert text in page, text
    if language != "en":
        assert ">Sign in<" not in page
        assert "Officer sign-in" not in page


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ko", "vi", "en"])
def test_home_page_is_in_the_requested_language(client: Client, language: str) -> None:
    page = _page(client, reverse("portal:home"), language)
    assert f'<html lang="{language}">' in page
    for text in HOME_PAGE[language]:
        assert text in page, text
    if language != "en":
        for text in ENGLISH_ONLY:
            assert text not in page, text


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["ko", "vi", "en"])
def test_my_information_uses_the_administrative_terms(
    client: Client, citizen: User, language: str
) -> None:
    client.force_login(citizen)
    page = _page(client, reverse("portal:me"), language)
    for text in RECORD_PAGE[language]:
        assert text in page, text


@pytest.mark.django_db
def test_korean_is_the_default_language() -> None:
    # Not the `client` fixture: that one asks for English.
    response = Client().get(reverse("portal:login"))
    assert response["Content-Language"] == "ko"
    assert "로그인" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "text"), [("vi", "Đăng nhập"), ("en", "Sign in"), ("ko", "로그인")]
)
def test_the_language_cookie_chooses_the_language(client: Client, language: str, text: str) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("portal:login"), HTTP_ACCEPT_LANGUAGE="ko")
    assert response["Content-Language"] == language
    assert text in response.content.decode()


@pytest.mark.django_db
def test_the_language_switcher_sets_the_language(client: Client) -> None:
    response = client.post(reverse("set_language"), {"language": "vi", "next": "/login/"})
    assert response.status_code == 302
    assert response["Location"] == "/login/"
    page = client.get(reverse("portal:login")).content.decode()
    assert '<html lang="vi">' in page
    assert "Đăng nhập" in page
    # The switcher itself is labelled in the chosen language.
    assert "Ngôn ngữ" in page


def test_the_catalogues_hold_every_message_of_the_source(tmp_path: Path) -> None:
    """Extract the messages anew (GNU xgettext, as `makemessages` does) from a copy of the
    source: a string added to a template or to Python without a translation fails here."""
    require_tool("xgettext", "apt-get install -y gettext")
    source = Path(settings.BASE_DIR)
    copy = tmp_path / "gov3"
    shutil.copytree(source, copy, ignore=shutil.ignore_patterns("static", "__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "ko", "--ignore=static"],
        cwd=copy,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "gov3.settings"},
        check=True,
        capture_output=True,
    )
    with (copy / "locale" / "ko" / "LC_MESSAGES" / "django.po").open("rb") as fresh_file:
        fresh = read_po(fresh_file)
    missing = sorted(
        str(m.id)
        for m in fresh
        if m.id and (not m.string or m.fuzzy or (isinstance(m.string, tuple) and not all(m.string)))
    )
    assert not missing, f"messages without a Korean translation (run makemessages): {missing}"


# -- short words that mean different things (issue 14, item 5) ----------------------------------

#: One English word, two meanings: "For" is the person a case is for (대상자) and a vote in
#: favour (찬성); each meaning has its own context, never the bare word.
AMBIGUOUS = ["For", "Against", "From", "Met", "Not met", "Number"]
BARE = re.compile(r"""\{%\s*(?:translate|trans)\s+["']([^"']+)["']\s*(?:as\s+\w+\s*)?%\}""")


def test_ambiguous_short_words_always_carry_a_context() -> None:
    for language in ["ko", "vi", "en"]:
        bare = {m.id for m in _messages(language) if not m.context} & set(AMBIGUOUS)
        assert bare == set(), f"{language}: give these a context with pgettext: {bare}"
    templates = Path(settings.BASE_DIR).rglob("templates/**/*.html")
    uses = [
        (str(path), word)
        for path in templates
        for word in BARE.findall(path.read_text(encoding="utf-8"))
        if word in AMBIGUOUS
    ]
    assert uses == [], "use {% translate … context … %} for these words"


@pytest.mark.parametrize(
    ("language", "person", "vote"),
    [("ko", "대상자", "찬성"), ("vi", "Dành cho", "Tán thành"), ("en", "For", "For")],
)
def test_for_a_person_and_for_a_motion_are_different_words(
    language: str, person: str, vote: str
) -> None:
    with translation.override(language):
        assert pgettext("the person a case is for", "For") == person
        assert pgettext("votes", "For") == vote
