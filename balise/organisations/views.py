"""Pages d'administration d'une organisation : membres, invitations, paramètres."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from balise.comptes import selectors as selecteurs_comptes
from balise.comptes import services as services_comptes
from balise.comptes.backends import ouvrir_session
from balise.envois.services import une_seule_fois
from balise.formulaires import reprendre_apres_conflit, version_postee
from balise.versions import ConflitEdition, VersionAbsente

from . import acces, selectors, services
from .forms import (
    AccepterInvitationForm,
    FiltreJournalForm,
    InvitationForm,
    LogoForm,
    OrganisationForm,
    RoleForm,
)
from .models import Adhesion, Invitation
from .roles import Permission, peut

ENTREES_PAR_PAGE = 50


@login_required
def tableau_de_bord(request: HttpRequest, slug: str) -> HttpResponse:
    acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    return redirect("registre:portefeuille", slug=slug)


@login_required
def membres(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_MEMBRES)
    organisation = adhesion.organisation
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            envoi = une_seule_fois(
                request,
                lambda: services.inviter(
                    organisation,
                    form.cleaned_data["email"],
                    form.cleaned_data["role"],
                    request.user,
                    lambda inv: request.build_absolute_uri(reverse("invitation:accepter", args=[inv.jeton])),
                ),
            )
        except ValidationError as erreur:
            form.add_error("email", erreur)
        else:
            if not envoi.doublon:
                invitation = envoi.objet
                lien = request.build_absolute_uri(reverse("invitation:accepter", args=[invitation.jeton]))
                messages.success(
                    request, f"Invitation envoyée à {invitation.email}. Lien à transmettre : {lien}"
                )
            return redirect("organisations:membres", slug=slug)
    return render(
        request,
        "organisations/membres.html",
        {
            "organisation": organisation,
            "form": form,
            "adhesions": selectors.membres(organisation),
            "invitations": selectors.invitations_en_attente(organisation),
            "roles": RoleForm.base_fields["role"].choices,
        },
    )


def _autre_adhesion(adhesion: Adhesion, pk: int) -> Adhesion:
    return selectors.adhesion(adhesion.organisation, pk)


@require_POST
@login_required
def changer_role(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_MEMBRES)
    cible = _autre_adhesion(adhesion, pk)
    form = RoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Rôle inconnu.")
    else:
        try:
            services.changer_role(cible, form.cleaned_data["role"], request.user)
            messages.success(request, f"Rôle de {cible.utilisateur} mis à jour.")
        except ValidationError as erreur:
            messages.error(request, " ".join(erreur.messages))
    return redirect("organisations:membres", slug=slug)


@require_POST
@login_required
def retirer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_MEMBRES)
    cible = _autre_adhesion(adhesion, pk)
    try:
        services.retirer_membre(cible, request.user)
        messages.success(request, f"{cible.utilisateur} ne fait plus partie de l'organisation.")
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    return redirect("organisations:membres", slug=slug)


@require_POST
@login_required
def annuler_invitation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_MEMBRES)
    invitation = selectors.invitation(adhesion.organisation, pk)
    try:
        services.annuler_invitation(invitation, request.user)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, f"Invitation de {invitation.email} annulée.")
    return redirect("organisations:membres", slug=slug)


def _page_parametres(
    request: HttpRequest, organisation, form, form_logo, conflit: ConflitEdition | None = None
) -> HttpResponse:
    return render(
        request,
        "organisations/parametres.html",
        {"organisation": organisation, "form": form, "form_logo": form_logo, "conflit": conflit},
        status=409 if conflit else 200,
    )


def _conflit_logo(request: HttpRequest, conflit: ConflitEdition) -> None:
    """Un fichier ne se garde pas dans la page comme une saisie : la personne relit, puis recommence."""
    if isinstance(conflit, VersionAbsente):
        cause = "la version de la page sur laquelle repose votre envoi n'a pas été transmise"
    else:
        qui = ", ".join(conflit.auteurs) or "une autre personne"
        cause = f"les informations de l'organisation ont été modifiées par {qui} depuis que vous avez ouvert la page"
    messages.error(request, f"Le logo n'a pas été changé : {cause}. Relisez la page, puis recommencez.")


@login_required
def parametres(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_MEMBRES)
    organisation = adhesion.organisation
    form = OrganisationForm(request.POST or None, instance=organisation)
    conflit = None
    if request.method == "POST" and form.is_valid():
        donnees = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.modifier_organisation(
                organisation.pk, donnees, form.cleaned_data["version"], request.user
            )
        except ConflitEdition as erreur:
            conflit = erreur
            reprendre_apres_conflit(form, erreur)
        else:
            messages.success(request, "Informations de l'organisation enregistrées.")
            return redirect("organisations:parametres", slug=slug)
    return _page_parametres(request, organisation, form, LogoForm(organisation=organisation), conflit)


@require_POST
@login_required
def deposer_logo(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_MEMBRES)
    organisation = adhesion.organisation
    form = LogoForm(request.POST, request.FILES, organisation=organisation)
    if form.is_valid() and form.logo is not None:
        try:
            services.deposer_logo(organisation.pk, form.logo, form.cleaned_data["version"], request.user)
        except ConflitEdition as conflit:
            _conflit_logo(request, conflit)
        except ValidationError as erreur:
            form.add_error("fichier", erreur)
            return _page_parametres(request, organisation, OrganisationForm(instance=organisation), form)
        else:
            messages.success(
                request, "Logo enregistré : il mène désormais vos pages et votre registre public."
            )
        return redirect("organisations:parametres", slug=slug)
    return _page_parametres(request, organisation, OrganisationForm(instance=organisation), form)


@require_POST
@login_required
def retirer_logo(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_MEMBRES)
    try:
        services.retirer_logo(adhesion.organisation.pk, version_postee(request), request.user)
    except ConflitEdition as conflit:
        _conflit_logo(request, conflit)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, "Logo retiré : vos pages et votre registre public n'en affichent plus.")
    return redirect("organisations:parametres", slug=slug)


@login_required
def journal(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_MEMBRES)
    organisation = adhesion.organisation
    filtre = FiltreJournalForm(request.GET or None)
    categorie = filtre.cleaned_data["categorie"] if filtre.is_valid() else ""
    entrees = selectors.journal_de(organisation, categorie)
    return render(
        request,
        "organisations/journal.html",
        {
            "organisation": organisation,
            "filtre": filtre,
            "page": Paginator(entrees, ENTREES_PAR_PAGE).get_page(request.GET.get("page")),
            "parametres": request.GET,
        },
    )


@login_required
def jetons(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_MEMBRES)
    actifs, inactifs = selecteurs_comptes.jetons_des_membres_actifs_et_recents(adhesion.organisation)
    return render(
        request,
        "organisations/jetons.html",
        {"organisation": adhesion.organisation, "jetons": actifs, "inactifs": inactifs},
    )


@require_POST
@login_required
def revoquer_jeton(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Un administrateur révoque le jeton d'un membre : ceux des personnes qui ne sont pas membres de
    l'organisation sont introuvables (404)."""
    adhesion = acces.exiger(request.user, slug, Permission.GERER_MEMBRES)
    jeton = get_object_or_404(selecteurs_comptes.jetons_des_membres(adhesion.organisation), pk=pk)
    try:
        services_comptes.revoquer_jeton(jeton, request.user)
        messages.success(request, f"Jeton « {jeton.nom} » de {jeton.utilisateur.nom_affiche} révoqué.")
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    return redirect("organisations:jetons", slug=slug)


