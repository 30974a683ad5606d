"""Le formulaire d'adaptation de la politique des portes : des cases et des listes de choix, jamais de
YAML. Il part de la politique en vigueur de l'organisation et en reconstruit une complète
(`contenu`), que le service valide ensuite par le schéma (`politique.Politique`).

Pour chaque porte : son libellé et son explication ; pour chaque critère, le garder ou le retirer, le
rendre bloquant ou non, son libellé et ses paramètres, chacun choisi dans une liste (champs de la
fiche, instruments connus, moments, statuts, sens de décision, obligations des règles). Le critère
des pratiques interdites est affiché, coché et non modifiable (champs désactivés : Django ignore ce
qu'envoie le navigateur pour eux). Un critère peut être ajouté à chaque porte, avec une référence
(source et article), dont la source « décision de l'organisation ».
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms import BoundField
from django.utils.text import slugify

from balise.formulaires import Formulaire

from . import politique
from .politique import LIBELLES_PORTES, Critere, Politique

LONGUEUR_TEXTE = 4000
PROTEGE = "aucune_pratique_interdite"
EXPLICATION_NOUVELLE_PORTE = "Critères fixés par l'organisation avant ce passage."


class ChampNumero(forms.IntegerField):
    """Le numéro de la version que la personne a ouverte (0 : la politique nationale, jamais adaptée),
    renvoyé par le formulaire : absent ou illisible, il vaut None, que le service refuse comme un
    numéro périmé (rien n'est écrit)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(required=False, min_value=0, max_value=1_000_000, **kwargs)

    def clean(self, value: Any) -> int | None:
        try:
            return super().clean(value)
        except ValidationError:
            return None


def _multiple(choix: dict[str, str], libelle: str, aide: str = "") -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=libelle,
        help_text=aide,
        choices=list(choix.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


@dataclass
class CritereAffiche:
    critere: Critere
    protege: bool
    garder: BoundField
    bloquant: BoundField
    libelle: BoundField
    parametres: list[BoundField]
    references: list[str]


@dataclass
class NouveauCritere:
    type: BoundField
    libelle: BoundField
    bloquant: BoundField
    parametres: list[BoundField]
    source: BoundField
    article: BoundField


@dataclass
class PorteAffichee:
    nom: str
    existe: bool
    libelle: BoundField
    explication: BoundField
    criteres: list[CritereAffiche] = field(default_factory=list)
    nouveau: NouveauCritere | None = None


class AdaptationForm(Formulaire):
    depuis_numero = ChampNumero()
    motif = forms.CharField(
        label="Motif de l'adaptation",
        help_text="Obligatoire pour enregistrer : gardé avec la version (ex. délibération, décision du "
        "comité de pilotage).",
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(
        self,
        *args: Any,
        politique: Politique,
        instruments: dict[str, str],
        obligations: dict[str, str],
        nom_organisation: str,
        **kwargs: Any,
    ) -> None:
        self.politique = politique
        self.instruments = instruments
        self.obligations = obligations
        self.nom_organisation = nom_organisation
        self.contenu: dict[str, Any] = {}
        super().__init__(*args, **kwargs)
        for nom, defaut in LIBELLES_PORTES.items():
            porte = politique.portes.get(nom)  # type: ignore[call-overload]  # clé littérale
            self.fields[f"{nom}.libelle"] = forms.CharField(
                label="Libellé de la porte",
                max_length=LONGUEUR_TEXTE,
                required=False,
                initial=porte.libelle if porte else defaut,
            )
            self.fields[f"{nom}.explication"] = forms.CharField(
                label="Explication",
                max_length=LONGUEUR_TEXTE,
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                initial=porte.explication if porte else EXPLICATION_NOUVELLE_PORTE,
            )
            for critere in porte.criteres if porte else []:
                self._champs_du_critere(nom, critere)
            self._champs_du_nouveau(nom)

    # --- Construction des champs -----------------------------------------------------------------

    def _parametre(self, nom: str, initial: Any = None) -> forms.Field:
        if nom == "champs":
            champ: forms.Field = _multiple(politique.CHAMPS_FICHE, "Champs de la fiche à renseigner")
        elif nom == "instrument":
            choix = dict(self.instruments)
            if initial and initial not in choix:
                choix[initial] = initial
            champ = forms.ChoiceField(
                label="Instrument", choices=[("", "— choisir —"), *choix.items()], required=False
            )
        elif nom == "moments":
            champ = _multiple(politique.LIBELLES_MOMENTS, "Moments", "Aucun coché : n'importe quel moment.")
        elif nom == "statuts":
            champ = _multiple(
                politique.LIBELLES_STATUTS, "Statuts acceptés", "Aucun coché : en cours ou finalisée."
            )
        elif nom == "obligations":
            champ = _multiple(self.obligations, "Obligations à remplir (règles de qualification)")
        else:
            champ = _multiple(politique.LIBELLES_SENS, "Sens accepté de la dernière décision")
        champ.initial = initial
        return champ

    def _champs_du_critere(self, porte: str, critere: Critere) -> None:
        prefixe = f"{porte}.{critere.id}"
        protege = critere.type == PROTEGE
        self.fields[f"{prefixe}.garder"] = forms.BooleanField(
            label="Garder ce critère", required=False, initial=True, disabled=protege
        )
        self.fields[f"{prefixe}.bloquant"] = forms.BooleanField(
            label="Bloquant (ne se passe jamais, même avec une justification)",
            required=False,
            initial=critere.bloquant,
            disabled=protege,
        )
        self.fields[f"{prefixe}.libelle"] = forms.CharField(
            label="Libellé",
            max_length=LONGUEUR_TEXTE,
            required=False,
            initial=critere.libelle,
            disabled=protege,
        )
        for nom in sorted(politique.PARAMETRES[critere.type], key=politique.TOUS_PARAMETRES.index):
            self.fields[f"{prefixe}.{nom}"] = self._parametre(nom, getattr(critere, nom))

    def _champs_du_nouveau(self, porte: str) -> None:
        prefixe = f"{porte}.nouveau"
        types = [(t, libelle) for t, libelle in politique.LIBELLES_TYPES.items() if t != PROTEGE]
        self.fields[f"{prefixe}.type"] = forms.ChoiceField(
            label="Type du critère à ajouter",
            choices=[("", "— aucun critère à ajouter —"), *types],
            required=False,
        )
        self.fields[f"{prefixe}.libelle"] = forms.CharField(
            label="Libellé", max_length=LONGUEUR_TEXTE, required=False
        )
        self.fields[f"{prefixe}.bloquant"] = forms.BooleanField(label="Bloquant", required=False)
        for nom in politique.TOUS_PARAMETRES:
            self.fields[f"{prefixe}.{nom}"] = self._parametre(nom)
        sources = {cle: s.titre[:120] for cle, s in self.politique.sources.items()}
        sources.setdefault(
            politique.SOURCE_ORGANISATION, f"Décision de l'organisation ({self.nom_organisation})"
        )
        self.fields[f"{prefixe}.source"] = forms.ChoiceField(
            label="Source de la référence", choices=[("", "— choisir —"), *sources.items()], required=False
        )
        self.fields[f"{prefixe}.article"] = forms.CharField(
            label="Article ou passage",
            help_text="Ex. « art. 26 », « délibération n° 2026-045 du 12 mars 2026 ».",
            max_length=LONGUEUR_TEXTE,
            required=False,
        )

    # --- Présentation ----------------------------------------------------------------------------

    def portes(self) -> list[PorteAffichee]:
        resultat = []
        for nom in LIBELLES_PORTES:
            porte = self.politique.portes.get(nom)  # type: ignore[call-overload]  # clé littérale
            affichee = PorteAffichee(
                nom, porte is not None, self[f"{nom}.libelle"], self[f"{nom}.explication"]
            )
            for c in porte.criteres if porte else []:
                p = f"{nom}.{c.id}"
                affichee.criteres.append(
                    CritereAffiche(
                        c,
                        c.type == PROTEGE,
                        self[f"{p}.garder"],
                        self[f"{p}.bloquant"],
                        self[f"{p}.libelle"],
                        [self[f"{p}.{n}"] for n in politique.TOUS_PARAMETRES if f"{p}.{n}" in self.fields],
                        [self._reference(r) for r in c.references],
                    )
                )
            n = f"{nom}.nouveau"
            affichee.nouveau = NouveauCritere(
                self[f"{n}.type"],
                self[f"{n}.libelle"],
                self[f"{n}.bloquant"],
                [self[f"{n}.{p}"] for p in politique.TOUS_PARAMETRES],
                self[f"{n}.source"],
                self[f"{n}.article"],
            )
            resultat.append(affichee)
        return resultat

    def _reference(self, reference: politique.Reference) -> str:
        source = self.politique.sources.get(reference.source)
        return f"{source.titre if source else reference.source} — {reference.article}"

    # --- Lecture de la saisie --------------------------------------------------------------------

    def _parametres_saisis(self, prefixe: str, type_: str) -> dict[str, Any]:
        valeurs: dict[str, Any] = {}
        for nom in politique.PARAMETRES[type_]:
            valeur = self.cleaned_data.get(f"{prefixe}.{nom}")
            valeurs[nom] = (valeur or None) if nom == "instrument" else list(valeur or [])
        return valeurs

    def _critere_garde(self, porte: str, critere: Critere) -> dict[str, Any] | None:
        prefixe = f"{porte}.{critere.id}"
        donnees = critere.model_dump(mode="json")
        if critere.type == PROTEGE:
            return donnees
        if not self.cleaned_data.get(f"{prefixe}.garder"):
            return None
        libelle = (self.cleaned_data.get(f"{prefixe}.libelle") or "").strip()
        if not libelle:
            self.add_error(f"{prefixe}.libelle", "Donnez un libellé au critère, ou décochez « Garder ».")
        donnees.update(
            libelle=libelle or critere.libelle,
            bloquant=bool(self.cleaned_data.get(f"{prefixe}.bloquant")),
            **self._parametres_saisis(prefixe, critere.type),
        )
        return donnees

    def _critere_ajoute(
        self, porte: str, existants: list[dict[str, Any]], sources: dict[str, Any]
    ) -> dict | None:
        prefixe = f"{porte}.nouveau"
        type_ = self.cleaned_data.get(f"{prefixe}.type")
        if not type_:
            return None
        libelle = (self.cleaned_data.get(f"{prefixe}.libelle") or "").strip()
        source = self.cleaned_data.get(f"{prefixe}.source")
        article = (self.cleaned_data.get(f"{prefixe}.article") or "").strip()
        if not libelle:
            self.add_error(f"{prefixe}.libelle", "Donnez un libellé au critère ajouté.")
        if not source:
            self.add_error(f"{prefixe}.source", "Choisissez la source de la référence du critère ajouté.")
        if not article:
            self.add_error(f"{prefixe}.article", "Indiquez l'article ou le passage de la source.")
        permis = politique.PARAMETRES[type_]
        for nom in politique.TOUS_PARAMETRES:
            if nom not in permis and self.cleaned_data.get(f"{prefixe}.{nom}"):
                self.add_error(
                    f"{prefixe}.{nom}",
                    f"Ce paramètre ne s'applique pas au type « {politique.LIBELLES_TYPES[type_]} » : videz-le.",
                )
        if not (libelle and source and article):
            return None
        if source == politique.SOURCE_ORGANISATION and source not in sources:
            sources[source] = {"titre": f"Décision de l'organisation ({self.nom_organisation})", "url": None}
        pris = {c["id"] for c in existants}
        base = slugify(libelle)[:50].strip("-_") or "critere"
        identifiant, rang = base, 2
        while identifiant in pris:
            identifiant, rang = f"{base}-{rang}", rang + 1
        return {
            "id": identifiant,
            "type": type_,
            "libelle": libelle,
            "bloquant": bool(self.cleaned_data.get(f"{prefixe}.bloquant")),
            **self._parametres_saisis(prefixe, type_),
            "references": [{"source": source, "article": article}],
        }

    def clean(self) -> dict[str, Any]:
        donnees = super().clean() or {}
        # L'aperçu des différences n'enregistre rien : le motif n'est exigé que pour enregistrer.
        motif_absent = not (donnees.get("motif") or "").strip() and "motif" not in self.errors
        if self.data.get("action") != "apercu" and motif_absent:
            self.add_error("motif", "Indiquez le motif de ce changement : il est gardé avec la version.")
        sources = {cle: s.model_dump(mode="json") for cle, s in self.politique.sources.items()}
        portes: dict[str, Any] = {}
        for nom in LIBELLES_PORTES:
            porte = self.politique.portes.get(nom)  # type: ignore[call-overload]  # clé littérale
            criteres = [
                garde for c in (porte.criteres if porte else []) if (garde := self._critere_garde(nom, c))
            ]
            if ajoute := self._critere_ajoute(nom, criteres, sources):
                criteres.append(ajoute)
            if not criteres:
                continue  # une porte sans critère disparaît (les portes protégées gardent le leur)
            portes[nom] = {
                "libelle": (donnees.get(f"{nom}.libelle") or "").strip() or LIBELLES_PORTES[nom],
                "explication": (donnees.get(f"{nom}.explication") or "").strip()
                or EXPLICATION_NOUVELLE_PORTE,
                "criteres": criteres,
            }
        self.contenu = {**politique.en_donnees(self.politique), "sources": sources, "portes": portes}
        return donnees
