"""Historique (django-simple-history) des liens plusieurs-à-plusieurs changés depuis le côté inverse.

simple-history écoute `m2m_changed` sur la table de liaison mais suppose que l'objet du signal est
celui qui déclare le champ : `systeme.groupes_exposes.add(groupe)` lui passe le système, et il tente
d'en faire une version de groupe (TypeError). Ici, un changement fait du côté inverse donne une
version de chaque objet déclarant concerné, comme s'il avait été fait de son côté.
"""

from typing import Any

from django.db import models
from simple_history.models import HistoricalRecords


class HistoriqueAvecLiensInverses(HistoricalRecords):
    def m2m_changed(
        self,
        instance: models.Model,
        action: str,
        attr: str,
        pk_set: set[Any] | None,
        reverse: bool,
        model: type[models.Model],  # Django passe toujours la classe des objets liés
        **kwargs: Any,
    ) -> None:
        if not reverse:
            super().m2m_changed(instance, action, attr, pk_set, reverse, **kwargs)
            return
        if action == "pre_clear":
            # Après le vidage, plus rien ne dit quels objets étaient liés : on les note avant.
            instance._lies_avant_vidage = list(model._default_manager.filter(**{attr: instance}))  # type: ignore[attr-defined]
            return
        if action in ("post_add", "post_remove"):
            lies = list(model._default_manager.filter(pk__in=pk_set or ()))
        elif action == "post_clear":
            lies = getattr(instance, "_lies_avant_vidage", [])
        else:
            return
        auteur = getattr(instance, "_history_user", None)
        for lie in lies:
            if auteur is not None:
                lie._history_user = auteur  # type: ignore[attr-defined]
            super().m2m_changed(lie, action, attr, None, False, **kwargs)
