"""Charge la démonstration décrite dans balise/demo/donnees.yaml (sans effet si elle est déjà chargée)."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from itertools import zip_longest
from pathlib import Path
from typing import Any

import yaml
from django.core.cache import caches
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from balise import versions
from balise.comptes.models import Utilisateur
from balise.conformite import services as conformite
from balise.conformite.models import Qualification
from balise.conformite.regles import en_vigueur
from balise.demo import bibliotheque as demo_bibliotheque
from balise.demo import chartes, formations, gouvernance
from balise.demo import copil as demo_copil
from balise.demo import indicateurs as demo_indicateurs
from balise.demo import mutualisation as demo_mutualisation
from balise.demo import observatoire as demo_observatoire
from balise.demo import passerelle as demo_passerelle
from balise.demo import programme as demo_programme
from balise.demo import rapports as demo_rapports
from balise.demo import regles_usage as demo_regles_usage
from balise.instruments import services as instruments
from balise.instruments.models import DefinitionInstrument, Profil
from balise.instruments.services import Saisie
from balise.metiers import services as metiers
from balise.metiers.models import ImportEffectifs
from balise.organisations.models import Adhesion, Organisation
from balise.organisations.roles import Role
from balise.registre import services
from balise.registre.models import ChangementStade, SystemeIA
from balise.travaux import services as travaux

FICHIER = Path(__file__).resolve().parents[2] / "donnees.yaml"
CHAMPS_DECIMAUX = {"cout_investissement", "cout_annuel"}
JUSTIFICATION_REPRISE = (
    "Projet engagé avant la mise en place des portes du cycle de vie dans Balise : passage repris "
    "de l'historique du projet (données de démonstration)."
)
# Les passages des parcours racontent le passé des projets : ils sont datés à ECART_PASSAGES jours
# d'intervalle, le dernier il y a ECART_PASSAGES jours ; les qualifications initiales, il y a
# ANCIENNETE_QUALIFICATIONS jours. Les deux précèdent la première séance de la gouvernance (il y a
# six semaines, donnees.yaml), qui examine ces systèmes.
ECART_PASSAGES = 60
ANCIENNETE_QUALIFICATIONS = 50


def charger(donnees: dict, adresse: str = "http://127.0.0.1:8000") -> list[gouvernance.Externe]:
    """Charge la démonstration ; renvoie les membres externes d'instances créés (pour la liste des
    comptes). L'ordre suit la vie des projets : fiches, évaluations (le radar en amont précède
    l'expérimentation), passages de stade, qualifications, puis la gouvernance (avis, décisions)."""
    mot_de_passe = donnees["mot_de_passe"]
    utilisateurs = {}
    for u in donnees["utilisateurs"]:
        instance = u.get("administrateur_instance", False)
        utilisateurs[u["email"]] = Utilisateur.objects.create_user(
            u["email"],
            mot_de_passe,
            first_name=u["prenom"],
            last_name=u["nom"],
            is_staff=instance,
            is_superuser=instance,
        )
    # Les organisations et leurs membres sont inscrits par l'administrateur de l'instance : l'historique
    # (et le journal de chaque organisation) le nomme, comme s'il l'avait fait depuis /admin/.
    instance = utilisateurs[
        next(u["email"] for u in donnees["utilisateurs"] if u.get("administrateur_instance"))
    ]
    parcours = []
    for o in donnees["organisations"]:
        champs = {k: v for k, v in o.items() if k not in ("membres", "systemes")}
        organisation = versions.attribuer(Organisation(**champs), instance)
        for email, role in o["membres"].items():
            versions.attribuer(
                Adhesion(utilisateur=utilisateurs[email], organisation=organisation, role=role), instance
            )
        auteur = utilisateurs[next(e for e, r in o["membres"].items() if r in ("referent", "administrateur"))]
        administrateur = utilisateurs[
            next((e for e, r in o["membres"].items() if r == "administrateur"), auteur.email)
        ]
        for s in o["systemes"]:
            fiche = {
                k: (Decimal(v) if k in CHAMPS_DECIMAUX else v)
                for k, v in s.items()
                if k not in ("parcours", "motif", "publie")
            }
            parcours.append((services.creer_systeme(organisation, fiche, auteur), s, auteur, administrateur))
    _evaluer(donnees, utilisateurs)
    for systeme, s, auteur, administrateur in parcours:
        _parcourir(systeme, s, auteur, administrateur)
    _qualifier(donnees.get("qualifications", []), ANCIENNETE_QUALIFICATIONS)
    externes = gouvernance.charger(donnees, utilisateurs, mot_de_passe, adresse)
    chartes.charger(donnees, utilisateurs)
    _qualifier(donnees.get("requalifications", []))
    _effectifs(donnees, utilisateurs)
    formations.charger(utilisateurs)
    demo_regles_usage.charger(utilisateurs)
    demo_programme.charger(utilisateurs)
    demo_indicateurs.charger(utilisateurs)
    demo_rapports.charger(donnees, utilisateurs)
    demo_bibliotheque.charger(utilisateurs, instance)
    demo_mutualisation.charger(utilisateurs)
    demo_copil.charger(utilisateurs)
    demo_observatoire.charger(utilisateurs)
    demo_passerelle.charger(utilisateurs)
    return externes


