"""Les opérations sur les séances : programmer, modifier, annuler, fixer l'ordre du jour, convoquer,
noter les présences, rédiger et approuver le procès-verbal.

Chacune est atomique et attribuée (historique) ; les vues et l'API vérifient les droits
(gouvernance/droits.py) puis appellent ces fonctions. Une saisie invalide lève `ValidationError`
(rien n'est changé) ; une opération que l'état de la séance interdit lève `RefusSeance` (409 à l'API).

La convocation est un travail de fond (balise/travaux) : figer le dossier de chaque point prend le temps
de WeasyPrint ; la requête ne fait que le lancer. Les dossiers, le statut et les courriels sont écrits
dans `conclure`, ensemble ou pas du tout.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from balise import versions
from balise.conformite.models import Qualification
from balise.instruments.models import Evaluation
from balise.registre.cycle_de_vie import Stade, suivants
from balise.registre.models import SystemeIA
from balise.registre.services import RefusEtat
from balise.travaux import services as travaux
from balise.travaux.models import Travail

from . import convocations, pdf_seances
from .models import Avis, Instance, Membre, Point, Presence, Seance
from .selectors_seances import organisations_inscriptibles

if TYPE_CHECKING:
    from balise.comptes.models import Utilisateur

ConflitEdition = versions.ConflitEdition

DUREE_MAX = 24 * 60
ANNEES = (2000, 2100)
ETATS_PRESENCE = ("present", "excuse", "absent")


class RefusSeance(RefusEtat):
    """L'état de la séance interdit l'opération (annulée, tenue, procès-verbal approuvé…)."""


def _verrouiller(seance_id: int, version: int | None) -> Seance:
    return versions.verrouiller(Seance.objects.select_related("instance"), seance_id, version)


def _verifier_horaire(debut: Any, duree_minutes: Any, lieu: Any) -> None:
    erreurs: dict[str, str] = {}
    if not isinstance(debut, datetime) or timezone.is_naive(debut):
        erreurs["debut"] = "Indiquez la date et l'heure de la séance (avec son fuseau horaire)."
    elif not ANNEES[0] <= debut.year <= ANNEES[1]:
        erreurs["debut"] = f"La séance a lieu entre {ANNEES[0]} et {ANNEES[1]}."
    if (
        isinstance(duree_minutes, bool)
        or not isinstance(duree_minutes, int)
        or not 1 <= duree_minutes <= DUREE_MAX
    ):
        erreurs["duree_minutes"] = f"La durée est un nombre de minutes entre 1 et {DUREE_MAX}."
    if not isinstance(lieu, str) or len(lieu) > 300:
        erreurs["lieu"] = "Le lieu ou le lien tient en 300 caractères au plus."
    if erreurs:
        raise ValidationError(erreurs)


def _modifiable(seance: Seance) -> None:
    if seance.statut == Seance.Statut.ANNULEE:
        raise RefusSeance("Cette séance est annulée : elle ne se modifie plus.")
    if seance.statut == Seance.Statut.TENUE:
        raise RefusSeance("Cette séance est tenue : sa date, son lieu et son ordre du jour ne changent plus.")


@transaction.atomic
def programmer(instance: Instance, debut: Any, duree_minutes: Any, lieu: Any, par: Utilisateur) -> Seance:
    _verifier_horaire(debut, duree_minutes, lieu)
    if instance.archive_le is not None:
        raise RefusSeance("Cette instance est archivée : on n'y programme plus de séance.")
    seance = Seance(
        instance=instance, debut=debut, duree_minutes=duree_minutes, lieu=lieu.strip(), cree_par=par
    )
    seance.full_clean()
    return versions.attribuer(seance, par)


@transaction.atomic
def modifier(
    seance_id: int,
    debut: Any,
    duree_minutes: Any,
    lieu: Any,
    version: int | None,
    par: Utilisateur,
    adresse: str,
) -> Seance:
    """Change la date, la durée ou le lieu. Une séance déjà convoquée l'est de nouveau : chaque membre
    reçoit une invitation de même UID et de SEQUENCE plus grande, qui remplace l'ancienne."""
    _verifier_horaire(debut, duree_minutes, lieu)
    seance = _verrouiller(seance_id, version)
    _modifiable(seance)
    avant = (seance.debut, seance.duree_minutes, seance.lieu)
    seance.debut, seance.duree_minutes, seance.lieu = debut, duree_minutes, lieu.strip()
    seance.full_clean()
    versions.enregistrer(seance, par)
    if seance.statut == Seance.Statut.CONVOQUEE and avant != (
        seance.debut,
        seance.duree_minutes,
        seance.lieu,
    ):
        convocations.convoquer(seance, list(seance.points.order_by("ordre", "pk")), adresse, modifiee=True)
    return seance


