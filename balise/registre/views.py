"""Pages du registre : vues minces qui vérifient les droits, lisent ou appellent les services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from balise import cache_pages, versions
from balise.envois.services import une_seule_fois
from balise.formulaires import ajouter_erreurs, reprendre_apres_conflit, version_postee
from balise.gouvernance import faits
from balise.indicateurs import selectors as indicateurs_selectors
from balise.organisations import acces
from balise.organisations.roles import Permission, peut
from balise.passerelle import usage

from . import documents, selectors, services
from .forms import DocumentForm, StadeForm, SystemeForm
from .models import Document, SystemeIA

PAR_PAGE = 25


def _systeme(adhesion, pk: int, archives: bool = True) -> SystemeIA:
    return selectors.systeme(adhesion.organisation, pk, archives)


def _droits(adhesion) -> dict[str, bool]:
    return {p.value: peut(adhesion.role, p) for p in Permission}


@login_required
@cache_pages.en_cache
def liste(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    organisation = adhesion.organisation

    def produire() -> cache_pages.Page:
        archives = request.GET.get("archives") == "1"
        systemes = selectors.registre(organisation, archives)
        filtre = selectors.FiltreRegistre(request.GET or None, queryset=systemes)
        qs = filtre.qs if filtre.is_valid() else systemes
        page = Paginator(qs, PAR_PAGE).get_page(request.GET.get("page"))
        portes = faits.portes_en_lot(page.object_list)
        contexte = {
            "organisation": organisation,
            "filtre": filtre,
            "page": page,
            "lignes": [(s, portes[s.pk]) for s in page],
            "archives": archives,
            "parametres": request.GET,
            "droits": _droits(adhesion),
        }
        return {
            "titre": f"Registre — {organisation.nom}",
            "contenu": cache_pages.rendre("registre/_liste.html", contexte),
        }

    return cache_pages.page(request, adhesion, f"registre:liste|{request.GET.urlencode()}", produire)


@login_required
def creer(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.DECLARER)
    form = SystemeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        donnees = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            envoi = une_seule_fois(
                request, lambda: services.creer_systeme(adhesion.organisation, donnees, request.user)
            )
        except ValidationError as erreur:  # identifiant externe déjà pris : rien n'est créé
            ajouter_erreurs(form, erreur)
        else:
            if envoi.objet is None:  # doublon d'une fiche disparue depuis
                return redirect("registre:liste", slug=slug)
            if not envoi.doublon:
                messages.success(request, f"« {envoi.objet.nom} » est inscrit au registre.")
            return redirect("registre:detail", slug=slug, pk=envoi.objet.pk)
    return render(request, "registre/formulaire.html", {"organisation": adhesion.organisation, "form": form})


@login_required
@cache_pages.en_cache
def detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)

    def produire() -> cache_pages.Page:
        systeme = _systeme(adhesion, pk)
        droits = _droits(adhesion)
        portes = faits.portes_de(systeme)
        contexte = {
            "organisation": adhesion.organisation,
            "systeme": systeme,
            "droits": droits,
            "portes": portes,
            "stade_form": StadeForm(
                systeme=systeme, justifiable=droits[Permission.FORCER_PORTE] and portes.a_justifier
            ),
            "document_form": DocumentForm(),
            "documents": selectors.documents(systeme),
            "documents_archives": selectors.documents_archives(systeme),
            "changements": systeme.changements_stade.select_related("par")[:20],
            "groupes_exposes": systeme.groupes_exposes.all(),
            "indicateurs": indicateurs_selectors.du_systeme(systeme, timezone.localdate()),
            # Les modèles du catalogue de la passerelle qui sont ce système (leur usage : page à part).
            "modeles_passerelle": list(systeme.modeles_passerelle.values_list("libelle", flat=True)),
        }
        return {"titre": systeme.nom, "contenu": cache_pages.rendre("registre/_detail.html", contexte)}

    # Une fiche absente ou d'une autre organisation lève 404 dans `produire` : rien n'est gardé. La date
    # du jour est dans la clé : le retard des conditions (gouvernance) change à minuit, sans écriture.
    return cache_pages.page(request, adhesion, f"registre:detail|{pk}|{timezone.localdate()}", produire)


@login_required
def modifier(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.DECLARER)
    systeme = _systeme(adhesion, pk, archives=False)
    form = SystemeForm(request.POST or None, instance=systeme)
    conflit = None
    if request.method == "POST" and form.is_valid():
        donnees = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            services.modifier_systeme(systeme.pk, donnees, form.cleaned_data["version"], request.user)
        except services.ConflitEdition as erreur:
            conflit = erreur
            reprendre_apres_conflit(form, erreur)
        except ValidationError as erreur:  # identifiant externe déjà pris : rien n'est enregistré
            ajouter_erreurs(form, erreur)
        else:
            messages.success(request, "Modifications enregistrées.")
            return redirect("registre:detail", slug=slug, pk=pk)
    return render(
        request,
        "registre/formulaire.html",
        {"organisation": adhesion.organisation, "form": form, "systeme": systeme, "conflit": conflit},
        status=409 if conflit else 200,
    )


def _apres_operation(request: HttpRequest, slug: str, pk: int, operation, succes: str) -> HttpResponse:
    """Exécute une opération de service ; ses refus deviennent des messages d'erreur en français."""
    try:
        operation()
    except services.ConflitEdition as erreur:
        messages.error(request, erreur.message)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, succes)
    return redirect("registre:detail", slug=slug, pk=pk)


