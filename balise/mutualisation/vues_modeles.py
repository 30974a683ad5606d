"""Pages des modèles partagés (politique des portes, charte, règles d'usage, offres de formation,
modèles d'instances) : la mutualisante partage et retire, le membre reprend ou suit la nouvelle version.
Les vues n'écrivent pas : elles appellent modeles_partages.py. Le droit exigé est celui qui gère la
nature de l'objet dans l'organisation (`modeles_partages.SORTES`), lu sur le partage visible."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone

from balise.formulaires import version_postee
from balise.organisations import acces
from balise.organisations.models import Adhesion
from balise.organisations.roles import Permission

from . import modeles_partages
from .views import _entier, _par, _vers_accueil


def _sur_un_partage(
    request: HttpRequest,
    slug: str,
    pk: int,
    agir: Callable[[Adhesion], object],
    succes: Callable[[modeles_partages.Sorte], str],
) -> HttpResponse:
    """Une action sur un partage : l'organisation d'abord (404 pour qui n'en est pas), le partage
    visible d'elle (404 sinon), puis le droit de sa nature (403) et la méthode (`_vers_accueil`)."""
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    partage = modeles_partages.partage_visible(adhesion.organisation, pk, timezone.localdate())
    if partage is None:
        raise Http404("Introuvable pour votre organisation.")
    sorte = modeles_partages.SORTES[partage.nature]
    return _vers_accueil(
        request,
        slug,
        agir,
        succes(sorte),
        sorte.permission,
        trouver=lambda org, jour: modeles_partages.partage_visible(org, pk, jour),
    )


@login_required
def partager(request: HttpRequest, slug: str) -> HttpResponse:
    # Le choix vaut « nature:clé » (une seule liste, groupée par nature) ; le droit est celui de la nature.
    nature, _, cle = request.POST.get("modele", "").partition(":")
    note = request.POST.get("note", "")
    return _vers_accueil(
        request,
        slug,
        lambda a: modeles_partages.partager(a.organisation, nature, cle, note, _par(request)),
        "Le modèle est partagé : vos membres le voient et peuvent le reprendre.",
        modeles_partages.permission(nature) or Permission.VOIR_REGISTRE,
    )


@login_required
def retirer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _sur_un_partage(
        request,
        slug,
        pk,
        lambda a: modeles_partages.retirer(a.organisation, pk, version_postee(request), _par(request)),
        lambda _: "Le partage est retiré ; ce que vos membres ont repris reste à eux.",
    )


@login_required
def reprendre(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _sur_un_partage(
        request,
        slug,
        pk,
        lambda a: modeles_partages.reprendre(
            a.organisation,
            pk,
            _par(request),
            _entier(request.POST.get("revision", "")),
            version_postee(request),
            timezone.localdate(),
        ),
        lambda sorte: sorte.succes,
    )
