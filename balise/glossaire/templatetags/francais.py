"""Les accords en français dans les gabarits (balise/francais.py).

- `{{ n|accord }}`, `{{ n|accord:"est,sont" }}` : comme `pluralize`, mais zéro et un restent au singulier ;
- `{{ n|compter:"réponse/f" }}` : « aucune réponse », « 1 réponse », « 2 réponses » ; « mot,pluriel »
  pour un pluriel irrégulier (« travail,travaux »), « /f » pour un nom féminin.
"""

from django import template

from balise import francais

register = template.Library()


@register.filter
def accord(valeur: object, formes: str = "s") -> str:
    return francais.accord(valeur, formes)


@register.filter
def compter(valeur: object, mot: str) -> str:
    mot, feminin = (mot[:-2], True) if mot.endswith("/f") else (mot, False)
    singulier, _, pluriel = mot.partition(",")
    return francais.compter(valeur, singulier, pluriel, feminin)
