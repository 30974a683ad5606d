"""Accorder en français un mot à un nombre : zéro et un au singulier, le pluriel à partir de deux
(« 0 réponse », « 1,5 jour », « 2 réponses ») ; « aucun évaluateur » plutôt que « 0 évaluateurs ».

Les gabarits s'en servent par les filtres `accord` et `compter` (balise/glossaire/templatetags/francais.py),
les messages des vues et des services directement.
"""

from decimal import Decimal, InvalidOperation


def nombre(valeur: object) -> Decimal | None:
    """Le nombre d'une valeur (entier, décimal, texte, ou longueur d'une liste) ; None si illisible."""
    if isinstance(valeur, list | tuple | set | dict):
        return Decimal(len(valeur))
    try:
        return Decimal(str(valeur))
    except (InvalidOperation, ValueError):
        return None


def est_pluriel(valeur: object) -> bool:
    n = nombre(valeur)
    return n is not None and abs(n) >= 2


def accord(valeur: object, formes: str = "s") -> str:
    """Comme `pluralize` de Django, mais à la française : « s » (ou la forme donnée) à partir de deux ;
    `formes` vaut un suffixe (« s », « x ») ou « singulier,pluriel » (« est,sont »)."""
    singulier, _, pluriel = formes.rpartition(",") if "," in formes else ("", "", formes)
    return pluriel if est_pluriel(valeur) else singulier


def compter(valeur: object, mot: str, pluriel: str = "", feminin: bool = False) -> str:
    """« aucun évaluateur », « aucune réponse », « 1 réponse », « 3 réponses », « 2 travaux »."""
    n = nombre(valeur)
    if n is None or n == 0:
        return f"{'aucune' if feminin else 'aucun'} {mot}"
    chiffre = f"{n.normalize():f}".replace(".", ",")
    if est_pluriel(n):
        mot = pluriel or (mot if mot[-1] in "sxz" else mot + "s")
    return f"{chiffre} {mot}"
