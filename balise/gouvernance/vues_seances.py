"""Pages des séances : vues minces qui vérifient les droits (organisations.acces, puis
gouvernance.droits), lisent par selectors_seances et écrivent par services_seances.

Lire : `droits.peut_voir` (membres de l'organisation ; un membre externe, seulement les instances où il
siège, sinon 404). Écrire : `droits.peut_instruire` (GOUVERNER, ou président ou secrétaire), sinon 403.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from balise.envois.services import une_seule_fois
from balise.formulaires import ecrire, version_postee
from balise.noms_fichiers import disposition, nom_fichier
from balise.organisations import acces
from balise.organisations.roles import Permission, peut
from balise.travaux import services as travaux

from . import droits, pdf_seances
from . import selectors_seances as selectors
from . import services_seances as services
from .forms_seances import AnnulationForm, PointForm, PvForm, SeanceForm
from .models import Seance

INTERDIT = "Seuls la gouvernance, le président ou le secrétaire de l'instance instruisent ses séances."


def _adhesion(request: HttpRequest, slug: str):
    # SIEGER est le droit commun à tous les rôles qui voient des séances (membre externe compris) ;
    # l'instance décide ensuite (gouvernance/droits.py).
    return acces.exiger(request.user, slug, Permission.SIEGER)


def _instruire(adhesion, instance) -> None:
    if not droits.peut_instruire(adhesion, instance):
        raise PermissionDenied(INTERDIT)


def _seance(request: HttpRequest, slug: str, pk: int, instruire: bool = False):
    adhesion = _adhesion(request, slug)
    seance = selectors.seance_visible(adhesion, pk)
    if instruire:
        _instruire(adhesion, seance.instance)
    return adhesion, seance


def _adresse(request: HttpRequest, seance: Seance) -> str:
    slug = seance.instance.organisation.slug
    return request.build_absolute_uri(reverse("gouvernance:seance", args=[slug, seance.pk]))


def _operation(request: HttpRequest, seance: Seance, operation, succes: str) -> HttpResponse:
    """Exécute une opération de service ; ses refus deviennent des messages d'erreur en français."""
    try:
        operation()
    except services.ConflitEdition as erreur:
        messages.error(request, erreur.message)
    except ValidationError as erreur:
        messages.error(request, " ".join(erreur.messages))
    else:
        messages.success(request, succes)
    return redirect("gouvernance:seance", slug=seance.instance.organisation.slug, pk=seance.pk)


@login_required
def liste(request: HttpRequest, slug: str, instance_pk: int) -> HttpResponse:
    adhesion = _adhesion(request, slug)
    instance = selectors.instance_visible(adhesion, instance_pk)
    return render(
        request,
        "gouvernance/seances/liste.html",
        {
            "organisation": adhesion.organisation,
            "instance": instance,
            "seances": selectors.seances(instance),
            "peut_instruire": droits.peut_instruire(adhesion, instance),
        },
    )


@login_required
def creer(request: HttpRequest, slug: str, instance_pk: int) -> HttpResponse:
    adhesion = _adhesion(request, slug)
    instance = selectors.instance_visible(adhesion, instance_pk)
    _instruire(adhesion, instance)
    form = SeanceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            envoi = une_seule_fois(
                request,
                lambda: services.programmer(
                    instance, d["debut"], d["duree_minutes"], d["lieu"], request.user
                ),
            )
        except ValidationError as erreur:
            form.add_error(None, erreur)
        else:
            if envoi.objet is None:
                return redirect("gouvernance:seances", slug=slug, instance_pk=instance.pk)
            if not envoi.doublon:
                messages.success(request, "Séance programmée. Composez son ordre du jour, puis convoquez.")
            return redirect("gouvernance:seance", slug=slug, pk=envoi.objet.pk)
    return render(
        request,
        "gouvernance/seances/formulaire.html",
        {
            "organisation": adhesion.organisation,
            "instance": instance,
            "form": form,
        },
    )


