"""Adresses de la gouvernance : a_traiter (rempli par son lot)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
