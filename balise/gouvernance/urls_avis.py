"""Adresses de la gouvernance : avis (rempli par son lot)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
