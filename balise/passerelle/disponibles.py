"""Les modèles du catalogue qu'une organisation peut employer un jour donné : les siens, proposés par un
fournisseur actif, et ceux repris d'une mutualisante tant que le partage et la convention sont ouverts
(mutualisation/modeles_partages.py). Le choix de la page, `/v1/models`, et les modèles qu'un refus
propose à la place (envoi.py) en viennent tous."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from balise.mutualisation import modeles_partages
from balise.organisations.models import Organisation
from balise.passerelle.models import ModeleCatalogue


def modeles_disponibles(organisation: Organisation, jour: date | None = None) -> list[ModeleCatalogue]:
    """Les modèles que ses agents peuvent choisir ce jour-là : les siens, et ceux repris d'une
    mutualisante tant qu'elle les propose encore, par un partage et une convention ouverts."""
    modeles = list(
        ModeleCatalogue.objects.filter(organisation=organisation, actif=True, fournisseur__actif=True)
        .select_related("fournisseur", "amont")
        .order_by("libelle")
    )
    repris = {m.amont.pk for m in modeles if m.amont is not None and m.amont.actif}
    ouverts = (
        modeles_partages.modeles_ia_ouverts(organisation, repris, jour or timezone.localdate())
        if repris
        else set()
    )
    return [m for m in modeles if m.amont_id is None or m.amont_id in ouverts]
