"""Lectures des rapports produits (sans leurs fichiers, sauf pour un téléchargement)."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404

from balise.organisations.models import Organisation
from balise.travaux import services as travaux
from balise.travaux.models import Travail

from .models import FORMATS, Rapport


def rapports(organisation: Organisation) -> QuerySet[Rapport]:
    """Les rapports de l'organisation, du plus récent au plus ancien, avec leur travail : une requête
    (deux quand un travail abandonné est constaté au passage)."""
    travaux.constater_abandons(Travail.objects.filter(organisation=organisation))
    return (
        Rapport.objects.filter(organisation=organisation)
        .sans_fichiers()
        .select_related("travail", "demande_par")
        .order_by("-demande_le", "-pk")
    )


def rapport(organisation: Organisation, pk: int) -> Rapport:
    return get_object_or_404(rapports(organisation), pk=pk)


def fichier(organisation: Organisation, pk: int, format_: str) -> tuple[Rapport, bytes]:
    """Le rapport produit et le contenu d'un de ses formats ; 404 pour un format inconnu ou un rapport
    pas encore produit. Une requête."""
    if format_ not in FORMATS:
        raise Http404("Format inconnu.")
    trouve = get_object_or_404(
        Rapport.objects.filter(organisation=organisation, produit_le__isnull=False)
        .defer(*(f for f in FORMATS if f != format_))
        .select_related("organisation"),
        pk=pk,
    )
    return trouve, bytes(getattr(trouve, format_))
