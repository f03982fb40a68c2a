"""Paying approved benefits and collecting fees: a `PaymentProvider` protocol, chosen by
`GOV3_PAYMENT_PROVIDER`.

A real deployment plugs in the treasury's or a bank's payment interface. The sandbox provider
moves no money: it answers at once with a reference marked SANDBOX, so the whole loop can be
tried and tested.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from functools import lru_cache
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class PaymentOrder:
    """What to pay, to whom, why."""

    case: str  # the case's public id
    payee_national_id: str
    payee_name: str
    amount: int  # in the currency's minor unit
    currency: str
    purpose: str


@dataclass(frozen=True)
class PaymentReceipt:
    """The provider's answer."""

    reference: str
    accepted: bool
    message: str = ""


class PaymentProvider(Protocol):
    """Sends payment orders and collects fees; never raises for a refused payment (it says so)."""

    name: str
    sandbox: bool

    def pay(self, order: PaymentOrder) -> PaymentReceipt:
        """Pay a benefit to the payee."""
        ...

    def collect(self, order: PaymentOrder) -> PaymentReceipt:
        """Collect a fee from the payer (`payee_*` name who pays)."""
        ...


class SandboxPaymentProvider:
    """SANDBOX — no money moves. Accepts every order with a reference ``SANDBOX-…``."""

    name = "sandbox"
    sandbox = True

    def pay(self, order: PaymentOrder) -> PaymentReceipt:
        if order.amount <= 0:
            return PaymentReceipt("", accepted=False, message="nothing to pay")
        return PaymentReceipt(f"SANDBOX-{secrets.token_hex(8).upper()}", accepted=True)

    def collect(self, order: PaymentOrder) -> PaymentReceipt:
        if order.amount <= 0:
            return PaymentReceipt("", accepted=False, message="nothing to collect")
        return PaymentReceipt(f"SANDBOX-FEE-{secrets.token_hex(8).upper()}", accepted=True)


@lru_cache(maxsize=4)
def _provider(path: str) -> PaymentProvider:
    provider: PaymentProvider = import_string(path)()
    return provider


def payment_provider() -> PaymentProvider:
    """The configured provider (`GOV3_PAYMENT_PROVIDER`, a dotted path to a class)."""
    return _provider(settings.GOV3_PAYMENT_PROVIDER)
