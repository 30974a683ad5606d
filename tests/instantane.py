"""Outils partagés des tests de sécurité : photographie de la base, fichiers types, documents déposés."""

from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django_tasks_db.models import DBTaskResult

from balise.bibliotheque.models import Adoption, CasUsage
from balise.chartes.models import VersionCharte
from balise.comptes.models import JetonAPI
from balise.conformite.models import ObligationSuivie, Qualification
from balise.gouvernance.models import (
    Avis,
    College,
    Condition,
    Decision,
    Instance,
    InvitationSiege,
    Membre,
    PolitiquePortes,
    Vote,
)
from balise.indicateurs.models import Ecart, Indicateur, Mesure
from balise.instruments.models import (
    CodeParticipation,
    Consultation,
    DefinitionInstrument,
    Evaluateur,
    Evaluation,
    GroupeCodes,
    ProvenanceEvaluation,
    Reponse,
    ReponseAnonyme,
)
from balise.metiers.models import (
    ActionAccompagnement,
    CorrespondanceRetenue,
    GroupeEffectif,
    GroupeSuivi,
    ImportEffectifs,
    LibelleImporte,
    LigneRejetee,
    MetierOrganisation,
)
from balise.mutualisation.models import (
    Convention,
    InstrumentPartage,
    InvitationMutualisee,
    ModelePartage,
    RepriseModele,
    SessionOuverte,
)
from balise.organisations.models import Adhesion, EvenementJournal, Invitation, Logo, Organisation
from balise.passerelle.models import (
    ContenuSensible,
    Conversation,
    Fournisseur,
    LectureContenu,
    Message,
    ModeleCatalogue,
    Profil,
    Quota,
    Reglages,
    Requete,
    UsageMensuel,
)
from balise.programme.models import Action, EtatEtape, NoteVeille, Participants, Sensibilisation
from balise.rapports.models import Rapport
from balise.registre import services
from balise.registre.models import ChangementStade, Document, ImportRegistre, SystemeIA
from balise.regles_usage.models import InformationService, PriseDeConnaissance, VersionRegles
from balise.travaux.models import Travail

# Un PDF minimal que la détection par signature reconnaît (« %PDF- »).
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"

_MODELES = [
    JetonAPI,
    Organisation,
    Logo,  # les logos déposés (balise/organisations/logos.py)
    Adhesion,
    Invitation,
    EvenementJournal,
    SystemeIA,
    Document,
    ChangementStade,
    DefinitionInstrument,
    Evaluation,
    ProvenanceEvaluation,
    Evaluateur,
    Reponse,
    Consultation,
    GroupeCodes,
    CodeParticipation,
    ReponseAnonyme,
    Qualification,
    ObligationSuivie,
    MetierOrganisation,
    ImportEffectifs,
    ImportRegistre,
    LibelleImporte,
    GroupeEffectif,
    LigneRejetee,
    CorrespondanceRetenue,
    GroupeSuivi,
    GroupeSuivi.systemes.through,
    ActionAccompagnement,
    Travail,
    DBTaskResult,  # la file des travaux de fond : un refus n'y met rien
    # Gouvernance : instances, sièges, votes, avis, décisions et conditions, politique des portes.
    Instance,
    College,
    Membre,
    InvitationSiege,
    Vote,
    Avis,
    Decision,
    Condition,
    PolitiquePortes,
    # Charte de l'IA (balise/chartes).
    VersionCharte,
    # Règles d'usage : versions, informations des services, prises de connaissance.
    VersionRegles,
    InformationService,
    PriseDeConnaissance,
    # Programme : étapes, feuille de route, sensibilisation, veille.
    EtatEtape,
    Action,
    Sensibilisation,
    Participants,
    NoteVeille,
    # Rapports produits (balise/rapports).
    Rapport,
    # Indicateurs, leurs mesures et les écarts analysés en revue (balise/indicateurs).
    Indicateur,
    Mesure,
    Ecart,
    # Mutualisation : conventions, partages et reprises, sessions ouvertes, invitations (balise/mutualisation).
    Convention,
    InstrumentPartage,
    ModelePartage,
    RepriseModele,
    SessionOuverte,
    InvitationMutualisee,
    # Bibliothèque des cas d'usage : cas partagés et adoptions (balise/bibliotheque).
    CasUsage,
    Adoption,
    # Passerelle d'IA générative : catalogue, réglages, conversations, journal des requêtes (balise/passerelle).
    Fournisseur,
    ModeleCatalogue,
    Reglages,
    Profil,
    Conversation,
    Message,
    Requete,
    ContenuSensible,
    LectureContenu,
    Quota,
    UsageMensuel,
]


