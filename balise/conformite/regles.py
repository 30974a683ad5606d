"""Le schéma des règles de qualification (AI Act, RGPD, droit des algorithmes publics) et leur lecture.

Les règles sont un fichier YAML versionné (`regles/qualification-v<N>.yaml`) qu'un juriste lit et
corrige : les questions (posées seulement quand leur condition `si` est remplie), les conclusions
qu'on en tire, les obligations qui en découlent avec leur date d'application, et les sources. Une
condition s'écrit sans code :

    si: {systeme_ia: oui}                      la réponse vaut « oui »
    si: {annexe_iii: [emploi, aides_sociales]} la réponse est l'une de ces valeurs (ou, pour une
                                               question à choix multiples, en contient une)
    si: {tous: [<condition>, …]}               toutes sont vraies
    si: {un_de: [<condition>, …]}              au moins une est vraie
    si: {non: <condition>}                     la condition est fausse
    si: {conclusion: haut_risque}              la conclusion « haut_risque » est retenue

Plusieurs clés dans une même condition valent « toutes ». Ce module ne fait que valider ; le
raisonnement est dans `moteur.py`.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from balise.validation import DonneesInvalides, FichiersVersionnes, lire_yaml

DOSSIER = Path(__file__).parent / "regles"

Identifiant = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]{0,59}$")]
Texte = Annotated[str, Field(min_length=1, max_length=4000)]
MOTS_CLES = {"tous", "un_de", "non", "conclusion"}


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reference(Strict):
    """Un article cité : le texte (clé de `sources`) et l'endroit précis."""

    source: Identifiant
    article: Texte


class Source(Strict):
    titre: Texte
    url: str | None = None


class Choix(Strict):
    valeur: Identifiant
    libelle: Texte


class Question(Strict):
    id: Identifiant
    regime: Literal["ai_act", "rgpd", "crpa", "general"]
    texte: Texte
    aide: str = Field(default="", max_length=4000)
    type: Literal["oui_non", "choix", "choix_multiples"]
    choix: list[Choix] = Field(default_factory=list, max_length=40)
    si: dict[str, Any] | None = None
    # Champ de la fiche du registre qui pré-remplit la réponse (la personne la confirme) ; pour un
    # champ numérique et une question oui/non, « oui » à partir de `prerempli_seuil`.
    prerempli: str | None = None
    prerempli_seuil: int | None = None
    references: list[Reference] = Field(default_factory=list)

    @model_validator(mode="after")
    def _choix(self) -> Question:
        if self.type == "oui_non" and self.choix:
            raise ValueError(f"la question « {self.id} » est oui/non : elle ne propose pas de choix")
        if self.type != "oui_non" and len(self.choix) < 2:
            raise ValueError(f"la question « {self.id} » doit proposer au moins deux choix")
        return self

    @property
    def valeurs(self) -> list[str]:
        return ["oui", "non"] if self.type == "oui_non" else [c.valeur for c in self.choix]


class Conclusion(Strict):
    id: Identifiant
    regime: Literal["ai_act", "rgpd", "crpa"]
    libelle: Texte
    explication: Texte
    si: dict[str, Any]
    references: list[Reference] = Field(min_length=1)
    # Cette conclusion appelle la publication du système au registre public (CRPA).
    propose_publication: bool = False
    # La catégorie AI Act que la conclusion donne au système (conformite/categories.py) : une
    # pratique interdite, le haut risque, la transparence, le risque minimal, ou hors du champ.
    categorie: Literal["interdite", "haut_risque", "transparence", "risque_minimal", "hors_champ"] | None = (
        None
    )

    @model_validator(mode="after")
    def _categorie_ai_act(self) -> Conclusion:
        if self.categorie is not None and self.regime != "ai_act":
            raise ValueError(
                f"la conclusion « {self.id} » n'est pas de l'AI Act : elle ne donne pas de catégorie"
            )
        return self


class Echeance(Strict):
    # Une date d'application fixée par le texte (ex. 2 août 2026), ou un délai compté à partir de
    # la qualification (ex. 30 jours) ; les deux : la plus tardive des deux.
    applicable_le: date | None = None
    delai_jours: int | None = Field(default=None, ge=0, le=3650)
    commentaire: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _au_moins_un(self) -> Echeance:
        if self.applicable_le is None and self.delai_jours is None:
            raise ValueError("une échéance donne une date d'application, un délai, ou les deux")
        return self


class Obligation(Strict):
    id: Identifiant
    regime: Literal["ai_act", "rgpd", "crpa"]
    titre: Texte
    description: Texte
    si: dict[str, Any]
    echeance: Echeance
    # Le rôle qui porte l'obligation par défaut dans l'organisation.
    responsable: Literal["administrateur", "referent", "dpo"]
    references: list[Reference] = Field(min_length=1)


class Cas(Strict):
    """Un cas d'école tiré des sources, vérifié par les tests : réponses → conclusions attendues."""

    nom: Texte
    source: Texte
    reponses: dict[Identifiant, str | list[str]]
    conclusions: list[Identifiant]
    obligations: list[Identifiant] = Field(default_factory=list)


