from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from .forms import ConnexionForm, JetonForm
from .models import JetonAPI


class Connexion(auth_views.LoginView):
    template_name = "comptes/connexion.html"
    authentication_form = ConnexionForm
    redirect_authenticated_user = True


class Deconnexion(auth_views.LogoutView):
    pass


@login_required
def compte(request: HttpRequest) -> HttpResponse:
    form = JetonForm(request.POST or None)
    secret = None
    if request.method == "POST" and form.is_valid():
        _, secret = JetonAPI.emettre(request.user, form.cleaned_data["nom"])
        form = JetonForm()
    return render(
        request,
        "comptes/compte.html",
        {
            "form": form,
            "secret": secret,
            "jetons": request.user.jetons.filter(revoque_le__isnull=True),
            "adhesions": request.user.adhesions.select_related("organisation"),
        },
    )


@require_POST
@login_required
def revoquer(request: HttpRequest, pk: int) -> HttpResponse:
    jeton = get_object_or_404(JetonAPI, pk=pk, utilisateur=request.user, revoque_le__isnull=True)
    jeton.revoque_le = timezone.now()
    jeton.save(update_fields=["revoque_le"])
    messages.success(request, f"Jeton « {jeton.nom} » révoqué.")
    return redirect("comptes:compte")
