"""Le quorum d'une séance : fonction pure, sans base de données.

Le quorum se compte sur les membres à voix délibérative (les invités n'en ont pas) : il est atteint
quand la part des votants présents est au moins celle que fixe l'instance (`quorum_pourcent`). Une
instance sans quorum (0 %) délibère quel que soit le nombre de présents ; une instance qui exige un
quorum et n'a aucun membre votant ne peut pas l'atteindre.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Quorum:
    presents: int
    votants: int
    pourcent_requis: int
    atteint: bool

    @property
    def texte(self) -> str:
        etat = "quorum atteint" if self.atteint else "quorum non atteint"
        presents = f"{self.presents} présent{'s' if self.presents > 1 else ''}"
        votants = f"{self.votants} votant{'s' if self.votants > 1 else ''}"
        if self.pourcent_requis == 0:
            return f"{etat} : {presents} sur {votants}, aucun quorum requis"
        return f"{etat} : {presents} sur {votants}, {self.pourcent_requis} % requis"


def quorum(votants_presents: int, votants: int, pourcent_requis: int) -> Quorum:
    """Compare en entiers (présents × 100 ≥ requis × votants) : pas d'arrondi flottant au bord."""
    if votants < 0 or votants_presents < 0 or votants_presents > votants:
        raise ValueError("Le nombre de votants présents doit être compris entre 0 et le nombre de votants.")
    if not 0 <= pourcent_requis <= 100:
        raise ValueError("Le quorum est un pourcentage compris entre 0 et 100.")
    if pourcent_requis == 0:
        atteint = True
    else:
        atteint = votants > 0 and votants_presents * 100 >= pourcent_requis * votants
    return Quorum(votants_presents, votants, pourcent_requis, atteint)
