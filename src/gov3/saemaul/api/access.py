"""The router, the caller's jurisdiction and the steps their level takes."""

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Router

from gov3.core.errors import PermissionRefusedError
from gov3.core.personal_data import no_personal_data
from gov3.saemaul.models import Village
from gov3.saemaul.queries import villages_in
from gov3.saemaul.web_access import Jurisdiction, jurisdiction_of


class SaemaulRouter(Router):
    """A router whose operations keep the OpenAPI ids they had when the API was one module
    (``gov3_saemaul_api_<function>``): clients generated from the document keep their names."""

    def add_api_operation(
        self, path: str, methods: list[str], view_func: Callable[..., Any], **options: Any
    ) -> None:
        if options.get("operation_id") is None:
            options["operation_id"] = f"gov3_saemaul_api_{view_func.__name__}"
        super().add_api_operation(path, methods, view_func, **options)


router = SaemaulRouter(tags=["saemaul"])

#: Largest page of a list.
MAX_LIMIT = 1000


@no_personal_data
def _jurisdiction(request: HttpRequest) -> Jurisdiction:
    j = jurisdiction_of(request.user)
    if j is None:
        raise PermissionRefusedError(gettext("You have no role in the Saemaul programme."))
    return j


def _scope(j: Jurisdiction, area_code: str | None) -> QuerySet[Village]:
    if not area_code:
        return j.villages()
    area = j.area_by_code(area_code)
    return j.villages().filter(pk__in=villages_in(area).values("pk"))
