"""Ce que la passerelle dit de l'usage réel (issue 18, point 7) : les totaux d'une période d'une
organisation, par modèle et par service, et l'usage mois par mois des modèles d'une fiche du registre.

Tout est lu dans les cumuls mensuels (`UsageMensuel` : mois × modèle × service × personne), tenus à
chaque requête notée (`cumuler`, dans la transaction du journal) : quelques milliers de lignes par mois
au lieu de centaines de milliers de requêtes, sans cache. Le journal reste la source : `recalculer`
refait les cumuls d'une organisation à partir de lui (reprise, données importées, banc)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from balise.organisations.models import Organisation
from balise.passerelle.models import Action, ModeleCatalogue, Requete, UsageMensuel

_SOMMES = ("requetes", "refusees", "pseudonymisees", "erreurs", "jetons_entree", "jetons_sortie", "cout",
           "energie_wh", "ges_gco2e", "eau_l")  # fmt: skip
_CLASSES = {"interne": "avec_interne", "personnelle": "avec_personnelle", "sensible": "avec_sensible"}
_AGREGATS = {
    **{nom: Sum(nom) for nom in _SOMMES + tuple(_CLASSES.values())},
    "personnes": Count("personne", distinct=True),
}


@dataclass(frozen=True)
class Ligne:
    """Un total : celui de la période, d'un modèle, d'un service ou d'un mois d'une fiche."""

    libelle: str
    requetes: int = 0
    personnes: int = 0
    refusees: int = 0
    pseudonymisees: int = 0
    erreurs: int = 0
    jetons_entree: int = 0
    jetons_sortie: int = 0
    cout: Decimal = Decimal(0)
    energie_wh: float = 0.0
    ges_gco2e: float = 0.0
    eau_l: float = 0.0

    @property
    def parties(self) -> int:
        """Les requêtes parties avec une réponse (envoyées ou pseudonymisées) : ce que compte un quota."""
        return self.requetes - self.refusees - self.erreurs

    @classmethod
    def de(cls, libelle: str, valeurs: dict[str, Any]) -> Ligne:
        champs = cls.__dataclass_fields__.keys() - {"libelle"}
        return cls(libelle, **{k: v for k, v in valeurs.items() if k in champs and v is not None})


def mois_suivant(mois: date) -> date:
    return (mois.replace(day=28) + timedelta(days=4)).replace(day=1)


def mois_precedent(mois: date) -> date:
    return (mois.replace(day=1) - timedelta(days=1)).replace(day=1)


def _minuit(jour: date) -> datetime:
    return timezone.make_aware(datetime.combine(jour, datetime.min.time()))


def bornes(mois: date) -> tuple[datetime, datetime]:
    """Du premier du mois à minuit (heure locale) au premier du mois suivant."""
    return _minuit(mois.replace(day=1)), _minuit(mois_suivant(mois))


# --- Tenir les cumuls ----------------------------------------------------------------------------------


def _increments(requete: Requete) -> dict[str, Any]:
    increments: dict[str, Any] = {
        "requetes": 1,
        "refusees": int(requete.action == Action.REFUSE),
        "pseudonymisees": int(requete.action == Action.PSEUDONYMISE),
        "erreurs": int(requete.action == Action.ERREUR),
        "jetons_entree": requete.jetons_entree,
        "jetons_sortie": requete.jetons_sortie,
        "cout": requete.cout_euros or Decimal(0),
        "energie_wh": requete.energie_wh or 0.0,
        "ges_gco2e": requete.ges_gco2e or 0.0,
        "eau_l": requete.eau_l or 0.0,
    }
    for classe, colonne in _CLASSES.items():
        increments[colonne] = int(classe in requete.classes)
    return increments


def cumuler(requete: Requete) -> None:
    """Ajoute une requête notée à son cumul du mois (à appeler dans la transaction qui la note)."""
    cle = {
        "organisation_id": requete.organisation_id,
        "mois": timezone.localdate(requete.le).replace(day=1),
        "modele_id": requete.modele_id,
        "service": requete.service,
        "personne_id": requete.personne_id,
    }
    increments = _increments(requete)
    if requete.personne_id is not None:
        _ajouter(cle, increments)
        return
    # Sans personne (compte supprimé, rare), pas de contrainte d'unicité pour `ON CONFLICT`.
    ajout = {nom: F(nom) + valeur for nom, valeur in increments.items() if valeur}
    if UsageMensuel.objects.filter(**cle).update(**ajout):
        return
    try:
        with transaction.atomic():  # deux premières requêtes du mois en même temps : une seule ligne
            UsageMensuel.objects.create(**cle, **increments)
    except IntegrityError:
        UsageMensuel.objects.filter(**cle).update(**ajout)


def _ajouter(cle: dict[str, Any], increments: dict[str, Any]) -> None:
    """Le cumul créé ou augmenté en une seule instruction (`INSERT … ON CONFLICT … DO UPDATE`, sur la
    contrainte `usage_mensuel_unique` ; PostgreSQL, SQLite ≥ 3.24) : un aller-retour au lieu de deux,
    sans point de reprise, et sans compiler une expression F() par colonne (≈ 1,5 ms par requête notée,
    docs/performances.md). Deux premières requêtes du mois en même temps donnent une seule ligne."""
    q = connection.ops.quote_name
    table = q(UsageMensuel._meta.db_table)
    colonnes = {**cle, **increments}
    champs = {f.attname: f for f in UsageMensuel._meta.concrete_fields}
    valeurs = [champs[nom].get_db_prep_value(valeur, connection) for nom, valeur in colonnes.items()]
    # Noms de colonnes tirés du modèle, valeurs en paramètres : rien ne vient de la requête HTTP.
    marques = ", ".join(["%s"] * len(colonnes))
    inserer = f"INSERT INTO {table} ({', '.join(q(c) for c in colonnes)}) VALUES ({marques})"  # noqa: S608
    conflit = f"ON CONFLICT ({', '.join(q(c) for c in cle)}) WHERE {q('personne_id')} IS NOT NULL"
    ajouter = ", ".join(f"{q(c)} = {table}.{q(c)} + excluded.{q(c)}" for c in increments)
    with connection.cursor() as curseur:
        curseur.execute(f"{inserer} {conflit} DO UPDATE SET {ajouter}", valeurs)


@transaction.atomic
def recalculer(organisation: Organisation) -> int:
    """Refait tous les cumuls de l'organisation à partir du journal ; rend le nombre de lignes."""
    UsageMensuel.objects.filter(organisation=organisation).delete()
    journal = Requete.objects.filter(organisation=organisation).annotate(mois=TruncMonth("le"))
    sommes = {
        "requetes": Count("pk"),
        "refusees": Count("pk", filter=Q(action=Action.REFUSE)),
        "pseudonymisees": Count("pk", filter=Q(action=Action.PSEUDONYMISE)),
        "erreurs": Count("pk", filter=Q(action=Action.ERREUR)),
        "jetons_entree": Sum("jetons_entree"),
        "jetons_sortie": Sum("jetons_sortie"),
        "cout": Sum("cout_euros"),
        "energie_wh": Sum("energie_wh"),
        "ges_gco2e": Sum("ges_gco2e"),
        "eau_l": Sum("eau_l"),
        # Le texte JSON de la liste : « contains » sur un JSON n'existe pas sous SQLite.
        **{colonne: Count("pk", filter=Q(classes__icontains=f'"{c}"')) for c, colonne in _CLASSES.items()},
    }
    lignes = [
        UsageMensuel(
            organisation=organisation,
            mois=timezone.localtime(v.pop("mois")).date()
            if isinstance(v["mois"], datetime)
            else v.pop("mois"),
            **{k: (0 if val is None else val) for k, val in v.items()},
        )
        for v in journal.values("mois", "modele_id", "service", "personne_id").annotate(**sommes).order_by()
    ]
    UsageMensuel.objects.bulk_create(lignes, batch_size=2000)
    return len(lignes)