@transaction.atomic
def annuler(seance_id: int, motif: Any, version: int | None, par: Utilisateur, adresse: str) -> Seance:
    """Annule la séance avec son motif ; si elle était convoquée, chaque membre reçoit l'annulation
    (METHOD:CANCEL), qui la retire de son agenda."""
    motif = motif.strip() if isinstance(motif, str) else ""
    if not motif:
        raise ValidationError({"motif": "Indiquez le motif de l'annulation : il est communiqué aux membres."})
    if len(motif) > 2000:
        raise ValidationError({"motif": "Le motif tient en 2 000 caractères au plus."})
    seance = _verrouiller(seance_id, version)
    _modifiable(seance)
    etait_convoquee = seance.statut == Seance.Statut.CONVOQUEE
    seance.statut, seance.motif_annulation = Seance.Statut.ANNULEE, motif
    versions.enregistrer(seance, par)
    if etait_convoquee:
        convocations.annoncer_annulation(seance, adresse)
    return seance


# --- Ordre du jour ---------------------------------------------------------------------------------


def _objet(modele: Any, pk: Any, organisations: list[int], libelle: str) -> Any:
    """L'objet du registre d'une organisation inscriptible (celle de l'instance, ou un membre qui partage
    son portefeuille avec elle : selectors_seances.organisations_inscriptibles)."""
    if isinstance(pk, bool) or not isinstance(pk, int):
        raise ValidationError({libelle: "Choisissez dans la liste."})
    sur_systeme = modele is not SystemeIA
    base = modele.objects.select_related("systeme") if sur_systeme else modele.objects
    trouve = base.filter(pk=pk, organisation_id__in=organisations).first()
    if trouve is None:
        raise ValidationError(
            {
                libelle: "Introuvable dans le registre de l'organisation de l'instance ni d'un membre qui le lui partage."
            }
        )
    systeme: SystemeIA = trouve.systeme if sur_systeme else trouve
    if systeme.archive_le is not None:
        raise ValidationError({libelle: "Ce système est archivé : il ne s'inscrit plus à l'ordre du jour."})
    return trouve


@transaction.atomic
def ajouter_point(
    seance_id: int,
    nature: Any,
    par: Utilisateur,
    *,
    systeme: Any = None,
    stade_vise: Any = "",
    evaluation: Any = None,
    qualification: Any = None,
    version_charte: Any = None,
    titre: Any = "",
    description: Any = "",
) -> Point:
    """Inscrit un point : un système présenté à un passage de stade, une évaluation, une qualification
    (de l'organisation de l'instance, ou d'un membre qui lui partage son portefeuille : le point est
    alors à l'organisation du système), une version de la charte soumise à la consultation
    (balise/chartes), ou un point libre (intitulé et présentation)."""
    seance = Seance.objects.select_for_update().select_related("instance").get(pk=seance_id)
    _modifiable(seance)
    org = seance.instance.organisation_id
    inscriptibles = [o.pk for o in organisations_inscriptibles(seance.instance, timezone.localdate())]
    titre = titre.strip() if isinstance(titre, str) else ""
    description = description.strip() if isinstance(description, str) else ""
    if len(titre) > 300:
        raise ValidationError({"titre": "L'intitulé tient en 300 caractères au plus."})
    if len(description) > 10_000:
        raise ValidationError({"description": "La présentation tient en 10 000 caractères au plus."})
    point = Point(seance=seance, organisation_id=org, nature=nature, description=description)
    if nature == Point.Nature.PORTE:
        s: SystemeIA = _objet(SystemeIA, systeme, inscriptibles, "systeme")
        if stade_vise not in suivants(s.stade):
            permis = ", ".join(str(Stade(x).label) for x in suivants(s.stade)) or "aucun"
            raise ValidationError(
                {"stade_vise": f"Depuis « {Stade(s.stade).label} », les stades possibles sont : {permis}."}
            )
        point.systeme, point.stade_vise, point.organisation_id = s, stade_vise, s.organisation_id
        point.titre = titre or f"{s.nom} : passage au stade « {Stade(stade_vise).label} »"
    elif nature == Point.Nature.EVALUATION:
        e: Evaluation = _objet(Evaluation, evaluation, inscriptibles, "evaluation")
        point.evaluation, point.systeme, point.organisation_id = e, e.systeme, e.organisation_id
        etat = "" if e.finalisee else " (en cours)"
        point.titre = titre or f"{e.systeme.nom} : évaluation « {e.instrument.titre} »{etat}"
    elif nature == Point.Nature.QUALIFICATION:
        q: Qualification = _objet(Qualification, qualification, inscriptibles, "qualification")
        point.qualification, point.systeme, point.organisation_id = q, q.systeme, q.organisation_id
        point.titre = titre or (
            f"{q.systeme.nom} : qualification réglementaire du {timezone.localtime(q.cree_le):%d/%m/%Y}"
        )
    elif nature == Point.Nature.CHARTE:
        from balise.chartes import services as chartes

        v = chartes.inscrire_au_point(version_charte, org, par)
        point.version_charte = v
        point.titre = titre or f"Charte de l'IA : {v}"
    elif nature == Point.Nature.INDICATEURS:
        # La revue des indicateurs de l'organisation (PDCA, graine 001:1059–1065) : la page de revue
        # liste leurs mesures et leurs écarts (balise/indicateurs/vues.py).
        point.titre = titre or "Revue des indicateurs"
    elif nature == Point.Nature.LIBRE:
        if not titre:
            raise ValidationError({"titre": "Indiquez l'intitulé du point."})
        point.titre = titre
    else:
        raise ValidationError({"nature": "Choisissez la nature du point."})
    point.titre = point.titre[:300]  # un intitulé composé d'un nom long est tronqué
    dernier = seance.points.aggregate(m=Max("ordre"))["m"]
    point.ordre = 0 if dernier is None else dernier + 1
    point.full_clean()
    return versions.attribuer(point, par)


