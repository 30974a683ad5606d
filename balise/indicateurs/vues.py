"""Pages des indicateurs : liste et état, création (libre ou depuis le modèle de départ), fiche avec
courbe et tableau des mesures, saisie d'une mesure, revue en séance. Les vues n'écrivent pas : elles
appellent services.py ; les droits sont ceux de droits.py."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from balise.gouvernance.models import Point
from balise.organisations import acces
from balise.organisations.models import Adhesion
from balise.organisations.roles import Permission
from balise.registre.models import SystemeIA

from . import droits, echeances, graphique, modeles, selectors, services
from .models import Indicateur, Mesure


def _erreurs(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def _membres(adhesion: Adhesion) -> list[Adhesion]:
    return list(
        Adhesion.objects.filter(organisation=adhesion.organisation)
        .exclude(role="externe")
        .select_related("utilisateur")
        .order_by("utilisateur__email")
    )


@login_required
def liste(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    aujourd_hui = timezone.localdate()
    return render(
        request,
        "indicateurs/liste.html",
        {
            "organisation": adhesion.organisation,
            "suivis": selectors.liste(adhesion.organisation, aujourd_hui),
            "peut_piloter": droits.peut_piloter(adhesion.role),
        },
    )


@login_required
def creer(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.PILOTER_PROGRAMME)
    org = adhesion.organisation
    erreurs: list[str] = []
    if request.method == "POST":
        donnees = request.POST.dict()
        try:
            if donnees.get("modele"):
                systeme = donnees.get("systeme") or None
                indicateur = services.depuis_modele(
                    org,
                    donnees["modele"],
                    request.user,  # type: ignore[arg-type]
                    services._responsable(org, donnees.get("responsable")),
                    services._systeme(org, systeme),
                )
            else:
                indicateur = services.creer_indicateur(org, donnees, request.user)  # type: ignore[arg-type]
        except ValidationError as exc:
            erreurs = _erreurs(exc)
        else:
            messages.success(request, "Indicateur créé.")
            return redirect("indicateurs:fiche", slug=slug, pk=indicateur.pk)
    return render(
        request,
        "indicateurs/creer.html",
        {
            "organisation": org,
            "erreurs": erreurs,
            "saisie": request.POST if request.method == "POST" else {},
            "modeles": modeles.en_vigueur().indicateurs,
            "membres": _membres(adhesion),
            "systemes": SystemeIA.objects.filter(organisation=org).actifs().only("pk", "nom").order_by("nom"),
            "frequences": Indicateur.Frequence.choices,
            "sens": Indicateur.Sens.choices,
        },
        status=400 if erreurs else 200,
    )


def _indicateur(adhesion: Adhesion, pk: int) -> Indicateur:
    return get_object_or_404(
        Indicateur.objects.select_related("systeme", "responsable"), organisation=adhesion.organisation, pk=pk
    )


def _fiche(
    request: HttpRequest, adhesion: Adhesion, indicateur: Indicateur, erreurs: list[str], statut: int = 200
) -> HttpResponse:
    mesures = selectors.mesures(indicateur)
    annote = selectors.avec_derniere(Indicateur.objects.filter(pk=indicateur.pk)).get()
    suivi = selectors.suivi(annote, timezone.localdate())
    lignes = [
        {
            "mesure": m,
            "libelle": echeances.libelle_periode(m.periode, indicateur.frequence),
            "atteinte": echeances.atteinte(m.valeur, indicateur.cible, indicateur.sens),
        }
        for m in mesures
    ]
    return render(
        request,
        "indicateurs/fiche.html",
        {
            "organisation": adhesion.organisation,
            "indicateur": indicateur,
            "suivi": suivi,
            "lignes": lignes,
            "graphique": graphique.courbe(indicateur, mesures, f"indicateur-{indicateur.pk}"),
            "peut_saisir": indicateur.archive_le is None
            and droits.peut_saisir(adhesion.role, request.user.pk, indicateur),
            "erreurs": erreurs,
            "saisie": request.POST if erreurs else {},
            "periode_proposee": suivi.etat.periode,
        },
        status=statut,
    )


@login_required
def fiche(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    return _fiche(request, adhesion, _indicateur(adhesion, pk), [])


@login_required
def saisir(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    indicateur = _indicateur(adhesion, pk)
    if not droits.peut_saisir(adhesion.role, request.user.pk, indicateur):
        raise PermissionDenied(
            "Seuls le responsable de l'indicateur et le pilotage du programme saisissent ses mesures."
        )
    if request.method != "POST":
        return redirect("indicateurs:fiche", slug=slug, pk=pk)
    try:
        mesure = services.enregistrer_mesure(indicateur, request.POST.dict(), request.user)  # type: ignore[arg-type]
    except ValidationError as exc:
        return _fiche(request, adhesion, indicateur, _erreurs(exc), 400)
    if not echeances.atteinte(mesure.valeur, indicateur.cible, indicateur.sens):
        messages.warning(request, "Mesure enregistrée : elle manque la cible. L'écart sera revu en séance.")
    else:
        messages.success(request, "Mesure enregistrée.")
    return redirect("indicateurs:fiche", slug=slug, pk=pk)


@login_required
def revue(request: HttpRequest, slug: str, point_pk: int) -> HttpResponse:
    """La revue des indicateurs à un point de séance : leurs mesures depuis la précédente revue (au plus
    un an), les écarts, et pour chacun l'analyse et l'action corrective (Check, Act)."""
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    point = get_object_or_404(
        Point.objects.select_related("seance__instance"),
        pk=point_pk,
        nature=Point.Nature.INDICATEURS,
        seance__instance__organisation=adhesion.organisation,
    )
    if point.organisation_id != adhesion.organisation.pk:
        raise Http404
    peut_revoir = droits.peut_revoir(adhesion.role)
    jour = timezone.localtime(point.seance.debut).date()
    debut = (
        jour.replace(year=jour.year - 1)
        if not (jour.month == 2 and jour.day == 29)
        else jour.replace(year=jour.year - 1, day=28)
    )
    erreurs: list[str] = []
    if request.method == "POST":
        if not peut_revoir:
            raise PermissionDenied("Votre rôle ne permet pas d'enregistrer l'analyse des écarts.")
        saisie = request.POST.get("mesure", "")
        mesure = (
            Mesure.objects.filter(pk=int(saisie), organisation=adhesion.organisation).first()
            if saisie.isdigit() and len(saisie) < 19
            else None
        )
        version = request.POST.get("version")
        try:
            if mesure is None:
                raise ValidationError({"mesure": "Choisissez une mesure hors cible de la période."})
            services.enregistrer_ecart(
                point,
                mesure,
                request.POST.dict(),
                request.user,  # type: ignore[arg-type]
                int(version) if version and version.isdigit() else None,
            )
        except (ValidationError, services.ConflitEdition) as exc:
            erreurs = _erreurs(exc) if isinstance(exc, ValidationError) else [exc.message]
        else:
            messages.success(request, "Analyse de l'écart enregistrée.")
            return redirect("indicateurs:revue", slug=slug, point_pk=point_pk)
    ecarts = selectors.ecarts_du_point(point.pk)
    lignes: list[dict[str, Any]] = []
    for ligne in selectors.tableau(adhesion.organisation, debut, jour):
        lignes.append({"ligne": ligne, "ecarts": [(m, ecarts.get(m.pk)) for m in ligne.hors_cible]})
    return render(
        request,
        "indicateurs/revue.html",
        {
            "organisation": adhesion.organisation,
            "point": point,
            "seance": point.seance,
            "debut": debut,
            "fin": jour,
            "lignes": lignes,
            "peut_revoir": peut_revoir,
            "membres": _membres(adhesion) if peut_revoir else [],
            "erreurs": erreurs,
        },
        status=400 if erreurs else 200,
    )
