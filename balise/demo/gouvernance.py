"""La gouvernance de la démonstration (rubrique « gouvernance » de donnees.yaml), chargée par les
services des pages : instances tirées de leur modèle, membres externes invités qui créent leur compte,
séances (ordre du jour, présences, votes, avis, procès-verbal), décisions, conditions et passages de
stade gouvernés par les portes. Tout est attribué et historisé comme si chaque personne l'avait fait.

Les séances et les échéances sont datées par rapport au jour du chargement. Les services datent à
l'instant présent ce qui se fait en séance (vote, avis, réserves, décision, approbation du
procès-verbal, nomination) et le passage de stade qui suit une décision : pour une séance passée, ces
dates sont ensuite reportées à celle de la séance (`_dater`, et le passage au lendemain), sans nouvelle
version ; l'historique garde l'heure réelle du chargement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.management.base import CommandError
from django.urls import reverse
from django.utils import timezone

from balise.comptes.models import Utilisateur
from balise.gouvernance import services_avis, services_instances, services_seances
from balise.gouvernance.models import Avis, Condition, Decision, Instance, Membre, Point, Seance, Vote
from balise.instruments.models import Evaluation
from balise.organisations import services as organisations
from balise.organisations.models import Adhesion, Organisation
from balise.registre import services as registre
from balise.registre.models import ChangementStade, SystemeIA
from balise.travaux import services as travaux


@dataclass
class Externe:
    """Un membre externe créé par la démonstration, pour la liste des comptes."""

    email: str
    instance: str
    college: str
    qualite: str


@dataclass
class Contexte:
    organisation: Organisation
    utilisateurs: dict[str, Utilisateur]
    adresse: str
    aujourd_hui: date
    instances: dict[str, Instance] = field(default_factory=dict)
    externes: list[Externe] = field(default_factory=list)

    def personne(self, email: str) -> Utilisateur:
        if email not in self.utilisateurs:
            self.utilisateurs[email] = Utilisateur.objects.get(email=email)
        return self.utilisateurs[email]

    def adhesion(self, email: str) -> Adhesion:
        return Adhesion.objects.get(organisation=self.organisation, utilisateur=self.personne(email))

    def systeme(self, nom: str) -> SystemeIA:
        return SystemeIA.objects.get(organisation=self.organisation, nom=nom)


def charger(
    donnees: dict[str, Any], utilisateurs: dict[str, Utilisateur], mot_de_passe: str, adresse: str
) -> list[Externe]:
    """Charge la rubrique « gouvernance » ; renvoie les membres externes créés."""
    g = donnees.get("gouvernance")
    if not g:
        return []
    ctx = Contexte(
        organisation=Organisation.objects.get(slug=g["organisation"]),
        utilisateurs=utilisateurs,
        adresse=adresse,
        aujourd_hui=timezone.localdate(),
    )
    par = ctx.personne(g["par"])
    for i in g.get("instances", []):
        ctx.instances[i["cle"]] = _instance(ctx, i, par, mot_de_passe)
    for s in g.get("seances", []):
        _seance(ctx, s)
    return ctx.externes


def _instance(ctx: Contexte, donnees: dict[str, Any], par: Utilisateur, mot_de_passe: str) -> Instance:
    """L'instance créée depuis son modèle (adapté), ses membres de l'organisation, puis ses membres
    externes : invités par courriel, ils créent leur compte en acceptant l'invitation."""
    valeurs = services_instances.valeurs_du_modele(donnees["modele"])
    # Les collèges du modèle, sauf si la démonstration les adapte.
    colleges = donnees.get("colleges") or valeurs.pop("colleges")
    valeurs.update({k: v for k, v in donnees.items() if k in services_instances.CHAMPS_INSTANCE})
    instance = services_instances.creer_instance(
        ctx.organisation, valeurs, par, modele=donnees["modele"], colleges=colleges
    )
    ids_colleges = {c.nom: c.pk for c in instance.colleges.all()}
    for m in donnees.get("membres", []):
        services_instances.nommer_membre(
            instance,
            ctx.personne(m["email"]).pk,
            par,
            college_id=ids_colleges[m["college"]] if m.get("college") else None,
            fonction=m.get("fonction", Membre.Fonction.MEMBRE),
            qualite=m.get("qualite", ""),
        )
    for e in donnees.get("externes", []):
        resultat = services_instances.inviter_externe(
            instance,
            e["email"],
            par,
            lambda invitation: ctx.adresse + reverse("invitation:accepter", args=[invitation.jeton]),
            college_id=ids_colleges[e["college"]] if e.get("college") else None,
            fonction=e.get("fonction", Membre.Fonction.MEMBRE),
            qualite=e.get("qualite", ""),
        )
        if resultat.invitation is None:
            raise CommandError(f"Démonstration : {e['email']} est déjà membre de l'organisation.")
        ctx.utilisateurs[e["email"]] = organisations.accepter_invitation_en_creant_son_compte(
            resultat.invitation.invitation, mot_de_passe, e["prenom"], e["nom"]
        )
        ctx.externes.append(Externe(e["email"], instance.nom, e.get("college", ""), e.get("qualite", "")))
    return instance


