"""/api/v1/ (resources of every app), /api/schema/ and /api/docs/."""
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

urlpatterns = [
    path("v1/", include("accounts.api.urls")),
    path("v1/", include("coordination.api.urls")),
    path("v1/", include("alerts.api.urls")),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves Swagger UI's start-up script from its own URL (?script), so
    # the docs run under the site's CSP with no inline script (config/settings.py).
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    # Redoc styles itself by injecting style elements (styled-components): this one page
    # allows inline styles. Its scripts stay limited to our own files.
    path("redoc/", csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularRedocView.as_view(url_name="schema")),
         name="api-redoc"),
]
