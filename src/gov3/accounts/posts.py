"""Officers' posts: the agency and role an officer acts in, by date (ADR 0036).

Personnel orders (`gov3.personnel`, a layer above) write posts through `record_post` and
`end_posts` inside their own transaction; accounts never imports personnel. On every request
`apply_post` sets the signed-in officer's `agency` and `role` from the post effective that day,
read from a cache that any write of the officer's posts clears, so the check costs no query
in the common case; an officer with no post that day has neither and cannot act as one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from gov3.accounts.models import Agency, OfficerPost, OfficerRole, User
from gov3.core.audit import record_audit
from gov3.core.chains import AUDIT
from gov3.core.errors import ValidationFailedError
from gov3.core.models import AuditEntry
from gov3.core.request_ids import current_request_id

#: Bounds how long another process may keep a post list after a write it did not see (a
#: shared cache, e.g. Redis, removes even that); the effective date itself needs no
#: invalidation, since the cached list is dated.
CACHE_SECONDS = 300

#: Posts that stand in until personnel records say where the officer serves: the one given
#: when the account was made and the one migration 0011 gave existing officers. The first
#: appointment loaded from personnel records replaces them.
PROVISIONAL = ("account created", "migrated (issue 18)")


@dataclass(frozen=True)
class Post:
    """One dated post, as cached."""

    agency_id: int
    role: str
    starts_on: date
    ends_on: date | None

    def covers(self, day: date) -> bool:
        return self.starts_on <= day and (self.ends_on is None or day <= self.ends_on)


def today() -> date:
    """The day whose post applies (the tests move it to check an order's effective date)."""
    return timezone.localdate()


def _key(user_id: int) -> str:
    return f"gov3:officer-posts:{user_id}"


def posts_of(user_id: int) -> tuple[Post, ...]:
    """The officer's posts, oldest first (cached)."""
    key = _key(user_id)
    posts: tuple[Post, ...] | None = cache.get(key)
    if posts is None:
        posts = tuple(
            Post(agency_id, role, starts_on, ends_on)
            for agency_id, role, starts_on, ends_on in OfficerPost.objects.filter(
                user_id=user_id
            ).values_list("agency_id", "role", "starts_on", "ends_on")
        )
        cache.set(key, posts, CACHE_SECONDS)
    return posts


def post_on(user_id: int, day: date) -> Post | None:
    """The post effective on `day`, or None."""
    for post in posts_of(user_id):
        if post.covers(day):
            return post
    return None


def apply_post(user: User, day: date | None = None) -> User:
    """Set an officer account's `agency` and `role` (in memory) from its post on `day`
    (default today); no post: neither, so `is_officer` is false. Other accounts unchanged."""
    if user.kind != "officer" or user.pk is None:
        return user
    post = post_on(user.pk, day or today())
    if post is None:
        user.agency_id = None
        user.role = ""
    else:
        if user.agency_id != post.agency_id:
            user.agency_id = post.agency_id  # clears the cached agency; loaded when read
        user.role = post.role
    return user


def forget_posts(user_id: int) -> None:
    """Clear the cached posts now and again once the transaction that changed them commits
    (a request that read them meanwhile may have cached the old ones). Writers do not read
    posts back inside their transaction, so a rollback leaves nothing uncommitted cached."""
    transaction.on_commit(lambda: cache.delete(_key(user_id)))
    cache.delete(_key(user_id))


def record_post(
    actor: str,
    *,
    user: User,
    agency: Agency,
    role: str,
    starts_on: date,
    reference: str,
    replace_provisional: bool = False,
) -> OfficerPost:
    """Give an officer a post from `starts_on` (inside the caller's transaction): the post
    open on that day ends the day before; a post starting on or after it is an overlap the
    caller must undo first. Audited; applied to requests from `starts_on`.
    `replace_provisional`: the officer's provisional posts (`PROVISIONAL`) are removed first."""
    if user.kind != "officer":
        raise ValidationFailedError(f"{user.get_username()} is not an officer account.")
    if role not in OfficerRole.values:
        raise ValidationFailedError(
            f"Unknown officer role {role!r}; roles are {', '.join(OfficerRole.values)}."
        )
    posts = OfficerPost.objects.select_for_update().filter(user=user)
    if replace_provisional:
        posts.filter(reference__in=PROVISIONAL).delete()
    if posts.filter(starts_on__gte=starts_on).exists():
        raise ValidationFailedError(
            f"{user.get_username()} already has a post from {starts_on.isoformat()} or later; "
            "appointments may not overlap."
        )
    day_before = starts_on - timedelta(days=1)
    posts.filter(starts_on__lte=day_before).filter(ends_on__isnull=True).update(ends_on=day_before)
    posts.filter(starts_on__lte=day_before, ends_on__gt=day_before).update(ends_on=day_before)
    post = OfficerPost.objects.create(
        user=user,
        agency=agency,
        role=role,
        starts_on=starts_on,
        reference=reference[:60],
        recorded_at=timezone.now(),
    )
    if starts_on <= timezone.localdate():
        # The columns keep the post last applied (the officer-account constraint needs them).
        User.objects.filter(pk=user.pk).update(agency=agency, role=role)
    record_audit(
        actor=actor,
        action="accounts.officer_post",
        target_type="user",
        target_id=user.pk,
        data={
            "agency": agency.code,
            "role": role,
            "starts_on": starts_on.isoformat(),
            "reference": reference,
        },
    )
    forget_posts(user.pk)
    return post


def end_posts(actor: str, *, user: User, last_day: date, reference: str) -> int:
    """End the officer's posts after `last_day` (retirement, leave): from the next day the
    account cannot act as an officer. Inside the caller's transaction; audited."""
    posts = OfficerPost.objects.select_for_update().filter(user=user)
    if posts.filter(starts_on__gt=last_day).exists():
        raise ValidationFailedError(
            f"{user.get_username()} has a post starting after {last_day.isoformat()}; "
            "cancel that order first."
        )
    ended = posts.filter(ends_on__isnull=True).update(ends_on=last_day)
    ended += posts.filter(ends_on__gt=last_day).update(ends_on=last_day)
    record_audit(
        actor=actor,
        action="accounts.officer_post_ended",
        target_type="user",
        target_id=user.pk,
        data={"last_day": last_day.isoformat(), "reference": reference},
    )
    forget_posts(user.pk)
    return ended


@dataclass(frozen=True)
class NewPost:
    """One post to give in `record_posts`."""

    user: User
    agency: Agency
    role: str
    starts_on: date
    reference: str


def record_posts(actor: str, posts: list[NewPost]) -> None:
    """`record_post` for many officers at once (a batch order), with the same rules and the
    same audit entries, in a few statements: refused as a whole if any officer already has a
    post from its date or later. Inside the caller's transaction; each officer once."""
    if not posts:
        return
    for new in posts:
        if new.user.kind != "officer" or new.role not in OfficerRole.values:
            raise ValidationFailedError(f"{new.user.get_username()}: not an officer post.")
    by_day: dict[date, list[NewPost]] = {}
    for new in posts:
        by_day.setdefault(new.starts_on, []).append(new)
    today = timezone.localdate()
    now = timezone.now()
    for day, group in by_day.items():
        ids = [new.user.pk for new in group]
        held = OfficerPost.objects.select_for_update().filter(user_id__in=ids)
        clash = held.filter(starts_on__gte=day).values_list("user__username", flat=True).first()
        if clash is not None:
            raise ValidationFailedError(
                f"{clash} already has a post from {day.isoformat()} or later; "
                "appointments may not overlap."
            )
        day_before = day - timedelta(days=1)
        held.filter(starts_on__lte=day_before, ends_on__isnull=True).update(ends_on=day_before)
        held.filter(starts_on__lte=day_before, ends_on__gt=day_before).update(ends_on=day_before)
    OfficerPost.objects.bulk_create(
        [
            OfficerPost(
                user=new.user,
                agency=new.agency,
                role=new.role,
                starts_on=new.starts_on,
                reference=new.reference[:60],
                recorded_at=now,
            )
            for new in posts
        ],
        batch_size=1000,
    )
    for new in posts:
        if new.starts_on <= today:
            User.objects.filter(pk=new.user.pk).update(agency=new.agency, role=new.role)
    request_id = current_request_id()
    entries = [
        AuditEntry(
            at=now,
            actor=actor[:150],
            action="accounts.officer_post",
            target_type="user",
            target_id=str(new.user.pk),
            data={
                "agency": new.agency.code,
                "role": new.role,
                "starts_on": new.starts_on.isoformat(),
                "reference": new.reference,
            },
            request_id=request_id,
        )
        for new in posts
    ]
    AuditEntry.objects.bulk_create(AUDIT.link(entries), batch_size=1000)
    for new in posts:
        forget_posts(new.user.pk)
