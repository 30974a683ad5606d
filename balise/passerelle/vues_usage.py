"""Pages de l'usage de la passerelle : les totaux d'un mois (lus avec VOIR_REGISTRE : aucun texte,
aucun nom), et les requêtes sensibles gardées chiffrées, que seuls le DPO et le RSSI lisent, en donnant
leur raison."""

from __future__ import annotations

from datetime import date
from typing import cast

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from balise.comptes.models import Utilisateur
from balise.formulaires import Formulaire
from balise.mutualisation.models import TYPES_MUTUALISANTS
from balise.organisations import acces
from balise.organisations.roles import Permission
from balise.registre.models import SystemeIA

from . import sensibles, usage
from .politique import LIBELLES_CLASSES


def _mois(valeur: str | None) -> date:
    """« 2026-11 » ; le mois en cours pour toute autre valeur (lien ancien, saisie à la main)."""
    try:
        annee, mois = (int(x) for x in (valeur or "").split("-"))
        return date(annee, mois, 1) if 2000 <= annee <= 2100 else timezone.localdate().replace(day=1)
    except ValueError:
        return timezone.localdate().replace(day=1)


@login_required
def usage_du_mois(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    mois = _mois(request.GET.get("mois"))
    resultat = usage.du_mois(adhesion.organisation, mois)
    contexte = {
        "organisation": adhesion.organisation,
        "usage": resultat,
        "par_membre": usage.par_membre(adhesion.organisation, mois)
        if adhesion.organisation.type in TYPES_MUTUALISANTS
        else [],
        "classes": [(LIBELLES_CLASSES.get(c, c), n) for c, n in resultat.classes.items()],
        "en_cours": mois == timezone.localdate().replace(day=1),
    }
    return render(request, "passerelle/usage.html", contexte)


@login_required
def usage_de_la_fiche(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """L'usage, mois par mois sur un an, des modèles du catalogue qui sont ce système du registre."""
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    systeme = get_object_or_404(SystemeIA.objects.actifs(), organisation=adhesion.organisation, pk=pk)
    contexte = {
        "organisation": adhesion.organisation,
        "systeme": systeme,
        "modeles": list(systeme.modeles_passerelle.values_list("libelle", flat=True)),
        "lignes": usage.par_mois_de_la_fiche(systeme.pk, 12),
    }
    return render(request, "passerelle/usage_fiche.html", contexte)


class LectureForm(Formulaire):
    raison = forms.CharField(
        label="Raison de la lecture",
        min_length=sensibles.RAISON_MIN,
        max_length=sensibles.RAISON_MAX,
        help_text="Gardée avec la lecture et notée au journal de l'organisation.",
    )


@login_required
def requetes_sensibles(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.LIRE_CONTENUS_SENSIBLES)
    contexte = {
        "organisation": adhesion.organisation,
        "requetes": sensibles.requetes_sensibles(adhesion.organisation)[:200],
        "form": LectureForm(),
    }
    return render(request, "passerelle/sensibles.html", contexte)


@require_POST
@login_required
def lecture(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.LIRE_CONTENUS_SENSIBLES)
    form = LectureForm(request.POST)
    messages_lus: list[str] = []
    if form.is_valid():
        try:
            messages_lus = sensibles.lire(
                adhesion.organisation, cast(Utilisateur, request.user), pk, form.cleaned_data["raison"]
            )
        except ValidationError as erreur:
            form.add_error("raison", erreur)
    contexte = {
        "organisation": adhesion.organisation,
        "requetes": sensibles.requetes_sensibles(adhesion.organisation)[:200],
        "form": form,
        "lue": pk if messages_lus else None,
        "messages_lus": messages_lus,
    }
    return render(request, "passerelle/sensibles.html", contexte, status=200 if messages_lus else 400)