def _debut(ctx: Contexte, s: dict[str, Any]) -> datetime:
    jour = ctx.aujourd_hui + timedelta(days=int(s["jours"]))
    return timezone.make_aware(datetime.combine(jour, time.fromisoformat(s["heure"])))


def _seance(ctx: Contexte, s: dict[str, Any]) -> None:
    instance = ctx.instances[s["instance"]]
    membres = {
        m.utilisateur.email: m
        for m in instance.membres.filter(retire_le__isnull=True).select_related("utilisateur")
    }
    secretaire = next(m.utilisateur for m in membres.values() if m.fonction == Membre.Fonction.SECRETAIRE)
    debut = _debut(ctx, s)
    seance = services_seances.programmer(instance, debut, s["duree_minutes"], s.get("lieu", ""), secretaire)
    points = [(_point(ctx, seance, p, secretaire), p) for p in s.get("points", [])]
    if s.get("convoquer"):
        # La convocation est un travail de fond (dossiers PDF figés, courriels) : exécuté ici, comme
        # les imports des effectifs ; les courriels partent ensuite par le processus de fond.
        seance.refresh_from_db()
        travail = services_seances.convoquer(seance.pk, seance.version, secretaire, ctx.adresse)
        travaux.executer_ici(travail)
        travail.refresh_from_db()
        if travail.etat != travail.Etat.TERMINE:
            raise CommandError(f"Convocation de démonstration non aboutie : {travail.message}")
    if debut > timezone.now():
        return
    # Séance passée : présences, séance tenue, votes, avis, décisions, procès-verbal approuvé.
    etats = {m.pk: s.get("presences", {}).get(email, "present") for email, m in membres.items()}
    seance.refresh_from_db()
    seance = services_seances.noter_presences(seance.pk, etats, seance.version, secretaire)
    seance = services_seances.declarer_tenue(seance.pk, seance.version, secretaire)
    for point, p in points:
        _deliberer(ctx, point, p, secretaire, debut)
    if s.get("proces_verbal"):
        seance = services_seances.rediger_pv(seance.pk, s["proces_verbal"], seance.version, secretaire)
        approbateur = ctx.personne(s["approuve_par"])
        seance = services_seances.approuver_pv(seance.pk, seance.version, approbateur)
    _dater(seance, debut)