def _destination(slug: str, role: str) -> HttpResponse:
    """Après l'acceptation : le portefeuille, ou, pour un membre externe qui ne voit pas le registre,
    les instances où il siège."""
    if peut(role, Permission.VOIR_REGISTRE):
        return redirect("registre:portefeuille", slug=slug)
    return redirect("gouvernance:instances", slug=slug)


def _ecart_de_siege(request: HttpRequest, invitation: Invitation) -> None:
    """Une invitation à siéger acceptée à une autre fonction que celle proposée (présidence exercée
    entre-temps) : la personne le lit tout de suite. La gouvernance dépend des organisations, d'où
    l'import ici (comme dans services.accepter_invitation)."""
    from balise.gouvernance.services_instances import ecart_a_l_acceptation

    ecart = ecart_a_l_acceptation(invitation)
    if ecart:
        messages.warning(request, ecart)


def accepter_invitation(request: HttpRequest, jeton: str) -> HttpResponse:
    invitation = selectors.invitation_par_jeton(jeton)
    if invitation is None:
        return render(request, "organisations/invitation_invalide.html", status=404)
    form = None
    if selectors.a_un_compte(invitation.email):
        # La personne a déjà un compte : elle se connecte avec, puis accepte.
        if not request.user.is_authenticated:
            return redirect(f"{reverse('comptes:connexion')}?next={request.path}")
        if request.method == "POST":
            try:
                adhesion = services.accepter_invitation(invitation, request.user)
            except ValidationError as erreur:
                messages.error(request, " ".join(erreur.messages))
            else:
                messages.success(request, f"Vous avez rejoint {invitation.organisation.nom}.")
                _ecart_de_siege(request, invitation)
                return _destination(invitation.organisation.slug, adhesion.role)
    else:
        form = AccepterInvitationForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                utilisateur = services.accepter_invitation_en_creant_son_compte(
                    invitation,
                    form.cleaned_data["password1"],
                    form.cleaned_data["first_name"],
                    form.cleaned_data["last_name"],
                )
            except ValidationError as erreur:
                form.add_error(None, erreur)
            else:
                ouvrir_session(request, utilisateur)
                messages.success(request, f"Bienvenue ! Vous avez rejoint {invitation.organisation.nom}.")
                _ecart_de_siege(request, invitation)
                return _destination(invitation.organisation.slug, invitation.role)
    return render(request, "organisations/invitation.html", {"invitation": invitation, "form": form})
