"""Pages des règles d'usage : lire (toute personne qui voit le registre), composer et publier
(PILOTER_PROGRAMME), enregistrer l'information d'un service (GERER_FORMATIONS), prendre connaissance
(tout membre qui voit le registre, lecteur compris). Les vues n'écrivent pas : elles appellent services."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from balise import versions
from balise.chartes import selectors as chartes
from balise.comptes.models import Utilisateur
from balise.formulaires import Formulaire
from balise.organisations import acces
from balise.organisations.models import Adhesion
from balise.organisations.roles import Permission, peut

from . import depart as jeu
from . import imprimable as impression
from . import selectors, services
from .models import Moyen, Origine, SensRegle


def _contexte(adhesion: Adhesion, **autres: Any) -> dict[str, Any]:
    return {
        "organisation": adhesion.organisation,
        "peut_piloter": peut(adhesion.role, Permission.PILOTER_PROGRAMME),
        "peut_informer": peut(adhesion.role, Permission.GERER_FORMATIONS),
        **autres,
    }


def _entier(valeur: str | None) -> int | None:
    try:
        return int(valeur) if valeur is not None else None
    except ValueError:
        return None


@login_required
def accueil(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    organisation = adhesion.organisation
    publiee = selectors.publiee(organisation)
    personne = cast(Utilisateur, request.user)
    return render(
        request,
        "regles_usage/accueil.html",
        _contexte(
            adhesion,
            publiee=publiee,
            deja_lue=selectors.a_pris_connaissance(personne, organisation) if publiee else False,
            versions=list(selectors.versions(organisation)),
            brouillon=selectors.brouillon(organisation),
        ),
    )


@require_POST
@login_required
def nouvelle(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.PILOTER_PROGRAMME)
    try:
        brouillon = services.creer_brouillon(adhesion.organisation, cast(Utilisateur, request.user))
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
        return redirect("regles_usage:accueil", slug=slug)
    messages.success(
        request, f"Brouillon n° {brouillon.numero} ouvert : composez les règles, puis publiez-les."
    )
    return redirect("regles_usage:version", slug=slug, pk=brouillon.pk)


def _regles_saisies(data: Any, actuelles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Les règles du formulaire de composition : celles du brouillon (sauf les retirées ; une règle dont
    le formulaire n'envoie pas le texte reste telle quelle), puis la nouvelle."""
    regles = []
    for i, actuelle in enumerate(actuelles[: jeu.NOMBRE_MAX_REGLES]):
        if data.get(f"r{i}-retirer"):
            continue
        if f"r{i}-texte" not in data:
            regles.append(actuelle)
            continue
        regles.append(
            {
                "sens": data.get(f"r{i}-sens"),
                "texte": data.get(f"r{i}-texte", ""),
                "origine": data.get(f"r{i}-origine"),
                "id": data.get(f"r{i}-id", ""),
            }
        )
    if (data.get("nouvelle-texte") or "").strip():
        regles.append(
            {"sens": data.get("nouvelle-sens"), "texte": data["nouvelle-texte"], "origine": Origine.PROPRE}
        )
    return regles


@login_required
def version(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(
        request.user,
        slug,
        Permission.PILOTER_PROGRAMME if request.method == "POST" else Permission.VOIR_REGISTRE,
    )
    v = selectors.version_de(adhesion.organisation, pk)
    conflit = None
    if request.method == "POST":
        donnees = {
            "titre": request.POST.get("titre", ""),
            "introduction": request.POST.get("introduction", ""),
            "regles": _regles_saisies(request.POST, v.regles),
        }
        try:
            v = services.modifier_brouillon(
                adhesion.organisation,
                v.pk,
                donnees,
                cast(Utilisateur, request.user),
                _entier(request.POST.get("version")),
            )
        except versions.ConflitEdition as exc:
            conflit = exc
            v = selectors.version_de(adhesion.organisation, pk)
        except ValidationError as erreur:
            messages.error(request, "Rien n'a été enregistré : " + " ".join(erreur.messages))
        else:
            messages.success(request, "Brouillon enregistré.")
            return redirect("regles_usage:version", slug=slug, pk=v.pk)
    return render(
        request,
        "regles_usage/version.html",
        _contexte(
            adhesion,
            v=v,
            conflit=conflit,
            sens=SensRegle.choices,
            regles=[{**r, "libelle_origine": Origine(r["origine"]).label} for r in v.regles],
            longueur_regle=jeu.LONGUEUR_REGLE,
            maximum=jeu.NOMBRE_MAX_REGLES,
            historique=versions.historique(v, limite=20),
            charte=chartes.adoptee(adhesion.organisation) if v.statut == v.Statut.BROUILLON else None,
        ),
    )


def _ajouter_au_brouillon(
    request: HttpRequest, slug: str, pk: int, ajouter: Callable[[int | None], int], ajoutees: str, rien: str
) -> HttpResponse:
    """Ajoute des règles au brouillon (`ajouter` reçoit la version lue, rend le nombre ajouté) et dit
    le résultat ; un conflit ou un refus est montré, rien n'est écrit."""
    try:
        n = ajouter(_entier(request.POST.get("version")))
    except versions.ConflitEdition as exc:
        messages.error(request, exc.message)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, ajoutees.format(n=n) if n else rien)
    return redirect("regles_usage:version", slug=slug, pk=pk)