@require_POST
@login_required
def changer_stade(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.CHANGER_STADE)
    systeme = _systeme(adhesion, pk)
    form = StadeForm(request.POST, systeme=systeme)
    if not form.is_valid():
        messages.error(
            request,
            "Choisissez le nouveau stade."
            if not request.POST.get("vers")
            else "Ce passage de stade n'est pas possible depuis le stade actuel.",
        )
        return redirect("registre:detail", slug=slug, pk=pk)
    d = form.cleaned_data
    return _apres_operation(
        request,
        slug,
        pk,
        lambda: services.changer_stade(
            systeme.pk, d["vers"], d["motif"], request.user, d["version"], justification=d["justification"]
        ),
        "Stade mis à jour.",
    )


@require_POST
@login_required
def publier(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.PUBLIER)
    systeme = _systeme(adhesion, pk, archives=False)
    publie = request.POST.get("publie") == "1"
    return _apres_operation(
        request,
        slug,
        pk,
        lambda: services.publier(
            systeme.pk,
            publie,
            request.user,
            version_postee(request),
            request.POST.get("justification", "")[:4000],
        ),
        "Fiche publiée au registre public." if publie else "Fiche retirée du registre public.",
    )


@require_POST
@login_required
def archiver(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.ARCHIVER)
    systeme = _systeme(adhesion, pk)
    if request.POST.get("restaurer") == "1":
        return _apres_operation(
            request,
            slug,
            pk,
            lambda: services.restaurer(systeme.pk, request.user, version_postee(request)),
            "Fiche restaurée.",
        )
    return _apres_operation(
        request,
        slug,
        pk,
        lambda: services.archiver(systeme.pk, request.user, version_postee(request)),
        "Fiche archivée : elle reste consultable avec son historique dans les archives.",
    )


@login_required
def historique(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    systeme = _systeme(adhesion, pk)
    return render(
        request,
        "registre/historique.html",
        {"organisation": adhesion.organisation, "systeme": systeme, "entrees": versions.historique(systeme)},
    )


@require_POST
@login_required
def deposer_document(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.DECLARER)
    systeme = _systeme(adhesion, pk, archives=False)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        erreurs = [e for liste_erreurs in form.errors.values() for e in liste_erreurs]
        messages.error(request, "Document refusé : " + " ".join(erreurs))
        return redirect("registre:detail", slug=slug, pk=pk)
    try:
        envoi = une_seule_fois(
            request,
            lambda: services.deposer_document(
                systeme, form.cleaned_data["titre"], form.cleaned_data["fichier"], request.user
            ),
        )
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        if not envoi.doublon:
            messages.success(request, "Document déposé.")
    return redirect("registre:detail", slug=slug, pk=pk)


def _document(adhesion, pk: int, doc_pk: int, archives: bool = False) -> Document:
    return selectors.document(adhesion.organisation, pk, doc_pk, archives)


@login_required
def telecharger_document(request: HttpRequest, slug: str, pk: int, doc_pk: int) -> FileResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    return documents.telechargement(_document(adhesion, pk, doc_pk))


@require_POST
@login_required
def archiver_document(request: HttpRequest, slug: str, pk: int, doc_pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.DECLARER)
    document = _document(adhesion, pk, doc_pk)
    return _apres_operation(
        request,
        slug,
        pk,
        lambda: services.archiver_document(document, request.user),
        f"Document « {document.titre} » archivé : il reste restaurable depuis cette fiche.",
    )


@require_http_methods(["GET", "POST"])
@login_required
def restaurer_document(request: HttpRequest, slug: str, pk: int, doc_pk: int) -> HttpResponse:
    """Demande confirmation (GET), puis remet le document archivé sur sa fiche (POST)."""
    adhesion = acces.exiger(request.user, slug, Permission.DECLARER)
    document = _document(adhesion, pk, doc_pk, archives=True)
    if request.method == "POST":
        return _apres_operation(
            request,
            slug,
            pk,
            lambda: services.restaurer_document(document, request.user),
            f"Document « {document.titre} » restauré.",
        )
    try:
        services.verifier_restauration(document)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
        return redirect("registre:detail", slug=slug, pk=pk)
    return render(
        request,
        "registre/restaurer_document.html",
        {"organisation": adhesion.organisation, "systeme": document.systeme, "document": document},
    )


@login_required
@cache_pages.en_cache
def portefeuille(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    organisation = adhesion.organisation

    def produire() -> cache_pages.Page:
        contexte = {
            "organisation": organisation,
            "p": selectors.portefeuille(organisation),
            # L'usage de la passerelle change à chaque requête des agents et avec le mois : jamais
            # gardé, il est rendu à chaque affichage à la place de son trou (deux requêtes). Le trou
            # n'est là que si l'organisation a un catalogue, ce que sa génération suit.
            "trou_usage": cache_pages.trou("usage_passerelle") if usage.a_un_catalogue(organisation) else "",
        }
        return {
            "titre": f"Portefeuille — {organisation.nom}",
            "contenu": cache_pages.rendre("registre/_portefeuille.html", contexte),
        }

    def usage_recent() -> str:
        return render_to_string(
            "registre/_portefeuille_passerelle.html",
            {"organisation": organisation, "u": usage.recent_par_fiche(organisation)},
        )

    return cache_pages.page(
        request, adhesion, "registre:portefeuille", produire, vivants={"usage_passerelle": usage_recent}
    )
