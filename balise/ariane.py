"""Fil d'Ariane (DSFR `fr-breadcrumb`) de toute page sous l'accueil, en un seul endroit (base.html).

Le fil se lit : Accueil › l'organisation (son registre public pour le public, ses pages pour ses membres)
› la rubrique du menu (d'après l'application de l'adresse) › la page, nommée par son bloc `titre` sans
le nom de l'organisation déjà cité. Une page ajoute des étapes intermédiaires par le bloc
`ariane_etapes` de base.html (une fiche entre le registre et son évaluation, par exemple).
"""

from django import template
from django.http import HttpRequest
from django.template.base import Node, Parser, Token
from django.template.context import Context
from django.template.loader_tags import BLOCK_CONTEXT_KEY
from django.urls import NoReverseMatch, reverse
from django.utils.html import conditional_escape

# Rubrique de chaque application : son libellé dans le menu et sa page d'entrée.
RUBRIQUES: dict[str, tuple[str, str]] = {
    "registre": ("Registre", "registre:liste"),
    "instruments": ("Instruments", "instruments:catalogue"),
    "conformite": ("Obligations", "conformite:obligations"),
    "metiers": ("Métiers", "metiers:accueil"),
    "gouvernance": ("Instances", "gouvernance:instances"),
    "programme": ("Programme", "programme:accueil"),
    "organisations": ("Organisation", "organisations:membres"),
    "chartes": ("Charte de l'IA", "chartes:accueil"),
    "indicateurs": ("Indicateurs", "indicateurs:liste"),
    "regles_usage": ("Règles d'usage", "regles_usage:accueil"),
    "formations": ("Formations", "formations:accueil"),
    "rapports": ("Rapports", "rapports:accueil"),
    "comptes": ("Mon compte", "comptes:compte"),
}
# Pages qui sont elles-mêmes l'entrée d'une rubrique du menu, hors de sa règle générale.
ENTREES = {
    "registre:portefeuille",
    "gouvernance:a_traiter",
    "gouvernance:pilotage",
    "gouvernance:politique_portes",
}
# Pages sans fil : l'accueil, et les questionnaires aux agents (pages autonomes, sans navigation du site).
SANS_FIL = {"accueil", "questionnaire", "questionnaire_merci", "participer"}

register = template.Library()


def rubrique(request: HttpRequest) -> dict[str, str] | None:
    """La rubrique de la page (libellé, adresse), ou None si la page en est l'entrée ou n'en a pas."""
    trouvee = request.resolver_match
    if trouvee is None or trouvee.view_name in ENTREES:
        return None
    libelle_entree = RUBRIQUES.get(trouvee.app_name)
    if libelle_entree is None or trouvee.view_name == libelle_entree[1]:
        return None
    libelle, entree = libelle_entree
    slug = trouvee.kwargs.get("slug")
    try:
        adresse = reverse(entree, kwargs={"slug": slug} if slug else None)
    except NoReverseMatch:
        return None
    return {"libelle": libelle, "adresse": adresse}


def contexte(request: HttpRequest) -> dict[str, object]:
    """Processeur de contexte : faut-il un fil, et la rubrique de la page."""
    trouvee = request.resolver_match
    avec_fil = trouvee is not None and trouvee.view_name not in SANS_FIL
    return {"ariane": avec_fil, "ariane_rubrique": rubrique(request) if avec_fil else None}


class TitrePage(Node):
    def render(self, context: Context) -> str:
        blocs = context.render_context.get(BLOCK_CONTEXT_KEY)
        bloc = blocs.get_block("titre") if blocs is not None else None
        if bloc is None:
            return ""
        titre = " ".join(bloc.nodelist.render(context).split())
        organisation = context.get("organisation")
        nom = getattr(organisation, "nom", "")
        if nom:
            suffixe = f" — {conditional_escape(nom)}"
            if titre.endswith(suffixe) and titre != suffixe.strip(" —"):
                titre = titre.removesuffix(suffixe)
        return titre


@register.tag
def titre_page(parser: Parser, token: Token) -> TitrePage:
    """Le titre de la page (son bloc `titre`, déjà échappé), sans le nom de l'organisation en suffixe."""
    return TitrePage()