@require_POST
@login_required
def depart(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.PILOTER_PROGRAMME)
    v = selectors.version_de(adhesion.organisation, pk)
    return _ajouter_au_brouillon(
        request,
        slug,
        pk,
        lambda lue: services.ajouter_depart(
            adhesion.organisation, v.pk, cast(Utilisateur, request.user), lue
        ),
        "{n} règle(s) du jeu de départ ajoutée(s).",
        "Le brouillon a déjà tout le jeu de départ.",
    )


@require_POST
@login_required
def reprise_charte(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Les lignes rouges de la charte adoptée deviennent des règles « à ne pas faire » du brouillon."""
    adhesion = acces.exiger(request.user, slug, Permission.PILOTER_PROGRAMME)
    v = selectors.version_de(adhesion.organisation, pk)
    charte = chartes.adoptee(adhesion.organisation)
    if charte is None:
        messages.error(request, "L'organisation n'a pas de charte adoptée : rien n'a été repris.")
        return redirect("regles_usage:version", slug=slug, pk=pk)

    def reprendre(lue: int | None) -> int:
        v.version = lue if lue is not None else v.version  # la version lue : le verrou la compare
        return services.reprendre_de_la_charte(
            adhesion.organisation, v, list(charte.lignes_rouges), cast(Utilisateur, request.user)
        )

    return _ajouter_au_brouillon(
        request,
        slug,
        pk,
        reprendre,
        "{n} ligne(s) rouge(s) de la charte ajoutée(s) comme règles à ne pas faire.",
        "Le brouillon reprend déjà toutes les lignes rouges de la charte.",
    )


@require_POST
@login_required
def publication(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.PILOTER_PROGRAMME)
    v = selectors.version_de(adhesion.organisation, pk)
    try:
        services.publier(
            adhesion.organisation, v.pk, cast(Utilisateur, request.user), _entier(request.POST.get("version"))
        )
    except versions.ConflitEdition as exc:
        messages.error(request, exc.message)
        return redirect("regles_usage:version", slug=slug, pk=pk)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
        return redirect("regles_usage:version", slug=slug, pk=pk)
    messages.success(request, f"Les règles (version n° {v.numero}) sont publiées : informez-en les agents.")
    return redirect("regles_usage:accueil", slug=slug)


@login_required
def imprimable(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    v = selectors.version_de(adhesion.organisation, pk)
    contenu, _ = impression.pdf(v)
    return HttpResponse(
        contenu,
        content_type="application/pdf",
        headers={"Content-Disposition": content_disposition_header(True, impression.nom_fichier(v))},
    )


@require_POST
@login_required
def prise_de_connaissance(request: HttpRequest, slug: str) -> HttpResponse:
    # Une écriture permise à tout membre qui voit le registre (lecteur compris) : sa propre lecture.
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    try:
        _, nouvelle_prise = services.prendre_connaissance(
            adhesion.organisation,
            cast(Utilisateur, request.user),
            _entier(request.POST.get("version_regles")),
        )
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(
            request,
            "Merci : votre prise de connaissance est enregistrée."
            if nouvelle_prise
            else "Vous aviez déjà pris connaissance de ces règles.",
        )
    return redirect("regles_usage:accueil", slug=slug)


class InformationForm(Formulaire):
    service = forms.CharField(label="Service", max_length=services.LONGUEUR_SERVICE)
    effectif_informe = forms.IntegerField(
        label="Agents informés", min_value=0, max_value=services.EFFECTIF_MAX
    )
    effectif_service = forms.IntegerField(
        label="Effectif du service",
        required=False,
        min_value=0,
        max_value=services.EFFECTIF_MAX,
        help_text="Laissez vide pour reprendre l'effectif du tableau des effectifs, s'il a été importé.",
    )
    date = forms.DateField(label="Date", widget=forms.DateInput(attrs={"type": "date"}))
    moyen = forms.ChoiceField(label="Moyen", choices=Moyen.choices)


@login_required
def information(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(
        request.user,
        slug,
        Permission.GERER_FORMATIONS if request.method == "POST" else Permission.VOIR_REGISTRE,
    )
    form = InformationForm(request.POST or None, initial={"date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            info = services.enregistrer_information(
                adhesion.organisation, form.cleaned_data, cast(Utilisateur, request.user)
            )
        except ValidationError as erreur:
            form.add_error(None, erreur)
        else:
            messages.success(request, f"Information enregistrée : {info}.")
            return redirect("regles_usage:information", slug=slug)
    return render(
        request,
        "regles_usage/information.html",
        _contexte(adhesion, suivi=selectors.suivi(adhesion.organisation), form=form),
    )