# La dernière utilisation d'un jeton change à chaque appel authentifié, refusé ou non : ce n'est pas
# une donnée qu'un refus doit laisser intacte.
_NON_PHOTOGRAPHIES = {"utilise_le"}


def rapport(org: Organisation, par, genre: str = "annuel", annee: int = 2025) -> Rapport:
    """Un rapport déjà produit (fichiers minimes) : sans passer par le processus de fond."""
    from django.utils import timezone

    return Rapport.objects.create(
        organisation=org, genre=genre, annee=annee, debut=f"{annee}-01-01", fin=f"{annee}-12-31",
        version=1, titre=f"Rapport secret {org.slug}", demande_par=par, produit_le=timezone.now(),
        pdf=PDF, odt=b"PK odt", docx=b"PK docx",
    )  # fmt: skip


def _tous_les_modeles():
    for modele in _MODELES:
        yield modele
        historique = getattr(modele, "history", None)
        if historique is not None:
            yield historique.model


def _lignes_en_texte(meta, colonnes: list[str]) -> str:
    """L'expression qui rend toutes les lignes d'une table en un seul texte, dans l'ordre de la clé."""
    q = connection.ops.quote_name
    table, cle = q(meta.db_table), q(meta.pk.column)
    if connection.vendor == "postgresql":
        # Une empreinte plutôt que le texte : la base calcule, presque rien ne voyage.
        # Noms tirés des modèles, jamais d'une saisie (de même plus bas).
        return f"(SELECT md5(string_agg(ROW({', '.join(colonnes)})::text, '|' ORDER BY {cle})) FROM {table})"  # noqa: S608
    ligne = " || ',' || ".join(f"quote({c})" for c in colonnes)
    return f"(SELECT group_concat({ligne}, '|') FROM (SELECT * FROM {table} ORDER BY {cle}))"  # noqa: S608


@cache
def _requete() -> tuple[list[str], str]:
    """Une seule requête SQL pour toute la photo : une colonne par table photographiée (ses colonnes,
    sauf celles qu'un refus peut changer, lignes par clé primaire). Un aller-retour par photo au lieu
    d'un par table : la matrice des rôles et les parcours de toutes les adresses en prennent des
    milliers."""
    q = connection.ops.quote_name
    tables, expressions = [], []
    for modele in _tous_les_modeles():
        meta = modele._meta
        colonnes = [q(f.column) for f in meta.concrete_fields if f.attname not in _NON_PHOTOGRAPHIES]
        tables.append(meta.label)
        expressions.append(_lignes_en_texte(meta, colonnes))
    # Noms tirés des modèles, jamais d'une saisie.
    return tables, "SELECT " + ",\n".join(expressions)  # noqa: S608


def photo() -> dict[str, Any]:
    """Toutes les lignes des données d'organisation (et leurs versions historisées), telles que la base
    les rend, plus les fichiers déposés."""
    tables, sql = _requete()
    with connection.cursor() as curseur:
        curseur.execute(sql)
        etat: dict[str, Any] = dict(zip(tables, curseur.fetchone(), strict=True))
    racine = Path(settings.MEDIA_ROOT)
    etat["fichiers"] = (
        sorted(str(p.relative_to(racine)) for p in racine.rglob("*")) if racine.exists() else []
    )
    return etat


def differences(avant: dict[str, Any], apres: dict[str, Any]) -> list[str]:
    """Les tables (ou fichiers) qui ont changé, pour un message d'échec lisible."""
    return [cle for cle in avant.keys() | apres.keys() if avant.get(cle) != apres.get(cle)]


def pdf(nom: str = "note.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(nom, PDF, content_type="application/pdf")


def document(systeme: SystemeIA, par, titre: str = "Analyse d'impact") -> Document:
    return services.deposer_document(systeme, titre, pdf(), par)
