"""Les comptes de l'observatoire, lus en base par agrégats (values/annotate) : jamais un objet par
système. Ce qui est lu : les systèmes publiés de toutes les organisations (registres publics), et, de
celles qui contribuent (`Participation`), leurs systèmes non publiés, leur charte adoptée, leurs
instances, leurs sessions de formation ; de celles qui partagent leurs métiers, l'exposition des agents
de leur dernier tableau des effectifs traité ; des contributrices encore, l'usage de leur passerelle d'IA
générative le dernier mois complet (cumuls mensuels de balise/passerelle/usage.py). La « part privée »
de chaque case (calcul.py) est ce qui ne vient pas d'un registre public. Voir docs/observatoire.md."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.utils import formats, timezone

from balise.chartes.models import VersionCharte
from balise.conformite.categories import Categorie, categorie
from balise.conformite.models import Qualification
from balise.formations.models import Participation as ParticipationFormation
from balise.gouvernance.models import Instance
from balise.metiers.models import GroupeEffectif, ImportEffectifs
from balise.metiers.selectors import NON_RATTACHES, niveaux
from balise.organisations.models import Organisation
from balise.passerelle.models import UsageMensuel
from balise.passerelle.usage import mois_precedent
from balise.registre.cycle_de_vie import Stade
from balise.registre.models import SystemeIA
from balise.registre.referentiels import Domaine, Hebergement, Realisation, TypeIA

from . import referentiel
from .calcul import TOTAL, Definition, Entree, Vecteur
from .models import Participation

SYSTEMES = "Systèmes"
AGENTS = "Agents"
OUI, NON = "Oui", "Non"


@dataclass(frozen=True)
class Organisations:
    """Ce que l'observatoire sait de chaque organisation : sa strate, sa région, ses choix."""

    strate: dict[int, str]
    region: dict[int, str]
    contributrices: set[int]
    partage_metiers: set[int]

    @property
    def nombre(self) -> int:
        return len(self.strate)


def organisations() -> Organisations:
    ref = referentiel.en_vigueur()
    strate, region = {}, {}
    for pk, type_org, population, siren in Organisation.objects.values_list(
        "pk", "type", "population", "siren"
    ):
        strate[pk] = ref.strate(type_org, population)
        region[pk] = referentiel.region(siren)
    choix = Participation.objects.filter(Q(contribue=True) | Q(partage_metiers=True))
    contributrices, partage = set(), set()
    for pk, contribue, metiers in choix.values_list("organisation_id", "contribue", "partage_metiers"):
        if contribue:
            contributrices.add(pk)
        if metiers:
            partage.add(pk)
    return Organisations(strate, region, contributrices, partage)


def _definition_systemes(ident: str, titre: str, libelle: str, lignes: Iterable[str]) -> Definition:
    return Definition(
        id=ident,
        titre=titre,
        groupe="systemes",
        unite="systèmes",
        libelle_lignes=libelle,
        lignes=tuple(lignes),
        colonnes=(SYSTEMES,),
        partage_colonnes="systemes",
        partage_total="systemes",
    )


class _Cumul:
    """Les comptes d'un tableau à une colonne. Chaque (ligne, organisation) n'est ajouté qu'une fois
    (les requêtes groupent par organisation et modalité) : le nombre d'organisations d'une ligne se
    compte sans garder leurs identifiants."""

    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        self.valeurs: dict[str, int] = defaultdict(int)
        self.organisations: dict[str, int] = defaultdict(int)
        self.privees: dict[str, Vecteur] = defaultdict(dict)

    def ajouter(self, ligne: str, organisation: int, nombre: int, prives: int) -> None:
        if nombre <= 0:
            return
        self.valeurs[ligne] += nombre
        self.organisations[ligne] += 1
        if prives:
            self.privees[ligne][organisation] = prives

    def entree(self, colonne: str, toutes: int) -> Entree:
        """`toutes` : le nombre d'organisations distinctes du tableau entier (ses totaux)."""
        organisations = {(lg, colonne): n for lg, n in self.organisations.items()}
        organisations |= {(lg, TOTAL): n for lg, n in self.organisations.items()}
        organisations[(TOTAL, colonne)] = organisations[(TOTAL, TOTAL)] = toutes
        # Une valeur hors du vocabulaire actuel (niveau d'un référentiel antérieur, choix retiré) garde
        # sa ligne, après les autres : rien ne se perd en silence.
        anciennes = sorted(set(self.valeurs) - set(self.definition.lignes))
        definition = replace(self.definition, lignes=(*self.definition.lignes, *anciennes))
        return Entree(
            definition,
            {(lg, colonne): v for lg, v in self.valeurs.items()},
            organisations,
            {(lg, colonne): v for lg, v in self.privees.items()},
        )


