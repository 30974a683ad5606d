"""Pages des instances : liste, création (libre ou d'après un modèle), fiche et composition, collèges,
membres et membres externes, archivage.

Lire : toute personne de l'organisation ; un membre externe, seulement les instances où il siège
(droits.peut_voir, 404 pour une autre). Écrire : GOUVERNER. Les vues n'écrivent pas : elles appellent
services_instances.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from balise import versions
from balise.comptes.models import Utilisateur
from balise.envois.services import une_seule_fois
from balise.formulaires import reprendre_apres_conflit, version_postee
from balise.organisations import acces
from balise.organisations.models import Adhesion, Invitation
from balise.organisations.roles import Permission, peut

from . import modeles_instances
from . import selectors_instances as selecteurs
from . import services_instances as services
from .forms_instances import (
    ChoixModeleForm,
    CollegeForm,
    CreationForm,
    InstanceForm,
    InvitationExterneForm,
    MembreForm,
    NominationForm,
)
from .models import College, Instance, InvitationSiege, Membre

HISTORIQUE_SUR_LA_FICHE = 10


def _personne(request: HttpRequest) -> Utilisateur:
    # Les vues sont sous login_required : la personne est connectée.
    return cast(Utilisateur, request.user)


def _lire(request: HttpRequest, slug: str) -> Adhesion:
    """Toute personne de l'organisation qui peut siéger : les membres voient tout, un membre externe
    ses seules instances (filtrées par les sélecteurs)."""
    return acces.exiger(request.user, slug, Permission.SIEGER)


def _gouverner(request: HttpRequest, slug: str) -> Adhesion:
    return acces.exiger(request.user, slug, Permission.GOUVERNER)


def _contexte(adhesion: Adhesion, **autres: Any) -> dict[str, Any]:
    return {
        "organisation": adhesion.organisation,
        "peut_gouverner": peut(adhesion.role, Permission.GOUVERNER),
        **autres,
    }


def _operation(
    request: HttpRequest, operation: Callable[[], object], succes: str, retour: str
) -> HttpResponse:
    """Exécute une opération de service ; ses refus deviennent des messages d'erreur en français."""
    try:
        operation()
    except versions.ConflitEdition as erreur:
        messages.error(request, erreur.message)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, succes)
    return redirect(retour)


