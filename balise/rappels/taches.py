"""La tournée des rappels, planifiée par le processus de fond lui-même.

django-tasks n'a pas d'ordonnanceur périodique ; la file de django-tasks-db sait en revanche garder
une tâche jusqu'à une heure donnée (`run_after` : le travailleur ne prend que les tâches dont l'heure
est passée). D'où un ordonnanceur en trois pièces, sans service de plus (les deux premières
communes avec l'observatoire : balise/travaux/quotidien.py) :

1. `planifier()`, appelée au démarrage de chaque `manage.py travailleur` : si aucune tournée n'attend
   dans la file, en met une, à `RAPPELS_HEURE` aujourd'hui (ou tout de suite si l'heure est passée :
   rattrapage sans risque, voir 3). La ligne unique `Planification`, verrouillée, nomme la tournée
   attendue : deux travailleurs qui démarrent ensemble n'en mettent qu'une.
2. `tournee` : commence par se replanifier (la suivante à `RAPPELS_HEURE` le lendemain), dans la même
   transaction que la ligne `Planification` ; une tournée qui n'est pas celle qu'elle nomme (doublon)
   s'arrête sans rien faire. Puis elle choisit les personnes dont le récapitulatif est dû pour la
   période (le jour ; la semaine à partir du jour `RAPPELS_JOUR`) et pas encore traité, et met en file
   un `lot` par tranche de `RAPPELS_LOT` personnes.
3. `lot` : calcule ce qui attend chaque personne du lot (lots.py : la règle de gouvernance/a_traiter.py
   en requêtes groupées), compose les courriels (recapitulatif.py), puis **réserve** : une seule
   transaction écrit une ligne `EnvoiRecapitulatif` par personne et période — unique — marquée de ce
   lot, sans remplacer celles qui existent ; le lot n'envoie que les lignes qu'il a réservées, par
   `COURRIELS_BACKEND`, une connexion SMTP pour tout le lot. Une tournée rejouée, un lot exécuté deux
   fois ou deux travailleurs sur le même lot n'envoient rien deux fois (sous PostgreSQL, la seconde
   réservation attend la validation de la première). Un envoi refusé lève sa réservation : la personne
   sera reprise à la tournée suivante de la même période ; le lot finit en échec, visible dans la file
   et dans /metriques, après avoir tenté toutes ses personnes. Un processus tué entre la réservation
   et l'envoi perd les récapitulatifs de ce lot pour la période (au plus une fois, jamais deux).

Les rappels passent après les courriels d'une requête (priorité plus basse dans la file).
"""

from __future__ import annotations

import logging
import uuid
from collections import defaultdict
from datetime import date, datetime

from django.conf import settings
from django.core.mail import get_connection
from django.db import transaction
from django.db.models import Exists, OuterRef, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django_tasks import TaskContext, task

from balise.comptes.models import Utilisateur
from balise.gouvernance.a_traiter import ATraiter
from balise.organisations.models import Adhesion
from balise.travaux import quotidien

from .lots import pour_lot
from .models import EnvoiRecapitulatif, Frequence, Planification, PreferenceRappel
from .recapitulatif import composer

journal = logging.getLogger(__name__)

PRIORITE_TOURNEE = -10
PRIORITE_LOT = -20


class EnvoisRefuses(Exception):
    """Des récapitulatifs d'un lot n'ont pu partir ; ils seront repris à la tournée suivante."""


# --- Périodes et heures ----------------------------------------------------------------------------


def periode_du_jour(jour: date) -> str:
    return f"J{jour.isoformat()}"


def periode_de_la_semaine(jour: date) -> str:
    annee, semaine, _ = jour.isocalendar()
    return f"S{annee}-W{semaine:02d}"


def heure_de_tournee(jour: date) -> datetime:
    return quotidien.a_l_heure(jour, settings.RAPPELS_HEURE)


def planifier(maintenant: datetime | None = None) -> Planification:
    """Au démarrage du travailleur : une tournée, et une seule, attend dans la file."""
    maintenant = maintenant or timezone.now()
    return quotidien.planifier(
        Planification, tournee, lambda: quotidien.prochaine_heure(maintenant, settings.RAPPELS_HEURE, True)
    )


@task(priority=PRIORITE_TOURNEE, takes_context=True)
def tournee(context: TaskContext) -> int:
    """Replanifie la suivante, puis met en file les lots de la période ; renvoie le nombre de lots."""
    moi = str(context.task_result.id)
    maintenant = timezone.now()
    suivante = quotidien.prochaine_heure(maintenant, settings.RAPPELS_HEURE, rattrapage=False)
    if not quotidien.replanifier(Planification, tournee, moi, suivante):
        journal.warning("Tournée des rappels %s en double : ignorée.", moi)
        return 0
    return lancer_lots(timezone.localdate(maintenant))


