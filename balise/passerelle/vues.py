"""Pages de la passerelle : converser (UTILISER_PASSERELLE, chacun ses conversations), ses clés
personnelles pour l'API, et le catalogue des modèles approuvés (lu avec VOIR_REGISTRE, tenu avec
GERER_CATALOGUE). Les vues n'écrivent pas : elles appellent services et services_catalogue."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from balise.comptes.models import Utilisateur
from balise.formulaires import ChampVersion, Formulaire, ajouter_erreurs, ecrire
from balise.organisations import acces
from balise.organisations.models import Adhesion, Organisation
from balise.organisations.roles import Permission, peut
from balise.regles_usage import selectors as regles

from . import disponibles, envoi, fournisseurs, quotas, services, usage
from . import services_catalogue as catalogue
from .models import (
    HEBERGEMENTS,
    Action,
    ClePersonnelle,
    Conversation,
    Fournisseur,
    ModeleCatalogue,
    Quota,
    Reglages,
)
from .politique import CLASSES, LIBELLES_CLASSES

PIECE_MAX = 200_000  # octets d'une pièce jointe (texte)
EXTENSIONS_TEXTE = (".txt", ".md", ".csv")


class EnvoiForm(Formulaire):
    modele = forms.TypedChoiceField(label="Modèle", coerce=int)
    texte = forms.CharField(
        label="Votre message",
        max_length=envoi.LONGUEUR_MAX,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Les données personnelles sont repérées avant l'envoi : « Voir ce qui partira » les montre.",
    )
    piece = forms.FileField(
        label="Pièce jointe (facultative)",
        required=False,
        help_text="Un fichier texte (.txt, .md, .csv) de 200 Ko au plus, ajouté à votre message.",
    )

    def __init__(self, *args: Any, modeles: list[ModeleCatalogue], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["modele"]).choices = [
            (m.pk, f"{m.libelle} — reçoit les données {catalogue.libelle_classes(m.classes_permises)}")
            for m in modeles
        ]

    def clean_piece(self) -> str:
        piece = self.cleaned_data.get("piece")
        if not piece:
            return ""
        if not piece.name.lower().endswith(EXTENSIONS_TEXTE) or piece.size > PIECE_MAX:
            raise ValidationError(
                "Seuls les fichiers texte (.txt, .md, .csv) de 200 Ko au plus sont acceptés."
            )
        try:
            contenu = piece.read(PIECE_MAX + 1).decode("utf-8")
        except UnicodeDecodeError:
            raise ValidationError(
                "Ce fichier n'est pas un texte en UTF-8 : enregistrez-le en UTF-8."
            ) from None
        return f"\n\nPièce jointe « {piece.name[:100]} » :\n{contenu}"

    def message(self) -> str:
        return self.cleaned_data["texte"] + self.cleaned_data["piece"]


class PremiereUtilisationForm(Formulaire):
    service = forms.CharField(label="Votre service", max_length=services.LONGUEUR_SERVICE)
    version_regles = forms.IntegerField(widget=forms.HiddenInput)
    lu = forms.BooleanField(
        label="J'ai lu les règles d'usage de l'IA de mon organisation et je m'engage à les suivre."
    )


def _contexte_conversation(
    request: HttpRequest, adhesion: Adhesion, conversation: Conversation | None, **autres: Any
) -> dict[str, Any]:
    organisation, personne = adhesion.organisation, cast(Utilisateur, request.user)
    obstacle = services.obstacle(organisation, personne)
    modeles = disponibles.modeles_disponibles(organisation)
    contexte: dict[str, Any] = {
        "organisation": organisation,
        "obstacle": obstacle,
        "modeles": modeles,
        "conversation": conversation,
        "conversations": Conversation.objects.filter(organisation=organisation, personne=personne)[:50],
        "mention": catalogue.reglages(organisation).mention,
        "peut_gerer": peut(adhesion.role, Permission.GERER_CATALOGUE),
        "voit_usage": peut(adhesion.role, Permission.VOIR_REGISTRE),
        "lit_sensibles": peut(adhesion.role, Permission.LIRE_CONTENUS_SENSIBLES),
        "mon_usage": usage.de_la_personne(organisation, personne.pk, timezone.localdate()),
        "mon_quota": Quota.objects.filter(organisation=organisation, portee=Quota.Portee.PERSONNE).first(),
        **autres,
    }
    if obstacle and "premiere" not in contexte:
        publiee = regles.publiee(organisation)
        contexte["regles"] = publiee
        if publiee:
            profil = services.Profil.objects.filter(organisation=organisation, personne=personne).first()
            contexte["premiere"] = PremiereUtilisationForm(
                initial={"version_regles": publiee.pk, "service": profil.service if profil else ""}
            )
    if "form" not in contexte and not obstacle:
        initial = {"modele": conversation.modele_id} if conversation else {}
        contexte["form"] = EnvoiForm(modeles=modeles, initial=initial)
    return contexte


@login_required
def accueil(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.UTILISER_PASSERELLE)
    return render(request, "passerelle/conversation.html", _contexte_conversation(request, adhesion, None))


@login_required
def conversation(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.UTILISER_PASSERELLE)
    trouvee = services.conversation_de(adhesion.organisation, cast(Utilisateur, request.user), pk)
    return render(request, "passerelle/conversation.html", _contexte_conversation(request, adhesion, trouvee))


@require_POST
@login_required
def premiere_utilisation(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.UTILISER_PASSERELLE)
    form = PremiereUtilisationForm(request.POST)
    if form.is_valid():
        try:
            services.premiere_utilisation(
                adhesion.organisation,
                cast(Utilisateur, request.user),
                form.cleaned_data["version_regles"],
                form.cleaned_data["service"],
            )
        except ValidationError as erreur:
            ajouter_erreurs(form, erreur)
        else:
            messages.success(request, "Merci : votre lecture des règles d'usage est enregistrée.")
            return redirect("passerelle:accueil", slug=slug)
    contexte = _contexte_conversation(request, adhesion, None, premiere=form)
    return render(request, "passerelle/conversation.html", contexte, status=400)


@require_POST
@login_required
def envoyer(request: HttpRequest, slug: str) -> HttpResponse:
    """« Voir ce qui partira » (rien n'est envoyé ni écrit) ou « Envoyer »."""
    adhesion = acces.exiger(request.user, slug, Permission.UTILISER_PASSERELLE)
    organisation, personne = adhesion.organisation, cast(Utilisateur, request.user)
    en_cours = _conversation_postee(request, organisation, personne)
    if services.obstacle(organisation, personne):
        return redirect("passerelle:accueil", slug=slug)
    modeles = disponibles.modeles_disponibles(organisation)
    form = EnvoiForm(request.POST, request.FILES, modeles=modeles)
    autres: dict[str, Any] = {"form": form}
    if form.is_valid():
        modele = next(m for m in modeles if m.pk == form.cleaned_data["modele"])
        try:
            if request.POST.get("action") == "apercu":
                autres["apercu"] = services.apercevoir(
                    organisation, personne, modele, form.message(), en_cours
                )
            else:
                echange = services.converser(organisation, personne, modele, form.message(), en_cours)
                if echange.resultat and echange.resultat.texte:
                    if echange.resultat.message:
                        messages.info(request, echange.resultat.message)
                    conversation_id = str(echange.conversation.pk if echange.conversation else "")
                    return redirect("passerelle:conversation", slug=slug, pk=conversation_id)
                if echange.resultat and echange.resultat.requete.action == Action.ERREUR:
                    # Partie, mais sans réponse : le fournisseur est en cause, pas le texte.
                    autres["sans_reponse"] = echange.resultat.message
                else:
                    autres["refus"] = echange.resultat.message if echange.resultat else ""
                    autres["apercu"] = echange.preparation
        except envoi.RequeteInvalide as erreur:
            form.add_error("texte", str(erreur))
    # Sans réponse du fournisseur, la page dit pourquoi (200) : ni la saisie ni Balise ne sont en cause.
    statut = 200 if form.is_valid() and "refus" not in autres else 400
    return render(
        request,
        "passerelle/conversation.html",
        _contexte_conversation(request, adhesion, en_cours, **autres),
        status=statut,
    )


def _conversation_postee(
    request: HttpRequest, organisation: Organisation, personne: Utilisateur
) -> Conversation | None:
    valeur = request.POST.get("conversation", "")
    if valeur.isascii() and valeur.isdigit() and len(valeur) < 12:
        return services.conversation_de(organisation, personne, int(valeur))
    return None


def _ligne(objet: dict[str, str]) -> bytes:
    return (json.dumps(objet, ensure_ascii=False) + "\n").encode()


@require_POST
@login_required
def envoyer_en_flux(request: HttpRequest, slug: str) -> HttpResponseBase:
    """« Envoyer » depuis la page, la réponse lue à mesure qu'elle arrive (assistant.js) : une ligne JSON
    par morceau (`texte`), puis l'adresse de la conversation (`fin`) ou l'erreur du fournisseur
    (`erreur`). Ce qui ne partirait pas (règles non lues, saisie invalide, quota, données refusées) ne
    s'écrit pas ici : la réponse 422 demande à la page d'envoyer son formulaire, qui l'explique."""
    adhesion = acces.exiger(request.user, slug, Permission.UTILISER_PASSERELLE)
    organisation, personne = adhesion.organisation, cast(Utilisateur, request.user)
    en_cours = _conversation_postee(request, organisation, personne)
    modeles = disponibles.modeles_disponibles(organisation)
    form = EnvoiForm(request.POST, request.FILES, modeles=modeles)
    prep = None
    if not services.obstacle(organisation, personne) and form.is_valid():
        modele = next(m for m in modeles if m.pk == form.cleaned_data["modele"])
        try:
            prep = services.preparer_flux(organisation, personne, modele, form.message(), en_cours)
        except envoi.RequeteInvalide:
            prep = None
    if prep is None:
        return JsonResponse({"repli": "formulaire"}, status=422)
    if prep.decision.message:
        # Posé avant le flux : la page de la conversation, où mène la fin du flux, l'affichera.
        messages.info(request, prep.decision.message)

    def lignes() -> Iterator[bytes]:
        try:
            for element in services.converser_en_flux(organisation, personne, prep, form.message(), en_cours):
                if isinstance(element, Conversation):
                    yield _ligne({"fin": reverse("passerelle:conversation", args=[slug, element.pk])})
                else:
                    yield _ligne({"texte": element})
        except fournisseurs.ErreurFournisseur as erreur:
            yield _ligne({"erreur": erreur.message})

    reponse = StreamingHttpResponse(lignes(), content_type="application/x-ndjson; charset=utf-8")
    reponse["Cache-Control"] = "no-cache"
    reponse["X-Accel-Buffering"] = "no"  # un mandataire nginx ne doit pas retenir le flux
    return reponse


@login_required
def export(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """La conversation en texte, chaque réponse suivie de la mention de l'organisation (AI Act, art. 50)."""
    adhesion = acces.exiger(request.user, slug, Permission.UTILISER_PASSERELLE)
    trouvee = services.conversation_de(adhesion.organisation, cast(Utilisateur, request.user), pk)
    mention = catalogue.reglages(adhesion.organisation).mention
    lignes = [f"{trouvee.titre}\nModèle : {trouvee.modele.libelle}\n"]
    for message in trouvee.messages.all():
        if message.role == message.Role.AGENT:
            lignes.append(f"— Vous, le {message.cree_le:%d/%m/%Y à %H:%M} :\n{message.contenu}\n")
        else:
            lignes.append(f"— {trouvee.modele.libelle} :\n{message.contenu}\n[{mention}]\n")
    return HttpResponse(
        "\n".join(lignes),
        content_type="text/plain; charset=utf-8",
        headers={"Content-Disposition": content_disposition_header(True, f"conversation-{trouvee.pk}.txt")},
    )


# --- Clés personnelles -------------------------------------------------------------------------


class CleForm(Formulaire):
    nom = forms.CharField(label="Nom de la clé", max_length=100, help_text="Où vous l'utiliserez.")


@login_required
def cles(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.UTILISER_PASSERELLE)
    organisation, personne = adhesion.organisation, cast(Utilisateur, request.user)
    form = CleForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        if services.obstacle(organisation, personne):
            form.add_error(None, "Lisez d'abord les règles d'usage, depuis la page de la passerelle.")
        else:
            try:
                _, secret = services.emettre_cle(organisation, personne, form.cleaned_data["nom"])
            except ValidationError as erreur:
                ajouter_erreurs(form, erreur)
            else:
                form = CleForm()
    contexte = {
        "organisation": organisation,
        "form": form,
        "secret": secret,
        "cles": ClePersonnelle.objects.filter(organisation=organisation, personne=personne),
        "adresse_api": request.build_absolute_uri("/v1"),
    }
    return render(request, "passerelle/cles.html", contexte, status=400 if form.errors else 200)


@require_POST
@login_required
def revocation_cle(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.UTILISER_PASSERELLE)
    cle = services.revoquer_cle(adhesion.organisation, cast(Utilisateur, request.user), pk)
    messages.success(request, f"La clé « {cle.nom} » est révoquée : elle ne permet plus aucun appel.")
    return redirect("passerelle:cles", slug=slug)


# --- Catalogue -----------------------------------------------------------------------------------


class FournisseurForm(Formulaire):
    prefix = "fournisseur"  # trois formulaires sur la page du catalogue : des identifiants distincts
    nom = forms.CharField(label="Nom", max_length=120)
    url_base = forms.URLField(
        label="Adresse de l'API compatible OpenAI",
        max_length=300,
        assume_scheme="https",
        help_text="Jusqu'à /v1, par exemple https://albert.api.etalab.gouv.fr/v1",
    )
    cle = forms.CharField(
        label="Clé d'API",
        required=False,
        max_length=500,
        widget=forms.PasswordInput(render_value=False),
        help_text="Chiffrée dès l'enregistrement, jamais affichée ensuite. Vide : la clé actuelle est gardée.",
    )
    hebergement = forms.ChoiceField(label="Hébergement", choices=HEBERGEMENTS)
    delai_s = forms.IntegerField(label="Délai de réponse (secondes)", min_value=5, max_value=600, initial=60)
    actif = forms.BooleanField(label="Actif", required=False, initial=True)
    version = ChampVersion()


class ModeleForm(Formulaire):
    prefix = "modele"
    fournisseur = forms.TypedChoiceField(label="Fournisseur", coerce=int)
    identifiant = forms.CharField(label="Identifiant chez le fournisseur", max_length=200)
    libelle = forms.CharField(label="Nom affiché aux agents", max_length=120)
    classes = forms.MultipleChoiceField(
        label="Données qu'il peut recevoir en clair",
        choices=[(c, LIBELLES_CLASSES[c].capitalize()) for c in CLASSES if c != "publique"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Les autres sont masquées (pseudonymisées) ou refusées avant l'envoi.",
    )
    prix_entree_million = forms.DecimalField(
        label="Prix d'un million de jetons envoyés (€ HT)",
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=4,
    )
    prix_sortie_million = forms.DecimalField(
        label="Prix d'un million de jetons reçus (€ HT)",
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=4,
    )
    jetons_max = forms.IntegerField(
        label="Jetons reçus au plus par réponse", min_value=1, max_value=200_000, initial=2000
    )
    ecologits_fournisseur = forms.CharField(label="Fournisseur chez EcoLogits", required=False, max_length=60)
    ecologits_modele = forms.CharField(label="Modèle chez EcoLogits", required=False, max_length=120)
    parametres_actifs_milliards = forms.DecimalField(
        label="Paramètres actifs (milliards)", required=False, min_value=0.01, max_digits=8, decimal_places=2
    )
    parametres_totaux_milliards = forms.DecimalField(
        label="Paramètres au total (milliards)",
        required=False,
        min_value=0.01,
        max_digits=8,
        decimal_places=2,
    )
    actif = forms.BooleanField(label="Proposé aux agents", required=False, initial=True)
    version = ChampVersion()

    def __init__(self, *args: Any, fournisseurs: list[Fournisseur], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["fournisseur"]).choices = [(f.pk, f.nom) for f in fournisseurs]


class ReglagesForm(Formulaire):
    prefix = "reglages"
    mention = forms.CharField(label="Mention des textes produits par l'IA", max_length=300)
    conservation_jours = forms.IntegerField(
        label="Conservation des requêtes sensibles (jours)", min_value=1, max_value=3650
    )
    termes_propres = forms.CharField(
        label="Termes propres à l'organisation, un par ligne",
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Noms de dossiers, de projets, de personnes : traités comme des données internes.",
    )
    version = ChampVersion()


class QuotaForm(Formulaire):
    prefix = "quota"
    portee = forms.ChoiceField(label="S'applique à", choices=Quota.Portee.choices)
    service = forms.CharField(label="Service (pour un quota de service)", required=False, max_length=200)
    requetes_par_mois = forms.IntegerField(
        label="Requêtes par mois", required=False, min_value=1, max_value=10_000_000
    )
    euros_par_mois = forms.DecimalField(
        label="Euros HT par mois", required=False, min_value=0, max_digits=10, decimal_places=2
    )


def _rendre_catalogue(
    request: HttpRequest, adhesion: Adhesion, statut: int = 200, **forms_: Any
) -> HttpResponse:
    organisation = adhesion.organisation
    fournisseurs = list(Fournisseur.objects.filter(organisation=organisation))
    reglages: Reglages = catalogue.reglages(organisation)
    contexte = {
        "organisation": organisation,
        "fournisseurs": fournisseurs,
        "modeles": ModeleCatalogue.objects.filter(organisation=organisation).select_related(
            "fournisseur", "systeme", "amont__organisation"
        ),
        "reglages": reglages,
        "disponibles": {m.pk for m in disponibles.modeles_disponibles(organisation)},
        "peut_gerer": peut(adhesion.role, Permission.GERER_CATALOGUE),
        "quotas": Quota.objects.filter(organisation=organisation),
        "form_quota": forms_.get("form_quota") or QuotaForm(),
        "form_fournisseur": forms_.get("form_fournisseur") or FournisseurForm(initial={"version": 1}),
        "form_modele": forms_.get("form_modele")
        or ModeleForm(fournisseurs=fournisseurs, initial={"version": 1}),
        "form_reglages": forms_.get("form_reglages")
        or ReglagesForm(
            initial={
                "mention": reglages.mention,
                "conservation_jours": reglages.conservation_jours,
                "termes_propres": reglages.termes_propres,
                "version": reglages.version,
            }
        ),
    }
    return render(request, "passerelle/catalogue.html", contexte, status=statut)


@login_required
def catalogue_page(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.VOIR_REGISTRE)
    return _rendre_catalogue(request, adhesion)


def _sans_cles(donnees: dict[str, Any], *cles: str) -> dict[str, Any]:
    return {k: v for k, v in donnees.items() if k not in cles}


def _ecrire_au_catalogue(
    request: HttpRequest,
    adhesion: Adhesion,
    form: forms.Form,
    enregistrer: Callable[[dict[str, Any], Utilisateur], object],
    succes: Callable[[dict[str, Any]], str],
) -> HttpResponse:
    """Le cycle commun des formulaires du catalogue : valide, écrit par le service, message, retour au
    catalogue ; sinon le catalogue de nouveau, avec ce formulaire et ses erreurs (400), rien d'écrit."""
    if form.is_valid():
        d = form.cleaned_data
        if ecrire(form, lambda: enregistrer(d, cast(Utilisateur, request.user))).ecrit:
            messages.success(request, succes(d))
            return redirect("passerelle:catalogue", slug=adhesion.organisation.slug)
    return _rendre_catalogue(request, adhesion, 400, **{f"form_{form.prefix}": form})


@require_POST
@login_required
def ajout_fournisseur(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_CATALOGUE)
    form = FournisseurForm(request.POST)
    if form.is_valid() and not form.cleaned_data["cle"].strip():
        form.add_error("cle", "Donnez la clé d'API du fournisseur (elle sera chiffrée).")
    return _ecrire_au_catalogue(
        request,
        adhesion,
        form,
        lambda d, par: catalogue.ajouter_fournisseur(
            adhesion.organisation, _sans_cles(d, "cle", "version"), d["cle"], par
        ),
        lambda d: f"Fournisseur « {d['nom']} » ajouté ; sa clé est chiffrée.",
    )


@require_POST
@login_required
def ajout_modele(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_CATALOGUE)
    fournisseurs = list(Fournisseur.objects.filter(organisation=adhesion.organisation))
    return _ecrire_au_catalogue(
        request,
        adhesion,
        ModeleForm(request.POST, fournisseurs=fournisseurs),
        lambda d, par: catalogue.ajouter_modele(
            adhesion.organisation,
            d["fournisseur"],
            _sans_cles(d, "fournisseur", "classes", "version"),
            d["classes"],
            par,
        ),
        lambda d: (
            f"Modèle « {d['libelle']} » approuvé ; sa fiche est au registre, à qualifier comme les autres."
        ),
    )


@require_POST
@login_required
def reglages(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_CATALOGUE)
    return _ecrire_au_catalogue(
        request,
        adhesion,
        ReglagesForm(request.POST),
        lambda d, par: catalogue.regler(
            adhesion.organisation,
            d["mention"],
            d["conservation_jours"],
            d["termes_propres"],
            d["version"],
            par,
        ),
        lambda d: "Réglages de la passerelle enregistrés.",
    )


@require_POST
@login_required
def ajout_quota(request: HttpRequest, slug: str) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_CATALOGUE)
    return _ecrire_au_catalogue(
        request,
        adhesion,
        QuotaForm(request.POST),
        lambda d, par: quotas.fixer(
            adhesion.organisation, d["portee"], d["service"], d["requetes_par_mois"], d["euros_par_mois"], par
        ),
        lambda d: "Quota enregistré : il vaut dès la prochaine requête.",
    )


@require_POST
@login_required
def retrait_quota(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_CATALOGUE)
    quotas.retirer(adhesion.organisation, pk, cast(Utilisateur, request.user))
    messages.success(request, "Quota retiré ; il reste à l'historique.")
    return redirect("passerelle:catalogue", slug=slug)


# --- Modifier (ou retirer) un fournisseur, un modèle approuvé -----------------------------------------


def _modification(
    request: HttpRequest,
    adhesion: Adhesion,
    titre: str,
    form: forms.Form,
    enregistrer: Callable[[dict[str, Any], Utilisateur], object],
) -> HttpResponse:
    """La page de modification : valide, écrite sous son verrou de version ; un conflit est montré avec
    la saisie gardée (409), un refus du service sur le formulaire (400)."""
    ecriture = None
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        ecriture = ecrire(form, lambda: enregistrer(d, cast(Utilisateur, request.user)))
        if ecriture.ecrit:
            messages.success(request, f"« {titre} » enregistré.")
            return redirect("passerelle:catalogue", slug=adhesion.organisation.slug)
    conflit = ecriture.conflit if ecriture else None
    statut = 409 if conflit else (400 if request.method == "POST" else 200)
    contexte = {"organisation": adhesion.organisation, "titre": titre, "form": form, "conflit": conflit}
    return render(request, "passerelle/modification.html", contexte, status=statut)


@login_required
def fournisseur(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_CATALOGUE)
    objet = get_object_or_404(Fournisseur, organisation=adhesion.organisation, pk=pk)
    initial = {c: getattr(objet, c) for c in catalogue.CHAMPS_FOURNISSEUR} | {"version": objet.version}
    return _modification(
        request,
        adhesion,
        objet.nom,
        FournisseurForm(request.POST or None, initial=initial),
        lambda d, par: catalogue.modifier_fournisseur(
            adhesion.organisation, objet.pk, _sans_cles(d, "cle", "version"), d["cle"], d["version"], par
        ),
    )


@login_required
def modele(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    adhesion = acces.exiger(request.user, slug, Permission.GERER_CATALOGUE)
    objet = get_object_or_404(
        ModeleCatalogue.objects.select_related("fournisseur", "amont__organisation"),
        organisation=adhesion.organisation,
        pk=pk,
    )
    initial = {c: getattr(objet, c) for c in catalogue.CHAMPS_MODELE} | {
        "fournisseur": objet.fournisseur_id,
        "classes": objet.classes_permises,
        "version": objet.version,
    }
    form = ModeleForm(request.POST or None, initial=initial, fournisseurs=[objet.fournisseur])
    if objet.amont is not None:
        # Repris d'une mutualisante : ce qu'elle règle se lit sans se saisir (un champ désactivé garde
        # la valeur en place, quoi que le navigateur envoie).
        for champ in ("fournisseur", *catalogue.CHAMPS_AMONT):
            form.fields[champ].disabled = True
        form.fields["classes"].help_text = (
            f"Repris de {objet.amont.organisation.nom}, qui permet : "
            f"{catalogue.libelle_classes(objet.amont.classes_permises)}. Vous pouvez en retirer, pas en ajouter."
        )
    return _modification(
        request,
        adhesion,
        objet.libelle,
        form,
        lambda d, par: catalogue.modifier_modele(
            adhesion.organisation,
            objet.pk,
            _sans_cles(d, "fournisseur", "classes", "version"),
            d["classes"],
            d["version"],
            par,
        ),
    )
