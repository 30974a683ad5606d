"""Extrait une fois la liste des collectivités et groupements du paquet npm d'Etalab.

Source : `@etalab/decoupage-administratif` (Etalab, données sous Licence Ouverte 2.0, code MIT),
obtenu par `npm pack @etalab/decoupage-administratif` puis décompressé. Le résultat est un CSV
compressé, versionné dans le dépôt (balise/organisations/referentiels/collectivites/) : Balise ne
va jamais le chercher en ligne. Relancer ce script à chaque nouvelle version du paquet, puis mettre
à jour PROVENANCE.md (version, date).

    cd /tmp && npm pack @etalab/decoupage-administratif && tar xzf etalab-decoupage-administratif-*.tgz
    .venv/bin/python scripts/extraire_collectivites.py /tmp/package

Colonnes : code (code INSEE d'une commune, SIREN d'un groupement, « D » + code d'un département,
« R » + code d'une région), type (commune, epci, departement, region : les valeurs de
`TypeOrganisation`), nature (commune, CC, CA, CU, METRO, MET69, EPT, departement, region), nom,
siren (vide quand la source n'en donne pas : départements et régions), population (municipale),
departement (code), epci (SIREN du groupement à fiscalité propre de la commune).
"""

import argparse
import csv
import gzip
import io
import json
import sys
from collections import Counter
from pathlib import Path

CIBLE = Path(__file__).resolve().parent.parent / "balise/organisations/referentiels/collectivites"
COLONNES = ["code", "type", "nature", "nom", "siren", "population", "departement", "epci"]


def _lire(dossier: Path, nom: str) -> list[dict]:
    with (dossier / "data" / f"{nom}.json").open(encoding="utf-8") as f:
        donnees: list[dict] = json.load(f)
    return donnees


def lignes(dossier: Path) -> list[dict[str, str]]:
    communes = [c for c in _lire(dossier, "communes") if c.get("type") == "commune-actuelle"]
    groupements = _lire(dossier, "epci") + _lire(dossier, "ept")
    epci_de: dict[str, str] = {}
    for g in _lire(dossier, "epci"):  # les EPT sont inclus dans la Métropole du Grand Paris
        for membre in g["membres"]:
            epci_de[membre["code"]] = g["code"]
    departement_de_commune = {c["code"]: c.get("departement", "") for c in communes}
    sortie: list[dict[str, str]] = []
    population_dep: Counter[str] = Counter()
    for c in communes:
        population_dep[c.get("departement", "")] += c.get("population") or 0
        sortie.append(
            {
                "code": c["code"],
                "type": "commune",
                "nature": "commune",
                "nom": c["nom"],
                "siren": c.get("siren", ""),
                "population": str(c.get("population") or ""),
                "departement": c.get("departement", ""),
                "epci": epci_de.get(c["code"], ""),
            }
        )
    for g in groupements:
        departements = Counter(departement_de_commune.get(m["code"], "") for m in g["membres"])
        sortie.append(
            {
                "code": g["code"],
                "type": "epci",
                "nature": g["type"],
                "nom": g["nom"],
                "siren": g["code"],
                "population": str(
                    g.get("populationMunicipale")
                    or sum(m.get("populationMunicipale") or 0 for m in g["membres"])
                ),
                # Le département de la plupart des communes membres (un groupement peut en chevaucher deux).
                "departement": departements.most_common(1)[0][0] if departements else "",
                "epci": "",
            }
        )
    regions = {r["code"]: r for r in _lire(dossier, "regions")}
    population_reg: Counter[str] = Counter()
    for d in _lire(dossier, "departements"):
        population_reg[d.get("region", "")] += population_dep[d["code"]]
        sortie.append(
            {
                "code": f"D{d['code']}",
                "type": "departement",
                "nature": "departement",
                "nom": d["nom"],
                "siren": "",
                "population": str(population_dep[d["code"]] or ""),
                "departement": d["code"],
                "epci": "",
            }
        )
    for code, r in regions.items():
        sortie.append(
            {
                "code": f"R{code}",
                "type": "region",
                "nature": "region",
                "nom": r["nom"],
                "siren": "",
                "population": str(population_reg[code] or ""),
                "departement": "",
                "epci": "",
            }
        )
    return sortie


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paquet", type=Path, help="dossier du paquet npm décompressé (contient data/)")
    dossier = parser.parse_args().paquet
    version = json.loads((dossier / "package.json").read_text(encoding="utf-8"))["version"]
    texte = io.StringIO()
    ecrivain = csv.DictWriter(texte, COLONNES, lineterminator="\n")
    ecrivain.writeheader()
    resultat = lignes(dossier)
    ecrivain.writerows(resultat)
    CIBLE.mkdir(parents=True, exist_ok=True)
    # mtime=0 : le même paquet donne le même fichier, octet pour octet.
    with gzip.GzipFile(CIBLE / "collectivites.csv.gz", "wb", mtime=0) as f:
        f.write(texte.getvalue().encode("utf-8"))
    nombres = Counter(ligne["type"] for ligne in resultat)
    print(f"@etalab/decoupage-administratif {version} : {len(resultat)} lignes {dict(nombres)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
