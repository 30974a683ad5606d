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
from django.urls import NoReverseMatch, ResolverMatch, reverse
from django.utils.html import conditional_escape

# Rubriques du menu principal et de quelques pages hors menu : libellé et page d'entrée. Le menu
# (base.html) surligne la rubrique de la page et le fil la cite : une seule règle pour les deux.
RUBRIQUES: dict[str, tuple[str, str]] = {
    "a_traiter": ("À traiter", "gouvernance:a_traiter"),
    "portefeuille": ("Portefeuille", "registre:portefeuille"),
    "registre": ("Registre", "registre:liste"),
    "instruments": ("Instruments", "instruments:catalogue"),
    "obligations": ("Obligations", "conformite:obligations"),
    "metiers": ("Métiers", "metiers:accueil"),
    "instances": ("Instances", "gouvernance:instances"),
    "portes": ("Portes", "gouvernance:politique_portes"),
    "programme": ("Programme", "programme:accueil"),
    "organisation": ("Organisation", "organisations:membres"),
    "chartes": ("Charte de l'IA", "chartes:accueil"),
    "indicateurs": ("Indicateurs", "indicateurs:liste"),
    "regles_usage": ("Règles d'usage", "regles_usage:accueil"),
    "formations": ("Formations", "formations:accueil"),
    "rapports": ("Rapports", "rapports:accueil"),
    "mutualisation": ("Mutualisation", "mutualisation:accueil"),
    "bibliotheque": ("Bibliothèque des cas d'usage", "bibliotheque:liste"),
    "passerelle": ("Assistant IA", "passerelle:accueil"),
    "comptes": ("Mon compte", "comptes:compte"),
}
# Rubrique d'une application entière, sauf les pages nommées ci-dessous.
PAR_APPLICATION = {
    "registre": "registre",
    "instruments": "instruments",
    "metiers": "metiers",
    "gouvernance": "instances",
    "programme": "programme",
    "organisations": "organisation",
    "chartes": "chartes",
    "indicateurs": "indicateurs",
    "regles_usage": "regles_usage",
    "formations": "formations",
    "rapports": "rapports",
    "mutualisation": "mutualisation",
    "bibliotheque": "bibliotheque",
    "passerelle": "passerelle",
    "comptes": "comptes",
}
# Pages rangées ailleurs que dans la rubrique de leur application (None : dans aucune rubrique).
PAR_PAGE: dict[str, str | None] = {
    "gouvernance:a_traiter": "a_traiter",
    "gouvernance:pilotage": None,
    "registre:portefeuille": "portefeuille",
}
# Pages sans fil : l'accueil, et les questionnaires aux agents (pages autonomes, sans navigation du site).
SANS_FIL = {"accueil", "questionnaire", "questionnaire_merci", "participer"}


def rubrique_courante(trouvee: ResolverMatch | None) -> str | None:
    """La rubrique d'une page : celle que le menu surligne et que le fil cite."""
    if trouvee is None:
        return None
    if trouvee.view_name in PAR_PAGE:
        return PAR_PAGE[trouvee.view_name]
    nom = trouvee.url_name or ""
    if trouvee.app_name == "gouvernance" and nom.startswith("politique_portes"):
        return "portes"
    if trouvee.app_name == "conformite":  # la qualification est une page de la fiche du système
        return "obligations" if nom.startswith("obligation") else "registre"
    return PAR_APPLICATION.get(trouvee.app_name)


register = template.Library()


def rubrique(request: HttpRequest, cle: str | None) -> dict[str, str] | None:
    """L'étape « rubrique » du fil (libellé, adresse), ou None si la page en est l'entrée ou n'en a pas."""
    trouvee = request.resolver_match
    if trouvee is None or cle is None:
        return None
    libelle, entree = RUBRIQUES[cle]
    if trouvee.view_name == entree:
        return None
    slug = trouvee.kwargs.get("slug")
    try:
        adresse = reverse(entree, kwargs={"slug": slug} if slug else None)
    except NoReverseMatch:
        return None
    return {"libelle": libelle, "adresse": adresse}


def contexte(request: HttpRequest) -> dict[str, object]:
    """Processeur de contexte : la rubrique de la page (menu), faut-il un fil, et son étape « rubrique »."""
    trouvee = request.resolver_match
    cle = rubrique_courante(trouvee)
    avec_fil = trouvee is not None and trouvee.view_name not in SANS_FIL
    return {
        "rubrique_courante": cle,
        "ariane": avec_fil,
        "ariane_rubrique": rubrique(request, cle) if avec_fil else None,
    }


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
