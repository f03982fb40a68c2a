"""Benchmark: identity and wallets (issue 19), on one core.

``callback`` (target: median ≤ 30 ms of server time)
    The national digital ID sign-in callback against the real OpenID provider of the tests
    (npm `oidc-provider` on 127.0.0.1, tests/identity/oidc_provider.mjs) on a migrated SQLite
    database in a temporary directory: per sign-in, the person's trip through the provider is
    not timed; timed is gov3's callback view (state check, token request with private_key_jwt
    over loopback HTTP, ID token signature and claim checks, register lookup, account link,
    audit entry, session). The first sign-in (which opens the account and fetches discovery
    and keys) is not counted. The database may be a copy of a ready one instead of migrated
    here (`bench/ready_database.py`; the three areas this part loads are then already there).

``passkey`` (target: ≤ 5 ms a verification)
    `gov3.identity.passkeys.verify_sign_in` (py_webauthn) of a P-256 assertion made here with
    `cryptography` as an authenticator would (authenticator data, client data, signature).

``credential`` (target: ≥ 1,000 credentials a second a core)
    The OID4VCI credential endpoint's work without its database round trips: the wallet's proof
    JWT checked (`wallets.holder_key_from_proof`) and the certificate's SD-JWT VC issued again
    bound to the wallet key (`sdjwt.issue(holder_key=…)`), each call with a new proof.

    .venv/bin/python bench/identity.py                 # all three, 5 runs
    .venv/bin/python bench/identity.py --parts passkey --runs 1
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import ready_database

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))


def _setup_django(var_dir: Path) -> None:
    os.environ["GOV3_VAR_DIR"] = str(var_dir)
    os.environ["DATABASE_URL"] = f"sqlite:///{var_dir / 'bench.sqlite3'}"
    ready_database.copy_sqlite(var_dir / "bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gov3.settings")
    import django  # noqa: PLC0415

    django.setup()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _median_ms(samples: list[float]) -> str:
    low, high = min(samples) * 1000, max(samples) * 1000
    return f"median {statistics.median(samples) * 1000:.2f} ms, range {low:.2f}-{high:.2f} ms"


def bench_passkey(runs: int, calls: int) -> None:
    import cbor2  # noqa: PLC0415
    from cryptography.hazmat.primitives import hashes  # noqa: PLC0415
    from cryptography.hazmat.primitives.asymmetric import ec  # noqa: PLC0415

    from gov3.identity import passkeys  # noqa: PLC0415

    party = passkeys.RelyingParty(
        rp_id="gov3.example.kr", origin="https://gov3.example.kr", name="gov3"
    )
    key = ec.generate_private_key(ec.SECP256R1())
    numbers = key.public_key().public_numbers()
    cose = cbor2.dumps(
        {1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")}
    )
    credential_id = os.urandom(16)

    def assertion(count: int) -> tuple[dict[str, Any], str]:
        challenge = _b64(os.urandom(32))
        client_data = json.dumps(
            {"type": "webauthn.get", "challenge": challenge, "origin": party.origin}
        ).encode()
        auth_data = (
            hashlib.sha256(party.rp_id.encode()).digest() + bytes([0x05]) + count.to_bytes(4, "big")
        )
        signature = key.sign(
            auth_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256())
        )
        return {
            "id": _b64(credential_id),
            "rawId": _b64(credential_id),
            "type": "public-key",
            "response": {
                "authenticatorData": _b64(auth_data),
                "clientDataJSON": _b64(client_data),
                "signature": _b64(signature),
            },
        }, challenge

    medians = []
    for _run in range(runs):
        prepared = [assertion(count) for count in range(1, calls + 1)]
        samples = []
        for count, (credential, challenge) in enumerate(prepared, start=1):
            started = time.perf_counter()
            passkeys.verify_sign_in(
                party, credential, challenge, public_key=cose, sign_count=count - 1
            )
            samples.append(time.perf_counter() - started)
        medians.append(statistics.median(samples))
    print(
        f"passkey verification: {_median_ms(medians)} over {runs} runs of {calls} (target ≤ 5 ms)"
    )


def bench_credential(runs: int, calls: int) -> None:
    from django.conf import settings  # noqa: PLC0415
    from joserfc import jwt  # noqa: PLC0415
    from joserfc.jwk import ECKey  # noqa: PLC0415

    from gov3.documents.core import sdjwt  # noqa: PLC0415
    from gov3.documents.core.signing import PrivateKeySigner  # noqa: PLC0415
    from gov3.identity import wallets  # noqa: PLC0415

    signer = PrivateKeySigner.generate()
    claims = {
        "document_number": "1234-5678-9012-3452",
        "name": "김영희",
        "name_latin": "KIM YOUNGHEE",
        "birth_date": "1975-05-01",
        "national_id_masked": "750501-2******",
        "address": {"locality": "서울특별시 종로구", "street": "세종대로 1"},
        "household": ["김영희", "이수진", "이민준"],
    }
    wallet = ECKey.generate_key("P-256", private=True)
    public = wallet.as_dict(private=False)
    rates = []
    for _run in range(runs):
        proofs = [
            jwt.encode(
                {"alg": "ES256", "typ": wallets.PROOF_TYPE, "jwk": public},
                {
                    "aud": settings.GOV3_SITE_URL,
                    "iat": int(time.time()),
                    "nonce": wallets.new_c_nonce(),
                },
                wallet,
            )
            for _ in range(calls)
        ]
        cpu = time.process_time()
        for proof in proofs:
            holder = wallets.holder_key_from_proof(proof)
            sdjwt.issue(
                signer,
                issuer=settings.GOV3_SITE_URL,
                vct=f"{settings.GOV3_SITE_URL}/documents/types/resident_registration",
                claims=claims,
                issued_at=int(time.time()),
                expires_at=int(time.time()) + 86_400,
                status=sdjwt.StatusReference(
                    idx=7, uri=f"{settings.GOV3_SITE_URL}/documents/status/x/1"
                ),
                holder_key=holder,
            )
        rates.append(calls / (time.process_time() - cpu))
    print(
        f"credential endpoint work: median {statistics.median(rates):,.0f} a CPU second, "
        f"range {min(rates):,.0f}-{max(rates):,.0f} over {runs} runs of {calls} (target ≥ 1,000)"
    )


def bench_callback(runs: int, calls: int, var_dir: Path) -> None:
    from django.core.management import call_command  # noqa: PLC0415
    from django.test import Client, override_settings  # noqa: PLC0415
    from django.urls import reverse  # noqa: PLC0415
    from joserfc.jwk import ECKey  # noqa: PLC0415
    from tests.identity.conftest import (  # noqa: PLC0415
        CLIENT_ID,
        Provider,
        answer_at_provider,
    )

    from gov3.identity import oidc  # noqa: PLC0415
    from gov3.registry.national_ids import national_id_scheme  # noqa: PLC0415
    from gov3.registry.services import (  # noqa: PLC0415
        AreaRecord,
        do_load_areas,
        do_register_person,
    )

    if not os.environ.get(ready_database.SQLITE):  # else a copy of a migrated database
        call_command("migrate", verbosity=0)
    do_load_areas(
        "bench",
        "kr",
        [
            AreaRecord("11", None, "province", "서울특별시", "Seoul"),
            AreaRecord("11110", "11", "municipality", "종로구", "Jongno-gu"),
            AreaRecord("1111051500", "11110", "district", "청운효자동", "Cheongunhyoja-dong"),
        ],
    )
    number = national_id_scheme("kr").make(date(1975, 5, 1), "F", 91_234)
    do_register_person(
        "bench",
        country="kr",
        national_id=number,
        name_local="김영희",
        name_latin="KIM YOUNGHEE",
        birth_date=date(1975, 5, 1),
        sex="F",
        nationality="KOR",
        area_code="1111051500",
        street="세종대로 1",
    )
    new_key = ECKey.generate_key
    provider = Provider(
        work=var_dir,
        client_key=new_key("P-256", private=True, auto_kid=True),
        signing_keys=[new_key("P-256", private=True, auto_kid=True)],
    )
    provider.start()
    try:
        with override_settings(
            GOV3_NATIONAL_ID_ISSUER=provider.issuer,
            GOV3_NATIONAL_ID_CLIENT_ID=CLIENT_ID,
            GOV3_NATIONAL_ID_CLIENT_KEY=provider.client_key_path,
            ALLOWED_HOSTS=["testserver"],
        ):
            oidc.forget_provider_keys()
            medians = []
            for run in range(runs + 1):
                samples = []
                for _ in range(calls):
                    client = Client()
                    start = client.get(reverse("identity:national_id_start"))
                    callback = answer_at_provider(start["Location"], number)
                    path = callback.removeprefix("http://testserver")
                    started = time.perf_counter()
                    response = client.get(path)
                    samples.append(time.perf_counter() - started)
                    assert response.status_code == 302, response.content[:300]
                if run > 0:  # the first run opens the account and fetches the keys
                    medians.append(statistics.median(samples))
    finally:
        provider.stop()
    print(f"sign-in callback: {_median_ms(medians)} over {runs} runs of {calls} (target ≤ 30 ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parts", nargs="+", default=["passkey", "credential", "callback"])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--sign-ins", type=int, default=20)
    arguments = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {0})
    with tempfile.TemporaryDirectory() as directory:
        _setup_django(Path(directory))
        if "passkey" in arguments.parts:
            bench_passkey(arguments.runs, arguments.calls)
        if "credential" in arguments.parts:
            bench_credential(arguments.runs, arguments.calls)
        if "callback" in arguments.parts:
            bench_callback(arguments.runs, arguments.sign_ins, Path(directory))


if __name__ == "__main__":
    main()