# --- Les lire ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Totaux:
    total: Ligne
    par_modele: list[Ligne] = field(default_factory=list)
    par_service: list[Ligne] = field(default_factory=list)
    classes: dict[str, int] = field(default_factory=dict)


def totaux(organisation: Organisation, premier_mois: date, dernier_mois: date) -> Totaux:
    """Les mois de `premier_mois` à `dernier_mois` compris : trois requêtes sur les cumuls."""
    cumuls = UsageMensuel.objects.filter(
        organisation=organisation,
        mois__gte=premier_mois.replace(day=1),
        mois__lte=dernier_mois.replace(day=1),
    )
    total = cumuls.aggregate(**_AGREGATS)
    par_modele = (
        cumuls.values("modele__libelle").annotate(**_AGREGATS).order_by("-requetes", "modele__libelle")
    )
    par_service = cumuls.values("service").annotate(**_AGREGATS).order_by("-requetes", "service")
    classes = {c: total[colonne] for c, colonne in _CLASSES.items() if total[colonne]}
    return Totaux(
        Ligne.de("Total", total),
        [Ligne.de(v["modele__libelle"], v) for v in par_modele],
        [Ligne.de(v["service"] or "Service non indiqué", v) for v in par_service],
        classes,
    )


@dataclass(frozen=True)
class UsageDuMois:
    mois: date
    total: Ligne
    par_modele: list[Ligne] = field(default_factory=list)
    par_service: list[Ligne] = field(default_factory=list)
    classes: dict[str, int] = field(default_factory=dict)

    @property
    def precedent(self) -> date:
        return mois_precedent(self.mois)

    @property
    def suivant(self) -> date:
        return mois_suivant(self.mois)