def _parcourir(systeme: SystemeIA, s: dict, auteur: Utilisateur, administrateur: Utilisateur) -> None:
    """Les stades déjà parcourus par le projet, chacun par sa porte."""
    systeme.refresh_from_db()
    for rang, stade in enumerate(s["parcours"]):
        try:
            systeme = services.changer_stade(systeme.pk, stade, s.get("motif", ""), auteur, systeme.version)
        except services.PorteNonFranchie:
            # Les parcours de la démonstration racontent des projets antérieurs à Balise :
            # l'administrateur passe la porte en le justifiant, comme le ferait une
            # collectivité qui reprend son existant (la justification reste à l'historique).
            systeme = services.changer_stade(
                systeme.pk,
                stade,
                s.get("motif", ""),
                administrateur,
                systeme.version,
                justification=JUSTIFICATION_REPRISE,
            )
        _antidater(
            ChangementStade.objects.filter(systeme=systeme, vers=stade).order_by("-pk")[:1],
            "le",
            timedelta(days=ECART_PASSAGES * (len(s["parcours"]) - rang)),
        )
    if s.get("publie"):
        services.publier(systeme.pk, True, auteur, systeme.version)


def _saisie(note: int | str | list[str]) -> Saisie:
    if isinstance(note, list):
        return Saisie(choix=tuple(note))
    return Saisie(sans_objet=True) if note == "sans_objet" else Saisie(valeur=int(note))


def _systeme_et_pilote(ref: dict) -> tuple[SystemeIA, Utilisateur]:
    """Le système désigné par organisation et nom, et la première personne qui pilote chez elle."""
    systeme = SystemeIA.objects.get(organisation__slug=ref["organisation"], nom=ref["systeme"])
    pilote = next(
        a.utilisateur
        for a in systeme.organisation.adhesions.select_related("utilisateur").order_by("pk")
        if a.role in ("referent", "administrateur")
    )
    return systeme, pilote


def _national(code: str) -> DefinitionInstrument:
    return DefinitionInstrument.objects.get(organisation=None, code=code)


def _evaluer(donnees: dict, utilisateurs: dict[str, Utilisateur]) -> None:
    for e in donnees.get("evaluations", []):
        systeme, pilote = _systeme_et_pilote(e)
        # La personne qui ouvre l'évaluation en est évaluatrice : avec son profil si elle cote aussi.
        profil = e["cotations"].get(pilote.email, {}).get("profil", Profil.AUTRE)
        evaluation = instruments.demarrer_evaluation(
            systeme, _national(e["instrument"]), e["moment"], pilote, profil
        )
        for email, c in e["cotations"].items():
            personne = utilisateurs[email]
            instruments.inviter_evaluateur(evaluation, personne, c["profil"], pilote)
            saisies = {item: _saisie(note) for item, note in c["notes"].items()}
            for item, texte in c.get("commentaires", {}).items():
                saisies[item] = replace(saisies.get(item, Saisie()), commentaire=texte)
            instruments.coter(evaluation, personne, saisies)
        if e.get("finalisee"):
            instruments.finaliser(evaluation, pilote)
    for c in donnees.get("consultations", []):
        _consulter(c)


def _consulter(c: dict) -> None:
    """Ouvre le questionnaire, génère les codes de chaque groupe et fait répondre un agent par code
    (groupe après groupe) ; en lien ouvert, les réponses arrivent sans code."""
    systeme, pilote = _systeme_et_pilote(c)
    consultation = instruments.ouvrir_consultation(
        systeme, _national(c["instrument"]), c["moment"], pilote, mode=c.get("mode", "codes")
    )
    feuilles = [
        instruments.creer_groupe_de_codes(consultation, libelle, nombre, pilote).codes
        for libelle, nombre in c.get("groupes", {}).items()
    ]
    codes = [code for tour in zip_longest(*feuilles) for code in tour if code]
    for n, reponse in enumerate(c["reponses"]):
        instruments.repondre_anonymement(
            consultation,
            {item: _saisie(note) for item, note in reponse.items()},
            code=codes[n] if consultation.avec_codes else None,
        )


def _qualifier(qualifications: list[dict], anciennete: int = 0) -> None:
    regles = en_vigueur()
    cas = {c.nom: c for c in regles.cas}
    for q in qualifications:
        systeme, pilote = _systeme_et_pilote(q)
        qualification = conformite.qualifier(systeme, regles, cas[q["cas"]].reponses, pilote)
        if anciennete:
            _antidater(
                Qualification.objects.filter(pk=qualification.pk), "cree_le", timedelta(days=anciennete)
            )


