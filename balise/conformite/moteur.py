"""Le raisonnement de la qualification : des réponses aux conclusions et aux obligations, sans base de données.

Tout le droit est dans les règles (`regles/qualification-v<N>.yaml`) ; ce module sait seulement
évaluer leurs conditions. Il dit aussi, pour chaque conclusion, quelles réponses l'ont produite :
c'est ce que la personne voit sous le résultat, et ce qu'un juriste relit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property
from typing import Any

from .regles import GRAVITE, Conclusion, Obligation, Question, Regles, lire_date

Reponses = dict[str, str | list[str]]
Calendrier = dict[str, date]


def _vraie(condition: dict[str, Any], reponses: Reponses, retenues: set[str], dates: Calendrier) -> bool:
    """`dates` : les dates nommées du calendrier des règles, auxquelles se comparent les réponses-dates."""
    for cle, attendu in condition.items():
        if cle == "tous":
            ok = all(_vraie(c, reponses, retenues, dates) for c in attendu)
        elif cle == "un_de":
            ok = any(_vraie(c, reponses, retenues, dates) for c in attendu)
        elif cle == "non":
            ok = not _vraie(attendu, reponses, retenues, dates)
        elif cle == "conclusion":
            ok = attendu in retenues
        elif isinstance(attendu, dict):
            # {question_date: {avant: nom}} ; une date absente ou illisible ne compare rien : faux.
            jour = lire_date(reponses.get(cle))
            ((comparaison, nom),) = attendu.items()
            ok = jour is not None and (jour < dates[nom] if comparaison == "avant" else jour >= dates[nom])
        else:
            donnee = reponses.get(cle)
            permises = set(attendu) if isinstance(attendu, list) else {attendu}
            # Une question sans réponse donne {None}, qui ne rencontre aucune valeur permise.
            donnees: set[str | None] = set(donnee) if isinstance(donnee, list) else {donnee}
            ok = bool(permises & donnees)
        if not ok:
            return False
    return True


def _decisives(
    regles: Regles, condition: dict[str, Any], reponses: Reponses, retenues: set[str]
) -> list[str]:
    """Les questions dont les réponses donnent à la condition sa valeur, vraie ou fausse.

    Seules comptent les parties qui ont cette même valeur : d'un « un_de » vrai, les branches
    vraies ; d'un « tous » faux, les parties fausses. Une réponse qui n'a rien décidé (la branche
    « données personnelles : non » d'une AIPD due pour une autre raison) n'est pas un motif.
    """
    dates = regles.dates
    valeur = _vraie(condition, reponses, retenues, dates)
    citees: list[str] = []
    for cle, attendu in condition.items():
        # Plusieurs clés valent « toutes » : vraie, chacune compte ; fausse, seules les fausses.
        if _vraie({cle: attendu}, reponses, retenues, dates) != valeur:
            continue
        if cle in ("tous", "un_de"):
            citees += [
                q
                for sous in attendu
                if _vraie(sous, reponses, retenues, dates) == valeur
                for q in _decisives(regles, sous, reponses, retenues)
            ]
        elif cle == "non":
            citees += _decisives(regles, attendu, reponses, retenues)
        elif cle == "conclusion":
            # Une conclusion ne cite que des conclusions écrites avant elle : la récursion s'arrête.
            citees += _decisives(regles, regles.par_conclusion[attendu].si, reponses, retenues)
        elif cle in reponses:
            citees.append(cle)
    return citees


def questions_a_poser(regles: Regles, reponses: Reponses) -> list[Question]:
    """Les questions qui comptent vu les réponses déjà données, dans l'ordre du fichier.

    Une réponse à une question qui ne se pose plus (une réponse antérieure a changé) est ignorée.
    """
    posees: list[Question] = []
    retenues: Reponses = {}
    for question in regles.questions:
        if question.si is None or _vraie(question.si, retenues, set(), regles.dates):
            posees.append(question)
            if question.id in reponses:
                retenues[question.id] = reponses[question.id]
    return posees


def reponses_utiles(regles: Regles, reponses: Reponses) -> Reponses:
    """Les seules réponses aux questions qui se posent : le reste ne doit peser sur rien."""
    posees = {q.id for q in questions_a_poser(regles, reponses)}
    return {qid: valeur for qid, valeur in reponses.items() if qid in posees}


@dataclass(frozen=True)
class Motif:
    """Une réponse qui a conduit à un résultat, avec le texte de la question."""

    question: Question
    reponse: str | list[str]

    @property
    def reponse_affichee(self) -> str:
        libelles = {"oui": "Oui", "non": "Non"} | {c.valeur: c.libelle for c in self.question.choix}
        valeurs = self.reponse if isinstance(self.reponse, list) else [self.reponse]
        return ", ".join(libelles.get(v, v) for v in valeurs) or "Aucun"


@dataclass(frozen=True)
class ConclusionRetenue:
    conclusion: Conclusion
    motifs: list[Motif]


@dataclass(frozen=True)
class ObligationRetenue:
    obligation: Obligation
    echeance: date
    motifs: list[Motif]


@dataclass(frozen=True)
class Qualification:
    regles: Regles
    reponses: Reponses
    questions: list[Question]  # celles qui se posaient
    manquantes: list[Question]  # posées mais sans réponse : la qualification est incomplète
    conclusions: list[ConclusionRetenue]
    obligations: list[ObligationRetenue]

    @property
    def complete(self) -> bool:
        return not self.manquantes

    @property
    def propose_publication(self) -> bool:
        return any(c.conclusion.propose_publication for c in self.conclusions)

    def par_regime(self, regime: str) -> list[ConclusionRetenue]:
        """Les conclusions d'un régime qui valent pour la collectivité (celles du fournisseur à part)."""
        return [
            c
            for c in self.conclusions
            if c.conclusion.regime == regime and c.conclusion.porte_sur == "collectivite"
        ]

    @property
    def pour_le_fournisseur(self) -> list[ConclusionRetenue]:
        """Ce qui incombe au fournisseur quand la collectivité n'est que déployeur (art. 50(1), 50(2)…)."""
        return [c for c in self.conclusions if c.conclusion.porte_sur == "fournisseur"]

    @cached_property
    def position(self) -> Position:
        """Ce que le résultat dit d'abord : le rôle de la collectivité, la catégorie la plus grave que
        lui donnent les conclusions, et ses obligations, de la plus proche à la plus lointaine."""
        roles = [c.conclusion.role for c in self.conclusions if c.conclusion.role is not None]
        categories = {c.conclusion.categorie for c in self.conclusions}
        retenues = [c for c in self.conclusions if c.conclusion.categorie is not None]
        categorie = next((g for g in GRAVITE if g in categories), None)
        return Position(
            role=roles[-1] if roles else None,
            categorie=categorie,
            fondee_sur=[c for c in retenues if c.conclusion.categorie == categorie],
            obligations=sorted(self.obligations, key=lambda o: (o.echeance, o.obligation.id)),
        )


@dataclass(frozen=True)
class Position:
    """La situation de la collectivité, en tête du résultat (« pour la collectivité : … »)."""

    role: str | None  # « deployeur » ou « fournisseur » ; None : hors du champ de l'AI Act
    categorie: str | None  # la plus grave des catégories AI Act retenues (regles.GRAVITE)
    fondee_sur: list[ConclusionRetenue]  # les conclusions qui donnent cette catégorie
    obligations: list[ObligationRetenue]


def _motifs(regles: Regles, condition: dict[str, Any], reponses: Reponses, retenues: set[str]) -> list[Motif]:
    """Les réponses qui fondent un résultat, y compris celles des conclusions sur lesquelles il
    s'appuie ; `reponses` ne doit contenir que les réponses utiles (aux questions encore posées)."""
    vus = dict.fromkeys(_decisives(regles, condition, reponses, retenues))
    return [Motif(regles.par_question[q], reponses[q]) for q in vus]


def echeance(
    regles: Regles, obligation: Obligation, qualifiee_le: date, reponses: Reponses, retenues: set[str]
) -> date:
    """La date à laquelle l'obligation s'impose : la date du texte (celle du calendrier que choisit la
    première condition `selon` remplie, sinon la date nommée ou écrite), le délai compté depuis la
    qualification, ou la plus tardive des deux."""
    regle = obligation.echeance
    nom = next(
        (s.calendrier for s in regle.selon if _vraie(s.si, reponses, retenues, regles.dates)),
        regle.calendrier,
    )
    dates = [regles.dates[nom]] if nom is not None else []
    if regle.applicable_le is not None:
        dates.append(regle.applicable_le)
    if regle.delai_jours is not None:
        dates.append(qualifiee_le + timedelta(days=regle.delai_jours))
    return max(dates)


def qualifier(regles: Regles, reponses: Reponses, qualifiee_le: date | None = None) -> Qualification:
    qualifiee_le = qualifiee_le or date.today()
    questions = questions_a_poser(regles, reponses)
    utiles = reponses_utiles(regles, reponses)
    # Une conclusion peut s'appuyer sur les conclusions écrites avant elle (vérifié à la lecture des
    # règles) : un seul passage, dans l'ordre du fichier.
    retenues: set[str] = set()
    for c in regles.conclusions:
        if _vraie(c.si, utiles, retenues, regles.dates):
            retenues.add(c.id)
    conclusions = [
        ConclusionRetenue(c, _motifs(regles, c.si, utiles, retenues))
        for c in regles.conclusions
        if c.id in retenues
    ]
    obligations = [
        ObligationRetenue(
            o, echeance(regles, o, qualifiee_le, utiles, retenues), _motifs(regles, o.si, utiles, retenues)
        )
        for o in regles.obligations
        if _vraie(o.si, utiles, retenues, regles.dates)
    ]
    return Qualification(
        regles=regles,
        reponses=utiles,
        questions=questions,
        manquantes=[q for q in questions if q.id not in utiles],
        conclusions=conclusions,
        obligations=obligations,
    )


def reprendre(regles: Regles, reponses: Reponses) -> Reponses:
    """Les réponses d'une qualification antérieure que ces règles comprennent encore : une question
    retirée ou une valeur qui n'existe plus n'est pas reprise, la personne y répond à nouveau."""
    return {
        qid: valeur
        for qid, valeur in reponses.items()
        if qid in regles.par_question and not regles.par_question[qid].erreurs(valeur)
    }


class ReponsesInvalides(ValueError):
    """Des réponses qui ne sont pas celles des règles (question inconnue, valeur non prévue)."""

    def __init__(self, erreurs: list[str]) -> None:
        self.erreurs = erreurs
        super().__init__(" ".join(erreurs))


def verifier(regles: Regles, reponses: Reponses) -> None:
    """Refuse en bloc toute réponse qui ne correspond pas à une question et à ses valeurs possibles."""
    erreurs = []
    for qid, valeur in reponses.items():
        question = regles.par_question.get(qid)
        if question is None:
            erreurs.append(f"La question « {qid[:60]} » n'existe pas dans les règles v{regles.version}.")
        else:
            erreurs += question.erreurs(valeur)
    if erreurs:
        raise ReponsesInvalides(erreurs)
