"""Officer pages for a school's staff and systems: the teachers of the school officer's
schools (register, add classes, end an assignment) and, for administrators, the classroom
systems' OAuth clients (register, show the secret once, disable). Thin: authorise, parse, call
one command of `schools.classroom`, render. Another school's teacher is 404 and nothing is
logged."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from gov3.accounts.decorators import administrator_required, officer_required
from gov3.accounts.models import OfficerRole, User
from gov3.catalogue.eligibility import language
from gov3.core.access import log_access
from gov3.core.errors import NotFoundError, ValidationFailedError
from gov3.core.models import AccessChannel, AccessPurpose
from gov3.core.personal_data import access_logged, no_personal_data
from gov3.schools.classroom import (
    ClientKind,
    classroom_clients,
    do_assign_classes,
    do_create_classroom_client,
    do_disable_classroom_client,
    do_end_teacher,
    do_register_teacher,
    school_of,
    teacher_account,
    teacher_in_scope,
)
from gov3.schools.forms import ClassesForm, ClassroomClientForm, TeacherForm
from gov3.schools.models import ClassroomClient, School, Teacher
from gov3.schools.scope import schools_for
from gov3.schools.work.classes import school_year_of


def _country() -> str:
    from django.conf import settings  # noqa: PLC0415 - read per request (tests override it)

    return str(settings.GOV3_COUNTRY)


def _actor(user: User) -> str:
    return f"officer:{user.get_username()}"


def _school_officer_schools(request: HttpRequest) -> tuple[User, QuerySet[School]]:
    """The signed-in school officer and their schools; anyone else: not found."""
    officer = request.user
    assert isinstance(officer, User)
    if officer.role != OfficerRole.SCHOOL_OFFICER:
        raise Http404
    try:
        return officer, schools_for(officer, _country())
    except NotFoundError:
        raise Http404 from None


def _log_teachers(officer: User, teachers: list[Teacher], what: str) -> None:
    people = [t.user.person_id for t in teachers if t.user.person_id is not None]
    if people:
        log_access(
            subject_ids=people,
            actor_id=officer.pk,
            actor_label=officer.get_username(),
            actor_role=str(officer.role),
            agency=officer.agency.code if officer.agency else "",
            purpose=AccessPurpose.CLASSROOM,
            channel=AccessChannel.WEB,
            what=what,
        )


@officer_required
@no_personal_data
def teachers_index(request: HttpRequest) -> HttpResponse:
    """The officer's schools with how many teachers each has now."""
    _officer, schools = _school_officer_schools(request)
    rows = schools.annotate(
        current=Count("teachers", filter=Q(teachers__ended_at__isnull=True))
    ).order_by("code")
    return render(request, "schools/teachers_index.html", {"schools": rows, "lang": language()})


@officer_required
@access_logged("the teachers of a school: name, classes taught")
def school_teachers(request: HttpRequest, code: str) -> HttpResponse:
    """The teachers of one of the officer's schools: current, then ended."""
    officer, schools = _school_officer_schools(request)
    school = schools.filter(code=code).first()
    if school is None:
        raise Http404
    teachers = list(
        Teacher.all_teachers.filter(school=school)
        .select_related("user__person")
        .prefetch_related("assignments")
        .order_by("ended_at", "user__person__name_local", "pk")
    )
    _log_teachers(officer, teachers, f"teachers of {school.code}: name, classes taught")
    return render(
        request,
        "schools/school_teachers.html",
        {
            "school": school,
            "current": [t for t in teachers if t.ended_at is None],
            "ended": [t for t in teachers if t.ended_at is not None],
            "lang": language(),
        },
    )


@officer_required
@require_http_methods(["GET", "POST"])
@no_personal_data
def register_teacher(request: HttpRequest) -> HttpResponse:
    """Register a teacher: a person of the register by id number, a school of the officer's,
    the classes they teach. An error changes nothing and names no one."""
    officer, schools = _school_officer_schools(request)
    choices = [(s.code, f"{s.name_local} ({s.code})") for s in schools.order_by("code")]
    year = school_year_of(_country(), timezone.localdate())
    form = TeacherForm(
        request.POST or None,
        schools=choices,
        initial={"school_year": year, "school": request.GET.get("school", "")},
    )
    error, status = "", 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            school = schools.get(code=data["school"])
            classes = [(data["school_year"], g, c) for g, c in data["classes"]]
            try:
                user = teacher_account(_country(), data["id_number"])
                teacher = do_register_teacher(_actor(officer), user, school, classes)
            except ValidationFailedError as exc:
                error = str(exc)
            else:
                messages.success(request, gettext("The teacher is registered."))
                return redirect("schools:officer_teacher", public_id=teacher.public_id)
    return render(
        request, "schools/register_teacher.html", {"form": form, "error": error}, status=status
    )


