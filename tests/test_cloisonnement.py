"""Cloisonnement entre organisations, droits des rôles, accès anonyme et registre public.

La liste des adresses vérifiées est tirée du résolveur d'URL de Django : une page ou un point d'API
ajouté plus tard sous /o/<slug>/ ou /api/organisations/<slug>/ est couvert sans rien changer ici, et
une adresse qui prend l'identifiant d'une organisation ailleurs fait échouer le test de classement.

Durée : construire le monde (deux organisations remplies par les services) coûte plus que les
requêtes vérifiées. Chaque test le construit donc une fois et vérifie chaque adresse, ou chaque rôle
d'une action, dans un point de sauvegarde annulé ensuite (`_chacun`), en disant tous les écarts ; la
photo de la base (tests/instantane.py) est une requête SQL par table, écrite une fois.
"""

import csv
import io
import json
import re
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.core.cache import cache, caches
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.urls import URLResolver, get_resolver
from django.utils import timezone

from balise.api.api import api
from balise.chartes import services as chartes
from balise.comptes.models import JetonAPI
from balise.conformite import services as conformite
from balise.conformite.models import ObligationSuivie
from balise.conformite.regles import en_vigueur
from balise.formations import services as formations
from balise.gouvernance import politique, services_avis, services_politique, services_seances
from balise.gouvernance import services_instances as gouvernance
from balise.gouvernance.models import Condition, Instance, Point, Seance
from balise.gouvernance.services_avis import NouvelleCondition
from balise.instruments import services as instruments
from balise.instruments.definition import en_yaml
from balise.instruments.models import DefinitionInstrument, GroupeCodes
from balise.instruments.services import Saisie
from balise.metiers import services as metiers
from balise.metiers.models import ImportEffectifs, LibelleImporte
from balise.mutualisation import services as services_mutualisation
from balise.organisations.models import Adhesion, Invitation
from balise.programme import services as programme
from balise.registre import portable, services, services_reprise
from balise.registre.models import ImportRegistre, SystemeIA
from balise.regles_usage import services as regles_usage
from balise.travaux.models import Travail
from tests import fabrique, instantane, travailleur
from tests import gouvernance_fabrique as gf
from tests.fraicheur_pages import VerificationFraicheur, exiger_la_marque, lectures_du_cache

# --- Les adresses de l'application ---------------------------------------------------------------

_PARAMETRE = re.compile(r"<(?:(?P<convertisseur>\w+):)?(?P<nom>\w+)>")


def _routes() -> list[str]:
    def parcourir(motifs, prefixe=""):
        for motif in motifs:
            if isinstance(motif, URLResolver):
                yield from parcourir(motif.url_patterns, prefixe + str(motif.pattern))
            else:
                yield prefixe + str(motif.pattern)

    return sorted(set(parcourir(get_resolver().url_patterns)))


def _prend_un_slug(route: str) -> bool:
    return any(m.group("nom") == "slug" for m in _PARAMETRE.finditer(route))


ROUTES_SLUG = [r for r in _routes() if _prend_un_slug(r)]
# Réservées aux membres : tout ce qui vit sous ces préfixes doit être cloisonné.
PREFIXES_PRIVES = ("o/", "api/organisations/")
# Publiques par nature (registre CRPA) : vérifiées plus bas, elles ne montrent que les fiches publiées.
PREFIXES_PUBLICS = ("public/",)
ROUTES_PRIVEES = [r for r in ROUTES_SLUG if r.startswith(PREFIXES_PRIVES)]
ROUTES_PUBLIQUES = [r for r in ROUTES_SLUG if r.startswith(PREFIXES_PUBLICS)]
# Paramètres qui ne désignent pas un objet d'une organisation : le nom d'un export, un format de fichier,
# une entrée d'un référentiel livré, la même pour toutes (une étape du programme : sous le slug de B,
# elle désigne l'étape de B, pas celle de A).
_PARAMETRES_SANS_OBJET = {"slug", "nom", "format_", "etape_id", "etape"}
# Un cas d'usage de la bibliothèque (balise/bibliotheque) est commun à toutes les organisations : sous le
# slug de B, celui que A partage se lit et s'adopte, c'est l'objet même du partage. Les autres adresses
# de la bibliothèque (retrait d'un partage, partage d'un système) désignent bien un objet de A.
ROUTES_OBJETS_COMMUNS = {
    "o/<slug:slug>/bibliotheque/<int:pk>/",
    "o/<slug:slug>/bibliotheque/<int:pk>/adopter/",
    "api/organisations/<slug>/bibliotheque/<pk>",
    "api/organisations/<slug>/bibliotheque/<pk>/adopter",
}
ROUTES_A_IDENTIFIANT = [
    r
    for r in ROUTES_PRIVEES
    if {m.group("nom") for m in _PARAMETRE.finditer(r)} - _PARAMETRES_SANS_OBJET
    and r not in ROUTES_OBJETS_COMMUNS
]
METHODES = ["GET", "POST", "PATCH", "DELETE"]
# Les adresses sans organisation, chacune rangée selon qui l'atteint. Une adresse nouvelle doit y être
# classée (test plus bas) : celles de l'exploitation, surtout, ne doivent s'ouvrir à personne d'autre.
ROUTES_HORS_ORGANISATION = {
    "": "publique",
    "participer/": "publique",
    "glossaire/": "publique",
    "public/schema/": "publique",
    # Schéma JSON du fichier portable d'un système (balise/registre/portable.py) : aucune donnée.
    "public/schema/systeme-portable.json": "publique",
    # Schéma JSON des règles de qualification (balise/conformite/regles.py) : du droit, aucune donnée.
    "public/schema/regles-qualification.json": "publique",
    # Pages obligatoires du pied de page : aucune donnée d'une organisation (balise/vues_generales.py).
    "accessibilite/": "publique",
    "mentions-legales/": "publique",
    "donnees-personnelles/": "publique",
    "plan-du-site/": "publique",
    "questionnaire/<str:jeton>/": "lien secret",
    "questionnaire/<str:jeton>/merci/": "lien secret",
    "invitation/<str:jeton>/": "lien secret",
    "comptes/reinitialisation/<uidb64>/<token>/": "lien secret",
    "comptes/connexion/": "publique",
    "comptes/mot-de-passe-oublie/": "publique",
    "comptes/compte/": "compte",
    "comptes/deconnexion/": "compte",
    "comptes/mot-de-passe/": "compte",
    "comptes/jetons/<int:pk>/revocation/": "compte",
    # Rappels (balise/rappels) : réglages de la personne connectée ; désabonnement par lien signé et
    # calendrier personnel par jeton secret, sans connexion (404 pour un lien inconnu ou révoqué).
    "rappels/frequence/": "compte",
    "rappels/calendrier/": "compte",
    "rappels/calendrier/revocation/": "compte",
    "rappels/desabonnement/<str:jeton>/": "lien secret",
    "calendrier/<str:jeton>.ics": "lien secret",
    "api/": "publique",
    "api/docs": "publique",
    "api/openapi.json": "publique",
    "api/organisations": "compte",
    # Les règles de qualification, en lecture libre (balise/api/conformite.py) : du droit mis en
    # données, qu'une autre autorité réutilise ; aucune donnée d'une organisation.
    "api/conformite/regles": "publique",
    "api/conformite/regles/versions": "publique",
    "api/conformite/regles/<numero>": "publique",
    "api/conformite/qualification": "compte",
    # API compatible OpenAI de la passerelle (balise/passerelle/api_openai.py) : une clé personnelle liée
    # à une organisation, vérifiée à chaque appel (tests/test_passerelle_pages.py).
    "v1/": "publique",
    "v1/docs": "publique",
    "v1/openapi.json": "publique",
    "v1/models": "clé de la passerelle",
    "v1/chat/completions": "clé de la passerelle",
    # Connexion par le fournisseur d'identité (balise/comptes/oidc.py) : 404 sans fournisseur configuré.
    "comptes/oidc/connexion/": "publique",
    "comptes/oidc/retour/": "publique",
    "comptes/oidc/deconnexion/": "compte",
    "comptes/oidc/fin/": "publique",
    # Demander l'adhésion (balise/organisations/vues_adhesion.py) : sans compte, envois limités ; lien
    # d'activation du premier administrateur (jeton à usage unique) ; décisions : l'instance seule.
    "adhesion/": "publique",
    "adhesion/envoyee/": "publique",
    "adhesion/hors-liste/": "publique",
    "adhesion/collectivites/": "publique",
    "comptes/activation/<uidb64>/<token>/": "lien secret",
    "adhesion/demandes/": "instance",
    "adhesion/demandes/<int:pk>/": "instance",
    # Observatoire (balise/observatoire) : statistiques anonymisées de l'instance, sous secret statistique,
    # lues dans le dernier relevé ; aucune donnée d'une organisation en particulier.
    "public/observatoire/": "publique",
    "public/observatoire/observatoire.json": "publique",
    "public/observatoire/observatoire.csv": "publique",
    "public/schema/observatoire.json": "publique",
    # Bibliothèque des cas d'usage : ce que chaque organisation a choisi de partager, sans nom de personne.
    "public/bibliotheque/": "publique",
    "public/bibliotheque/<int:pk>/": "publique",
    "api/observatoire": "publique",
    # Sondes : ne disent que « ok » (balise/sondes.py).
    "healthz": "sonde",
    "livez": "sonde",
    # Adresses ou jeton déclarés par l'exploitant, aucun compte (balise/observabilite/acces.py).
    "metriques": "exploitation",
}
PREFIXES_HORS_ORGANISATION = {"admin/": "administration de l'instance"}

# Quel objet désigne un paramètre d'adresse, d'après le segment qui le précède.
_OBJETS = {
    ("pk", "registre"): "systeme",
    ("pk", "systemes"): "systeme",
    ("pk", "membres"): "adhesion",
    ("pk", "invitations"): "invitation",
    ("doc_pk", "documents"): "document",
    ("uid", "systemes"): "uid",
    ("pk", "instruments"): "instrument",
    ("pk", "evaluations"): "evaluation",
    ("pk", "consultations"): "consultation",
    ("groupe", "codes"): "groupe_codes",
    ("pk", "obligations"): "obligation",
    ("pk", "imports"): "import",
    ("pk", "importations"): "import_registre",
    ("pk", "metiers"): "metier_propre",
    ("pk", "groupes"): "groupe",
    ("groupe_pk", "groupes"): "groupe",
    ("pk", "actions"): "action",
    ("pk", "jetons"): "jeton",
    ("pk", "instances"): "instance",
    ("membre_pk", "membres"): "membre",
    ("college_pk", "colleges"): "college",
    ("instance_pk", "instances"): "instance_seances",
    ("pk", "seances"): "seance",
    ("point_pk", "points"): "point",
    # Gouvernance : points (votes, avis, décision), avis, décisions et conditions.
    ("pk", "points"): "avis_point",
    ("pk", "avis"): "avis",
    ("pk", "decisions"): "decision",
    ("pk", "conditions"): "condition",
    # Charte de l'IA (balise/chartes) : une version.
    ("pk", "versions"): "charte",
    # Indicateurs : un indicateur (avec une mesure) et un point de revue des indicateurs.
    ("pk", "indicateurs"): "indicateur",
    ("mesure_pk", "mesures"): "mesure",
    ("point_pk", "revue"): "point_revue",
    # Formation (balise/formations) : populations, offres de l'organisation, sessions.
    ("pk", "populations"): "population",
    ("pk", "offres"): "offre_formation",
    ("pk", "sessions"): "session_formation",
    # Règles d'usage (balise/regles_usage) : une version (le brouillon de l'organisation).
    ("pk", "regles-usage"): "version_regles",
    # Programme : une action de la feuille de route, une étape (identifiant du référentiel), une action
    # de sensibilisation, une note de veille.
    ("action_pk", "actions"): "action_programme",
    ("pk", "sensibilisation"): "sensibilisation",
    ("pk", "veille"): "note_veille",
    ("etape_id", "etapes"): "etape",
    ("etape", "etapes"): "etape",
    # Rapports et exports : un rapport produit, un de ses formats ; un export et un de ses formats.
    ("pk", "rapports"): "rapport",
    ("format_", "<int:pk>"): "format_rapport",
    ("format_", "<pk>"): "format_rapport",
    ("nom", "exports"): "export",
    ("format_", "<str:nom>."): "format_export",
    ("format_", "<nom>"): "format_export",
    # Mutualisation : une convention (proposée à l'organisation par une intercommunalité).
    ("pk", "conventions"): "convention",
    ("pk", "partages"): "instrument_partage",
    ("pk", "sessions-ouvertes"): "session_ouverte",
    ("pk", "modeles"): "modele_partage",
    # Bibliothèque des cas d'usage : un cas que l'organisation partage, le système qu'elle partage.
    ("pk", "bibliotheque"): "cas_usage",
    ("pk", "partager"): "systeme",
    # Passerelle d'IA générative : une conversation de l'administrateur, une de ses clés personnelles.
    ("pk", "conversations"): "conversation_passerelle",
    ("pk", "cles"): "cle_passerelle",
    ("pk", "fiches"): "systeme",
    ("pk", "sensibles"): "requete_sensible",
    ("pk", "quotas"): "quota_passerelle",
    ("pk", "fournisseurs"): "fournisseur_passerelle",
    ("pk", "modeles-approuves"): "modele_passerelle",
}


def adresse(route: str, slug: str, objets: dict[str, int]) -> str:
    def remplacer(m: re.Match) -> str:
        nom = m.group("nom")
        if nom == "slug":
            return slug
        segment = route[: m.start()].rstrip("/").rsplit("/", 1)[-1]
        cle = _OBJETS.get((nom, segment))
        if cle is None:
            raise LookupError(
                f"Paramètre « {nom} » (après « {segment}/ ») de {route!r} inconnu des tests de "
                "cloisonnement : ajoutez-le à _OBJETS et créez l'objet correspondant dans la fixture `monde`."
            )
        return str(objets[cle])

    return "/" + _PARAMETRE.sub(remplacer, route)


def _chemin_openapi(route: str) -> str:
    return "/" + _PARAMETRE.sub(lambda m: "{" + m.group("nom") + "}", route)


_OPENAPI = api.get_openapi_schema()["paths"]


def methodes_declarees(route: str) -> set[str]:
    return {m.upper() for m in _OPENAPI.get(_chemin_openapi(route), {})}


def est_api(route: str) -> bool:
    return route.startswith("api/")


# --- Données : deux organisations complètes -------------------------------------------------------


