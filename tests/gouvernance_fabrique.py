"""Données de gouvernance pour les tests de « À traiter » et du pilotage, écrites par l'ORM."""

from datetime import date, datetime, timedelta
from itertools import count

from django.utils import timezone

from balise.comptes.models import Utilisateur
from balise.conformite.models import ObligationSuivie, Qualification
from balise.gouvernance.models import Condition, Decision, Instance, Membre, Point, Seance
from balise.instruments.models import DefinitionInstrument, Evaluateur, Evaluation, Reponse
from balise.organisations.models import Organisation
from balise.registre.cycle_de_vie import Stade
from balise.registre.models import ChangementStade, SystemeIA

_n = count(1)


def _creer(modele, **champs):
    """Sans historique : l'historique de simple-history ne sait pas encore écrire les modèles qui ont un
    champ `instance` (nom réservé par son modèle historique), voir le rapport du lot."""
    return modele.objects.bulk_create([modele(**champs)])[0]


def qualification(systeme: SystemeIA, par: Utilisateur, a_requalifier: bool = False) -> Qualification:
    return Qualification.objects.create(
        organisation=systeme.organisation,
        systeme=systeme,
        version_regles=1,
        reponses={},
        conclusions=[],
        donnees_registre={},
        a_requalifier=a_requalifier,
        cree_par=par,
    )


def obligation(
    systeme: SystemeIA,
    responsable: Utilisateur | None,
    echeance: date,
    statut: str = ObligationSuivie.Statut.A_FAIRE,
    qualif: Qualification | None = None,
    **champs,
) -> ObligationSuivie:
    qualif = qualif or systeme.qualifications.first() or qualification(systeme, responsable or _auteur())
    return ObligationSuivie.objects.create(
        organisation=systeme.organisation,
        systeme=systeme,
        qualification=qualif,
        code=f"regle-{next(_n)}",
        regime="ai_act",
        titre=champs.pop("titre", "Tenir la documentation technique"),
        echeance=echeance,
        responsable=responsable,
        statut=statut,
        **champs,
    )


def _auteur() -> Utilisateur:
    return Utilisateur.objects.create_user(f"auteur{next(_n)}@exemple.fr", "mot-de-passe-tres-long-42")


def decision(
    systeme: SystemeIA, par: Utilisateur, sens: str = Decision.Sens.EXPERIMENTER, **champs
) -> Decision:
    return _creer(
        Decision,
        organisation=systeme.organisation,
        systeme=systeme,
        sens=sens,
        motifs="Motifs.",
        cree_par=par,
        **champs,
    )


def condition(
    systeme: SystemeIA,
    responsable: Utilisateur | None,
    echeance: date,
    statut: str = Condition.Statut.A_LEVER,
    origine: Decision | None = None,
    **champs,
) -> Condition:
    origine = origine or decision(systeme, responsable or _auteur())
    return Condition.objects.create(
        organisation=systeme.organisation,
        systeme=systeme,
        decision=origine,
        intitule=champs.pop("intitule", "Former les agents avant le déploiement"),
        responsable=responsable,
        echeance=echeance,
        statut=statut,
        **champs,
    )


def instance(org: Organisation, nom: str = "Comité d'éthique") -> Instance:
    return Instance.objects.create(
        organisation=org, nom=nom, mission="Rendre des avis.", nature=Instance.Nature.CONSULTATIVE
    )


def sieger(inst: Instance, personne: Utilisateur, **champs) -> Membre:
    return _creer(Membre, instance=inst, utilisateur=personne, **champs)


def seance(inst: Instance, debut: datetime, par: Utilisateur, **champs) -> Seance:
    return _creer(Seance, instance=inst, debut=debut, cree_par=par, **champs)


def point(s: Seance, titre: str, systeme: SystemeIA | None = None, dossier: str = "", **champs) -> Point:
    org = systeme.organisation if systeme else s.instance.organisation
    return Point.objects.create(
        seance=s,
        titre=titre,
        nature=Point.Nature.PORTE if systeme else Point.Nature.LIBRE,
        organisation=org,
        systeme=systeme,
        dossier=dossier,
        **champs,
    )


def dans(jours: int, heure: int = 14) -> datetime:
    jour = timezone.localdate() + timedelta(days=jours)
    return timezone.make_aware(datetime(jour.year, jour.month, jour.day, heure))


def evaluation(systeme: SystemeIA, par: Utilisateur, evaluateurs: list[Utilisateur]) -> Evaluation:
    instrument = DefinitionInstrument.objects.filter(organisation__isnull=True).order_by("pk").first()
    assert instrument is not None
    ev = Evaluation.objects.create(
        organisation=systeme.organisation,
        systeme=systeme,
        instrument=instrument,
        moment=instrument.definition.moments[0],
        cree_par=par,
    )
    for personne in evaluateurs:
        Evaluateur.objects.create(evaluation=ev, utilisateur=personne, profil="agent", invite_par=par)
    return ev


def tout_coter(ev: Evaluation, personne: Utilisateur) -> None:
    evaluateur = ev.evaluateurs.get(utilisateur=personne)
    for item in ev.instrument.definition.items:
        Reponse.objects.create(evaluateur=evaluateur, item=item.id, sans_objet=True)


def passer_en_decision(systeme: SystemeIA, par: Utilisateur, le: datetime | None = None) -> None:
    depuis = systeme.stade
    SystemeIA.objects.filter(pk=systeme.pk).update(stade=Stade.DECISION)
    ChangementStade.objects.create(
        systeme=systeme, depuis=depuis, vers=Stade.DECISION, par=par, le=le or timezone.now()
    )
    systeme.stade = Stade.DECISION
