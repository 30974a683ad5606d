"""Le schéma de la politique des portes du cycle de vie et sa lecture.

La politique est un fichier YAML versionné (`politiques/portes-v<N>.yaml`) : pour chaque stade visé
(et pour la publication au registre public), les critères à remplir avant le passage. Chaque critère
est d'un type que le moteur (`portes.py`) sait évaluer, paramétré par le fichier. Ce module ne fait
que valider ; il garantit en particulier qu'aucune politique n'enlève le critère bloquant des
pratiques interdites aux portes de l'expérimentation, de la production et de la publication.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from balise.conformite import regles
from balise.validation import DonneesInvalides, FichiersVersionnes, lire_yaml, messages_en_francais

DOSSIER = Path(__file__).parent / "politiques"

Identifiant = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,59}$")]
Texte = Annotated[str, Field(min_length=1, max_length=4000)]

TypeCritere = Literal[
    "champs_renseignes",
    "evaluation",
    "qualification_a_jour",
    "obligation_remplie",
    "decision",
    "conditions_levees",
    "aucune_pratique_interdite",
]
# Ce que chaque type de critère attend comme paramètres (les autres lui sont interdits).
PARAMETRES: dict[str, frozenset[str]] = {
    "champs_renseignes": frozenset({"champs"}),
    "evaluation": frozenset({"instrument", "moments", "statuts"}),
    "qualification_a_jour": frozenset(),
    "obligation_remplie": frozenset({"obligations"}),
    "decision": frozenset({"sens"}),
    "conditions_levees": frozenset(),
    "aucune_pratique_interdite": frozenset(),
}
OBLIGATOIRES: dict[str, frozenset[str]] = {
    "champs_renseignes": frozenset({"champs"}),
    "evaluation": frozenset({"instrument"}),
    "obligation_remplie": frozenset({"obligations"}),
    "decision": frozenset({"sens"}),
}
TOUS_PARAMETRES = ("champs", "instrument", "moments", "statuts", "obligations", "sens")

# Les portes que toute politique doit avoir, chacune avec le critère bloquant des pratiques interdites.
PORTES_PROTEGEES = ("experimentation", "production", "publication")
NomPorte = Literal["etude", "experimentation", "decision", "production", "publication"]

# Valeurs permises des paramètres : celles que connaissent la fiche, les instruments, les décisions.
# Les champs de la fiche qu'un critère `champs_renseignes` peut exiger, avec leur libellé.
CHAMPS_FICHE: dict[str, str] = {
    "finalite": "finalité",
    "service": "service porteur",
    "responsable": "responsable",
    "fournisseur": "fournisseur",
    "modeles": "modèles utilisés",
    "hebergeur": "hébergeur",
    "donnees": "données utilisées",
    "sources_donnees": "sources des données",
    "contribution_decision": "contribution aux décisions",
    "regles_traitement": "règles du traitement",
    "supervision_humaine": "supervision humaine",
    "mode_degrade": "mode dégradé",
    "cout_investissement": "coût d'investissement",
    "cout_annuel": "coût annuel",
    "benefices_attendus": "bénéfices attendus",
    "contact": "contact pour le public",
}
MOMENTS = frozenset({"amont", "preparation", "avant_production", "bilan"})
STATUTS_EVALUATION = frozenset({"en_cours", "finalisee"})
SENS_DECISION = frozenset({"experimenter", "mettre_en_production", "poursuivre", "arreter", "abandonner"})
# Les mêmes, avec leur libellé, dans l'ordre où les pages les proposent.
LIBELLES_MOMENTS: dict[str, str] = {
    "amont": "en amont du projet",
    "preparation": "pendant la préparation",
    "avant_production": "avant la mise en production",
    "bilan": "bilan",
}
LIBELLES_STATUTS: dict[str, str] = {"en_cours": "en cours", "finalisee": "finalisée"}
LIBELLES_SENS: dict[str, str] = {
    "experimenter": "expérimenter",
    "mettre_en_production": "mettre en production",
    "poursuivre": "poursuivre",
    "arreter": "arrêter",
    "abandonner": "abandonner",
}
LIBELLES_TYPES: dict[str, str] = {
    "champs_renseignes": "champs de la fiche renseignés",
    "evaluation": "évaluation par un instrument",
    "qualification_a_jour": "qualification réglementaire à jour",
    "obligation_remplie": "obligations remplies",
    "decision": "décision de l'instance",
    "conditions_levees": "réserves et conditions levées",
    "aucune_pratique_interdite": "aucune pratique interdite (AI Act, art. 5)",
}
LIBELLES_PORTES: dict[str, str] = {
    "etude": "Passer à l'étude",
    "experimentation": "Entrer en expérimentation",
    "decision": "Passer à la décision",
    "production": "Mettre en production",
    "publication": "Publier au registre public",
}
# La source d'un critère qu'une organisation fixe elle-même (délibération, note de la direction…) :
# une politique adaptée la déclare dès qu'un critère la cite.
SOURCE_ORGANISATION = "organisation"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reference(Strict):
    source: Identifiant
    article: Texte


class Source(Strict):
    titre: Texte
    url: str | None = None


class Critere(Strict):
    id: Identifiant
    type: TypeCritere
    libelle: Texte
    # Un critère bloquant ne se passe jamais, même par un administrateur qui le justifie.
    bloquant: bool = False
    champs: list[str] = Field(default_factory=list, max_length=30)
    instrument: Identifiant | None = None
    moments: list[str] = Field(default_factory=list, max_length=4)
    statuts: list[str] = Field(default_factory=list, max_length=2)
    obligations: list[Identifiant] = Field(default_factory=list, max_length=20)
    sens: list[str] = Field(default_factory=list, max_length=5)
    references: list[Reference] = Field(min_length=1)

    @model_validator(mode="after")
    def _parametres(self) -> Critere:
        erreurs: list[str] = []
        permis = PARAMETRES[self.type]
        for nom in TOUS_PARAMETRES:
            valeur = getattr(self, nom)
            if valeur and nom not in permis:
                erreurs.append(f"le critère « {self.id} » ({self.type}) ne prend pas de paramètre « {nom} »")
        for nom in OBLIGATOIRES.get(self.type, frozenset()):
            if not getattr(self, nom):
                erreurs.append(f"le critère « {self.id} » ({self.type}) exige le paramètre « {nom} »")
        for nom, connues in (
            ("champs", CHAMPS_FICHE),
            ("moments", MOMENTS),
            ("statuts", STATUTS_EVALUATION),
            ("sens", SENS_DECISION),
        ):
            erreurs += [
                f"le critère « {self.id} » : « {v} » n'est pas une valeur possible de « {nom} »"
                for v in getattr(self, nom)
                if v not in connues
            ]
        if self.type == "aucune_pratique_interdite" and not self.bloquant:
            erreurs.append(f"le critère « {self.id} » (pratique interdite) est toujours bloquant")
        if erreurs:
            raise ValueError(" ; ".join(erreurs))
        return self


class Porte(Strict):
    libelle: Texte
    explication: Texte
    criteres: list[Critere] = Field(min_length=1, max_length=30)


class Politique(Strict):
    version: int = Field(ge=1)
    titre: Texte
    avertissement: Texte
    mise_a_jour: date
    sources: dict[Identifiant, Source]
    portes: dict[NomPorte, Porte]

    @model_validator(mode="after")
    def _coherence(self) -> Politique:
        erreurs: list[str] = []
        for nom in PORTES_PROTEGEES:
            porte = self.portes.get(nom)  # type: ignore[call-overload]  # clé littérale
            if porte is None:
                erreurs.append(f"la porte « {nom} » est obligatoire")
            elif not any(c.type == "aucune_pratique_interdite" for c in porte.criteres):
                erreurs.append(
                    f"la porte « {nom} » doit garder le critère bloquant « aucune_pratique_interdite » "
                    "(AI Act, art. 5)"
                )
        for nom, porte in self.portes.items():
            ids = [c.id for c in porte.criteres]
            erreurs += [
                f"porte « {nom} » : critère « {i} » défini deux fois"
                for i in sorted({i for i in ids if ids.count(i) > 1})
            ]
            erreurs += [
                f"porte « {nom} » : « {c.id} » cite la source inconnue « {r.source} »"
                for c in porte.criteres
                for r in c.references
                if r.source not in self.sources
            ]
            erreurs += [
                f"porte « {nom} » : « {c.id} » cite l'obligation inconnue « {o} »"
                for c in porte.criteres
                for o in c.obligations
                if o not in _obligations_connues()
            ]
        if erreurs:
            raise ValueError(" ; ".join(erreurs))
        return self


def _obligations_connues() -> frozenset[str]:
    """Les obligations des règles de qualification livrées (toutes versions)."""
    return frozenset(obligations_connues())


def obligations_connues() -> dict[str, str]:
    """Les obligations qu'un critère peut citer, avec leur titre (la version la plus récente l'emporte)."""
    return {o.id: o.titre for n in sorted(regles.fichiers()) for o in regles.version(n).obligations}


class PolitiqueInvalide(DonneesInvalides):
    pass


def lire(texte: str) -> Politique:
    return lire_yaml(texte, Politique, "politique", PolitiqueInvalide)


_VERSIONS = FichiersVersionnes(
    DOSSIER, "portes", lire, PolitiqueInvalide, "Politique des portes v{numero} introuvable."
)


def valider(donnees: Any) -> Politique:
    """Une politique reçue en données (JSON d'une adaptation, contenu gardé en base), validée par le
    même schéma que les fichiers livrés ; `PolitiqueInvalide` porte les erreurs en français."""
    try:
        return Politique.model_validate(donnees)
    except ValidationError as exc:
        raise PolitiqueInvalide(messages_en_francais(exc, "politique")) from None


def en_donnees(politique: Politique) -> dict[str, Any]:
    """La politique en JSON (dates en texte), telle que la garde une version adaptée."""
    return politique.model_dump(mode="json")


def _valeurs(nom: str, valeurs: list[str] | str | None) -> str:
    if not valeurs:
        return "aucun"
    libelles = {
        "champs": CHAMPS_FICHE,
        "moments": LIBELLES_MOMENTS,
        "statuts": LIBELLES_STATUTS,
        "sens": LIBELLES_SENS,
    }.get(nom) or (obligations_connues() if nom == "obligations" else {})
    liste = [valeurs] if isinstance(valeurs, str) else valeurs
    return ", ".join(libelles.get(v, v) for v in liste)


_NOMS_PARAMETRES = {
    "champs": "champs",
    "instrument": "instrument",
    "moments": "moments",
    "statuts": "statuts",
    "obligations": "obligations",
    "sens": "sens de la décision",
}


def _differences_critere(avant: Critere, apres: Critere) -> list[str]:
    changes = []
    if avant.libelle != apres.libelle:
        changes.append(f"libellé « {avant.libelle} » devenu « {apres.libelle} »")
    if avant.bloquant != apres.bloquant:
        changes.append("devient bloquant" if apres.bloquant else "n'est plus bloquant")
    for nom in TOUS_PARAMETRES:
        a, b = getattr(avant, nom), getattr(apres, nom)
        if a != b:
            changes.append(f"{_NOMS_PARAMETRES[nom]} : {_valeurs(nom, a)} → {_valeurs(nom, b)}")
    if avant.references != apres.references:
        changes.append("références changées")
    return changes


def parametres_lisibles(critere: Critere) -> list[str]:
    """Les paramètres d'un critère en clair (« champs : finalité, coût annuel »), pour les pages."""
    return [
        f"{_NOMS_PARAMETRES[nom]} : {_valeurs(nom, getattr(critere, nom))}"
        for nom in TOUS_PARAMETRES
        if getattr(critere, nom)
    ]


def differences(avant: Politique, apres: Politique) -> list[str]:
    """Ce qui change d'une politique à l'autre, en phrases : portes et critères ajoutés ou retirés,
    libellés, caractère bloquant, paramètres. Vide si elles disent la même chose."""
    lignes: list[str] = []
    for nom in LIBELLES_PORTES:
        porte_a = avant.portes.get(nom)  # type: ignore[call-overload]  # clé littérale
        porte_b = apres.portes.get(nom)  # type: ignore[call-overload]  # clé littérale
        if porte_a is None and porte_b is None:
            continue
        if porte_a is None:
            criteres = " ; ".join(c.libelle for c in porte_b.criteres)
            lignes.append(f"Porte « {porte_b.libelle} » ajoutée, avec : {criteres}.")
            continue
        if porte_b is None:
            lignes.append(f"Porte « {porte_a.libelle} » retirée.")
            continue
        titre = f"Porte « {porte_b.libelle} »"
        if porte_a.libelle != porte_b.libelle:
            lignes.append(f"{titre} : libellé « {porte_a.libelle} » changé.")
        if porte_a.explication != porte_b.explication:
            lignes.append(f"{titre} : explication changée.")
        ids_a = {c.id: c for c in porte_a.criteres}
        ids_b = {c.id: c for c in porte_b.criteres}
        for c in porte_a.criteres:
            if c.id not in ids_b:
                lignes.append(f"{titre} : critère « {c.libelle} » retiré.")
        for c in porte_b.criteres:
            if c.id not in ids_a:
                bloquant = ", bloquant" if c.bloquant else ""
                lignes.append(
                    f"{titre} : critère « {c.libelle} » ajouté ({LIBELLES_TYPES[c.type]}{bloquant})."
                )
            elif changes := _differences_critere(ids_a[c.id], c):
                lignes.append(f"{titre} : critère « {c.libelle} » : {' ; '.join(changes)}.")
    return lignes


def fichiers() -> dict[int, Path]:
    return _VERSIONS.fichiers


def version(numero: int) -> Politique:
    return _VERSIONS.version(numero)


def en_vigueur() -> Politique:
    """La politique nationale livrée la plus récente : celle d'une organisation qui ne l'a pas adaptée.
    Pour évaluer un système, lire celle de son organisation (`selectors_politique.de_l_organisation`)."""
    return _VERSIONS.en_vigueur()
