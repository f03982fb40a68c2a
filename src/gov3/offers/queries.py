"""Reads of offers: a citizen sees only the offers addressed to them (as themselves or as a
child's parent); anything else is "not found"."""

from __future__ import annotations

from django.db.models import QuerySet

from gov3.accounts.models import User
from gov3.core.errors import NotFoundError
from gov3.offers.models import OPEN_STATUSES, Offer


def offers_for(user: User) -> QuerySet[Offer]:
    """The citizen's offers: open ones first (nearest deadline first), then the rest."""
    if not user.is_citizen or user.person_id is None:
        return Offer.objects.none()
    return Offer.objects.filter(recipient_id=user.person_id).select_related("subject")


#: What an offer list (the inbox) shows: only these columns are read, the subject's name
#: included. Fewer columns are less work for the ORM on every request, not just less data
#: (issue 15: compiling and hashing the ~30 columns of the subject's person was a tenth of the
#: inbox's CPU). Reading anything else of a listed offer costs a query.
LIST_COLUMNS = (
    "public_id",
    "country",
    "service_kind",
    "service_name",
    "recipient",
    "subject",
    "subject__name_local",
    "status",
    "amount",
    "deadline",
    "created_at",
)


def open_offers_for(user: User) -> QuerySet[Offer]:
    """The citizen's offers waiting for an answer, nearest deadline first (for a list)."""
    return (
        offers_for(user)
        .filter(status__in=OPEN_STATUSES)
        .only(*LIST_COLUMNS)
        .order_by("deadline", "pk")
    )


def answered_offers_for(user: User, limit: int = 50) -> list[Offer]:
    """The citizen's answered, expired or withdrawn offers, newest first (for a list)."""
    return list(
        offers_for(user)
        .exclude(status__in=OPEN_STATUSES)
        .only(*LIST_COLUMNS)
        .order_by("-created_at")[:limit]
    )


def offer_for(user: User, public_id: str) -> Offer:
    """One of the citizen's offers; another person's offer does not exist for them."""
    offer = (
        offers_for(user).select_related("recipient", "subject").filter(public_id=public_id).first()
    )
    if offer is None:
        raise NotFoundError("There is no such offer.")
    return offer
