from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.messages.views import SuccessMessageMixin
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_POST

from balise import limites
from balise.rappels import selectors as rappels

from . import selectors, services
from .backends import ADRESSE_BLOQUEE, ouvrir_session
from .forms import (
    ActivationForm,
    ChangementMotDePasseForm,
    ConnexionForm,
    DemandeReinitialisationForm,
    JetonForm,
    NouveauMotDePasseForm,
)
from .models import JetonAPI


class Connexion(auth_views.LoginView):
    template_name = "comptes/connexion.html"
    authentication_form = ConnexionForm
    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        """Sans adresse de retour explicite (`next`) : la page « À traiter » de la personne qui n'a
        qu'une organisation, l'accueil (ses organisations) sinon."""
        organisation = selectors.seule_organisation(self.request.user)
        if organisation is not None:
            return reverse("gouvernance:a_traiter", args=[organisation.slug])
        return super().get_default_redirect_url()

    def form_invalid(self, form: ConnexionForm) -> HttpResponse:
        if getattr(self.request, ADRESSE_BLOQUEE, False):
            return render(self.request, "comptes/verrouille.html", {"par_adresse": True}, status=429)
        return super().form_invalid(form)


class Deconnexion(auth_views.LogoutView):
    pass


class ChangementMotDePasse(SuccessMessageMixin, auth_views.PasswordChangeView):
    success_message = "Votre mot de passe a été changé."
    template_name = "comptes/formulaire.html"
    form_class = ChangementMotDePasseForm
    success_url = reverse_lazy("comptes:compte")
    extra_context = {"titre": "Changer mon mot de passe", "bouton": "Changer le mot de passe"}


class DemandeReinitialisation(SuccessMessageMixin, auth_views.PasswordResetView):
    """Envoie un lien de réinitialisation ; la réponse est la même que l'adresse existe ou non."""

    success_message = "Si un compte correspond à cette adresse, un lien vient de lui être envoyé."
    template_name = "comptes/formulaire.html"
    form_class = DemandeReinitialisationForm
    email_template_name = "comptes/courriel_reinitialisation.txt"
    subject_template_name = "comptes/sujet_reinitialisation.txt"
    success_url = reverse_lazy("comptes:connexion")
    extra_context = {
        "titre": "Mot de passe oublié",
        "bouton": "Recevoir un lien",
        "aide": "Indiquez votre adresse électronique : si un compte lui correspond, un lien valable 3 jours "
        "vous est envoyé pour choisir un nouveau mot de passe.",
    }

    def form_valid(self, form: DemandeReinitialisationForm) -> HttpResponse:
        # Comptée que le compte existe ou non : la réponse ne dit rien de son existence.
        adresse = limites.adresse_du_client(self.request)
        email = form.cleaned_data["email"].strip().lower()
        if limites.REINITIALISATIONS_PAR_ADRESSE.atteinte(
            adresse
        ) or limites.REINITIALISATIONS_PAR_COMPTE.atteinte(email):
            form.add_error(
                None,
                "Trop de demandes de lien, pour cette adresse électronique ou depuis votre réseau : aucun "
                "courriel n'a été envoyé. Réessayez dans une heure.",
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        limites.REINITIALISATIONS_PAR_ADRESSE.compter(adresse)
        limites.REINITIALISATIONS_PAR_COMPTE.compter(email)
        return super().form_valid(form)


class NouveauMotDePasse(SuccessMessageMixin, auth_views.PasswordResetConfirmView):
    success_message = "Mot de passe enregistré : vous pouvez vous connecter."
    template_name = "comptes/formulaire.html"
    form_class = NouveauMotDePasseForm
    success_url = reverse_lazy("comptes:connexion")
    extra_context = {"titre": "Choisir un nouveau mot de passe", "bouton": "Enregistrer"}


class Activation(auth_views.PasswordResetConfirmView):
    """Le lien reçu par le premier administrateur d'une organisation : il choisit son mot de passe, dit
    son nom, et arrive dans son organisation, connecté (aucun mot de passe n'a été écrit nulle part)."""

    template_name = "comptes/formulaire.html"
    form_class = ActivationForm
    extra_context = {
        "titre": "Choisir votre mot de passe",
        "bouton": "Enregistrer et commencer",
        "aide": "Votre nom apparaîtra auprès des autres membres et dans l'historique de ce que vous faites.",
    }

    def form_valid(self, form: ActivationForm) -> HttpResponse:
        donnees = form.cleaned_data
        utilisateur = services.activer_compte(
            form.user, donnees["new_password1"], donnees["first_name"], donnees["last_name"]
        )
        del self.request.session[auth_views.INTERNAL_RESET_SESSION_TOKEN]
        ouvrir_session(self.request, utilisateur)
        messages.success(
            self.request, f"Bienvenue, {utilisateur.nom_affiche} : votre mot de passe est enregistré."
        )
        organisation = selectors.seule_organisation(utilisateur)
        if organisation is not None:
            return redirect("gouvernance:a_traiter", slug=organisation.slug)
        return redirect("accueil")


@login_required
def compte(request: HttpRequest) -> HttpResponse:
    form = JetonForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _, secret = services.emettre_jeton(
            request.user, form.cleaned_data["nom"], form.cleaned_data["valable_jusqu_au"]
        )
        form = JetonForm()
    actifs, inactifs = selectors.jetons_de(request.user)
    return render(
        request,
        "comptes/compte.html",
        {
            "form": form,
            "secret": secret,
            "jetons": actifs,
            "inactifs": inactifs,
            "adhesions": request.user.adhesions.select_related("organisation"),
            "rappels": rappels.reglages_compte(request.user),
        },
    )


@require_POST
@login_required
def revoquer(request: HttpRequest, pk: int) -> HttpResponse:
    jeton = get_object_or_404(JetonAPI, pk=pk, utilisateur=request.user)
    try:
        services.revoquer_jeton(jeton, request.user)
        messages.success(request, f"Jeton « {jeton.nom} » révoqué.")
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    return redirect("comptes:compte")
