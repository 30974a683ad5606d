"""API JSON du registre (django-ninja). Document OpenAPI : /api/openapi.json.

Mêmes droits que les pages : chaque point d'entrée passe par organisations.acces, avec le rôle de la
personne dans l'organisation. Authentification par jeton personnel (en-tête `Authorization: Bearer …`)
ou par la session du navigateur (avec jeton CSRF).
"""

from django.core.exceptions import (
    PermissionDenied,
    RequestDataTooBig,
    SuspiciousOperation,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.http import Http404, HttpRequest
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from ninja import Field, File, Form, NinjaAPI, Query, Router, Schema
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from balise import versions
from balise.comptes.models import JetonAPI
from balise.conformite import moteur
from balise.gouvernance import faits, portes, services_politique
from balise.organisations import acces
from balise.organisations.roles import Permission
from balise.registre import documents, selectors, services
from balise.registre.models import SystemeIA

from . import (
    bibliotheque,
    chartes,
    conformite,
    erreurs,
    formations,
    gouvernance_avis,
    gouvernance_instances,
    gouvernance_politique,
    gouvernance_seances,
    indicateurs,
    mutualisation,
    observatoire,
    programme,
    rapports,
    regles_usage,
)
from .schemas import (
    OMISSIBLE,
    CibleT,
    ConflitSortie,
    DocumentSortie,
    DomaineT,
    Erreur,
    ErreurValidation,
    HebergementT,
    OrganisationSortie,
    PaginationBornee,
    PorteSortie,
    Publication,
    StadeT,
    SystemeEntree,
    SystemeModification,
    SystemeSortie,
    Texte,
    Transition,
    TriT,
    TypeIAT,
    VersionLue,
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


@api.exception_handler(documents.DocumentTropLourd)
def document_trop_lourd(request, exc):
    return api.create_response(request, {"message": " ".join(exc.messages)}, status=413)


@api.exception_handler(services.RefusEtat)
def refus_etat(request, exc):
    return api.create_response(request, {"message": " ".join(exc.messages)}, status=409)


@api.exception_handler(services.PorteNonFranchie)
def porte_non_franchie(request, exc: services.PorteNonFranchie):
    corps = {"message": " ".join(exc.messages), "criteres_manquants": exc.criteres}
    return api.create_response(request, corps, status=409)


@api.exception_handler(services_politique.ConflitPolitique)
def conflit_politique(request, exc: services_politique.ConflitPolitique):
    corps = {"message": " ".join(exc.messages), "numero_actuel": exc.numero_actuel}
    return api.create_response(request, corps, status=409)


@api.exception_handler(MultiPartParserError)
def multipart_illisible(request, exc):
    return erreurs.reponse(400, "Envoi multipart/form-data illisible (délimiteur absent ou corps tronqué).")


@api.exception_handler(RequestDataTooBig)
def corps_trop_volumineux(request, exc):
    # Un champ (hors fichier) d'un envoi multipart dépasse la limite : vu seulement à la lecture.
    return erreurs.trop_volumineux(erreurs.limite_du_corps(request))


@api.exception_handler(SuspiciousOperation)
def requete_refusee(request, exc):
    if isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        return erreurs.reponse(400, "Trop de champs ou de fichiers dans la requête.")
    return erreurs.reponse(400)


@api.exception_handler(Exception)
def erreur_interne(request, exc):
    # Sans ce gestionnaire, django-ninja répond en mode débogage la trace de pile en texte, et en
    # production laisse Django répondre sa page HTML.
    erreurs.journal.error("Erreur interne de l'API : %s %s", request.method, request.path, exc_info=exc)
    return erreurs.reponse(500)


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


# Les réponses d'erreur de chaque opération, documentées là où elles se produisent (api/erreurs.py) :
# 401 sans authentification valable, 422 pour des paramètres ou un corps hors du schéma ; sous
# /organisations/{slug}/, 403 (rôle, ou écriture par session sans jeton CSRF) et 404 ; une écriture
# peut encore être refusée (400), en conflit (409) ou trop volumineuse (413).
ERREURS_COMMUNES = {401: Erreur, 422: ErreurValidation}
ERREURS = {**ERREURS_COMMUNES, 403: Erreur, 404: Erreur}
ERREURS_ECRITURE = {**ERREURS, 400: Erreur, 409: ConflitSortie, 413: Erreur}

registre = Router(tags=["Registre"])


def _systeme(request, slug: str, pk: int, permission: Permission, archives: bool = True) -> SystemeIA:
    adhesion = acces.exiger(request.auth, slug, permission)
    return selectors.systeme(adhesion.organisation, pk, archives)


@api.get(
    "/organisations",
    response={200: list[OrganisationSortie], 401: Erreur},
    tags=["Organisations"],
    summary="Mes organisations",
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


class FiltresRegistre(Schema):
    """Mêmes filtres que la page du registre (selectors.FiltreRegistre), valeurs documentées. Chacun
    s'omet ; aucun n'est nullable (une adresse ne transporte pas `null`)."""

    q: Texte(200) = Field(  # type: ignore[valid-type]
        None, description="Mots cherchés dans le nom, la finalité, le service…"
    )
    domaine: DomaineT = OMISSIBLE
    type_ia: TypeIAT = OMISSIBLE
    stade: StadeT = OMISSIBLE
    service: Texte(200) = OMISSIBLE  # type: ignore[valid-type]
    hebergement: HebergementT = OMISSIBLE
    donnees_personnelles: bool = OMISSIBLE
    cible: CibleT = OMISSIBLE
    archives: bool = False
    tri: TriT = OMISSIBLE


@registre.get(
    "/{slug}/systemes",
    response={200: list[SystemeSortie], **ERREURS, 400: Erreur},
    summary="Lister le registre",
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
    return services.changer_stade(
        systeme.pk, corps.vers, corps.motif, request.auth, corps.version, justification=corps.justification
    )


@registre.post(
    "/{slug}/systemes/{pk}/publication",
    response={200: SystemeSortie, **ERREURS_ECRITURE},
    summary="Publier ou retirer du registre public",
)
def publier(request, slug: str, pk: int, corps: Publication):
    systeme = _systeme(request, slug, pk, Permission.PUBLIER, archives=False)
    return services.publier(
        systeme.pk, corps.publie, request.auth, corps.version, justification=corps.justification
    )


def _controle(controle: portes.Controle | None) -> dict | None:
    if controle is None:
        return None
    return {
        "porte": controle.porte,
        "libelle": controle.libelle,
        "explication": controle.explication,
        "franchie": controle.franchie,
        "bloquee": controle.bloquee,
        "criteres": [
            {
                "id": ligne.id,
                "libelle": ligne.libelle,
                "remplie": ligne.remplie,
                "bloquant": ligne.bloquante,
                "motif": ligne.motif,
            }
            for ligne in controle.lignes
        ],
    }


@registre.get(
    "/{slug}/systemes/{pk}/porte",
    response={200: PorteSortie, **ERREURS},
    summary="Lire la liste de contrôle des portes d'un système",
    description="La catégorie AI Act du système, la liste de contrôle de la prochaine porte de son cycle "
    "de vie (vide pour un système en production, arrêté ou abandonné) et celle de la publication au "
    "registre public.",
)
def porte(request, slug: str, pk: int):
    systeme = _systeme(request, slug, pk, Permission.VOIR_REGISTRE)
    p = faits.portes_de(systeme)
    return {
        "categorie": p.categorie.value,
        "categorie_libelle": str(p.categorie.label),
        "pratiques_interdites": list(p.pratiques_interdites),
        "prochaine": _controle(p.prochaine),
        "publication": _controle(p.publication),
    }


@registre.delete(
    "/{slug}/systemes/{pk}", response={200: SystemeSortie, **ERREURS_ECRITURE}, summary="Archiver une fiche"
)
def archiver(request, slug: str, pk: int, version: Query[VersionLue]):
    systeme = _systeme(request, slug, pk, Permission.ARCHIVER)
    return services.archiver(systeme.pk, request.auth, version)


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
    description="Le fichier est exigé ; son extension et son contenu (signature) doivent être d'un format "
    "accepté, sa taille au plus celle permise (413 au-delà) : sinon 400.",
    # Le fichier est facultatif dans la signature (les droits sont vérifiés avant le contenu), mais
    # il est exigé : le document le dit.
    openapi_extra={
        "requestBody": {
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "properties": {
                            "fichier": {"type": "string", "format": "binary"},
                            "titre": {
                                "type": "string",
                                "default": "",
                                "description": "Tronqué à 200 caractères.",
                            },
                        },
                        "required": ["fichier"],
                    }
                }
            },
            "required": True,
        }
    },
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
api.add_router("/organisations", gouvernance_instances.routeur)
api.add_router("/organisations", gouvernance_seances.routeur)
api.add_router("/organisations", gouvernance_avis.routeur)
api.add_router("/organisations", gouvernance_politique.routeur)
api.add_router("/organisations", chartes.routeur)
api.add_router("/organisations", formations.routeur)
api.add_router("/organisations", regles_usage.routeur)
api.add_router("/organisations", programme.routeur)
api.add_router("/organisations", indicateurs.routeur)
api.add_router("/organisations", rapports.routeur)
api.add_router("/organisations", mutualisation.routeur)
api.add_router("/organisations", bibliotheque.routeur)
api.add_router("/observatoire", observatoire.routeur)