@pytest.fixture
def monde(org_a, org_b, admin_a, admin_b, systeme_a, systeme_b):
    def peupler(org, admin, systeme, lettre):
        membre = fabrique.membre(org, "lecteur", f"membre-{lettre}@exemple.fr")
        jeton, _ = JetonAPI.emettre(membre, f"Jeton secret {lettre}")
        document = instantane.document(systeme, admin, titre=f"Document secret {lettre}")
        invitation = Invitation.objects.create(
            organisation=org, email=f"invite-{lettre}@exemple.fr", role="referent", invitee_par=admin
        )
        systeme.refresh_from_db()
        services.publier(systeme.pk, True, admin, systeme.version)
        systeme.refresh_from_db()
        instrument, evaluation, consultation, groupe_codes = _evaluations(systeme, admin, lettre)
        obligation = _qualifier(systeme, admin)
        effectifs = _effectifs(systeme, admin, lettre)
        gouvernance_ = _gouvernance(org, admin, membre, lettre)
        seances = _seances(org, admin, lettre)
        avis = _avis(systeme, admin, lettre)
        _politique(org, admin, lettre)
        charte = _charte(org, admin, lettre)
        indicateurs_ = _indicateurs(org, admin, membre, lettre)
        formation = _formations(org, admin, systeme, lettre)
        regles = _regles_usage(org, admin, lettre)
        programme_ = _programme(org, admin, lettre)
        import_registre = _reprise(org, admin, lettre)
        mutualisation = _convention(org, admin, lettre)
        cas_usage = _cas_usage(systeme, admin, lettre)
        passerelle = _passerelle(org, admin, systeme, lettre)
        return {
            "cas_usage": cas_usage,
            **passerelle,
            **mutualisation,
            "import_registre": import_registre.pk,
            "charte": charte,
            **indicateurs_,
            **formation,
            **regles,
            **programme_,
            **effectifs,
            **gouvernance_,
            **seances,
            **avis,
            "systeme": systeme.pk,
            "document": document.pk,
            "adhesion": Adhesion.objects.get(utilisateur=membre).pk,
            "invitation": invitation.pk,
            "version": systeme.version,
            "instrument": instrument.pk,
            "evaluation": evaluation.pk,
            "consultation": consultation.pk,
            "groupe_codes": groupe_codes.pk,
            "obligation": obligation.pk,
            "jeton": jeton.pk,
            "rapport": instantane.rapport(org, admin).pk,
            "format_rapport": "pdf",
            "export": "registre",
            "format_export": "csv",
        }

    a, b = peupler(org_a, admin_a, systeme_a, "a"), peupler(org_b, admin_b, systeme_b, "b")
    a["depot"], b["depot"] = _depot(org_a, admin_a, "a"), _depot(org_b, admin_b, "b")
    return SimpleNamespace(
        a=a,
        b=b,
        slug_a=org_a.slug,
        slug_b=org_b.slug,
    )


def _passerelle(org, admin, systeme, lettre) -> dict:
    """Un fournisseur et un modèle au catalogue (rattaché au système existant), une conversation de
    l'administrateur et sa clé personnelle. Aucun appel au fournisseur : la conversation est écrite."""
    from balise.passerelle import quotas, services_catalogue
    from balise.passerelle import services as passerelle
    from balise.passerelle.models import Conversation, Message

    fournisseur = services_catalogue.ajouter_fournisseur(
        org, {"nom": f"Fournisseur secret {lettre}", "url_base": "http://127.0.0.1:9/v1", "hebergement": "france"}, "k", admin
    )  # fmt: skip
    modele = services_catalogue.ajouter_modele(
        org, fournisseur.pk, {"identifiant": "m", "libelle": f"Modèle de passerelle secret {lettre}"}, [], admin, systeme.pk
    )  # fmt: skip
    conversation = Conversation.objects.create(
        organisation=org, personne=admin, modele=modele, titre=f"Conversation secrète {lettre}"
    )
    Message.objects.create(conversation=conversation, role="user", contenu=f"Question secrète {lettre}")
    cle, _ = passerelle.emettre_cle(org, admin, f"Clé secrète {lettre}")
    quota = quotas.fixer(org, "service", f"Service secret {lettre}", 100, None, admin)
    return {
        "conversation_passerelle": conversation.pk,
        "cle_passerelle": cle.pk,
        "requete_sensible": _requete_sensible(modele, admin, lettre),
        "quota_passerelle": quota.pk,
        "fournisseur_passerelle": fournisseur.pk,
        "modele_passerelle": modele.pk,
    }


def _requete_sensible(modele, personne, lettre) -> int:
    """Une requête sensible au journal, son texte chiffré (comme la passerelle l'aurait gardé)."""
    from balise.passerelle import chiffrement
    from balise.passerelle.models import ContenuSensible, Requete

    requete = Requete.objects.create(
        organisation_id=modele.organisation_id, personne=personne, modele=modele, canal="page",
        le=timezone.now(), action="refuser", classes=["sensible"], types=["NIR"],
    )  # fmt: skip
    ContenuSensible.objects.create(
        requete=requete,
        chiffre=chiffrement.chiffrer(f"Texte sensible {lettre}"),
        garder_jusqu_au=date(2099, 1, 1),
    )
    return requete.pk


def _cas_usage(systeme, admin, lettre) -> int:
    """Le système partagé dans la bibliothèque des cas d'usage (un partage que seule l'organisation retire)."""
    from balise.bibliotheque import services as bibliotheque

    partage = bibliotheque.Partage(titre=f"Cas partagé {lettre}", finalite="Détecter les fuites.")
    return bibliotheque.partager(systeme, partage, admin).pk


def _convention(org, admin, lettre) -> dict:
    """Une convention signée entre une intercommunalité et l'organisation, un instrument et une session
    de formation que l'intercommunalité lui ouvre."""
    from balise.instruments import services as services_instruments
    from balise.mutualisation import modeles_partages, partages
    from balise.mutualisation import sessions as sessions_mutualisees

    agglo = fabrique.organisation(f"Agglomération {lettre}", slug=f"agglo-{lettre}", type="epci")
    admin_agglo = fabrique.membre(agglo, "administrateur", f"admin-agglo-{lettre}@exemple.fr")
    convention = services_mutualisation.proposer(
        agglo,
        org,
        admin_agglo,
        objet=f"Convention secrète {lettre}",
        role="lecteur",
        debut=date(2026, 1, 1),
        fin=None,
    )
    services_mutualisation.signer(org, convention.pk, convention.version, admin)
    nationale = _national("radar-decision")
    services_instruments.adapter(
        agglo, nationale, en_yaml(nationale.definition), admin_agglo, nationale.version
    )
    partage = partages.partager(agglo, "radar-decision", f"Partage secret {lettre}", admin_agglo)
    formations.initialiser_populations(agglo, admin_agglo)
    population = agglo.populations_formation.order_by("pk").first()
    session = formations.enregistrer_session(
        agglo,
        {
            "date": timezone.localdate() - timedelta(days=1),
            "palier": population.palier,
            "offre_catalogue": "cafe_ia",
            "offre": None,
        },
        [formations.Ligne(population.pk, 1)],
        admin_agglo,
    )
    ouverte = sessions_mutualisees.ouvrir(agglo, session.pk, admin_agglo)
    offre = formations.enregistrer_offre(
        agglo,
        {
            "titre": f"Offre mutualisée secrète {lettre}",
            "organisme": "Agglomération",
            "format": "atelier",
            "public": "Agents",
            "palier": "acculturation",
        },
        admin_agglo,
    )
    modele = modeles_partages.partager(
        agglo, "offre_formation", str(offre.pk), f"Modèle partagé secret {lettre}", admin_agglo
    )
    return {
        "convention": convention.pk,
        "instrument_partage": partage.pk,
        "session_ouverte": ouverte.pk,
        "modele_partage": modele.pk,
    }


def _gouvernance(org, admin, membre, lettre):
    """Une instance à collège, un membre de l'organisation et un membre externe qui y siègent, et une
    invitation à siéger en attente : propres à l'organisation."""
    instance = gouvernance.creer_instance(
        org,
        {"nom": f"Comité secret {lettre}", "mission": f"Mission secrète {lettre}", "nature": "consultative"},
        admin,
        colleges=[f"Collège secret {lettre}"],
    )
    college = instance.colleges.get()
    siege = gouvernance.nommer_membre(
        instance, membre.pk, admin, college_id=college.pk, qualite=f"Qualité secrète {lettre}"
    )
    externe = fabrique.membre(org, "externe", f"externe-{lettre}@exemple.fr")
    gouvernance.nommer_membre(instance, externe.pk, admin, college_id=college.pk)
    gouvernance.inviter_externe(instance, f"invite-siege-{lettre}@exemple.fr", admin, lambda i: "")
    return {"instance": instance.pk, "membre": siege.pk, "college": college.pk, "externe": externe.pk}


def _indicateurs(org, admin, membre, lettre):
    """Un indicateur dont le lecteur est responsable, une mesure hors cible et un point de revue."""
    objets = _indicateur(org, admin, membre, lettre)
    instance = Instance.objects.create(
        organisation=org, nom=f"Revue secrète {lettre}", mission="Revue.", nature="consultative"
    )
    seance = services_seances.programmer(instance, timezone.now(), 60, "Salle", admin)
    point = services_seances.ajouter_point(seance.pk, "indicateurs", admin)
    return {**objets, "point_revue": point.pk}


def _indicateur(org, admin, membre, lettre):
    """Un indicateur dont `membre` est responsable et sa mesure hors cible de la période en cours."""
    from balise.indicateurs import services as indicateurs

    i = indicateurs.creer_indicateur(
        org,
        {
            "objectif": f"Objectif secret {lettre}",
            "intitule": f"Indicateur secret {lettre}",
            "unite": "jours",
            "cible": "10",
            "sens": "au_plus",
            "frequence": "mensuelle",
            "responsable": membre.pk,
        },
        admin,
    )
    mesure = indicateurs.enregistrer_mesure(i, {"periode": timezone.localdate(), "valeur": "40"}, admin)
    return {"indicateur": i.pk, "mesure": mesure.pk}


def _seances(org, admin, lettre):
    """Une instance, une séance et un point libre dont le dossier est figé (sans passer par WeasyPrint)."""
    instance = Instance.objects.create(
        organisation=org, nom=f"Instance des séances {lettre}", mission="Avis.", nature="consultative"
    )
    seance = services_seances.programmer(instance, timezone.now(), 60, f"Salle secrète {lettre}", admin)
    point = services_seances.ajouter_point(seance.pk, "libre", admin, titre=f"Point secret {lettre}")
    point.dossier.save(f"point-{lettre}.pdf", ContentFile(b"%PDF-1.4 dossier secret"), save=True)
    return {"instance_seances": instance.pk, "seance": seance.pk, "point": point.pk}


def _evaluations(systeme, admin, lettre):
    """Une adaptation d'instrument, une évaluation cotée et commentée, une consultation et un groupe
    de codes dont l'un a servi : propres à l'organisation."""
    girouet = DefinitionInstrument.objects.get(organisation=None, code="girouet")
    texte = en_yaml(girouet.definition).replace(girouet.definition.titre, f"Girouet secret {lettre}", 1)
    instrument = instruments.adapter(systeme.organisation, girouet, texte, admin, 1)
    evaluation = instruments.demarrer_evaluation(systeme, instrument, "amont", admin)
    instruments.inviter_evaluateur(evaluation, admin, "direction", admin)
    instruments.coter(evaluation, admin, {"autonomie": Saisie(2, commentaire=f"Commentaire secret {lettre}")})
    questionnaire = DefinitionInstrument.objects.get(organisation=None, code="questionnaire-experimentation")
    consultation = instruments.ouvrir_consultation(systeme, questionnaire, "bilan", admin)
    feuille = instruments.creer_groupe_de_codes(consultation, f"Groupe de codes secret {lettre}", 5, admin)
    instruments.repondre_anonymement(consultation, {"gain_temps": Saisie(2)}, code=feuille.codes[0])
    return instrument, evaluation, consultation, feuille.groupe


def _effectifs(systeme, admin, lettre):
    """Un import d'effectifs (un libellé secret, à revoir), un métier propre, un groupe suivi et son action."""
    org = systeme.organisation
    contenu = "Nom;Métier;Catégorie\n" + f"X;Cueilleur secret {lettre};B\n" * 6 + "Y;Jardinier;C\n" * 6
    imp = travailleur.importer(
        org,
        admin,
        f"effectifs-{lettre}.csv",
        contenu.encode(),
        {"metier": "Métier", "categorie": "Catégorie"},
    )
    # Un second fichier lu, qui attend ses colonnes.
    lu = travailleur.deposer_et_lire(org, admin, f"lu-{lettre}.csv", contenu.encode())
    metier = metiers.enregistrer_metier(
        org,
        {
            "libelle": f"Cueilleur secret {lettre}",
            "isco08": "9211",
            "niveau": "Pas concernés",
            "justification": ".",
        },
        admin,
    )
    groupe = metiers.suivre_groupe(org, "Pas concernés", "categorie", "C", admin)
    action = metiers.enregistrer_action(
        groupe, {"nature": "formation", "titre": f"Action secrète {lettre}", "statut": "prevue"}, admin
    )
    return {
        "import": imp.pk,
        "lu": lu.pk,
        "metier_propre": metier.pk,
        "groupe": groupe.pk,
        "action": action.pk,
    }


def _avis(systeme, admin, lettre) -> dict:
    """Un comité consultatif, une séance, un point sur le système, son avis avec une réserve devenue
    condition, et une décision directe : propres à l'organisation (clés préfixées, objets créés ici)."""
    org = systeme.organisation
    instance = Instance.objects.create(
        organisation=org, nom=f"Comité des avis secret {lettre}", mission="Avis.", nature="consultative"
    )
    seance = Seance.objects.create(instance=instance, debut=timezone.now(), cree_par=admin)
    point = Point.objects.create(
        seance=seance,
        nature="porte",
        titre=f"Point des avis secret {lettre}",
        organisation=org,
        systeme=systeme,
    )
    echeance = timezone.localdate() + timedelta(days=30)
    avis = services_avis.rendre_avis(
        point,
        {"sens": "favorable_reserves", "motifs": f"Motifs secrets {lettre}"},
        [NouvelleCondition(f"Condition secrète {lettre}", admin, echeance)],
        admin,
    )
    decision = services_avis.prendre_decision(
        systeme, {"sens": "experimenter", "motifs": f"Décision secrète {lettre}"}, [], admin
    )
    return {
        "avis_point": point.pk,
        "avis": avis.pk,
        "decision": decision.pk,
        "condition": Condition.objects.get(avis=avis).pk,
    }


def _politique(org, admin, lettre) -> None:
    """Une politique des portes adaptée : le libellé d'un critère et le motif sont propres à l'organisation."""
    contenu = politique.en_donnees(politique.en_vigueur())
    radar = next(c for c in contenu["portes"]["experimentation"]["criteres"] if c["id"] == "radar_amont")
    radar["libelle"] = f"Radar secret {lettre}"
    services_politique.adapter_politique(org, contenu, f"Motif de politique secret {lettre}", admin, 0)


