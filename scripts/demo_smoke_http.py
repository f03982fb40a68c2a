"""The HTTP half of `scripts/demo-smoke`: the pages a newcomer opens first, with the standard
library only (it runs in the runtime-only environment).

Usage: demo_smoke_http.py BASE_URL LOGINS_FILE — LOGINS_FILE is what `gov3 demo setup` printed.
"""

from __future__ import annotations

import http.cookiejar
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

WAIT_SECONDS = 60


def _opener() -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("Accept-Language", "en")]
    return opener, jar


def _get(opener: urllib.request.OpenerDirector, url: str) -> str:
    with opener.open(url, timeout=30) as response:
        if response.status != 200:
            raise SystemExit(f"{url} answered {response.status}")
        return str(response.read().decode("utf-8"))


def _wait_until_up(opener: urllib.request.OpenerDirector, base: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        try:
            _get(opener, f"{base}/")
        except (urllib.error.URLError, ConnectionError) as error:
            if time.monotonic() > deadline:
                message = f"the server did not answer within {WAIT_SECONDS} s: {error}"
                raise SystemExit(message) from error
            time.sleep(0.5)
        else:
            return


def _citizen_password(logins: str) -> str:
    match = re.search(r"citizen\s+user 'citizen'\s+password '([^']+)'", logins)
    if match is None:
        raise SystemExit("`gov3 demo setup` printed no citizen login")
    return match.group(1)


def main(base: str, logins_file: str) -> None:
    """Fetch /, /login/, sign in as the demo citizen and open "Offers for you"."""
    opener, jar = _opener()
    _wait_until_up(opener, base)
    home = _get(opener, f"{base}/")
    if "<html" not in home:
        raise SystemExit("the home page is not a page")
    sign_in = _get(opener, f"{base}/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', sign_in)
    if token is None or 'name="password"' not in sign_in:
        raise SystemExit("the sign-in page has no sign-in form")
    password = _citizen_password(Path(logins_file).read_text(encoding="utf-8"))
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": "citizen", "password": password}
    ).encode()
    request = urllib.request.Request(  # noqa: S310 - a loopback URL given by the script
        f"{base}/login/", data=form, headers={"Referer": f"{base}/login/"}
    )
    with opener.open(request, timeout=30) as response:
        response.read()
    if not any(cookie.name == "sessionid" for cookie in jar):
        raise SystemExit("the demo citizen could not sign in")
    offers = _get(opener, f"{base}/me/offers/")
    if "Offers for you" not in offers:
        raise SystemExit("'Offers for you' did not open for the signed-in citizen")
    if not re.search(r'href="/me/offers/[0-9a-f-]{36}/"', offers):
        raise SystemExit("the demo citizen has no offer waiting under 'Offers for you'")
    sys.stdout.write(f"ok: {base}/, /login/ and the citizen's offers\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
