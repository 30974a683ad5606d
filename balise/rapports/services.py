"""Produire un rapport : la page le demande (`lancer`), le processus de fond le construit et l'écrit
(`produire`, par taches.py). Le contenu est lu une fois ; les trois formats en sont rendus ; la version
est numérotée et les fichiers écrits dans la transaction finale du travail (`travaux.conclure`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.http import Http404
from django.utils import timezone

from balise import binaire
from balise.organisations.models import Organisation
from balise.travaux import services as travaux
from balise.travaux.models import Travail

from . import rendus, sections
from .contenu import Rapport as Contenu
from .models import FORMATS, Rapport

if TYPE_CHECKING:
    from balise.comptes.models import Utilisateur

PREMIERE_ANNEE = 2018  # les plus anciens systèmes d'IA recensés par les graines ne sont pas antérieurs
DEJA_EN_COURS = (
    "Ce rapport est déjà en cours de production : attendez qu'il soit prêt pour en demander un autre."
)


def periode(annee: int, aujourd_hui: date | None = None) -> tuple[date, date]:
    """Du 1er janvier au 31 décembre ; l'année en cours s'arrête à aujourd'hui. Refuse une année future
    ou trop ancienne, avec un message en français."""
    aujourd_hui = aujourd_hui or timezone.localdate()
    if not PREMIERE_ANNEE <= annee <= aujourd_hui.year:
        raise ValidationError(
            f"L'année doit être comprise entre {PREMIERE_ANNEE} et {aujourd_hui.year} : un rapport ne porte "
            "pas sur une année à venir."
        )
    return date(annee, 1, 1), min(date(annee, 12, 31), aujourd_hui)


def construire(
    organisation: Organisation,
    genre: str,
    debut: date,
    fin: date,
    version: int = 1,
    produit_le: datetime | None = None,
    avancer: Callable[[int, int], None] | None = None,
) -> Contenu:
    """Le contenu du rapport (contenu.py), section après section, dans l'ordre de `sections.GENRES`."""
    modele = sections.GENRES[genre]
    contenu = Contenu(
        titre=f"{modele.titre} — {debut.year}",
        organisation=organisation.nom,
        genre=genre,
        debut=debut,
        fin=fin,
        produit_le=timezone.localtime(produit_le or timezone.now()),
        version=version,
    )
    for rang, (_, fonction) in enumerate(modele.sections):
        if avancer is not None:
            avancer(rang, len(modele.sections))
        contenu.sections.append(fonction(organisation, debut, fin))
    return contenu


def lancer(organisation: Organisation, par: Utilisateur, genre: str, annee: int) -> Rapport:
    if genre not in Rapport.Genre.values or genre not in sections.GENRES:
        raise ValidationError("Genre de rapport inconnu.")
    debut, fin = periode(annee)
    from . import taches

    with transaction.atomic():
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        if Rapport.objects.filter(
            organisation=organisation, genre=genre, annee=annee, travail__etat__in=Travail.ACTIFS
        ).exists():
            raise ValidationError(DEJA_EN_COURS)
        travail = travaux.lancer(
            organisation, par, Travail.Nature.PRODUCTION_RAPPORT, taches.produire
        )  # la tâche retrouve le rapport par son travail
        rapport = Rapport.objects.create(
            organisation=organisation,
            genre=genre,
            annee=annee,
            debut=debut,
            fin=fin,
            titre=f"{sections.GENRES[genre].titre} — {annee}",
            travail=travail,
            demande_par=par,
        )
    return rapport


def annuler(organisation: Organisation, pk: int, par: Utilisateur) -> Travail:
    """Annule la production d'un rapport : en attente, tout de suite ; en cours, à la prochaine étape,
    sans qu'aucun fichier soit écrit. Lève TravailTermine si elle est déjà finie."""
    rapport = Rapport.objects.select_related("travail").filter(organisation=organisation, pk=pk).first()
    if rapport is None:
        raise Http404("Rapport introuvable.")
    if rapport.travail is None:
        raise travaux.TravailTermine(travaux.DEJA_FINI)
    return travaux.annuler(rapport.travail, par)


def produire(travail: Travail) -> None:
    """Le corps du travail de fond : construit le contenu, rend les trois formats, puis numérote la
    version et écrit les fichiers dans la transaction finale."""
    rapport = Rapport.objects.sans_fichiers().select_related("organisation").get(travail=travail)
    organisation = rapport.organisation
    maintenant = timezone.now()
    precedente = (
        Rapport.objects.filter(organisation=organisation, genre=rapport.genre, annee=rapport.annee).aggregate(
            m=Max("version")
        )["m"]
        or 0
    )

    def avancer(rang: int, total: int) -> None:
        travaux.avancer(travail, f"Lecture des données ({rang + 1}/{total})", int(40 * rang / max(total, 1)))

    contenu = construire(
        organisation, rapport.genre, rapport.debut, rapport.fin, precedente + 1, maintenant, avancer
    )
    fichiers: dict[str, bytes] = {}
    for rang, (format_, rendu) in enumerate(rendus.RENDUS.items()):
        travaux.avancer(travail, f"Mise en forme {format_.upper()}", 40 + 20 * rang)
        fichiers[format_] = rendu(contenu)
    with travaux.conclure(travail):
        Organisation.objects.select_for_update().get(pk=organisation.pk)
        version = (
            Rapport.objects.filter(
                organisation=organisation, genre=rapport.genre, annee=rapport.annee
            ).aggregate(m=Max("version"))["m"]
            or 0
        ) + 1
        if version != contenu.version:  # une autre production a fini entre-temps : le numéro suit
            contenu.version = version
            fichiers = {f: r(contenu) for f, r in rendus.RENDUS.items()}
        Rapport.objects.filter(pk=rapport.pk).update(
            version=version, produit_le=maintenant, titre=contenu.titre
        )
        for format_ in FORMATS:
            binaire.ecrire(Rapport, rapport.pk, format_, fichiers[format_])
