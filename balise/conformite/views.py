"""Pages de la qualification réglementaire et du suivi des obligations : vues minces."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from balise import versions
from balise.envois.services import une_seule_fois
from balise.formations import selectors as formations
from balise.formulaires import ecrire
from balise.organisations import acces
from balise.organisations.roles import Permission, peut
from balise.registre import selectors as registre

from . import selectors, services
from .forms import ObligationForm, QuestionnaireForm
from .regles import en_vigueur, version

REGIMES = [
    ("ai_act", "Règlement européen sur l'IA (AI Act)"),
    ("rgpd", "Données personnelles (RGPD)"),
    ("crpa", "Algorithmes publics (CRPA, loi Informatique et libertés)"),
]


@login_required
def qualification(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    systeme = registre.systeme(adhesion.organisation, pk)
    derniere = selectors.derniere_qualification(systeme)
    resultat = selectors.relire(derniere) if derniere else None
    return render(
        request,
        "conformite/qualification.html",
        {
            "organisation": adhesion.organisation,
            "systeme": systeme,
            "derniere": derniere,
            "q": resultat,
            "regimes": [(code, libelle, resultat.par_regime(code)) for code, libelle in REGIMES]
            if resultat
            else [],
            "obligations": selectors.obligations_du_systeme(systeme, timezone.localdate()),
            "peut_qualifier": peut(adhesion.role, Permission.QUALIFIER) and systeme.archive_le is None,
            "nouvelles_regles": selectors.nouvelles_regles(derniere),
        },
    )


@login_required
def questionnaire(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.QUALIFIER)
    systeme = registre.systeme(adhesion.organisation, pk, archives=False)
    etat = selectors.questionnaire(systeme)
    if request.method != "POST":
        form = QuestionnaireForm(etat.a_poser(), initial=QuestionnaireForm.initiales(etat.connues))
    else:
        # Les questions qu'avait la page envoyée (champ caché) : seules celles-là sont lues.
        affichees = etat.affichees(request.POST.get("affichees", ""))
        form = QuestionnaireForm(affichees, request.POST)
        if form.is_valid():
            suite = services.suite_du_questionnaire(etat.regles, etat.connues, affichees, form.reponses())
            if suite.nouvelles:
                messages.info(
                    request, "Vos réponses appellent d'autres questions : complétez-les puis enregistrez."
                )
                form = QuestionnaireForm(suite.a_poser, initial=QuestionnaireForm.initiales(suite.reponses))
            elif suite.manquantes:
                for q in suite.manquantes:
                    form.add_error(f"q-{q.id}", "Répondez à cette question.")
            else:
                try:
                    envoi = une_seule_fois(
                        request,
                        lambda: services.qualifier(systeme, etat.regles, suite.reponses, request.user),
                    )
                except ValidationError as erreur:
                    form.add_error(None, erreur)
                else:
                    if not envoi.doublon:
                        messages.success(
                            request, "Qualification enregistrée ; les obligations du système sont à jour."
                        )
                    return redirect("conformite:qualification", slug=slug, pk=pk)
    return render(
        request,
        "conformite/questionnaire.html",
        {
            "organisation": adhesion.organisation,
            "systeme": systeme,
            "regles": etat.regles,
            "form": form,
            "preremplies": set(etat.preremplies),
        },
        status=400 if form.errors else 200,
    )


@login_required
def obligations(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    filtre = request.GET.get("filtre", "toutes")
    if filtre not in selectors.FILTRES:
        filtre = "toutes"
    liste, tableau = selectors.obligations(adhesion.organisation, filtre, timezone.localdate())
    return render(
        request,
        "conformite/obligations.html",
        {
            "organisation": adhesion.organisation,
            "obligations": liste,
            "a_requalifier": selectors.a_requalifier(adhesion.organisation),
            "sur_anciennes_regles": selectors.sur_anciennes_regles(adhesion.organisation),
            "regles_en_vigueur": en_vigueur(),
            "tableau": tableau,
            "filtre": filtre,
            "filtres": selectors.FILTRES,
        },
    )


@login_required
def obligation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    suivie = selectors.obligation(adhesion.organisation, pk)
    peut_modifier = peut(adhesion.role, Permission.QUALIFIER)
    if request.method == "POST":
        acces.exiger(request.user, slug, Permission.QUALIFIER)
    form = ObligationForm(request.POST or None, instance=suivie, initial={"version": suivie.version})
    conflit = None
    if request.method == "POST" and form.is_valid():
        donnees = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        ecriture = ecrire(
            form,
            lambda: services.modifier_obligation(
                suivie.pk, donnees, form.cleaned_data["version"], request.user
            ),
        )
        conflit = ecriture.conflit
        if ecriture.ecrit:
            messages.success(request, "Obligation mise à jour.")
            return redirect("conformite:obligations", slug=slug)
    # La règle telle que l'a appliquée la qualification qui a produit l'obligation.
    regles = version(suivie.qualification.version_regles)
    definition = next((o for o in regles.obligations if o.id == suivie.code), None)
    return render(
        request,
        "conformite/obligation.html",
        {
            "organisation": adhesion.organisation,
            "obligation": suivie,
            "definition": definition,
            "form": form if peut_modifier else None,
            "conflit": conflit,
            "historique": versions.historique(suivie),
            # Obligation de formation (art. 4) : les populations qui utilisent le système, leur
            # couverture et les sessions qui en sont la preuve (balise/formations).
            "preuves_formation": formations.preuves(
                adhesion.organisation, suivie.systeme_id, timezone.localdate()
            )
            if suivie.code == formations.CODE_OBLIGATION
            else None,
        },
        status=409 if conflit else (400 if form.errors else 200),
    )
