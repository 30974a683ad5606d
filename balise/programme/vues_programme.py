"""Les pages du programme : la page « Programme » (avancement des étapes, feuille de route,
sensibilisation, veille, rubriques), l'état d'une étape, une action, les saisies. Lire : toute personne
qui voit le registre ; écrire : PILOTER_PROGRAMME (organisations/roles.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from balise import versions
from balise.comptes.models import Utilisateur
from balise.formulaires import ajouter_erreurs, ecrire, reprendre_apres_conflit, supprimer_ou_signaler
from balise.organisations import acces
from balise.organisations.models import Adhesion
from balise.organisations.roles import Permission, peut

from . import referentiel, selectors, services
from .forms import ActionForm, EtapeForm, NoteForm, SensibilisationForm
from .models import Action, EtatEtape, NoteVeille, Sensibilisation


@dataclass(frozen=True)
class Rubrique:
    """Une rubrique du programme montrée sur sa page : titre, nom d'URL (qui prend l'identifiant de
    l'organisation), droit qu'il faut pour la voir, et ancre facultative dans la page."""

    titre: str
    nom_url: str
    droit: Permission
    description: str = ""
    ancre: str = ""


# Les rubriques du programme, dans l'ordre de la page. Chaque application du programme (charte, règles
# d'usage, formation, indicateurs, rapports) y ajoute son entrée quand sa page existe.
RUBRIQUES: list[Rubrique] = [
    Rubrique(
        "Charte de l'IA",
        "chartes:accueil",
        Permission.VOIR_REGISTRE,
        "Principes, engagements et lignes rouges ; consultation des instances, adoption, publication.",
    ),
    Rubrique(
        "Règles d'usage des agents",
        "regles_usage:accueil",
        Permission.VOIR_REGISTRE,
        "Ce que les agents peuvent faire ou non, sur une page imprimable ; qui en a été informé.",
    ),
    Rubrique(
        "Formation et acculturation",
        "formations:accueil",
        Permission.VOIR_REGISTRE,
        "Populations, paliers, sessions et couverture au regard de l'article 4 de l'AI Act.",
    ),
    Rubrique(
        "Indicateurs",
        "indicateurs:liste",
        Permission.VOIR_REGISTRE,
        "Objectifs, cibles et mesures dans le temps ; revue des écarts en séance.",
    ),
    Rubrique(
        "Rapports et exports",
        "rapports:accueil",
        Permission.VOIR_REGISTRE,
        "Rapport annuel, dossier du dialogue social, exports en tableur.",
    ),
    Rubrique(
        "Feuille de route",
        "programme:accueil",
        Permission.VOIR_REGISTRE,
        "Les actions du programme : priorité, moyens, échéance, responsable.",
        "actions",
    ),
    Rubrique(
        "Sensibilisation",
        "programme:accueil",
        Permission.VOIR_REGISTRE,
        "Cafés IA, webinaires, ateliers : dates, publics, participants, appropriation.",
        "sensibilisation",
    ),
    Rubrique(
        "Veille",
        "programme:accueil",
        Permission.VOIR_REGISTRE,
        "Notes datées et sourcées, par étiquette.",
        "veille",
    ),
]

# Au-delà, la page renvoie aux filtres (et à l'API) : elle reste lisible quel que soit le volume.
LIMITE_LISTES = 100


def _personne(request: HttpRequest) -> Utilisateur:
    return cast(Utilisateur, request.user)


def _lire(request: HttpRequest, slug: str) -> Adhesion:
    return acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)


def _piloter(request: HttpRequest, slug: str) -> Adhesion:
    return acces.exiger(request.user, slug, Permission.PILOTER_PROGRAMME)


def _contexte(adhesion: Adhesion, **autres: Any) -> dict[str, Any]:
    return {
        "organisation": adhesion.organisation,
        "peut_piloter": peut(adhesion.role, Permission.PILOTER_PROGRAMME),
        **autres,
    }


def rubriques(adhesion: Adhesion) -> list[dict[str, str]]:
    """Les rubriques que la personne a le droit de voir, avec leur adresse."""
    slug = adhesion.organisation.slug
    return [
        {
            "titre": r.titre,
            "description": r.description,
            "url": reverse(r.nom_url, args=[slug]) + (f"#{r.ancre}" if r.ancre else ""),
        }
        for r in RUBRIQUES
        if peut(adhesion.role, r.droit)
    ]


@login_required
def accueil(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = _lire(request, slug)
    organisation = adhesion.organisation
    aujourd_hui = timezone.localdate()
    ref = referentiel.en_vigueur()
    etape = request.GET.get("etape", "")
    etape = etape if etape in ref.etape_par_id else ""
    etat = request.GET.get("etat", "")
    etat = etat if etat in Action.Etat.values else ""
    en_retard = request.GET.get("en_retard") == "1"
    etiquette = request.GET.get("etiquette", "")[:40]
    actions = list(selectors.actions(organisation, aujourd_hui, etape, etat, en_retard)[: LIMITE_LISTES + 1])
    notes = list(selectors.notes(organisation, etiquette)[: LIMITE_LISTES + 1])
    etapes = selectors.etapes(organisation)
    return render(
        request,
        "programme/accueil.html",
        _contexte(
            adhesion,
            etapes=etapes,
            faites=sum(1 for e in etapes if e.etat == EtatEtape.Etat.FAITE),
            actions=actions[:LIMITE_LISTES],
            actions_tronquees=len(actions) > LIMITE_LISTES,
            titres_etapes={e.id: f"{e.numero}. {e.titre}" for e in ref.etapes},
            choix_etapes=referentiel.choix_etapes(),
            choix_etats=Action.Etat.choices,
            filtre={"etape": etape, "etat": etat, "en_retard": en_retard, "etiquette": etiquette},
            sensibilisations=list(selectors.sensibilisations(organisation)[:LIMITE_LISTES]),
            formats={f.id: f.titre for f in ref.formats},
            notes=notes[:LIMITE_LISTES],
            notes_tronquees=len(notes) > LIMITE_LISTES,
            etiquettes=selectors.etiquettes(organisation),
            rubriques=rubriques(adhesion),
            limite=LIMITE_LISTES,
        ),
    )


@login_required
def etape(request: HttpRequest, slug: str, etape_id: str) -> HttpResponse:
    adhesion = _lire(request, slug)
    ref = referentiel.en_vigueur()
    definition = ref.etape_par_id.get(etape_id)
    if definition is None:
        raise Http404("Étape inconnue.")
    ligne = selectors.etat_etape(adhesion.organisation, etape_id)
    initial: dict[str, Any] = {
        "etat": ligne.etat if ligne else EtatEtape.Etat.A_VENIR,
        "commentaire": ligne.commentaire if ligne else "",
        "version": ligne.version if ligne else 0,
    }
    form = EtapeForm(request.POST or None, initial=initial)
    conflit, statut = None, 200
    if request.method == "POST":
        _piloter(request, slug)
        statut = 400
        if form.is_valid():
            try:
                services.changer_etape(
                    adhesion.organisation,
                    etape_id,
                    form.cleaned_data["etat"],
                    form.cleaned_data["commentaire"],
                    form.cleaned_data["version"],
                    _personne(request),
                )
            except versions.ConflitEdition as erreur:
                conflit, statut = erreur, 409
                reprendre_apres_conflit(form, erreur)
            except ValidationError as erreur:
                ajouter_erreurs(form, erreur)
            else:
                messages.success(request, f"Étape « {definition.titre} » enregistrée.")
                return redirect("programme:accueil", slug=slug)
    return render(
        request,
        "programme/etape.html",
        _contexte(
            adhesion,
            definition=definition,
            sources=ref.citer(definition.references),
            form=form,
            etat=EtatEtape.Etat(initial["etat"]).label,
            conflit=conflit,
            historique=versions.historique(ligne) if ligne else [],
        ),
        status=statut,
    )


@login_required
def action_nouvelle(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = _piloter(request, slug)
    form = ActionForm(request.POST or None, organisation=adhesion.organisation)
    statut = 200
    if request.method == "POST":
        statut = 400
        if form.is_valid():
            try:
                action = services.creer_action(adhesion.organisation, form.donnees(), _personne(request))
            except ValidationError as erreur:
                ajouter_erreurs(form, erreur)
            else:
                messages.success(request, f"Action « {action.intitule} » ajoutée à la feuille de route.")
                return redirect("programme:accueil", slug=slug)
    return render(request, "programme/action_nouvelle.html", _contexte(adhesion, form=form), status=statut)


@login_required
def action(request: HttpRequest, slug: str, action_pk: int) -> HttpResponse:
    adhesion = _lire(request, slug)
    aujourd_hui = timezone.localdate()
    objet = selectors.action(adhesion.organisation, action_pk, aujourd_hui)
    form = ActionForm(request.POST or None, organisation=adhesion.organisation, action=objet)
    conflit, statut = None, 200
    if request.method == "POST":
        _piloter(request, slug)
        statut = 400
        if form.is_valid():
            try:
                modifiee = services.modifier_action(
                    adhesion.organisation,
                    objet.pk,
                    form.donnees(),
                    form.cleaned_data["version"],
                    _personne(request),
                )
            except versions.ConflitEdition as erreur:
                conflit, statut = erreur, 409
                reprendre_apres_conflit(form, erreur)
            except ValidationError as erreur:
                ajouter_erreurs(form, erreur)
            else:
                if modifiee.version == form.cleaned_data["version"]:
                    messages.info(request, "Aucun changement : rien n'a été enregistré.")
                else:
                    messages.success(request, f"Action « {modifiee.intitule} » enregistrée.")
                return redirect("programme:action", slug=slug, action_pk=objet.pk)
    ref = referentiel.en_vigueur()
    return render(
        request,
        "programme/action.html",
        _contexte(
            adhesion,
            action=objet,
            etape=ref.etape_par_id.get(objet.etape),
            form=form,
            conflit=conflit,
            historique=versions.historique(objet, limite=50),
        ),
        status=statut,
    )


def _enregistrer(
    form: Any, enregistrer: Callable[[], Any]
) -> tuple[Any | None, versions.ConflitEdition | None, int]:
    """Le cycle d'une page de saisie (POST seulement, droit déjà vérifié) : rend (objet enregistré
    ou None, conflit, statut). Saisie illisible ou refusée : 400 ; version périmée : 409, la saisie
    gardée et le formulaire reparti de la version actuelle. Rien n'est écrit dans ces deux cas."""
    if not form.is_valid():
        return None, None, 400
    ecriture = ecrire(form, enregistrer)
    return ecriture.resultat, ecriture.conflit, 200 if ecriture.ecrit else 409 if ecriture.conflit else 400


