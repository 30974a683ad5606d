"""API JSON du registre (django-ninja). Document OpenAPI : /api/openapi.json.

Mêmes droits que les pages : chaque point d'entrée passe par organisations.acces, avec le rôle de la
personne dans l'organisation. Authentification par jeton personnel (en-tête `Authorization: Bearer …`)
ou par la session du navigateur (avec jeton CSRF).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, File, Form, NinjaAPI, Query, Router, Schema
from ninja.conf import settings as reglages_ninja
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from balise import versions
from balise.comptes.models import JetonAPI
from balise.conformite import moteur
from balise.organisations import acces
from balise.organisations.roles import Permission
from balise.registre import documents, selectors, services
from balise.registre.models import SystemeIA

from . import conformite
from .schemas import (
    CibleT,
    ConflitSortie,
    DocumentSortie,
    DomaineT,
    Erreur,
    HebergementT,
    OrganisationSortie,
    Publication,
    StadeT,
    SystemeEntree,
    SystemeModification,
    SystemeSortie,
    Transition,
    TriT,
    TypeIAT,
)
from .schemas import EntreeHistoriqueSortie as HistoriqueSortie


class JetonPersonnel(HttpBearer):
    """Jeton personnel, relu en base à chaque appel (jamais en cache) : une révocation ou une échéance
    valent dès l'appel suivant. Un jeton expiré reçoit 401 en le disant."""

    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str):
        jeton = JetonAPI.trouver(token)
        if jeton is None or jeton.revoque_le is not None or not jeton.utilisateur.is_active:
            return None
        if not jeton.actif:
            raise HttpError(
                401,
                f"Ce jeton a expiré le {timezone.localtime(jeton.expire_le):%d/%m/%Y} : "
                "créez-en un autre depuis « Mon compte ».",
            )
        jeton.noter_utilisation()
        request.user = jeton.utilisateur
        return jeton.utilisateur


