"""API de la qualification réglementaire : les règles, et le raisonnement reproductible.

Les règles sont du droit public mis en données : leurs trois routes de lecture sont ouvertes sans
compte, pour qu'une autre autorité ou un autre outil les réutilise (schéma JSON publié à
`/public/schema/regles-qualification.json`). `POST /api/conformite/qualification` prend des réponses
et rend la qualification qu'en tirent les règles, sans rien enregistrer : un juriste ou un outil
tiers peut ainsi rejouer n'importe quel cas, avec n'importe quelle version.
"""

from datetime import date
from typing import Annotated

from ninja import Field, Path, Router, Schema
from ninja.errors import HttpError
from pydantic import AfterValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from balise.conformite import moteur, regles

from .schemas import Corps, DateISO, Erreur, ErreurValidation

routeur = Router(tags=["Qualification réglementaire"])

ReponseT = str | list[str]


def _livree(numero: int) -> int:
    if numero not in regles.fichiers():
        versions = ", ".join(str(n) for n in sorted(regles.fichiers()))
        raise PydanticCustomError("version_inconnue", f"Versions des règles livrées : {versions}.")
    return numero


# Le document OpenAPI énumère les versions livrées ; une autre est refusée (422) avec la liste.
VersionLivree = Annotated[
    int, AfterValidator(_livree), WithJsonSchema({"type": "integer", "enum": sorted(regles.fichiers())})
]


class ReponsesEntree(Corps):
    reponses: dict[str, ReponseT] = Field(
        ...,
        description="Réponse à chaque question (identifiant → valeur, ou liste de valeurs pour un choix multiple).",
        examples=[{"systeme_ia": "oui"}],
    )
    qualifiee_le: DateISO | None = Field(
        None, description="Date de la qualification (par défaut : aujourd'hui)."
    )
    version_regles: VersionLivree | None = Field(
        None,
        description="Version des règles à appliquer (par défaut : la dernière publiée) ; rejoue une "
        "qualification enregistrée avec la version qui l'a produite.",
    )


class ReferenceSortie(Schema):
    texte: str
    article: str
    url: str | None


class ChoixSortie(Schema):
    valeur: str
    libelle: str


class QuestionSortie(Schema):
    id: str
    regime: str
    texte: str
    aide: str
    type: str
    choix: list[ChoixSortie]
    references: list[ReferenceSortie]


class MotifSortie(Schema):
    question: str
    texte: str
    reponse: ReponseT
    reponse_affichee: str


class ConclusionSortie(Schema):
    id: str
    regime: str
    porte_sur: str = Field(
        ..., description="« collectivite », ou « fournisseur » pour ses propres obligations."
    )
    libelle: str
    explication: str
    references: list[ReferenceSortie]
    motifs: list[MotifSortie]


class ObligationSortie(Schema):
    id: str
    regime: str
    titre: str
    description: str
    echeance: date
    commentaire_echeance: str
    responsable: str
    references: list[ReferenceSortie]
    motifs: list[MotifSortie]


class ObligationPositionSortie(Schema):
    id: str
    titre: str
    echeance: date


class PositionSortie(Schema):
    role: str | None = Field(
        ..., description="« deployeur » ou « fournisseur » (art. 3 et 25) ; vide hors du champ."
    )
    categorie: str | None = Field(..., description="La catégorie AI Act la plus grave retenue.")
    obligations: list[ObligationPositionSortie] = Field(
        ..., description="Les obligations de la collectivité, de la plus proche à la plus lointaine."
    )


class QualificationSortie(Schema):
    version_regles: int
    avertissement: str
    complete: bool
    position: PositionSortie = Field(..., description="Ce qui vaut pour la collectivité, dans son rôle.")
    questions: list[QuestionSortie] = Field(..., description="Les questions qui se posent, vu les réponses.")
    manquantes: list[str] = Field(..., description="Questions qui se posent et n'ont pas de réponse.")
    conclusions: list[ConclusionSortie]
    obligations: list[ObligationSortie]


def _references(r: regles.Regles, refs) -> list[dict]:
    return [
        {"texte": r.sources[x.source].titre, "article": x.article, "url": r.sources[x.source].url}
        for x in refs
    ]


def _motifs(motifs: list[moteur.Motif]) -> list[dict]:
    return [
        {
            "question": m.question.id,
            "texte": m.question.texte,
            "reponse": m.reponse,
            "reponse_affichee": m.reponse_affichee,
        }
        for m in motifs
    ]


