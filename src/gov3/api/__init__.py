"""gov3's REST API under /api/v1: django-ninja, session authentication with CSRF, OpenAPI."""
