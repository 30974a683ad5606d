"""Lancer, faire avancer, annuler, conclure un travail de fond, et constater ceux dont le processus est mort.

Le partage des rôles :

- la page (processus web) `lancer` le travail : une ligne `Travail` et une tâche dans la file de
  django-tasks, dans la même transaction (la tâche n'existe que si le travail existe) ; elle peut
  l'`annuler` ;
- le processus de fond exécute la tâche, qui appelle `executer(travail_id, corps)` : `corps` fait le
  travail en appelant `avancer` de temps en temps (étape, pourcentage, battement de cœur ; lève
  `Annule` si la personne a annulé) et écrit tout ce qu'il produit dans **une seule transaction**,
  `conclure`, qui vérifie une dernière fois l'annulation et marque le travail terminé avec ses écritures.
  Une annulation, une erreur ou un processus tué avant la fin de `conclure` ne laissent rien d'écrit.

`avancer` écrit hors de toute transaction (sinon personne ne verrait l'avancement) et au plus une fois
par `INTERVALLE` : les pages qui lisent l'état ne coûtent presque rien au processus de fond.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils import timezone
from django_tasks.base import Task

from balise.observabilite.requetes import noter_travail
from balise.organisations.models import Organisation

from .models import Travail

if TYPE_CHECKING:
    from balise.comptes.models import Utilisateur

journal = logging.getLogger(__name__)

# Un travail en cours sans signe de vie depuis ce délai est réputé abandonné (processus tué, machine
# arrêtée) : `constater_abandons` le marque échoué. Le plus long pas sans battement est la conversion
# d'un classeur par l'enfant calamine, qui bat lui aussi toutes les `PAS_VEILLE` secondes.
SILENCE = timedelta(minutes=2)
INTERVALLE = 0.5  # secondes entre deux écritures de l'avancement
# Au-delà, une page signale qu'aucun processus de fond ne semble prendre les travaux.
ATTENTE_LONGUE = timedelta(minutes=2)

ABANDON = (
    "Le traitement s'est interrompu sans finir (arrêt du serveur ou manque de mémoire) ; "
    "rien n'a été enregistré. Vous pouvez le relancer."
)
INTERROMPU = (
    "Une erreur inattendue a interrompu le traitement ; rien n'a été enregistré. Vous pouvez le "
    "relancer ; si l'erreur revient, prévenez l'administrateur de Balise."
)
DEJA_FINI = "Ce travail est déjà terminé : il n'y a plus rien à annuler."


class Annule(Exception):
    """Levée dans le processus de fond quand la personne a annulé le travail (ou qu'il a été clos)."""


class Echec(Exception):
    """Le travail ne peut aboutir ; `message`, en français, s'adresse à la personne."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TravailTermine(ValueError):
    pass


# --- Côté page -------------------------------------------------------------------------------------


def lancer(
    organisation: Organisation, par: Utilisateur, nature: str, tache: Task[..., Any], *arguments: Any
) -> Travail:
    """Crée le travail et met dans la file la tâche `tache` (une tâche django-tasks qui reçoit l'identifiant
    du travail, puis `arguments`). La tâche n'est visible du processus de fond qu'à la validation de
    la transaction englobante : lancer dans une transaction, c'est lancer avec elle ou pas du tout."""
    with transaction.atomic():
        travail = Travail.objects.create(
            organisation=organisation, nature=nature, demande_par=par, etape="En attente de traitement"
        )
        resultat = tache.enqueue(travail.pk, *arguments)
        travail.tache = str(resultat.id)[:64]
        travail.save(update_fields=["tache"])
    return travail


@transaction.atomic
def annuler(travail: Travail, par: Utilisateur) -> Travail:
    """Un travail en attente est annulé tout de suite ; un travail en cours l'est par son processus, au
    prochain `avancer` ou à `conclure` (rien n'est écrit). Lève TravailTermine s'il est déjà fini."""
    travail = Travail.objects.select_for_update().get(pk=travail.pk)
    if travail.etat == Travail.Etat.EN_ATTENTE:
        travail.etat, travail.fini_le = Travail.Etat.ANNULE, timezone.now()
        travail.message = _annule_par(par)
    elif travail.etat == Travail.Etat.EN_COURS:
        travail.annulation_demandee = True
    else:
        raise TravailTermine(DEJA_FINI)
    travail.annule_par = par
    travail.save()
    return travail


def constater_abandons(travaux: models.QuerySet[Travail] | None = None) -> int:
    """Marque échoués, avec un motif en français, les travaux en cours dont le processus ne donne plus
    signe de vie depuis `SILENCE`. Appelée à chaque lecture de l'état d'un travail et par la commande
    `constater_abandons` (à planifier). Renvoie le nombre de travaux marqués."""
    maintenant = timezone.now()
    travaux = Travail.objects.all() if travaux is None else travaux
    return travaux.filter(etat=Travail.Etat.EN_COURS, battement__lt=maintenant - SILENCE).update(
        etat=Travail.Etat.ECHOUE, message=ABANDON, fini_le=maintenant
    )


def etat_lisible(travail: Travail | None, en_cours: bool) -> dict[str, Any]:
    """L'état d'un travail tel que le lit une page d'avancement (et son adresse JSON) : `actif` faux, la
    page est à recharger ; sinon l'étape en français (attente, annulation) et le pourcentage."""
    if not en_cours or travail is None or not travail.actif:
        return {"actif": False, "etat": travail.etat if travail else "", "etape": "", "avancement": None}
    if travail.etat == Travail.Etat.EN_ATTENTE:
        etape = (
            "En attente : aucun processus de fond n'a encore pris ce travail. S'il ne commence pas dans "
            "quelques minutes, prévenez l'administrateur de Balise."
            if attend_depuis_longtemps(travail)
            else "En attente de traitement"
        )
    elif travail.annulation_demandee:
        etape = "Annulation en cours"
    else:
        etape = travail.etape
    return {"actif": True, "etat": travail.etat, "etape": etape, "avancement": travail.avancement}


def attend_depuis_longtemps(travail: Travail) -> bool:
    return travail.etat == Travail.Etat.EN_ATTENTE and travail.cree_le < timezone.now() - ATTENTE_LONGUE


def executer_ici(travail: Travail) -> None:
    """Exécute maintenant, dans ce processus, la tâche d'un travail en attente, retirée de la file : pour
    le chargement de la démonstration, qui en a besoin tout de suite. Jamais dans une requête."""
    from django_tasks import task_backends
    from django_tasks_db.models import DBTaskResult

    resultat = task_backends["default"].get_result(travail.tache)
    if DBTaskResult.objects.filter(id=travail.tache, status="READY").delete()[0]:
        resultat.task.call(*resultat.args, **resultat.kwargs)


# --- Côté processus de fond ------------------------------------------------------------------------


def executer(travail_id: int, corps: Callable[[Travail], None]) -> None:
    """Exécute `corps(travail)` pour le compte de la tâche : rien si le travail a été annulé avant de
    commencer ; puis l'état final selon l'issue. Une erreur inattendue est journalisée, montrée à la
    personne par un message générique en français, et relevée (django-tasks garde la trace technique)."""
    travail = _demarrer(travail_id)
    if travail is None:
        return
    debut = time.monotonic()
    try:
        corps(travail)
    except Annule:
        _clore(travail, Travail.Etat.ANNULE, None)
    except Echec as echec:
        _clore(travail, Travail.Etat.ECHOUE, echec.message)
        noter_travail(travail, travail.etat, time.monotonic() - debut, echec)
        return
    except BaseException as erreur:
        # Y compris l'arrêt forcé du processus (SystemExit) ou un manque de mémoire.
        journal.exception("Travail %s (%s) interrompu.", travail.pk, travail.nature)
        _clore(travail, Travail.Etat.ECHOUE, INTERROMPU)
        noter_travail(travail, travail.etat, time.monotonic() - debut, erreur, imprevue=True)
        raise
    else:
        _clore(travail, Travail.Etat.TERMINE, "")
    # L'état final lu par `_clore` : un travail déjà clos entre-temps (abandon constaté) garde le sien.
    noter_travail(travail, travail.etat, time.monotonic() - debut)


def avancer(travail: Travail, etape: str | None = None, avancement: int | None = None) -> None:
    """Publie l'étape et le pourcentage (et un battement de cœur), au plus une fois par INTERVALLE sauf
    changement d'étape ; lève Annule si la personne a annulé ou si le travail a été clos entre-temps
    (abandon constaté). À appeler hors de toute transaction, souvent : ce qui n'est pas écrit ne coûte
    qu'une lecture d'horloge."""
    maintenant = time.monotonic()
    nouvelle_etape = etape is not None and etape != travail.etape
    if not nouvelle_etape and maintenant - getattr(travail, "_ecrit_a", 0.0) < INTERVALLE:
        return
    champs: dict[str, Any] = {"battement": timezone.now()}
    if etape is not None:
        travail.etape = champs["etape"] = etape[:120]
    if avancement is not None or nouvelle_etape:
        travail.avancement = champs["avancement"] = (
            None if avancement is None else max(0, min(avancement, 100))
        )
    travail._ecrit_a = maintenant
    vivant = Travail.objects.filter(
        pk=travail.pk, etat=Travail.Etat.EN_COURS, annulation_demandee=False
    ).update(**champs)
    if not vivant:
        raise Annule


def veille(travail: Travail) -> Callable[[], None]:
    """Un battement de cœur sans changement d'étape, pour une attente longue (processus enfant)."""
    return lambda: avancer(travail)


@contextmanager
def conclure(travail: Travail) -> Iterator[None]:
    """La transaction finale du travail : verrouille sa ligne, lève Annule si l'annulation a été demandée,
    et le marque terminé avec les écritures faites dans le bloc, ou rien du tout."""
    with transaction.atomic():
        verrouille = Travail.objects.select_for_update().get(pk=travail.pk)
        if verrouille.etat != Travail.Etat.EN_COURS or verrouille.annulation_demandee:
            raise Annule
        yield
        maintenant = timezone.now()
        Travail.objects.filter(pk=travail.pk).update(
            etat=Travail.Etat.TERMINE, avancement=100, battement=maintenant, fini_le=maintenant
        )
    travail.etat, travail.avancement = Travail.Etat.TERMINE, 100


def echouer(travail: Travail, message: str) -> None:
    """Marque le travail échoué avec ce message (s'il n'est pas déjà clos)."""
    _clore(travail, Travail.Etat.ECHOUE, message)


def _demarrer(travail_id: int) -> Travail | None:
    with transaction.atomic():
        travail = Travail.objects.select_for_update().filter(pk=travail_id).first()
        if travail is None or travail.etat != Travail.Etat.EN_ATTENTE:
            return None  # annulé avant de commencer, ou organisation supprimée
        maintenant = timezone.now()
        travail.etat, travail.commence_le, travail.battement = Travail.Etat.EN_COURS, maintenant, maintenant
        travail.save(update_fields=["etat", "commence_le", "battement"])
    return travail


def _clore(travail: Travail, etat: str, message: str | None) -> None:
    """État final d'un travail encore en cours (un travail déjà clos, par `conclure` ou par un abandon
    constaté, le reste). `message` None : celui d'une annulation, qui nomme la personne."""
    with transaction.atomic():
        verrouille = (
            Travail.objects.select_for_update(of=("self",))
            .select_related("annule_par")
            .filter(pk=travail.pk)
            .first()
        )
        if verrouille is None or verrouille.etat != Travail.Etat.EN_COURS:
            if verrouille is not None:  # clos entre-temps : l'objet en mémoire prend l'état final
                travail.etat, travail.message = verrouille.etat, verrouille.message
            return
        if message is None:
            message = _annule_par(verrouille.annule_par)
        maintenant = timezone.now()
        verrouille.etat, verrouille.message, verrouille.fini_le = etat, message[:500], maintenant
        verrouille.battement = maintenant
        if etat == Travail.Etat.TERMINE:
            verrouille.avancement = 100
        verrouille.save()
    travail.etat, travail.message = verrouille.etat, verrouille.message


def _annule_par(personne: Utilisateur | None) -> str:
    qui = f" par {personne.nom_affiche}" if personne is not None else ""
    return f"Annulé{qui} ; rien n'a été enregistré."
