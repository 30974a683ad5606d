from django.urls import path

from . import views

app_name = "conformite"
urlpatterns = [
    path("registre/<int:pk>/qualification/", views.qualification, name="qualification"),
    path("registre/<int:pk>/qualification/questionnaire/", views.questionnaire, name="questionnaire"),
    path("obligations/", views.obligations, name="obligations"),
    path("obligations/<int:pk>/", views.obligation, name="obligation"),
]
