"""Les tableaux d'un relevé tels que les montre la page publique : chiffres à la française, « secret »
et son motif, part en % des organisations quand les deux chiffres sont publiés."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .calcul import MOTIFS
from .extraction import OUI, TITRE_REQUETES

_ESPACE_FINE = "\u202f"
# Renvois de la page vers la liste des motifs.
RENVOIS = {motif: numero for numero, motif in enumerate(MOTIFS, 1)}


def nombre(valeur: int) -> str:
    return f"{valeur:,}".replace(",", _ESPACE_FINE)


@dataclass(frozen=True)
class Chiffre:
    texte: str
    motif: str | None

    @property
    def renvoi(self) -> int | None:
        return RENVOIS.get(self.motif) if self.motif else None


def chiffre(membre: dict[str, Any]) -> Chiffre:
    if membre["valeur"] is None:
        return Chiffre("secret", membre["secret"])
    return Chiffre(nombre(membre["valeur"]), None)


@dataclass(frozen=True)
class Rang:
    libelle: str
    chiffres: list[Chiffre]
    part: str  # « 42 % », « secret » ou vide


@dataclass(frozen=True)
class Tableau:
    id: str
    titre: str
    groupe: str
    unite: str
    libelle_lignes: str
    entetes: list[str]
    rangs: list[Rang]
    total: Rang
    nombre_secrets: int


def _part(table: dict[str, Any], rang: dict[str, Any]) -> str:
    if table["groupe"] != "organisations":
        return ""
    oui, total = rang["cases"][table["colonnes"].index(OUI)]["valeur"], rang["total"]["valeur"]
    if oui is None or total is None:
        return "secret"
    return f"{round(100 * oui / total)}\u00a0%" if total else "—"


def tableau(table: dict[str, Any]) -> Tableau:
    une_colonne = len(table["colonnes"]) == 1

    def rang(r: dict[str, Any], libelle: str) -> Rang:
        membres = r["cases"] if une_colonne else [*r["cases"], r["total"]]
        return Rang(libelle, [chiffre(m) for m in membres], _part(table, r))

    rangs = [rang(r, r["libelle"]) for r in table["lignes"]]
    total = rang(table["totaux"], "Total")
    entetes = list(table["colonnes"]) if une_colonne else [*table["colonnes"], "Total"]
    if table["groupe"] == "organisations":
        entetes.append("Part « oui »")
    secrets = sum(c.motif is not None for r in [*rangs, total] for c in r.chiffres)
    return Tableau(
        table["id"],
        table["titre"],
        table["groupe"],
        table["unite"],
        table["libelle_lignes"],
        entetes,
        rangs,
        total,
        secrets,
    )


def motifs() -> list[tuple[int, str, str]]:
    return [(RENVOIS[m], m, texte) for m, texte in MOTIFS.items()]


# Les séries de l'évolution : le total général de trois tableaux, relevé après relevé.
SERIES = [
    ("systemes_domaine", "Systèmes d'IA"),
    ("organisations_charte_strate", "Organisations contributrices"),
    ("metiers_exposition", "Agents couverts par les métiers partagés"),
]


@dataclass(frozen=True)
class Evolution:
    entetes: list[str]
    rangs: list[tuple[str, list[Chiffre]]]


def evolution(points: list[Any]) -> Evolution:
    absent = {"valeur": 0, "secret": None}
    return Evolution(
        [titre for _, titre in SERIES],
        [
            (
                f"{p.calcule_le:%d/%m/%Y %H:%M}",
                [chiffre(p.synthese.get(ident, absent)) for ident, _ in SERIES],
            )
            for p in points
        ],
    )


def _part_chiffre(oui: dict[str, Any], total: dict[str, Any]) -> Chiffre:
    if oui["valeur"] is None or total["valeur"] is None:
        return Chiffre("secret", oui["secret"] or total["secret"])
    return Chiffre(f"{round(100 * oui['valeur'] / total['valeur'])}\u00a0%" if total["valeur"] else "—", None)


def organisations(tables: list[dict[str, Any]], decoupage: str, libelle: str) -> Tableau | None:
    """Les trois indicateurs d'un même découpage (strate ou région) en un tableau : organisations
    contributrices (total de ligne, commun aux trois), puis, pour chaque indicateur, le nombre de « oui »
    et sa part. Mêmes chiffres, mêmes secrets que les tableaux publiés (JSON, CSV) ; le « non » se
    déduit de ceux-ci quand les deux sont publiés, et n'est alors jamais secret."""
    choisis = [t for t in tables if t["groupe"] == "organisations" and t["id"].endswith(f"_{decoupage}")]
    if not choisis:
        return None
    premier = choisis[0]
    entetes = ["Organisations contributrices"]
    for t in choisis:
        nom = t["titre"].removeprefix("Organisations ayant ").split(",")[0]
        entetes += [f"Ayant {nom}", "Part"]

    def rang(libelle_rang: str, rangs: list[dict[str, Any]]) -> Rang:
        chiffres = [chiffre(rangs[0]["total"])]
        for t, r in zip(choisis, rangs, strict=True):
            oui = r["cases"][t["colonnes"].index(OUI)]
            chiffres += [chiffre(oui), _part_chiffre(oui, r["total"])]
        return Rang(libelle_rang, chiffres, "")

    par_libelle = [{r["libelle"]: r for r in t["lignes"]} for t in choisis]
    rangs = [
        rang(ligne["libelle"], [lignes[ligne["libelle"]] for lignes in par_libelle])
        for ligne in premier["lignes"]
    ]
    total = rang("Total", [t["totaux"] for t in choisis])
    secrets = sum(c.motif is not None for r in [*rangs, total] for c in r.chiffres)
    titre = f"Gouvernance des organisations contributrices, par {libelle.lower()}"
    return Tableau(
        f"organisations_{decoupage}",
        titre,
        "organisations",
        "organisations",
        libelle,
        entetes,
        rangs,
        total,
        secrets,
    )


