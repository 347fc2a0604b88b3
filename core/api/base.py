"""Base classes every API resource is declared over (see core/api/__init__.py)."""
from __future__ import annotations

import csv
import math
import re
from collections.abc import Callable

from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
)
from rest_framework import permissions, renderers, serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.exceptions import PreconditionFailed, PreconditionRequired
from core.api.pagination import CursorPagination
from core.roles import has_staff_role
from core.signals import rows_exported

# --- Serializers ------------------------------------------------------------------------


class StrictSerializerMixin:
    """Refuse keys the serializer would not write: a typo ("staus") or a read-only field
    ("version") must not be silently dropped, the client would believe it was saved."""

    def to_internal_value(self, data):
        if isinstance(data, dict):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            errors = {}
            for key in data:
                if key in writable:
                    continue
                if key in self.fields:
                    errors[key] = [_("This field is read-only.")]
                else:
                    errors[key] = [_("Unknown field.")]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)


class StrictSerializer(StrictSerializerMixin, serializers.Serializer):
    pass


class StrictModelSerializer(StrictSerializerMixin, serializers.ModelSerializer):
    pass


class FiniteFloatField(serializers.FloatField):
    """A float that is a number: "NaN" and "Infinity" (as strings, or as the bare JSON
    extensions some encoders emit) are refused with the field named."""

    default_error_messages = {"not_finite": _("A finite number is required (not NaN or infinity).")}

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("not_finite")
        return value


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference to an object the requesting user may see. Out of scope reads exactly
    like a missing id ("does not exist"), so a write body cannot probe for existence.

    `selector` is a selector function taking `user=`; `queryset` is the model's manager,
    used only for the schema."""

    def __init__(self, *, selector: Callable, **kwargs):
        self.selector = selector
        super().__init__(**kwargs)

    def get_queryset(self):
        request = self.context.get("request")
        return self.selector(user=getattr(request, "user", None))


class CachedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A reference to a small reference table (e.g. the indicator catalogue) made by many
    rows of one bulk body: the table is read once per request, not once per row."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        cache = self.root.context.setdefault(f"_cache_{id(self.parent.__class__)}_{self.field_name}", None)
        if cache is None:
            cache = {str(obj.pk): obj for obj in self.get_queryset()}
            self.root.context[f"_cache_{id(self.parent.__class__)}_{self.field_name}"] = cache
        try:
            return cache[str(data)]
        except KeyError:
            self.fail("does_not_exist", pk_value=data)


class GovernmentBriefSerializer(serializers.Serializer):
    """A government as other resources show it (an action's owner, a user's government)."""

    id = serializers.IntegerField(read_only=True)
    code = serializers.CharField(read_only=True, max_length=8)
    name = serializers.CharField(read_only=True, max_length=200)


class UserBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)
    full_name = serializers.SerializerMethodField()

    def get_full_name(self, user) -> str:
        return user.get_full_name() or user.username


class HistoryRecordSerializer(serializers.Serializer):
    """One django-simple-history record: who changed what, when, and the row as it was."""

    TYPES = {"+": "created", "~": "changed", "-": "deleted"}

    history_id = serializers.IntegerField(read_only=True)
    history_date = serializers.DateTimeField(read_only=True)
    change = serializers.SerializerMethodField()
    user = serializers.SerializerMethodField()
    reason = serializers.CharField(source="history_change_reason", read_only=True, allow_null=True)
    snapshot = serializers.SerializerMethodField()

    def get_change(self, record) -> str:
        return self.TYPES.get(record.history_type, record.history_type)

    @extend_schema_field(UserBriefSerializer(allow_null=True))
    def get_user(self, record):
        user = record.history_user
        return UserBriefSerializer(user).data if user is not None else None

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_snapshot(self, record) -> dict:
        return {
            field.attname: getattr(record, field.attname)
            for field in record._meta.fields
            if not field.attname.startswith("history_")
        }


class ErrorSerializer(serializers.Serializer):
    """The body of every error answer (core.api.exceptions)."""

    code = serializers.CharField(help_text="Machine-readable reason, e.g. invalid, not_found, version_conflict.")
    detail = serializers.CharField(help_text="Readable reason.")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()), required=False,
        help_text='Per input field (dotted path for bulk bodies, e.g. "3.value"): the reasons it was refused.',
    )
    allowed = serializers.ListField(child=serializers.CharField(), required=False,
                                    help_text="For 409 on a transition: the statuses reachable from the current one.")
    current = serializers.CharField(required=False, help_text="For 409 on a transition: the current status.")
    current_version = serializers.IntegerField(required=False, help_text="For 412: the version now stored.")


# --- Permissions ------------------------------------------------------------------------


class StaffWritesPermission(permissions.BasePermission):
    """Reads for every signed-in user (the queryset already holds only what they may
    see); writes for staff, plus the view's `liaison_actions` when `may_change` agrees.

    Detail writes are decided after the scoped lookup, so out of scope answers 404
    before any 403 could tell that the object exists. Views nested under a parent set
    `checks_parent_permission` and call `check_object_permissions(request, parent)`
    once the parent is found."""

    def has_permission(self, request, view):
        if request.method in permissions.SAFE_METHODS or getattr(view, "detail", False) \
                or getattr(view, "checks_parent_permission", False):
            return True
        return has_staff_role(request.user) or getattr(view, "action", None) in getattr(view, "liaison_actions", ())

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        may_change = getattr(view, "may_change", None)
        return may_change(request.user, obj) if may_change else has_staff_role(request.user)


# --- Views ------------------------------------------------------------------------------


class ScopedViewSetMixin:
    """`selector(user=...)` is the whole queryset of the view: what the user may see."""

    selector: Callable
    permission_classes = [permissions.IsAuthenticated, StaffWritesPermission]
    liaison_actions: tuple[str, ...] = ()

    def get_queryset(self):
        return type(self).selector(user=self.request.user)


IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match", OpenApiTypes.STR, OpenApiParameter.HEADER, required=True,
    description="The ETag of the version you edited, as read from a detail response. "
                "Missing: 428. Stale: 412 and nothing is changed.",
)


class ConditionalWriteMixin:
    """ETag / If-Match over a `version` column. The view only parses the header; the
    service compares the version under a row lock, so the check and the write cannot be
    separated by another request."""

    etag_prefix: str

    def etag_for(self, obj) -> str:
        return f'"{self.etag_prefix}-{obj.pk}-v{obj.version}"'

    def expected_version(self, request, obj) -> int:
        header = request.headers.get("If-Match", "").strip()
        if not header or header == "*":
            raise PreconditionRequired()
        pattern = re.compile(rf'"{re.escape(self.etag_prefix)}-{obj.pk}-v(\d{{1,9}})"')
        for tag in header.split(","):
            match = pattern.fullmatch(tag.strip())  # weak tags (W/"…") never match an If-Match
            if match:
                return int(match.group(1))
        raise PreconditionFailed()

    def detail_response(self, obj, *, status: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=obj.pk)
        serializer = self.get_serializer_class()(fresh, context=self.get_serializer_context())
        response = Response(serializer.data, status=status)
        response["ETag"] = self.etag_for(fresh)
        return response

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()
        response = Response(self.get_serializer(obj).data)
        response["ETag"] = self.etag_for(obj)
        return response


class HistoryMixin:
    """`GET …/{id}/history`: the object's django-simple-history records, newest first.
    The object is fetched through the scoped queryset, so history is scoped with it."""

    @extend_schema(responses=HistoryRecordSerializer(many=True), filters=False,
                   summary="Change history of this object, newest first")
    @action(detail=True, methods=["get"], filter_backends=[],
            pagination_class=type("HistoryPagination", (CursorPagination,),
                                  {"ordering": ("-history_date", "-history_id"), "page_size": 100}))
    def history(self, request, *args, **kwargs):
        obj = self.get_object()
        records = obj.history.select_related("history_user")
        page = self.paginate_queryset(records)
        return self.get_paginated_response(HistoryRecordSerializer(page, many=True).data)


FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise_cell(value) -> str:
    """A cell a spreadsheet would run as a formula gets a leading apostrophe."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_PREFIXES) else text


class CsvRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"
    # Written before the header row. The one place an export's encoding is decided.
    byte_order_mark = ""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        # Only errors reach a renderer; the export itself is written by the view.
        return renderers.JSONRenderer().render(data)


class ExcelCsvRenderer(CsvRenderer):
    """`?format=excel`: the same UTF-8 CSV led by a byte-order mark. Excel on Windows
    reads a CSV without one in the local ANSI code page and shows "CÃ´te" for "Côte";
    with it, Excel (and Python's utf-8-sig) reads UTF-8. Not the default: most other
    readers (pandas, R, scripts) would keep the mark as part of the first header."""

    format = "excel"
    byte_order_mark = "\ufeff"


CSV_FORMAT_PARAMETER = OpenApiParameter(
    "format", OpenApiTypes.STR, OpenApiParameter.QUERY, enum=[CsvRenderer.format, ExcelCsvRenderer.format],
    description="`csv` (the default): plain UTF-8. `excel`: UTF-8 with a byte-order mark, so that Excel on "
                "Windows shows accented names (Côte d'Ivoire) as written.",
)


class CsvExportMixin:
    """`GET …/export`: the list's own filtered queryset as CSV, so an export is scoped
    exactly as the list is. `csv_columns` is a list of (header, function of the row).

    Every row about a situation carries its sharing marking: `csv_marking` (a function
    of the row giving its TLP label) is written as the first column, "marking", and an
    export without it is refused when the class is made, not forgotten."""

    csv_columns: list[tuple[str, Callable]]
    csv_filename: str
    csv_marking: Callable

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if not callable(getattr(cls, "csv_marking", None)):
            raise TypeError(f"{cls.__name__} exports rows without their marking: set csv_marking.")

    def _csv_columns(self) -> list[tuple[str, Callable]]:
        marking = type(self).csv_marking
        return [("marking", marking), *((h, g) for h, g in self.csv_columns if h != "marking")]

    @extend_schema(responses={(200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description=(
                       "CSV, one row each, the marking first; UTF-8, with a byte-order mark if `format=excel`."))},
                   parameters=[CSV_FORMAT_PARAMETER], filters=True, summary="Export the (filtered) list as CSV")
    @action(detail=False, methods=["get"], renderer_classes=[renderers.JSONRenderer, CsvRenderer, ExcelCsvRenderer],
            pagination_class=None)
    def export(self, request, *args, **kwargs):
        rows = self.filter_queryset(self.get_queryset())
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.csv_filename}"'
        response.write(getattr(request.accepted_renderer, "byte_order_mark", ""))
        writer = csv.writer(response)
        columns = self._csv_columns()
        writer.writerow([header for header, _getter in columns])
        count = 0
        for row in rows.iterator(chunk_size=500):
            writer.writerow([neutralise_cell(getter(row)) for _header, getter in columns])
            count += 1
        rows_exported.send(sender=type(self), request=request, model_label=rows.model._meta.label_lower,
                           file=self.csv_filename, rows=count, filters=dict(request.query_params.lists()))
        return response
