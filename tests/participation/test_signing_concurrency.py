"""Signatures under real concurrency: a production server (gunicorn, two worker processes of
four threads each) on loopback serves the register the test built, and every citizen presses
"Sign" twice at the same moment from threads of their own. Each person counts once, the count
equals the signatures, the threshold is reached exactly once, and no request fails with a
server error, on SQLite (a file, as in production: the test's in-memory database copied out)
and on PostgreSQL (the test database itself)."""

from __future__ import annotations

import re
import shutil
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.db import connection
from django.test import Client

from gov3.accounts.models import User
from gov3.accounts.services import do_create_citizen_account
from gov3.participation import installed
from gov3.participation.management.commands.participation import load_agencies
from gov3.participation.models import PublicPetition, Signature
from gov3.participation.services.public import do_open_public_petition
from tests.conftest import ACTOR, PASSWORD, make_person

pytestmark = pytest.mark.django_db(transaction=True)

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = ROOT / ".venv" / "bin" / "gunicorn"
CITIZENS = 8
THRESHOLD = 5


@pytest.fixture
def low_threshold(tmp_path: Path, settings: Any) -> Iterator[None]:
    """A copy of the kr pack whose public petitions need 5 signatures, not 50,000."""
    target = tmp_path / "countries" / "kr"
    shutil.copytree(Path(settings.GOV3_COUNTRIES_DIR) / "kr", target)
    policy = target / "participation" / "participation.yaml"
    text = policy.read_text(encoding="utf-8")
    assert "signatures: 50000" in text
    policy.write_text(text.replace("signatures: 50000", f"signatures: {THRESHOLD}"))
    settings.GOV3_COUNTRIES_DIR = tmp_path / "countries"
    installed.clear()
    yield
    installed.clear()


def _database_url(tmp_path: Path) -> str:
    """Where the server finds the test's data: a file copy of SQLite's in-memory database,
    or the PostgreSQL test database."""
    if connection.vendor == "sqlite":
        copy = tmp_path / "signing.sqlite3"
        connection.ensure_connection()
        target = sqlite3.connect(copy)
        connection.connection.backup(target)
        target.close()
        return f"sqlite:///{copy}"
    params = connection.settings_dict
    host, port = params["HOST"] or "127.0.0.1", params["PORT"] or "5432"
    auth = params["USER"] + (f":{params['PASSWORD']}" if params["PASSWORD"] else "")
    return f"postgres://{auth}@{host}:{port}/{params['NAME']}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _serve(database_url: str, tmp_path: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    env = {
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": database_url,
        "GOV3_VAR_DIR": str(tmp_path / "var"),
        "GOV3_KEY_DIR": str(tmp_path / "keys"),
        "GOV3_DEBUG": "1",
        # the sessions the test stored are signed with its key
        "GOV3_SECRET_KEY": django_settings.SECRET_KEY,
        "GOV3_ALLOWED_HOSTS": "127.0.0.1",
    }
    server = subprocess.Popen(
        [str(GUNICORN), "gov3.wsgi:application", "--workers", "2", "--threads", "4",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "--timeout", "120"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )  # fmt: skip
    for _ in range(600):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, f"http://127.0.0.1:{port}"
        except OSError:
            if server.poll() is not None:
                break
            time.sleep(0.1)
    server.kill()
    output = server.communicate()[0].decode(errors="replace")
    raise AssertionError(f"gunicorn did not start:\n{output[-3000:]}")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _request(url: str, cookies: dict[str, str], data: bytes | None = None) -> tuple[int, str, str]:
    """(status, body, Set-Cookie) of one request, redirects not followed."""
    request = urllib.request.Request(  # noqa: S310 - loopback http
        url,
        data=data,
        headers={
            "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
            "Accept-Language": "en",
        },
    )
    opener = urllib.request.build_opener(NoRedirect)
    try:
        # a worker's first request imports the application: generous on a busy machine
        with opener.open(request, timeout=120) as response:
            body = response.read().decode(errors="replace")
            return response.status, body, response.headers.get("Set-Cookie", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace"), ""


def _session(user: User) -> str:
    client = Client()
    client.force_login(user)
    return client.cookies["sessionid"].value


def _counts(database_url: str, petition: PublicPetition) -> tuple[int, int, str, int]:
    """(signature rows, the count shown, status, distinct signers), as the server wrote them."""
    if database_url.startswith("sqlite:///"):
        with sqlite3.connect(database_url.removeprefix("sqlite:///")) as db:
            rows = db.execute(
                "SELECT COUNT(*), COUNT(DISTINCT person_id) FROM participation_signature "
                "WHERE petition_id = ?",
                (petition.pk,),
            ).fetchone()
            shown, status = db.execute(
                "SELECT signature_count, status FROM participation_publicpetition WHERE id = ?",
                (petition.pk,),
            ).fetchone()
        return rows[0], shown, status, rows[1]
    petition.refresh_from_db()
    signatures = Signature.objects.filter(petition=petition)
    distinct = signatures.values("person").distinct().count()
    return signatures.count(), petition.signature_count, petition.status, distinct


def test_each_person_counts_once_when_everyone_signs_twice_at_once(
    tmp_path: Path, areas: None, low_threshold: None
) -> None:
    load_agencies("kr")
    people = [
        make_person(name_latin=f"SIGNER {n}", birth_date=date(1980 + n, 1, 1))
        for n in range(CITIZENS)
    ]
    users = [
        do_create_citizen_account(ACTOR, person=p, username=f"signer{n}", password=PASSWORD)
        for n, p in enumerate(people)
    ]
    petition = do_open_public_petition(
        users[0], title="공원 조성", text="빈 땅에 공원을 만들어 주세요.", category="waste"
    )
    assert petition.threshold == THRESHOLD
    sessions = [_session(u) for u in users]
    database_url = _database_url(tmp_path)
    server, base = _serve(database_url, tmp_path)
    try:
        url = f"{base}/participation/petitions/{petition.public_id}/"
        forms: list[tuple[dict[str, str], bytes]] = []
        for session in sessions:
            status, page, set_cookie = _request(url, {"sessionid": session})
            assert status == 200
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            assert token is not None, "no signing form for a signed-in citizen"
            cookie = SimpleCookie(set_cookie)
            cookies = {"sessionid": session, "csrftoken": cookie["csrftoken"].value}
            forms.append((cookies, f"csrfmiddlewaretoken={token.group(1)}".encode()))

        requests = [form for form in forms for _ in range(2)]  # every person presses twice
        barrier = threading.Barrier(len(requests))
        answers: list[tuple[int, str]] = []

        def press(cookies: dict[str, str], body: bytes) -> None:
            barrier.wait()
            status, page, _ = _request(url, cookies, body)
            answers.append((status, page))

        threads = [threading.Thread(target=press, args=form) for form in requests]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        server.terminate()
        output = server.communicate(timeout=60)[0].decode(errors="replace")

    statuses = [status for status, _ in answers]
    assert len(statuses) == 2 * CITIZENS
    assert all(status < 500 for status in statuses), (statuses, output[-3000:])
    # one signature accepted per person (a redirect to the petition), the second refused
    assert sorted(statuses) == [302] * CITIZENS + [400] * CITIZENS, statuses
    refused = [body for status, body in answers if status == 400]
    assert all("You have already signed this petition." in body for body in refused)
    rows, shown, status, distinct = _counts(database_url, petition)
    assert (rows, shown, distinct) == (CITIZENS, CITIZENS, CITIZENS)
    assert status == "reached"