@login_required
def detail(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion, seance = _seance(request, slug, pk)
    points = selectors.points(seance)
    feuille = selectors.feuille(seance)
    travail = seance.travail_convocation
    if travail is not None and travail.actif:
        travaux.constater_abandons(type(travail).objects.filter(pk=travail.pk))
        travail.refresh_from_db()
    return render(
        request,
        "gouvernance/seances/seance.html",
        {
            "organisation": adhesion.organisation,
            "seance": seance,
            "instance": seance.instance,
            "points": points,
            "feuille": feuille,
            "quorum": selectors.quorum_de(seance, feuille),
            "peut_instruire": droits.peut_instruire(adhesion, seance.instance),
            # Le lien vers une version de la charte (balise/chartes) : pour qui lit le registre ; un
            # membre externe en lit le texte dans le dossier figé du point.
            "peut_lire_charte": peut(adhesion.role, Permission.VOIR_REGISTRE),
            "travail": travail,
            "modifiable": seance.statut in (Seance.Statut.PREVUE, Seance.Statut.CONVOQUEE),
            "pv_form": PvForm(initial={"proces_verbal": seance.proces_verbal, "version": seance.version}),
            "annulation_form": AnnulationForm(initial={"version": seance.version}),
        },
    )


@login_required
def modifier(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion, seance = _seance(request, slug, pk, instruire=True)
    form = SeanceForm(request.POST or None, seance=seance)
    conflit = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ecriture = ecrire(
            form,
            lambda: services.modifier(
                seance.pk,
                d["debut"],
                d["duree_minutes"],
                d["lieu"],
                d["version"],
                request.user,
                _adresse(request, seance),
            ),
        )
        conflit = ecriture.conflit
        if ecriture.ecrit:
            convoquee = seance.statut == Seance.Statut.CONVOQUEE
            messages.success(
                request,
                "Séance modifiée : les membres ont reçu l'invitation à jour."
                if convoquee
                else "Séance modifiée.",
            )
            return redirect("gouvernance:seance", slug=slug, pk=pk)
    return render(
        request,
        "gouvernance/seances/formulaire.html",
        {
            "organisation": adhesion.organisation,
            "instance": seance.instance,
            "seance": seance,
            "form": form,
            "conflit": conflit,
        },
        status=409 if conflit else 200,
    )


@require_POST
@login_required
def annuler(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _, seance = _seance(request, slug, pk, instruire=True)
    etait_convoquee = seance.statut == Seance.Statut.CONVOQUEE
    return _operation(
        request,
        seance,
        lambda: services.annuler(
            seance.pk,
            request.POST.get("motif", ""),
            version_postee(request),
            request.user,
            _adresse(request, seance),
        ),
        "Séance annulée : les membres en sont prévenus." if etait_convoquee else "Séance annulée.",
    )


@require_http_methods(["GET", "POST"])
@login_required
def ajouter_point(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion, seance = _seance(request, slug, pk, instruire=True)
    form = PointForm(
        request.POST or None, propositions=selectors.propositions(seance.instance, timezone.localdate())
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            envoi = une_seule_fois(
                request,
                lambda: services.ajouter_point(
                    seance.pk,
                    d["nature"],
                    request.user,
                    systeme=d["systeme"] or None,
                    stade_vise=d["stade_vise"],
                    evaluation=d["evaluation"] or None,
                    qualification=d["qualification"] or None,
                    version_charte=d["version_charte"] or None,
                    titre=d["titre"],
                    description=d["description"],
                ),
            )
        except ValidationError as erreur:
            form.add_error(None, erreur)
        else:
            if not envoi.doublon:
                messages.success(request, "Point inscrit à l'ordre du jour.")
            return redirect("gouvernance:seance", slug=slug, pk=pk)
    return render(
        request,
        "gouvernance/seances/point.html",
        {
            "organisation": adhesion.organisation,
            "seance": seance,
            "instance": seance.instance,
            "form": form,
        },
    )


def _point(seance: Seance, point_pk: int):
    return selectors.point(seance, point_pk)


@require_POST
@login_required
def deplacer_point(request: HttpRequest, slug: str, pk: int, point_pk: int) -> HttpResponse:
    _, seance = _seance(request, slug, pk, instruire=True)
    point = _point(seance, point_pk)
    return _operation(
        request,
        seance,
        lambda: services.deplacer_point(point.pk, request.POST.get("sens", ""), request.user),
        "Ordre du jour mis à jour.",
    )


@require_POST
@login_required
def retirer_point(request: HttpRequest, slug: str, pk: int, point_pk: int) -> HttpResponse:
    _, seance = _seance(request, slug, pk, instruire=True)
    point = _point(seance, point_pk)
    return _operation(
        request,
        seance,
        lambda: services.retirer_point(point.pk, request.user),
        f"Point « {point.titre} » retiré de l'ordre du jour.",
    )


@login_required
def dossier_point(request: HttpRequest, slug: str, pk: int, point_pk: int) -> FileResponse:
    """Le dossier figé à la convocation, en pièce jointe : ce qui a été envoyé aux membres."""
    _, seance = _seance(request, slug, pk)
    point = _point(seance, point_pk)
    if not point.dossier:
        raise Http404("Le dossier de ce point n'est pas encore figé : il le sera à la convocation.")
    try:
        flux = point.dossier.open("rb")
    except FileNotFoundError:
        raise Http404("Fichier introuvable.") from None
    date = point.dossier_fige_le.strftime("%Y-%m-%d") if point.dossier_fige_le else "fige"
    reponse = FileResponse(
        flux,
        as_attachment=True,
        filename=nom_fichier("dossier-point", point.ordre + 1, seance.instance.nom, date, extension="pdf"),
        content_type="application/pdf",
    )
    reponse["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return reponse


@require_POST
@login_required
def convoquer(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _, seance = _seance(request, slug, pk, instruire=True)
    return _operation(
        request,
        seance,
        lambda: services.convoquer(
            seance.pk, version_postee(request), request.user, _adresse(request, seance)
        ),
        "Convocation lancée : les dossiers sont figés puis chaque membre reçoit son courriel et son "
        "invitation. L'avancement s'affiche ci-dessous.",
    )


@require_POST
@login_required
def presences(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _, seance = _seance(request, slug, pk, instruire=True)
    etats = {}
    for cle, valeur in request.POST.items():
        if cle.startswith("presence-") and cle[9:].isdigit():
            etats[int(cle[9:])] = valeur
    return _operation(
        request,
        seance,
        lambda: services.noter_presences(seance.pk, etats, version_postee(request), request.user),
        "Feuille de présence enregistrée.",
    )


@require_POST
@login_required
def tenue(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _, seance = _seance(request, slug, pk, instruire=True)
    return _operation(
        request,
        seance,
        lambda: services.declarer_tenue(seance.pk, version_postee(request), request.user),
        "Séance déclarée tenue : rédigez son procès-verbal.",
    )


@require_POST
@login_required
def proces_verbal(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _, seance = _seance(request, slug, pk, instruire=True)
    form = PvForm(request.POST)
    texte = form.cleaned_data["proces_verbal"] if form.is_valid() else request.POST.get("proces_verbal", "")
    return _operation(
        request,
        seance,
        lambda: services.rediger_pv(seance.pk, texte, version_postee(request), request.user),
        "Procès-verbal enregistré.",
    )


@require_POST
@login_required
def approuver_pv(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _, seance = _seance(request, slug, pk, instruire=True)
    return _operation(
        request,
        seance,
        lambda: services.approuver_pv(seance.pk, version_postee(request), request.user),
        "Procès-verbal approuvé : il est désormais figé.",
    )


@login_required
def pv_pdf(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    _, seance = _seance(request, slug, pk)
    feuille = selectors.feuille(seance)
    contexte = {
        "points": selectors.points(seance),
        "feuille": feuille,
        "quorum": selectors.quorum_de(seance, feuille),
    }
    reponse = HttpResponse(pdf_seances.proces_verbal(seance, contexte), content_type="application/pdf")
    etat = "approuve" if seance.pv_approuve_le else "projet"
    nom = nom_fichier(
        "proces-verbal",
        seance.instance.nom,
        timezone.localdate(seance.debut).isoformat(),
        etat,
        extension="pdf",
    )
    reponse["Content-Disposition"] = disposition(nom)
    return reponse
