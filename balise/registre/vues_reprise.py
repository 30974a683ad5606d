"""Pages de la reprise d'un registre tenu dans un tableur : dépôt, avancement, colonnes, valeurs et
aperçu, confirmation, suppression d'un import abandonné. Vues minces au-dessus de services_reprise."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from balise import versions
from balise.comptes.models import Utilisateur
from balise.formulaires import ajouter_erreurs, reprendre_apres_conflit, version_postee
from balise.metiers.lecture import FichierIllisible
from balise.organisations import acces
from balise.organisations.models import Adhesion
from balise.organisations.roles import Permission
from balise.travaux import services as travaux
from balise.travaux import vues as pages_de_fond
from balise.travaux.models import Travail

from . import reprise, services_reprise
from .forms import ColonnesRegistreForm, DepotRegistreForm, ValeursForm
from .models import ImportRegistre

ETAPES = [
    "Dépôt du fichier",
    "Lecture du fichier",
    "Choix des colonnes",
    "Valeurs et aperçu",
    "Enregistrement",
]
LIGNES_MONTREES = 200


def _personne(request: HttpRequest) -> Utilisateur:
    """La personne connectée (`login_required` a écarté l'anonyme)."""
    personne = request.user
    if not isinstance(personne, Utilisateur):
        raise PermissionDenied
    return personne


def _import(request: HttpRequest, slug: str, pk: int) -> tuple[Adhesion, ImportRegistre]:
    adhesion = acces.exiger(_personne(request), slug, Permission.DECLARER)
    imp = get_object_or_404(
        ImportRegistre.objects.defer("contenu").select_related("travail", "travail__annule_par"),
        organisation=adhesion.organisation,
        pk=pk,
    )
    return adhesion, imp


def _contexte(adhesion: Adhesion, imp: ImportRegistre | None = None, **autres: Any) -> dict[str, Any]:
    return {"organisation": adhesion.organisation, "imp": imp, "etapes": ETAPES, **autres}


def _page_suivante(slug: str, imp: ImportRegistre) -> str:
    if imp.etat == ImportRegistre.Etat.CORRESPONDANCE:
        nom = "registre:importation_apercu" if imp.colonnes_choisies else "registre:importation_colonnes"
    elif imp.etat == ImportRegistre.Etat.TERMINE:
        nom = "registre:importation"
    else:
        nom = "registre:importation_avancement"
    return reverse(nom, kwargs={"slug": slug, "pk": imp.pk})


@login_required
def deposer(request: HttpRequest, slug: str) -> HttpResponse:
    """Le dépôt vérifie taille et signature, garde le fichier et répond par la page d'avancement de
    sa lecture, faite par le processus de fond. La page liste aussi les imports précédents."""
    adhesion = acces.exiger(_personne(request), slug, Permission.DECLARER)
    form = DepotRegistreForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        fichier = form.cleaned_data["fichier"]
        try:
            imp = services_reprise.deposer(
                adhesion.organisation, _personne(request), fichier.name, fichier.read()
            )
        except FichierIllisible as erreur:
            form.add_error("fichier", erreur.message)
        else:
            return redirect("registre:importation_avancement", slug=slug, pk=imp.pk)
    imports = ImportRegistre.objects.defer("contenu").filter(organisation=adhesion.organisation)[:20]
    return render(
        request,
        "registre/reprise/deposer.html",
        _contexte(adhesion, form=form, imports=imports, etape=1, champs=reprise.CHAMPS),
        status=400 if form.errors else 200,
    )


@login_required
def importation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Le bilan d'un import enregistré ; sinon, la page de l'étape où il en est."""
    adhesion, imp = _import(request, slug, pk)
    if imp.etat != ImportRegistre.Etat.TERMINE:
        return redirect(_page_suivante(slug, imp))
    return render(request, "registre/reprise/bilan.html", _contexte(adhesion, imp, etape=5))


def _etat_avancement(imp: ImportRegistre) -> dict[str, Any]:
    travail = imp.travail
    if travail is not None and travaux.constater_abandons(Travail.objects.filter(pk=travail.pk)):
        travail.refresh_from_db()
    en_cours = imp.etat in (ImportRegistre.Etat.LECTURE, ImportRegistre.Etat.ENREGISTREMENT)
    return travaux.etat_lisible(travail, en_cours)


@login_required
def avancement(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion, imp = _import(request, slug, pk)
    etat = _etat_avancement(imp)
    travail = imp.travail
    en_echec = (
        imp.etat in (ImportRegistre.Etat.LECTURE, ImportRegistre.Etat.ENREGISTREMENT) and not etat["actif"]
    )
    if not etat["actif"] and not (en_echec and travail is not None and not travail.reussi):
        if imp.etat == ImportRegistre.Etat.TERMINE:
            messages.success(request, imp.bilan + ".")
        return redirect(_page_suivante(slug, imp))
    etape = 2 if imp.etat == ImportRegistre.Etat.LECTURE else 5
    return render(
        request,
        "registre/reprise/avancement.html",
        _contexte(adhesion, imp, travail=travail, etat=etat, etape=etape),
    )


@login_required
def avancement_json(request: HttpRequest, slug: str, pk: int) -> JsonResponse:
    _, imp = _import(request, slug, pk)
    return pages_de_fond.etat_json(_etat_avancement(imp))


@require_POST
@login_required
def annulation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _, imp = _import(request, slug, pk)
    pages_de_fond.annoncer_annulation(request, lambda: services_reprise.annuler(imp, _personne(request)))
    return redirect("registre:importation_avancement", slug=slug, pk=pk)


@login_required
def colonnes(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion, imp = _import(request, slug, pk)
    if imp.etat != ImportRegistre.Etat.CORRESPONDANCE:
        return redirect(_page_suivante(slug, imp))
    form = ColonnesRegistreForm(
        imp.entetes,
        request.POST if request.method == "POST" else None,
        initial={**imp.colonnes, "version": imp.version},
    )
    conflit = None
    if request.method == "POST" and form.is_valid():
        try:
            services_reprise.choisir_colonnes(
                imp, form.colonnes(), form.cleaned_data["version"], _personne(request)
            )
        except reprise.ColonnesInvalides as erreur:
            for champ, message in erreur.erreurs.items():
                form.add_error(champ if champ in form.fields else None, message)
        except versions.ConflitEdition as c:
            conflit = c
            reprendre_apres_conflit(form, c)
        except services_reprise.ImportRefuse as refus:
            ajouter_erreurs(form, refus)
        else:
            return redirect("registre:importation_apercu", slug=slug, pk=pk)
    return render(
        request,
        "registre/reprise/colonnes.html",
        _contexte(adhesion, imp, form=form, conflit=conflit, etape=3),
        status=409 if conflit else (400 if form.errors else 200),
    )


@login_required
def apercu(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """La correspondance des valeurs des listes et l'aperçu des lignes, avec leurs erreurs."""
    adhesion, imp = _import(request, slug, pk)
    if imp.etat != ImportRegistre.Etat.CORRESPONDANCE or not imp.colonnes_choisies:
        return redirect(_page_suivante(slug, imp))
    try:
        rangees = services_reprise.lignes_du_fichier(imp)
    except services_reprise.ImportRefuse as refus:
        messages.error(request, " ".join(refus.messages))
        return redirect("registre:importer", slug=slug)
    vu = services_reprise.apercu(imp, rangees)
    form = ValeursForm(
        vu.valeurs, request.POST if request.method == "POST" else None, initial={"version": imp.version}
    )
    conflit = None
    if request.method == "POST" and form.is_valid():
        try:
            services_reprise.choisir_valeurs(
                imp, form.choix(), form.cleaned_data["version"], _personne(request)
            )
        except versions.ConflitEdition as c:
            conflit = c
            reprendre_apres_conflit(form, c)
        except services_reprise.ImportRefuse as refus:
            ajouter_erreurs(form, refus)
        else:
            messages.success(request, "Correspondances enregistrées : l'aperçu en tient compte.")
            return redirect("registre:importation_apercu", slug=slug, pk=pk)
    en_erreur = vu.en_erreur
    return render(
        request,
        "registre/reprise/apercu.html",
        _contexte(
            adhesion,
            imp,
            form=form,
            conflit=conflit,
            vu=vu,
            en_erreur=en_erreur[:LIGNES_MONTREES],
            lignes=vu.lignes[:LIGNES_MONTREES],
            choix={champ: dict(reprise.choix(champ)) for champ in reprise.LISTES},
            etape=4,
        ),
        status=409 if conflit else (400 if form.errors else 200),
    )


@require_POST
@login_required
def confirmation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _, imp = _import(request, slug, pk)
    try:
        services_reprise.confirmer(imp, version_postee(request), _personne(request))
    except versions.ConflitEdition:
        messages.error(
            request,
            "Les correspondances ont été modifiées entre-temps par une autre personne : relisez l'aperçu, "
            "puis confirmez de nouveau. Rien n'a été importé.",
        )
    except services_reprise.ImportRefuse as refus:
        messages.error(request, " ".join(refus.messages))
    else:
        return redirect("registre:importation_avancement", slug=slug, pk=pk)
    return redirect(_page_suivante(slug, imp))


@login_required
def suppression(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Supprimer un import abandonné : la page demande confirmation, le bouton supprime."""
    adhesion, imp = _import(request, slug, pk)
    if request.method == "POST":
        try:
            services_reprise.supprimer(imp, version_postee(request), _personne(request))
        except versions.ConflitEdition:
            messages.error(request, "L'import a changé entre-temps : rien n'a été supprimé, relisez-le.")
        except services_reprise.ImportRefuse as refus:
            messages.error(request, " ".join(refus.messages))
        else:
            messages.success(
                request, f"L'import « {imp.nom_fichier} » a été supprimé ; le registre n'a pas changé."
            )
            return redirect("registre:importer", slug=slug)
    return render(request, "registre/reprise/suppression.html", _contexte(adhesion, imp))
