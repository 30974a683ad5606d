"""L'API compatible OpenAI de la passerelle (`/v1/models`, `/v1/chat/completions`, flux compris) : les
outils que les agents utilisent déjà pointent vers Balise au lieu d'un service public, avec une clé
personnelle (services.emettre_cle). Mêmes modèles, mêmes règles, même journal que la page.

Les erreurs ont la forme d'OpenAI (`{"error": {"message", "type", "code"}}`), messages en français :
un client OpenAI les montre telles quelles à l'agent. Document OpenAPI : /v1/openapi.json.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from typing import Annotated, Any, Literal

from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from balise.organisations import acces
from balise.organisations.roles import Permission
from balise.passerelle import disponibles, envoi, fournisseurs, quotas, services
from balise.passerelle.models import ClePersonnelle, ModeleCatalogue, Reglages
from balise.passerelle.services_catalogue import reglages

MESSAGES_MAX = 200


class CleDeLaPasserelle(HttpBearer):
    """La clé personnelle, relue à chaque appel : une révocation, un départ de l'organisation ou un rôle
    qui ne permet plus la passerelle valent dès l'appel suivant."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> ClePersonnelle | None:
        cle = services.trouver_cle(token)
        if cle is None or not acces.permet(
            cle.personne, cle.organisation.slug, Permission.UTILISER_PASSERELLE
        ):
            return None
        return cle


api_openai = NinjaAPI(
    title="Passerelle d'IA générative de Balise (compatible OpenAI)",
    version="1.0",
    description=(
        "Les modèles approuvés par l'organisation, par l'API d'OpenAI : données personnelles repérées et "
        "masquées ou refusées avant l'envoi, chaque requête notée au journal."
    ),
    auth=CleDeLaPasserelle(),
    urls_namespace="passerelle_v1",
)


def _erreur(statut: int, message: str, type_: str, code: str | None = None) -> JsonResponse:
    return JsonResponse({"error": {"message": message, "type": type_, "code": code}}, status=statut)


@api_openai.exception_handler(AuthenticationError)
def non_authentifie(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _erreur(
        401,
        "Clé absente, inconnue ou révoquée : créez une clé personnelle depuis la page « Mes clés pour l'API » "
        "de la passerelle.",
        "invalid_request_error",
        "invalid_api_key",
    )


@api_openai.exception_handler(NinjaValidationError)
def donnees_invalides(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    champs = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) or "corps" for e in exc.errors})
    return _erreur(400, f"Requête invalide : {', '.join(champs)}.", "invalid_request_error")


@api_openai.exception_handler(HttpError)
def erreur_http(request: HttpRequest, exc: HttpError) -> HttpResponse:
    message = "Corps illisible : un document JSON est attendu." if exc.status_code == 400 else str(exc)
    return _erreur(exc.status_code, message, "invalid_request_error")


class ModeleSortie(Schema):
    id: str
    object: Literal["model"] = "model"
    created: int
    owned_by: str


class ListeModeles(Schema):
    object: Literal["list"] = "list"
    data: list[ModeleSortie]


class PartieTexte(Schema):
    type: Literal["text"]
    text: Annotated[str, Field(max_length=envoi.LONGUEUR_MAX)]


class MessageEntree(Schema):
    role: Literal["system", "user", "assistant"]
    content: (
        Annotated[str, Field(max_length=envoi.LONGUEUR_MAX)]
        | Annotated[list[PartieTexte], Field(max_length=50)]
    )

    def texte(self) -> str:
        return self.content if isinstance(self.content, str) else "\n".join(p.text for p in self.content)


class OptionsFlux(Schema):
    include_usage: bool = False


class CompletionEntree(Schema):
    model: Annotated[str, Field(min_length=1, max_length=200)]
    messages: Annotated[list[MessageEntree], Field(min_length=1, max_length=MESSAGES_MAX)]
    stream: bool = False
    stream_options: OptionsFlux | None = None
    temperature: Annotated[float, Field(ge=0, le=2)] | None = None
    max_tokens: Annotated[int, Field(ge=1, le=200_000)] | None = None


class ErreurOpenAI(Schema):
    message: str
    type: str
    code: str | None = None


class Erreur(Schema):
    error: ErreurOpenAI


class Usage(Schema):
    prompt_tokens: int
    completion_tokens: int
    total_tokens: int


class MessageSortie(Schema):
    role: Literal["assistant"] = "assistant"
    content: str


class Choix(Schema):
    index: int = 0
    message: MessageSortie
    finish_reason: str = "stop"


class InformationsBalise(Schema):
    mention: str = Field(
        description="Mention de l'organisation pour les textes produits par l'IA (AI Act, art. 50)."
    )
    donnees_masquees: list[str] = Field(
        description="Types de données remplacés par des marques avant l'envoi."
    )


class CompletionSortie(Schema):
    id: str
    object: Literal["chat.completion"] = "chat.completion"
    created: int
    model: str
    choices: list[Choix]
    usage: Usage
    balise: InformationsBalise


def _cle(request: HttpRequest) -> ClePersonnelle:
    return request.auth  # type: ignore[attr-defined]


@api_openai.get(
    "/models", response={200: ListeModeles, 401: Erreur}, summary="Modèles que la clé peut utiliser"
)
def modeles(request: HttpRequest) -> dict[str, Any]:
    cle = _cle(request)
    return {
        "object": "list",
        "data": [
            {"id": m.libelle, "created": int(m.cree_le.timestamp()), "owned_by": m.fournisseur.nom}
            for m in disponibles.modeles_disponibles(cle.organisation)
        ],
    }


