"""Pages de l'impact sur les métiers : vues minces au-dessus de services, selectors et exports."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from balise import versions
from balise.envois.services import une_seule_fois
from balise.formulaires import ecrire, reprendre_apres_conflit
from balise.noms_fichiers import disposition, nom_fichier
from balise.organisations import acces
from balise.organisations.roles import Permission, peut
from balise.travaux import services as travaux
from balise.travaux import vues as pages_de_fond
from balise.travaux.models import Travail

from . import colonnes as col
from . import exports, graphiques, selectors, services
from .forms import ActionForm, ColonnesForm, DepotForm, GroupeForm, MetierForm, RevueForm, SeuilForm
from .lecture import FichierIllisible
from .models import (
    ActionAccompagnement,
    CorrespondanceRetenue,
    Dimension,
    GroupeSuivi,
    ImportEffectifs,
    MetierOrganisation,
)
from .referentiel import charger

LIBELLES_PAR_PAGE = 50


def _donnees(request: HttpRequest, fichiers: bool = False) -> tuple:
    """Les données d'un formulaire envoyé, même vide (un POST vide doit être refusé, pas ignoré)."""
    if request.method != "POST":
        return (None, None) if fichiers else (None,)
    return (request.POST, request.FILES) if fichiers else (request.POST,)


def _creer_ou_modifier(request: HttpRequest, pk: int | None, enregistrer: Callable[[], Model]) -> bool:
    """Une création passe par un envoi unique (balise/envois), une modification par le verrou
    optimiste. Renvoie faux pour le doublon d'une création déjà faite (rien n'a été écrit)."""
    if pk is None:
        return not une_seule_fois(request, enregistrer).doublon
    enregistrer()
    return True


def _contexte(adhesion, **autres) -> dict:
    return {
        "organisation": adhesion.organisation,
        "peut_gerer": peut(adhesion.role, Permission.GERER_EFFECTIFS),
        "mises_en_garde": charger().provenance.mises_en_garde,
        **autres,
    }