@transaction.atomic
def deplacer_point(point_id: int, sens: str, par: Utilisateur) -> Point:
    """Monte ou descend un point d'un rang ; les rangs sont renumérotés de 0 à n-1."""
    if sens not in ("monter", "descendre"):
        raise ValidationError("Sens de déplacement inconnu.")
    point = Point.objects.select_related("seance").get(pk=point_id)
    Seance.objects.select_for_update().filter(pk=point.seance_id).first()
    _modifiable(point.seance)
    tous = list(Point.objects.filter(seance_id=point.seance_id).order_by("ordre", "pk"))
    i = next(n for n, p in enumerate(tous) if p.pk == point.pk)
    j = i - 1 if sens == "monter" else i + 1
    if 0 <= j < len(tous):
        tous[i], tous[j] = tous[j], tous[i]
    for rang, p in enumerate(tous):
        if p.ordre != rang:
            p.ordre = rang
            versions.attribuer(p, par, update_fields=["ordre"])
    return next(p for p in tous if p.pk == point.pk)


@transaction.atomic
def retirer_point(point_id: int, par: Utilisateur) -> None:
    """Retire un point tant que la séance n'est pas tenue (l'historique en garde la trace, et le dossier
    figé reste dans le stockage)."""
    point = Point.objects.select_related("seance").get(pk=point_id)
    Seance.objects.select_for_update().filter(pk=point.seance_id).first()
    _modifiable(point.seance)
    if Avis.objects.filter(point=point).exists():
        raise RefusSeance("Un avis a été rendu sur ce point : il ne se retire plus.")
    point._history_user = par  # type: ignore[attr-defined]  # lu par simple-history à la suppression
    point.delete()
    if point.version_charte_id is not None:
        from balise.chartes import services as chartes

        chartes.desinscrire_du_point(point.version_charte_id, par)


# --- Convocation -----------------------------------------------------------------------------------


@transaction.atomic
def convoquer(seance_id: int, version: int | None, par: Utilisateur, adresse: str) -> Travail:
    """Lance la convocation : un travail de fond fige le dossier de chaque point, puis envoie à chaque
    membre son courriel et son invitation. Une séance déjà convoquée peut l'être de nouveau (points
    ajoutés depuis) : les dossiers déjà figés restent ceux qui ont été envoyés."""
    from . import taches_seances

    seance = _verrouiller(seance_id, version)
    _modifiable(seance)
    if seance.travail_convocation is not None and seance.travail_convocation.actif:
        raise RefusSeance("Une convocation de cette séance est déjà en cours d'envoi.")
    if not seance.points.exists():
        raise RefusSeance("Inscrivez au moins un point à l'ordre du jour avant de convoquer.")
    if not convocations.destinataires(seance):
        raise RefusSeance("Cette instance n'a aucun membre à convoquer.")
    travail = travaux.lancer(
        seance.instance.organisation,
        par,
        Travail.Nature.CONVOCATION_SEANCE,
        taches_seances.convoquer,
        seance.pk,
        adresse,
    )
    seance.travail_convocation = travail
    versions.enregistrer(seance, par)
    return travail


