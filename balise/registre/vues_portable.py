"""Le fichier portable d'un système (portable.py) : l'exporter depuis sa fiche, l'importer dans le
registre comme un nouveau système. Le schéma publié se lit sans connexion (vues_publiques)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from balise.comptes.models import Utilisateur
from balise.formulaires import ajouter_erreurs
from balise.noms_fichiers import disposition, nom_fichier
from balise.organisations import acces
from balise.organisations.roles import Permission

from . import portable, selectors
from .forms import FichierPortableForm


def _personne(request: HttpRequest) -> Utilisateur:
    personne = request.user
    if not isinstance(personne, Utilisateur):
        raise PermissionDenied
    return personne


@login_required
def exporter(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Le fichier portable d'une fiche : qui lit la fiche peut l'emporter (il ne contient aucun nom)."""
    adhesion = acces.exiger(_personne(request), slug, Permission.VOIR_REGISTRE)
    systeme = selectors.systeme(adhesion.organisation, pk, True)
    reponse = HttpResponse(portable.en_json(systeme), content_type="application/json; charset=utf-8")
    reponse["Content-Disposition"] = disposition(
        nom_fichier("systeme", systeme.nom, extension="json", jour=timezone.now())
    )
    reponse["Cache-Control"] = "no-store"
    return reponse


@login_required
def importer(request: HttpRequest, slug: str) -> HttpResponse:
    """Dépôt d'un fichier portable : il devient un nouveau système de l'organisation, ou rien."""
    adhesion = acces.exiger(_personne(request), slug, Permission.DECLARER)
    form = FichierPortableForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            fichier = portable.lire(form.cleaned_data["fichier"].read())
            resultat = portable.importer(
                adhesion.organisation,
                fichier,
                form.cleaned_data["responsable"],
                _personne(request),
                sans_evaluations_absentes=form.cleaned_data["sans_evaluations_absentes"],
            )
        except portable.FichierRefuse as refus:
            for erreur in refus.erreurs:
                form.add_error("fichier", erreur)
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            systeme = resultat.systeme
            qualifie = " et qualifié sous la même version des règles" if resultat.qualifie else ""
            evaluations = portable.message_evaluations(resultat)
            messages.success(request, f"« {systeme.nom} » est inscrit au registre{qualifie}{evaluations}.")
            for avertissement in resultat.avertissements:
                messages.warning(request, avertissement)
            return redirect("registre:detail", slug=slug, pk=systeme.pk)
    return render(
        request,
        "registre/importer_portable.html",
        {"organisation": adhesion.organisation, "form": form},
        status=400 if form.errors else 200,
    )
