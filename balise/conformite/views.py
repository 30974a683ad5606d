"""Pages de la qualification réglementaire et du suivi des obligations : vues minces."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from balise import versions
from balise.envois.services import une_seule_fois
from balise.formulaires import reprendre_apres_conflit
from balise.organisations import acces
from balise.organisations.roles import Permission, peut
from balise.registre import selectors as registre

from . import moteur, selectors, services
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
            "obligations": selectors.obligations_du_systeme(systeme),
            "peut_qualifier": peut(adhesion.role, Permission.QUALIFIER) and systeme.archive_le is None,
            "aujourd_hui": timezone.localdate(),
        },
    )


@login_required
def questionnaire(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.QUALIFIER)
    systeme = registre.systeme(adhesion.organisation, pk, archives=False)
    regles = en_vigueur()
    derniere = selectors.derniere_qualification(systeme)
    preremplies = services.preremplir(regles, systeme)
    connues: moteur.Reponses = {**(derniere.reponses if derniere else {}), **preremplies}
    if request.method == "POST":
        # Les questions qu'avait la page envoyée (champ caché), parmi celles des règles : une
        # question qui y manquait et se pose désormais sera montrée, pas reprochée.
        montrees = set(request.POST.get("affichees", "").split(","))
        affichees = [q for q in regles.questions if q.id in montrees]
        form = QuestionnaireForm(affichees, request.POST)
        if form.is_valid():
            reponses = connues | form.reponses()
            a_poser = moteur.questions_a_poser(regles, reponses)
            affichees_ids = {q.id for q in affichees}
            manquantes = [q for q in a_poser if q.id not in reponses]
            if any(q.id not in affichees_ids for q in a_poser):
                # Les réponses ont fait apparaître des questions : on les montre avant d'enregistrer.
                messages.info(
                    request, "Vos réponses appellent d'autres questions : complétez-les puis enregistrez."
                )
                form = QuestionnaireForm(a_poser, initial=QuestionnaireForm.initiales(reponses))
            elif manquantes:
                for q in manquantes:
                    form.add_error(f"q-{q.id}", "Répondez à cette question.")
            else:
                try:
                    envoi = une_seule_fois(
                        request, lambda: services.qualifier(systeme, regles, reponses, request.user)
                    )
                except ValidationError as erreur:
                    form.add_error(None, erreur)
                else:
                    if not envoi.doublon:
                        messages.success(
                            request, "Qualification enregistrée ; les obligations du système sont à jour."
                        )
                    return redirect("conformite:qualification", slug=slug, pk=pk)
    else:
        form = QuestionnaireForm(
            moteur.questions_a_poser(regles, connues), initial=QuestionnaireForm.initiales(connues)
        )
    return render(
        request,
        "conformite/questionnaire.html",
        {
            "organisation": adhesion.organisation,
            "systeme": systeme,
            "regles": regles,
            "form": form,
            "preremplies": set(preremplies),
        },
        status=400 if form.errors else 200,
    )


@login_required
def obligations(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    filtre = request.GET.get("filtre", "toutes")
    if filtre not in selectors.FILTRES:
        filtre = "toutes"
    aujourd_hui = timezone.localdate()
    liste, tableau = selectors.obligations(adhesion.organisation, filtre, aujourd_hui)
    return render(
        request,
        "conformite/obligations.html",
        {
            "organisation": adhesion.organisation,
            "obligations": liste,
            "a_requalifier": selectors.a_requalifier(adhesion.organisation),
            "tableau": tableau,
            "filtre": filtre,
            "filtres": selectors.FILTRES,
            "aujourd_hui": aujourd_hui,
            "termines": selectors.TERMINES,
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
        try:
            services.modifier_obligation(suivie.pk, donnees, form.cleaned_data["version"], request.user)
        except versions.ConflitEdition as erreur:
            conflit = erreur
            reprendre_apres_conflit(form, erreur)
        except ValidationError as erreur:
            form.add_error(None, erreur)
        else:
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
        },
        status=409 if conflit else (400 if form.errors else 200),
    )
