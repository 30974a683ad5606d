"""Lectures du registre : listes filtrées, portefeuille, registre public. Un nombre de requêtes constant,
quel que soit le nombre de systèmes."""

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import django_filters
from django import forms
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from balise.conformite.categories import Categorie, categories
from balise.organisations.models import Organisation

from .cycle_de_vie import Stade
from .models import ChangementStade, Document, SystemeIA
from .referentiels import Cible, Domaine, Hebergement, Positionnement, TypeIA

_OUI_NON = forms.Select(choices=[("", "Tous"), ("true", "Oui"), ("false", "Non")])


class FiltreRegistre(django_filters.FilterSet):
    q = django_filters.CharFilter(method="rechercher", label="Rechercher", max_length=200)
    domaine = django_filters.ChoiceFilter(choices=Domaine.choices, label="Domaine", empty_label="Tous")
    type_ia = django_filters.ChoiceFilter(choices=TypeIA.choices, label="Type d'IA", empty_label="Tous")
    stade = django_filters.ChoiceFilter(choices=Stade.choices, label="Stade", empty_label="Tous")
    service = django_filters.CharFilter(lookup_expr="icontains", label="Service", max_length=200)
    hebergement = django_filters.ChoiceFilter(
        choices=Hebergement.choices, label="Hébergement", empty_label="Tous"
    )
    donnees_personnelles = django_filters.BooleanFilter(label="Données personnelles", widget=_OUI_NON)
    cible = django_filters.ChoiceFilter(choices=Cible.choices, label="Tourné vers", empty_label="Tous")
    usage_non_declare = django_filters.BooleanFilter(label="Usage découvert (shadow)", widget=_OUI_NON)
    categorie = django_filters.ChoiceFilter(
        choices=Categorie.choices, label="Catégorie AI Act", empty_label="Toutes", method="par_categorie"
    )
    tri = django_filters.OrderingFilter(
        fields=(("nom", "nom"), ("stade", "stade"), ("domaine", "domaine"), ("modifie_le", "modifie")),
        field_labels={
            "nom": "Nom",
            "stade": "Stade",
            "domaine": "Domaine",
            "modifie_le": "Dernière modification",
        },
        label="Trier par",
        empty_label="Nom (par défaut)",
    )

    class Meta:
        model = SystemeIA
        fields: list[str] = []

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for champ in self.form.fields.values():
            est_liste = isinstance(champ.widget, forms.Select)
            champ.widget.attrs["class"] = "fr-select" if est_liste else "fr-input"

    def par_categorie(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        # La catégorie se lit dans la qualification actuelle de chaque système (deux requêtes,
        # quel que soit leur nombre) : conformite/categories.py est seul à la calculer.
        ids = list(queryset.values_list("pk", flat=True))
        return queryset.filter(pk__in=[pk for pk, c in categories(ids).items() if c == value])

    def rechercher(self, queryset: QuerySet, name: str, value: str) -> QuerySet:
        mots = value.split()[:8]
        for mot in mots:
            queryset = queryset.filter(
                Q(nom__icontains=mot)
                | Q(finalite__icontains=mot)
                | Q(service__icontains=mot)
                | Q(fournisseur__icontains=mot)
                | Q(modeles__icontains=mot)
            )
        return queryset


def systeme(organisation: Organisation, pk: int, archives: bool = True) -> SystemeIA:
    """Une fiche de l'organisation (404 sinon, y compris pour la fiche d'une autre organisation)."""
    qs = SystemeIA.objects.select_related("organisation").filter(organisation=organisation)
    if not archives:
        qs = qs.filter(archive_le__isnull=True)
    return get_object_or_404(qs, pk=pk)


def document(organisation: Organisation, systeme_pk: int, pk: int, archives: bool = False) -> Document:
    """Un document d'une fiche de l'organisation, non archivé sauf si `archives` (404 sinon)."""
    qs = Document.objects.select_related("systeme")
    if not archives:
        qs = qs.filter(archive_le__isnull=True)
    # `systeme__pk` et non `systeme_id` : Django ne borne pas la valeur d'une clé étrangère, et un
    # identifiant au-delà des entiers de SQLite y lèverait OverflowError (500) au lieu d'un 404.
    return get_object_or_404(qs, pk=pk, systeme__pk=systeme_pk, systeme__organisation=organisation)


def documents(systeme: SystemeIA) -> QuerySet[Document]:
    return systeme.documents.filter(archive_le__isnull=True).select_related("depose_par")


def documents_archives(systeme: SystemeIA) -> QuerySet[Document]:
    return systeme.documents.filter(archive_le__isnull=False).order_by("-archive_le")


def portes_forcees(systeme: SystemeIA) -> QuerySet[ChangementStade]:
    """Les portes passées sans être franchies (changements de stade et publications), du plus ancien au
    plus récent, avec leur justification et les critères qui manquaient."""
    return systeme.changements_stade.filter(porte_forcee=True).select_related("par").order_by("le", "pk")


def registre(organisation: Organisation, archives: bool = False) -> QuerySet[SystemeIA]:
    base = SystemeIA.objects.filter(organisation=organisation)
    return base.filter(archive_le__isnull=not archives)


@dataclass(frozen=True)
class Quadrant:
    """Une case de la carte de positionnement (seed 004) : améliorer ↔ innover × agents ↔ usagers."""

    positionnement: str
    cible: str
    colonne: int  # 0 : améliorer l'existant, 1 : nouveau mode opératoire
    ligne: int  # 0 : usagers (en haut), 1 : agents
    systemes: list[SystemeIA]

    @property
    def libelle(self) -> str:
        return f"{Positionnement(self.positionnement).label} — {Cible(self.cible).label.lower()}"

    @property
    def x(self) -> int:
        return 70 + self.colonne * 320

    @property
    def y(self) -> int:
        return 20 + self.ligne * 220

    @property
    def premiers(self) -> list[SystemeIA]:
        return self.systemes[:7]

    @property
    def autres(self) -> int:
        return max(0, len(self.systemes) - 7)


@dataclass(frozen=True)
class Portefeuille:
    total: int
    par_stade: list[tuple[str, str, int]]
    par_domaine: list[tuple[str, str, int]]
    par_type: list[tuple[str, str, int]]
    quadrants: list[Quadrant]
    usages_non_declares: int
    avec_donnees_personnelles: int
    # Systèmes que leur qualification actuelle dit de pratique interdite (AI Act, art. 5).
    pratiques_interdites: list[SystemeIA]


def _compter(
    qs: QuerySet[SystemeIA], champ: str, choix: Iterable[tuple[str, str]]
) -> list[tuple[str, str, int]]:
    comptes = Counter(dict(qs.values_list(champ).annotate(n=Count("id")).order_by()))
    return [(valeur, libelle, comptes.get(valeur, 0)) for valeur, libelle in choix]


def portefeuille(organisation: Organisation) -> Portefeuille:
    qs = registre(organisation)
    quadrants: dict[tuple[str, str], Quadrant] = {
        (p, c): Quadrant(p, c, colonne, ligne, [])
        for colonne, p in enumerate(Positionnement.values)
        for ligne, c in enumerate([Cible.USAGERS, Cible.AGENTS])
    }
    systemes = list(qs.only("id", "nom", "positionnement", "cible", "stade").order_by("nom"))
    for s in systemes:
        quadrants[(s.positionnement, s.cible)].systemes.append(s)
    par_categorie = categories(s.pk for s in systemes)
    indicateurs = qs.aggregate(
        total=Count("id"),
        shadow=Count("id", filter=Q(usage_non_declare=True)),
        personnelles=Count("id", filter=Q(donnees_personnelles=True)),
    )
    return Portefeuille(
        total=indicateurs["total"],
        par_stade=_compter(qs, "stade", Stade.choices),
        par_domaine=[c for c in _compter(qs, "domaine", Domaine.choices) if c[2]],
        par_type=_compter(qs, "type_ia", TypeIA.choices),
        quadrants=list(quadrants.values()),
        usages_non_declares=indicateurs["shadow"],
        avec_donnees_personnelles=indicateurs["personnelles"],
        pratiques_interdites=[s for s in systemes if par_categorie[s.pk] == Categorie.INTERDITE],
    )


def registre_public(organisation: Organisation) -> QuerySet[SystemeIA]:
    return SystemeIA.objects.publics().filter(organisation=organisation).order_by("nom", "id")
