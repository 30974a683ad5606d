from django.urls import path

from . import vues_publiques as v

app_name = "charte_publique"
urlpatterns = [
    path("<slug:slug>/charte/", v.page, name="page"),
    path("<slug:slug>/charte.pdf", v.document_pdf, name="pdf"),
]
