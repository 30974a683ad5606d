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
    si: {date_mise_en_service: {avant: x}}     la date répondue précède la date nommée `x` du
                                               calendrier (`a_partir_du: x` : elle est le jour x ou après)

Plusieurs clés dans une même condition valent « toutes ». Ce module ne fait que valider ; le
raisonnement est dans `moteur.py`.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from balise.validation import DonneesInvalides, FichiersVersionnes, lire_yaml

DOSSIER = Path(__file__).parent / "regles"

Identifiant = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]{0,59}$")]
Texte = Annotated[str, Field(min_length=1, max_length=4000)]
MOTS_CLES = {"tous", "un_de", "non", "conclusion"}
COMPARAISONS_DE_DATES = ("avant", "a_partir_du")
# Les catégories AI Act qu'une conclusion peut donner, de la plus grave à la moins grave : un système
# à haut risque soumis aussi à la transparence est « haut risque » (conformite/categories.py).
CategorieAIAct = Literal["interdite", "haut_risque", "transparence", "risque_minimal", "hors_champ"]
GRAVITE: tuple[str, ...] = get_args(CategorieAIAct)
# Les bornes d'une date répondue : ni faute de frappe sur le siècle, ni date qu'aucun texte ne vise.
DATE_MIN, DATE_MAX = date(1950, 1, 1), date(2100, 12, 31)


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
    # « date » : une date ISO (AAAA-MM-JJ), comparée aux dates nommées du calendrier.
    type: Literal["oui_non", "choix", "choix_multiples", "date"]
    choix: list[Choix] = Field(default_factory=list, max_length=40)
    si: dict[str, Any] | None = None
    # Champ de la fiche du registre qui pré-remplit la réponse (la personne la confirme) ; pour un
    # champ numérique et une question oui/non, « oui » à partir de `prerempli_seuil`.
    prerempli: str | None = None
    prerempli_seuil: int | None = None
    references: list[Reference] = Field(default_factory=list)

    @model_validator(mode="after")
    def _choix(self) -> Question:
        if self.type in ("oui_non", "date") and self.choix:
            raise ValueError(f"la question « {self.id} » ne propose pas de choix (type {self.type})")
        if self.type in ("choix", "choix_multiples") and len(self.choix) < 2:
            raise ValueError(f"la question « {self.id} » doit proposer au moins deux choix")
        return self

    @property
    def valeurs(self) -> list[str]:
        """Les réponses possibles ; aucune liste pour une date (toute date entre les bornes)."""
        if self.type == "date":
            return []
        return ["oui", "non"] if self.type == "oui_non" else [c.valeur for c in self.choix]

    def erreurs(self, valeur: object) -> list[str]:
        """Ce qui ne va pas dans une réponse à cette question (vide si elle est possible) : la seule
        règle, qu'appliquent le moteur, l'API et la lecture des cas d'école."""
        multiple = self.type == "choix_multiples"
        if multiple != isinstance(valeur, list):
            return [f"« {self.id} » attend {'une liste de choix' if multiple else 'une seule valeur'}."]
        if self.type == "date":
            jour = lire_date(valeur)
            if jour is None:
                return [f"« {str(valeur)[:60]} » n'est pas une date AAAA-MM-JJ (question « {self.id} »)."]
            if not DATE_MIN <= jour <= DATE_MAX:
                return [
                    f"La date « {valeur} » de « {self.id} » doit être comprise entre "
                    f"{DATE_MIN.year} et {DATE_MAX.year}."
                ]
            return []
        valeurs = valeur if isinstance(valeur, list) else [valeur]
        return [
            f"« {str(v)[:60]} » n'est pas une réponse possible à « {self.id} » "
            f"(réponses possibles : {', '.join(self.valeurs)})."
            for v in valeurs
            if v not in self.valeurs
        ]


def lire_date(valeur: object) -> date | None:
    """La date d'une réponse AAAA-MM-JJ, ou None si ce n'en est pas une."""
    if not isinstance(valeur, str) or len(valeur) != 10:
        return None
    try:
        return date.fromisoformat(valeur)
    except ValueError:
        return None


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
    categorie: CategorieAIAct | None = None
    # À qui la conclusion s'adresse : à la collectivité (par défaut), ou au fournisseur du système
    # quand la collectivité n'en est que le déployeur (art. 50(1), 50(2), mise en conformité…) ; la
    # page montre d'abord ce qui vaut pour la collectivité, puis, à part, ce qui revient au fournisseur.
    porte_sur: Literal["collectivite", "fournisseur"] = "collectivite"
    # Le rôle que la conclusion donne à la collectivité (art. 3 et 25) : il ouvre le résultat.
    role: Literal["deployeur", "fournisseur"] | None = None

    @model_validator(mode="after")
    def _categorie_ai_act(self) -> Conclusion:
        if self.categorie is not None and self.regime != "ai_act":
            raise ValueError(
                f"la conclusion « {self.id} » n'est pas de l'AI Act : elle ne donne pas de catégorie"
            )
        return self


