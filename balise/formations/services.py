"""Écritures de la formation : populations, offres, sessions, et suivi de l'obligation de formation
(AI Act, art. 4) des systèmes. Chaque fonction est atomique ; une saisie refusée ne change rien et
le dit en français (ValidationError)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from balise import versions
from balise.comptes.models import Utilisateur
from balise.conformite.models import ObligationSuivie
from balise.metiers.models import GroupeSuivi
from balise.organisations.models import Organisation
from balise.registre.models import SystemeIA

from . import referentiel, selectors
from .couverture import toutes_atteintes
from .models import EFFECTIF_MAXIMUM, OffreFormation, Participation, Population, SessionFormation

DATE_MINIMUM = date(2015, 1, 1)  # avant, aucune formation à l'IA générative ne se comptait ici
LIGNES_MAXIMUM = 200


def _verifier_palier(code: str) -> None:
    if referentiel.populations().palier(code) is None:
        raise ValidationError(f"Palier « {code} » inconnu.")


@transaction.atomic
def initialiser_populations(organisation: Organisation, par: Utilisateur | None) -> list[Population]:
    """Crée les populations de référence qui manquent (les existantes ne sont pas touchées)."""
    existantes = set(
        Population.objects.filter(organisation=organisation).values_list("code", flat=True)
    ) | set(Population.objects.filter(organisation=organisation).values_list("titre", flat=True))
    creees = []
    for ref in referentiel.populations().populations:
        if ref.code in existantes or ref.titre in existantes:
            continue
        population = Population(
            organisation=organisation,
            code=ref.code,
            titre=ref.titre,
            description=ref.description,
            palier=ref.palier,
            cible=ref.cible,
            tous_les_agents=ref.tous_les_agents,
        )
        creees.append(versions.attribuer(population, par))
    return creees


CHAMPS_POPULATION = ("titre", "description", "palier", "cible", "effectif_saisi", "groupe")


def enregistrer_population(
    organisation: Organisation,
    donnees: dict[str, Any],
    par: Utilisateur,
    pk: int | None = None,
    version: int | None = None,
    systemes: Iterable[SystemeIA] | None = None,
) -> Population:
    """Crée ou modifie une population (verrou optimiste), puis remet à jour les obligations de
    formation : son effectif, sa cible ou ses systèmes changent leur état."""
    _verifier_palier(donnees.get("palier", ""))
    groupe = donnees.get("groupe")
    if isinstance(groupe, GroupeSuivi) and groupe.organisation_id != organisation.pk:
        raise ValidationError("Le groupe exposé doit être un groupe suivi par l'organisation.")
    effectif = donnees.get("effectif_saisi")
    if effectif is not None and not 0 <= effectif <= EFFECTIF_MAXIMUM:
        raise ValidationError("L'effectif saisi doit être un nombre d'agents positif ou nul.")
    liste = list(systemes) if systemes is not None else None
    if liste is not None and any(s.organisation_id != organisation.pk for s in liste):
        raise ValidationError("Les systèmes doivent être ceux de l'organisation.")
    with transaction.atomic():
        if pk is None:
            population = Population(organisation=organisation)
        else:
            population = versions.verrouiller(
                Population.objects.filter(organisation=organisation), pk, version
            )
        for champ in CHAMPS_POPULATION:
            if champ in donnees:
                setattr(population, champ, donnees[champ])
        population.full_clean(validate_unique=False)
        if (
            Population.objects.filter(organisation=organisation, titre=population.titre)
            .exclude(pk=population.pk)
            .exists()
        ):
            raise ValidationError("Une population porte déjà cet intitulé.")
        if pk is None:
            versions.attribuer(population, par)
        else:
            versions.enregistrer(population, par)
        if liste is not None:
            population._history_user = par  # type: ignore[attr-defined]
            population.systemes.set(liste)
        suivre_obligations(organisation, par)
        return population


CHAMPS_OFFRE = ("titre", "organisme", "format", "public", "palier", "duree_heures", "description")


def enregistrer_offre(
    organisation: Organisation,
    donnees: dict[str, Any],
    par: Utilisateur,
    pk: int | None = None,
    version: int | None = None,
) -> OffreFormation:
    _verifier_palier(donnees.get("palier", ""))
    with transaction.atomic():
        if pk is None:
            offre = OffreFormation(organisation=organisation)
        else:
            offre = versions.verrouiller(
                OffreFormation.objects.filter(organisation=organisation), pk, version
            )
        for champ in CHAMPS_OFFRE:
            if champ in donnees:
                setattr(offre, champ, donnees[champ])
        offre.full_clean()
        if pk is None:
            versions.attribuer(offre, par)
        else:
            versions.enregistrer(offre, par)
        return offre


@dataclass(frozen=True)
class Ligne:
    """Des participants d'une session : une population, un service (facultatif), un nombre."""

    population: int
    nombre: int
    service: str = ""