def _systemes(orgs: Organisations) -> list[Entree]:
    ref = referentiel.en_vigueur()
    perimetre = SystemeIA.objects.filter(archive_le__isnull=True).filter(
        Q(publie=True) | Q(organisation_id__in=orgs.contributrices)
    )
    prive = Q(publie=False)
    champs: list[tuple[str, str, str, str, dict[str, str]]] = [
        ("systemes_domaine", "Systèmes par domaine", "Domaine", "domaine", dict(Domaine.choices)),
        ("systemes_type_ia", "Systèmes par type d'IA", "Type d'IA", "type_ia", dict(TypeIA.choices)),
        ("systemes_stade", "Systèmes par stade du cycle de vie", "Stade", "stade", dict(Stade.choices)),
        (
            "systemes_hebergement",
            "Systèmes par lieu d'hébergement",
            "Hébergement",
            "hebergement",
            dict(Hebergement.choices),
        ),
        (
            "systemes_realisation",
            "Systèmes par mode de réalisation",
            "Réalisation",
            "realisation",
            dict(Realisation.choices),
        ),
    ]
    # Par strate et par région de l'organisation : une ligne par organisation (et leur nombre, total
    # de tous les tableaux de systèmes).
    par_org = (
        perimetre.values("organisation_id")
        .annotate(n=Count("pk"), prives=Count("pk", filter=prive))
        .order_by()
    )
    strate = _Cumul(
        _definition_systemes("systemes_strate", "Systèmes par strate d'organisation", "Strate", ref.strates())
    )
    region = _Cumul(
        _definition_systemes("systemes_region", "Systèmes par région", "Région", ref.noms_regions)
    )
    toutes = 0
    for ligne in par_org.iterator(chunk_size=5000):
        pk = ligne["organisation_id"]
        strate.ajouter(orgs.strate[pk], pk, ligne["n"], ligne["prives"])
        region.ajouter(orgs.region[pk], pk, ligne["n"], ligne["prives"])
        toutes += 1

    entrees = []
    for ident, titre, libelle, champ, libelles in champs:
        cumul = _Cumul(_definition_systemes(ident, titre, libelle, libelles.values()))
        lignes = (
            perimetre.values("organisation_id", champ)
            .annotate(n=Count("pk"), prives=Count("pk", filter=prive))
            .order_by()
        )
        for ligne in lignes.iterator(chunk_size=5000):
            cumul.ajouter(
                libelles.get(ligne[champ], ligne[champ]),
                ligne["organisation_id"],
                ligne["n"],
                ligne["prives"],
            )
        entrees.append(cumul.entree(SYSTEMES, toutes))

    # Catégorie AI Act : tirée des conclusions de la dernière qualification (conformite/categories.py),
    # une ligne par combinaison (organisation, publication, version des règles, conclusions), cumulées
    # par (organisation, catégorie) avant d'être comptées.
    derniere = Qualification.objects.filter(systeme=OuterRef("pk")).order_by("-cree_le", "-pk")
    lignes_cat = (
        perimetre.annotate(
            v=Subquery(derniere.values("version_regles")[:1]), c=Subquery(derniere.values("conclusions")[:1])
        )
        .values("organisation_id", "publie", "v", "c")
        .annotate(n=Count("pk"))
        .order_by()
    )
    memo: dict[tuple[int | None, tuple[str, ...]], str] = {}
    par_categorie: dict[tuple[int, str], list[int]] = {}
    for ligne in lignes_cat.iterator(chunk_size=5000):
        conclusions = tuple(ligne["c"] or ())
        cle_memo = (ligne["v"], conclusions)
        if cle_memo not in memo:
            memo[cle_memo] = categorie(ligne["v"], conclusions).label
        comptes = par_categorie.setdefault((ligne["organisation_id"], memo[cle_memo]), [0, 0])
        comptes[0] += ligne["n"]
        comptes[1] += 0 if ligne["publie"] else ligne["n"]
    cumul = _Cumul(
        _definition_systemes(
            "systemes_categorie",
            "Systèmes par catégorie de l'AI Act",
            "Catégorie",
            (c.label for c in Categorie),
        )
    )
    for (organisation, libelle), (n, prives) in par_categorie.items():
        cumul.ajouter(libelle, organisation, n, prives)
    del par_categorie
    entrees.append(cumul.entree(SYSTEMES, toutes))
    return [*entrees, strate.entree(SYSTEMES, toutes), region.entree(SYSTEMES, toutes)]