def _antidater(objets: QuerySet[Any], champ: str, il_y_a: timedelta) -> None:
    """Reporte dans le passé une date que le service a fixée à l'instant du chargement (sans nouvelle
    version : l'historique garde l'heure réelle du chargement)."""
    Model = objets.model  # noqa: N806
    Model.objects.filter(pk__in=[o.pk for o in objets]).update(**{champ: timezone.now() - il_y_a})


def _executer(imp: ImportEffectifs) -> None:
    """Le travail que l'import vient de lancer, exécuté ici (la démonstration en a besoin tout de suite)."""
    if imp.travail is None:
        raise CommandError(f"Import de démonstration {imp.nom_fichier} : aucun travail lancé.")
    travaux.executer_ici(imp.travail)
    imp.refresh_from_db()


def _effectifs(donnees: dict, utilisateurs: dict[str, Utilisateur]) -> None:
    """Importe chaque tableau des effectifs par les mêmes services que les pages (la lecture et le
    traitement, travaux de fond, exécutés ici sans attendre le processus de fond), puis la revue, les
    métiers propres, les groupes suivis et leurs actions."""
    for e in donnees.get("effectifs", []):
        organisation = Organisation.objects.get(slug=e["organisation"])
        par = utilisateurs[e["par"]]
        for m in e.get("metiers_propres", []):
            metiers.enregistrer_metier(organisation, m, par)
        contenu = (FICHIER.parent / e["fichier"]).read_bytes()
        imp = metiers.deposer(organisation, par, e["fichier"], contenu)
        _executer(imp)
        metiers.choisir_colonnes(imp, e["colonnes"], par)
        imp.refresh_from_db()
        _executer(imp)
        if imp.etat not in (imp.Etat.REVUE, imp.Etat.PRET):
            message = imp.travail.message if imp.travail else ""
            raise CommandError(f"Import de démonstration {e['fichier']} non abouti : {message}")
        libelles = {lib.libelle: lib.pk for lib in imp.libelles.all()}
        metiers.reviser(imp, {libelles[libelle]: metier for libelle, metier in e["revue"].items()}, par)
        for g in e.get("groupes", []):
            groupe = metiers.suivre_groupe(organisation, g["niveau"], g["dimension"], g["valeur"], par)
            systemes = SystemeIA.objects.filter(organisation=organisation, nom__in=g["systemes"])
            metiers.modifier_groupe(groupe, systemes, g.get("note", ""), groupe.version, par)
            for action in g.get("actions", []):
                metiers.enregistrer_action(groupe, action, par)


class Command(BaseCommand):
    help = "Charge une agglomération fictive, deux communes, leurs systèmes d'IA et un compte par rôle."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", default="8000")

    def handle(self, *args: Any, **options: Any) -> None:
        donnees = yaml.safe_load(FICHIER.read_text(encoding="utf-8"))
        premiere = donnees["organisations"][0]["slug"]
        adresse = f"http://127.0.0.1:{options['port']}"
        if Organisation.objects.filter(slug=premiere).exists():
            self.stdout.write("Démonstration déjà chargée.")
        else:
            with transaction.atomic():
                charger(donnees, adresse)
            # Base neuve : les jetons de génération et les sessions d'une base précédente ne valent plus.
            caches["partage"].clear()
            self.stdout.write("Démonstration chargée.")
        self.stdout.write(f"\nBalise : {adresse}/")
        for o in donnees["organisations"]:
            self.stdout.write(f"Registre public de {o['nom']} : {adresse}/public/{o['slug']}/")
        self.stdout.write(f"\nComptes de démonstration (mot de passe : {donnees['mot_de_passe']}) :")
        roles: dict[str, list[str]] = {}
        for o in donnees["organisations"]:
            for email, role in o["membres"].items():
                # Le libellé du rôle, tel que les pages le montrent (« Référent IA »), jamais son code.
                roles.setdefault(email, []).append(f"{Role(role).label} — {o['nom']}")
        for u in donnees["utilisateurs"]:
            detail = " ; ".join(roles.get(u["email"], [])) or "administrateur de l'instance (/admin/)"
            self.stdout.write(f"  {u['email']:40} {u['prenom']} {u['nom']} — {detail}")
        # Les membres externes sont lus dans les données (pas dans la base) : la liste est la même que
        # la démonstration vienne d'être chargée ou non.
        g = donnees.get("gouvernance") or {}
        noms = {o["slug"]: o["nom"] for o in donnees["organisations"]}
        for i in g.get("instances", []):
            for e in i.get("externes", []):
                siege = ", ".join(x for x in (e.get("qualite"), e.get("college")) if x)
                self.stdout.write(
                    f"  {e['email']:40} {e['prenom']} {e['nom']} — {Role.EXTERNE.label} — "
                    f"{noms[g['organisation']]} : {siege}, "
                    f"{i.get('nom', i['modele'])}"
                )
