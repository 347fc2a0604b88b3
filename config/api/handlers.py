"""Django-level error pages for URLs under /api/: JSON in the API's one error shape.

A URL that matches no route (e.g. /api/v1/actions/0.15, where the route wants an integer
id) never reaches DRF, so its exception handler cannot shape the answer; without this
an API client would get Django's HTML page."""
from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults


def page_not_found(request, exception, template_name=defaults.ERROR_404_TEMPLATE_NAME):
    if request.path.startswith("/api/"):
        return JsonResponse({"code": "not_found", "detail": _("Not found.")}, status=404)
    return defaults.page_not_found(request, exception, template_name)