INDICATEURS: list[tuple[str, str]] = [
    ("charte", "Organisations ayant adopté une charte de l'IA"),
    ("comite", "Organisations ayant une instance de gouvernance de l'IA"),
    ("formation", "Organisations ayant formé des agents à l'IA"),
    # Un environnement d'accès maîtrisé aux IA génératives (seed 001), en service le mois observé.
    ("passerelle", "Organisations ayant servi leurs agents par une passerelle d'IA générative"),
]


def mois_observe(maintenant: datetime | None = None) -> date:
    """Le mois dont l'observatoire compte l'usage de la passerelle : le dernier mois complet. Ses cumuls
    ne bougent plus : les relevés d'un même mois ont la même part privée (connue, elle ne force aucun
    secret d'évolution) ; le mois en cours changerait chaque nuit."""
    return mois_precedent(timezone.localdate(maintenant).replace(day=1))


def faits(
    organisations: QuerySet[Organisation], mois: date | None = None
) -> QuerySet[Organisation, dict[str, Any]]:
    """Pour chaque organisation : charte adoptée, instance non archivée, session de formation avec des
    participants, requête à la passerelle pendant `mois` (par défaut `mois_observe()`) : une requête,
    quel que soit leur nombre."""
    forme = ParticipationFormation.objects.filter(session__organisation=OuterRef("pk"), nombre__gt=0)
    adoptee = VersionCharte.objects.filter(organisation=OuterRef("pk"), statut=VersionCharte.Statut.ADOPTEE)
    servie = UsageMensuel.objects.filter(
        organisation=OuterRef("pk"), mois=mois or mois_observe(), requetes__gt=0
    )
    return organisations.annotate(
        charte=Exists(adoptee),
        comite=Exists(Instance.objects.filter(organisation=OuterRef("pk"), archive_le__isnull=True)),
        formation=Exists(forme),
        passerelle=Exists(servie),
    ).values("pk", *(indicateur for indicateur, _ in INDICATEURS))


def _organisations(orgs: Organisations, mois: date) -> list[Entree]:
    ref = referentiel.en_vigueur()
    lignes = faits(Organisation.objects.filter(pk__in=orgs.contributrices), mois)
    par_org = {ligne["pk"]: ligne for ligne in lignes.iterator(chunk_size=5000)}
    decoupages: list[tuple[str, str, list[str], Callable[[int], str]]] = [
        ("strate", "Strate", ref.strates(), orgs.strate.__getitem__),
        ("region", "Région", ref.noms_regions, orgs.region.__getitem__),
    ]
    entrees = []
    for indicateur, titre in INDICATEURS:
        for decoupage, libelle, lignes_possibles, rang in decoupages:
            d = Definition(
                id=f"organisations_{indicateur}_{decoupage}",
                titre=f"{titre}, par {libelle.lower()}",
                groupe="organisations",
                unite="organisations",
                libelle_lignes=libelle,
                lignes=tuple(lignes_possibles),
                colonnes=(OUI, NON),
                partage_lignes=f"contributrices_{decoupage}",
                partage_colonnes=f"organisations_{indicateur}",
                partage_total="contributrices",
            )
            membres: dict[tuple[str, str], set[int]] = defaultdict(set)
            for pk, valeurs in par_org.items():
                ligne, colonne = rang(pk), OUI if valeurs[indicateur] else NON
                for position in ((ligne, colonne), (ligne, TOTAL), (TOTAL, colonne), (TOTAL, TOTAL)):
                    membres[position].add(pk)
            cases = {p: o for p, o in membres.items() if TOTAL not in p}
            entrees.append(
                Entree(
                    d,
                    {p: len(o) for p, o in cases.items()},
                    {p: len(o) for p, o in membres.items()},
                    {p: dict.fromkeys(o, 1) for p, o in cases.items()},
                )
            )
    return entrees


