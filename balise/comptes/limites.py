"""Limites de débit de ce qui sert à deviner ou à harceler : connexions manquées, liens de réinitialisation.

django-axes verrouille un compte depuis une adresse (5 échecs, 15 minutes) mais ne voit pas celui qui
essaie un même mot de passe sur beaucoup de comptes depuis une adresse (« password spraying ») : ses
paramètres de verrouillage partagent un seul seuil, trop bas pour une mairie dont tous les agents
sortent par la même adresse. D'où ces compteurs, par adresse du client (balise/mandataires.py) ou par
adresse électronique visée, aux seuils réglés dans `settings.LIMITES` (docs/exploitation.md).

Un compteur vit dans le cache partagé par tous les processus (fichiers ou Redis) : une fenêtre fixe qui
s'ouvre au premier événement et dure `duree` secondes ; la limite est atteinte quand il a compté
`nombre` événements, jusqu'à la fin de la fenêtre. Lire puis écrire n'est pas atomique : deux requêtes
simultanées peuvent ne compter qu'une fois, ce qui laisse passer quelques essais de plus, jamais moins.
"""

import hashlib
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import caches


@dataclass(frozen=True)
class Limite:
    nom: str  # clé de settings.LIMITES

    @property
    def nombre(self) -> int:
        return settings.LIMITES[self.nom][0]

    @property
    def duree(self) -> int:
        return settings.LIMITES[self.nom][1]

    def _cle(self, valeur: str) -> str:
        # Empreinte : ni adresse électronique en clair dans le cache, ni clé de longueur arbitraire.
        return f"limite:{self.nom}:" + hashlib.blake2b(valeur.encode(), digest_size=16).hexdigest()

    def _lire(self, valeur: str) -> tuple[int, float]:
        compte, fin = caches["partage"].get(self._cle(valeur)) or (0, 0.0)
        return (compte, fin) if fin > time.time() else (0, 0.0)

    def atteinte(self, valeur: str | None) -> bool:
        return valeur is not None and self._lire(valeur)[0] >= self.nombre

    def compter(self, valeur: str | None) -> None:
        if valeur is None:
            return
        maintenant = time.time()
        compte, fin = self._lire(valeur)
        if not fin:
            fin = maintenant + self.duree
        caches["partage"].set(self._cle(valeur), (compte + 1, fin), max(1, int(fin - maintenant) + 1))


CONNEXIONS_PAR_ADRESSE = Limite("connexions_manquees_par_adresse")
REINITIALISATIONS_PAR_ADRESSE = Limite("reinitialisations_par_adresse")
REINITIALISATIONS_PAR_COMPTE = Limite("reinitialisations_par_compte")