class DateDuTexte(Strict):
    """Une date d'application nommée (« haut_risque_annexe_iii »), avec l'article qui la fixe : les
    obligations la citent par son nom, et un report de la loi ne change qu'elle."""

    date: date
    libelle: Texte
    references: list[Reference] = Field(min_length=1)


class EcheanceSelon(Strict):
    """Une autre date d'application quand la condition est remplie (ex. la transition de l'art. 111(2))."""

    si: dict[str, Any]
    calendrier: Identifiant


class Echeance(Strict):
    # Une date d'application fixée par le texte (`applicable_le`, ou `calendrier` qui la nomme), ou un
    # délai compté à partir de la qualification (ex. 30 jours) ; les deux : la plus tardive des deux.
    # `selon` : des dates nommées qui remplacent `calendrier` sous condition, la première remplie.
    applicable_le: date | None = None
    calendrier: Identifiant | None = None
    selon: list[EcheanceSelon] = Field(default_factory=list, max_length=10)
    delai_jours: int | None = Field(default=None, ge=0, le=3650)
    commentaire: str = Field(default="", max_length=2000)

    @model_validator(mode="after")
    def _au_moins_un(self) -> Echeance:
        if self.applicable_le is None and self.calendrier is None and self.delai_jours is None:
            raise ValueError("une échéance donne une date d'application, un délai, ou les deux")
        if self.applicable_le is not None and self.calendrier is not None:
            raise ValueError(
                "une échéance donne sa date par `applicable_le` ou par `calendrier`, pas les deux"
            )
        if self.selon and self.calendrier is None:
            raise ValueError("`selon` remplace une date du calendrier : donnez aussi `calendrier`")
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
    # Le jour où le cas est qualifié (par défaut la date de mise à jour des règles) et l'échéance
    # attendue de ses obligations : les dates du calendrier sont vérifiées cas par cas.
    qualifiee_le: date | None = None
    echeances: dict[Identifiant, date] = Field(default_factory=dict)


class PointARelire(Strict):
    """Un point douteux, écrit pour le juriste qui relit les règles."""

    sujet: Texte
    detail: Texte
    elements: list[Identifiant] = Field(default_factory=list)


