"""One error shape for the whole API: {"code": ..., "detail": ..., "fields": {...}}.

Domain errors raised by the services become HTTP answers here, so no view needs to
catch them: DomainError → 400, NotPermitted → 403, TransitionNotAllowed → 409,
VersionConflict → 412.
"""
from django.core.exceptions import ObjectDoesNotExist, RequestDataTooBig
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from core.api.parsers import PayloadTooLarge
from core.errors import DomainError, NotPermitted, TransitionNotAllowed, VersionConflict


class PreconditionRequired(exceptions.APIException):
    status_code = 428
    default_detail = _("This change needs an If-Match header carrying the ETag you last read.")
    default_code = "precondition_required"


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = _("This record was changed since you read it; read it again and retry.")
    default_code = "precondition_failed"


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """DRF nests errors (dicts of lists of dicts for bulk bodies); clients want one level
    keyed by a dotted path such as "3.value"."""
    flat: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            for sub, messages in flatten_errors(value, f"{prefix}{key}.").items():
                flat.setdefault(sub, []).extend(messages)
    elif isinstance(detail, list) and any(isinstance(item, (dict, list)) for item in detail):
        for index, value in enumerate(detail):
            for sub, messages in flatten_errors(value, f"{prefix}{index}.").items():
                flat.setdefault(sub, []).extend(messages)
    else:
        items = detail if isinstance(detail, list) else [detail]
        flat[prefix.rstrip(".") or "non_field_errors"] = [str(item) for item in items if str(item)]
    return {key: value for key, value in flat.items() if value}


def _error(code: str, detail: str, http_status: int, **extra) -> Response:
    return Response({"code": code, "detail": detail, **extra}, status=http_status)


def _domain_error_response(exc: DomainError) -> Response:
    if isinstance(exc, TransitionNotAllowed):
        return _error(exc.code, exc.message, status.HTTP_409_CONFLICT, fields={"status": [exc.message]},
                      current=exc.current, allowed=list(exc.allowed))
    if isinstance(exc, VersionConflict):
        return _error(exc.code, exc.message, status.HTTP_412_PRECONDITION_FAILED, current_version=exc.current)
    if isinstance(exc, NotPermitted):
        # The object is visible to the actor (it was fetched through a scoped
        # selector); out-of-scope objects never get this far and answer 404.
        extra = {"fields": {exc.field: [exc.message]}} if exc.field else {}
        return _error(exc.code, exc.message, status.HTTP_403_FORBIDDEN, **extra)
    return _error(exc.code, exc.message, status.HTTP_400_BAD_REQUEST,
                  fields={exc.field or "non_field_errors": [exc.message]})


def exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return _domain_error_response(exc)
    if isinstance(exc, DjangoValidationError):
        fields = flatten_errors(exc.message_dict if hasattr(exc, "error_dict") else exc.messages)
        first = next(iter(fields.values()))[0] if fields else _("Invalid input.")
        return _error("invalid", first, status.HTTP_400_BAD_REQUEST, fields=fields)
    if isinstance(exc, IntegrityError):
        # A constraint caught what the service's own check raced past (two requests
        # creating the same pair at once): the loser is told to re-read, not given a 500.
        set_rollback()
        return _error("conflict", _("This conflicts with a change made at the same time; read again and retry."),
                      status.HTTP_409_CONFLICT)
    if isinstance(exc, RequestDataTooBig):
        # Django refuses to read a body over DATA_UPLOAD_MAX_MEMORY_SIZE (a form-encoded
        # body read for the CSRF check, say): the same short 413 as the JSON parser's.
        exc = PayloadTooLarge()
    if isinstance(exc, ObjectDoesNotExist):
        # A selector's .get() on a row out of scope: the same answer as a missing id.
        exc = Http404()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = flatten_errors(exc.detail)
        first_key, first_messages = next(iter(fields.items()), ("", [_("Invalid input.")]))
        detail = f"{first_key}: {first_messages[0]}" if first_key and first_key != "non_field_errors" \
            else first_messages[0]
        response.data = {"code": "invalid", "detail": detail, "fields": fields}
        return response
    if isinstance(exc, Http404):
        response.data = {"code": "not_found", "detail": _("Not found.")}
        return response
    detail = getattr(exc, "detail", None)
    code = exc.get_codes() if isinstance(exc, exceptions.APIException) else "error"
    response.data = {"code": code if isinstance(code, str) else "error", "detail": str(detail or exc)}
    return response