@login_required
def liste(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = _lire(request, slug)
    archives = request.GET.get("archives") == "1" and peut(adhesion.role, Permission.VOIR_REGISTRE)
    return render(
        request,
        "gouvernance/instances/liste.html",
        _contexte(adhesion, instances=list(selecteurs.instances(adhesion, archives)), archives=archives),
    )


@login_required
def nouvelle(request: HttpRequest, slug: str) -> HttpResponse:
    """Choisir un modèle (ou aucun), puis un formulaire pré-rempli, adaptable, qui crée l'instance."""
    adhesion = _gouverner(request, slug)
    modeles = modeles_instances.en_vigueur()
    choix = ChoixModeleForm(request.GET or None)
    modele_id = choix.cleaned_data["modele"] if choix.is_valid() else ""
    if request.method == "POST":
        form = CreationForm(request.POST)
        if form.is_valid():
            donnees = {k: v for k, v in form.cleaned_data.items() if k in services.CHAMPS_INSTANCE}
            try:
                envoi = une_seule_fois(
                    request,
                    lambda: services.creer_instance(
                        adhesion.organisation,
                        donnees,
                        _personne(request),
                        modele=form.cleaned_data["modele"],
                        colleges=form.cleaned_data["colleges"],
                    ),
                )
            except ValidationError as erreur:
                _erreurs_dans(form, erreur)
            else:
                if envoi.objet is None:
                    return redirect("gouvernance:instances", slug=slug)
                if not envoi.doublon:
                    messages.success(request, f"L'instance « {envoi.objet.nom} » est créée.")
                return redirect("gouvernance:instance", slug=slug, pk=envoi.objet.pk)
        modele_id = request.POST.get("modele", "")
    else:
        initial: dict[str, Any] = {"quorum_pourcent": 50, "modele": modele_id}
        if modele_id:
            valeurs = services.valeurs_du_modele(modele_id)
            initial = {**valeurs, "colleges": "\n".join(valeurs["colleges"]), "modele": modele_id}
        form = CreationForm(initial=initial)
    modele = modeles.par_id.get(modele_id)
    return render(
        request,
        "gouvernance/instances/nouvelle.html",
        _contexte(
            adhesion,
            form=form,
            choix=choix,
            modele=modele,
            sources=modeles.citer(modele) if modele else [],
            modeles=[(m, modeles.citer(m)) for m in modeles.modeles],
        ),
    )


def _erreurs_dans(form: Any, erreur: ValidationError) -> None:
    """Une erreur de service rattachée à son champ quand il est dans le formulaire, sinon au formulaire."""
    if hasattr(erreur, "error_dict"):
        for champ, liste in erreur.error_dict.items():
            form.add_error(champ if champ in form.fields else None, liste)
    else:
        form.add_error(None, erreur)


@login_required
def fiche(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = _lire(request, slug)
    instance = selecteurs.instance(adhesion, pk)
    gouverne = peut(adhesion.role, Permission.GOUVERNER)
    modeles = modeles_instances.en_vigueur()
    modele = modeles.par_id.get(instance.modele)
    return render(
        request,
        "gouvernance/instances/fiche.html",
        _contexte(
            adhesion,
            instance=instance,
            composition=selecteurs.composition(instance, avec_invitations=gouverne),
            modele=modele,
            sources=modeles.citer(modele) if modele else [],
            historique=versions.historique(instance, HISTORIQUE_SUR_LA_FICHE),
        ),
    )


@login_required
def historique(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = _lire(request, slug)
    instance = selecteurs.instance(adhesion, pk)
    return render(
        request,
        "gouvernance/instances/historique.html",
        _contexte(adhesion, instance=instance, entrees=versions.historique(instance)),
    )


@login_required
def modifier(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = _gouverner(request, slug)
    instance = selecteurs.instance(adhesion, pk)
    form = InstanceForm(request.POST or None, instance=instance)
    conflit = None
    if request.method == "POST" and form.is_valid():
        donnees = {k: v for k, v in form.cleaned_data.items() if k in services.CHAMPS_INSTANCE}
        try:
            services.modifier_instance(
                adhesion.organisation, instance.pk, donnees, form.cleaned_data["version"], _personne(request)
            )
        except versions.ConflitEdition as erreur:
            conflit = erreur
            reprendre_apres_conflit(form, erreur)
        except ValidationError as erreur:
            _erreurs_dans(form, erreur)
        else:
            messages.success(request, "Modifications de l'instance enregistrées.")
            return redirect("gouvernance:instance", slug=slug, pk=pk)
    return render(
        request,
        "gouvernance/instances/modifier.html",
        _contexte(adhesion, instance=instance, form=form, conflit=conflit),
        status=409 if conflit else 200,
    )


@require_POST
@login_required
def archiver(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = _gouverner(request, slug)
    instance = selecteurs.instance(adhesion, pk)
    return _operation(
        request,
        lambda: services.archiver_instance(
            adhesion.organisation, instance.pk, version_postee(request), _personne(request)
        ),
        f"L'instance « {instance.nom} » est archivée : elle reste consultable, avec son historique.",
        reverse("gouvernance:instance", args=[slug, pk]),
    )


@require_POST
@login_required
def restaurer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = _gouverner(request, slug)
    instance = selecteurs.instance(adhesion, pk)
    return _operation(
        request,
        lambda: services.restaurer_instance(
            adhesion.organisation, instance.pk, version_postee(request), _personne(request)
        ),
        f"L'instance « {instance.nom} » est restaurée.",
        reverse("gouvernance:instance", args=[slug, pk]),
    )


def _page_composition(
    request: HttpRequest,
    adhesion: Adhesion,
    instance: Instance,
    nomination: NominationForm | None = None,
    invitation: InvitationExterneForm | None = None,
    college_form: CollegeForm | None = None,
) -> HttpResponse:
    colleges = list(instance.colleges.all())
    personnes = list(selecteurs.personnes_nommables(instance))
    erreurs = any(f is not None and f.errors for f in (nomination, invitation, college_form))
    return render(
        request,
        "gouvernance/instances/composition.html",
        _contexte(
            adhesion,
            instance=instance,
            composition=selecteurs.composition(instance),
            colleges=colleges,
            nomination=nomination or NominationForm(personnes=personnes, colleges=colleges),
            invitation=invitation or InvitationExterneForm(colleges=colleges, prefix="externe"),
            college_form=college_form or CollegeForm(prefix="college"),
        ),
        status=400 if erreurs else 200,
    )


@login_required
def composition(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Composition de l'instance ; en POST, nommer une personne de l'organisation."""
    adhesion = _gouverner(request, slug)
    instance = selecteurs.instance(adhesion, pk)
    if request.method != "POST":
        return _page_composition(request, adhesion, instance)
    colleges = list(instance.colleges.all())
    form = NominationForm(
        request.POST, personnes=list(selecteurs.personnes_nommables(instance)), colleges=colleges
    )
    if form.is_valid():
        try:
            membre = services.nommer_membre(
                instance,
                form.cleaned_data["utilisateur"],
                _personne(request),
                college_id=form.cleaned_data["college"],
                fonction=form.cleaned_data["fonction"],
                qualite=form.cleaned_data["qualite"],
            )
        except ValidationError as erreur:
            _erreurs_dans(form, erreur)
        else:
            messages.success(request, f"{membre.utilisateur.nom_affiche} siège désormais dans l'instance.")
            return redirect("gouvernance:instance_composition", slug=slug, pk=pk)
    return _page_composition(request, adhesion, instance, nomination=form)


@require_POST
@login_required
def inviter_externe(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = _gouverner(request, slug)
    instance = selecteurs.instance(adhesion, pk)
    form = InvitationExterneForm(request.POST, colleges=list(instance.colleges.all()), prefix="externe")
    if form.is_valid():

        def lien(invitation: Invitation) -> str:
            return request.build_absolute_uri(reverse("invitation:accepter", args=[invitation.jeton]))

        try:
            envoi = une_seule_fois(
                request,
                lambda: _objet(
                    services.inviter_externe(
                        instance,
                        form.cleaned_data["email"],
                        _personne(request),
                        lien,
                        college_id=form.cleaned_data["college"],
                        fonction=form.cleaned_data["fonction"],
                        qualite=form.cleaned_data["qualite"],
                    )
                ),
            )
        except ValidationError as erreur:
            _erreurs_dans(form, erreur)
        else:
            if not envoi.doublon:
                if isinstance(envoi.objet, InvitationSiege):
                    messages.success(
                        request,
                        f"Invitation à siéger envoyée à {form.cleaned_data['email']}. "
                        f"Lien à transmettre : {lien(envoi.objet.invitation)}",
                    )
                else:
                    messages.success(
                        request,
                        f"{form.cleaned_data['email']} est déjà membre de l'organisation : "
                        "la personne siège désormais dans l'instance.",
                    )
            return redirect("gouvernance:instance_composition", slug=slug, pk=pk)
    return _page_composition(request, adhesion, instance, invitation=form)


def _objet(resultat: services.ResultatInvitation) -> Any:
    return resultat.invitation or resultat.membre


def _historique_du_siege(membre: Membre, colleges: list[College]) -> list[versions.EntreeHistorique]:
    """L'historique d'un siège, le collège nommé (l'historique n'en garde que l'identifiant)."""
    noms = {str(c.pk): c.nom for c in colleges}
    libelles = {"college": "Collège", "retire le": "Retiré le"}

    def lisible(libelle: str, valeur: str) -> str:
        return noms.get(valeur, valeur) if libelle == "college" else valeur

    return [
        replace(
            e,
            changements=[
                (libelles.get(libelle, libelle), lisible(libelle, avant), lisible(libelle, apres))
                for libelle, avant, apres in e.changements
            ],
        )
        for e in versions.historique(membre)
    ]


@login_required
def modifier_membre(request: HttpRequest, slug: str, pk: int, membre_pk: int) -> HttpResponse:
    """Changer la fonction, le collège ou la qualité d'un membre en fonction, sous verrou optimiste."""
    adhesion = _gouverner(request, slug)
    instance = selecteurs.instance(adhesion, pk)
    membre = selecteurs.membre(instance, membre_pk)
    colleges = list(instance.colleges.all())
    form = MembreForm(request.POST or None, membre=membre, colleges=colleges)
    conflit = None
    statut = 200
    if request.method == "POST":
        statut = 400
        if form.is_valid():
            donnees = {c: form.cleaned_data[c] for c in ("fonction", "college", "qualite")}
            try:
                modifie = services.modifier_membre(
                    instance, membre.pk, donnees, form.cleaned_data["version"], _personne(request)
                )
            except versions.ConflitEdition as erreur:
                conflit, statut = erreur, 409
                reprendre_apres_conflit(form, erreur)
            except ValidationError as erreur:
                _erreurs_dans(form, erreur)
            else:
                if modifie.version == form.cleaned_data["version"]:
                    messages.info(request, "Aucun changement : rien n'a été enregistré.")
                else:
                    messages.success(
                        request,
                        f"Siège de {membre.utilisateur.nom_affiche} modifié : "
                        f"{modifie.get_fonction_display().lower()}"
                        + (f", {modifie.college.nom}" if modifie.college else ", sans collège")
                        + ".",
                    )
                return redirect("gouvernance:instance_composition", slug=slug, pk=pk)
    return render(
        request,
        "gouvernance/instances/membre.html",
        _contexte(
            adhesion,
            instance=instance,
            membre=membre,
            form=form,
            conflit=conflit,
            historique=_historique_du_siege(membre, colleges),
        ),
        status=statut,
    )


@require_POST
@login_required
def retirer_membre(request: HttpRequest, slug: str, pk: int, membre_pk: int) -> HttpResponse:
    adhesion = _gouverner(request, slug)
    instance = selecteurs.instance(adhesion, pk)
    membre = selecteurs.membre(instance, membre_pk)
    return _operation(
        request,
        lambda: services.retirer_membre(instance, membre.pk, version_postee(request), _personne(request)),
        f"{membre.utilisateur.nom_affiche} ne siège plus dans l'instance ; son passage reste dans l'historique.",
        reverse("gouvernance:instance_composition", args=[slug, pk]),
    )


@require_POST
@login_required
def ajouter_college(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = _gouverner(request, slug)
    instance = selecteurs.instance(adhesion, pk)
    form = CollegeForm(request.POST, prefix="college")
    if form.is_valid():
        try:
            college = services.ajouter_college(instance, form.cleaned_data["nom"], _personne(request))
        except ValidationError as erreur:
            form.add_error("nom", erreur)
        else:
            messages.success(request, f"Collège « {college.nom} » ajouté.")
            return redirect("gouvernance:instance_composition", slug=slug, pk=pk)
    return _page_composition(request, adhesion, instance, college_form=form)


@require_POST
@login_required
def renommer_college(request: HttpRequest, slug: str, pk: int, college_pk: int) -> HttpResponse:
    adhesion = _gouverner(request, slug)
    instance = selecteurs.instance(adhesion, pk)
    college = selecteurs.college(instance, college_pk)
    nom = request.POST.get("nom", "")
    return _operation(
        request,
        lambda: services.renommer_college(instance, college.pk, nom, _personne(request)),
        f"Collège « {college.nom} » renommé « {nom.strip()} ».",
        reverse("gouvernance:instance_composition", args=[slug, pk]),
    )


@require_POST
@login_required
def retirer_college(request: HttpRequest, slug: str, pk: int, college_pk: int) -> HttpResponse:
    adhesion = _gouverner(request, slug)
    instance = selecteurs.instance(adhesion, pk)
    college = selecteurs.college(instance, college_pk)
    return _operation(
        request,
        lambda: services.retirer_college(instance, college.pk, _personne(request)),
        f"Collège « {college.nom} » retiré.",
        reverse("gouvernance:instance_composition", args=[slug, pk]),
    )
