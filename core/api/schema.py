"""OpenAPI generation: every operation documents the error answers it can give."""
from drf_spectacular.openapi import AutoSchema

ERROR_DESCRIPTIONS = {
    "400": "Bad input: `fields` names each refused field and why.",
    "401": "Not signed in, or the token is unknown, revoked or expired.",
    "403": "Visible to you, but your role may not make this change.",
    "404": "No such object, or not visible to you (the two are indistinguishable).",
    "409": "Refused transition: `allowed` lists the statuses reachable from `current`.",
    "412": "If-Match names an older version: someone changed it since you read it; nothing was changed.",
    "428": "If-Match is missing: read the object, then send its ETag.",
}

# Lists answer these for their query parameters, not for an object.
LIST_ERROR_DESCRIPTIONS = {
    "400": "A filter or `page_size` was refused: `fields` names each and why.",
    "404": "No such page or format: `page` is past the last one, `cursor` is not one we issued, "
           "or `format` names none we offer.",
}


class ConcertAutoSchema(AutoSchema):
    def _error_codes(self) -> list[str]:
        view = self.view
        # Views open to anonymous callers for some methods (token login) list them.
        public = self.method in getattr(view, "public_methods", ())
        codes = [] if public else ["401"]
        if "{" in self.path:
            codes.append("404")
        if self._lists_rows():
            # Filters and page_size refuse bad values (400); a page or cursor past the
            # results or not issued by us is not found (404).
            if self._get_filter_parameters() or self._get_paginator():
                codes.append("400")
            if (self._get_paginator() or getattr(self.view, "action", None) == "export") and "404" not in codes:
                codes.append("404")
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            codes += ["400"] + ([] if public else ["403"])
        if getattr(view, "etag_prefix", None) and (
            self.method in ("PUT", "PATCH") or getattr(view, "action", None) in getattr(view, "conditional_actions", ())
        ):
            codes += ["412", "428"]
        if getattr(view, "action", None) in getattr(view, "conflict_actions", ()):
            codes.append("409")
        return codes

    def _lists_rows(self) -> bool:
        """A list or its CSV export: both read filters from the query string."""
        return self.method == "GET" and (self._is_list_view() or getattr(self.view, "action", None) == "export")

    def _get_response_bodies(self, direction="response"):
        # Not at the top: DRF imports this class (DEFAULT_SCHEMA_CLASS) while
        # core.api.base, which defines its views' base classes, is still importing.
        from core.api.base import ErrorSerializer

        responses = super()._get_response_bodies(direction)
        for code in self._error_codes():
            if code not in responses:
                body = self._get_response_for_code(ErrorSerializer, code, direction=direction)
                top_level_list = self._lists_rows() and "{" not in self.path
                body["description"] = LIST_ERROR_DESCRIPTIONS.get(code, ERROR_DESCRIPTIONS[code]) \
                    if top_level_list else ERROR_DESCRIPTIONS[code]
                responses[code] = body
        return responses

    def _get_response_headers_for_code(self, status_code, direction="response"):
        headers = super()._get_response_headers_for_code(status_code, direction)
        view = self.view
        if getattr(view, "etag_prefix", None) and status_code in ("200", "201") and "{" in self.path \
                and getattr(view, "action", None) in ("retrieve", "update", "partial_update",
                                                      *getattr(view, "conditional_actions", ())):
            headers["ETag"] = {"schema": {"type": "string"},
                               "description": "Send it back as If-Match to change this object."}
        return headers
