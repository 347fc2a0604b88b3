"""The API's body parser: JSON, read no further than DATA_UPLOAD_MAX_MEMORY_SIZE.

DRF parses the request stream itself, past Django's own size check on `request.body`,
so without this a 10 MB (or 1 GB) body would be read into memory and parsed whole.
Kept apart from core/api/base.py, which imports DRF's views (DRF imports the parser
classes named in the settings while its views load)."""
import io

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers, status


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("The request body is too large.")
    default_code = "too_large"


class BoundedJSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is not None and stream is not None:
            request = (parser_context or {}).get("request")
            try:
                declared = int(request.META.get("CONTENT_LENGTH") or 0) if request is not None else 0
            except (TypeError, ValueError):
                declared = 0
            if declared > limit:
                raise PayloadTooLarge()
            body = stream.read(limit + 1)  # a body longer than it declared, or undeclared
            if len(body) > limit:
                raise PayloadTooLarge()
            stream = io.BytesIO(body)
        return super().parse(stream, media_type, parser_context)
