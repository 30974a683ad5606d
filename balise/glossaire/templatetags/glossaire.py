"""Définitions en contexte : `{% terme "RAG" %}` dans un gabarit, `{% definir texte %}` sur une donnée
(libellé d'un référentiel, principe d'une charte, texte d'une fiche). Le terme devient un lien vers sa
définition dans le glossaire, décrit (`aria-describedby`) par une infobulle du DSFR qui la donne sur place.

`definir` n'explique que la première écriture de chaque terme d'un texte : une définition par terme suffit
à la lecture, et le test des pages publiques (tests/test_glossaire.py) le vérifie page par page. Là où une
infobulle n'a pas de sens (dossier PDF), `sans_definitions` dans le contexte laisse le texte seul.

Les identifiants des infobulles sont comptés dans le rendu (un même rendu, inclusions comprises, ne les
répète pas) et portent la marque du gabarit rendu : une page et le fragment gardé en cache qu'elle contient
n'ont pas les mêmes, et deux rendus d'une même page sont identiques (le contrôle des pages en cache les
compare).
"""

import zlib
from collections.abc import Callable
from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

from balise.glossaire.glossaire import Terme, en_vigueur

register = template.Library()

Identifiants = Callable[[Terme], str]


def expliquer(texte: str, terme: Terme, ident: str) -> SafeString:
    return format_html(
        '<span class="balise-terme" data-terme="{}"><a class="fr-link" href="{}#{}" aria-describedby="{}">'
        '{}</a><span class="fr-tooltip fr-placement" id="{}" role="tooltip" aria-hidden="true">{}</span></span>',
        terme.id,
        reverse("glossaire"),
        terme.id,
        ident,
        texte,
        ident,
        terme.definition,
    )


def definir_texte(texte: str, identifiants: Identifiants) -> SafeString:
    """Le texte échappé, la première écriture de chaque terme expliquée."""
    morceaux: list[str] = []
    vus: set[str] = set()
    position = 0
    for debut, fin, t in en_vigueur().reperer(texte):
        if t.id in vus:
            continue
        vus.add(t.id)
        morceaux += [
            conditional_escape(texte[position:debut]),
            expliquer(texte[debut:fin], t, identifiants(t)),
        ]
        position = fin
    morceaux.append(conditional_escape(texte[position:]))
    return mark_safe("".join(morceaux))  # noqa: S308 — chaque morceau est échappé ou construit par format_html


def _identifiants(context: template.Context) -> Identifiants:
    racine: Any = context.render_context.dicts[0]  # commune au rendu et à ses inclusions
    nom = getattr(context.template, "name", None) or ""
    marque = f"{zlib.crc32(nom.encode()):08x}"[:6]

    compteur: list[int] = racine.setdefault("glossaire_compteur", [0])

    def suivant(terme: Terme) -> str:
        compteur[0] += 1
        return f"terme-{marque}-{compteur[0]}-{terme.id}"

    return suivant


@register.simple_tag(takes_context=True)
def terme(context: template.Context, ecriture: str, texte: str = "") -> SafeString:
    """`{% terme "POC" %}`, ou `{% terme "poc" "preuve de concept" %}` pour un autre texte affiché."""
    defini = en_vigueur().terme(ecriture)
    if context.get("sans_definitions"):
        return conditional_escape(texte or ecriture)
    return expliquer(texte or ecriture, defini, _identifiants(context)(defini))


@register.simple_tag(takes_context=True)
def definir(context: template.Context, valeur: object) -> SafeString:
    """`{% definir systeme.finalite %}` : un texte brut (pas du HTML), ses termes expliqués."""
    if context.get("sans_definitions"):
        return conditional_escape(str(valeur))
    return definir_texte(str(valeur), _identifiants(context))