def _verifier_session(
    organisation: Organisation, donnees: dict[str, Any], lignes: Sequence[Ligne], aujourd_hui: date
) -> dict[int, Population]:
    jour = donnees.get("date")
    if not isinstance(jour, date):
        raise ValidationError("La date de la session est obligatoire.")
    if jour > aujourd_hui:
        raise ValidationError(
            "Une session s'enregistre une fois tenue : sa date ne peut pas être dans le futur."
        )
    if jour < DATE_MINIMUM:
        raise ValidationError(f"Date improbable : une session date au plus tôt du {DATE_MINIMUM:%d/%m/%Y}.")
    _verifier_palier(donnees.get("palier", ""))
    code, offre = donnees.get("offre_catalogue", ""), donnees.get("offre")
    if bool(code) == (offre is not None):
        raise ValidationError("Choisissez une offre : du catalogue ou de l'organisation, une seule.")
    if code and referentiel.catalogue().offre(code) is None:
        raise ValidationError(f"Offre « {code} » absente du catalogue.")
    if offre is not None and offre.organisation_id != organisation.pk:
        raise ValidationError("L'offre doit être une offre de l'organisation.")
    if not lignes:
        raise ValidationError("Comptez au moins un participant (par population et, si utile, par service).")
    if len(lignes) > LIGNES_MAXIMUM:
        raise ValidationError(f"Au plus {LIGNES_MAXIMUM} lignes de participants par session.")
    pops = {
        p.pk: p for p in selectors.populations(organisation).filter(pk__in={li.population for li in lignes})
    }
    effectifs = {
        li.population.pk: li.effectif.valeur for li in selectors.couverture(organisation, aujourd_hui)
    }
    cumul: dict[int, int] = {}
    vus: set[tuple[int, str]] = set()
    for li in lignes:
        if li.population not in pops:
            raise ValidationError("Population inconnue dans cette organisation.")
        if isinstance(li.nombre, bool) or not isinstance(li.nombre, int) or li.nombre <= 0:
            raise ValidationError("Le nombre de participants est un entier supérieur à zéro.")
        if len(li.service) > 200 or "\x00" in li.service:
            raise ValidationError("Le nom du service ne dépasse pas 200 caractères.")
        cle = (li.population, li.service.strip().casefold())
        if cle in vus:
            raise ValidationError("Une même population et un même service ne se comptent qu'une fois.")
        vus.add(cle)
        cumul[li.population] = cumul.get(li.population, 0) + li.nombre
    for pk, total in cumul.items():
        effectif = effectifs.get(pk)
        if effectif is not None and total > effectif:
            raise ValidationError(
                f"« {pops[pk].titre} » : {total} participants pour un effectif de {effectif}. "
                "Une session ne compte pas plus de participants que la population n'a d'agents."
            )
    return pops


def enregistrer_session(
    organisation: Organisation,
    donnees: dict[str, Any],
    lignes: Sequence[Ligne],
    par: Utilisateur,
    pk: int | None = None,
    version: int | None = None,
) -> SessionFormation:
    """Crée ou modifie une session et ses participants (remplacés en entier), puis remet à jour l'état
    des obligations de formation des systèmes (art. 4)."""
    aujourd_hui = timezone.localdate()
    with transaction.atomic():
        if pk is None:
            session = SessionFormation(organisation=organisation, cree_par=par)
        else:
            session = versions.verrouiller(
                SessionFormation.objects.filter(organisation=organisation), pk, version
            )
        _verifier_session(organisation, donnees, lignes, aujourd_hui)
        session.date, session.palier = donnees["date"], donnees["palier"]
        session.offre_catalogue = donnees.get("offre_catalogue", "") or ""
        session.offre = donnees.get("offre")
        session.commentaire = donnees.get("commentaire", "") or ""
        session.full_clean()
        if pk is None:
            versions.attribuer(session, par)
        else:
            versions.enregistrer(session, par)
            # Les siennes seulement : les participants que des membres y comptent restent les leurs.
            for ancienne in session.participations.filter(population__organisation=organisation):
                ancienne._history_user = par  # type: ignore[attr-defined]
                ancienne.delete()
        for li in lignes:
            versions.attribuer(
                Participation(
                    session=session, population_id=li.population, service=li.service.strip(), nombre=li.nombre
                ),
                par,
            )
        suivre_obligations(organisation, par)
        return session


