"""The database away (restart, fail-over, network) is a temporary condition: answer 503
with a short message and Retry-After, never a 500 page or a traceback, so clients and
load balancers retry instead of reporting a bug.

Two hooks, because a database error can surface in two places:
- DatabaseUnavailableMiddleware.process_exception: raised by a view (DRF re-raises
  what its handler does not know);
- server_error (config/urls.py handler500): raised by a middleware before the view
  (the time zone middleware reads request.user), where process_exception never runs.
"""
import logging
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

log = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = "5"


def unavailable_response(request) -> HttpResponse:
    message = _("Concert is briefly unavailable. Please retry in a few seconds.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"code": "unavailable", "detail": message}, status=503)
    else:
        response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
    response["Retry-After"] = RETRY_AFTER_SECONDS
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DATABASE_ERRORS):
            # One line, not a traceback: the cause is outside the code.
            log.warning("database unavailable for %s %s: %s", request.method, request.path,
                        str(exception).splitlines()[0] if str(exception) else exception.__class__.__name__)
            return unavailable_response(request)
        return None


def server_error(request, *args, **kwargs):
    # Django calls the 500 handler inside its except block, so the exception is at hand.
    exc = sys.exc_info()[1]
    if isinstance(exc, DATABASE_ERRORS):
        return unavailable_response(request)
    return defaults.server_error(request, *args, **kwargs)
