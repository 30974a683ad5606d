from django.urls import path

from . import views

app_name = "bibliotheque"
urlpatterns = [
    path("bibliotheque/", views.liste, name="liste"),
    path("bibliotheque/<int:pk>/", views.cas, name="cas"),
    path("bibliotheque/<int:pk>/adopter/", views.adopter, name="adopter"),
    path("bibliotheque/<int:pk>/retrait/", views.retirer, name="retirer"),
    path("bibliotheque/partager/<int:pk>/", views.partager, name="partager"),
]
