"""Conventions every Concert API resource follows (coordination, accounts, alerts).

A resource is a short declaration over the base classes in `core.api.base`:

    class ThingViewSet(ScopedViewSetMixin, viewsets.ModelViewSet):
        selector = staticmethod(thing_list)        # (user=) -> queryset already scoped
        serializer_class = ThingSerializer         # StrictSerializerMixin: unknown keys are 400
        etag_prefix = "thing"                      # only for models with a `version` column

and is registered on `config.api.urls.router` (or listed in an app's `api/urls.py`
that `config/urls.py` includes under /api/v1/).

- Scope: `get_queryset()` is the selector's queryset for `request.user`. A row out of
  scope is absent for that request, so it answers 404 exactly like a missing id, never
  403 (docs/DESIGN.md, "Who uses it"). Never filter by role in a view; extend the selector.
- Writes: the view calls the service (coordination.services, alerts.services) and
  nothing else. `StaffWritesPermission` answers 403 early for liaisons on objects they
  can see; the service still enforces the rule and its NotPermitted is mapped to 403.
- Errors (core.api.exceptions): one body shape, `{"code", "detail", "fields"?}`.
  DomainError → 400 (field and reason), TransitionNotAllowed → 409 with `allowed`,
  VersionConflict → 412, NotPermitted → 403, missing If-Match → 428, malformed JSON,
  wrong types, unknown or read-only fields → 400 naming the field.
- Concurrency: models with a `version` column expose `ETag: "<prefix>-<id>-v<version>"`
  on detail responses; PUT/PATCH and state-changing actions require `If-Match`
  (`ConditionalWriteMixin.expected_version`), and the service compares the version
  under a row lock.
- Lists: page-number pagination (`?page=`, `?page_size=` up to 200) by default,
  cursor pagination (`core.api.pagination.CursorByTimePagination`) for growing
  series. Filtering with django-filter FilterSets; `?search=` and `?ordering=`.
- CSV exports (`CsvExportMixin`) run the list's own filtered queryset, so they are
  scoped exactly like the list, and neutralise spreadsheet formulas; plain UTF-8, or
  with a byte-order mark for Excel at `?format=excel` (`ExcelCsvRenderer`).
- Times are ISO 8601 in UTC.
- Schema: drf-spectacular; `core.api.schema.ConcertAutoSchema` documents the error
  responses of every operation. New choice fields named like an existing one
  ("status", "kind", "role") need an ENUM_NAME_OVERRIDES entry in settings.
- Tests: tests/api/test_authorization_matrix.py walks every /api/v1/ route from the URL
  conf; a new route must be described there (which object its id refers to).
"""
