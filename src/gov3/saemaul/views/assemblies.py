"""Village assemblies."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from gov3.core.errors import Gov3Error
from gov3.core.personal_data import no_personal_data
from gov3.saemaul.forms import AssemblyForm, ResolutionFormSet
from gov3.saemaul.models import Assembly
from gov3.saemaul.services.assemblies import ResolutionInput, do_record_assembly
from gov3.saemaul.views.access import _context, _form_page, saemaul_view
from gov3.saemaul.web_access import Jurisdiction, Step


@saemaul_view
@no_personal_data
def assembly_new(request: HttpRequest, j: Jurisdiction, code: str) -> HttpResponse:
    """Record a general assembly: attendance by sex and the resolutions voted on."""
    the_village = j.village_for_step(code, Step.RECORD_ASSEMBLY)
    form = AssemblyForm(request.POST or None)
    resolutions = ResolutionFormSet(request.POST or None, prefix="resolutions")
    if request.method == "POST" and form.is_valid() and resolutions.is_valid():
        data = form.cleaned_data
        inputs = [
            ResolutionInput(
                title=r["title"],
                votes_for=r.get("votes_for") or 0,
                votes_against=r.get("votes_against") or 0,
                abstentions=r.get("abstentions") or 0,
            )
            for r in resolutions.cleaned_data
            if r.get("title")
        ]
        try:
            assembly = do_record_assembly(
                j.actor,
                the_village,
                held_on=data["held_on"],
                eligible_members=data["eligible_members"],
                attended_men=data["attended_men"],
                attended_women=data["attended_women"],
                resolutions=inputs,
                place=data["place"],
                chaired_by=data["chaired_by"],
                minutes=data["minutes"],
            )
        except Gov3Error as error:
            form.add_error(None, str(error))
        else:
            if assembly.quorum_met:
                messages.success(request, _("The assembly was recorded."))
            else:
                messages.warning(
                    request,
                    _(
                        "The assembly was recorded, but it did not reach its quorum: no "
                        "resolution was adopted."
                    ),
                )
            return redirect("saemaul:assembly", code=the_village.code, pk=assembly.pk)
    return _form_page(
        request,
        "saemaul/assembly_form.html",
        j,
        village=the_village,
        form=form,
        resolutions=resolutions,
    )


@saemaul_view
@no_personal_data
def assembly(request: HttpRequest, j: Jurisdiction, code: str, pk: int) -> HttpResponse:
    """An assembly: attendance, quorum and resolutions."""
    the_village = j.village_by_code(code)
    the_assembly = Assembly.objects.filter(village=the_village, pk=pk).first()
    if the_assembly is None:
        raise Http404
    return render(
        request,
        "saemaul/assembly.html",
        _context(
            j,
            village=the_village,
            assembly=the_assembly,
            resolutions=the_assembly.resolutions.all(),
        ),
    )
