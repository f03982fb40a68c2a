"""Jobs in the admin: administrators see the queue and retry parked jobs (`do_retry_job`,
audited); nothing is edited by hand."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext, gettext_lazy, ngettext

from gov3.core.admin import ReadOnlyAdmin
from gov3.core.errors import Gov3Error
from gov3.tasks.models import Job, JobStatus
from gov3.tasks.runner import do_retry_job


@admin.register(Job)
class JobAdmin(ReadOnlyAdmin):
    list_display = ["id", "name", "status", "attempts", "created_at", "finished_at", "request_id"]
    list_filter = ["status", "name"]
    search_fields = ["=key", "=request_id"]
    readonly_fields = [field.name for field in Job._meta.fields]
    actions = ["retry"]
    show_full_result_count = False

    @admin.action(description=gettext_lazy("Retry the selected failed jobs"))
    def retry(self, request: HttpRequest, queryset: QuerySet[Job]) -> None:
        actor = f"admin:{request.user.get_username()}"
        retried = 0
        for job in queryset.filter(status=JobStatus.FAILED):
            try:
                do_retry_job(job.pk, actor=actor)
            except Gov3Error as error:
                self.message_user(request, str(error), messages.ERROR)
                continue
            retried += 1
        skipped = queryset.exclude(status=JobStatus.FAILED).count()
        self.message_user(
            request,
            ngettext(
                "%(n)d job handed to the workers again.",
                "%(n)d jobs handed to the workers again.",
                retried,
            )
            % {"n": retried},
        )
        if skipped:
            self.message_user(
                request,
                gettext("Only failed jobs are retried; %(n)d others were left as they are.")
                % {"n": skipped},
                messages.WARNING,
            )
