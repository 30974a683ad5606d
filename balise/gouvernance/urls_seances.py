"""Adresses de la gouvernance : seances (rempli par son lot)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