def en_json(q: moteur.Qualification) -> dict:
    r = q.regles
    return {
        "version_regles": r.version,
        "avertissement": r.avertissement,
        "complete": q.complete,
        "position": {
            "role": q.position.role,
            "categorie": q.position.categorie,
            "obligations": [
                {"id": o.obligation.id, "titre": o.obligation.titre, "echeance": o.echeance}
                for o in q.position.obligations
            ],
        },
        "questions": [
            {
                **question.model_dump(include={"id", "regime", "texte", "aide", "type", "choix"}),
                "references": r.citer(question.references),
            }
            for question in q.questions
        ],
        "manquantes": [m.id for m in q.manquantes],
        "conclusions": [
            {
                "id": c.conclusion.id,
                "regime": c.conclusion.regime,
                "porte_sur": c.conclusion.porte_sur,
                "libelle": c.conclusion.libelle,
                "explication": c.conclusion.explication,
                "references": r.citer(c.conclusion.references),
                "motifs": _motifs(c.motifs),
            }
            for c in q.conclusions
        ],
        "obligations": [
            {
                "id": o.obligation.id,
                "regime": o.obligation.regime,
                "titre": o.obligation.titre,
                "description": o.obligation.description,
                "echeance": o.echeance,
                "commentaire_echeance": o.obligation.echeance.commentaire,
                "responsable": o.obligation.responsable,
                "references": r.citer(o.obligation.references),
                "motifs": _motifs(o.motifs),
            }
            for o in q.obligations
        ],
    }


@routeur.post(
    "/qualification",
    response={
        200: QualificationSortie,
        400: Erreur,
        401: Erreur,
        403: Erreur,
        413: Erreur,
        422: ErreurValidation,
    },
    summary="Qualifier des réponses (sans rien enregistrer)",
    description="Qualification indicative, qui ne constitue pas un avis juridique. Une réponse inconnue "
    "ou hors des valeurs possibles fait refuser la demande (400) avec un message par réponse.",
)
def qualifier(request, corps: ReponsesEntree):
    appliquees = regles.en_vigueur() if corps.version_regles is None else regles.version(corps.version_regles)
    moteur.verifier(appliquees, corps.reponses)
    return en_json(moteur.qualifier(appliquees, corps.reponses, corps.qualifiee_le))


def _version(numero: int) -> regles.Regles:
    try:
        return regles.version(numero)
    except LookupError:
        raise HttpError(404, f"Il n'y a pas de règles de qualification v{numero}.") from None


class VersionSortie(Schema):
    version: int
    etat: str = Field(..., description="« publiee » : qualifie ; « projet » : en relecture, consultable.")
    en_vigueur: bool = Field(..., description="La version qu'appliquent les nouvelles qualifications.")
    titre: str
    mise_a_jour: date
    nouveautes: list[str]


DESCRIPTION_REGLES = (
    "Le fichier de règles en JSON : questions, conclusions, obligations, calendrier nommé des dates "
    "d'application, identifiants retirés, points à relire, sources et cas d'école. Il suit le schéma "
    "publié à `/public/schema/regles-qualification.json`. Lecture libre, sans compte."
)


@routeur.get(
    "/regles",
    auth=None,
    response={200: dict},
    summary="Les règles de qualification en vigueur",
    description=DESCRIPTION_REGLES,
)
def regles_en_vigueur(request):
    return regles.en_vigueur().model_dump(mode="json")


@routeur.get(
    "/regles/versions",
    auth=None,
    response={200: list[VersionSortie]},
    summary="Les versions des règles de qualification",
    description="Toutes les versions livrées, la plus ancienne d'abord : chaque qualification enregistrée "
    "se relit avec la sienne. Lecture libre, sans compte.",
)
def versions_des_regles(request):
    numero_en_vigueur = regles.en_vigueur().version
    return [
        {
            **regles.version(n).model_dump(include={"version", "etat", "titre", "mise_a_jour", "nouveautes"}),
            "en_vigueur": n == numero_en_vigueur,
        }
        for n in sorted(regles.fichiers())
    ]


@routeur.get(
    "/regles/{numero}",
    auth=None,
    response={200: dict, 404: Erreur, 422: ErreurValidation},
    summary="Une version des règles de qualification",
    description=DESCRIPTION_REGLES,
)
def regles_d_une_version(request, numero: int = Path(..., ge=1, le=1000)):
    return _version(numero).model_dump(mode="json")
