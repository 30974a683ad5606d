"""Pages des indicateurs : liste et état, création (libre ou depuis le modèle de départ), modification
et archivage, fiche avec courbe et tableau des mesures, saisie et correction d'une mesure, revue en
séance. Les vues n'écrivent pas : elles appellent services.py ; les droits sont ceux de droits.py.
Chaque modification porte la version lue (verrou optimiste) : celle d'une autre personne faite
entre-temps est montrée, rien n'est écrasé."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from balise.gouvernance.models import Point
from balise.organisations import acces
from balise.organisations.models import Adhesion
from balise.organisations.roles import Permission
from balise.registre.models import SystemeIA

from . import droits, echeances, graphique, modeles, selectors, services
from .models import Indicateur, Mesure


def _erreurs(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def _version(request: HttpRequest) -> int | None:
    """La version lue, renvoyée par le formulaire ; absente ou illisible, None (refusée par le service)."""
    saisie = request.POST.get("version", "")
    return int(saisie) if saisie.isdigit() and len(saisie) < 10 else None


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
            **_choix(adhesion),
        },
        status=400 if erreurs else 200,
    )


def _choix(adhesion: Adhesion) -> dict[str, Any]:
    """Les listes du formulaire d'un indicateur (création et modification)."""
    org = adhesion.organisation
    return {
        "membres": _membres(adhesion),
        "systemes": SystemeIA.objects.filter(organisation=org).actifs().only("pk", "nom").order_by("nom"),
        "frequences": Indicateur.Frequence.choices,
        "sens": Indicateur.Sens.choices,
    }


def _nombre_affiche(valeur: Decimal) -> str:
    """« 12,5 » plutôt que « 12.500 » : le nombre tel qu'une personne le saisirait."""
    return format(valeur.normalize(), "f").replace(".", ",")


def _editer(
    request: HttpRequest, initiale: dict[str, str], ecrire: Callable[[dict[str, str], int | None], object]
) -> dict[str, Any] | None:
    """Un formulaire de modification sur la version lue (champ caché `version`) : None si la saisie
    envoyée est enregistrée par `ecrire(donnees, version)` ; sinon ce qu'il faut rendre : la saisie
    (initiale, ou celle envoyée), les erreurs en français (400) ou le conflit avec une modification faite
    entre-temps (409). Après un conflit, la saisie est gardée sur la version désormais à jour :
    l'enregistrer de nouveau la remplace."""
    if request.method != "POST":
        return {"saisie": initiale, "erreurs": [], "conflit": None, "statut": 200}
    saisie = request.POST.dict()
    try:
        ecrire(request.POST.dict(), _version(request))
    except services.ConflitEdition as exc:
        saisie["version"] = str(exc.objet.version)
        return {"saisie": saisie, "erreurs": [], "conflit": exc, "statut": 409}
    except ValidationError as exc:
        return {"saisie": saisie, "erreurs": _erreurs(exc), "conflit": None, "statut": 400}
    return None


def _saisie_initiale(indicateur: Indicateur) -> dict[str, str]:
    return {
        "objectif": indicateur.objectif,
        "intitule": indicateur.intitule,
        "unite": indicateur.unite,
        "cible": _nombre_affiche(indicateur.cible),
        "sens": indicateur.sens,
        "frequence": indicateur.frequence,
        "responsable": str(indicateur.responsable_id),
        "systeme": str(indicateur.systeme_id or ""),
        "source": indicateur.source,
        "version": str(indicateur.version),
    }