def _point(ctx: Contexte, seance: Seance, p: dict[str, Any], par: Utilisateur) -> Point:
    if "evaluation" in p:
        ref = p["evaluation"]
        evaluation = Evaluation.objects.get(
            systeme=ctx.systeme(ref["systeme"]), instrument__code=ref["instrument"]
        )
        return services_seances.ajouter_point(
            seance.pk, Point.Nature.EVALUATION, par, evaluation=evaluation.pk
        )
    if "systeme" in p:
        return services_seances.ajouter_point(
            seance.pk,
            Point.Nature.PORTE,
            par,
            systeme=ctx.systeme(p["systeme"]).pk,
            stade_vise=p["stade_vise"],
        )
    return services_seances.ajouter_point(
        seance.pk, Point.Nature.LIBRE, par, titre=p["titre"], description=p.get("description", "")
    )


def _deliberer(
    ctx: Contexte, point: Point, p: dict[str, Any], secretaire: Utilisateur, debut: datetime
) -> None:
    """Votes et avis (instance consultative), ou décision et passage de stade (instance qui arbitre)."""
    for email, (sens, *opinion) in p.get("votes", {}).items():
        services_avis.voter(point, ctx.adhesion(email), sens, "".join(opinion), None, ctx.personne(email))
    if "avis" in p:
        a = p["avis"]
        reserves = [
            services_avis.NouvelleCondition(
                r["intitule"],
                ctx.personne(r["responsable"]),
                ctx.aujourd_hui + timedelta(days=int(r["echeance_jours"])),
            )
            for r in a.get("reserves", [])
        ]
        avis = services_avis.rendre_avis(point, a, reserves, secretaire)
        for condition, r in zip(avis.conditions.order_by("pk"), a.get("reserves", []), strict=True):
            _suivre(ctx, condition, r)
    if "decision" in p:
        d = dict(p["decision"])
        d["decidee_le"] = timezone.localdate(debut)
        if d.get("deliberation_numero"):
            d["deliberation_date"] = timezone.localdate(debut)
        services_avis.prendre_decision(_systeme_du_point(point), d, [], secretaire, point=point)
    if "passage" in p:
        systeme = _systeme_du_point(point)
        # Sans justification : la porte doit être franchie (décision, conditions levées…).
        registre.changer_stade(systeme.pk, p["passage"], p.get("motif", ""), secretaire, systeme.version)
        ChangementStade.objects.filter(systeme=systeme, vers=p["passage"]).update(
            le=debut + timedelta(days=1)
        )


def _systeme_du_point(point: Point) -> SystemeIA:
    """Le système du point, relu (sa version a pu changer depuis l'inscription à l'ordre du jour)."""
    if point.systeme is None:
        raise CommandError(f"Démonstration : le point « {point.titre} » ne porte sur aucun système.")
    return SystemeIA.objects.get(pk=point.systeme.pk)


def _suivre(ctx: Contexte, condition: Condition, r: dict[str, Any]) -> None:
    """La personne responsable lève la condition (avec sa preuve) ou dit où elle en est."""
    responsable = ctx.personne(r["responsable"])
    if "levee" in r:
        donnees = {"statut": Condition.Statut.LEVEE, **r["levee"]}
    elif "en_cours" in r:
        donnees = {"statut": Condition.Statut.EN_COURS, "commentaire": r["en_cours"]}
    else:
        return
    services_avis.modifier_condition(condition.pk, donnees, condition.version, responsable)


def _dater(seance: Seance, debut: datetime) -> None:
    """Reporte à la date de la séance ce que les services ont daté du chargement (voir le module)."""
    fin = debut + timedelta(minutes=seance.duree_minutes)
    Vote.objects.filter(point__seance=seance).update(le=debut)
    Avis.objects.filter(point__seance=seance).update(rendu_le=fin)
    Condition.objects.filter(avis__point__seance=seance).update(cree_le=fin)
    Decision.objects.filter(point__seance=seance).update(cree_le=fin)
    Seance.objects.filter(pk=seance.pk, pv_approuve_le__isnull=False).update(
        pv_approuve_le=fin + timedelta(days=7)
    )
    anterieur = timezone.localdate(debut) - timedelta(days=30)
    Membre.objects.filter(instance_id=seance.instance_id, depuis__gt=anterieur).update(depuis=anterieur)
