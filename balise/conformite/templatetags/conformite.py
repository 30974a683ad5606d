from django import template

from balise.conformite.categories import Categorie
from balise.conformite.moteur import Qualification
from balise.conformite.regles import Reference, Regles

register = template.Library()


@register.simple_tag
def references_de(regles: Regles, references: list[Reference]) -> list[dict[str, str | None]]:
    return regles.citer(references)


ROLES = {"deployeur": "déployeur du système", "fournisseur": "fournisseur du système"}


@register.filter
def titre_position(q: Qualification) -> str:
    """« Pour la collectivité, déployeur du système : haut risque » : la première ligne d'un résultat,
    sur la page comme dans le dossier PDF."""
    position = q.position
    role = f", {ROLES[position.role]}" if position.role else ""
    categorie = (
        str(Categorie(position.categorie).label).lower()
        if position.categorie
        else "hors du règlement sur l'IA"
    )
    return f"Pour la collectivité{role} : {categorie}"
