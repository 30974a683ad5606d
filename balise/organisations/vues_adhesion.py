"""Demander l'adhésion (page publique, sans compte) et décider des demandes (administration de l'instance)."""

from collections.abc import Callable
from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render

from balise import limites
from balise.comptes.models import Utilisateur
from balise.formulaires import Formulaire

from . import collectivites, selectors, services_adhesion
from .forms import DecisionAdhesionForm, DemandeAdhesionForm, DemandeHorsListeForm
from .models import DemandeAdhesion

PERMISSION_INSTANCE = "organisations.change_demandeadhesion"
RECHERCHES = limites.Limite("recherches_collectivites_par_adresse")


def _trop(
    request: HttpRequest, depassement: limites.Depassement, contexte: dict, gabarit: str
) -> HttpResponse:
    minutes = -(-depassement.reessayer_dans // 60)
    contexte["limite"] = (
        f"Trop de demandes envoyées depuis votre réseau : réessayez dans {minutes} minute(s)."
    )
    reponse = render(request, gabarit, contexte, status=429)
    reponse["Retry-After"] = str(depassement.reessayer_dans)
    return reponse


def _envoyer(
    request: HttpRequest, form: Formulaire, contexte: dict, gabarit: str, demander: Callable[..., object]
) -> HttpResponse:
    """Le même envoi pour les deux formulaires : limite par réseau, demande enregistrée ou erreurs."""
    if request.method == "POST":
        envoi = limites.compter_envoi("adhesions", request)
        if envoi.depassement is not None:
            return limites.poser_temoin(request, _trop(request, envoi.depassement, contexte, gabarit))
        if form.is_valid():
            try:
                demander(**form.cleaned_data)
            except ValidationError as erreur:
                form.add_error(None, erreur)
            else:
                return redirect("adhesion:envoyee")
    return limites.poser_temoin(
        request, render(request, gabarit, contexte, status=400 if form.errors else 200)
    )


def demander(request: HttpRequest) -> HttpResponse:
    """Étape 1 : chercher sa collectivité (GET `q`) ; étape 2 : la choisir et dire qui l'administrera."""
    recherche = request.GET.get("q", "").strip()[:100]
    resultats = collectivites.rechercher(recherche) if recherche else []
    form = DemandeAdhesionForm(request.POST or None, resultats=resultats)
    contexte = {"form": form, "recherche": recherche, "resultats": resultats}
    return _envoyer(
        request,
        form,
        contexte,
        "organisations/adhesion.html",
        lambda collectivite, **administrateur: services_adhesion.demander(
            code=collectivite, **administrateur
        ),
    )


def demander_hors_liste(request: HttpRequest) -> HttpResponse:
    """Une organisation que la liste officielle ne contient pas (centre de gestion, syndicat mixte…)."""
    form = DemandeHorsListeForm(request.POST or None)
    return _envoyer(
        request,
        form,
        {"form": form},
        "organisations/adhesion_hors_liste.html",
        services_adhesion.demander_hors_liste,
    )


def envoyee(request: HttpRequest) -> HttpResponse:
    return render(request, "organisations/adhesion_envoyee.html")


def rechercher(request: HttpRequest) -> JsonResponse:
    """Quelques collectivités dont le nom contient la saisie (champ de recherche de la page)."""
    depassement = RECHERCHES.compter(limites.adresse_du_client(request))[1]
    if depassement is not None:
        reponse = JsonResponse(
            {"erreur": "Trop de recherches : réessayez dans quelques minutes."}, status=429
        )
        reponse["Retry-After"] = str(depassement.reessayer_dans)
        return reponse
    trouvees = collectivites.rechercher(request.GET.get("q", "")[:100])
    return JsonResponse(
        {"resultats": [{"code": c.code, "libelle": c.libelle, "population": c.population} for c in trouvees]}
    )


def _instance(request: HttpRequest) -> None:
    if not request.user.has_perm(PERMISSION_INSTANCE):
        raise PermissionDenied


@login_required
def demandes(request: HttpRequest) -> HttpResponse:
    _instance(request)
    en_attente, traitees = selectors.demandes_d_adhesion()
    return render(
        request, "organisations/adhesion_demandes.html", {"en_attente": en_attente, "traitees": traitees}
    )


@login_required
def demande(request: HttpRequest, pk: int) -> HttpResponse:
    _instance(request)
    personne = cast(Utilisateur, request.user)
    choisie = get_object_or_404(DemandeAdhesion.objects.select_related("organisation", "decidee_par"), pk=pk)
    form = DecisionAdhesionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            if request.POST.get("decision") == "approuver":
                organisation = services_adhesion.approuver(choisie.pk, personne)
                messages.success(
                    request,
                    f"Demande approuvée : l'espace de {organisation.nom} est créé et {choisie.email} a reçu "
                    "le lien pour choisir son mot de passe.",
                )
            elif request.POST.get("decision") == "refuser":
                services_adhesion.refuser(choisie.pk, form.cleaned_data["motif"], personne)
                messages.success(request, f"Demande de {choisie.nom} refusée ; le motif a été envoyé.")
            else:
                raise ValidationError("Choisissez d'approuver ou de refuser la demande.")
        except ValidationError as erreur:
            form.add_error("motif" if request.POST.get("decision") == "refuser" else None, erreur)
        else:
            return redirect("adhesion:demandes")
    return render(
        request,
        "organisations/adhesion_demande.html",
        {
            "demande": choisie,
            "form": form,
            "existante": services_adhesion.organisation_de_la_demande(choisie),
            "hors_liste": collectivites.par_code(choisie.code_collectivite) is None,
        },
        status=400 if form.errors else 200,
    )