def supprimer_session(organisation: Organisation, pk: int, version: int | None, par: Utilisateur) -> None:
    """Supprime une session saisie par erreur et ses participants (verrou optimiste ; l'historique garde
    les deux, attribués), puis remet à jour les obligations de formation."""
    with transaction.atomic():
        session = versions.verrouiller(
            SessionFormation.objects.filter(organisation=organisation), pk, version
        )
        if session.participations.exclude(population__organisation=organisation).exists():
            raise ValidationError(
                "Des organisations membres y comptent leurs agents : la supprimer effacerait leur formation. "
                "Corrigez-la plutôt."
            )
        for participation in session.participations.all():
            participation._history_user = par  # type: ignore[attr-defined]  # lu par simple-history
            participation.delete()
        session._history_user = par  # type: ignore[attr-defined]
        session.delete()
        suivre_obligations(organisation, par)


def supprimer_population(organisation: Organisation, pk: int, version: int | None, par: Utilisateur) -> None:
    """Supprime une population qu'aucune session ne compte (sinon la couverture passée changerait en
    silence) ; l'historique la garde, attribuée. Les obligations de formation sont remises à jour."""
    with transaction.atomic():
        population = versions.verrouiller(Population.objects.filter(organisation=organisation), pk, version)
        if population.participations.exists():
            raise ValidationError(
                "Des sessions comptent des participants de cette population : modifiez ou supprimez "
                "d'abord ces sessions."
            )
        population._history_user = par  # type: ignore[attr-defined]
        population.systemes.clear()
        population.delete()
        suivre_obligations(organisation, par)


# --- Obligation de formation (AI Act, art. 4) ------------------------------------------------


MOTIF_FAITE = "Couverture de formation atteinte pour les populations qui utilisent le système."
MOTIF_REOUVERTE = "Couverture de formation repassée sous la cible : obligation rouverte."


def suivre_obligations(
    organisation: Organisation, par: Utilisateur | None, systemes: Iterable[int] | None = None
) -> list[ObligationSuivie]:
    """L'obligation de formation de chaque système suit la couverture des populations qui l'utilisent :
    toutes à leur cible → « faite » ; l'une repasse sous sa cible alors qu'elle était « faite » → « en
    cours ». Sans population liée au système, rien ne change (rien ne permet d'en juger) ; « sans
    objet » n'est jamais touché. Chaque changement est historisé avec son motif. Renvoie les changées.

    Requêtes : celles de `selectors.couverture`, une pour les obligations, puis deux par obligation
    qui change d'état (verrou et écriture)."""
    aujourd_hui = timezone.localdate()
    qs = ObligationSuivie.objects.filter(
        organisation=organisation, code=selectors.CODE_OBLIGATION, applicable=True
    ).exclude(statut=ObligationSuivie.Statut.SANS_OBJET)
    if systemes is not None:
        qs = qs.filter(systeme_id__in=list(systemes))
    obligations = list(qs.only("pk", "systeme_id", "statut", "version"))
    if not obligations:
        return []
    lignes = selectors.couverture(organisation, aujourd_hui)
    changees = []
    with transaction.atomic():
        for obligation in obligations:
            concernees = [
                li.couverture
                for li in lignes
                if any(s.pk == obligation.systeme_id for s in li.population.systemes_lus)  # type: ignore[attr-defined]
            ]
            atteinte = toutes_atteintes(concernees)
            if atteinte is None:
                continue
            statut = obligation.statut
            if atteinte and statut != ObligationSuivie.Statut.FAITE:
                nouveau, motif = ObligationSuivie.Statut.FAITE, MOTIF_FAITE
            elif not atteinte and statut == ObligationSuivie.Statut.FAITE:
                nouveau, motif = ObligationSuivie.Statut.EN_COURS, MOTIF_REOUVERTE
            else:
                continue
            # Relue sous verrou : une modification faite entre-temps par une personne est gardée.
            suivie = ObligationSuivie.objects.select_for_update().get(pk=obligation.pk)
            if suivie.statut != statut:
                continue
            suivie.statut = nouveau
            suivie._change_reason = motif  # type: ignore[attr-defined]  # lu par simple-history
            versions.enregistrer(suivie, par)
            changees.append(suivie)
    return changees