@login_required
def accueil(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    organisation = adhesion.organisation
    return render(
        request,
        "metiers/accueil.html",
        _contexte(
            adhesion,
            imports=selectors.imports(organisation),
            groupes=selectors.groupes_suivis(organisation),
        ),
    )


@login_required
def referentiel(request: HttpRequest, slug: str) -> HttpResponse:
    """Le référentiel national, sa provenance et ses mises en garde, puis ce que l'organisation y a
    ajouté ou corrigé et les choix mémorisés de ses revues."""
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    ref = charger()
    niveau = request.GET.get("niveau", "")
    metiers = [m for m in ref.metiers if m.niveau == niveau] if niveau in ref.niveaux else list(ref.metiers)
    organisation = adhesion.organisation
    return render(
        request,
        "metiers/referentiel.html",
        _contexte(
            adhesion,
            ref=ref,
            comptes=ref.comptes(),
            niveau=niveau if niveau in ref.niveaux else "",
            metiers=metiers,
            nationaux={m.metier for m in ref.metiers},
            propres=MetierOrganisation.objects.filter(organisation=organisation),
            memorises=CorrespondanceRetenue.objects.filter(organisation=organisation),
        ),
    )


# --- Import ----------------------------------------------------------------------------------------


@login_required
def deposer(request: HttpRequest, slug: str) -> HttpResponse:
    """Le dépôt ne lit pas le fichier : il vérifie sa taille et sa signature, le garde et répond aussitôt
    par la page d'avancement de sa lecture, faite par le processus de fond."""
    adhesion = acces.exiger(request.user, slug, Permission.GERER_EFFECTIFS)
    form = DepotForm(*_donnees(request, fichiers=True))
    if request.method == "POST" and form.is_valid():
        fichier = form.cleaned_data["fichier"]
        try:
            imp = services.deposer(adhesion.organisation, request.user, fichier.name, fichier.read())
        except FichierIllisible as erreur:
            form.add_error("fichier", str(erreur))
        else:
            return redirect("metiers:avancement", slug=slug, pk=imp.pk)
    return render(
        request,
        "metiers/deposer.html",
        _contexte(adhesion, form=form, etapes=ETAPES, etape=1),
        status=400 if form.errors else 200,
    )


def _import_a_gerer(request: HttpRequest, slug: str, pk: int):
    adhesion = acces.exiger(request.user, slug, Permission.GERER_EFFECTIFS)
    return adhesion, selectors.import_de(adhesion.organisation, pk)


@login_required
def colonnes(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion, imp = _import_a_gerer(request, slug, pk)
    if not services.peut_choisir_colonnes(imp):
        return redirect(_page_suivante(slug, imp))
    form = ColonnesForm(imp.entetes, *_donnees(request), initial=imp.colonnes)
    if request.method == "POST" and form.is_valid():
        try:
            services.choisir_colonnes(imp, form.cleaned_data, request.user)
        except col.ColonnesInvalides as erreur:
            for champ, message in erreur.erreurs.items():
                form.add_error(champ if champ in form.fields else None, message)
        except services.ImportDejaTraite as erreur:
            form.add_error(None, str(erreur))
        else:
            return redirect("metiers:avancement", slug=slug, pk=pk)
    identifiantes = [e for e in imp.entetes if col.est_identifiante(e)]
    return render(
        request,
        "metiers/colonnes.html",
        _contexte(adhesion, imp=imp, form=form, identifiantes=identifiantes, etapes=ETAPES, etape=3),
        status=400 if form.errors else 200,
    )


# --- Avancement de la lecture et du traitement (processus de fond) ---------------------------------

ETAPES = ["Dépôt du fichier", "Lecture du fichier", "Choix des colonnes", "Traitement", "Revue et résultats"]
_ETAPE_DU_TRAVAIL = {ImportEffectifs.Etat.LECTURE: 2, ImportEffectifs.Etat.TRAITEMENT: 4}


def _page_suivante(slug: str, imp: ImportEffectifs) -> str:
    """Là où en est l'import : avancement, colonnes, revue ou résultats."""
    if imp.etat in _ETAPE_DU_TRAVAIL and (imp.en_travail or not services.peut_choisir_colonnes(imp)):
        return reverse("metiers:avancement", kwargs={"slug": slug, "pk": imp.pk})
    if imp.etat in (ImportEffectifs.Etat.COLONNES, ImportEffectifs.Etat.TRAITEMENT):
        return reverse("metiers:colonnes", kwargs={"slug": slug, "pk": imp.pk})
    nom = "metiers:revue" if imp.etat == ImportEffectifs.Etat.REVUE else "metiers:resultats"
    return reverse(nom, kwargs={"slug": slug, "pk": imp.pk})


def _travail_de(imp: ImportEffectifs):
    """Le travail de l'import, relu avec l'abandon constaté s'il n'a plus donné signe de vie."""
    if imp.travail_id is None:
        return None
    if travaux.constater_abandons(Travail.objects.filter(pk=imp.travail_id)):
        imp.travail = Travail.objects.select_related("annule_par").get(pk=imp.travail_id)
    return imp.travail


def _etat_avancement(imp: ImportEffectifs) -> dict:
    return travaux.etat_lisible(_travail_de(imp), imp.etat in _ETAPE_DU_TRAVAIL)


@login_required
def avancement(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """La lecture ou le traitement en cours : étape, barre d'avancement, annulation. Avec JavaScript, la
    page se met à jour seule (avancement.js lit `avancement.json`) ; sans, le bouton « Actualiser »."""
    adhesion, imp = _import_a_gerer(request, slug, pk)
    etat = _etat_avancement(imp)
    travail = imp.travail
    if not etat["actif"] and (imp.etat not in _ETAPE_DU_TRAVAIL or travail is None or travail.reussi):
        if imp.traite and imp.traite_le:
            messages.success(request, _bilan(imp))
        return redirect(_page_suivante(slug, imp))
    return render(
        request,
        "metiers/avancement.html",
        _contexte(
            adhesion,
            imp=imp,
            travail=travail,
            etat=etat,
            etapes=ETAPES,
            etape=_ETAPE_DU_TRAVAIL[imp.etat],
            peut_relancer_lecture=imp.etat == ImportEffectifs.Etat.LECTURE and imp.a_son_fichier,
            peut_choisir=services.peut_choisir_colonnes(imp),
        ),
    )


def _bilan(imp: ImportEffectifs) -> str:
    r, e = imp.lignes_retenues, imp.lignes_rejetees
    return (
        f"{r} ligne{'s' if r > 1 else ''} importée{'s' if r > 1 else ''}, {e} écartée{'s' if e > 1 else ''}. "
        "Le fichier déposé a été effacé."
    )


@login_required
def avancement_json(request: HttpRequest, slug: str, pk: int) -> JsonResponse:
    _, imp = _import_a_gerer(request, slug, pk)
    return pages_de_fond.etat_json(_etat_avancement(imp))


@require_POST
@login_required
def annulation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _, imp = _import_a_gerer(request, slug, pk)
    pages_de_fond.annoncer_annulation(request, lambda: services.annuler(imp, request.user))
    return redirect("metiers:avancement", slug=slug, pk=pk)


@require_POST
@login_required
def relance(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _, imp = _import_a_gerer(request, slug, pk)
    try:
        services.relancer_lecture(imp, request.user)
    except services.ImportDejaTraite as erreur:
        messages.info(request, str(erreur))
    return redirect("metiers:avancement", slug=slug, pk=pk)


@login_required
def revue(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """La revue des libellés : un métier cherché dans la liste du référentiel, ou « écarter », pour chaque
    libellé de la page ; ou, d'un coup, les propositions au-dessus d'une confiance choisie (formulaire
    « accepter », sur toutes les pages)."""
    adhesion, imp = _import_a_gerer(request, slug, pk)
    if not imp.traite:
        return redirect(_page_suivante(slug, imp))
    tous = request.GET.get("tous") == "1"
    ref = services.referentiel_de(adhesion.organisation)
    accepter = request.method == "POST" and request.POST.get("action") == "accepter"
    page = Paginator(selectors.libelles_a_revoir(imp, tous), LIBELLES_PAR_PAGE).get_page(
        request.GET.get("page")
    )
    form = RevueForm(page.object_list, ref, *(_donnees(request) if not accepter else (None,)))
    form_seuil = SeuilForm(request.POST if accepter else None)
    nombre = None
    if accepter and form_seuil.is_valid():
        nombre = services.accepter_propositions(imp, form_seuil.cleaned_data["seuil"], request.user)
    elif request.method == "POST" and not accepter and form.is_valid():
        nombre = services.reviser(imp, form.choix(), request.user)
    if nombre is not None:
        messages.success(
            request,
            f"{nombre} choix enregistré{'s' if nombre > 1 else ''}, mémorisé{'s' if nombre > 1 else ''} pour les prochains imports."
            if nombre
            else "Aucun libellé n'a changé.",
        )
        imp = selectors.import_de(adhesion.organisation, pk)
        if imp.etat == ImportEffectifs.Etat.PRET:
            return redirect("metiers:resultats", slug=slug, pk=pk)
        return redirect(request.get_full_path())
    return render(
        request,
        "metiers/revue.html",
        _contexte(
            adhesion,
            imp=imp,
            form=form,
            form_seuil=form_seuil,
            lignes=form.lignes(selectors.variantes(imp, page.object_list)),
            tous=tous,
            page=page,
            parametres=request.GET,
        ),
        status=400 if form.errors or form_seuil.errors else 200,
    )


@login_required
def rejets(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion, imp = _import_a_gerer(request, slug, pk)
    return render(
        request, "metiers/rejets.html", _contexte(adhesion, imp=imp, rejets=imp.rejets.all()[:5000])
    )


@login_required
def supprimer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion, imp = _import_a_gerer(request, slug, pk)
    if request.method == "POST":
        services.supprimer_import(imp, request.user)
        messages.success(request, f"L'import « {imp.nom_fichier} » et tout ce qui en venait ont été effacés.")
        return redirect("metiers:accueil", slug=slug)
    return render(request, "metiers/supprimer.html", _contexte(adhesion, imp=imp))


# --- Résultats -------------------------------------------------------------------------------------


def _import_lisible(request: HttpRequest, slug: str, pk: int):
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    imp = selectors.import_de(adhesion.organisation, pk)
    if not imp.traite:
        raise Http404("Cet import n'a pas encore été traité.")
    return adhesion, imp


@login_required
def resultats(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion, imp = _import_lisible(request, slug, pk)
    seuil = adhesion.organisation.seuil_secret
    dimensions = [(code, libelle) for code, libelle in Dimension.choices if code in imp.colonnes]
    libelles = dict(dimensions)
    par = request.GET.get("par", "")
    if par not in libelles:
        par = dimensions[0][0] if dimensions else ""
    croise = selectors.croisement(imp, par, seuil) if par else None
    metiers = selectors.metiers(imp, seuil)
    tous_les_metiers = request.GET.get("metiers") == "tous"
    return render(
        request,
        "metiers/resultats.html",
        _contexte(
            adhesion,
            imp=imp,
            seuil=seuil,
            synthese=selectors.Presentation(selectors.synthese(imp, seuil)),
            dimensions=dimensions,
            par=par,
            libelle_par=libelles.get(par, ""),
            legende_croise=f"Effectif par {libelles.get(par, '').lower()} et niveau d'exposition",
            croise=selectors.Presentation(croise) if croise else None,
            graphique=graphiques.exposition(croise, f"Exposition par {libelles[par].lower()}", "croise")
            if croise
            else None,
            non_dessinees=len(croise.lignes) - len(graphiques.lignes_dessinables(croise)) if croise else 0,
            metiers=metiers,
            metiers_montres=metiers.lignes if tous_les_metiers else metiers.lignes[:25],
            tous_les_metiers=tous_les_metiers,
            niveaux=selectors.niveaux()[:-1],
        ),
    )


@login_required
def export_xlsx(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion, imp = _import_lisible(request, slug, pk)
    reponse = HttpResponse(
        exports.xlsx(imp, adhesion.organisation.seuil_secret),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    reponse["Content-Disposition"] = disposition(_nom_export(adhesion.organisation.nom, imp, "xlsx"))
    return reponse


def _nom_export(organisation: str, imp: ImportEffectifs, extension: str) -> str:
    return nom_fichier("exposition-metiers", organisation, jour=imp.cree_le, extension=extension)


@login_required
def export_csv(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion, imp = _import_lisible(request, slug, pk)
    reponse = HttpResponse(
        exports.csv_texte(imp, adhesion.organisation.seuil_secret).encode("utf-8-sig"),
        content_type="text/csv; charset=utf-8",
    )
    reponse["Content-Disposition"] = disposition(_nom_export(adhesion.organisation.nom, imp, "csv"))
    return reponse


# --- Métiers propres à l'organisation --------------------------------------------------------------


@login_required
def metier(request: HttpRequest, slug: str, pk: int | None = None) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_EFFECTIFS)
    organisation = adhesion.organisation
    instance = get_object_or_404(MetierOrganisation, organisation=organisation, pk=pk) if pk else None
    ref = services.referentiel_de(organisation)
    form = MetierForm(ref, *_donnees(request), instance=instance)
    conflit = None
    if request.method == "POST" and form.is_valid():
        donnees = {c: form.cleaned_data[c] for c in ("libelle", "isco08", "niveau", "justification")}
        ecriture = ecrire(
            form,
            lambda: _creer_ou_modifier(
                request,
                pk,
                lambda: services.enregistrer_metier(
                    organisation, donnees, request.user, pk, form.cleaned_data["version"]
                ),
            ),
        )
        conflit = ecriture.conflit
        if ecriture.ecrit:
            if ecriture.resultat:
                messages.success(request, "Rattachement enregistré ; les imports en tiennent compte.")
            return redirect("metiers:referentiel", slug=slug)
    return render(
        request,
        "metiers/metier.html",
        _contexte(
            adhesion,
            form=form,
            metier=instance,
            conflit=conflit,
            historique=versions.historique(instance) if instance else [],
        ),
        status=409 if conflit else 400 if form.errors else 200,
    )


@require_POST
@login_required
def retirer_metier(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_EFFECTIFS)
    metier = get_object_or_404(MetierOrganisation, organisation=adhesion.organisation, pk=pk)
    services.retirer_metier(metier, request.user)
    messages.success(request, f"« {metier.libelle} » retiré : le référentiel national s'applique de nouveau.")
    return redirect("metiers:referentiel", slug=slug)


# --- Groupes suivis et actions ---------------------------------------------------------------------


@require_POST
@login_required
def suivre(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_EFFECTIFS)
    niveau = request.POST.get("niveau", "")
    # « dimension|valeur », ou « | » pour tous les agents du niveau.
    dimension, _, valeur = request.POST.get("cible", "|").partition("|")
    if (
        niveau not in charger().niveaux
        or dimension not in {"", *dict(GroupeSuivi.DIMENSIONS)}
        or len(valeur) > 200
    ):
        messages.error(request, "Groupe invalide : choisissez un niveau d'exposition et un groupe d'agents.")
        return redirect("metiers:accueil", slug=slug)
    envoi = une_seule_fois(
        request,
        lambda: services.suivre_groupe(
            adhesion.organisation, niveau, dimension, valeur if dimension else "", request.user
        ),
    )
    if envoi.objet is None:
        return redirect("metiers:accueil", slug=slug)
    return redirect("metiers:groupe", slug=slug, pk=envoi.objet.pk)


@login_required
def groupe(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    organisation = adhesion.organisation
    groupe = get_object_or_404(GroupeSuivi, organisation=organisation, pk=pk)
    form = GroupeForm(
        organisation,
        *_donnees(request),
        initial={"version": groupe.version, "systemes": list(groupe.systemes.all()), "note": groupe.note},
    )
    conflit = None
    if request.method == "POST":
        acces.exiger(request.user, slug, Permission.GERER_EFFECTIFS)
        if form.is_valid():
            try:
                services.modifier_groupe(
                    groupe,
                    form.cleaned_data["systemes"],
                    form.cleaned_data["note"],
                    form.cleaned_data["version"],
                    request.user,
                )
            except versions.ConflitEdition as erreur:
                conflit = erreur
                reprendre_apres_conflit(form, erreur)
            else:
                messages.success(request, "Groupe enregistré.")
                return redirect("metiers:groupe", slug=slug, pk=pk)
    return render(
        request,
        "metiers/groupe.html",
        _contexte(
            adhesion,
            groupe=groupe,
            chiffres=selectors.chiffres_du_groupe(groupe, selectors.dernier_import(organisation)),
            systemes=groupe.systemes.order_by("nom"),
            actions=groupe.actions.all(),
            form=form,
            form_action=ActionForm(),
            conflit=conflit,
            historique=versions.historique(groupe),
        ),
        status=409 if conflit else 400 if form.errors else 200,
    )


@login_required
def action(
    request: HttpRequest, slug: str, pk: int | None = None, groupe_pk: int | None = None
) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_EFFECTIFS)
    organisation = adhesion.organisation
    if pk is None:
        groupe = get_object_or_404(GroupeSuivi, organisation=organisation, pk=groupe_pk)
        instance = None
    else:
        instance = get_object_or_404(
            ActionAccompagnement.objects.select_related("groupe"), organisation=organisation, pk=pk
        )
        groupe = instance.groupe
    form = ActionForm(*_donnees(request), instance=instance)
    conflit = None
    if request.method == "POST" and form.is_valid():
        donnees = {c: form.cleaned_data[c] for c in ("nature", "titre", "description", "echeance", "statut")}
        try:
            ecrit = _creer_ou_modifier(
                request,
                pk,
                lambda: services.enregistrer_action(
                    groupe, donnees, request.user, pk, form.cleaned_data["version"]
                ),
            )
        except versions.ConflitEdition as erreur:
            conflit = erreur
            reprendre_apres_conflit(form, erreur)
        else:
            if ecrit:
                messages.success(request, "Action enregistrée.")
            return redirect("metiers:groupe", slug=slug, pk=groupe.pk)
    return render(
        request,
        "metiers/action.html",
        _contexte(
            adhesion,
            groupe=groupe,
            action=instance,
            form=form,
            conflit=conflit,
            historique=versions.historique(instance) if instance else [],
        ),
        status=409 if conflit else 400 if form.errors else 200,
    )