def _charte(org, admin, lettre, adoptee_avant: bool = False) -> int:
    """Une version brouillon de la charte, au titre propre à l'organisation ; avec `adoptee_avant`,
    une version adoptée (consultée, avec une ligne rouge) la précède : les règles d'usage la reprennent."""
    donnees = {"titre": f"Charte secrète {lettre}", "principes": ["sndgct/transparence"]}
    if adoptee_avant:
        seance = gf.seance(gf.instance(org, f"Comité social {lettre}"), gf.dans(7), admin)
        adoptee = chartes.composer(org, donnees | {"lignes_rouges": [f"Ligne rouge {lettre}"]}, admin)
        point = chartes.soumettre(adoptee.pk, seance.pk, 1, admin)
        services_avis.rendre_avis(point, {"sens": "favorable", "motifs": "Claire."}, [], admin)
        chartes.adopter(adoptee.pk, "deliberation", timezone.localdate(), 2, admin, deliberation_numero="D-1")
    return chartes.composer(org, donnees, admin).pk


def _formations(org, admin, systeme, lettre) -> dict:
    """Des populations (l'une liée au système), une offre propre et une session comptée : propres à
    l'organisation."""
    formations.initialiser_populations(org, admin)
    population = formations.enregistrer_population(
        org,
        {
            "titre": f"Population secrète {lettre}",
            "palier": "acculturation",
            "cible": 50,
            "effectif_saisi": 20,
        },
        admin,
        systemes=[systeme],
    )
    offre = formations.enregistrer_offre(
        org,
        {
            "titre": f"Offre secrète {lettre}",
            "organisme": "Interne",
            "format": "atelier",
            "public": "Agents",
            "palier": "acculturation",
        },
        admin,
    )
    session = formations.enregistrer_session(
        org,
        {
            "date": timezone.localdate() - timedelta(days=1),
            "palier": "acculturation",
            "offre_catalogue": "",
            "offre": offre,
            "commentaire": f"Session secrète {lettre}",
        },
        [formations.Ligne(population.pk, 3, f"Service secret {lettre}")],
        admin,
    )
    return {"population": population.pk, "offre_formation": offre.pk, "session_formation": session.pk}


def _regles_usage(org, admin, lettre) -> dict:
    """Des règles d'usage publiées (une règle propre secrète), l'information d'un service, une prise de
    connaissance, et le brouillon suivant (l'objet des adresses à identifiant)."""
    v = regles_usage.creer_brouillon(org, admin)
    regles = [*v.regles, {"sens": "faire", "texte": f"Règle secrète {lettre}"}]
    regles_usage.modifier_brouillon(org, v.pk, {"regles": regles}, admin, 1)
    regles_usage.publier(org, v.pk, admin, 2)
    regles_usage.enregistrer_information(
        org,
        {
            "service": f"Service secret {lettre}",
            "effectif_informe": 4,
            "date": timezone.localdate(),
            "moyen": "reunion",
        },
        admin,
    )
    regles_usage.prendre_connaissance(org, admin)
    return {"version_regles": regles_usage.creer_brouillon(org, admin).pk}


def _programme(org, admin, lettre) -> dict:
    """L'état d'une étape, une action de la feuille de route, une action de sensibilisation et une note
    de veille : propres à l'organisation."""
    programme.changer_etape(org, "diagnostic", "faite", f"Étape secrète {lettre}", 0, admin)
    action = programme.creer_action(
        org,
        {"intitule": f"Action du programme secrète {lettre}", "etape": "diagnostic", "responsable": admin},
        admin,
    )
    sensibilisation = programme.creer_sensibilisation(
        org,
        {"format": "cafe_ia", "intitule": f"Café secret {lettre}", "date": "2026-01-15"},
        {"agents": 9},
        admin,
    )
    note = programme.creer_note(
        org,
        {
            "date": "2026-01-10",
            "titre": f"Veille secrète {lettre}",
            "resume": "Résumé.",
            "source": "https://exemple.fr/veille",
            "etiquettes": f"étiquette secrète {lettre}",
        },
        admin,
    )
    return {
        "action_programme": action.pk,
        "etape": "diagnostic",
        "sensibilisation": sensibilisation.pk,
        "note_veille": note.pk,
    }


def _depot(org, admin, lettre) -> int:
    """Un fichier déposé dont la lecture attend le processus de fond (annulable), déposé après tout
    passage du processus de fond dans la fixture."""
    contenu = f"Nom;Métier\nX;Cueilleur secret {lettre}\n".encode()
    return metiers.deposer(org, admin, f"depot-{lettre}.csv", contenu).pk


def _reprise(org, admin, lettre) -> ImportRegistre:
    """Un registre repris d'un tableur, lu par le processus de fond, colonnes et valeurs choisies :
    prêt à confirmer (version 3)."""
    contenu = f"N°;Nom;Objectif;Service;Responsable\nR-1;Outil secret {lettre};Trier;Accueil;Mme A\n"
    imp = services_reprise.deposer(org, admin, f"registre-{lettre}.csv", contenu.encode())
    travailleur.executer_travaux()
    imp = ImportRegistre.objects.get(pk=imp.pk)
    imp = services_reprise.choisir_colonnes(imp, imp.colonnes, imp.version, admin)
    valeurs = {"domaine": "autre", "type_ia": "generative", "cible": "agents", "realisation": "interne"}
    return services_reprise.choisir_valeurs(
        imp, {**{c: {"": v} for c, v in valeurs.items()}, "hebergement": {"": "france"}}, imp.version, admin
    )


def _qualifier(systeme, admin):
    """Une qualification (le plus riche des cas d'école des règles) et une obligation à suivre."""
    regles = en_vigueur()
    cas = max(regles.cas, key=lambda c: len(c.obligations))
    conformite.qualifier(systeme, regles, cas.reponses, admin)
    return ObligationSuivie.objects.filter(systeme=systeme).order_by("pk").first()


def _adaptation_par_formulaire(definition) -> dict:
    """Le formulaire d'adaptation tel quel, un libellé changé, enregistré."""
    donnees = {"titre": definition.titre, "version": "1", "action": "enregistrer"}
    for section in definition.sections:
        donnees[f"section-{section.id}-titre"] = section.titre
        for item in section.items:
            donnees[f"item-{item.id}-libelle"] = item.libelle
            donnees[f"item-{item.id}-questions"] = "\n".join(item.questions)
    donnees["item-autonomie-libelle"] = "Autonomie des agents"
    return donnees


# Ce qu'envoie l'attaquant : des données qui suffiraient à modifier quoi que ce soit si l'accès était
# accordé (fiche, stade, publication, rôle, invitation, paramètres, document).
def _formulaire(version: int) -> dict:
    return {
        **fabrique.FICHE_MINIMALE,
        "nom": "Piraté",
        "type": "commune",
        "version": str(version),
        "vers": "etude",
        "motif": "intrusion",
        "publie": "0",
        "role": "administrateur",
        "email": "pirate@exemple.fr",
        "titre": "Piège",
        "fichier": instantane.pdf("piege.pdf"),
        "moment": "amont",
        "profil": "agent",
        "texte": "id: girouet\n",
        "note-autonomie": "4",
        "statut": "faite",
        "preuve_lien": "https://pirate.example/preuve",
        "libelle": "Piraté",
        "nombre": "5",
        "isco08": "4110",
        "niveau": "Concernés",
        "justification": "intrusion",
        "nature": "formation",
        "cible": "|",
        "note": "piratée",
        "metier": "Métier",
    }


def _corps_json(version: int, route: str) -> str:
    return json.dumps(
        {
            **fabrique.FICHE_MINIMALE,
            "nom": "Piraté",
            "version": version,
            "vers": "etude",
            "publie": False,
            # Instances de gouvernance : mission, nature, personne à nommer.
            "mission": "Piratée",
            "nature": "consultative",
            "utilisateur": 1,
            # Séances : date ; un point d'ordre du jour prend une autre nature (plus bas).
            "debut": "2031-03-10T14:00:00+01:00",
            # Gouvernance : un vote, un avis, une décision bien formés.
            "vote": "pour",
            "avis": "favorable",
            "decision": "abandonner",
            "motifs": "intrusion",
            # Politique des portes : un contenu (validé après le contrôle d'accès), son motif, la version lue.
            "contenu": {"portes": {}},
            "motif": "intrusion",
            "depuis_numero": 0,
            # Charte : une séance, une adoption bien formée ; des principes livrés pour composer (plus bas).
            "titre": "Piraté",
            "seance": 1,
            "mode_adoption": "direction",
            "adoptee_le": "2026-01-01",
            # Formation : une offre et une session bien formées.
            "organisme": "Pirate",
            "format": "atelier",
            "public_cible": "Agents",
            "palier": "acculturation",
            "date": "2020-01-01",
            "participants": [{"population": 1, "nombre": 1}],
            # Règles d'usage : l'information d'un service.
            "service": "Piraté",
            "effectif_informe": 5,
            "moyen": "reunion",
            # Programme : une action, l'état d'une étape, une sensibilisation, une note de veille.
            "intitule": "Piratée",
            "etape": "diagnostic",
            "etat": "faite",
            "resume": "Piège",
            "source": "https://pirate.example/",
            # Rapports : un genre et une année valides.
            "genre": "annuel",
            "annee": 2025,
        }
        | ({"nature": "libre"} if route.endswith("/points") else {})
        | ({"principes": ["sndgct/sobriete"]} if route.endswith("/charte/versions") else {})
        # Indicateurs : un indicateur (sa cible est un nombre) et une mesure bien formés.
        | (
            {
                "objectif": "Piraté",
                "unite": "jours",
                "cible": 1,
                "sens": "au_moins",
                "frequence": "annuelle",
                "responsable": 1,
                "periode": "2020-01-01",
                "valeur": 1,
            }
            if "/indicateurs" in route
            else {}
        )
        # Programme : un format de sensibilisation et des participants comptés par public.
        | (
            {"format": "cafe_ia", "participants": [{"public": "agents", "nombre": 1}]}
            if "/programme/" in route
            else {}
        )
        # Mutualisation : une demande de convention bien formée (une date, pas un horodatage), adressée
        # à l'intercommunalité de A (déjà signée : 409 pour A, le témoin), et le partage d'un portefeuille.
        | (
            {"mutualisante": "agglo-a", "objet": "Piratée", "role": "lecteur", "debut": "2026-01-01"}
            if route.endswith("/mutualisation/conventions")
            else {}
        )
        | ({"partage": False} if route.endswith("/partage-portefeuille") else {})
    )


def requete(client: Client, methode: str, url: str, route: str, version: int, jeton: str | None = None):
    entetes = {"authorization": f"Bearer {jeton}"} if jeton else {}
    if est_api(route):
        # Une requête bien formée (la version lue dans le corps, et dans l'adresse pour DELETE) : le
        # refus vient du cloisonnement, pas de la validation des données.
        url = f"{url}?version={version}" if methode == "DELETE" else url
        return client.generic(
            methode, url, _corps_json(version, route), content_type="application/json", headers=entetes
        )
    if methode == "POST":
        return client.post(url, _formulaire(version), headers=entetes)
    return client.generic(methode, url, headers=entetes)


SECRETS_A = [
    "Détection des fuites",
    "Document secret a",
    "membre-a@exemple.fr",
    "invite-a@exemple.fr",
    "Girouet secret a",
    "Commentaire secret a",
    "Cueilleur secret a",
    "Action secrète a",
    "effectifs-a.csv",
    "lu-a.csv",
    "depot-a.csv",
    "Jeton secret a",
    "Groupe de codes secret a",
    "Comité secret a",
    "Mission secrète a",
    "Collège secret a",
    "Qualité secrète a",
    "invite-siege-a@exemple.fr",
    "Point secret a",
    "Salle secrète a",
    "Motifs secrets a",
    "Condition secrète a",
    "Décision secrète a",
    "Point des avis secret a",
    "Comité des avis secret a",
    "Radar secret a",
    "Offre mutualisée secrète a",
    "Modèle partagé secret a",
    "Rapport secret commune-a",
    "Motif de politique secret a",
    "Charte secrète a",
    "Population secrète a",
    "Offre secrète a",
    "Session secrète a",
    "Règle secrète a",
    "Service secret a",
    "Étape secrète a",
    "Action du programme secrète a",
    "Café secret a",
    "Veille secrète a",
    "étiquette secrète a",
    "Indicateur secret a",
    "Objectif secret a",
    "Fournisseur secret a",
    "Modèle de passerelle secret a",
    "Conversation secrète a",
    "Question secrète a",
    "Clé secrète a",
    "Texte sensible a",
]


def _verifier_refus(client, route, url, monde, jeton=None):
    """Chaque méthode sur `url` est refusée (404/403 ; 405 si la méthode n'existe pas pour tous)."""
    anonyme = Client()
    avant = instantane.photo()  # chaque refus la laisse intacte : elle vaut pour la méthode suivante
    for methode in METHODES:
        reponse = requete(client, methode, url, route, monde.a["version"], jeton)
        if est_api(route):
            attendus = {403, 404} if methode in methodes_declarees(route) else {405}
        else:
            methode_refusee_a_tous = requete(anonyme, methode, url, route, 1).status_code == 405
            attendus = {405} if methode_refusee_a_tous else {403, 404}
        assert reponse.status_code in attendus, f"{methode} {url} → {reponse.status_code}"
        apres = instantane.photo()
        assert avant == apres, f"{methode} {url} a modifié : {instantane.differences(avant, apres)}"
        contenu = reponse.content.decode(errors="replace")
        for secret in SECRETS_A:
            assert secret not in contenu, f"{methode} {url} laisse voir « {secret} »"


# --- Classement des adresses : aucune ne doit échapper ----------------------------------------


def test_le_resolveur_liste_les_adresses_attendues():
    # Garde-fou : si le parcours du résolveur cassait, les tests paramétrés ne couvriraient plus rien.
    assert "o/<slug:slug>/registre/<int:pk>/" in ROUTES_PRIVEES
    assert "api/organisations/<slug>/systemes/<pk>" in ROUTES_PRIVEES
    assert len(ROUTES_PRIVEES) >= 20 and len(ROUTES_A_IDENTIFIANT) >= 12


