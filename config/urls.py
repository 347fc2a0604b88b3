from django.contrib import admin
from django.urls import include, path

from config.health import healthz

# A database error raised outside a view (in a middleware) is a 503 too: config/unavailable.py.
handler500 = "config.unavailable.server_error"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/", include("config.api.urls")),
    # Pages (server-rendered, htmx): sign-in and the coordination pages.
    path("accounts/", include("accounts.urls")),
    path("", include("coordination.urls_calendar")),
    path("", include("alerts.urls_pages")),
    path("", include("coordination.urls")),
]

# Unmatched URLs under /api/ answer JSON like every other API error (config/api/handlers.py).
handler404 = "config.api.handlers.page_not_found"
