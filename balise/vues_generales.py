"""Pages hors organisation : l'accueil, les pages obligatoires du pied de page et la sonde de santé."""

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from balise.organisations import selectors as organisations
from balise.organisations.models import Organisation

DUREE_ANNUAIRE = 60


def _registres_publics() -> list[Organisation]:
    return list(
        Organisation.objects.annotate(
            n=Count("systemes", filter=Q(systemes__publie=True, systemes__archive_le__isnull=True))
        )
        .filter(n__gt=0)
        .only("nom", "slug")
        .order_by("nom")[:200]
    )


def accueil(request: HttpRequest) -> HttpResponse:
    adhesions = []
    demandes_en_attente = None
    if request.user.is_authenticated:
        adhesions = list(request.user.adhesions.select_related("organisation").order_by("organisation__nom"))
        # L'administrateur de l'instance voit d'ici les demandes d'adhésion qui attendent sa décision.
        if request.user.has_perm("organisations.change_demandeadhesion"):
            demandes_en_attente = organisations.nombre_demandes_en_attente()
    # Agréger tous les systèmes publiés à chaque visite coûterait cher à l'échelle nationale ; un annuaire
    # en retard d'une minute est sans conséquence.
    registres_publics = cache.get_or_set("accueil:registres_publics", _registres_publics, DUREE_ANNUAIRE)
    return render(
        request,
        "accueil.html",
        {
            "adhesions": adhesions,
            "registres_publics": registres_publics,
            "demandes_en_attente": demandes_en_attente,
        },
    )


@never_cache
def livez(request: HttpRequest) -> HttpResponse:
    """Sonde de vie : le processus répond, sans toucher à la base (sert aussi de plancher aux mesures)."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
def healthz(request: HttpRequest) -> HttpResponse:
    """200 si l'application répond et que la base de données répond."""
    try:
        with connection.cursor() as curseur:
            curseur.execute("SELECT 1")
            curseur.fetchone()
    except Exception:  # noqa: BLE001 — toute panne de base rend la sonde rouge
        return JsonResponse({"statut": "indisponible", "base": "injoignable"}, status=503)
    return JsonResponse({"statut": "ok"})


# Pages obligatoires du pied de page (docs/identite-visuelle.md, « Pied de page »).


def _editeur() -> dict[str, str]:
    """Qui publie l'instance, d'après ses réglages (BALISE_EDITEUR_*) ; vide si l'exploitant l'a omis."""
    return {
        "nom": settings.EDITEUR_NOM,
        "adresse": settings.EDITEUR_ADRESSE,
        "contact": settings.EDITEUR_CONTACT,
        "directeur": settings.EDITEUR_DIRECTEUR_PUBLICATION,
        "hebergeur": settings.EDITEUR_HEBERGEUR,
    }


def accessibilite(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/accessibilite.html", {"editeur": _editeur(), "audit": settings.RGAA_AUDIT})


def mentions_legales(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/mentions_legales.html", {"editeur": _editeur(), "theme": settings.THEME})


def donnees_personnelles(request: HttpRequest) -> HttpResponse:
    return render(request, "pages/donnees_personnelles.html", {"editeur": _editeur()})


def plan_du_site(request: HttpRequest) -> HttpResponse:
    adhesions = []
    if request.user.is_authenticated:
        adhesions = list(request.user.adhesions.select_related("organisation").order_by("organisation__nom"))
    return render(request, "pages/plan_du_site.html", {"adhesions": adhesions})