def executer_convocation(seance_id: int, adresse: str, travail: Travail) -> None:
    """Le corps du travail de convocation (processus de fond)."""
    seance = Seance.objects.select_related("instance__organisation").get(pk=seance_id)
    a_figer = [p for p in seance.points.select_related("systeme__organisation") if not p.dossier]
    fichiers: dict[int, bytes] = {}
    for n, p in enumerate(a_figer):
        travaux.avancer(travail, f"Dossier du point {n + 1} sur {len(a_figer)}", n * 90 // len(a_figer))
        fichiers[p.pk] = pdf_seances.dossier_point(p)
    travaux.avancer(travail, "Envoi des convocations", 90)
    par = travail.demande_par
    with travaux.conclure(travail):
        seance = Seance.objects.select_for_update().select_related("instance").get(pk=seance_id)
        if seance.statut not in (Seance.Statut.PREVUE, Seance.Statut.CONVOQUEE):
            raise travaux.Echec(
                "La séance a été annulée ou tenue pendant la préparation : aucune convocation n'est partie."
            )
        maintenant = timezone.now()
        for p in Point.objects.filter(seance=seance, pk__in=list(fichiers), dossier=""):
            p.dossier.save(f"seance-{seance.uid}-point-{p.pk}.pdf", ContentFile(fichiers[p.pk]), save=False)
            p.dossier_fige_le = maintenant
            versions.attribuer(p, par)
        seance.statut, seance.convoquee_le = Seance.Statut.CONVOQUEE, maintenant
        versions.enregistrer(seance, par)
        convocations.convoquer(seance, list(seance.points.order_by("ordre", "pk")), adresse)


# --- Présences, séance tenue, procès-verbal --------------------------------------------------------


@transaction.atomic
def noter_presences(seance_id: int, etats: dict[int, str], version: int | None, par: Utilisateur) -> Seance:
    """La feuille de présence : pour chaque membre (par son identifiant), présent, excusé ou absent."""
    seance = _verrouiller(seance_id, version)
    if seance.statut == Seance.Statut.ANNULEE:
        raise RefusSeance("Cette séance est annulée : elle n'a pas de feuille de présence.")
    if seance.pv_approuve_le is not None:
        raise RefusSeance("Le procès-verbal est approuvé : la feuille de présence ne change plus.")
    membres = {m.pk: m for m in Membre.objects.filter(instance_id=seance.instance_id, pk__in=list(etats))}
    inconnus = [pk for pk in etats if pk not in membres]
    mauvais = [pk for pk, etat in etats.items() if etat not in ETATS_PRESENCE]
    if inconnus:
        raise ValidationError("Un membre de la feuille ne siège pas dans cette instance.")
    if mauvais:
        raise ValidationError("Chaque membre est présent, excusé ou absent.")
    existantes = {p.membre_id: p for p in Presence.objects.filter(seance=seance, membre_id__in=list(etats))}
    for pk, etat in etats.items():
        presence = existantes.get(pk) or Presence(seance=seance, membre=membres[pk])
        present, excuse = etat == "present", etat == "excuse"
        if presence.pk is None or (presence.present, presence.excuse) != (present, excuse):
            presence.present, presence.excuse = present, excuse
            versions.attribuer(presence, par)
    versions.enregistrer(seance, par)
    return seance


@transaction.atomic
def declarer_tenue(seance_id: int, version: int | None, par: Utilisateur) -> Seance:
    seance = _verrouiller(seance_id, version)
    _modifiable(seance)
    if seance.debut > timezone.now():
        raise RefusSeance("La séance n'a pas encore commencé : elle ne peut pas être déclarée tenue.")
    seance.statut = Seance.Statut.TENUE
    versions.enregistrer(seance, par)
    return seance


def _pv_modifiable(seance: Seance) -> None:
    if seance.statut != Seance.Statut.TENUE:
        raise RefusSeance("Le procès-verbal se rédige une fois la séance tenue.")
    if seance.pv_approuve_le is not None:
        raise RefusSeance("Le procès-verbal est approuvé : il est figé et ne se modifie plus.")


@transaction.atomic
def rediger_pv(seance_id: int, texte: Any, version: int | None, par: Utilisateur) -> Seance:
    if not isinstance(texte, str) or len(texte) > 100_000:
        raise ValidationError({"proces_verbal": "Le procès-verbal tient en 100 000 caractères au plus."})
    seance = _verrouiller(seance_id, version)
    _pv_modifiable(seance)
    seance.proces_verbal = texte.strip()
    versions.enregistrer(seance, par)
    return seance


@transaction.atomic
def approuver_pv(seance_id: int, version: int | None, par: Utilisateur) -> Seance:
    """Approuve le procès-verbal : il est alors figé (la version approuvée reste dans l'historique,
    attribuée à la personne qui l'a approuvé)."""
    seance = _verrouiller(seance_id, version)
    _pv_modifiable(seance)
    if not seance.proces_verbal.strip():
        raise RefusSeance("Le procès-verbal est vide : rédigez-le avant de l'approuver.")
    seance.pv_approuve_le, seance.pv_approuve_par = timezone.now(), par
    versions.enregistrer(seance, par)
    return seance