_ZERO = {"valeur": 0, "secret": None}


def _decimal(valeur: float, decimales: int) -> str:
    return f"{valeur:,.{decimales}f}".replace(",", _ESPACE_FINE).replace(".", ",")


def _rapport(
    numerateur: dict[str, Any], denominateur: dict[str, Any], facteur: int = 1, decimales: int = 1
) -> Chiffre:
    """Un rapport de deux chiffres publiés ; « secret » dès que l'un l'est (il ne dit rien de plus
    qu'eux) ; « — » sur un dénominateur nul."""
    if numerateur["valeur"] is None or denominateur["valeur"] is None:
        return Chiffre("secret", numerateur["secret"] or denominateur["secret"])
    if not denominateur["valeur"]:
        return Chiffre("—", None)
    valeur = facteur * numerateur["valeur"] / denominateur["valeur"]
    return Chiffre(f"{round(valeur)}\u00a0%" if facteur == 100 else _decimal(valeur, decimales), None)


def passerelle(tables: list[dict[str, Any]], decoupage: str, libelle: str) -> Tableau | None:
    """Les quatre tableaux de l'usage de la passerelle d'un découpage en un : requêtes, part refusée et
    part pseudonymisée, personnes, requêtes par personne, énergie et émissions pour 1 000 requêtes. Tirés
    des seuls chiffres publiés (JSON, CSV) : un rapport est « secret » dès qu'un de ses termes l'est."""
    par_id = {t["id"]: t for t in tables if t["groupe"] == "passerelle"}
    mesures = ["requetes", "personnes", "energie", "ges"]
    choisis = [par_id.get(f"passerelle_{m}_{decoupage}") for m in mesures]
    if any(t is None for t in choisis):
        return None
    tableaux: list[dict[str, Any]] = [t for t in choisis if t is not None]
    colonnes = tableaux[0]["colonnes"]
    libelles = list(dict.fromkeys(r["libelle"] for t in tableaux for r in t["lignes"]))
    par_libelle = [{r["libelle"]: r for r in t["lignes"]} for t in tableaux]

    def rang(libelle_rang: str, rangs: list[dict[str, Any] | None]) -> Rang:
        # Une ligne absente d'un tableau y est vide : elle vaut zéro (jamais secrète).
        vides: list[dict[str, Any]] = [
            {"cases": [_ZERO] * len(t["colonnes"]), "total": _ZERO} for t in tableaux
        ]
        r, p, e, g = (vide if x is None else x for x, vide in zip(rangs, vides, strict=True))
        total = r["total"]
        chiffres = [
            chiffre(total),
            _rapport(r["cases"][colonnes.index("Refusées")], total, 100),
            _rapport(r["cases"][colonnes.index("Pseudonymisées")], total, 100),
            chiffre(p["total"]),
            _rapport(total, p["total"]),
            _rapport(e["total"], total, 1000, 0),
            _rapport(g["total"], total, 1000, 0),
        ]
        return Rang(libelle_rang, chiffres, "")

    rangs = [rang(lg, [lignes.get(lg) for lignes in par_libelle]) for lg in libelles]
    total = rang("Total", [t["totaux"] for t in tableaux])
    entetes = [
        "Requêtes",
        "Part refusée",
        "Part pseudonymisée",
        "Personnes",
        "Requêtes par personne",
        "Énergie pour 1 000 requêtes (Wh)",
        "Émissions pour 1 000 requêtes (g CO₂e)",
    ]
    titre = tableaux[0]["titre"].replace(TITRE_REQUETES, "Usage de la passerelle d'IA générative")
    secrets = sum(c.motif is not None for r in [*rangs, total] for c in r.chiffres)
    return Tableau(
        f"passerelle_{decoupage}", titre, "passerelle", "requêtes", libelle, entetes, rangs, total, secrets
    )
