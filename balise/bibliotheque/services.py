"""Les opérations qui changent la bibliothèque : charger le catalogue, partager un système (ou mettre à
jour, retirer son partage), adopter un cas. Chacune est atomique, attribuée à une personne et gardée
dans l'historique ; un refus est une ValidationError en français, et rien n'est écrit."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from balise import versions
from balise.comptes.models import Utilisateur
from balise.organisations.models import Organisation
from balise.registre import services as registre
from balise.registre.models import SystemeIA
from balise.registre.referentiels import Hebergement

from . import catalogue as catalogues
from .models import Adoption, CasUsage

# Ce qu'une mise à jour du catalogue remplace dans un cas livré.
CHAMPS_CATALOGUE = [
    "titre",
    "collectivite",
    "type_collectivite",
    "domaine",
    "type_ia",
    "realisation",
    "cible",
    "positionnement",
    "stade",
    "fournisseur",
    "finalite",
    "mesures",
    "decision",
    "lecons",
    "sources",
    "version_catalogue",
]
# Ce qu'un partage copie de la fiche, toujours (rien de personnel : ni responsable, ni service, ni données).
CHAMPS_COPIES = ["domaine", "type_ia", "realisation", "cible", "positionnement", "fournisseur"]
LONGUEUR_TEXTE = 4000


def normaliser(texte: str) -> str:
    """Minuscules, sans accents, espaces simples : « Énergie  des Bâtiments » → « energie des batiments »."""
    decompose = unicodedata.normalize("NFKD", texte.casefold())
    return " ".join("".join(c for c in decompose if not unicodedata.combining(c)).split())


def _valeur(mesure: dict[str, Any]) -> str:
    """« 1 100 heures » : la valeur sans zéros inutiles, l'unité."""
    return f"{Decimal(str(mesure['valeur'])).normalize():f} {mesure['unite']}"


def texte_de_recherche(cas: CasUsage) -> str:
    morceaux = [
        cas.titre,
        cas.collectivite,
        cas.get_type_collectivite_display(),
        cas.get_domaine_display(),
        cas.get_type_ia_display(),
        cas.get_realisation_display(),
        cas.fournisseur,
        cas.finalite,
        cas.decision,
        cas.lecons,
        cas.resultats_instruments,
        *(m["libelle"] for m in cas.mesures),
    ]
    return normaliser(" ".join(m for m in morceaux if m))


def _enregistrer(cas: CasUsage, par: Utilisateur | None, nouveau: bool) -> CasUsage:
    cas.recherche = texte_de_recherche(cas)
    cas.full_clean(validate_constraints=False)
    if nouveau:
        versions.attribuer(cas, par)
    else:
        versions.enregistrer(cas, par)
    return cas


# --- Catalogue ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bilan:
    crees: int
    modifies: int
    inchanges: int
    retires: int


def _valeurs_catalogue(cat: catalogues.Catalogue, c: catalogues.CasCatalogue) -> dict[str, Any]:
    return {
        "titre": c.titre,
        "collectivite": c.collectivite,
        "type_collectivite": c.type_collectivite,
        "domaine": c.domaine,
        "type_ia": c.type_ia,
        "realisation": c.realisation,
        "cible": c.cible,
        "positionnement": c.positionnement,
        "stade": c.stade or "",
        "fournisseur": c.fournisseur,
        "finalite": c.finalite,
        "mesures": [{"libelle": m.libelle, "valeur": str(m.valeur), "unite": m.unite} for m in c.mesures],
        "decision": c.decision,
        "lecons": c.lecons,
        "sources": cat.citer(c),
        "version_catalogue": cat.version,
    }


