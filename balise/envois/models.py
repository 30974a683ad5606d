from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Envoi(models.Model):
    """Le jeton à usage unique d'un formulaire de création, retenu avec l'objet que son envoi a créé.

    La contrainte d'unicité, et non une lecture préalable, fait que deux envois simultanés du même
    formulaire ne créent qu'un objet : le second attend que le premier soit validé, puis le retrouve.
    """

    utilisateur = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # L'adresse où le formulaire a été envoyé : une page qui porte plusieurs formulaires de création
    # leur donne le même jeton, chacun est un envoi distinct.
    cible = models.CharField(max_length=300)
    jeton = models.CharField(max_length=64)
    type_objet = models.ForeignKey(ContentType, null=True, on_delete=models.CASCADE, related_name="+")
    id_objet = models.PositiveBigIntegerField(null=True)
    objet = GenericForeignKey("type_objet", "id_objet")
    cree_le = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = "envoi de formulaire"
        constraints = [
            models.UniqueConstraint(fields=["utilisateur", "cible", "jeton"], name="un_objet_par_envoi")
        ]

    def __str__(self) -> str:
        return f"{self.cible} ({self.cree_le:%d/%m/%Y %H:%M})"
