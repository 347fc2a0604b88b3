from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import CursorPagination, PageNumberPagination


class StrictPageSizeMixin:
    """`page_size` must be a whole number of at least 1 (larger than the maximum is
    capped). DRF would silently ignore "3.5", "-2" or "abc" and answer a default page
    the client did not ask for; bad input answers 400 with the field instead."""

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        try:
            value = int(raw)
        except ValueError:
            value = 0
        if value < 1:
            raise ValidationError({self.page_size_query_param: [
                _("A whole number from 1 to %(max)d is required.") % {"max": self.max_page_size}]})
        return min(value, self.max_page_size)


class PagePagination(StrictPageSizeMixin, PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CursorByTimePagination(StrictPageSizeMixin, CursorPagination):
    """For growing series (readings, timelines): stable pages however fast rows arrive,
    and no COUNT over a table that only grows."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = ("-observed_at", "-id")


class CursorByCreationPagination(CursorByTimePagination):
    ordering = ("-created_at", "-id")