def du_mois(organisation: Organisation, mois: date) -> UsageDuMois:
    t = totaux(organisation, mois, mois)
    return UsageDuMois(mois.replace(day=1), t.total, t.par_modele, t.par_service, t.classes)


def par_mois_de_la_fiche(systeme_id: int, nombre: int = 6) -> list[Ligne]:
    """L'usage des modèles du catalogue rattachés à une fiche du registre, mois par mois, sur les
    `nombre` derniers mois (le mois en cours compris)."""
    premier = timezone.localdate().replace(day=1)
    for _ in range(nombre - 1):
        premier = mois_precedent(premier)
    lignes = (
        UsageMensuel.objects.filter(modele__systeme_id=systeme_id, mois__gte=premier)
        .values("mois")
        .annotate(**_AGREGATS)
        .order_by("mois")
    )
    return [Ligne.de(f"{v['mois']:%m/%Y}", v) for v in lignes]


# --- L'usage récent, fiche par fiche (portefeuille du registre) ----------------------------------------


@dataclass(frozen=True)
class UsageDeFiche:
    """Le mois dernier et le mois en cours des modèles du catalogue rattachés à une fiche du registre."""

    systeme_id: int
    nom: str
    archivee: bool  # une fiche archivée n'a plus de page d'usage : pas de lien
    mois_dernier: Ligne
    mois_en_cours: Ligne


@dataclass(frozen=True)
class Periode:
    """Un des deux mois, tel que le portefeuille le montre : chaque fiche et sa ligne, et le total."""

    mois: date
    en_cours: bool
    total: Ligne
    fiches: list[tuple[UsageDeFiche, Ligne]]


@dataclass(frozen=True)
class UsageRecent:
    mois_dernier: date
    mois_en_cours: date
    total_dernier: Ligne
    total_en_cours: Ligne
    fiches: list[UsageDeFiche] = field(default_factory=list)

    @property
    def periodes(self) -> list[Periode]:
        return [
            Periode(self.mois_dernier, False, self.total_dernier, [(f, f.mois_dernier) for f in self.fiches]),
            Periode(
                self.mois_en_cours, True, self.total_en_cours, [(f, f.mois_en_cours) for f in self.fiches]
            ),
        ]


