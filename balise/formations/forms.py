"""Formulaires de la formation (rendu DSFR). Les contrôles métier sont dans services.py."""

from __future__ import annotations

from typing import Any

from django import forms

from balise.formulaires import ChampVersion, Formulaire, FormulaireModele
from balise.metiers.models import GroupeSuivi
from balise.registre.models import SystemeIA

from . import referentiel
from .models import EFFECTIF_MAXIMUM, OffreFormation, Population, SessionFormation
from .services import Ligne

_DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PopulationForm(FormulaireModele):
    version = ChampVersion()
    palier = forms.ChoiceField(label="Palier visé", choices=referentiel.choix_paliers)

    class Meta:
        model = Population
        fields = ["titre", "description", "palier", "cible", "effectif_saisi", "groupe", "systemes"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2}), "systemes": forms.CheckboxSelectMultiple}

    def __init__(self, *args: Any, organisation: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else None
        self.fields["groupe"].queryset = GroupeSuivi.objects.filter(organisation=organisation)
        self.fields["systemes"].queryset = SystemeIA.objects.filter(
            organisation=organisation, archive_le__isnull=True
        ).order_by("nom")
        self.fields["effectif_saisi"].widget.attrs["min"] = 0


class OffreForm(FormulaireModele):
    version = ChampVersion()
    palier = forms.ChoiceField(label="Palier", choices=referentiel.choix_paliers)

    class Meta:
        model = OffreFormation
        fields = ["titre", "organisme", "format", "public", "palier", "duree_heures", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version if self.instance.pk else None


LIGNES_VIDES = 4


class SessionForm(Formulaire):
    """Une session : l'offre (du catalogue « c:code » ou de l'organisation « o:pk »), la date, le palier,
    puis des lignes « population, service, participants » (aucun nom de personne)."""

    version = ChampVersion()
    offre = forms.ChoiceField(label="Offre")
    date = forms.DateField(label="Date de la session", widget=_DATE)
    palier = forms.ChoiceField(label="Palier", choices=referentiel.choix_paliers)
    commentaire = forms.CharField(
        label="Commentaire", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        populations: list[Population],
        offres: list[OffreFormation],
        session: SessionFormation | None = None,
        **kwargs: Any,
    ) -> None:
        # Les siennes : les membres d'une mutualisante comptent les leurs à part (balise/mutualisation).
        existantes = (
            list(session.participations.filter(population__organisation=session.organisation_id))
            if session
            else []
        )
        if session is not None and not args:
            kwargs.setdefault("initial", {})
            kwargs["initial"].update(
                {
                    "version": session.version,
                    "offre": f"o:{session.offre_id}" if session.offre_id else f"c:{session.offre_catalogue}",
                    "date": session.date,
                    "palier": session.palier,
                    "commentaire": session.commentaire,
                }
            )
            for i, p in enumerate(existantes):
                kwargs["initial"].update(
                    {
                        f"ligne_{i}_population": p.population_id,
                        f"ligne_{i}_service": p.service,
                        f"ligne_{i}_nombre": p.nombre,
                    }
                )
        super().__init__(*args, **kwargs)
        self.offres = {o.pk: o for o in offres}
        self.fields["offre"].choices = [
            (
                "Catalogue",
                [(f"c:{o.code}", f"{o.titre} — {o.organisme}") for o in referentiel.catalogue().offres],
            ),
            ("Offres de l'organisation", [(f"o:{o.pk}", f"{o.titre} — {o.organisme}") for o in offres]),
        ]
        choix_pop = [("", "—"), *((p.pk, p.titre) for p in populations)]
        self.nombre_lignes = len(existantes) + LIGNES_VIDES
        for i in range(self.nombre_lignes):
            self.fields[f"ligne_{i}_population"] = forms.TypedChoiceField(
                label=f"Population (ligne {i + 1})",
                choices=choix_pop,
                coerce=int,
                required=False,
                empty_value=None,
            )
            self.fields[f"ligne_{i}_service"] = forms.CharField(
                label=f"Service (ligne {i + 1}, facultatif)", required=False, max_length=200
            )
            self.fields[f"ligne_{i}_nombre"] = forms.IntegerField(
                label=f"Participants (ligne {i + 1})", required=False, min_value=1, max_value=EFFECTIF_MAXIMUM
            )
        self.order_fields(["version", "offre", "date", "palier", "commentaire"])

    def lignes_champs(self) -> list[list[Any]]:
        return [
            [self[f"ligne_{i}_population"], self[f"ligne_{i}_service"], self[f"ligne_{i}_nombre"]]
            for i in range(self.nombre_lignes)
        ]

    def clean(self) -> dict[str, Any]:
        donnees = super().clean()
        lignes = []
        for i in range(self.nombre_lignes):
            pop, nombre = donnees.get(f"ligne_{i}_population"), donnees.get(f"ligne_{i}_nombre")
            service = donnees.get(f"ligne_{i}_service") or ""
            if pop is None and nombre is None and not service:
                continue
            if pop is None or nombre is None:
                self.add_error(None, f"Ligne {i + 1} : indiquez la population et le nombre de participants.")
                continue
            lignes.append(Ligne(pop, nombre, service))
        donnees["lignes"] = lignes
        offre = donnees.get("offre", "")
        donnees["offre_catalogue"], donnees["offre_organisation"] = "", None
        if offre.startswith("c:"):
            donnees["offre_catalogue"] = offre[2:]
        elif offre.startswith("o:") and offre[2:].isdigit() and int(offre[2:]) in self.offres:
            donnees["offre_organisation"] = self.offres[int(offre[2:])]
        elif offre:
            self.add_error("offre", "Offre inconnue.")
        return donnees
