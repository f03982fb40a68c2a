"""Citizen web pages."""