def test_toute_adresse_sans_organisation_est_classee():
    sans_slug = [r for r in _routes() if not _prend_un_slug(r) and not r.startswith(PREFIXES_PUBLICS)]
    non_classees = [
        r
        for r in sans_slug
        if r not in ROUTES_HORS_ORGANISATION and not r.startswith(tuple(PREFIXES_HORS_ORGANISATION))
    ]
    assert not non_classees, f"Adresses à classer dans ROUTES_HORS_ORGANISATION : {non_classees}"
    disparues = set(ROUTES_HORS_ORGANISATION) - set(_routes())
    assert not disparues, f"Adresses classées qui n'existent plus : {disparues}"


@pytest.mark.parametrize("route", [r for r, c in ROUTES_HORS_ORGANISATION.items() if c == "exploitation"])
def test_les_adresses_d_exploitation_ne_s_ouvrent_a_aucun_compte(client, monde, admin_a, route):
    """Ni anonyme, ni session d'administrateur (même de l'instance), ni jeton d'API : 404."""
    url = "/" + route
    assert client.get(url).status_code == 404
    admin_a.is_superuser = admin_a.is_staff = True
    admin_a.save()
    client.force_login(admin_a)
    assert client.get(url).status_code == 404
    _, secret = JetonAPI.emettre(admin_a, "jeton de l'administrateur")
    assert Client().get(url, HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 404


@pytest.mark.parametrize("route", [r for r, c in ROUTES_HORS_ORGANISATION.items() if c == "instance"])
def test_les_adresses_de_l_instance_ne_s_ouvrent_qu_a_son_administrateur(client, admin_a, route):
    """Anonyme : vers la connexion ; administrateur d'une organisation : 403 ; rien n'est écrit."""
    from balise.organisations import services_adhesion

    demande = services_adhesion.demander(
        code="03080", prenom="Claire", nom="Martin", email="dgs@cognat.fr", fonction="DGS"
    )
    url = "/" + route.replace("<int:pk>", str(demande.pk))
    avant = instantane.photo()
    for methode in ("get", "post"):
        reponse = getattr(client, methode)(url, {"decision": "approuver"} if methode == "post" else None)
        assert reponse.status_code == 302 and "/comptes/connexion/" in reponse["Location"]
    client.force_login(admin_a)
    assert client.get(url).status_code == 403
    assert client.post(url, {"decision": "approuver"}).status_code == 403
    assert instantane.differences(avant, instantane.photo()) == []


def test_toute_adresse_avec_slug_est_classee_et_constructible():
    non_classees = [r for r in ROUTES_SLUG if not r.startswith(PREFIXES_PRIVES + PREFIXES_PUBLICS)]
    assert not non_classees, (
        f"Adresses prenant un identifiant d'organisation sans test de cloisonnement : {non_classees}"
    )
    objets = {
        "systeme": 1,
        "document": 2,
        "adhesion": 3,
        "invitation": 4,
        "uid": 5,
        "instrument": 6,
        "evaluation": 7,
        "consultation": 8,
        "groupe_codes": 14,
        "obligation": 9,
        "import": 10,
        "metier_propre": 11,
        "groupe": 12,
        "action": 13,
        "jeton": 14,
        "instance": 15,
        "membre": 16,
        "college": 17,
        "instance_seances": 18,
        "charte": 40,
        "seance": 19,
        "point": 20,
        "avis_point": 21,
        "avis": 22,
        "decision": 23,
        "condition": 24,
        "indicateur": 25,
        "point_revue": 26,
        "mesure": 31,
        "population": 27,
        "offre_formation": 28,
        "session_formation": 29,
        "version_regles": 30,
        "convention": 32,
        "instrument_partage": 33,
        "session_ouverte": 34,
        "modele_partage": 42,
        "cas_usage": 35,
        "conversation_passerelle": 43,
        "cle_passerelle": 44,
        "requete_sensible": 45,
        "quota_passerelle": 46,
        "fournisseur_passerelle": 47,
        "modele_passerelle": 48,
        "action_programme": 25,
        "sensibilisation": 25,
        "note_veille": 25,
        "etape": "diagnostic",
        "rapport": 25,
        "format_rapport": "pdf",
        "export": "registre",
        "format_export": "csv",
        "import_registre": 41,
    }
    for route in ROUTES_PRIVEES + ROUTES_PUBLIQUES:
        adresse(route, "x", objets)  # lève LookupError pour un paramètre inconnu
    for route in filter(est_api, ROUTES_PRIVEES):
        assert methodes_declarees(route), f"{route} absente du document OpenAPI"


# --- Le propriétaire atteint bien chaque adresse (sinon un 404 ne prouverait rien) --------------


def _chacun(elements, verifier) -> None:
    """Vérifie chaque élément (adresse, rôle) sur le même monde, chacun dans un point de sauvegarde
    annulé ensuite, caches vidés : ce qu'un élément écrit n'existe plus pour le suivant, et le monde,
    le plus coûteux à construire, ne l'est qu'une fois par test. Tous les écarts sont dits."""
    ecarts = []
    for element in elements:
        cache.clear()
        caches["partage"].clear()
        try:
            with transaction.atomic():
                try:
                    verifier(element)
                finally:
                    transaction.set_rollback(True)
        except AssertionError as erreur:
            ecarts.append(f"{element} : {erreur}")
    assert not ecarts, "\n".join(ecarts)


def test_temoin_le_proprietaire_atteint_chaque_adresse(monde, admin_a):
    """Sans ce témoin, un refus pour tous (404 d'une adresse mal construite) passerait pour du
    cloisonnement. L'administrateur de A écrit peut-être : chaque adresse dans son point de sauvegarde."""

    def atteindre(route):
        client = Client()
        client.force_login(admin_a)
        url = adresse(route, monde.slug_a, monde.a)
        for methode in ("GET", "POST"):
            with lectures_du_cache() as lues:
                reponse = requete(client, methode, url, route, monde.a["version"])
            statut = reponse.status_code
            assert statut != 404 and statut < 500, f"{methode} {url} → {statut} pour l'administrateur de A"
            exiger_la_marque(reponse, lues)

    _chacun(ROUTES_PRIVEES, atteindre)


# --- Une personne de B n'atteint rien de A --------------------------------------------------------


def test_membre_d_une_autre_organisation_par_session(client, monde, admin_b):
    client.force_login(admin_b)
    _chacun(ROUTES_PRIVEES, lambda r: _verifier_refus(client, r, adresse(r, monde.slug_a, monde.a), monde))


def test_membre_d_une_autre_organisation_par_jeton(monde, admin_b):
    _, secret = JetonAPI.emettre(admin_b, "jeton de B")
    _chacun(
        [r for r in ROUTES_PRIVEES if est_api(r)],
        lambda r: _verifier_refus(Client(), r, adresse(r, monde.slug_a, monde.a), monde, jeton=secret),
    )


def test_identifiants_de_a_sous_le_slug_de_b(client, monde, admin_b):
    """B est administrateur chez lui, mais les identifiants d'objets de A restent introuvables."""
    client.force_login(admin_b)
    _, secret = JetonAPI.emettre(admin_b, "jeton de B")

    def verifier(route):
        _verifier_refus(client, route, adresse(route, monde.slug_b, monde.a), monde)
        if est_api(route):
            _verifier_refus(Client(), route, adresse(route, monde.slug_b, monde.a), monde, jeton=secret)

    _chacun(ROUTES_A_IDENTIFIANT, verifier)


def test_personne_d_une_autre_organisation_n_annule_pas_une_lecture(client, monde, admin_b):
    """Le dépôt de A dont la lecture attend le processus de fond : ni son état ni son annulation ne sont
    atteignables depuis B, sous l'identifiant de A comme sous celui de B."""
    client.force_login(admin_b)
    for slug in (monde.slug_a, monde.slug_b):
        base = f"/o/{slug}/metiers/imports/{monde.a['depot']}/"
        avant = instantane.photo()
        assert client.get(base + "avancement.json").status_code == 404
        assert client.post(base + "annulation/").status_code == 404
        assert client.post(base + "relance/").status_code == 404
        assert instantane.photo() == avant
    assert (
        Travail.objects.get(pk=ImportEffectifs.objects.get(pk=monde.a["depot"]).travail_id).etat
        == "en_attente"
    )


def test_organisation_inexistante_et_personne_sans_organisation(client, monde):
    client.force_login(fabrique.utilisateur("sans-organisation@exemple.fr"))
    for route in ROUTES_PRIVEES:
        _verifier_refus(client, route, adresse(route, monde.slug_a, monde.a), monde)
        _verifier_refus(client, route, adresse(route, "n-existe-pas", monde.a), monde)


def test_liste_d_api_ne_montre_que_ses_organisations(monde, admin_b):
    _, secret = JetonAPI.emettre(admin_b, "jeton de B")
    reponse = Client().get("/api/organisations", headers={"authorization": f"Bearer {secret}"})
    assert reponse.status_code == 200
    assert [o["slug"] for o in reponse.json()] == [monde.slug_b]


# --- Personnes non connectées ----------------------------------------------------------------


def test_anonyme_redirige_vers_la_connexion_ou_401(monde):
    _chacun(ROUTES_PRIVEES, lambda route: _anonyme_refuse(route, monde))


def _anonyme_refuse(route, monde):
    client = Client()
    url = adresse(route, monde.slug_a, monde.a)
    avant = instantane.photo()  # chaque refus la laisse intacte : elle vaut pour la méthode suivante
    for methode in METHODES:
        reponse = requete(client, methode, url, route, monde.a["version"])
        if est_api(route):
            if methode in methodes_declarees(route):
                assert reponse.status_code == 401, f"{methode} {url} → {reponse.status_code}"
                assert reponse.json()["message"].startswith("Authentification requise")
            else:
                assert reponse.status_code == 405
        elif methode != "POST" and reponse.status_code == 405:
            pass  # page qui n'accepte que POST : refusée avant même de regarder qui demande
        else:
            assert reponse.status_code == 302, f"{methode} {url} → {reponse.status_code}"
            assert reponse["Location"].startswith("/comptes/connexion/?next=")
        assert instantane.photo() == avant


# --- Les rôles -----------------------------------------------------------------------------------

ADMIN, REFERENT, DPO, LECTEUR, COMITE, RH = "administrateur", "referent", "dpo", "lecteur", "comite", "rh"
RSSI, EXTERNE = "rssi", "externe"
# Les rôles des personnes de l'organisation (elles voient le registre) ; le membre externe d'une
# instance ne voit que les instances où il siège.
MEMBRES = [ADMIN, REFERENT, DPO, LECTEUR, COMITE, RH, RSSI]
ROLES = [*MEMBRES, EXTERNE]


class Scene(SimpleNamespace):
    pass


@pytest.fixture
def scene(org_a, admin_a, systeme_a):
    cible = fabrique.membre(org_a, LECTEUR, "cible@exemple.fr")
    jeton, _ = JetonAPI.emettre(cible, "script de la cible")
    document = instantane.document(systeme_a, admin_a)
    document_archive = services.archiver_document(
        instantane.document(systeme_a, admin_a, titre="Note archivée"), admin_a
    )
    invitation = Invitation.objects.create(
        organisation=org_a, email="invitee@exemple.fr", role=LECTEUR, invitee_par=admin_a
    )
    evaluation = instruments.demarrer_evaluation(systeme_a, _national("girouet"), "amont", admin_a)
    instruments.inviter_evaluateur(evaluation, admin_a, "direction", admin_a)
    instruments.coter(evaluation, admin_a, {"autonomie": Saisie(3)})
    consultation = instruments.ouvrir_consultation(
        systeme_a, _national("questionnaire-experimentation"), "bilan", admin_a
    )
    groupe_codes = instruments.creer_groupe_de_codes(consultation, "Service des eaux", 5, admin_a).groupe
    obligation = _qualifier(systeme_a, admin_a)
    effectifs = _effectifs(systeme_a, admin_a, "a")
    instance = gouvernance.creer_instance(
        org_a,
        {"nom": "Comité d'éthique", "mission": "Rendre des avis.", "nature": "consultative"},
        admin_a,
        colleges=["Élus", "Experts", "Collège vide"],
    )
    siege = gouvernance.nommer_membre(instance, admin_a.pk, admin_a, college_id=instance.colleges.first().pk)
    archivee = gouvernance.creer_instance(
        org_a, {"nom": "Ancien comité", "mission": "Avis.", "nature": "consultative"}, admin_a
    )
    gouvernance.archiver_instance(org_a, archivee.pk, 1, admin_a)
    return Scene(
        **effectifs,
        admin=admin_a,
        instance=instance,
        instance_archivee=archivee,
        membre_instance=siege,
        college=instance.colleges.get(nom="Experts"),
        college_vide=instance.colleges.get(nom="Collège vide"),
        **_avis(systeme_a, admin_a, "a"),
        import_registre=_reprise(org_a, admin_a, "a").pk,
        depot=_depot(org_a, admin_a, "a"),
        depot_registre=services_reprise.deposer(org_a, admin_a, "attente.csv", b"Nom;Objectif\nX;Y\n").pk,
        **_regles_usage(org_a, admin_a, "a"),
        **{
            c: v
            for c, v in _programme(org_a, admin_a, "a").items()
            if c in ("action_programme", "sensibilisation", "note_veille")
        },
        org=org_a,
        systeme=systeme_a,
        obligation=obligation,
        document=document,
        document_archive=document_archive,
        adhesion_cible=Adhesion.objects.get(utilisateur=cible),
        jeton=jeton,
        invitation=invitation,
        evaluation=evaluation,
        consultation=consultation,
        groupe_codes=groupe_codes,
        charte=_charte(org_a, admin_a, "a", adoptee_avant=True),
        rapport=instantane.rapport(org_a, admin_a).pk,
        **_indicateurs(org_a, admin_a, cible, "a"),
        **{
            c: v
            for c, v in _passerelle(org_a, admin_a, systeme_a, "a").items()
            if c in ("requete_sensible", "fournisseur_passerelle", "modele_passerelle")
        },
    )


def _national(code: str) -> DefinitionInstrument:
    return DefinitionInstrument.objects.get(organisation=None, code=code)


def _personne(org, role):
    return fabrique.membre(org, role, f"{role}-acteur@exemple.fr")


def _lecteurs_temoins(org, role, acteur) -> dict:
    """Qui relit les pages en cache autour d'une écriture (tests/fraicheur_pages.py) : son auteur,
    puis un lecteur, dont les droits et le nom diffèrent."""
    return {role: acteur, LECTEUR: fabrique.membre(org, LECTEUR, "lecteur-temoin@exemple.fr")}


def _fiche_formulaire(**champs):
    return {**fabrique.FICHE_MINIMALE, "version": "1", **champs}


# (nom, méthode, chemin relatif à /o/<slug>/, données, écrit-il ?, rôles autorisés)
ACTIONS_PAGES = [
    ("voir le registre", "GET", "registre/", None, False, MEMBRES),
    ("voir une fiche", "GET", "registre/{systeme}/", None, False, MEMBRES),
    ("télécharger un document", "GET", "registre/{systeme}/documents/{document}/", None, False, MEMBRES),
    ("ouvrir le formulaire de création", "GET", "registre/nouveau/", None, False, [ADMIN, REFERENT, DPO]),
    (
        "créer une fiche",
        "POST",
        "registre/nouveau/",
        lambda: _fiche_formulaire(nom="Nouvelle"),
        True,
        [ADMIN, REFERENT, DPO],
    ),
    (
        "modifier une fiche",
        "POST",
        "registre/{systeme}/modifier/",
        lambda: _fiche_formulaire(nom="Renommée"),
        True,
        [ADMIN, REFERENT, DPO],
    ),
    (
        "déposer un document",
        "POST",
        "registre/{systeme}/documents/",
        lambda: {"titre": "t", "fichier": instantane.pdf()},
        True,
        [ADMIN, REFERENT, DPO],
    ),
    (
        "archiver un document",
        "POST",
        "registre/{systeme}/documents/{document}/archivage/",
        dict,
        True,
        [ADMIN, REFERENT, DPO],
    ),
    (
        "changer de stade",
        "POST",
        "registre/{systeme}/stade/",
        lambda: {"vers": "etude", "version": "1"},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "publier",
        "POST",
        "registre/{systeme}/publication/",
        lambda: {"publie": "1", "version": "1"},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "confirmer la restauration d'un document",
        "GET",
        "registre/{systeme}/documents/{document_archive}/restauration/",
        None,
        False,
        [ADMIN, REFERENT, DPO],
    ),
    (
        "restaurer un document",
        "POST",
        "registre/{systeme}/documents/{document_archive}/restauration/",
        dict,
        True,
        [ADMIN, REFERENT, DPO],
    ),
    ("archiver une fiche", "POST", "registre/{systeme}/archivage/", lambda: {"version": "1"}, True, [ADMIN]),
    ("voir le journal", "GET", "journal/", None, False, [ADMIN]),
    ("voir les membres", "GET", "membres/", None, False, [ADMIN]),
    ("inviter", "POST", "membres/", lambda: {"email": "nouvelle@exemple.fr", "role": ADMIN}, True, [ADMIN]),
    ("changer un rôle", "POST", "membres/{adhesion}/role/", lambda: {"role": ADMIN}, True, [ADMIN]),
    ("retirer un membre", "POST", "membres/{adhesion}/retrait/", dict, True, [ADMIN]),
    ("annuler une invitation", "POST", "invitations/{invitation}/annulation/", dict, True, [ADMIN]),
    ("voir les instruments", "GET", "instruments/", None, False, MEMBRES),
    ("voir le guide des instruments", "GET", "instruments/guide/", None, False, MEMBRES),
    (
        "ouvrir l'adaptation d'un instrument",
        "GET",
        "instruments/{girouet}/adaptation/",
        None,
        False,
        [ADMIN, REFERENT],
    ),
    (
        "adapter un instrument par formulaire",
        "POST",
        "instruments/{girouet}/adaptation/",
        lambda: _adaptation_par_formulaire(_national("girouet").definition),
        True,
        [ADMIN, REFERENT],
    ),
    ("voir les évaluations d'un système", "GET", "registre/{systeme}/evaluations/", None, False, MEMBRES),
    ("voir une évaluation", "GET", "evaluations/{evaluation}/", None, False, MEMBRES),
    ("voir un questionnaire", "GET", "consultations/{consultation}/", None, False, MEMBRES),
    ("télécharger le dossier PDF", "GET", "registre/{systeme}/dossier.pdf", None, False, MEMBRES),
    (
        "ouvrir une évaluation",
        "POST",
        "registre/{systeme}/evaluations/nouvelle/",
        lambda: {"evaluation-choix": f"{_national('girouet').pk}:amont", "evaluation-profil": "direction"},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "inviter à coter",
        "POST",
        "evaluations/{evaluation}/evaluateurs/",
        lambda: {
            "utilisateur": Adhesion.objects.get(utilisateur__email="cible@exemple.fr").utilisateur_id,
            "profil": "agent",
        },
        True,
        [ADMIN, REFERENT],
    ),
    (
        "réévaluer",
        "POST",
        "evaluations/{evaluation}/reevaluation/",
        lambda: {"moment": "bilan"},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "finaliser une évaluation",
        "POST",
        "evaluations/{evaluation}/finalisation/",
        dict,
        True,
        [ADMIN, REFERENT],
    ),
    (
        "adapter un instrument",
        "POST",
        "instruments/{girouet}/adapter/",
        lambda: {
            "texte": en_yaml(_national("girouet").definition).replace(
                "titre: Girouet", "titre: Notre girouet", 1
            ),
            "version": "1",
        },
        True,
        [ADMIN, REFERENT],
    ),
    (
        "ouvrir un questionnaire aux agents",
        "POST",
        "registre/{systeme}/consultations/nouvelle/",
        lambda: {
            "consultation-instrument": _national("questionnaire-experimentation").pk,
            "consultation-moment": "bilan",
            "consultation-mode": "codes",
        },
        True,
        [ADMIN, REFERENT],
    ),
    (
        "voir le QR code d'un questionnaire",
        "GET",
        "consultations/{consultation}/qr.svg",
        None,
        False,
        [ADMIN, REFERENT],
    ),
    (
        "générer les codes d'un groupe d'agents",
        "POST",
        "consultations/{consultation}/codes/",
        lambda: {"libelle": "Accueil", "nombre": "5"},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "ajouter des codes à un groupe",
        "POST",
        "consultations/{consultation}/codes/{groupe_codes}/",
        lambda: {f"groupe-{GroupeCodes.objects.get(libelle='Service des eaux').pk}-nombre": "5"},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "retirer les codes non utilisés d'un groupe",
        "POST",
        "consultations/{consultation}/codes/{groupe_codes}/retrait/",
        dict,
        True,
        [ADMIN, REFERENT],
    ),
    (
        "clore un questionnaire",
        "POST",
        "consultations/{consultation}/fermeture/",
        dict,
        True,
        [ADMIN, REFERENT],
    ),
    ("voir la qualification", "GET", "registre/{systeme}/qualification/", None, False, MEMBRES),
    ("voir les obligations", "GET", "obligations/", None, False, MEMBRES),
    ("voir une obligation", "GET", "obligations/{obligation}/", None, False, MEMBRES),
    (
        "ouvrir le questionnaire de qualification",
        "GET",
        "registre/{systeme}/qualification/questionnaire/",
        None,
        False,
        [ADMIN, REFERENT, DPO],
    ),
    (
        "mettre à jour une obligation",
        "POST",
        "obligations/{obligation}/",
        lambda: {"statut": "faite", "version": "1", "preuve_lien": "https://exemple.fr/aipd"},
        True,
        [ADMIN, REFERENT, DPO],
    ),
    # Fichier portable d'un système (registre/vues_portable.py) : qui lit la fiche l'exporte, qui peut
    # déclarer l'importe (un nouveau système, tiré ici de l'export d'une fiche existante).
    ("exporter le fichier portable", "GET", "registre/{systeme}/portable.json", None, False, MEMBRES),
    (
        "ouvrir l'import d'un fichier portable",
        "GET",
        "registre/importer-portable/",
        None,
        False,
        [ADMIN, REFERENT, DPO],
    ),
    (
        "importer un fichier portable",
        "POST",
        "registre/importer-portable/",
        lambda: {
            "fichier": SimpleUploadedFile(
                "s.json", portable.en_json(SystemeIA.objects.order_by("pk").first()), "application/json"
            ),
            "responsable": "Claire Petit, DGS",
        },
        True,
        [ADMIN, REFERENT, DPO],
    ),
    # Reprise d'un registre tenu dans un tableur (registre/vues_reprise.py) : qui peut déclarer.
    ("ouvrir l'import d'un registre", "GET", "registre/importer/", None, False, [ADMIN, REFERENT, DPO]),
    (
        "déposer un registre (tableur)",
        "POST",
        "registre/importer/",
        lambda: {"fichier": SimpleUploadedFile("r.csv", b"Nom;Objectif\nOutil;Trier\n")},
        True,
        [ADMIN, REFERENT, DPO],
    ),
    (
        "voir un import du registre",
        "GET",
        "registre/importations/{import_registre}/",
        None,
        False,
        [ADMIN, REFERENT, DPO],
    ),
    (
        "voir l'avancement de la lecture d'un registre",
        "GET",
        "registre/importations/{depot_registre}/avancement/",
        None,
        False,
        [ADMIN, REFERENT, DPO],
    ),
    (
        "lire l'état de la lecture d'un registre (JSON)",
        "GET",
        "registre/importations/{depot_registre}/avancement.json",
        None,
        False,
        [ADMIN, REFERENT, DPO],
    ),
    (
        "annuler la lecture d'un registre",
        "POST",
        "registre/importations/{depot_registre}/annulation/",
        dict,
        True,
        [ADMIN, REFERENT, DPO],
    ),
    (
        "ouvrir les colonnes d'un import du registre",
        "GET",
        "registre/importations/{import_registre}/colonnes/",
        None,
        False,
        [ADMIN, REFERENT, DPO],
    ),
    (
        "choisir les colonnes d'un import du registre",
        "POST",
        "registre/importations/{import_registre}/colonnes/",
        lambda: {
            "nom": "Nom",
            "finalite": "Objectif",
            "service": "Service",
            "responsable": "Responsable",
            "version": "3",
        },
        True,
        [ADMIN, REFERENT, DPO],
    ),
    (
        "voir l'aperçu d'un import du registre",
        "GET",
        "registre/importations/{import_registre}/apercu/",
        None,
        False,
        [ADMIN, REFERENT, DPO],
    ),
    (
        "corriger les valeurs d'un import du registre",
        "POST",
        "registre/importations/{import_registre}/apercu/",
        lambda: {"version": "3", "domaine-0": "rh"},
        True,
        [ADMIN, REFERENT, DPO],
    ),
    (
        "confirmer un import du registre",
        "POST",
        "registre/importations/{import_registre}/confirmation/",
        lambda: {"version": "3"},
        True,
        [ADMIN, REFERENT, DPO],
    ),
    (
        "ouvrir la suppression d'un import du registre",
        "GET",
        "registre/importations/{import_registre}/suppression/",
        None,
        False,
        [ADMIN, REFERENT, DPO],
    ),
    (
        "supprimer un import abandonné du registre",
        "POST",
        "registre/importations/{import_registre}/suppression/",
        lambda: {"version": "3"},
        True,
        [ADMIN, REFERENT, DPO],
    ),
    ("voir l'impact sur les métiers", "GET", "metiers/", None, False, MEMBRES),
    ("voir le référentiel des métiers", "GET", "metiers/referentiel/", None, False, MEMBRES),
    ("voir les résultats d'un import", "GET", "metiers/imports/{import}/", None, False, MEMBRES),
    ("exporter les résultats (CSV)", "GET", "metiers/imports/{import}/export.csv", None, False, MEMBRES),
    ("exporter les résultats (XLSX)", "GET", "metiers/imports/{import}/export.xlsx", None, False, MEMBRES),
    ("voir un groupe suivi", "GET", "metiers/groupes/{groupe}/", None, False, MEMBRES),
    ("revoir les libellés", "GET", "metiers/imports/{import}/revue/", None, False, [ADMIN, RH]),
    ("voir les lignes écartées", "GET", "metiers/imports/{import}/rejets/", None, False, [ADMIN, RH]),
    (
        "déposer un tableau des effectifs",
        "POST",
        "metiers/imports/nouveau/",
        lambda: {"fichier": SimpleUploadedFile("e.csv", b"Metier\nJardinier\n")},
        True,
        [ADMIN, RH],
    ),
    (
        "rattacher un libellé",
        "POST",
        "metiers/imports/{import}/revue/",
        lambda: {f"l-{LibelleImporte.objects.get(libelle='Cueilleur secret a').pk}": "Jardinier-ère"},
        True,
        [ADMIN, RH],
    ),
    ("effacer un import", "POST", "metiers/imports/{import}/supprimer/", dict, True, [ADMIN, RH]),
    (
        "voir l'avancement d'une lecture",
        "GET",
        "metiers/imports/{depot}/avancement/",
        None,
        False,
        [ADMIN, RH],
    ),
    (
        "lire l'état d'une lecture (JSON)",
        "GET",
        "metiers/imports/{depot}/avancement.json",
        None,
        False,
        [ADMIN, RH],
    ),
    ("annuler une lecture", "POST", "metiers/imports/{depot}/annulation/", dict, True, [ADMIN, RH]),
    ("relancer une lecture", "POST", "metiers/imports/{depot}/relance/", dict, False, [ADMIN, RH]),
    (
        "choisir les colonnes et lancer le traitement",
        "POST",
        "metiers/imports/{lu}/colonnes/",
        lambda: {"metier": "Métier"},
        True,
        [ADMIN, RH],
    ),
    (
        "ajouter un métier propre",
        "POST",
        "metiers/referentiel/metiers/nouveau/",
        lambda: {"libelle": "Ajouté", "isco08": "9999", "niveau": "Concernés", "justification": "."},
        True,
        [ADMIN, RH],
    ),
    (
        "retirer un métier propre",
        "POST",
        "metiers/referentiel/metiers/{metier_propre}/retirer/",
        dict,
        True,
        [ADMIN, RH],
    ),
    (
        "suivre un groupe",
        "POST",
        "metiers/groupes/suivre/",
        lambda: {"niveau": "Concernés", "cible": "categorie|B"},
        True,
        [ADMIN, RH],
    ),
    (
        "relier un groupe aux systèmes",
        "POST",
        "metiers/groupes/{groupe}/",
        lambda: {
            "version": "1",
            "systemes": [SystemeIA.objects.get(nom="Détection des fuites").pk],
            "note": "n",
        },
        True,
        [ADMIN, RH],
    ),
    (
        "inscrire une action",
        "POST",
        "metiers/groupes/{groupe}/actions/nouvelle/",
        lambda: {"nature": "formation", "titre": "Former", "statut": "prevue"},
        True,
        [ADMIN, RH],
    ),
    (
        "modifier une action",
        "POST",
        "metiers/actions/{action}/",
        lambda: {"nature": "formation", "titre": "Former", "statut": "realisee", "version": "1"},
        True,
        [ADMIN, RH],
    ),
    ("voir un point de séance", "GET", "points/{avis_point}/", None, False, ROLES),
    ("voir les conditions", "GET", "conditions/", None, False, MEMBRES),
    ("voir une décision", "GET", "decisions/{decision}/", None, False, MEMBRES),
    (
        "faire avancer une condition",
        "POST",
        "conditions/{condition}/",
        lambda: {"statut": "en_cours", "echeance": "2030-01-01", "version": "1"},
        True,
        [ADMIN, REFERENT, DPO],
    ),
    (
        "enregistrer une décision",
        "POST",
        "registre/{systeme}/decisions/nouvelle/",
        lambda: {
            "sens": "poursuivre",
            "motifs": "Bilan favorable",
            "decidee_le": "2026-03-01",
            "conditions-TOTAL_FORMS": "1",
            "conditions-INITIAL_FORMS": "0",
            "conditions-0-intitule": "Bilan à six mois",
            "conditions-0-echeance": "2026-09-01",
        },
        True,
        [ADMIN, REFERENT],
    ),
    (
        "corriger un avis",
        "POST",
        "avis/{avis}/",
        lambda: {
            "sens": "favorable_reserves",
            "motifs": "Motifs corrigés",
            "version": "1",
            "conditions-TOTAL_FORMS": "0",
            "conditions-INITIAL_FORMS": "0",
        },
        True,
        [ADMIN, REFERENT],
    ),
    ("voir les jetons d'API des membres", "GET", "jetons/", None, False, [ADMIN]),
    ("révoquer le jeton d'un membre", "POST", "jetons/{jeton}/revocation/", dict, True, [ADMIN]),
    ("voir les instances", "GET", "instances/", None, False, ROLES),
    ("voir une instance", "GET", "instances/{instance}/", None, False, ROLES),
    ("voir l'historique d'une instance", "GET", "instances/{instance}/historique/", None, False, ROLES),
    ("ouvrir la création d'une instance", "GET", "instances/nouvelle/", None, False, [ADMIN, REFERENT]),
    (
        "créer une instance",
        "POST",
        "instances/nouvelle/",
        lambda: {
            "nom": "Comité de pilotage",
            "mission": "Coordonner.",
            "nature": "decisionnelle",
            "quorum_pourcent": "50",
            "regle_vote": "majorite_simple",
            "colleges": "Direction\nMétiers",
        },
        True,
        [ADMIN, REFERENT],
    ),
    (
        "modifier une instance",
        "POST",
        "instances/{instance}/modifier/",
        lambda: {
            "nom": "Comité renommé",
            "mission": "Rendre des avis.",
            "nature": "consultative",
            "quorum_pourcent": "60",
            "regle_vote": "consensus",
            "version": "1",
        },
        True,
        [ADMIN, REFERENT],
    ),
    (
        "voir la composition d'une instance",
        "GET",
        "instances/{instance}/composition/",
        None,
        False,
        [ADMIN, REFERENT],
    ),
    (
        "nommer un membre d'instance",
        "POST",
        "instances/{instance}/composition/",
        lambda: {
            "utilisateur": Adhesion.objects.get(utilisateur__email="cible@exemple.fr").utilisateur_id,
            "fonction": "secretaire",
        },
        True,
        [ADMIN, REFERENT],
    ),
    (
        "inviter un membre externe",
        "POST",
        "instances/{instance}/invitations/",
        lambda: {
            "externe-email": "experte@exemple.fr",
            "externe-fonction": "membre",
            "externe-qualite": "Juriste",
        },
        True,
        [ADMIN, REFERENT],
    ),
    (
        "ouvrir la modification d'un membre d'instance",
        "GET",
        "instances/{instance}/membres/{membre_instance}/",
        None,
        False,
        [ADMIN, REFERENT],
    ),
    (
        "modifier un membre d'instance",
        "POST",
        "instances/{instance}/membres/{membre_instance}/",
        lambda: {"version": "1", "fonction": "secretaire", "college": "", "qualite": "Juriste"},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "retirer un membre d'instance",
        "POST",
        "instances/{instance}/membres/{membre_instance}/retrait/",
        lambda: {"version": "1"},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "ajouter un collège",
        "POST",
        "instances/{instance}/colleges/",
        lambda: {"college-nom": "Société civile"},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "renommer un collège",
        "POST",
        "instances/{instance}/colleges/{college}/",
        lambda: {"nom": "Experts extérieurs"},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "retirer un collège",
        "POST",
        "instances/{instance}/colleges/{college_vide}/retrait/",
        dict,
        True,
        [ADMIN, REFERENT],
    ),
    (
        "archiver une instance",
        "POST",
        "instances/{instance}/archivage/",
        lambda: {"version": "1"},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "restaurer une instance",
        "POST",
        "instances/{instance_archivee}/restauration/",
        lambda: {"version": "2"},
        True,
        [ADMIN, REFERENT],
    ),
    ("voir la politique des portes", "GET", "politique-portes/", None, False, MEMBRES),
    ("ouvrir l'adaptation des portes", "GET", "politique-portes/adapter/", None, False, [ADMIN, REFERENT]),
    (
        "adapter la politique des portes",
        "POST",
        "politique-portes/adapter/",
        lambda: {
            **{
                k: v
                for k, v in fabrique.saisie_politique().items()
                if k != "experimentation.radar_amont.garder"
            },
            "motif": "Sans radar.",
            "action": "enregistrer",
        },
        True,
        [ADMIN, REFERENT],
    ),
    ("voir la charte", "GET", "charte/", None, False, MEMBRES),
    ("voir les jeux de principes", "GET", "charte/principes/", None, False, MEMBRES),
    ("voir une version de la charte", "GET", "charte/versions/{charte}/", None, False, MEMBRES),
    ("ouvrir la composition de la charte", "GET", "charte/composer/", None, False, [ADMIN, REFERENT]),
    (
        "composer une charte",
        "POST",
        "charte/composer/",
        lambda: {"titre": "Charte", "principes": ["sndgct/sobriete"]},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "modifier une version de la charte",
        "POST",
        "charte/versions/{charte}/modifier/",
        lambda: {"titre": "Charte modifiée", "principes": "Transparence", "version": "1"},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "reprendre une version de la charte",
        "POST",
        "charte/versions/{charte}/reprendre/",
        dict,
        True,
        [ADMIN, REFERENT],
    ),
    # Indicateurs (balise/indicateurs) : lire, définir, modifier et archiver (PILOTER_PROGRAMME) ; corriger
    # une mesure : le pilotage, ou la personne responsable de l'indicateur (ici aucun des acteurs).
    ("voir les indicateurs", "GET", "indicateurs/", None, False, MEMBRES),
    ("voir un indicateur", "GET", "indicateurs/{indicateur}/", None, False, MEMBRES),
    (
        "ouvrir la modification d'un indicateur",
        "GET",
        "indicateurs/{indicateur}/modifier/",
        None,
        False,
        [ADMIN, REFERENT],
    ),
    (
        "modifier un indicateur",
        "POST",
        "indicateurs/{indicateur}/modifier/",
        lambda: {
            "objectif": "Objectif revu",
            "intitule": "Indicateur revu",
            "unite": "jours",
            "cible": "12,5",
            "sens": "au_plus",
            "frequence": "trimestrielle",
            "responsable": str(Adhesion.objects.get(utilisateur__email="cible@exemple.fr").utilisateur_id),
            "version": "1",
        },
        True,
        [ADMIN, REFERENT],
    ),
    (
        "archiver un indicateur",
        "POST",
        "indicateurs/{indicateur}/archiver/",
        lambda: {"version": "1", "confirmer": "oui"},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "ouvrir la correction d'une mesure",
        "GET",
        "indicateurs/{indicateur}/mesures/{mesure}/modifier/",
        None,
        False,
        [ADMIN, REFERENT],
    ),
    (
        "corriger une mesure",
        "POST",
        "indicateurs/{indicateur}/mesures/{mesure}/modifier/",
        lambda: {"valeur": "8", "commentaire": "Erreur de saisie.", "version": "1"},
        True,
        [ADMIN, REFERENT],
    ),
    # Règles d'usage (balise/regles_usage) : lire, composer et publier (PILOTER_PROGRAMME), informer un
    # service (GERER_FORMATIONS). Exception : prendre connaissance des règles est une écriture permise à
    # tout membre qui voit le registre, lecteur et comité compris — chacun n'écrit que sa propre prise
    # de connaissance (une fois par version), rien d'autre de l'organisation.
    ("voir les règles d'usage", "GET", "regles-usage/", None, False, MEMBRES),
    ("voir une version des règles", "GET", "regles-usage/{version_regles}/", None, False, MEMBRES),
    ("télécharger les règles (PDF)", "GET", "regles-usage/{version_regles}/regles.pdf", None, False, MEMBRES),
    ("voir l'information des agents", "GET", "regles-usage/information/", None, False, MEMBRES),
    (
        "composer les règles",
        "POST",
        "regles-usage/{version_regles}/",
        lambda: {"version": "1", "titre": "Nos règles"},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "reprendre les lignes rouges de la charte",
        "POST",
        "regles-usage/{version_regles}/reprise-charte/",
        lambda: {"version": "1"},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "publier les règles",
        "POST",
        "regles-usage/{version_regles}/publication/",
        lambda: {"version": "1"},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "enregistrer l'information d'un service",
        "POST",
        "regles-usage/information/",
        lambda: {
            "service": "Accueil",
            "effectif_informe": "3",
            "date": timezone.localdate().isoformat(),
            "moyen": "affichage",
        },
        True,
        [ADMIN, REFERENT, RH],
    ),
    ("prendre connaissance des règles", "POST", "regles-usage/prise-de-connaissance/", dict, True, MEMBRES),
    ("voir le programme", "GET", "programme/", None, False, MEMBRES),
    ("voir une étape du programme", "GET", "programme/etapes/diagnostic/", None, False, MEMBRES),
    (
        "fixer l'état d'une étape",
        "POST",
        "programme/etapes/acculturation/",
        lambda: {"etat": "en_cours", "version": "0"},
        True,
        [ADMIN, REFERENT],
    ),
    ("voir une action du programme", "GET", "programme/actions/{action_programme}/", None, False, MEMBRES),
    (
        "modifier une action du programme",
        "POST",
        "programme/actions/{action_programme}/",
        lambda: {
            "intitule": "Renommée",
            "etape": "diagnostic",
            "priorite": "haute",
            "etat": "en_cours",
            "version": "1",
        },
        True,
        [ADMIN, REFERENT],
    ),
    ("ouvrir la création d'une action", "GET", "programme/actions/nouvelle/", None, False, [ADMIN, REFERENT]),
    (
        "ajouter une action au programme",
        "POST",
        "programme/actions/nouvelle/",
        lambda: {"intitule": "Nouvelle", "etape": "experimentation", "priorite": "basse", "etat": "a_faire"},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "enregistrer une sensibilisation",
        "POST",
        "programme/sensibilisation/nouvelle/",
        lambda: {"format": "webinaire", "intitule": "Webinaire", "date": "2026-02-01", "public_elus": "4"},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "ajouter une note de veille",
        "POST",
        "programme/veille/nouvelle/",
        lambda: {"date": "2026-02-01", "titre": "Note", "resume": "R.", "source": "https://exemple.fr/n"},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "ouvrir la correction d'une sensibilisation",
        "GET",
        "programme/sensibilisation/{sensibilisation}/",
        None,
        False,
        [ADMIN, REFERENT],
    ),
    (
        "corriger une sensibilisation",
        "POST",
        "programme/sensibilisation/{sensibilisation}/",
        lambda: {
            "format": "webinaire",
            "intitule": "Corrigée",
            "date": "2026-01-16",
            "public_agents": "11",
            "version": "1",
        },
        True,
        [ADMIN, REFERENT],
    ),
    (
        "supprimer une sensibilisation",
        "POST",
        "programme/sensibilisation/{sensibilisation}/suppression/",
        lambda: {"version": "1"},
        True,
        [ADMIN, REFERENT],
    ),
    (
        "ouvrir la correction d'une note de veille",
        "GET",
        "programme/veille/{note_veille}/",
        None,
        False,
        [ADMIN, REFERENT],
    ),
    (
        "corriger une note de veille",
        "POST",
        "programme/veille/{note_veille}/",
        lambda: {
            "date": "2026-01-11",
            "titre": "Corrigée",
            "resume": "R.",
            "source": "https://exemple.fr/corrigee",
            "version": "1",
        },
        True,
        [ADMIN, REFERENT],
    ),
    (
        "supprimer une note de veille",
        "POST",
        "programme/veille/{note_veille}/suppression/",
        lambda: {"version": "1"},
        True,
        [ADMIN, REFERENT],
    ),
    # Rapports et exports (balise/rapports) : lire et télécharger avec VOIR_REGISTRE, produire avec
    # PRODUIRE_RAPPORTS (administrateur, référent, DRH).
    ("voir les rapports et exports", "GET", "rapports/", None, False, MEMBRES),
    ("télécharger un rapport (DOCX)", "GET", "rapports/{rapport}/docx/", None, False, MEMBRES),
    ("exporter le registre (CSV)", "GET", "exports/registre.csv", None, False, MEMBRES),
    ("exporter les obligations (ODS)", "GET", "exports/obligations.ods", None, False, MEMBRES),
    ("exporter les conditions (XLSX)", "GET", "exports/conditions.xlsx", None, False, MEMBRES),
    (
        "produire un rapport",
        "POST",
        "rapports/production/",
        lambda: {"genre": "dialogue_social", "annee": str(timezone.localdate().year - 1)},
        True,
        [ADMIN, REFERENT, RH],
    ),
    ("voir les paramètres", "GET", "parametres/", None, False, [ADMIN]),
    (
        "modifier les paramètres",
        "POST",
        "parametres/",
        lambda: {"nom": "Rebaptisée", "type": "commune", "seuil_secret": "5", "version": "1"},
        True,
        [ADMIN],
    ),
    # Le logo (balise/organisations/logos.py) : son retrait, qui suppose un logo, est vérifié par rôle
    # dans tests/test_logo.py.
    (
        "déposer le logo",
        "POST",
        "parametres/logo/",
        lambda: {
            "fichier": SimpleUploadedFile("logo.png", fabrique.image(taille=(300, 100)), "image/png"),
            "version": "1",
        },
        True,
        [ADMIN],
    ),
    # Passerelle d'IA générative : tous les membres (pas l'externe) conversent ; le catalogue se lit comme
    # le registre et se tient par l'administrateur, le référent (DSI) et le RSSI ; les requêtes
    # sensibles se lisent par le DPO et le RSSI.
    ("ouvrir l'assistant IA", "GET", "passerelle/", None, False, MEMBRES),
    ("lire le catalogue des modèles", "GET", "passerelle/catalogue/", None, False, MEMBRES),
    ("lire l'usage de la passerelle", "GET", "passerelle/usage/", None, False, MEMBRES),
    (
        "lire l'usage d'une fiche par la passerelle",
        "GET",
        "passerelle/usage/fiches/{systeme}/",
        None,
        False,
        MEMBRES,
    ),
    ("voir les requêtes sensibles gardées", "GET", "passerelle/sensibles/", None, False, [DPO, RSSI]),
    (
        "lire une requête sensible",
        "POST",
        "passerelle/sensibles/{requete_sensible}/lecture/",
        lambda: {"raison": "Demande d'accès d'un usager."},
        True,
        [DPO, RSSI],
    ),
    (
        "ajouter un fournisseur de modèles",
        "POST",
        "passerelle/catalogue/fournisseurs/",
        lambda: {
            "fournisseur-nom": "Albert",
            "fournisseur-url_base": "https://albert.api.etalab.gouv.fr/v1",
            "fournisseur-cle": "k",
            "fournisseur-hebergement": "france",
            "fournisseur-delai_s": 60,
        },
        True,
        [ADMIN, REFERENT, RSSI],
    ),  # fmt: skip
    (
        "fixer un quota de la passerelle",
        "POST",
        "passerelle/catalogue/quotas/",
        lambda: {"quota-portee": "personne", "quota-requetes_par_mois": 300},
        True,
        [ADMIN, REFERENT, RSSI],
    ),
    (
        "retirer un fournisseur de modèles",
        "POST",
        "passerelle/catalogue/fournisseurs/{fournisseur_passerelle}/",
        lambda: {
            "fournisseur-nom": "Fournisseur retiré",
            "fournisseur-url_base": "http://127.0.0.1:9/v1",
            "fournisseur-hebergement": "france",
            "fournisseur-delai_s": 60,
            "fournisseur-version": 1,
        },
        True,
        [ADMIN, REFERENT, RSSI],
    ),  # fmt: skip
    (
        "ouvrir la modification d'un modèle approuvé",
        "GET",
        "passerelle/catalogue/modeles-approuves/{modele_passerelle}/",
        None,
        False,
        [ADMIN, REFERENT, RSSI],
    ),
    (
        "régler la passerelle",
        "POST",
        "passerelle/catalogue/reglages/",
        lambda: {
            "reglages-mention": "Écrit avec une IA.",
            "reglages-conservation_jours": 90,
            "reglages-version": 1,
        },
        True,
        [ADMIN, REFERENT, RSSI],
    ),
]


# Les rôles qu'un membre accorde au personnel d'une mutualisante (balise/mutualisation/models.py), du
# moins fort au plus fort.
ROLES_ACCORDES = (LECTEUR, RH, DPO, REFERENT)


def test_les_roles_accordes_sont_ceux_des_conventions():
    from balise.mutualisation.models import ROLES_ACCORDABLES

    assert sorted(ROLES_ACCORDES) == sorted(r.value for r in ROLES_ACCORDABLES)


def _intervenant(scene, role):
    """Un référent d'une intercommunalité qui entre dans l'organisation de la scène sous une convention
    signée lui accordant `role`, sans y être membre."""
    agglo = fabrique.organisation(f"Agglomération {role}", slug=f"agglo-{role}", type="epci")
    intervenant = fabrique.membre(agglo, REFERENT, f"intervenant-{role}@exemple.fr")
    convention = services_mutualisation.proposer(
        agglo, scene.org, intervenant, objet="Accompagnement", role=role, debut=date(2026, 1, 1), fin=None
    )
    services_mutualisation.signer(scene.org, convention.pk, convention.version, scene.admin)
    return intervenant


def _roles_accordes_a_verifier(autorises) -> list[str]:
    """Les rôles accordés par convention qui disent le plus sur une action : le moins fort qui y a droit
    (la convention ouvre bien la page) et le plus fort qui n'y a pas droit (elle n'ouvre rien de plus).
    La délégation ne fait que prêter un rôle (balise/mutualisation/delegation.py) : ces deux bornes,
    page par page, la prennent en défaut à moindre coût que les quatre rôles accordables à chaque page."""
    permis = [r for r in ROLES_ACCORDES if r in autorises]
    refuses = [r for r in reversed(ROLES_ACCORDES) if r not in autorises]
    return permis[:1] + refuses[:1]


@pytest.mark.parametrize(
    ("action", "methode", "chemin", "donnees", "ecrit", "autorises"),
    ACTIONS_PAGES,
    ids=[a[0] for a in ACTIONS_PAGES],
)
def test_droits_des_roles_dans_les_pages(scene, action, methode, chemin, donnees, ecrit, autorises):
    """Chaque rôle de membre a exactement ses droits, et le personnel d'une mutualisante exactement ceux
    du rôle que la convention lui accorde : ni plus, ni moins ; un refus ne change rien."""
    verifications = [(role, "membre") for role in ROLES] + [
        (role, "convention") for role in _roles_accordes_a_verifier(autorises)
    ]

    def verifier(verification):
        role, titre = verification
        acteur = _intervenant(scene, role) if titre == "convention" else None
        _droits_du_role_dans_les_pages(
            scene, role, action, methode, chemin, donnees, ecrit, autorises, acteur
        )

    _chacun(verifications, verifier)


def _droits_du_role_dans_les_pages(
    scene, role, action, methode, chemin, donnees, ecrit, autorises, acteur=None
):
    client, pages_fraiches = Client(), VerificationFraicheur()
    acteur = acteur or _personne(scene.org, role)
    if role == EXTERNE:
        # Un membre externe siège dans l'instance de la scène et dans celle du point soumis à avis :
        # il les voit, et rien d'autre.
        gouvernance.nommer_membre(scene.instance, acteur.pk, scene.admin)
        instance_du_point = Point.objects.get(pk=scene.avis_point).seance.instance
        gouvernance.nommer_membre(instance_du_point, acteur.pk, scene.admin)
    client.force_login(acteur)
    url = f"/o/{scene.org.slug}/" + chemin.format(
        instance=scene.instance.pk,
        instance_archivee=scene.instance_archivee.pk,
        membre_instance=scene.membre_instance.pk,
        college=scene.college.pk,
        college_vide=scene.college_vide.pk,
        systeme=scene.systeme.pk,
        document=scene.document.pk,
        document_archive=scene.document_archive.pk,
        adhesion=scene.adhesion_cible.pk,
        invitation=scene.invitation.pk,
        evaluation=scene.evaluation.pk,
        consultation=scene.consultation.pk,
        groupe_codes=scene.groupe_codes.pk,
        girouet=_national("girouet").pk,
        obligation=scene.obligation.pk,
        jeton=scene.jeton.pk,
        charte=scene.charte,
        rapport=scene.rapport,
        requete_sensible=scene.requete_sensible,
        fournisseur_passerelle=scene.fournisseur_passerelle,
        modele_passerelle=scene.modele_passerelle,
        **{c: getattr(scene, c) for c in ("import", "lu", "depot", "metier_propre", "groupe", "action")},
        **{c: getattr(scene, c) for c in ("avis_point", "avis", "decision", "condition")},
        version_regles=scene.version_regles,
        action_programme=scene.action_programme,
        sensibilisation=scene.sensibilisation,
        note_veille=scene.note_veille,
        import_registre=scene.import_registre,
        depot_registre=scene.depot_registre,
        indicateur=scene.indicateur,
        mesure=scene.mesure,
    )
    ecriture = methode == "POST" and role in autorises
    if ecriture:
        pages_fraiches.chauffer(scene.org, _lecteurs_temoins(scene.org, role, acteur))
    avant = instantane.photo()
    reponse = client.post(url, donnees()) if methode == "POST" else client.get(url)
    apres = instantane.photo()
    if role in autorises:
        assert reponse.status_code in (200, 302), f"{role} : {action} → {reponse.status_code}"
        if ecrit:
            assert avant != apres, (
                f"{role} : « {action} » autorisé mais sans effet (données de test à revoir)"
            )
        if ecriture:
            pages_fraiches.comparer(f"{action} », par le rôle « {role}")
    else:
        assert reponse.status_code == 403, f"{role} : {action} → {reponse.status_code}"
        assert avant == apres, (
            f"{role} : « {action} » refusé mais a modifié {instantane.differences(avant, apres)}"
        )


ACTIONS_API = [
    ("lire", "GET", "", None, MEMBRES),
    ("historique", "GET", "/historique", None, MEMBRES),
    ("déclarer", "POST", "-liste", {**fabrique.FICHE_MINIMALE, "nom": "Par l'API"}, [ADMIN, REFERENT, DPO]),
    ("modifier", "PATCH", "", {"version": 1, "nom": "Renommée"}, [ADMIN, REFERENT, DPO]),
    ("changer de stade", "POST", "/stade", {"vers": "etude", "version": 1}, [ADMIN, REFERENT]),
    ("publier", "POST", "/publication", {"publie": True, "version": 1}, [ADMIN, REFERENT]),
    ("archiver", "DELETE", "?version=1", None, [ADMIN]),
]


def _droits_du_role_dans_l_api(scene, role, action, methode, suffixe, corps, autorises):
    base = f"/api/organisations/{scene.org.slug}/systemes"
    url = base if suffixe == "-liste" else f"{base}/{scene.systeme.pk}{suffixe}"
    _role_par_l_api(scene, _personne(scene.org, role), role, action, methode, url, corps, autorises)


def _role_par_l_api(scene, acteur, role, action, methode, url, corps, autorises) -> None:
    """Un appel d'API par le jeton de `acteur` : autorisé, il aboutit, n'écrit que s'il n'est pas une
    lecture et laisse les pages en cache fraîches ; refusé, 403 en français et rien de changé."""
    pages_fraiches = VerificationFraicheur()
    _, secret = JetonAPI.emettre(acteur, "jeton")
    ecriture = methode != "GET" and role in autorises
    if ecriture:
        pages_fraiches.chauffer(scene.org, _lecteurs_temoins(scene.org, role, acteur))
    avant = instantane.photo()
    reponse = Client().generic(
        methode,
        url,
        json.dumps(corps() if callable(corps) else corps) if corps is not None else "",
        content_type="application/json",
        headers={"authorization": f"Bearer {secret}"},
    )
    apres = instantane.photo()
    if role in autorises:
        assert reponse.status_code in (200, 201), (
            f"{role} : {action} → {reponse.status_code} {reponse.content}"
        )
        assert (avant != apres) == (methode != "GET")
        if ecriture:
            pages_fraiches.comparer(f"{action} » par l'API, par le rôle « {role}")
    else:
        assert reponse.status_code == 403, f"{role} : {action} → {reponse.status_code}"
        assert reponse.json()["message"] == "Votre rôle dans cette organisation ne permet pas cette action."
        assert avant == apres


ACTIONS_API_INSTANCES = [
    ("lire les instances", "GET", "", None, ROLES),
    ("lire une instance", "GET", "/{instance}", None, ROLES),
    (
        "créer une instance",
        "POST",
        "",
        lambda: {"nom": "Par l'API", "mission": "Avis.", "nature": "consultative"},
        [ADMIN, REFERENT],
    ),
    (
        "modifier une instance",
        "PATCH",
        "/{instance}",
        lambda: {"version": 1, "nom": "Renommée"},
        [ADMIN, REFERENT],
    ),
    (
        "nommer un membre",
        "POST",
        "/{instance}/membres",
        lambda: {"utilisateur": Adhesion.objects.get(utilisateur__email="cible@exemple.fr").utilisateur_id},
        [ADMIN, REFERENT],
    ),
    (
        "modifier un membre",
        "PATCH",
        "/{instance}/membres/{membre}",
        lambda: {"version": 1, "fonction": "secretaire", "college": None, "qualite": "Juriste"},
        [ADMIN, REFERENT],
    ),
    ("retirer un membre", "DELETE", "/{instance}/membres/{membre}?version=1", None, [ADMIN, REFERENT]),
]


def _droits_du_role_dans_l_api_des_instances(scene, role, action, methode, suffixe, corps, autorises):
    acteur = _personne(scene.org, role)
    if role == EXTERNE:
        gouvernance.nommer_membre(scene.instance, acteur.pk, scene.admin)
    url = f"/api/organisations/{scene.org.slug}/instances" + suffixe.format(
        instance=scene.instance.pk, membre=scene.membre_instance.pk
    )
    _role_par_l_api(scene, acteur, role, action, methode, url, corps, autorises)


ACTIONS_API_POLITIQUE = [
    ("lire la politique des portes", "GET", "", None, MEMBRES),
    ("lire ses versions", "GET", "/versions", None, MEMBRES),
    (
        "adapter la politique des portes",
        "POST",
        "",
        lambda: {
            "contenu": politique.en_donnees(politique.en_vigueur()) | {"titre": "Portes de la commune"},
            "motif": "Par l'API.",
            "depuis_numero": 0,
        },
        [ADMIN, REFERENT],
    ),
]


def _droits_du_role_dans_l_api_de_la_politique(scene, role, action, methode, suffixe, corps, autorises):
    url = f"/api/organisations/{scene.org.slug}/politique-portes{suffixe}"
    _role_par_l_api(scene, _personne(scene.org, role), role, action, methode, url, corps, autorises)


ACTIONS_API_CHARTE = [
    ("lire les jeux de principes", "GET", "/jeux", None, MEMBRES),
    ("lire les versions de la charte", "GET", "/versions", None, MEMBRES),
    ("lire une version de la charte", "GET", "/versions/{charte}", None, MEMBRES),
    (
        "composer une charte",
        "POST",
        "/versions",
        {"titre": "Charte", "principes": ["sndgct/sobriete"]},
        [ADMIN, REFERENT],
    ),
    (
        "modifier la charte",
        "PATCH",
        "/versions/{charte}",
        {"titre": "Par l'API", "version": 1},
        [ADMIN, REFERENT],
    ),
]


def _droits_du_role_dans_l_api_de_la_charte(scene, role, action, methode, suffixe, corps, autorises):
    url = f"/api/organisations/{scene.org.slug}/charte" + suffixe.format(charte=scene.charte)
    _role_par_l_api(scene, _personne(scene.org, role), role, action, methode, url, corps, autorises)


ACTIONS_API_REGLES = [
    ("lire les règles publiées", "GET", "", None, MEMBRES),
    ("lire les versions des règles", "GET", "/versions", None, MEMBRES),
    ("suivre l'information des agents", "GET", "/informations", None, MEMBRES),
    (
        "modifier le brouillon des règles",
        "PATCH",
        "/{version_regles}",
        {"version": 1, "titre": "Par l'API"},
        [ADMIN, REFERENT],
    ),
    ("publier les règles", "POST", "/{version_regles}/publication", {"version": 1}, [ADMIN, REFERENT]),
    (
        "informer un service",
        "POST",
        "/informations",
        lambda: {
            "service": "Accueil",
            "effectif_informe": 3,
            "date": timezone.localdate().isoformat(),
            "moyen": "courriel",
        },
        [ADMIN, REFERENT, RH],
    ),
    # L'exception documentée plus haut (ACTIONS_PAGES) : sa propre prise de connaissance, tout membre.
    ("prendre connaissance des règles", "POST", "/prise-de-connaissance", {}, MEMBRES),
]


def _droits_du_role_dans_l_api_des_regles(scene, role, action, methode, suffixe, corps, autorises):
    url = f"/api/organisations/{scene.org.slug}/regles-usage" + suffixe.format(
        version_regles=scene.version_regles
    )
    _role_par_l_api(scene, _personne(scene.org, role), role, action, methode, url, corps, autorises)


ACTIONS_API_PROGRAMME = [
    ("lire les étapes", "GET", "/etapes", None, MEMBRES),
    (
        "fixer l'état d'une étape",
        "PATCH",
        "/etapes/acculturation",
        {"etat": "en_cours", "commentaire": "", "version": 0},
        [ADMIN, REFERENT],
    ),
    ("lire les actions", "GET", "/actions", None, MEMBRES),
    ("lire une action", "GET", "/actions/{action_programme}", None, MEMBRES),
    (
        "ajouter une action",
        "POST",
        "/actions",
        {"intitule": "Par l'API", "etape": "deploiement"},
        [ADMIN, REFERENT],
    ),
    (
        "modifier une action",
        "PATCH",
        "/actions/{action_programme}",
        {"version": 1, "etat": "en_cours"},
        [ADMIN, REFERENT],
    ),
    ("lire la sensibilisation", "GET", "/sensibilisations", None, MEMBRES),
    (
        "enregistrer une sensibilisation",
        "POST",
        "/sensibilisations",
        {
            "format": "atelier_pratique",
            "intitule": "Atelier",
            "date": "2026-02-01",
            "participants": [{"public": "agents", "nombre": 8}],
        },
        [ADMIN, REFERENT],
    ),
    ("lire la veille", "GET", "/veille", None, MEMBRES),
    (
        "ajouter une note de veille",
        "POST",
        "/veille",
        {"date": "2026-02-01", "titre": "T", "resume": "R.", "source": "https://exemple.fr/n"},
        [ADMIN, REFERENT],
    ),
]


def _droits_du_role_dans_l_api_du_programme(scene, role, action, methode, suffixe, corps, autorises):
    url = f"/api/organisations/{scene.org.slug}/programme" + suffixe.format(
        action_programme=scene.action_programme
    )
    _role_par_l_api(scene, _personne(scene.org, role), role, action, methode, url, corps, autorises)


ACTIONS_API_RAPPORTS = [
    ("lister les rapports", "GET", "rapports", None, MEMBRES),
    ("télécharger un rapport", "GET", "rapports/{rapport}/pdf", None, MEMBRES),
    ("exporter le registre", "GET", "exports/registre/xlsx", None, MEMBRES),
    (
        "lancer un rapport",
        "POST",
        "rapports",
        lambda: {"genre": "annuel", "annee": timezone.localdate().year - 1},
        [ADMIN, REFERENT, RH],
    ),
]


def _droits_du_role_dans_l_api_des_rapports(scene, role, action, methode, suffixe, corps, autorises):
    url = f"/api/organisations/{scene.org.slug}/" + suffixe.format(rapport=scene.rapport)
    _role_par_l_api(scene, _personne(scene.org, role), role, action, methode, url, corps, autorises)


def _le_mois_dernier() -> str:
    return (timezone.localdate().replace(day=1) - timedelta(days=1)).isoformat()


# Les indicateurs (balise/indicateurs/droits.py) : lire, tout membre ; créer, modifier, archiver, saisir
# et corriger une mesure, le pilotage du programme. La personne responsable d'un indicateur en saisit
# aussi les mesures : celle de la scène (« cible ») n'est pas l'acteur de la matrice ; vérifié dans
# tests/test_api_indicateurs.py.
ACTIONS_API_INDICATEURS = [
    ("lire les indicateurs", "GET", "", None, MEMBRES),
    ("lire un indicateur", "GET", "/{indicateur}", None, MEMBRES),
    (
        "créer un indicateur",
        "POST",
        "",
        lambda: {
            "objectif": "Par l'API",
            "intitule": "Par l'API",
            "unite": "%",
            "cible": 80,
            "sens": "au_moins",
            "frequence": "trimestrielle",
            "responsable": Adhesion.objects.get(utilisateur__email="cible@exemple.fr").utilisateur_id,
        },
        [ADMIN, REFERENT],
    ),
    ("modifier un indicateur", "PATCH", "/{indicateur}", {"version": 1, "cible": 5}, [ADMIN, REFERENT]),
    ("archiver un indicateur", "POST", "/{indicateur}/archivage", {"version": 1}, [ADMIN, REFERENT]),
    (
        "saisir une mesure",
        "POST",
        "/{indicateur}/mesures",
        lambda: {"periode": _le_mois_dernier(), "valeur": 12},
        [ADMIN, REFERENT],
    ),
    (
        "corriger une mesure",
        "PATCH",
        "/{indicateur}/mesures/{mesure}",
        {"version": 1, "valeur": 5},
        [ADMIN, REFERENT],
    ),
]


def _droits_du_role_dans_l_api_des_indicateurs(scene, role, action, methode, suffixe, corps, autorises):
    url = f"/api/organisations/{scene.org.slug}/indicateurs" + suffixe.format(
        indicateur=scene.indicateur, mesure=scene.mesure
    )
    _role_par_l_api(scene, _personne(scene.org, role), role, action, methode, url, corps, autorises)


# Chaque action d'API, de chaque famille, avec la fonction qui la vérifie pour un rôle.
_ACTIONS_API_TOUTES = [
    *((_droits_du_role_dans_l_api, a) for a in ACTIONS_API),
    *((_droits_du_role_dans_l_api_des_instances, a) for a in ACTIONS_API_INSTANCES),
    *((_droits_du_role_dans_l_api_de_la_politique, a) for a in ACTIONS_API_POLITIQUE),
    *((_droits_du_role_dans_l_api_de_la_charte, a) for a in ACTIONS_API_CHARTE),
    *((_droits_du_role_dans_l_api_des_regles, a) for a in ACTIONS_API_REGLES),
    *((_droits_du_role_dans_l_api_du_programme, a) for a in ACTIONS_API_PROGRAMME),
    *((_droits_du_role_dans_l_api_des_rapports, a) for a in ACTIONS_API_RAPPORTS),
    *((_droits_du_role_dans_l_api_des_indicateurs, a) for a in ACTIONS_API_INDICATEURS),
]


@pytest.mark.parametrize(
    ("verifier", "action"), _ACTIONS_API_TOUTES, ids=[a[0] for _, a in _ACTIONS_API_TOUTES]
)
def test_droits_des_roles_dans_l_api(scene, verifier, action):
    _chacun(ROLES, lambda role: verifier(scene, role, *action))


# Ce qu'un membre externe atteint : les instances où il siège (liste, fiche, historique), rien d'autre.
# Les pages de lecture répondent à toute méthode comme à GET (sans rien écrire : vérifié).
ROUTES_DE_L_EXTERNE = {
    "o/<slug:slug>/instances/": set(METHODES),
    "o/<slug:slug>/instances/<int:pk>/": set(METHODES),
    "o/<slug:slug>/instances/<int:pk>/historique/": set(METHODES),
    "api/organisations/<slug>/instances": {"GET"},
    "api/organisations/<slug>/instances/<pk>": {"GET"},
    # Sa page « À traiter » : ses séances et les dossiers à lire (gouvernance/a_traiter.py).
    "o/<slug:slug>/a-traiter/": set(METHODES),
}


# Les objets propres à une instance : le membre externe de A ne siège pas dans celles du monde qui les
# portent (il siège dans « Comité secret a ») ; ce qu'il voit dans son instance est vérifié ailleurs.
_OBJETS_D_INSTANCE = {"instance_seances", "seance", "point", "avis_point", "avis", "decision", "condition"}


def _objets_de(route: str) -> list[str]:
    def objet(m: re.Match) -> str | None:
        segment = route[: m.start()].rstrip("/").rsplit("/", 1)[-1]
        return _OBJETS.get((m.group("nom"), segment))

    return [o for o in map(objet, _PARAMETRE.finditer(route)) if o]


def test_un_membre_externe_n_atteint_que_ses_instances(client, monde):
    """Le membre externe de A (il siège dans l'instance de A) : 403 sur toute autre page et tout autre
    point d'API de son organisation, sans rien changer ; les pages de ses instances seulement en lecture.
    Toutes les adresses dans un seul test (un seul `monde` à construire) : les écarts sont tous dits."""
    externe = Adhesion.objects.get(utilisateur_id=monde.a["externe"]).utilisateur
    client.force_login(externe)
    _, secret = JetonAPI.emettre(externe, "jeton de l'externe")
    ecarts = []
    for route in ROUTES_PRIVEES:
        url = adresse(route, monde.slug_a, monde.a)
        permises = ROUTES_DE_L_EXTERNE.get(route, set())
        avant = instantane.photo()
        for methode in METHODES:
            if est_api(route):
                reponse = requete(Client(), methode, url, route, monde.a["version"], jeton=secret)
                refus = {403} if methode in methodes_declarees(route) else {405}
            else:
                reponse = requete(client, methode, url, route, monde.a["version"])
                refus = {405} if requete(Client(), methode, url, route, 1).status_code == 405 else {403}
            if _OBJETS_D_INSTANCE & set(_objets_de(route)):
                # Une séance, un point, un avis d'une instance où il ne siège pas : introuvable pour lui.
                refus = refus | {404}
            attendus = {200} if methode in permises else refus
            if reponse.status_code not in attendus:
                ecarts.append(f"{methode} {url} → {reponse.status_code} (attendu : {sorted(attendus)})")
            apres = instantane.photo()
            if apres != avant:
                ecarts.append(f"{methode} {url} a modifié quelque chose")
                avant = apres
    assert not ecarts, "\n".join(ecarts)


def test_un_membre_externe_ne_voit_pas_une_instance_ou_il_ne_siege_pas(client, monde, org_a, admin_a):
    autre = gouvernance.creer_instance(
        org_a, {"nom": "Comité sans l'externe", "mission": "Avis.", "nature": "consultative"}, admin_a
    )
    externe = Adhesion.objects.get(utilisateur_id=monde.a["externe"]).utilisateur
    client.force_login(externe)
    for chemin in (f"instances/{autre.pk}/", f"instances/{autre.pk}/historique/"):
        assert client.get(f"/o/{monde.slug_a}/{chemin}").status_code == 404
    _, secret = JetonAPI.emettre(externe, "jeton")
    entetes = {"authorization": f"Bearer {secret}"}
    reponse = Client().get(f"/api/organisations/{monde.slug_a}/instances/{autre.pk}", headers=entetes)
    assert reponse.status_code == 404
    liste = Client().get(f"/api/organisations/{monde.slug_a}/instances", headers=entetes).json()
    assert [i["id"] for i in liste] == [monde.a["instance"]]


# --- Registre public : seulement les fiches publiées et non archivées -----------------------------


@pytest.fixture
def registre_public(org_a, org_b, admin_a, admin_b):
    def fiche(nom, org=org_a, par=admin_a, publier=False):
        s = fabrique.systeme(org, par, nom=nom, contribution_decision="Aide à l'instruction.")
        if publier:
            s = services.publier(s.pk, True, par, s.version)
        return s

    publiee = fiche("Fiche publiée visible", publier=True)
    brouillon = fiche("Fiche brouillon cachée")
    archivee = fiche("Fiche archivée cachée", publier=True)
    services.archiver(archivee.pk, admin_a, archivee.version)
    # Cas dégradé : une ligne archivée restée « publiée » (donnée importée, ancienne version…).
    archivee_publiee = fiche("Fiche archivée restée publiée", publier=True)
    SystemeIA.objects.filter(pk=archivee_publiee.pk).update(archive_le=timezone.now())
    retiree = fiche("Fiche retirée du public", publier=True)
    services.publier(retiree.pk, False, admin_a, retiree.version)
    de_b = fiche("Fiche publiée de B", org=org_b, par=admin_b, publier=True)
    return SimpleNamespace(
        org=org_a,
        visible=publiee,
        cachees=[brouillon, archivee, archivee_publiee, retiree],
        de_b=de_b,
    )


def test_registre_public_ne_montre_que_le_publie(client, registre_public):
    slug = registre_public.org.slug
    cachees = [s.nom for s in registre_public.cachees] + [registre_public.de_b.nom]

    page = client.get(f"/public/{slug}/").content.decode()
    assert registre_public.visible.nom in page
    assert not [n for n in cachees if n in page]

    donnees = client.get(f"/public/{slug}/registre.json").json()
    assert [s["identifiant"] for s in donnees["systemes"]] == [str(registre_public.visible.uid)]

    lignes = list(
        csv.DictReader(io.StringIO(client.get(f"/public/{slug}/registre.csv").content.decode("utf-8-sig")))
    )
    assert [ligne["identifiant"] for ligne in lignes] == [str(registre_public.visible.uid)]


def test_fiche_publique_introuvable_si_non_publiee(client, registre_public):
    slug = registre_public.org.slug
    assert client.get(f"/public/{slug}/systemes/{registre_public.visible.uid}/").status_code == 200
    for s in registre_public.cachees:
        reponse = client.get(f"/public/{slug}/systemes/{s.uid}/")
        assert reponse.status_code == 404 and s.nom not in reponse.content.decode()
    # La fiche publiée de B n'apparaît pas sous l'adresse de A.
    assert client.get(f"/public/{slug}/systemes/{registre_public.de_b.uid}/").status_code == 404


def test_registre_public_d_une_organisation_inconnue(client, db):
    for suffixe in ("", "registre.json", "registre.csv"):
        assert client.get(f"/public/inconnue/{suffixe}").status_code == 404


@pytest.mark.parametrize("route", ROUTES_PUBLIQUES)
def test_aucune_adresse_publique_ne_montre_une_fiche_cachee(client, registre_public, route):
    """Toute adresse publique (y compris une future), quel que soit l'identifiant de fiche demandé."""
    slug = registre_public.org.slug
    cachees = [s.nom for s in registre_public.cachees] + [registre_public.de_b.nom]
    for fiche in [registre_public.visible, *registre_public.cachees, registre_public.de_b]:
        with lectures_du_cache() as lues:
            reponse = client.get(adresse(route, slug, {"uid": fiche.uid}))
        assert reponse.status_code in (200, 404), f"{route} → {reponse.status_code}"
        exiger_la_marque(reponse, lues)
        contenu = reponse.content.decode("utf-8-sig")
        assert not [n for n in cachees if n in contenu], f"{route} montre une fiche non publiée"
        assert str(fiche.uid) not in contenu or fiche == registre_public.visible
