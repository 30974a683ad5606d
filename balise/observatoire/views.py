"""La page d'une organisation sur l'observatoire : ce qu'elle y apporte (GERER_MEMBRES pour changer,
VOIR_REGISTRE pour lire) et où elle en est face aux organisations de sa strate et de sa région."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from balise import versions
from balise.formulaires import ecrire
from balise.organisations import acces
from balise.organisations.roles import Permission, peut

from . import selectors, services
from .forms import ParticipationForm


@login_required
def organisation(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    org = adhesion.organisation
    peut_changer = peut(adhesion.role, Permission.GERER_MEMBRES)
    if request.method == "POST" and not peut_changer:
        raise PermissionDenied("Seuls les administrateurs de l'organisation changent sa participation.")
    participation = selectors.participation(org)
    form = ParticipationForm(request.POST if request.method == "POST" else None, instance=participation)
    conflit = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ecriture = ecrire(
            form,
            lambda: services.changer_participation(
                org, request.user, d["version"], d["contribue"], d["partage_metiers"]
            ),
        )
        conflit = ecriture.conflit
        if ecriture.ecrit:
            messages.success(
                request, "Votre choix est enregistré ; il vaudra au prochain calcul de l'observatoire."
            )
            return redirect("observatoire:organisation", slug=slug)
    releve = selectors.dernier_releve()
    return render(
        request,
        "observatoire/organisation.html",
        {
            "organisation": org,
            "participation": participation,
            "form": form,
            "conflit": conflit,
            "peut_changer": peut_changer,
            "releve": releve,
            "comparaisons": selectors.position(org, releve),
            "historique": versions.historique(participation, 10) if participation.pk else [],
        },
        status=409 if conflit else 400 if form.errors else 200,
    )