class Regles(Strict):
    version: int = Field(ge=1)
    titre: Texte
    avertissement: Texte
    mise_a_jour: date
    sources: dict[Identifiant, Source]
    questions: list[Question] = Field(min_length=1)
    conclusions: list[Conclusion] = Field(min_length=1)
    obligations: list[Obligation] = Field(default_factory=list)
    cas: list[Cas] = Field(default_factory=list)

    @cached_property
    def par_question(self) -> dict[str, Question]:
        return {q.id: q for q in self.questions}

    @cached_property
    def par_conclusion(self) -> dict[str, Conclusion]:
        return {c.id: c for c in self.conclusions}

    def citer(self, references: list[Reference]) -> list[dict[str, str | None]]:
        """Les articles cités, avec le titre et l'adresse de leur texte (pages, PDF et API)."""
        return [
            {"article": r.article, "texte": self.sources[r.source].titre, "url": self.sources[r.source].url}
            for r in references
        ]

    @model_validator(mode="after")
    def _coherence(self) -> Regles:
        erreurs: list[str] = []
        for nom, elements in (
            ("question", self.questions),
            ("conclusion", self.conclusions),
            ("obligation", self.obligations),
        ):
            ids = [e.id for e in elements]
            erreurs += [
                f"{nom} « {i} » définie deux fois" for i in sorted({i for i in ids if ids.count(i) > 1})
            ]
        vues: set[str] = set()
        for q in self.questions:
            # Une question ne dépend que de questions posées avant elle : l'ordre du fichier est celui du questionnaire.
            if q.si is not None:
                erreurs += _verifier_condition(q.si, f"question « {q.id} »", self, vues, None)
            vues.add(q.id)
        # Une conclusion ne s'appuie que sur des conclusions écrites avant elle : le raisonnement se
        # lit de haut en bas, sans boucle possible.
        precedentes: set[str] = set()
        for c in self.conclusions:
            erreurs += _verifier_condition(c.si, f"conclusion « {c.id} »", self, vues, precedentes)
            precedentes.add(c.id)
        for o in self.obligations:
            erreurs += _verifier_condition(o.si, f"obligation « {o.id} »", self, vues, precedentes)
        elements_cites: list[Question | Conclusion | Obligation] = [
            *self.questions,
            *self.conclusions,
            *self.obligations,
        ]
        for element in elements_cites:
            erreurs += [
                f"« {element.id} » cite la source inconnue « {r.source} »"
                for r in element.references
                if r.source not in self.sources
            ]
        for cas in self.cas:
            for qid, valeur in cas.reponses.items():
                question = self.par_question.get(qid)
                if question is None:
                    erreurs.append(f"cas « {cas.nom} » : question inconnue « {qid} »")
                    continue
                valeurs = valeur if isinstance(valeur, list) else [valeur]
                erreurs += [
                    f"cas « {cas.nom} » : « {v} » n'est pas une réponse de « {qid} »"
                    for v in valeurs
                    if v not in question.valeurs
                ]
            erreurs += [
                f"cas « {cas.nom} » : conclusion inconnue « {c} »"
                for c in cas.conclusions
                if c not in self.par_conclusion
            ]
            obligations = {o.id for o in self.obligations}
            erreurs += [
                f"cas « {cas.nom} » : obligation inconnue « {o} »"
                for o in cas.obligations
                if o not in obligations
            ]
        if erreurs:
            raise ValueError(" ; ".join(erreurs))
        return self


def _verifier_condition(
    condition: Any, ou: str, regles: Regles, vues: set[str], conclusions: set[str] | None
) -> list[str]:
    """Les erreurs d'une condition ; `conclusions` : celles qu'elle peut citer (None : aucune)."""
    if not isinstance(condition, dict) or not condition:
        return [f"{ou} : une condition est un dictionnaire non vide"]
    erreurs = []
    for cle, valeur in condition.items():
        if cle in ("tous", "un_de"):
            if not isinstance(valeur, list) or not valeur:
                erreurs.append(f"{ou} : « {cle} » attend une liste de conditions")
                continue
            for sous in valeur:
                erreurs += _verifier_condition(sous, ou, regles, vues, conclusions)
        elif cle == "non":
            erreurs += _verifier_condition(valeur, ou, regles, vues, conclusions)
        elif cle == "conclusion":
            if conclusions is None:
                erreurs.append(f"{ou} : une question ne peut pas dépendre d'une conclusion")
            elif valeur not in regles.par_conclusion:
                erreurs.append(f"{ou} : conclusion inconnue « {valeur} »")
            elif valeur not in conclusions:
                erreurs.append(f"{ou} : s'appuie sur la conclusion « {valeur} », écrite plus bas")
        else:
            question = regles.par_question.get(cle)
            if question is None:
                erreurs.append(f"{ou} : question inconnue « {cle} »")
            elif cle not in vues:
                erreurs.append(f"{ou} : dépend de « {cle} », qui n'est posée qu'après")
            else:
                attendues = valeur if isinstance(valeur, list) else [valeur]
                erreurs += [
                    f"{ou} : « {v} » n'est pas une réponse possible de « {cle} »"
                    for v in attendues
                    if v not in question.valeurs
                ]
    return erreurs


class ReglesInvalides(DonneesInvalides):
    pass


def lire(texte: str) -> Regles:
    return lire_yaml(texte, Regles, "règles", ReglesInvalides)


_VERSIONS = FichiersVersionnes(
    DOSSIER, "qualification", lire, ReglesInvalides, "Règles de qualification v{numero} introuvables."
)


def fichiers() -> dict[int, Path]:
    """Les versions livrées (les fichiers ne changent pas pendant que l'application tourne)."""
    return _VERSIONS.fichiers


def version(numero: int) -> Regles:
    """Une version des règles : une qualification se relit avec celle qui l'a produite."""
    return _VERSIONS.version(numero)


def en_vigueur() -> Regles:
    """La version la plus récente des règles (les qualifications gardent celle qu'elles ont utilisée)."""
    return _VERSIONS.en_vigueur()
