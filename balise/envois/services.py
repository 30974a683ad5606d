"""Un envoi, un objet : les formulaires de création portent un jeton à usage unique.

Le double clic, le rechargement d'une page de résultat ou le retour arrière renvoient le même
formulaire ; sans garde, chaque envoi créait un objet de plus (deux fiches au registre, deux
invitations et deux courriels…). Chaque formulaire de création porte donc un jeton tiré au hasard à
l'affichage (`{% champ_envoi %}`), et la vue crée par `une_seule_fois` : le jeton est retenu dans la
même transaction que l'objet créé. Un second envoi du même jeton ne crée rien et rend l'objet du
premier, avec un message en français.

Deux envois simultanés : l'unicité est garantie par la contrainte de la table (`Envoi`), pas par une
lecture préalable. Le second envoi attend, sur l'insertion du jeton, que le premier soit validé, puis
le retrouve ; si le premier échoue (saisie refusée), son jeton n'est pas retenu et le formulaire
corrigé peut être renvoyé.

Un envoi sans jeton (client qui ne passe pas par les pages de Balise) crée comme avant : le jeton
protège une personne de ses propres envois répétés, il ne sert pas de contrôle d'accès.
"""

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar

from django.contrib import messages
from django.db import IntegrityError, models, transaction
from django.http import HttpRequest
from django.utils import timezone

from .models import Envoi

CHAMP = "envoi"
_FORME = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Un envoi plus ancien est oublié (rejouer un formulaire après une semaine crée de nouveau).
DUREE = timedelta(days=7)
M = TypeVar("M", bound=models.Model)


def nouveau_jeton() -> str:
    return secrets.token_urlsafe(24)


def jeton_de(request: HttpRequest) -> str:
    """Le jeton des formulaires de création de la page en cours de rendu (un par requête ; une page
    qui a plusieurs formulaires les distingue par leur adresse d'envoi)."""
    jeton = getattr(request, "_balise_jeton_envoi", None)
    if jeton is None:
        # Gardé sur la requête : un seul jeton pour tous les formulaires d'une même page.
        jeton = request._balise_jeton_envoi = nouveau_jeton()  # type: ignore[attr-defined]
    return jeton


@dataclass(frozen=True)
class Resultat(Generic[M]):
    # L'objet créé par cet envoi ou, pour un doublon, par le premier (None s'il a disparu depuis).
    objet: M | None
    doublon: bool


def une_seule_fois(request: HttpRequest, creer: Callable[[], M]) -> Resultat[M]:
    """Crée par `creer()` si le jeton du formulaire n'a pas encore servi ; sinon ne crée rien, rend
    l'objet créé par le premier envoi et l'annonce à la personne. Les refus de `creer()`
    (ValidationError…) passent tels quels, et le jeton reste libre."""
    jeton = request.POST.get(CHAMP, "")
    if not _FORME.fullmatch(jeton) or not request.user.is_authenticated:
        return Resultat(creer(), False)
    cle = {"utilisateur": request.user, "cible": request.path[:300], "jeton": jeton}
    with transaction.atomic():
        try:
            with transaction.atomic():
                envoi = Envoi.objects.create(**cle)
        except IntegrityError:
            envoi = None
        if envoi is not None:
            objet = creer()
            envoi.objet = objet
            envoi.save(update_fields=["type_objet", "id_objet"])
            Envoi.objects.filter(cree_le__lt=timezone.now() - DUREE).delete()
            return Resultat(objet, False)
    premier = Envoi.objects.filter(**cle).first()
    existant: M | None = premier.objet if premier is not None else None
    messages.info(
        request,
        "Ce formulaire avait déjà été envoyé : rien n'a été créé de plus."
        + (f" Voici « {existant} », créé par le premier envoi." if existant is not None else ""),
    )
    return Resultat(existant, True)