def recent_par_fiche(organisation: Organisation, aujourd_hui: date | None = None) -> UsageRecent:
    """Le dernier mois complet et le mois en cours (jusqu'à aujourd'hui), par fiche du registre et en
    tout : deux requêtes d'agrégat sur les cumuls, quel que soit le nombre de fiches et de requêtes. Les
    personnes se comptent à part pour le total : une même personne sert plusieurs modèles."""
    en_cours = (aujourd_hui or timezone.localdate()).replace(day=1)
    dernier = mois_precedent(en_cours)
    cumuls = UsageMensuel.objects.filter(organisation=organisation, mois__in=(dernier, en_cours))
    totaux_par_mois = {v["mois"]: v for v in cumuls.values("mois").annotate(**_AGREGATS).order_by()}
    par_fiche: dict[int, dict[Any, Any]] = {}  # nom, archivée, et les cumuls de chaque mois
    for v in cumuls.values(
        "mois", "modele__systeme_id", "modele__systeme__nom", "modele__systeme__archive_le"
    ).annotate(**_AGREGATS).order_by():  # fmt: skip
        fiche = par_fiche.setdefault(v["modele__systeme_id"], {"nom": v["modele__systeme__nom"]})
        fiche["archivee"] = v["modele__systeme__archive_le"] is not None
        fiche[v["mois"]] = v
    fiches = [
        UsageDeFiche(
            pk,
            f["nom"],
            f["archivee"],
            Ligne.de(f"{dernier:%m/%Y}", f.get(dernier, {})),
            Ligne.de(f"{en_cours:%m/%Y}", f.get(en_cours, {})),
        )
        for pk, f in par_fiche.items()
    ]
    fiches.sort(key=lambda f: (-(f.mois_dernier.requetes + f.mois_en_cours.requetes), f.nom, f.systeme_id))
    return UsageRecent(
        dernier,
        en_cours,
        Ligne.de(f"{dernier:%m/%Y}", totaux_par_mois.get(dernier, {})),
        Ligne.de(f"{en_cours:%m/%Y}", totaux_par_mois.get(en_cours, {})),
        fiches,
    )


def a_un_catalogue(organisation: Organisation) -> bool:
    """L'organisation a-t-elle (eu) des modèles au catalogue ? Sans eux, aucun usage possible (le cumul
    protège son modèle de la suppression) ; leur enregistrement renouvelle les pages en cache
    (passerelle/fraicheur.py)."""
    return ModeleCatalogue.objects.filter(organisation=organisation).exists()


# --- Ce que chacun voit de son propre usage, et une mutualisante de celui de ses membres -----------


def de_la_personne(organisation: Organisation, personne_id: int, mois: date) -> Ligne:
    """Le mois de la personne, pour elle seule (page de conversation) : une requête sur ses cumuls."""
    cumuls = UsageMensuel.objects.filter(
        organisation=organisation, mois=mois.replace(day=1), personne_id=personne_id
    )
    return Ligne.de("Vous", cumuls.aggregate(**_AGREGATS))


def par_membre(mutualisante: Organisation, mois: date) -> list[Ligne]:
    """L'usage, ce mois-là, des modèles que la mutualisante partage, par membre qui les a repris : elle
    tient le contrat et la clé du fournisseur, et suit ou refacture ce que chacun consomme. Un total par
    organisation, jamais par personne ni par service (mutualisation/modeles_partages.py)."""
    lignes = (
        UsageMensuel.objects.filter(modele__amont__organisation=mutualisante, mois=mois.replace(day=1))
        .values("organisation__nom")
        .annotate(**_AGREGATS)
        .order_by("-requetes", "organisation__nom")
    )
    return [Ligne.de(v["organisation__nom"], v) for v in lignes]
