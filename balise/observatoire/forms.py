"""Le choix d'une organisation pour l'observatoire (rendu DSFR)."""

from __future__ import annotations

from balise.formulaires import ChampVersion, FormulaireModele

from .models import Participation


class ParticipationForm(FormulaireModele):
    version = ChampVersion()

    class Meta:
        model = Participation
        fields = ["contribue", "partage_metiers"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version