class Retrait(Strict):
    """Un identifiant d'une version précédente qui n'existe plus : son sens a changé, il ne sera
    jamais réutilisé ; `remplace_par` dit ce qui en tient lieu. Une option s'écrit « question.valeur »."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_]{0,59}(\.[a-z0-9][a-z0-9_]{0,59})?$")]
    nature: Literal["question", "option", "conclusion", "obligation"]
    remplace_par: list[str] = Field(default_factory=list)
    motif: Texte


class Regles(Strict):
    version: int = Field(ge=1)
    # « projet » : lue, vérifiée et consultable, mais les nouvelles qualifications gardent la dernière
    # version publiée tant que la relecture n'est pas faite.
    etat: Literal["publiee", "projet"] = "publiee"
    titre: Texte
    avertissement: Texte
    mise_a_jour: date
    # Ce qui change depuis la version précédente, dit à qui se voit proposer une requalification.
    nouveautes: list[Texte] = Field(default_factory=list, max_length=30)
    a_relire: list[PointARelire] = Field(default_factory=list, max_length=60)
    calendrier: dict[Identifiant, DateDuTexte] = Field(default_factory=dict)
    retires: list[Retrait] = Field(default_factory=list)
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

    @cached_property
    def dates(self) -> dict[str, date]:
        """Les dates nommées du calendrier, par nom."""
        return {nom: d.date for nom, d in self.calendrier.items()}

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
        for o in self.obligations:
            erreurs += self._verifier_echeance(o, vues, precedentes)
        cites: list[tuple[str, list[Reference]]] = [
            *((e.id, e.references) for e in elements_cites),
            *((nom, d.references) for nom, d in self.calendrier.items()),
        ]
        for nom, references in cites:
            erreurs += [
                f"« {nom} » cite la source inconnue « {r.source} »"
                for r in references
                if r.source not in self.sources
            ]
        presents = self.identifiants
        erreurs += [
            f"« {r.id} » est retiré : un identifiant retiré n'est jamais réutilisé"
            for r in self.retires
            if r.id in presents
        ]
        erreurs += [
            f"le point à relire « {p.sujet[:40]} » cite « {e} », inconnu"
            for p in self.a_relire
            for e in p.elements
            if e not in presents
        ]
        for cas in self.cas:
            for qid, valeur in cas.reponses.items():
                question = self.par_question.get(qid)
                if question is None:
                    erreurs.append(f"cas « {cas.nom} » : question inconnue « {qid} »")
                    continue
                erreurs += [f"cas « {cas.nom} » : {e}" for e in question.erreurs(valeur)]
            erreurs += [
                f"cas « {cas.nom} » : échéance donnée pour « {o} », que le cas ne liste pas"
                for o in cas.echeances
                if o not in cas.obligations
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

    def _verifier_echeance(self, o: Obligation, vues: set[str], conclusions: set[str]) -> list[str]:
        noms = [o.echeance.calendrier, *(s.calendrier for s in o.echeance.selon)]
        erreurs = [
            f"obligation « {o.id} » : date « {n} » absente du calendrier"
            for n in noms
            if n is not None and n not in self.calendrier
        ]
        for selon in o.echeance.selon:
            erreurs += _verifier_condition(selon.si, f"échéance de « {o.id} »", self, vues, conclusions)
        return erreurs

    @cached_property
    def identifiants(self) -> set[str]:
        """Tout ce qui a un identifiant stable : questions, options (« question.valeur »), conclusions,
        obligations. D'une version à l'autre, même sens, même identifiant ; jamais de réemploi."""
        return {
            *(q.id for q in self.questions),
            *(f"{q.id}.{c.valeur}" for q in self.questions for c in q.choix),
            *self.par_conclusion,
            *(o.id for o in self.obligations),
        }


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
            elif question.type == "date" or isinstance(valeur, dict):
                erreurs += _verifier_comparaison(question, valeur, ou, regles)
            else:
                attendues = valeur if isinstance(valeur, list) else [valeur]
                erreurs += [
                    f"{ou} : « {v} » n'est pas une réponse possible de « {cle} »"
                    for v in attendues
                    if v not in question.valeurs
                ]
    return erreurs


def _verifier_comparaison(question: Question, valeur: Any, ou: str, regles: Regles) -> list[str]:
    """Une date ne se compare qu'à une date nommée du calendrier, et seule une date se compare."""
    if question.type != "date":
        return [f"{ou} : « {question.id} » n'est pas une date, elle ne se compare pas"]
    if not isinstance(valeur, dict) or len(valeur) != 1 or next(iter(valeur)) not in COMPARAISONS_DE_DATES:
        return [
            f"{ou} : « {question.id} » s'écrit {{avant: <date nommée>}} ou {{a_partir_du: <date nommée>}}"
        ]
    nom = next(iter(valeur.values()))
    if nom not in regles.calendrier:
        return [f"{ou} : date « {nom} » absente du calendrier"]
    return []


class ReglesInvalides(DonneesInvalides):
    pass


def lire(texte: str) -> Regles:
    return lire_yaml(texte, Regles, "règles", ReglesInvalides)


_VERSIONS = FichiersVersionnes(
    DOSSIER, "qualification", lire, ReglesInvalides, "Règles de qualification v{numero} introuvables."
)


FICHIER_SCHEMA = DOSSIER / "schema-regles.json"


def schema() -> dict[str, Any]:
    """Le schéma JSON (draft 2020-12) des fichiers de règles, publié pour qu'une autre autorité ou un
    autre outil les lise (`/public/schema/regles-qualification.json`) ; le fichier publié est comparé
    à lui par les tests, qui disent comment le réécrire."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "/public/schema/regles-qualification.json",
        "title": "Règles de qualification réglementaire d'un système d'IA (Balise)",
        "description": "Questions, conclusions, obligations, calendrier, sources et cas d'école d'une "
        "version des règles de qualification (AI Act, RGPD, droit français des algorithmes publics). "
        "Les conditions `si` suivent le langage décrit dans docs/conformite.md ; chaque identifiant garde "
        "son sens d'une version à l'autre ou figure dans `retires` et n'est jamais réemployé.",
        **Regles.model_json_schema(),
    }


def schema_publie() -> str:
    return FICHIER_SCHEMA.read_text(encoding="utf-8")


def fichiers() -> dict[int, Path]:
    """Les versions livrées (les fichiers ne changent pas pendant que l'application tourne)."""
    return _VERSIONS.fichiers


def version(numero: int) -> Regles:
    """Une version des règles : une qualification se relit avec celle qui l'a produite."""
    return _VERSIONS.version(numero)


def en_vigueur() -> Regles:
    """La version publiée la plus récente (les qualifications gardent celle qu'elles ont utilisée) ;
    une version en projet se lit et se consulte, mais ne qualifie pas encore."""
    publiees = [n for n in fichiers() if version(n).etat == "publiee"]
    return version(max(publiees))
