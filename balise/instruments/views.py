"""Pages des instruments et des évaluations : vues minces qui vérifient les droits puis lisent ou appellent les services."""

from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from balise import limites
from balise.envois.services import une_seule_fois
from balise.noms_fichiers import disposition, nom_fichier
from balise.organisations import acces
from balise.organisations.roles import Permission, peut
from balise.registre import selectors as registre

from . import adaptation, codes, presentation, qr, selectors, services
from . import dossier as dossier_pdf
from . import guide as guide_instruments
from .definition import en_yaml
from .forms import (
    AdaptationForm,
    AdaptationItemsForm,
    AjoutCodesForm,
    CodeForm,
    ConsultationForm,
    DemarrerForm,
    GroupeCodesForm,
    InviterForm,
    ReevaluerForm,
    ReponsesForm,
)
from .models import Consultation


def _refus(request: HttpRequest, erreur: ValidationError) -> None:
    for message in erreur.messages:
        messages.error(request, message)


# --- Instruments ---------------------------------------------------------------------------------


@login_required
def catalogue(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    return render(
        request,
        "instruments/catalogue.html",
        {
            "organisation": adhesion.organisation,
            "courants": selectors.instruments_courants(adhesion.organisation),
            "versions": selectors.instruments(adhesion.organisation),
        },
    )


@login_required
def guide(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    return render(
        request,
        "instruments/guide.html",
        {
            "organisation": adhesion.organisation,
            "etapes": guide_instruments.par_moment(selectors.instruments_courants(adhesion.organisation)),
        },
    )


@login_required
def instrument(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    choisi = selectors.instrument(adhesion.organisation, pk)
    return render(
        request,
        "instruments/instrument.html",
        {
            "organisation": adhesion.organisation,
            "instrument": choisi,
            "d": choisi.definition,
            "peut_adapter": peut(adhesion.role, Permission.EVALUER),
        },
    )


@login_required
def instrument_yaml(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    choisi = selectors.instrument(adhesion.organisation, pk)
    reponse = HttpResponse(en_yaml(choisi.definition), content_type="application/yaml; charset=utf-8")
    reponse["Content-Disposition"] = f'attachment; filename="{choisi.code}-v{choisi.version}.yaml"'
    return reponse


def _adaptation_enregistree(request: HttpRequest, slug: str, enregistrer) -> HttpResponse:
    """Enregistre une adaptation (YAML ou formulaire) une seule fois par envoi, puis mène à la nouvelle
    version ; un refus du service (ValidationError) passe à l'appelant, qui le montre."""
    envoi = une_seule_fois(request, enregistrer)
    if envoi.objet is None:
        return redirect("instruments:catalogue", slug=slug)
    if not envoi.doublon:
        messages.success(request, f"Version {envoi.objet.version} enregistrée pour votre organisation.")
    return redirect("instruments:instrument", slug=slug, pk=envoi.objet.pk)


@login_required
def adapter(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.EVALUER)
    base = selectors.instrument(adhesion.organisation, pk)
    form = AdaptationForm(
        request.POST or None,
        initial={
            "texte": en_yaml(base.definition),
            "version": services.version_visible(adhesion.organisation, base.code),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            return _adaptation_enregistree(
                request,
                slug,
                lambda: services.adapter(
                    adhesion.organisation,
                    base,
                    form.cleaned_data["texte"],
                    request.user,
                    form.cleaned_data["version"],
                ),
            )
        except ValidationError as erreur:
            form.add_error("texte", erreur)
    return render(
        request,
        "instruments/adapter.html",
        {"organisation": adhesion.organisation, "base": base, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def adapter_formulaire(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Adapter un instrument sans YAML : un formulaire, un aperçu tel que les évaluateurs le verront."""
    adhesion = acces.exiger(request.user, slug, Permission.EVALUER)
    base = selectors.instrument(adhesion.organisation, pk)
    definition = base.definition
    form = AdaptationItemsForm(
        request.POST or None,
        definition=definition,
        initial={"version": services.version_visible(adhesion.organisation, base.code)},
    )
    apercu, erreurs = None, []
    if request.method == "POST" and form.is_valid():
        changements = form.changements()
        apercu, erreurs = adaptation.apercu(definition, changements)
        if request.POST.get("action") == "enregistrer" and not erreurs:
            try:
                return _adaptation_enregistree(
                    request,
                    slug,
                    lambda: services.adapter_par_formulaire(
                        adhesion.organisation, base, changements, request.user, form.cleaned_data["version"]
                    ),
                )
            except ValidationError as erreur:
                erreurs = erreur.messages
    return render(
        request,
        "instruments/adapter_formulaire.html",
        {
            "organisation": adhesion.organisation,
            "base": base,
            "form": form,
            "apercu": apercu,
            "erreurs": erreurs,
        },
        status=400 if form.errors or erreurs else 200,
    )


# --- Évaluations d'un système --------------------------------------------------------------------


@login_required
def evaluations_du_systeme(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    systeme = registre.systeme(adhesion.organisation, pk)
    evaluations = list(selectors.evaluations(systeme))
    courants = selectors.instruments_courants(adhesion.organisation)
    comparaisons = []
    for code in selectors.codes_a_comparer(evaluations):
        series = [(s.libelle, s.resultat) for s in selectors.comparaison(systeme, code)]
        comparaisons.append(
            {
                "titre": series[-1][1].definition.titre,
                "libelles": [libelle for libelle, _ in series],
                "lignes": presentation.lignes_comparaison(series),
                "svg": presentation.comparaison(series, f"comparaison-{code}"),
            }
        )
    return render(
        request,
        "instruments/evaluations_systeme.html",
        {
            "organisation": adhesion.organisation,
            "systeme": systeme,
            "evaluations": evaluations,
            "consultations": selectors.consultations(systeme),
            "comparaisons": comparaisons,
            "peut_evaluer": peut(adhesion.role, Permission.EVALUER) and systeme.archive_le is None,
            "demarrer_form": DemarrerForm(instruments=courants),
            "consultation_form": ConsultationForm(instruments=courants),
        },
    )


def _ouvrir(
    request: HttpRequest, slug: str, pk: int, formulaire, ouvrir, invite: str, succes: str, page: str
):
    """Ouvre une évaluation ou une consultation d'un système : même formulaire, même parcours."""
    adhesion = acces.exiger(request.user, slug, Permission.EVALUER)
    systeme = registre.systeme(adhesion.organisation, pk)
    form = formulaire(request.POST, instruments=selectors.instruments_courants(adhesion.organisation))
    retour = redirect("instruments:evaluations_systeme", slug=slug, pk=pk)
    if not form.is_valid():
        messages.error(request, invite)
        for erreurs in form.errors.as_data().values():
            for erreur in erreurs:
                if erreur.code != "required":  # un choix hors de ceux offerts : dit tel quel
                    _refus(request, erreur)
        return retour
    options = {k: v for k, v in form.cleaned_data.items() if k not in ("instrument", "moment")}
    try:
        envoi = une_seule_fois(
            request,
            lambda: ouvrir(
                systeme,
                form.cleaned_data["instrument"],
                form.cleaned_data["moment"],
                request.user,
                **options,
            ),
        )
    except ValidationError as erreur:
        _refus(request, erreur)
        return retour
    if envoi.objet is None:
        return retour
    if not envoi.doublon:
        messages.success(request, succes)
    return redirect(page, slug=slug, pk=envoi.objet.pk)


@require_POST
@login_required
def demarrer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _ouvrir(
        request,
        slug,
        pk,
        DemarrerForm,
        services.demarrer_evaluation,
        "Choisissez un instrument, un moment du projet et votre profil.",
        "Évaluation ouverte : invitez maintenant les personnes qui la coteront.",
        "instruments:evaluation",
    )


# --- Une évaluation -------------------------------------------------------------------------------


@login_required
def evaluation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    choisie = selectors.evaluation(adhesion.organisation, pk)
    resultat = selectors.resultat(choisie)
    points = selectors.points_matrice(choisie) if resultat.definition.visuel == "matrice" else None
    evaluateurs = selectors.evaluateurs(choisie)
    provenance = choisie.importee
    libelle = selectors.libelle_serie(choisie, provenance)
    return render(
        request,
        "instruments/evaluation.html",
        {
            "organisation": adhesion.organisation,
            "evaluation": choisie,
            "systeme": choisie.systeme,
            "r": resultat,
            "svg": presentation.graphique(resultat, "resultat", libelle, points),
            "evaluateurs": evaluateurs,
            "provenance": provenance,
            "evaluateurs_d_origine": selectors.evaluateurs_d_origine(provenance) if provenance else [],
            "nb_items": len(resultat.definition.items),
            "suis_evaluateur": any(e.utilisateur_id == request.user.pk for e in evaluateurs),
            "peut_piloter": peut(adhesion.role, Permission.EVALUER) and not choisie.finalisee,
            "peut_reevaluer": peut(adhesion.role, Permission.EVALUER)
            and choisie.finalisee
            and choisie.systeme.archive_le is None,
            "inviter_form": InviterForm(organisation=adhesion.organisation),
            "reevaluer_form": ReevaluerForm(moments=resultat.definition.moments),
        },
    )


@login_required
def journal(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    choisie = selectors.evaluation(adhesion.organisation, pk)
    return render(
        request,
        "instruments/journal.html",
        {"organisation": adhesion.organisation, "evaluation": choisie, "entrees": selectors.journal(choisie)},
    )


@login_required
def coter(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    choisie = selectors.evaluation(adhesion.organisation, pk)
    evaluateur = selectors.evaluateur(choisie, request.user)
    if evaluateur is None:
        raise PermissionDenied("Vous n'êtes pas invité à coter cette évaluation.")
    if choisie.finalisee:
        messages.error(request, "Cette évaluation est finalisée : elle ne change plus.")
        return redirect("instruments:evaluation", slug=slug, pk=pk)
    definition = choisie.instrument.definition
    form = ReponsesForm(
        definition, request.POST or None, initial=ReponsesForm.initiales(evaluateur.reponses.all())
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.coter(choisie, request.user, form.saisies())
        except ValidationError as erreur:
            form.add_error(None, erreur)
        else:
            messages.success(request, "Vos cotations sont enregistrées.")
            return redirect("instruments:evaluation", slug=slug, pk=pk)
    return render(
        request,
        "instruments/coter.html",
        {"organisation": adhesion.organisation, "evaluation": choisie, "d": definition, "form": form},
        status=400 if form.errors else 200,
    )


@require_POST
@login_required
def inviter(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.EVALUER)
    choisie = selectors.evaluation(adhesion.organisation, pk)
    form = InviterForm(request.POST, organisation=adhesion.organisation)
    if not form.is_valid():
        messages.error(request, "Choisissez un membre de l'organisation et son profil.")
    else:
        try:
            envoi = une_seule_fois(
                request,
                lambda: services.inviter_evaluateur(
                    choisie, form.cleaned_data["utilisateur"], form.cleaned_data["profil"], request.user
                ),
            )
        except ValidationError as erreur:
            _refus(request, erreur)
        else:
            if not envoi.doublon:
                messages.success(request, f"{envoi.objet.utilisateur} est invité à coter.")
    return redirect("instruments:evaluation", slug=slug, pk=pk)


@require_POST
@login_required
def finaliser(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.EVALUER)
    choisie = selectors.evaluation(adhesion.organisation, pk)
    try:
        services.finaliser(choisie, request.user)
    except ValidationError as erreur:
        _refus(request, erreur)
    else:
        messages.success(request, "Évaluation finalisée : elle est désormais figée.")
    return redirect("instruments:evaluation", slug=slug, pk=pk)


@require_POST
@login_required
def reevaluer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.EVALUER)
    choisie = selectors.evaluation(adhesion.organisation, pk)
    form = ReevaluerForm(request.POST, moments=choisie.instrument.definition.moments)
    if not form.is_valid():
        messages.error(request, "Choisissez le moment de la nouvelle évaluation parmi ceux de l'instrument.")
        return redirect("instruments:evaluation", slug=slug, pk=pk)
    try:
        envoi = une_seule_fois(
            request, lambda: services.reevaluer(choisie, form.cleaned_data["moment"], request.user)
        )
    except ValidationError as erreur:
        _refus(request, erreur)
        return redirect("instruments:evaluation", slug=slug, pk=pk)
    if envoi.objet is None:
        return redirect("instruments:evaluation", slug=slug, pk=pk)
    if not envoi.doublon:
        messages.success(request, "Nouvelle évaluation ouverte avec les mêmes évaluateurs.")
    return redirect("instruments:evaluation", slug=slug, pk=envoi.objet.pk)


# --- Consultations anonymes des agents : ce que voit qui pilote ----------------------------------


@require_POST
@login_required
def ouvrir_consultation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _ouvrir(
        request,
        slug,
        pk,
        ConsultationForm,
        services.ouvrir_consultation,
        "Choisissez un questionnaire, un moment du projet et la façon dont les agents répondront.",
        "Questionnaire ouvert.",
        "instruments:consultation",
    )


def _adresse_d_entree(request: HttpRequest, consultation: Consultation) -> str:
    return request.build_absolute_uri(reverse("questionnaire", args=[consultation.jeton]))


@login_required
def consultation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    choisie = selectors.consultation(adhesion.organisation, pk)
    peut_piloter = peut(adhesion.role, Permission.EVALUER)
    try:
        services.verifier_ouverte(choisie)
        fin = ""
    except ValidationError as erreur:
        fin = erreur.messages[0]
    groupes, total = selectors.codes_par_groupe(choisie) if choisie.avec_codes else ([], None)
    pilotable = peut_piloter and not fin
    return render(
        request,
        "instruments/consultation.html",
        {
            "organisation": adhesion.organisation,
            "consultation": choisie,
            "systeme": choisie.systeme,
            "r": selectors.resultat_consultation(choisie),
            "seuil": selectors.SEUIL_ANONYMAT,
            "peut_piloter": peut_piloter,
            "pilotable": pilotable,
            "fin": fin,
            # L'adresse ne sert qu'à répondre (avec un code, à saisir son code) ; seuls ceux qui
            # pilotent la voient et la diffusent.
            "lien": _adresse_d_entree(request, choisie) if pilotable else None,
            "groupes": [(g, AjoutCodesForm(groupe=g.groupe.pk)) for g in groupes],
            "total_codes": total,
            "groupe_form": GroupeCodesForm() if pilotable and choisie.avec_codes else None,
            "limite": _limite_par_adresse("lien_ouvert"),
            "journal_codes": selectors.journal_des_codes(choisie) if choisie.avec_codes else [],
        },
    )


def _limite_par_adresse(regle: str) -> tuple[int, int]:
    nombre, secondes = settings.LIMITES[f"{regle}_par_adresse"]
    return nombre, secondes // 60


@require_POST
@login_required
def fermer_consultation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.EVALUER)
    services.fermer_consultation(selectors.consultation(adhesion.organisation, pk), request.user)
    messages.success(request, "Questionnaire clos : il n'accepte plus de réponses.")
    return redirect("instruments:consultation", slug=slug, pk=pk)


def _erreurs_de(form) -> list[str]:
    return [
        f"{form.fields[champ].label} : {e}" if champ in form.fields else e
        for champ, erreurs in form.errors.items()
        for e in erreurs
    ]


def _feuille(request: HttpRequest, organisation, feuille: services.FeuilleDeCodes) -> HttpResponse:
    """La feuille à imprimer : la seule fois où les codes sont lisibles (Balise n'en garde que l'empreinte)."""
    reponse = render(
        request,
        "instruments/feuille_codes.html",
        {
            "organisation": organisation,
            "consultation": feuille.consultation,
            "systeme": feuille.consultation.systeme,
            "groupe": feuille.groupe,
            "codes": [codes.afficher(c) for c in feuille.codes],
            "participer": request.build_absolute_uri(reverse("participer")),
        },
    )
    reponse["Cache-Control"] = "no-store"  # ni le navigateur ni un mandataire ne la gardent
    return reponse


def _feuille_ou_refus(
    request: HttpRequest, organisation, pk: int, form, creer: Callable[[], services.FeuilleDeCodes]
) -> HttpResponse:
    """Créer ou ajouter des codes : la feuille à imprimer, ou le retour à la consultation avec le refus."""
    if form.is_valid():
        try:
            return _feuille(request, organisation, creer())
        except ValidationError as erreur:
            _refus(request, erreur)
    else:
        for message in _erreurs_de(form):
            messages.error(request, message)
    return redirect("instruments:consultation", slug=organisation.slug, pk=pk)


@require_POST
@login_required
def generer_codes(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.EVALUER)
    choisie = selectors.consultation(adhesion.organisation, pk)
    form = GroupeCodesForm(request.POST)
    return _feuille_ou_refus(
        request,
        adhesion.organisation,
        pk,
        form,
        lambda: services.creer_groupe_de_codes(
            choisie, form.cleaned_data["libelle"], form.cleaned_data["nombre"], request.user
        ),
    )


@require_POST
@login_required
def ajouter_codes(request: HttpRequest, slug: str, pk: int, groupe: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.EVALUER)
    choisi = selectors.groupe_de_codes(selectors.consultation(adhesion.organisation, pk), groupe)
    form = AjoutCodesForm(request.POST, groupe=choisi.pk)
    return _feuille_ou_refus(
        request,
        adhesion.organisation,
        pk,
        form,
        lambda: services.ajouter_codes(choisi, form.cleaned_data["nombre"], request.user),
    )


@require_POST
@login_required
def retirer_codes(request: HttpRequest, slug: str, pk: int, groupe: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.EVALUER)
    choisi = selectors.groupe_de_codes(selectors.consultation(adhesion.organisation, pk), groupe)
    retires = services.retirer_codes_inutilises(choisi, request.user)
    if retires:
        messages.success(
            request,
            f"{retires} code{'s' if retires > 1 else ''} non utilisé{'s' if retires > 1 else ''} de "
            f"« {choisi.libelle} » retiré{'s' if retires > 1 else ''} : ils ne permettent plus de répondre.",
        )
    else:
        messages.info(request, f"« {choisi.libelle} » n'a plus de code non utilisé.")
    return redirect("instruments:consultation", slug=slug, pk=pk)


@login_required
def qr_consultation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """Le QR code de l'adresse du questionnaire (celle où l'on saisit son code) : une image SVG."""
    adhesion = acces.exiger(request.user, slug, Permission.EVALUER)
    choisie = selectors.consultation(adhesion.organisation, pk)
    return HttpResponse(qr.svg(_adresse_d_entree(request, choisie)), content_type="image/svg+xml")


# --- Consultations anonymes des agents : ce que voient les agents, sans compte ---------------------


def _deja_repondu(consultation: Consultation) -> str:
    return f"balise-questionnaire-{consultation.pk}"


def _trop(request: HttpRequest, depassement: limites.Depassement) -> HttpResponse:
    """Limite d'envoi atteinte : 429, rien n'est lu ni écrit."""
    reponse = render(
        request,
        "instruments/questionnaire_limite.html",
        {"regle": depassement.regle, "minutes": -(-depassement.reessayer_dans // 60)},
        status=429,
    )
    reponse["Retry-After"] = str(depassement.reessayer_dans)
    return reponse


def questionnaire(request: HttpRequest, jeton: str) -> HttpResponse:
    """Le questionnaire ouvert aux agents, sans compte. Rien n'identifie la personne qui répond."""
    choisie = selectors.consultation_par_jeton(jeton)
    try:
        services.verifier_ouverte(choisie)
    except ValidationError as erreur:
        return render(
            request,
            "instruments/questionnaire_clos.html",
            {"consultation": choisie, "message": erreur.messages[0]},
            status=410,
        )
    if choisie.avec_codes:
        reponse = _questionnaire_par_code(request, choisie)
    else:
        reponse = _questionnaire_lien_ouvert(request, choisie)
    return limites.poser_temoin(request, reponse)


def _questionnaire_lien_ouvert(request: HttpRequest, choisie: Consultation) -> HttpResponse:
    """Toute personne qui a le lien répond. Un témoin (cookie) évite qu'un même navigateur réponde deux
    fois par mégarde, sans être relié à la réponse ; les limites d'envoi freinent qui insiste."""
    if request.COOKIES.get(_deja_repondu(choisie)):
        return render(request, "instruments/questionnaire_merci.html", {"consultation": choisie})
    if request.method == "POST":
        envoi = limites.compter_envoi("lien_ouvert", request, portee=str(choisie.pk))
        if envoi.depassement:
            return _trop(request, envoi.depassement)
    definition = choisie.instrument.definition
    form = ReponsesForm(definition, request.POST or None, commentaires=False)
    if request.method == "POST" and form.is_valid():
        try:
            services.repondre_anonymement(choisie, form.saisies())
        except ValidationError as erreur:
            form.add_error(None, erreur)
        else:
            reponse = redirect("questionnaire", jeton=choisie.jeton)
            reponse.set_cookie(
                _deja_repondu(choisie),
                "1",
                max_age=365 * 24 * 3600,
                path=reverse("questionnaire", args=[choisie.jeton]),
                httponly=True,
                samesite="Lax",
                secure=request.is_secure(),
            )
            return reponse
    return render(
        request,
        "instruments/questionnaire.html",
        {"consultation": choisie, "d": definition, "form": form},
        status=400 if form.errors else 200,
    )


def _page_de_reponses(
    request: HttpRequest, choisie: Consultation, form: ReponsesForm, code_form: CodeForm, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "instruments/questionnaire.html",
        {"consultation": choisie, "d": choisie.instrument.definition, "form": form, "code_form": code_form},
        status=status,
    )


def _questionnaire_par_code(request: HttpRequest, choisie: Consultation) -> HttpResponse:
    """Avec des codes : l'agent saisit son code (vérifié sans être utilisé), puis répond ; le code est
    utilisé à l'envoi des réponses. Seuls les codes refusés comptent pour les limites d'envoi."""
    if request.method != "POST":
        return render(
            request, "instruments/questionnaire_code.html", {"consultation": choisie, "form": CodeForm()}
        )
    envoi = limites.compter_envoi("codes", request)
    if envoi.depassement:
        return _trop(request, envoi.depassement)
    code_form = CodeForm(request.POST)
    code_refuse = not code_form.is_valid()
    if request.POST.get("etape") == "reponses":
        form = ReponsesForm(choisie.instrument.definition, request.POST, commentaires=False)
        if form.is_valid() and not code_refuse:
            try:
                services.repondre_anonymement(choisie, form.saisies(), code=code_form.cleaned_data["code"])
            except services.CodeRefuse as erreur:
                code_form.add_error("code", erreur)
                code_refuse = True
            except ValidationError as erreur:
                form.add_error(None, erreur)
            else:
                limites.rendre(envoi)
                return redirect("questionnaire_merci", jeton=choisie.jeton)
        if not code_refuse:
            limites.rendre(envoi)
        return _page_de_reponses(request, choisie, form, code_form, status=400)
    if not code_refuse:
        try:
            services.consultation_du_code(code_form.cleaned_data["code"], choisie)
        except services.CodeRefuse as erreur:
            code_form.add_error("code", erreur)
        else:
            limites.rendre(envoi)
            form = ReponsesForm(choisie.instrument.definition, commentaires=False)
            return _page_de_reponses(request, choisie, form, CodeForm(initial=code_form.cleaned_data))
    return render(
        request,
        "instruments/questionnaire_code.html",
        {"consultation": choisie, "form": code_form},
        status=400,
    )


def participer(request: HttpRequest) -> HttpResponse:
    """L'adresse courte imprimée sur les feuilles : le code seul dit de quel questionnaire il s'agit."""
    if request.method != "POST":
        return limites.poser_temoin(
            request, render(request, "instruments/participer.html", {"form": CodeForm()})
        )
    envoi = limites.compter_envoi("codes", request)
    if envoi.depassement:
        return _trop(request, envoi.depassement)
    code_form = CodeForm(request.POST)
    if code_form.is_valid():
        try:
            choisie = services.consultation_du_code(code_form.cleaned_data["code"])
        except services.CodeRefuse as erreur:
            code_form.add_error("code", erreur)
        except ValidationError as erreur:  # questionnaire clos ou échu : le code n'y est pour rien
            limites.rendre(envoi)
            code_form.add_error("code", erreur)
        else:
            limites.rendre(envoi)
            form = ReponsesForm(choisie.instrument.definition, commentaires=False)
            return _page_de_reponses(request, choisie, form, CodeForm(initial=code_form.cleaned_data))
    return render(request, "instruments/participer.html", {"form": code_form}, status=400)


def questionnaire_merci(request: HttpRequest, jeton: str) -> HttpResponse:
    choisie = selectors.consultation_par_jeton(jeton)
    return render(request, "instruments/questionnaire_merci.html", {"consultation": choisie})


@login_required
def dossier(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    systeme = registre.systeme(adhesion.organisation, pk)
    reponse = HttpResponse(dossier_pdf.pdf(systeme), content_type="application/pdf")
    nom = nom_fichier("dossier", systeme.nom, jour=timezone.localdate(), extension="pdf")
    reponse["Content-Disposition"] = disposition(nom)
    return reponse
