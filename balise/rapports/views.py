"""Pages des rapports et des exports : vues minces au-dessus de services, selectors et exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from balise.organisations import acces
from balise.organisations.roles import Permission, peut
from balise.travaux import services as travaux
from balise.travaux.models import Travail

from . import exports, selectors, services
from .forms import ProductionForm
from .models import FORMATS


def _page(request: HttpRequest, adhesion, form: ProductionForm) -> HttpResponse:
    organisation = adhesion.organisation
    return render(
        request,
        "rapports/accueil.html",
        {
            "organisation": organisation,
            "rapports": selectors.rapports(organisation),
            "peut_produire": peut(adhesion.role, Permission.PRODUIRE_RAPPORTS),
            "form": form,
            "exports": [(nom, e) for nom, e in exports.EXPORTS.items() if peut(adhesion.role, e.permission)],
            "formats_exports": list(exports.FORMATS),
            "formats": list(FORMATS),
        },
        status=400 if form.is_bound else 200,
    )


@login_required
def accueil(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    return _page(request, adhesion, ProductionForm())


@require_POST
@login_required
def lancer(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.PRODUIRE_RAPPORTS)
    form = ProductionForm(request.POST)
    if form.is_valid():
        try:
            rapport = services.lancer(
                adhesion.organisation, request.user, form.cleaned_data["genre"], form.cleaned_data["annee"]
            )
        except ValidationError as erreur:
            form.add_error(None, erreur)
        else:
            messages.success(
                request,
                f"La production du document « {rapport.titre} » est lancée : il apparaîtra ci-dessous, "
                "prêt à télécharger, dans quelques instants.",
            )
            return redirect("rapports:accueil", slug)
    return _page(request, adhesion, form)


@require_POST
@login_required
def annuler(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.PRODUIRE_RAPPORTS)
    try:
        travail = services.annuler(adhesion.organisation, pk, request.user)
    except travaux.TravailTermine as erreur:
        messages.info(request, str(erreur))
    else:
        if travail.etat == Travail.Etat.ANNULE:
            messages.success(request, "Production annulée : aucun fichier n'a été écrit.")
        else:
            messages.success(request, "Annulation demandée : la production s'arrête sans écrire de fichier.")
    return redirect("rapports:accueil", slug)


@login_required
def telecharger(request: HttpRequest, slug: str, pk: int, format_: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    rapport, contenu = selectors.fichier(adhesion.organisation, pk, format_)
    reponse = HttpResponse(contenu, content_type=FORMATS[format_])
    reponse["Content-Disposition"] = f'attachment; filename="{rapport.nom_fichier(format_)}"'
    return reponse


@login_required
def exporter(request: HttpRequest, slug: str, nom: str, format_: str) -> HttpResponse:
    export = exports.EXPORTS.get(nom)
    if export is None or format_ not in exports.FORMATS:
        # Le droit d'abord, pour qu'une personne sans droit ne distingue pas les exports existants.
        acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
        raise Http404("Export inconnu.")
    adhesion = acces.exiger(request.user, slug, export.permission)
    organisation = adhesion.organisation
    reponse = HttpResponse(
        exports.produire(organisation, nom, format_), content_type=exports.FORMATS[format_]
    )
    reponse["Content-Disposition"] = (
        f'attachment; filename="{exports.nom_fichier(organisation, nom, format_)}"'
    )
    reponse["Cache-Control"] = "no-store"
    return reponse