def _metiers(orgs: Organisations) -> Entree:
    d = Definition(
        id="metiers_exposition",
        titre="Agents par niveau d'exposition de leur métier à l'IA",
        groupe="metiers",
        unite="agents",
        libelle_lignes="Niveau d'exposition",
        lignes=tuple(niveaux()),
        colonnes=(AGENTS,),
    )
    cumul = _Cumul(d)
    # Le dernier tableau traité de chaque organisation qui partage (quelques imports chacune).
    derniers: dict[int, int] = {}
    imports = (
        ImportEffectifs.objects.filter(organisation_id__in=orgs.partage_metiers)
        .exclude(etat__in=ImportEffectifs.NON_TRAITES)
        .order_by("organisation_id", "-cree_le", "-pk")
        .values_list("organisation_id", "pk")
    )
    for organisation, pk in imports:
        derniers.setdefault(organisation, pk)
    groupes = (
        GroupeEffectif.objects.filter(import_effectifs_id__in=list(derniers.values()))
        .values("import_effectifs__organisation_id", "libelle__niveau")
        .annotate(n=Sum("effectif"))
        .order_by()
    )
    # Niveau vide ou absent : « non rattachés », une seule ligne par organisation.
    par_niveau: dict[tuple[str, int], int] = defaultdict(int)
    for ligne in groupes.iterator(chunk_size=5000):
        cle_niveau = (ligne["libelle__niveau"] or NON_RATTACHES, ligne["import_effectifs__organisation_id"])
        par_niveau[cle_niveau] += int(ligne["n"] or 0)
    for (niveau, organisation), n in par_niveau.items():
        cumul.ajouter(niveau, organisation, n, n)
    return cumul.entree(AGENTS, len({org for (_, org), n in par_niveau.items() if n > 0}))


class _Croise:
    """Les comptes d'un tableau dont toute la valeur est privée (rien ne vient d'un registre public) :
    chaque (ligne, colonne, organisation) n'est ajouté qu'une fois ; les organisations de chaque membre,
    totaux compris, sont gardées en ensembles (les contributrices qui ont un usage : peu nombreuses)."""

    def __init__(self, definition: Definition) -> None:
        self.definition = definition
        self.valeurs: dict[tuple[str, str], int] = defaultdict(int)
        self.membres: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.privees: dict[tuple[str, str], Vecteur] = defaultdict(dict)

    def ajouter(self, ligne: str, colonne: str, organisation: int, nombre: int) -> None:
        if nombre <= 0:
            return
        self.valeurs[(ligne, colonne)] += nombre
        self.privees[(ligne, colonne)][organisation] = nombre
        for membre in ((ligne, colonne), (ligne, TOTAL), (TOTAL, colonne), (TOTAL, TOTAL)):
            self.membres[membre].add(organisation)

    def entree(self) -> Entree:
        return Entree(
            self.definition,
            dict(self.valeurs),
            {m: len(o) for m, o in self.membres.items()},
            dict(self.privees),
        )


