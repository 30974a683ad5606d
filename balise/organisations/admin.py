from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, QuerySet, Subquery
from django.forms.models import BaseInlineFormSet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from balise.administration import LectureSeule, ParLesServices
from balise.formulaires import ChampVersion

from . import services
from .models import Adhesion, EvenementJournal, Invitation, Organisation
from .roles import Role


class AdhesionEnLigne(admin.TabularInline):
    model = Adhesion
    extra = 1
    autocomplete_fields = ["utilisateur"]


class OrganisationAdminForm(forms.ModelForm):
    # La version lue (verrou optimiste) ; `version` est un champ du modèle, non modifiable.
    version_lue = ChampVersion()
    administrateur = forms.EmailField(
        label="adresse du premier administrateur",
        help_text="Son compte est créé s'il n'existe pas : il reçoit par courriel un lien pour choisir son mot de passe.",
    )

    class Meta:
        model = Organisation
        fields = services.CHAMPS_MODIFIABLES_PAR_L_INSTANCE

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            del self.fields["version_lue"]
        else:
            del self.fields["administrateur"]
            # Lue en base : rétablir une version de l'historique part de la version actuelle.
            actuelle = Organisation.objects.filter(pk=self.instance.pk).values_list("version", flat=True)
            self.fields["version_lue"].initial = actuelle.first()


def _ordre(formulaire: forms.ModelForm, supprimees: list) -> int:
    # D'abord ce qui nomme un administrateur, ensuite ce qui en retire un : une même soumission peut
    # nommer le nouveau et retirer l'ancien sans jamais laisser l'organisation sans administrateur.
    nomme = formulaire not in supprimees and formulaire.cleaned_data.get("role") == Role.ADMINISTRATEUR
    return 0 if nomme else 1


@admin.register(Organisation)
class OrganisationAdmin(ParLesServices, SimpleHistoryAdmin):
    form = OrganisationAdminForm
    list_display = ["nom", "type", "siren", "slug", "population", "nombre_agents"]
    list_filter = ["type"]
    search_fields = ["nom", "siren", "slug"]
    prepopulated_fields = {"slug": ["nom"]}
    inlines = [AdhesionEnLigne]

    def get_fields(self, request: HttpRequest, obj: Organisation | None = None) -> list[str]:
        if obj is None:
            # Les champs de services.creer_organisation ; le seuil du secret garde sa valeur par défaut.
            return [
                "nom",
                "slug",
                "type",
                "siren",
                "population",
                "nombre_agents",
                "contact_public",
                "administrateur",
            ]
        return [*services.CHAMPS_MODIFIABLES_PAR_L_INSTANCE, "version_lue"]

    def save_model(
        self, request: HttpRequest, obj: Organisation, form: forms.ModelForm, change: bool
    ) -> None:
        donnees = form.cleaned_data
        if change:
            champs = services.CHAMPS_MODIFIABLES_PAR_L_INSTANCE
            services.modifier_organisation(
                obj.pk,
                {c: donnees[c] for c in champs if c in donnees},
                donnees["version_lue"],
                request.user,
                champs,
            )
            return
        creee, personne, cree = services.creer_organisation(
            nom=donnees["nom"],
            type=donnees["type"],
            administrateur_email=donnees["administrateur"],
            slug=donnees["slug"],
            siren=donnees["siren"],
            population=donnees["population"],
            nombre_agents=donnees["nombre_agents"],
            contact_public=donnees["contact_public"],
            par=request.user,
        )
        obj.pk = creee.pk  # la suite de l'administration (adhésions en ligne, journal) porte sur elle
        if cree:
            self.message_user(
                request,
                f"Compte créé pour {personne.email} : un lien pour choisir son mot de passe lui est envoyé par courriel.",
                messages.WARNING,
            )

    def save_formset(
        self, request: HttpRequest, form: forms.ModelForm, formset: BaseInlineFormSet, change: bool
    ) -> None:
        supprimees = formset.deleted_forms
        ajoutees, changees, retirees = [], [], []
        for f in sorted(formset.forms, key=lambda f: _ordre(f, supprimees)):
            adhesion = f.instance
            if f in supprimees:
                if adhesion.pk is not None:
                    services.retirer_membre(adhesion, request.user)
                    retirees.append(adhesion)
            elif adhesion.pk is None:
                if f.has_changed():
                    ajoutees.append(
                        services.ajouter_membre(
                            form.instance, f.cleaned_data["utilisateur"], f.cleaned_data["role"], request.user
                        )
                    )
            elif "utilisateur" in f.changed_data:
                raise ValidationError(
                    "Une adhésion ne change pas de personne : retirez-la et ajoutez celle de l'autre personne."
                )
            elif "role" in f.changed_data:
                changees.append(
                    (services.changer_role(adhesion, f.cleaned_data["role"], request.user), ["role"])
                )
        # Ce que Django note au journal de l'administration (formset.save() les aurait posés).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = ajoutees, changees, retirees

    def delete_model(self, request: HttpRequest, obj: Organisation) -> None:
        services.supprimer_organisation(obj, request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Organisation]) -> None:
        for organisation in queryset:
            services.supprimer_organisation(organisation, request.user)


@admin.register(Invitation)
class InvitationAdmin(LectureSeule, ParLesServices):
    """On invite depuis la page « Membres » de l'organisation (courriel et lien) ; ici, on peut annuler."""

    list_display = ["email", "organisation", "role", "creee_le", "expire_le", "acceptee_le", "annulee_le"]
    exclude = ["jeton"]
    actions = ["annuler"]

    def has_annuler_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("organisations.change_invitation")

    @admin.action(description="Annuler les invitations choisies", permissions=["annuler"])
    def annuler(self, request: HttpRequest, queryset: QuerySet[Invitation]) -> None:
        for invitation in queryset:
            services.annuler_invitation(invitation, request.user)
        self.message_user(request, f"{len(queryset)} invitation(s) annulée(s).")


@admin.register(EvenementJournal)
class EvenementJournalAdmin(LectureSeule):
    """Le journal se lit, ne s'écrit ni ne s'efface depuis l'administration (on n'y fait qu'ajouter)."""

    list_display = ["le", "nom_organisation", "nature", "objet", "par"]
    list_filter = ["nature"]
    search_fields = ["objet"]
    list_select_related = ["par"]

    def get_queryset(self, request):
        # Le journal survit à son organisation (sans contrainte de clé) : son nom est lu sans jointure.
        nom = Organisation.objects.filter(pk=OuterRef("organisation_id")).values("nom")[:1]
        return super().get_queryset(request).annotate(nom_organisation=Subquery(nom))

    @admin.display(description="organisation")
    def nom_organisation(self, obj: EvenementJournal) -> str:
        return obj.nom_organisation or f"(supprimée, n° {obj.organisation_id})"