@login_required
def sensibilisation_nouvelle(request: HttpRequest, slug: str) -> HttpResponse:
    return _sensibilisation(request, slug, None)


@login_required
def sensibilisation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _sensibilisation(request, slug, pk)


def _sensibilisation(request: HttpRequest, slug: str, pk: int | None) -> HttpResponse:
    """Créer (pk None) ou corriger une action de sensibilisation : même formulaire, même gabarit."""
    adhesion = _piloter(request, slug)
    organisation = adhesion.organisation
    objet = selectors.sensibilisation(organisation, pk) if pk is not None else None
    form = SensibilisationForm(request.POST or None, sensibilisation=objet)
    conflit, statut = None, 200
    if request.method == "POST":

        def enregistrer() -> Sensibilisation:
            if objet is None:
                return services.creer_sensibilisation(
                    organisation, form.donnees(), form.participants(), _personne(request)
                )
            return services.modifier_sensibilisation(
                organisation,
                objet.pk,
                form.donnees(),
                form.participants(),
                _personne(request),
                form.cleaned_data["version"],
            )

        ecrite, conflit, statut = _enregistrer(form, enregistrer)
        if ecrite is not None:
            if objet is not None and ecrite.version == form.cleaned_data["version"]:
                messages.info(request, "Aucun changement : rien n'a été enregistré.")
            else:
                messages.success(request, f"Action de sensibilisation « {ecrite.intitule} » enregistrée.")
            return redirect(reverse("programme:accueil", args=[slug]) + "#sensibilisation")
    return render(
        request,
        "programme/sensibilisation.html",
        _contexte(
            adhesion,
            form=form,
            sensibilisation=objet,
            formats=referentiel.en_vigueur().formats,
            conflit=conflit,
            historique=versions.historique(objet, limite=50) if objet else [],
        ),
        status=statut,
    )


