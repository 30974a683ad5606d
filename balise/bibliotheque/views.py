"""Pages de la bibliothèque des cas d'usage : vues minces au-dessus de services et selectors.

Chercher et lire : VOIR_REGISTRE. Adopter (une fiche naît au registre) : DECLARER. Partager un système,
mettre à jour ou retirer son partage : PUBLIER, car c'est rendre public hors de l'organisation, comme le
registre public. Sans compte : la bibliothèque en lecture seule sous /public/bibliotheque/ (rien de
personnel n'y est jamais partagé)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from balise import cache_pages
from balise.envois.services import une_seule_fois
from balise.formulaires import ajouter_erreurs, ecrire, version_postee
from balise.organisations import acces
from balise.organisations.roles import Permission, peut
from balise.versions import ConflitEdition

from . import selectors, services
from .forms import AdoptionForm, PartageForm, RechercheForm
from .models import CasUsage

PAR_PAGE = 20


def _resultats(request: HttpRequest) -> dict[str, Any]:
    """Le formulaire de recherche, la page de résultats et le nombre d'adoptions de ses cas."""
    form = RechercheForm(request.GET or None)
    resultats = selectors.page_de_resultats(form.criteres(), request.GET.get("page"), PAR_PAGE)
    page = resultats.page
    adoptions = selectors.adoptions_par_cas([c.pk for c in page])
    return {
        "form": form,
        "page": page,
        "tronque": resultats.tronque,
        "plafond": selectors.PLAFOND,
        "lignes": [(c, adoptions.get(c.pk, 0)) for c in page],
        "parametres": request.GET,
        "plein_texte": selectors.plein_texte(),
    }


@login_required
def liste(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    return render(
        request, "bibliotheque/liste.html", {"organisation": adhesion.organisation, **_resultats(request)}
    )


def _page_cas(
    request: HttpRequest, adhesion: Any, cas: CasUsage, form: AdoptionForm | None, statut: int = 200
) -> HttpResponse:
    peut_adopter = (
        peut(adhesion.role, Permission.DECLARER) and cas.organisation_id != adhesion.organisation.pk
    )
    if form is None and peut_adopter:
        form = AdoptionForm(initial={"responsable": request.user.get_full_name()})
    contexte = {
        "organisation": adhesion.organisation,
        "cas": cas,
        "adoptions": selectors.adoptions_de(cas),
        "form": form if peut_adopter else None,
        "peut_partager": cas.organisation_id == adhesion.organisation.pk
        and peut(adhesion.role, Permission.PUBLIER),
    }
    return render(request, "bibliotheque/cas.html", contexte, status=statut)


@login_required
def cas(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    return _page_cas(request, adhesion, selectors.cas(pk), None)


@require_POST
@login_required
def adopter(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.DECLARER)
    trouve = selectors.cas(pk)
    form = AdoptionForm(request.POST)
    if form.is_valid():
        d = form.cleaned_data
        try:
            envoi = une_seule_fois(
                request,
                lambda: services.adopter(
                    trouve, adhesion.organisation, request.user, d["service"], d["responsable"], d["nom"]
                ),
            )
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            if envoi.objet is None:
                return redirect("registre:liste", slug=slug)
            if not envoi.doublon:
                messages.success(
                    request,
                    f"« {envoi.objet.systeme.nom} » est inscrit à votre registre, au stade idée : "
                    "qualifiez-le et évaluez-le comme tout système.",
                )
            return redirect("registre:detail", slug=slug, pk=envoi.objet.systeme_id)
    return _page_cas(request, adhesion, trouve, form, statut=400)


@login_required
def partager(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.PUBLIER)
    systeme = selectors.systeme_partageable(adhesion.organisation, pk)
    existant = selectors.partage_de(systeme)
    if request.method == "POST":
        form = PartageForm(request.POST)
    else:
        form = PartageForm(initial=selectors.proposition_de_partage(systeme))
    conflit = None
    if request.method == "POST" and form.is_valid():

        def enregistrer() -> CasUsage | None:
            if existant is None:
                return une_seule_fois(
                    request, lambda: services.partager(systeme, form.partage(), request.user)
                ).objet
            return services.partager(systeme, form.partage(), request.user, form.cleaned_data["version"])

        ecriture = ecrire(form, enregistrer)
        conflit = ecriture.conflit
        if ecriture.ecrit and ecriture.resultat is not None:
            messages.success(request, "Le cas est partagé dans la bibliothèque.")
            return redirect("bibliotheque:cas", slug=slug, pk=ecriture.resultat.pk)
    contexte = {
        "organisation": adhesion.organisation,
        "systeme": systeme,
        "existant": existant,
        "form": form,
        "conflit": conflit,
    }
    statut = 409 if conflit else 400 if form.errors else 200
    return render(request, "bibliotheque/partager.html", contexte, status=statut)


@require_POST
@login_required
def retirer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.PUBLIER)
    trouve = CasUsage.objects.filter(pk=pk, organisation=adhesion.organisation).first()
    if trouve is None or trouve.systeme_id is None:
        raise Http404("Partage introuvable.")
    try:
        services.retirer(trouve, request.user, version_postee(request))
    except ConflitEdition:
        messages.error(request, "Le partage a été modifié entre-temps : rien n'a été retiré, relisez-le.")
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, "Le partage est retiré de la bibliothèque ; son historique est gardé.")
    return redirect("bibliotheque:partager", slug=slug, pk=trouve.systeme_id)


# --- Sans compte ------------------------------------------------------------------------------------


def public_liste(request: HttpRequest) -> HttpResponse:
    reponse = render(request, "bibliotheque/public_liste.html", {"public": True, **_resultats(request)})
    return cache_pages.entetes_publiques(request, reponse, max_age=300)


def public_cas(request: HttpRequest, pk: int) -> HttpResponse:
    trouve = selectors.cas(pk)
    adoptions = selectors.adoptions_de(trouve)
    contexte = {
        "public": True,
        "cas": trouve,
        "nombre_adoptions": len(adoptions),
        "resultats_partages": [a.partage for a in adoptions if a.partage is not None],
    }
    reponse = render(request, "bibliotheque/public_cas.html", contexte)
    return cache_pages.entetes_publiques(request, reponse, max_age=300)