def _modele(cle: ClePersonnelle, nom: str) -> ModeleCatalogue | None:
    return next((m for m in disponibles.modeles_disponibles(cle.organisation) if m.libelle == nom), None)


@api_openai.post(
    "/chat/completions",
    response={
        200: CompletionSortie,
        400: Erreur,
        401: Erreur,
        403: Erreur,
        404: Erreur,
        429: Erreur,
        502: Erreur,
        504: Erreur,
    },
    summary="Converser avec un modèle du catalogue (flux SSE si `stream`)",
    # Le flux (`stream: true`) répond en text/event-stream : des événements `chat.completion.chunk`.
    openapi_extra={
        "responses": {
            "200": {
                "description": "La réponse entière (JSON), ou le flux d'événements si `stream`.",
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/CompletionSortie"}},
                    "text/event-stream": {"schema": {"type": "string"}},
                },
            }
        }
    },
)
def completions(request: HttpRequest, corps: CompletionEntree) -> Any:
    cle = _cle(request)
    obstacle = services.obstacle(cle.organisation, cle.personne)
    if obstacle:
        return 403, {"error": {"message": obstacle, "type": "permission_error", "code": "regles_non_lues"}}
    modele = _modele(cle, corps.model)
    if modele is None:
        message = f"Le modèle « {corps.model[:200]} » n'est pas dans le catalogue de votre organisation : /v1/models les liste."
        return 404, {
            "error": {"message": message, "type": "invalid_request_error", "code": "model_not_found"}
        }
    quota_atteint = quotas.depasse(cle.organisation, cle.personne)
    if quota_atteint:
        envoi.refuser_pour_quota(modele, cle.personne, "api", quota_atteint)
        return 429, {"error": {"message": quota_atteint, "type": "rate_limit_error", "code": "quota"}}
    messages = [{"role": m.role, "content": m.texte()} for m in corps.messages]
    reglages_org = reglages(cle.organisation)
    try:
        prep = envoi.preparer(modele, messages, reglages_org)
    except envoi.RequeteInvalide as erreur:
        return 400, {"error": {"message": str(erreur), "type": "invalid_request_error", "code": None}}
    if not prep.part:
        envoi.envoyer(prep, cle.personne, "api", reglages_org)  # note le refus au journal, n'envoie rien
        message = prep.decision.message
        return 400, {
            "error": {"message": message, "type": "invalid_request_error", "code": "donnees_refusees"}
        }
    masquees = sorted({t.libelle for t in prep.decision.a_pseudonymiser})
    if corps.stream:
        flux = _flux(prep, cle, modele, reglages_org, masquees)
        reponse = StreamingHttpResponse(flux, content_type="text/event-stream; charset=utf-8")
        reponse["Cache-Control"] = "no-cache"
        reponse["X-Accel-Buffering"] = "no"  # un mandataire nginx ne doit pas retenir le flux
        return reponse
    resultat = envoi.envoyer(prep, cle.personne, "api", reglages_org)
    if not resultat.texte:
        statut = 504 if resultat.requete.erreur == "delai" else 502
        return statut, {
            "error": {"message": resultat.message, "type": "api_error", "code": resultat.requete.erreur}
        }
    requete = resultat.requete
    return 200, {
        "id": f"balise-{requete.pk}",
        "created": int(requete.le.timestamp()),
        "model": modele.libelle,
        "choices": [{"message": {"content": f"{resultat.texte}\n\n— {reglages_org.mention}"}}],
        "usage": {
            "prompt_tokens": requete.jetons_entree,
            "completion_tokens": requete.jetons_sortie,
            "total_tokens": requete.jetons_entree + requete.jetons_sortie,
        },
        "balise": {"mention": reglages_org.mention, "donnees_masquees": masquees},
    }


def _evenement(objet: dict[str, Any] | str) -> bytes:
    return f"data: {objet if isinstance(objet, str) else json.dumps(objet, ensure_ascii=False)}\n\n".encode()


def _flux(
    prep: envoi.Preparation,
    cle: ClePersonnelle,
    modele: ModeleCatalogue,
    reglages_org: Reglages,
    masquees: list[str],
) -> Iterator[bytes]:
    """Les morceaux restaurés au format `chat.completion.chunk`, la mention en dernier morceau, puis
    `[DONE]` ; une erreur du fournisseur en cours de route devient un événement `error` en français."""
    identifiant, cree = f"balise-{uuid.uuid4().hex[:16]}", int(time.time())

    def morceau(delta: dict[str, str], fin: str | None = None) -> bytes:
        return _evenement(
            {
                "id": identifiant,
                "object": "chat.completion.chunk",
                "created": cree,
                "model": modele.libelle,
                "choices": [{"index": 0, "delta": delta, "finish_reason": fin}],
            }
        )

    yield morceau({"role": "assistant", "content": ""})
    try:
        for texte in envoi.diffuser(prep, cle.personne, "api", reglages_org):
            yield morceau({"content": texte})
    except fournisseurs.ErreurFournisseur as erreur:
        yield _evenement({"error": {"message": erreur.message, "type": "api_error", "code": erreur.code}})
        return
    yield morceau({"content": f"\n\n— {reglages_org.mention}"}, fin="stop")
    yield _evenement("[DONE]")