@transaction.atomic
def charger_catalogue(par: Utilisateur | None, cat: catalogues.Catalogue | None = None) -> Bilan:
    """Met la bibliothèque à jour du catalogue livré, sans doublon : un cas absent est créé, un cas
    changé est mis à jour (nouvelle version), un cas que le catalogue ne contient plus est retiré (son
    historique et ses adoptions restent). Relancer ne change rien."""
    cat = cat or catalogues.en_vigueur()
    existants = {c.identifiant: c for c in CasUsage.objects.select_for_update().filter(origine="catalogue")}
    crees = modifies = inchanges = retires = 0
    for c in cat.cas:
        valeurs = _valeurs_catalogue(cat, c)
        cas = existants.pop(c.identifiant, None)
        if cas is None:
            _enregistrer(
                CasUsage(origine=CasUsage.Origine.CATALOGUE, identifiant=c.identifiant, **valeurs), par, True
            )
            crees += 1
            continue
        change = cas.retire_le is not None or any(getattr(cas, k) != v for k, v in valeurs.items())
        if not change:
            inchanges += 1
            continue
        for k, v in valeurs.items():
            setattr(cas, k, v)
        cas.retire_le = None
        _enregistrer(cas, par, False)
        modifies += 1
    for cas in existants.values():
        if cas.retire_le is None:
            cas.retire_le = timezone.now()
            _enregistrer(cas, par, False)
            retires += 1
    return Bilan(crees, modifies, inchanges, retires)


# --- Partager -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Partage:
    """Ce que la personne choisit de partager. Une rubrique non cochée n'est pas copiée, même si son
    texte est rempli ; cochée, elle doit dire quelque chose."""

    titre: str
    finalite: str
    couts: bool = False
    resultats: str | None = None
    stade: bool = False
    decision: str | None = None
    lecons: str | None = None
    contact: str | None = None


def mesures_de(systeme: SystemeIA) -> list[dict[str, str]]:
    """Les coûts saisis dans la fiche, en mesures de la bibliothèque."""
    mesures = []
    if systeme.cout_investissement is not None:
        mesures.append(
            {"libelle": "Coût d'investissement", "valeur": str(systeme.cout_investissement), "unite": "€"}
        )
    if systeme.cout_annuel is not None:
        mesures.append(
            {
                "libelle": "Coût annuel de fonctionnement",
                "valeur": str(systeme.cout_annuel),
                "unite": "€ par an",
            }
        )
    return mesures


def _verifier_contact(contact: str) -> None:
    try:
        validate_email(contact)
    except ValidationError:
        raise ValidationError({"contact": "Saisissez une adresse électronique valide."}) from None
    if Utilisateur.objects.filter(email__iexact=contact).exists():
        raise ValidationError(
            {
                "contact": "Cette adresse est celle d'une personne inscrite à Balise : la bibliothèque ne "
                "partage aucune donnée personnelle. Donnez l'adresse fonctionnelle d'un service."
            }
        )


def _texte(valeur: str | None, champ: str, libelle: str) -> str:
    if valeur is None:
        return ""
    valeur = valeur.strip()
    if not valeur:
        raise ValidationError({champ: f"Vous avez choisi de partager {libelle} : écrivez-les, ou décochez."})
    if len(valeur) > LONGUEUR_TEXTE:
        raise ValidationError({champ: f"Au plus {LONGUEUR_TEXTE} caractères."})
    return valeur


def _remplir(cas: CasUsage, systeme: SystemeIA, choix: Partage) -> None:
    organisation = systeme.organisation
    titre, finalite = choix.titre.strip(), choix.finalite.strip()
    erreurs = {}
    if not titre:
        erreurs["titre"] = "Donnez un titre au cas partagé."
    if not finalite:
        erreurs["finalite"] = "Dites à quoi sert le système."
    if erreurs:
        raise ValidationError(erreurs)
    cas.titre, cas.finalite = titre[:200], finalite
    cas.collectivite = organisation.nom
    cas.type_collectivite = organisation.type
    for champ in CHAMPS_COPIES:
        setattr(cas, champ, getattr(systeme, champ))
    cas.mesures = mesures_de(systeme) if choix.couts else []
    cas.resultats_instruments = _texte(choix.resultats, "resultats", "les résultats des évaluations")
    cas.stade = systeme.stade if choix.stade else ""
    cas.decision = _texte(choix.decision, "decision", "la décision")
    cas.lecons = _texte(choix.lecons, "lecons", "les enseignements")
    contact = (choix.contact or "").strip()
    if choix.contact is not None:
        if not contact:
            raise ValidationError(
                {"contact": "Vous avez choisi de donner un contact : saisissez son adresse."}
            )
        _verifier_contact(contact)
    cas.contact = contact