@login_required
def modifier(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Modifier un indicateur actif, sur la version lue : une modification faite entre-temps par une
    autre personne est montrée (409) et rien n'est écrit ; une saisie refusée est rendue (400)."""
    adhesion = acces.exiger(request.user, slug, Permission.PILOTER_PROGRAMME)
    indicateur = _indicateur(adhesion, pk)
    if indicateur.archive_le is not None:
        messages.error(request, "Cet indicateur est archivé : il ne se modifie plus.")
        return redirect("indicateurs:fiche", slug=slug, pk=pk)
    try:
        edition = _editer(
            request,
            _saisie_initiale(indicateur),
            lambda donnees, version: services.modifier_indicateur(
                adhesion.organisation,
                pk,
                donnees,
                request.user,  # type: ignore[arg-type]
                version,
            ),
        )
    except Indicateur.DoesNotExist:
        messages.error(request, "Cet indicateur a été archivé entre-temps : rien n'a été modifié.")
        return redirect("indicateurs:fiche", slug=slug, pk=pk)
    if edition is None:
        messages.success(request, "Indicateur modifié.")
        return redirect("indicateurs:fiche", slug=slug, pk=pk)
    return render(
        request,
        "indicateurs/modifier.html",
        {"organisation": adhesion.organisation, "indicateur": indicateur, **edition, **_choix(adhesion)},
        status=edition["statut"],
    )


@require_POST
@login_required
def archiver(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Archiver un indicateur, sur la version lue et après confirmation : il quitte la liste, la revue et
    « À traiter » ; sa fiche et ses mesures restent consultables, son historique aussi."""
    adhesion = acces.exiger(request.user, slug, Permission.PILOTER_PROGRAMME)
    indicateur = _indicateur(adhesion, pk)
    if request.POST.get("confirmer") != "oui":
        messages.error(
            request, "Cochez la case de confirmation pour archiver l'indicateur : rien n'a été archivé."
        )
        return redirect("indicateurs:fiche", slug=slug, pk=pk)
    try:
        services.archiver_indicateur(adhesion.organisation, indicateur.pk, request.user, _version(request))  # type: ignore[arg-type]
    except services.ConflitEdition as exc:
        messages.error(request, exc.message)
        return redirect("indicateurs:fiche", slug=slug, pk=pk)
    except Indicateur.DoesNotExist:
        messages.info(request, "Cet indicateur était déjà archivé.")
        return redirect("indicateurs:fiche", slug=slug, pk=pk)
    messages.success(
        request,
        f"Indicateur « {indicateur.intitule} » archivé : il quitte la liste et les mesures à saisir ; "
        "sa fiche et ses mesures restent consultables.",
    )
    return redirect("indicateurs:liste", slug=slug)


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
            "peut_piloter": indicateur.archive_le is None and droits.peut_piloter(adhesion.role),
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
def corriger(request: HttpRequest, slug: str, pk: int, mesure_pk: int) -> HttpResponse:
    """Corriger la valeur ou le commentaire d'une mesure, sur la version lue ; la période ne change pas
    (une autre période se saisit à part). Mêmes droits que la saisie."""
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    indicateur = _indicateur(adhesion, pk)
    if not droits.peut_saisir(adhesion.role, request.user.pk, indicateur):
        raise PermissionDenied(
            "Seuls le responsable de l'indicateur et le pilotage du programme corrigent ses mesures."
        )
    mesure = get_object_or_404(Mesure, indicateur=indicateur, pk=mesure_pk)
    if indicateur.archive_le is not None:
        messages.error(request, "Cet indicateur est archivé : ses mesures ne se corrigent plus.")
        return redirect("indicateurs:fiche", slug=slug, pk=pk)
    initiale = {
        "valeur": _nombre_affiche(mesure.valeur),
        "commentaire": mesure.commentaire,
        "version": str(mesure.version),
    }
    edition = _editer(
        request,
        initiale,
        lambda donnees, version: services.modifier_mesure(
            mesure.pk,
            indicateur,
            donnees,
            request.user,  # type: ignore[arg-type]
            version,
        ),
    )
    if edition is None:
        messages.success(request, "Mesure corrigée.")
        return redirect("indicateurs:fiche", slug=slug, pk=pk)
    return render(
        request,
        "indicateurs/corriger.html",
        {
            "organisation": adhesion.organisation,
            "indicateur": indicateur,
            "mesure": mesure,
            "libelle": echeances.libelle_periode(mesure.periode, indicateur.frequence),
            **edition,
        },
        status=edition["statut"],
    )


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
