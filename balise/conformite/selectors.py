"""Lectures de la qualification : la dernière d'un système, les obligations d'une organisation."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from balise.organisations.models import Organisation
from balise.registre.models import SystemeIA

from . import moteur
from .categories import qualifications_actuelles
from .models import ObligationSuivie, Qualification
from .regles import Question, Regles, en_vigueur, version
from .services import preremplir

TERMINES = ObligationSuivie.TERMINES
# « À échéance » : dans les trois mois qui viennent.
HORIZON = timedelta(days=90)


def derniere_qualification(systeme: SystemeIA) -> Qualification | None:
    return systeme.qualifications.select_related("cree_par").order_by("-cree_le", "-pk").first()


def relire(qualification: Qualification) -> moteur.Qualification:
    """Le raisonnement d'une qualification enregistrée, refait avec la version des règles qui l'a produite."""
    return moteur.qualifier(
        version(qualification.version_regles), qualification.reponses, qualification.cree_le.date()
    )


@dataclass(frozen=True)
class Questionnaire:
    """Le questionnaire de qualification d'un système : les règles en vigueur et ce qu'on en sait déjà."""

    regles: Regles
    connues: moteur.Reponses  # la dernière qualification, corrigée par la fiche du registre
    preremplies: moteur.Reponses  # ce que la fiche du registre répond déjà

    def a_poser(self) -> list[Question]:
        return moteur.questions_a_poser(self.regles, self.connues)

    def affichees(self, ids: str) -> list[Question]:
        """Les questions qu'avait la page envoyée (liste d'identifiants), parmi celles des règles."""
        montrees = set(ids.split(","))
        return [q for q in self.regles.questions if q.id in montrees]


def questionnaire(systeme: SystemeIA) -> Questionnaire:
    regles = en_vigueur()
    derniere = derniere_qualification(systeme)
    preremplies = preremplir(regles, systeme)
    # Des règles plus récentes que la dernière qualification : seules les réponses qu'elles comprennent
    # encore sont reprises.
    anciennes = moteur.reprendre(regles, derniere.reponses) if derniere else {}
    return Questionnaire(regles, {**anciennes, **preremplies}, preremplies)


def nouvelles_regles(qualification: Qualification | None) -> Regles | None:
    """Les règles en vigueur, si elles sont plus récentes que celles de cette qualification : le
    système se voit proposer une requalification ; rien ne change sans elle."""
    regles = en_vigueur()
    if qualification is None or qualification.version_regles >= regles.version:
        return None
    return regles


def sur_anciennes_regles(organisation: Organisation) -> list[Qualification]:
    """La dernière qualification de chaque système actif qui l'a été avec des règles antérieures."""
    courante = en_vigueur().version
    systemes = {
        s.pk: s for s in SystemeIA.objects.filter(organisation=organisation).actifs().only("pk", "nom")
    }
    anciennes = [q for q in qualifications_actuelles(systemes).values() if q.version_regles < courante]
    for q in anciennes:
        q.systeme = systemes[q.systeme_id]  # déjà lu : ni requête par ligne, ni jointure
    return sorted(anciennes, key=lambda q: q.systeme.nom)


def obligations_du_systeme(systeme: SystemeIA, aujourd_hui: date) -> QuerySet[ObligationSuivie]:
    return (
        systeme.obligations.filter(applicable=True)
        .select_related("responsable", "preuve_document")
        .avec_retard(aujourd_hui)
    )


def obligation(organisation: Organisation, pk: int) -> ObligationSuivie:
    return get_object_or_404(
        ObligationSuivie.objects.select_related("systeme", "responsable", "preuve_document", "qualification"),
        organisation=organisation,
        pk=pk,
        systeme__archive_le__isnull=True,
    )


@dataclass
class Tableau:
    en_retard: int
    a_echeance: int
    faites: int
    total: int


FILTRES = {
    "toutes": "Toutes",
    "en_retard": "En retard",
    "a_echeance": "À échéance dans les 3 mois",
    "a_venir": "Plus tard",
    "terminees": "Faites ou sans objet",
}


def obligations(
    organisation: Organisation, filtre: str, aujourd_hui: date
) -> tuple[QuerySet[ObligationSuivie], Tableau]:
    base = ObligationSuivie.objects.filter(
        organisation=organisation, applicable=True, systeme__archive_le__isnull=True
    ).select_related("systeme", "responsable")
    base = base.avec_retard(aujourd_hui)
    ouvertes = base.exclude(statut__in=TERMINES)
    choix = {
        "toutes": base,
        "en_retard": base.filter(en_retard=True),  # type: ignore[misc]  # annotation de avec_retard, inconnue des stubs
        "a_echeance": ouvertes.filter(echeance__gte=aujourd_hui, echeance__lte=aujourd_hui + HORIZON),
        "a_venir": ouvertes.filter(echeance__gt=aujourd_hui + HORIZON),
        "terminees": base.filter(statut__in=TERMINES),
    }
    tableau = Tableau(
        en_retard=choix["en_retard"].count(),
        a_echeance=choix["a_echeance"].count(),
        faites=choix["terminees"].count(),
        total=base.count(),
    )
    return choix.get(filtre, base).order_by("echeance", "systeme__nom", "pk"), tableau


def a_requalifier(organisation: Organisation) -> QuerySet[Qualification]:
    """Les systèmes dont la fiche a changé depuis leur dernière qualification."""
    return (
        Qualification.objects.filter(
            organisation=organisation, a_requalifier=True, systeme__archive_le__isnull=True
        )
        .select_related("systeme")
        .order_by("systeme__nom")
    )
