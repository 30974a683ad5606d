"""Pages des rappels. Les réglages se font depuis « Mon compte » (connecté) ; le désabonnement et le
calendrier s'ouvrent sans connexion, par un lien secret : un lien inconnu, altéré ou révoqué répond 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import calendrier as ics
from . import selectors, services
from .forms import FrequenceForm


@require_POST
@login_required
def frequence(request: HttpRequest) -> HttpResponse:
    form = FrequenceForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for erreurs in form.errors.values() for e in erreurs))
        return redirect("comptes:compte")
    preference = services.choisir_frequence(request.user, form.cleaned_data["frequence"], par=request.user)
    messages.success(request, f"Récapitulatif par courriel : {preference.get_frequence_display().lower()}.")
    return redirect("comptes:compte")


@require_POST
@login_required
def renouveler_calendrier(request: HttpRequest) -> HttpResponse:
    _, secret = services.renouveler_flux(request.user)
    return render(request, "rappels/calendrier_cree.html", {"adresse": selectors.adresse_calendrier(secret)})


@require_POST
@login_required
def revoquer_calendrier(request: HttpRequest) -> HttpResponse:
    try:
        services.revoquer_flux(request.user)
        messages.success(request, "Adresse de calendrier révoquée : les agendas abonnés ne la liront plus.")
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    return redirect("comptes:compte")


# Le POST vient d'un client de messagerie (RFC 8058), sans jeton CSRF ni session : le lien signé suffit.
@csrf_exempt
@require_http_methods(["GET", "POST"])
def desabonnement(request: HttpRequest, jeton: str) -> HttpResponse:
    personne = selectors.personne_du_desabonnement(jeton)
    if personne is None:
        raise Http404("Lien de désabonnement inconnu.")
    if request.method == "POST":
        services.desabonner(personne)
        return render(request, "rappels/desabonne.html", {"personne": personne})
    return render(
        request,
        "rappels/desabonnement.html",
        {"personne": personne, "deja": selectors.frequence_de(personne) == "aucune"},
    )


@require_GET
def calendrier(request: HttpRequest, jeton: str) -> HttpResponse:
    personne = selectors.personne_du_flux(jeton)
    if personne is None:
        raise Http404("Calendrier inconnu ou révoqué.")
    reponse = HttpResponse(ics.calendrier(personne), content_type="text/calendar; charset=utf-8")
    reponse["Content-Disposition"] = 'inline; filename="balise.ics"'
    reponse["Cache-Control"] = "private, no-store"
    reponse["X-Robots-Tag"] = "noindex"
    return reponse
