"""Le démarrage guidé d'une organisation qui commence : cinq pas (demarrage/demarrage-v<N>.yaml, d'après
seed 001), chacun dit ce qui est fait, compté sur les données réelles, et la prochaine action.

Règle d'affichage : le guide ouvre la page « À traiter » tant qu'un des cinq pas n'a jamais été
franchi dans l'organisation (au moins un système déclaré, qualifié, évalué, décidé, publié) ; il
disparaît de lui-même quand les cinq l'ont été une fois. Pas de bouton « masquer » : le guide ne
gêne rien (il est en tête, replié en une liste courte) et son retour ne dépend que des données,
pas d'un réglage de plus à expliquer ou à retrouver.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Literal

from django.db.models import Exists, OuterRef
from django.urls import reverse
from pydantic import Field, model_validator

from balise.conformite.models import Qualification
from balise.francais import compter
from balise.gouvernance.models import Decision
from balise.instruments.models import Evaluation
from balise.organisations.models import Organisation
from balise.registre.models import SystemeIA
from balise.validation import DonneesInvalides, FichiersVersionnes, lire_yaml

from .referentiel import Reference, Source, Strict, Texte, Titre

DOSSIER = Path(__file__).parent / "demarrage"
PAS = ("declarer", "qualifier", "evaluer", "decider", "publier")


class Pas(Strict):
    id: Literal["declarer", "qualifier", "evaluer", "decider", "publier"]
    numero: int = Field(ge=1, le=5)
    titre: Titre
    description: Texte
    action: Titre
    references: list[Reference] = Field(min_length=1)


class Guide(Strict):
    version: int = Field(ge=1)
    mise_a_jour: date
    sources: dict[str, Source]
    etapes: list[Pas]

    @model_validator(mode="after")
    def _coherence(self) -> Guide:
        erreurs = []
        if tuple(p.id for p in self.etapes) != PAS:
            erreurs.append(f"les pas doivent être, dans l'ordre : {', '.join(PAS)}")
        if [p.numero for p in self.etapes] != list(range(1, len(self.etapes) + 1)):
            erreurs.append("les pas doivent être numérotés 1, 2, 3… dans l'ordre")
        erreurs += [
            f"« {p.id} » : source inconnue « {r.source} »"
            for p in self.etapes
            for r in p.references
            if r.source not in self.sources
        ]
        if erreurs:
            raise ValueError(" ; ".join(erreurs))
        return self


class GuideInvalide(DonneesInvalides):
    pass


def lire(texte: str) -> Guide:
    return lire_yaml(texte, Guide, "démarrage guidé", GuideInvalide)


_VERSIONS = FichiersVersionnes(
    DOSSIER, "demarrage", lire, GuideInvalide, "Démarrage guidé v{numero} introuvable."
)


def en_vigueur() -> Guide:
    return _VERSIONS.en_vigueur()


@dataclass(frozen=True)
class EtatPas:
    pas: Pas
    fait: int  # nombre de systèmes qui ont franchi ce pas
    detail: str  # ce qui est fait, en français
    lien: str  # la page de la prochaine action
    sources: list[str]

    @property
    def franchi(self) -> bool:
        return self.fait > 0


def etat(organisation: Organisation) -> list[EtatPas] | None:
    """Les cinq pas et leur état, ou None quand l'organisation les a tous franchis une fois (le guide
    disparaît). Requêtes en nombre constant : une pour les comptes, une pour chaque prochain système."""
    systemes = SystemeIA.objects.filter(organisation=organisation, archive_le__isnull=True).annotate(
        qualifie=Exists(Qualification.objects.filter(systeme=OuterRef("pk"))),
        evalue=Exists(Evaluation.objects.filter(systeme=OuterRef("pk"), statut=Evaluation.Statut.FINALISEE)),
        decide=Exists(Decision.objects.filter(systeme=OuterRef("pk"))),
    )
    lignes = list(systemes.values("pk", "usage_non_declare", "qualifie", "evalue", "decide", "publie"))
    comptes = {
        "declarer": len(lignes),
        "qualifier": sum(1 for s in lignes if s["qualifie"]),
        "evaluer": sum(1 for s in lignes if s["evalue"]),
        "decider": sum(1 for s in lignes if s["decide"]),
        "publier": sum(1 for s in lignes if s["publie"]),
    }
    if all(comptes.values()):
        return None
    slug = organisation.slug

    def premier(cle: str) -> int | None:
        """Le premier système (le plus ancien) qui n'a pas encore franchi ce pas."""
        return next((s["pk"] for s in lignes if not s[cle]), None)

    def lien(pas: str) -> str:
        if pas == "declarer" or not lignes:
            return reverse("registre:creer", args=[slug])
        if pas == "decider":
            return reverse("gouvernance:instances", args=[slug])
        nom, cle = {
            "qualifier": ("conformite:qualification", "qualifie"),
            "evaluer": ("instruments:evaluations_systeme", "evalue"),
            "publier": ("registre:detail", "publie"),
        }[pas]
        pk = premier(cle)
        return reverse(nom, args=[slug, pk]) if pk else reverse("registre:liste", args=[slug])

    non_encadres = sum(1 for s in lignes if s["usage_non_declare"])
    details = {
        "declarer": compter(comptes["declarer"], "système déclaré", "systèmes déclarés")
        + (
            f", dont {compter(non_encadres, 'usage non encadré', 'usages non encadrés')}"
            if non_encadres
            else ""
        ),
        "qualifier": compter(comptes["qualifier"], "système qualifié", "systèmes qualifiés"),
        "evaluer": compter(comptes["evaluer"], "système évalué", "systèmes évalués"),
        "decider": compter(comptes["decider"], "système décidé", "systèmes décidés"),
        "publier": compter(comptes["publier"], "système publié", "systèmes publiés"),
    }
    guide = en_vigueur()
    return [
        EtatPas(
            pas=p,
            fait=comptes[p.id],
            detail=details[p.id],
            lien=lien(p.id),
            sources=_citer(guide, p.references),
        )
        for p in guide.etapes
    ]


def _citer(guide: Guide, references: list[Reference]) -> list[str]:
    """Les documents cités par un pas, par leur titre (la ligne exacte reste dans le fichier du guide)."""
    return list(dict.fromkeys(guide.sources[r.source].titre for r in references))
