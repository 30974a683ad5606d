"""Les requêtes sensibles gardées chiffrées : les lire (le DPO ou le RSSI, en donnant sa raison, chaque
lecture notée à la requête et au journal de l'organisation) et les effacer à l'échéance que l'organisation a
fixée (processus de fond, taches.py). Seed 001 : horodater les prompts sensibles ; RGPD, art. 5 :
ne garder que le temps nécessaire."""

from __future__ import annotations

from collections import Counter
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils import timezone

from balise.comptes.models import Utilisateur
from balise.organisations import journal
from balise.organisations.models import Organisation
from balise.passerelle import chiffrement
from balise.passerelle.envoi import SEPARATEUR
from balise.passerelle.models import ContenuSensible, LectureContenu, Requete

RAISON_MIN, RAISON_MAX = 10, 500


def requetes_sensibles(organisation: Organisation) -> QuerySet[Requete]:
    """Les requêtes dont le texte est encore gardé, les plus récentes d'abord, avec leurs lectures comptées."""
    return (
        Requete.objects.filter(organisation=organisation, contenu_sensible__isnull=False)
        .select_related("personne", "modele", "contenu_sensible")
        .annotate(nombre_lectures=Count("lectures"))
        .order_by("-le", "-pk")
    )


@transaction.atomic
def lire(organisation: Organisation, lecteur: Utilisateur, requete_id: int, raison: str) -> list[str]:
    """Les messages de la requête, tels que l'agent les a écrits ; la lecture est notée avant d'être rendue."""
    raison = " ".join(raison.split())
    if not RAISON_MIN <= len(raison) <= RAISON_MAX:
        raise ValidationError(
            f"Dites pourquoi vous lisez cette requête ({RAISON_MIN} à {RAISON_MAX} caractères) : la raison est gardée."
        )
    contenu = (
        ContenuSensible.objects.select_related("requete")
        .filter(requete__organisation=organisation, requete_id=requete_id)
        .first()
    )
    if contenu is None:
        raise Http404("Cette requête n'a pas de contenu gardé (jamais sensible, ou effacé à échéance).")
    LectureContenu.objects.create(requete_id=requete_id, lecteur=lecteur, raison=raison)
    journal.noter(
        organisation.pk,
        lecteur,
        journal.Nature.CONTENU_SENSIBLE_LU,
        f"Requête n° {requete_id}",
        raison=raison,
        requete_le=contenu.requete.le.isoformat(),
    )
    return chiffrement.dechiffrer(contenu.chiffre).split(SEPARATEUR)


@transaction.atomic
def effacer_echus(aujourd_hui: date | None = None) -> int:
    """Efface les contenus dont la date de conservation est passée, dans toutes les organisations ; les
    requêtes restent au journal (sans texte) ; chaque organisation note combien ont été effacés."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    echus = ContenuSensible.objects.filter(garder_jusqu_au__lt=aujourd_hui)
    par_organisation = Counter(echus.values_list("requete__organisation_id", flat=True))
    echus.delete()
    for organisation_id, nombre in sorted(par_organisation.items()):
        journal.noter(
            organisation_id,
            None,
            journal.Nature.CONTENUS_SENSIBLES_EFFACES,
            f"{nombre} requête(s) sensible(s) arrivée(s) à échéance",
            nombre=nombre,
        )
    return sum(par_organisation.values())