class SessionNavigateur(APIKeyCookie):
    """Session Django du navigateur ; le jeton CSRF est exigé pour toute écriture."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest) -> str | None:
        # Sans session ouverte, la requête n'est pas authentifiée (401) : le contrôle CSRF n'a pas lieu
        # d'être. Sinon un jeton révoqué, sur une écriture, recevait un 403 « CSRF check Failed ».
        if not request.user.is_authenticated:
            return None
        if check_csrf(request):
            raise PermissionDenied(
                "Jeton CSRF absent ou invalide : une écriture par la session du navigateur doit "
                "porter l'en-tête X-CSRFToken."
            )
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None):
        return request.user if request.user.is_authenticated else None


api = NinjaAPI(
    title="API Balise",
    version="1.0",
    description="Registre des systèmes d'IA d'une collectivité : lecture et écriture, avec les droits du rôle.",
    auth=[JetonPersonnel(), SessionNavigateur()],
    urls_namespace="api",
)


@api.exception_handler(NinjaValidationError)
def donnees_invalides(request, exc):
    return api.create_response(request, {"message": "Données invalides.", "erreurs": exc.errors}, status=422)


@api.exception_handler(AuthenticationError)
def non_authentifie(request, exc):
    return api.create_response(
        request, {"message": "Authentification requise (jeton ou session)."}, status=401
    )


@api.exception_handler(HttpError)
def erreur_http(request, exc: HttpError):
    # django-ninja lève HttpError(400) quand le corps n'est pas du JSON lisible : même forme que les
    # autres erreurs ({"message": …}, schéma Erreur du document OpenAPI), en français.
    message = (
        "Corps de la requête illisible : un document JSON est attendu."
        if exc.status_code == 400
        else str(exc)
    )
    return api.create_response(request, {"message": message}, status=exc.status_code)


@api.exception_handler(Http404)
def introuvable(request, exc):
    return api.create_response(request, {"message": "Introuvable."}, status=404)


@api.exception_handler(PermissionDenied)
def interdit(request, exc):
    return api.create_response(
        request, {"message": str(exc) or "Action non permise par votre rôle."}, status=403
    )


@api.exception_handler(ValidationError)
def refuse(request, exc):
    return api.create_response(request, {"message": " ".join(exc.messages)}, status=400)


@api.exception_handler(moteur.ReponsesInvalides)
def reponses_refusees(request, exc):
    return api.create_response(request, {"message": " ".join(exc.erreurs)}, status=400)


@api.exception_handler(services.ConflitEdition)
def conflit(request, exc: services.ConflitEdition):
    corps = {
        "message": exc.message,
        "version_actuelle": exc.objet.version,
        "changements": [
            {"champ": c.champ, "libelle": c.libelle, "avant": _texte(c.avant), "apres": _texte(c.apres)}
            for c in exc.changements
        ],
    }
    return api.create_response(request, corps, status=409)


def _texte(valeur) -> str | None:
    return None if valeur is None else str(valeur)


ERREURS = {401: Erreur, 403: Erreur, 404: Erreur}
ERREURS_ECRITURE = {**ERREURS, 400: Erreur, 409: ConflitSortie}

registre = Router(tags=["Registre"])


def _systeme(request, slug: str, pk: int, permission: Permission, archives: bool = True) -> SystemeIA:
    adhesion = acces.exiger(request.auth, slug, permission)
    return selectors.systeme(adhesion.organisation, pk, archives)


@api.get(
    "/organisations", response=list[OrganisationSortie], tags=["Organisations"], summary="Mes organisations"
)
def mes_organisations(request):
    return [
        {
            "slug": a.organisation.slug,
            "nom": a.organisation.nom,
            "type": a.organisation.type,
            "siren": a.organisation.siren,
            "role": a.role,
        }
        for a in request.auth.adhesions.select_related("organisation").order_by("organisation__nom")
    ]


class PaginationBornee(LimitOffsetPagination):
    """Limite et décalage bornés : un entier démesuré ne doit pas atteindre la base (erreur 500)."""

    class Input(Schema):
        limit: int = Field(reglages_ninja.PAGINATION_PER_PAGE, ge=1, le=500)
        offset: int = Field(0, ge=0, le=1_000_000_000)


class FiltresRegistre(Schema):
    """Mêmes filtres que la page du registre (selectors.FiltreRegistre), valeurs documentées."""

    q: str | None = Field(
        None, max_length=200, description="Mots cherchés dans le nom, la finalité, le service…"
    )
    domaine: DomaineT | None = None
    type_ia: TypeIAT | None = None
    stade: StadeT | None = None
    service: str | None = Field(None, max_length=200)
    hebergement: HebergementT | None = None
    donnees_personnelles: bool | None = None
    cible: CibleT | None = None
    archives: bool = False
    tri: TriT | None = None


@registre.get(
    "/{slug}/systemes", response={200: list[SystemeSortie], **ERREURS}, summary="Lister le registre"
)
@paginate(PaginationBornee)
def lister(request, slug: str, filtres: Query[FiltresRegistre]):
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    donnees = {k: v for k, v in filtres.dict().items() if v is not None and k != "archives"}
    if "donnees_personnelles" in donnees:
        donnees["donnees_personnelles"] = str(donnees["donnees_personnelles"])
    base = selectors.registre(adhesion.organisation, filtres.archives).select_related("organisation")
    filtre = selectors.FiltreRegistre(donnees, queryset=base)
    if not filtre.is_valid():
        raise ValidationError(
            "Filtre invalide : " + "; ".join(f"{k} : {' '.join(v)}" for k, v in filtre.errors.items())
        )
    return filtre.qs


@registre.post(
    "/{slug}/systemes", response={201: SystemeSortie, **ERREURS_ECRITURE}, summary="Déclarer un système"
)
def declarer(request, slug: str, corps: SystemeEntree):
    adhesion = acces.exiger(request.auth, slug, Permission.DECLARER)
    return 201, services.creer_systeme(adhesion.organisation, corps.dict(), request.auth)


@registre.get("/{slug}/systemes/{pk}", response={200: SystemeSortie, **ERREURS}, summary="Lire une fiche")
def lire(request, slug: str, pk: int):
    return _systeme(request, slug, pk, Permission.VOIR_REGISTRE)


@registre.patch(
    "/{slug}/systemes/{pk}", response={200: SystemeSortie, **ERREURS_ECRITURE}, summary="Modifier une fiche"
)
def modifier(request, slug: str, pk: int, corps: SystemeModification):
    systeme = _systeme(request, slug, pk, Permission.DECLARER, archives=False)
    donnees = corps.dict(exclude_unset=True, exclude={"version"})
    return services.modifier_systeme(systeme.pk, donnees, corps.version, request.auth)


@registre.post(
    "/{slug}/systemes/{pk}/stade",
    response={200: SystemeSortie, **ERREURS_ECRITURE},
    summary="Changer de stade",
)
def changer_stade(request, slug: str, pk: int, corps: Transition):
    systeme = _systeme(request, slug, pk, Permission.CHANGER_STADE)
    return services.changer_stade(systeme.pk, corps.vers, corps.motif, request.auth, corps.version)


@registre.post(
    "/{slug}/systemes/{pk}/publication",
    response={200: SystemeSortie, **ERREURS_ECRITURE},
    summary="Publier ou retirer du registre public",
)
def publier(request, slug: str, pk: int, corps: Publication):
    systeme = _systeme(request, slug, pk, Permission.PUBLIER, archives=False)
    return services.publier(systeme.pk, corps.publie, request.auth, corps.version)


@registre.delete(
    "/{slug}/systemes/{pk}", response={200: SystemeSortie, **ERREURS_ECRITURE}, summary="Archiver une fiche"
)
def archiver(request, slug: str, pk: int):
    systeme = _systeme(request, slug, pk, Permission.ARCHIVER)
    return services.archiver(systeme.pk, request.auth)


@registre.get(
    "/{slug}/systemes/{pk}/historique",
    response={200: list[HistoriqueSortie], **ERREURS},
    summary="Historique des modifications",
)
def historique(request, slug: str, pk: int):
    systeme = _systeme(request, slug, pk, Permission.VOIR_REGISTRE)
    return [e.__dict__ for e in versions.historique(systeme)]


@registre.get(
    "/{slug}/systemes/{pk}/documents",
    response={200: list[DocumentSortie], **ERREURS},
    summary="Documents d'une fiche",
)
def lister_documents(request, slug: str, pk: int):
    return selectors.documents(_systeme(request, slug, pk, Permission.VOIR_REGISTRE))


@registre.post(
    "/{slug}/systemes/{pk}/documents",
    response={201: DocumentSortie, **ERREURS_ECRITURE},
    summary="Déposer un document",
)
def deposer_document(
    request, slug: str, pk: int, fichier: UploadedFile | None = File(None), titre: str = Form("")
):
    # Le fichier est facultatif dans la signature pour que les droits soient vérifiés avant le contenu.
    systeme = _systeme(request, slug, pk, Permission.DECLARER, archives=False)
    if fichier is None:
        raise ValidationError("Joignez un fichier (champ « fichier », envoi multipart/form-data).")
    return 201, services.deposer_document(systeme, titre[:200], fichier, request.auth)


@registre.get(
    "/{slug}/systemes/{pk}/documents/{doc_pk}",
    response=ERREURS,
    summary="Télécharger un document",
    openapi_extra={
        "responses": {
            200: {
                "description": "Le fichier, en pièce jointe.",
                "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def telecharger_document(request, slug: str, pk: int, doc_pk: int):
    adhesion = acces.exiger(request.auth, slug, Permission.VOIR_REGISTRE)
    return documents.telechargement(selectors.document(adhesion.organisation, pk, doc_pk))


api.add_router("/organisations", registre)
api.add_router("/conformite", conformite.routeur)