# L'usage de la passerelle : (identifiant, titre, unité, colonnes → colonne des cumuls). Une requête a
# une seule suite : les quatre colonnes des requêtes s'additionnent en leur total.
ENVOYEES = "Envoyées telles quelles"
TITRE_REQUETES = "Requêtes des agents à la passerelle d'IA générative, par suite donnée"
MESURES_PASSERELLE: list[tuple[str, str, str, dict[str, str]]] = [
    (
        "requetes",
        TITRE_REQUETES,
        "requêtes",
        {
            ENVOYEES: "envoyees",
            "Pseudonymisées": "pseudonymisees",
            "Refusées": "refusees",
            "Sans réponse du fournisseur": "erreurs",
        },
    ),
    ("personnes", "Personnes qui se sont servies de la passerelle", "personnes", {"Personnes": "personnes"}),
    ("energie", "Énergie estimée des requêtes à la passerelle", "Wh", {"Énergie (Wh)": "energie_wh"}),
    (
        "ges",
        "Émissions de gaz à effet de serre estimées des requêtes à la passerelle",
        "g CO₂e",
        {"GES (g CO₂e)": "ges_gco2e"},
    ),
]


def _usage_par_organisation(orgs: Organisations, mois: date) -> list[dict[str, Any]]:
    """Les cumuls du mois des contributrices, une ligne par organisation (une requête). Énergie et
    émissions arrondies à l'unité par organisation : le secret compte des entiers."""
    lignes = (
        UsageMensuel.objects.filter(organisation_id__in=orgs.contributrices, mois=mois)
        .values("organisation_id")
        .annotate(
            requetes=Sum("requetes"),
            refusees=Sum("refusees"),
            pseudonymisees=Sum("pseudonymisees"),
            erreurs=Sum("erreurs"),
            energie_wh=Sum("energie_wh"),
            ges_gco2e=Sum("ges_gco2e"),
            personnes=Count("personne", distinct=True),
        )
        .order_by()
    )
    resultat = []
    for ligne in lignes.iterator(chunk_size=5000):
        valeurs = {k: round(v or 0) for k, v in ligne.items()}
        valeurs["envoyees"] = valeurs["requetes"] - valeurs["refusees"] - valeurs["pseudonymisees"]
        valeurs["envoyees"] -= valeurs["erreurs"]
        resultat.append(valeurs)
    return resultat


def _passerelle(orgs: Organisations, mois: date) -> list[Entree]:
    """L'usage de la passerelle des contributrices pendant `mois`, par strate et par région : requêtes
    par suite donnée, personnes, énergie, émissions. Tout y est privé : aucun registre public ne le dit.
    Le tableau par strate et celui par région d'une même mesure partagent leurs totaux de colonnes."""
    ref = referentiel.en_vigueur()
    usage = _usage_par_organisation(orgs, mois)
    decoupages: list[tuple[str, str, list[str], dict[int, str]]] = [
        ("strate", "Strate", ref.strates(), orgs.strate),
        ("region", "Région", ref.noms_regions, orgs.region),
    ]
    libelle_mois = formats.date_format(mois, "F Y")
    entrees = []
    for mesure, titre, unite, colonnes in MESURES_PASSERELLE:
        for decoupage, libelle, lignes_possibles, rang in decoupages:
            cumul = _Croise(
                Definition(
                    id=f"passerelle_{mesure}_{decoupage}",
                    titre=f"{titre}, en {libelle_mois}, par {libelle.lower()}",
                    groupe="passerelle",
                    unite=unite,
                    libelle_lignes=libelle,
                    lignes=tuple(lignes_possibles),
                    colonnes=tuple(colonnes),
                    partage_colonnes=f"passerelle_{mesure}",
                    partage_total=f"passerelle_{mesure}",
                )
            )
            for valeurs in usage:
                pk = valeurs["organisation_id"]
                for colonne, champ in colonnes.items():
                    cumul.ajouter(rang[pk], colonne, pk, valeurs[champ])
            entrees.append(cumul.entree())
    return entrees


def entrees(orgs: Organisations, maintenant: datetime | None = None) -> list[Entree]:
    """Tous les tableaux de l'observatoire, dans l'ordre de la page ; l'usage de la passerelle est celui
    du dernier mois complet à `maintenant`."""
    mois = mois_observe(maintenant)
    return [*_systemes(orgs), *_organisations(orgs, mois), _metiers(orgs), *_passerelle(orgs, mois)]
