from rest_framework.pagination import CursorPagination, PageNumberPagination


class PagePagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class CursorByTimePagination(CursorPagination):
    """For growing series (readings, timelines): stable pages however fast rows arrive,
    and no COUNT over a table that only grows."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = ("-observed_at", "-id")


class CursorByCreationPagination(CursorByTimePagination):
    ordering = ("-created_at", "-id")