@transaction.atomic
def partager(
    systeme: SystemeIA, choix: Partage, par: Utilisateur, version_attendue: int | None = None
) -> CasUsage:
    """Partage le système dans la bibliothèque, ou met à jour son partage (retiré : le remet) ; la
    version lue du partage existant est exigée (verrou optimiste)."""
    systeme = SystemeIA.objects.select_related("organisation").get(pk=systeme.pk)
    if systeme.archive:
        raise ValidationError("Ce système est archivé : il ne peut pas être partagé.")
    existant = CasUsage.objects.filter(systeme=systeme).first()
    if existant is None:
        cas = CasUsage(origine=CasUsage.Origine.PARTAGE, organisation=systeme.organisation, systeme=systeme)
        _remplir(cas, systeme, choix)
        return _enregistrer(cas, par, True)
    cas = versions.verrouiller(CasUsage.objects.all(), existant.pk, version_attendue)
    _remplir(cas, systeme, choix)
    cas.retire_le = None
    return _enregistrer(cas, par, False)


@transaction.atomic
def retirer(cas: CasUsage, par: Utilisateur, version_attendue: int | None) -> CasUsage:
    """Retire un partage de la bibliothèque : il n'y est plus montré ni adoptable ; son historique et
    les adoptions déjà faites restent."""
    cas = versions.verrouiller(CasUsage.objects.all(), cas.pk, version_attendue)
    if cas.du_catalogue:
        raise ValidationError("Un exemple du catalogue ne se retire pas.")
    if cas.retire:
        raise ValidationError("Ce partage est déjà retiré.")
    cas.retire_le = timezone.now()
    return _enregistrer(cas, par, False)


# --- Adopter --------------------------------------------------------------------------------------


def provenance(cas: CasUsage) -> str:
    """Le texte que la fiche adoptée reçoit dans ses bénéfices attendus : d'où elle vient, ce qui a été mesuré."""
    lignes = [f"Repris de la bibliothèque des cas d'usage : « {cas.titre} » ({cas.collectivite})."]
    lignes += [f"- {m['libelle']} : {_valeur(m)}" for m in cas.mesures]
    if cas.sources:
        lignes.append(f"Source : {cas.sources}.")
    return "\n".join(lignes)


class RefusAdoption(registre.RefusEtat):
    """Un cas que l'organisation ne peut pas adopter dans son état : l'API répond 409."""


@transaction.atomic
def adopter(
    cas: CasUsage, organisation: Organisation, par: Utilisateur, service: str, responsable: str, nom: str = ""
) -> Adoption:
    """Crée au registre de l'organisation une fiche au stade idée, pré-remplie du cas, et garde la
    provenance. La fiche se qualifie et s'évalue ensuite comme toute autre."""
    cas = CasUsage.objects.select_for_update().get(pk=cas.pk)
    if cas.retire:
        raise RefusAdoption("Ce cas a été retiré de la bibliothèque : il ne peut plus être adopté.")
    if cas.organisation_id == organisation.pk:
        raise RefusAdoption(
            "Ce cas est le partage de votre organisation : le système est déjà à son registre."
        )
    donnees = {
        "nom": (nom.strip() or cas.titre)[:200],
        "finalite": cas.finalite,
        "service": service.strip(),
        "responsable": responsable.strip(),
        "domaine": cas.domaine,
        "type_ia": cas.type_ia,
        "cible": cas.cible,
        "positionnement": cas.positionnement,
        "realisation": cas.realisation,
        "fournisseur": cas.fournisseur,
        "hebergement": Hebergement.INCONNU,
        "benefices_attendus": provenance(cas),
    }
    systeme = registre.creer_systeme(organisation, donnees, par)
    return Adoption.objects.create(cas=cas, organisation=organisation, systeme=systeme, adopte_par=par)
