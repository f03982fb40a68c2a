"""Open data under /open-data/: the catalogue page, DCAT as JSON-LD and Turtle, datasets."""

from django.urls import path, re_path

from gov3.opendata import views

app_name = "opendata"

urlpatterns = [
    path("open-data/", views.index, name="index"),
    path("open-data/catalog.jsonld", views.catalog_jsonld, name="catalog_jsonld"),
    path("open-data/catalog.ttl", views.catalog_ttl, name="catalog_ttl"),
    path("open-data/datasets/<slug:slug>.schema.json", views.schema, name="schema"),
    re_path(
        r"^open-data/datasets/(?P<slug>[a-z0-9-]+)\.(?P<fmt>csv|json|parquet)$",
        views.download,
        name="download",
    ),
]