def personnes_dues(jour: date) -> list[tuple[int, str]]:
    """(personne, période) de chaque récapitulatif dû ce jour et pas encore traité : personnes actives,
    membres d'au moins une organisation, qui n'ont pas choisi « jamais » (hebdomadaire par défaut)."""
    frequence = Coalesce("preference_rappel__frequence", Value(Frequence.HEBDOMADAIRE))
    base = (
        Utilisateur.objects.filter(is_active=True)
        .filter(Exists(Adhesion.objects.filter(utilisateur=OuterRef("pk"))))
        .annotate(frequence_choisie=frequence)
    )
    periodes = [(Frequence.QUOTIDIENNE, periode_du_jour(jour))]
    if jour.weekday() >= settings.RAPPELS_JOUR:
        periodes.append((Frequence.HEBDOMADAIRE, periode_de_la_semaine(jour)))
    dues: list[tuple[int, str]] = []
    for choix, periode in periodes:
        deja = EnvoiRecapitulatif.objects.filter(utilisateur=OuterRef("pk"), periode=periode)
        ids = (
            base.filter(frequence_choisie=choix)
            .filter(~Exists(deja))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        dues += [(pk, periode) for pk in ids]
    return dues


def lancer_lots(jour: date) -> int:
    dues = personnes_dues(jour)
    taille = max(1, settings.RAPPELS_LOT)
    lots = 0
    with transaction.atomic():
        for debut in range(0, len(dues), taille):
            tranche = dues[debut : debut + taille]
            lot.enqueue([pk for pk, _ in tranche], [periode for _, periode in tranche])
            lots += 1
    return lots


@task(priority=PRIORITE_LOT)
def lot(personnes: list[int], periodes: list[str]) -> int:
    """Compose le récapitulatif de chaque personne pour sa période, réserve les envois, puis envoie ;
    renvoie le nombre de courriels envoyés. Requêtes en nombre constant pour le lot (lots.py), quel que
    soit le nombre de personnes ou d'éléments dus, hors une par organisation du lot pour ses listes propres."""
    aujourd_hui = timezone.localdate()
    periode_de = dict(zip(personnes, periodes, strict=True))
    frequences = dict(
        PreferenceRappel.objects.filter(utilisateur_id__in=personnes).values_list(
            "utilisateur_id", "frequence"
        )
    )
    deja = set(
        EnvoiRecapitulatif.objects.filter(
            utilisateur_id__in=personnes, periode__in=set(periodes)
        ).values_list("utilisateur_id", "periode")
    )

    def encore_due(personne: Utilisateur) -> bool:
        periode = periode_de[personne.pk]
        attendue = Frequence.QUOTIDIENNE if periode.startswith("J") else Frequence.HEBDOMADAIRE
        # Déjà traitée, ou fréquence changée (désabonnement) depuis la tournée : rien.
        return (personne.pk, periode) not in deja and frequences.get(
            personne.pk, Frequence.HEBDOMADAIRE
        ) == attendue

    dues = [
        p
        for p in Utilisateur.objects.filter(pk__in=personnes, is_active=True).order_by("pk")
        if encore_due(p)
    ]
    adhesions = list(
        Adhesion.objects.filter(utilisateur_id__in=[p.pk for p in dues])
        .select_related("organisation")
        .order_by("organisation__nom", "pk")
    )
    a_traiter = pour_lot(adhesions, aujourd_hui)
    sections: dict[int, list[ATraiter]] = defaultdict(list)
    for adhesion in adhesions:
        sections[adhesion.utilisateur_id].append(
            a_traiter[(adhesion.utilisateur_id, adhesion.organisation_id)]
        )
    composes = {
        p.pk: composer(p, sections[p.pk], frequences.get(p.pk, Frequence.HEBDOMADAIRE), aujourd_hui)
        for p in dues
    }

    # Réservation : une ligne par personne et période, marquée de ce lot ; une ligne déjà là (autre
    # travailleur, tournée rejouée) n'est pas remplacée, et ce lot n'envoie que ce qu'il a réservé.
    marque = uuid.uuid4().hex
    with transaction.atomic():
        EnvoiRecapitulatif.objects.bulk_create(
            [
                EnvoiRecapitulatif(utilisateur_id=pk, periode=periode_de[pk], elements=nombre, lot=marque)
                for pk, (_, nombre) in composes.items()
            ],
            ignore_conflicts=True,
        )
        reserves = set(EnvoiRecapitulatif.objects.filter(lot=marque).values_list("utilisateur_id", flat=True))
    a_envoyer = {
        pk: message for pk, (message, _) in composes.items() if pk in reserves and message is not None
    }

    envoyes: set[int] = set()
    refuses: set[int] = set()
    try:
        with get_connection(settings.COURRIELS_BACKEND) as connexion:
            for pk, message in a_envoyer.items():
                try:
                    connexion.send_messages([message])
                except Exception:
                    journal.exception("Récapitulatif de la personne %s (%s) non envoyé.", pk, periode_de[pk])
                    refuses.add(pk)
                else:
                    envoyes.add(pk)
    except Exception:  # la connexion elle-même (serveur injoignable, fermeture)
        journal.exception("Connexion au serveur de courrier impossible pour un lot de récapitulatifs.")
        refuses |= set(a_envoyer) - envoyes
    if refuses:
        # Réservations levées : ces personnes seront reprises à la tournée suivante de la même période.
        EnvoiRecapitulatif.objects.filter(lot=marque, utilisateur_id__in=refuses).delete()
        raise EnvoisRefuses(
            f"{len(refuses)} récapitulatif(s) sur {len(a_envoyer)} non envoyé(s) ; repris à la tournée suivante."
        )
    return len(envoyes)
