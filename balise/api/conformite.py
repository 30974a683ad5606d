"""API de la qualification réglementaire : les règles en vigueur, et le raisonnement reproductible.

`POST /api/conformite/qualification` prend des réponses et rend la qualification qu'en tirent les
règles : ce que la page fait, sans rien enregistrer ; un juriste ou un outil tiers peut ainsi
rejouer n'importe quel cas.
"""

from datetime import date

from ninja import Field, Router, Schema

from balise.conformite import moteur, regles

from .schemas import Corps, DateISO, Erreur, ErreurValidation

routeur = Router(tags=["Qualification réglementaire"])

ReponseT = str | list[str]


class ReponsesEntree(Corps):
    reponses: dict[str, ReponseT] = Field(
        ...,
        description="Réponse à chaque question (identifiant → valeur, ou liste de valeurs pour un choix multiple).",
        examples=[{"systeme_ia": "oui"}],
    )
    qualifiee_le: DateISO | None = Field(
        None, description="Date de la qualification (par défaut : aujourd'hui)."
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


class QualificationSortie(Schema):
    version_regles: int
    avertissement: str
    complete: bool
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
    en_vigueur = regles.en_vigueur()
    moteur.verifier(en_vigueur, corps.reponses)
    return en_json(moteur.qualifier(en_vigueur, corps.reponses, corps.qualifiee_le))


@routeur.get(
    "/regles",
    response={200: dict, 401: Erreur},
    summary="Les règles de qualification en vigueur",
    description="Le fichier de règles (questions, conclusions, obligations, dates, sources, cas d'école), "
    "en JSON : avec `POST /conformite/qualification`, de quoi relire et rejouer tout raisonnement.",
)
def regles_en_vigueur(request):
    return regles.en_vigueur().model_dump(mode="json")