@require_POST
@login_required
def sensibilisation_suppression(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = _piloter(request, slug)
    objet = selectors.sensibilisation(adhesion.organisation, pk)
    return supprimer_ou_signaler(
        request,
        lambda version: services.supprimer_sensibilisation(
            adhesion.organisation, objet.pk, version, _personne(request)
        ),
        f"Action de sensibilisation « {objet.intitule} » supprimée ; l'historique en garde la trace.",
        reverse("programme:accueil", args=[slug]) + "#sensibilisation",
    )


@login_required
def note_nouvelle(request: HttpRequest, slug: str) -> HttpResponse:
    return _note(request, slug, None)


@login_required
def note(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _note(request, slug, pk)


def _note(request: HttpRequest, slug: str, pk: int | None) -> HttpResponse:
    """Créer (pk None) ou corriger une note de veille : même formulaire, même gabarit."""
    adhesion = _piloter(request, slug)
    organisation = adhesion.organisation
    objet = selectors.note(organisation, pk) if pk is not None else None
    form = NoteForm(request.POST or None, note=objet)
    conflit, statut = None, 200
    if request.method == "POST":

        def enregistrer() -> NoteVeille:
            if objet is None:
                return services.creer_note(organisation, form.donnees(), _personne(request))
            return services.modifier_note(
                organisation, objet.pk, form.donnees(), _personne(request), form.cleaned_data["version"]
            )

        ecrite, conflit, statut = _enregistrer(form, enregistrer)
        if ecrite is not None:
            if objet is not None and ecrite.version == form.cleaned_data["version"]:
                messages.info(request, "Aucun changement : rien n'a été enregistré.")
            else:
                messages.success(request, f"Note de veille « {ecrite.titre} » enregistrée.")
            return redirect(reverse("programme:accueil", args=[slug]) + "#veille")
    return render(
        request,
        "programme/note.html",
        _contexte(
            adhesion,
            form=form,
            note=objet,
            conflit=conflit,
            historique=versions.historique(objet, limite=50) if objet else [],
        ),
        status=statut,
    )


@require_POST
@login_required
def note_suppression(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = _piloter(request, slug)
    objet = selectors.note(adhesion.organisation, pk)
    return supprimer_ou_signaler(
        request,
        lambda version: services.supprimer_note(adhesion.organisation, objet.pk, version, _personne(request)),
        f"Note de veille « {objet.titre} » supprimée ; l'historique en garde la trace.",
        reverse("programme:accueil", args=[slug]) + "#veille",
    )