@officer_required
@require_http_methods(["GET", "POST"])
@access_logged("a teacher: name, school, classes taught")
def teacher(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """One teacher of the officer's schools: their classes; add classes, or end the
    assignment. Another school's teacher is not found (and nothing is logged)."""
    officer, schools = _school_officer_schools(request)
    try:
        found = teacher_in_scope(schools, public_id)
    except NotFoundError:
        raise Http404 from None
    year = school_year_of(found.school.country, timezone.localdate())
    action = request.POST.get("action", "") if request.method == "POST" else ""
    form = ClassesForm(request.POST if action == "classes" else None, initial={"school_year": year})
    error, status = "", 200
    if action:
        status = 400
        try:
            if action == "end":
                do_end_teacher(_actor(officer), found)
                messages.success(request, gettext("The teacher's assignment has ended."))
                return redirect("schools:officer_teacher", public_id=found.public_id)
            if action == "classes" and form.is_valid():
                data = form.cleaned_data
                do_assign_classes(
                    _actor(officer),
                    found,
                    [(data["school_year"], g, c) for g, c in data["classes"]],
                )
                messages.success(request, gettext("The classes are added."))
                return redirect("schools:officer_teacher", public_id=found.public_id)
        except ValidationFailedError as exc:
            error = str(exc)
    _log_teachers(officer, [found], f"teacher at {found.school.code}: name, classes taught")
    return render(
        request,
        "schools/teacher.html",
        {
            "teacher": found,
            "assignments": found.assignments.order_by("-school_year", "grade", "class_name"),
            "form": form,
            "error": error,
            "lang": language(),
        },
        status=status,
    )


# -- classroom clients (administrators) --------------------------------------------------------


@administrator_required
@no_personal_data
def clients(request: HttpRequest) -> HttpResponse:
    """Every classroom system's client: school, name, client id, what for, scopes, state."""
    return render(request, "schools/clients.html", {"clients": classroom_clients()})


@administrator_required
@never_cache
@require_http_methods(["GET", "POST"])
@no_personal_data
def register_client(request: HttpRequest) -> HttpResponse:
    """Register a classroom system: on success the client id and secret are shown this once
    (the secret is stored hashed)."""
    form = ClassroomClientForm(request.POST or None)
    error, status = "", 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            user = request.user
            assert isinstance(user, User)
            try:
                client, secret = do_create_classroom_client(
                    f"admin:{user.get_username()}",
                    school_of(data["school"].strip()),
                    name=data["name"],
                    kind=ClientKind(data["kind"]),
                    redirect_uris=data["redirect_uris"].splitlines(),
                    scopes=data["scopes"],
                )
            except (ValidationFailedError, NotFoundError) as exc:
                error = str(exc)
            else:
                response = render(
                    request,
                    "schools/client_created.html",
                    {"client": client, "secret": secret},
                    status=201,
                )
                response["Cache-Control"] = "no-store"
                return response
    return render(
        request, "schools/register_client.html", {"form": form, "error": error}, status=status
    )


@administrator_required
@require_http_methods(["GET", "POST"])
@no_personal_data
def disable_client(request: HttpRequest, pk: int) -> HttpResponse:
    """Confirm, then disable a classroom client (no new token, tokens revoked)."""
    client = ClassroomClient.objects.select_related("application", "school").filter(pk=pk).first()
    if client is None:
        raise Http404
    error, status = "", 200
    if request.method == "POST":
        user = request.user
        assert isinstance(user, User)
        try:
            do_disable_classroom_client(f"admin:{user.get_username()}", client)
        except ValidationFailedError as exc:
            error, status = str(exc), 400
        else:
            messages.success(
                request,
                gettext("%(name)s is disabled: it gets no token any more.")
                % {"name": client.application.name},
            )
            return redirect("schools:officer_clients")
    return render(
        request, "schools/disable_client.html", {"client": client, "error": error}, status=status
    )
