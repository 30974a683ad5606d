"""Qualifier un système, suivre ses obligations, le signaler quand le registre a changé sous sa qualification."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from balise import versions
from balise.comptes.models import Utilisateur
from balise.formations import services as formations
from balise.organisations.models import Adhesion
from balise.registre.models import SystemeIA

from . import moteur
from .models import ObligationSuivie, Qualification
from .regles import Question, Regles, lire_date
from .regles import version as regles_de_version


def donnees_du_registre(regles: Regles, systeme: SystemeIA) -> dict[str, Any]:
    """Les données de la fiche (et de l'organisation) que les règles pré-remplissent, plus le stade.

    Gardées avec la qualification (JSON) puis comparées à celles du moment (`signaler_si_necessaire`) :
    une date y est écrite en AAAA-MM-JJ, des deux côtés."""
    donnees: dict[str, Any] = {"stade": systeme.stade}
    for question in regles.questions:
        if question.prerempli:
            objet, champ = (
                (systeme.organisation, question.prerempli.split(".", 1)[1])
                if question.prerempli.startswith("organisation.")
                else (systeme, question.prerempli)
            )
            valeur = getattr(objet, champ, None)
            donnees[question.prerempli] = valeur.isoformat() if isinstance(valeur, date) else valeur
    return donnees


def preremplir(regles: Regles, systeme: SystemeIA) -> moteur.Reponses:
    """Les réponses que la fiche du registre donne déjà ; la personne les voit et peut les corriger."""
    donnees = donnees_du_registre(regles, systeme)
    reponses: moteur.Reponses = {}
    for question in regles.questions:
        if not question.prerempli:
            continue
        valeur = donnees.get(question.prerempli)
        if isinstance(valeur, bool) and question.type == "oui_non":
            reponses[question.id] = "oui" if valeur else "non"
        elif isinstance(valeur, int) and question.type == "oui_non" and question.prerempli_seuil is not None:
            reponses[question.id] = "oui" if valeur >= question.prerempli_seuil else "non"
        elif question.type == "date" and isinstance(valeur, str) and lire_date(valeur) is not None:
            reponses[question.id] = valeur  # déjà en AAAA-MM-JJ (donnees_du_registre)
        elif isinstance(valeur, str) and valeur in question.valeurs:
            reponses[question.id] = valeur
    return reponses


def _responsable_par_defaut(systeme: SystemeIA, role: str) -> Utilisateur | None:
    adhesion = (
        Adhesion.objects.filter(organisation=systeme.organisation, role=role)
        .select_related("utilisateur")
        .order_by("pk")
        .first()
    )
    return adhesion.utilisateur if adhesion else None


def qualifier(
    systeme: SystemeIA, regles: Regles, reponses: moteur.Reponses, par: Utilisateur
) -> Qualification:
    """Enregistre une qualification complète et met à jour les obligations du système."""
    try:
        moteur.verifier(regles, reponses)
    except moteur.ReponsesInvalides as exc:
        raise ValidationError(exc.erreurs) from None
    resultat = moteur.qualifier(regles, reponses)
    if not resultat.complete:
        raise ValidationError(f"Il reste {len(resultat.manquantes)} question(s) sans réponse.")
    if systeme.archive_le is not None:
        raise ValidationError("Un système archivé ne se qualifie pas.")
    with transaction.atomic():
        # Une nouvelle qualification remplace les précédentes : leur signalement n'a plus d'objet.
        systeme.qualifications.filter(a_requalifier=True).update(a_requalifier=False)
        qualification = Qualification(
            organisation=systeme.organisation,
            systeme=systeme,
            version_regles=regles.version,
            reponses=resultat.reponses,
            conclusions=[c.conclusion.id for c in resultat.conclusions],
            donnees_registre=donnees_du_registre(regles, systeme),
            cree_par=par,
        )
        versions.attribuer(qualification, par)
        existantes = {o.code: o for o in systeme.obligations.select_for_update()}
        produites = set()
        for retenue in resultat.obligations:
            o = retenue.obligation
            produites.add(o.id)
            suivie = existantes.get(o.id) or ObligationSuivie(
                organisation=systeme.organisation,
                systeme=systeme,
                code=o.id,
                responsable=_responsable_par_defaut(systeme, o.responsable),
            )
            # Ce qui vient des règles suit la nouvelle qualification ; l'état, le responsable et la
            # preuve, saisis par l'organisation, sont gardés.
            suivie.qualification, suivie.regime, suivie.titre = qualification, o.regime, o.titre
            suivie.echeance, suivie.applicable = retenue.echeance, True
            versions.attribuer(suivie, par)
        for code, suivie in existantes.items():
            if code not in produites and suivie.applicable:
                suivie.applicable = False
                versions.attribuer(suivie, par, update_fields=["applicable", "modifie_le"])
        # L'obligation de formation (art. 4) naît dans l'état que donne déjà la couverture de formation.
        formations.suivre_obligations(systeme.organisation, par, [systeme.pk])
        return qualification


CHAMPS_OBLIGATION = ["statut", "responsable", "preuve_document", "preuve_lien", "commentaire"]


def modifier_obligation(
    pk: int, donnees: dict[str, Any], version: int | None, par: Utilisateur
) -> ObligationSuivie:
    with transaction.atomic():
        obligation = versions.verrouiller(ObligationSuivie.objects.all(), pk, version)
        document = donnees.get("preuve_document")
        if document is not None and document.systeme_id != obligation.systeme_id:
            raise ValidationError("La preuve doit être un document de ce système.")
        responsable = donnees.get("responsable")
        if (
            responsable is not None
            and not Adhesion.objects.filter(
                organisation=obligation.organisation, utilisateur=responsable
            ).exists()
        ):
            raise ValidationError("Le responsable doit être membre de l'organisation.")
        for champ in CHAMPS_OBLIGATION:
            if champ in donnees:
                setattr(obligation, champ, donnees[champ])
        versions.enregistrer(obligation, par)
        return obligation


def signaler_si_necessaire(systeme: SystemeIA) -> bool:
    """Signale le système à requalifier si une donnée du registre qu'a utilisée sa dernière
    qualification a changé (données personnelles, type d'IA, stade…). Renvoie vrai s'il l'est."""
    derniere = systeme.qualifications.order_by("-cree_le", "-pk").first()
    if derniere is None or derniere.a_requalifier:
        return False
    avant = derniere.donnees_registre
    maintenant = donnees_du_registre(regles_de_version(derniere.version_regles), systeme)
    changes = sorted(k for k in maintenant.keys() | avant.keys() if maintenant.get(k) != avant.get(k))
    if not changes:
        return False
    derniere.a_requalifier = True
    derniere.motif_requalification = (
        "Données du registre modifiées depuis la qualification : " + ", ".join(changes) + "."
    )
    # Le signalement est attribué à qui a changé la fiche, même hors d'une requête (démonstration,
    # commande) ; dans une requête sans auteur connu, le middleware de simple-history y pourvoit.
    champs = ["a_requalifier", "motif_requalification"]
    auteur = getattr(systeme, "_history_user", None)
    if auteur is not None:
        versions.attribuer(derniere, auteur, update_fields=champs)
    else:
        derniere.save(update_fields=champs)
    return True


@dataclass(frozen=True)
class SuiteDuQuestionnaire:
    """Ce que devient le questionnaire après un envoi valide."""

    reponses: moteur.Reponses  # les réponses connues, complétées de celles envoyées
    a_poser: list[Question]  # les questions qui se posent, vu ces réponses
    nouvelles: bool  # les réponses en font apparaître que la page n'avait pas : les montrer d'abord
    manquantes: list[Question]  # celles qui se posent et restent sans réponse


def suite_du_questionnaire(
    regles: Regles, connues: moteur.Reponses, affichees: list[Question], envoyees: moteur.Reponses
) -> SuiteDuQuestionnaire:
    """On n'enregistre qu'une qualification complète ; une question apparue depuis l'affichage de la
    page est montrée, pas reprochée."""
    reponses = connues | envoyees
    a_poser = moteur.questions_a_poser(regles, reponses)
    montrees = {q.id for q in affichees}
    return SuiteDuQuestionnaire(
        reponses,
        a_poser,
        nouvelles=any(q.id not in montrees for q in a_poser),
        manquantes=[q for q in a_poser if q.id not in reponses],
    )
