from rest_framework import pagination


class CursorPagination(pagination.CursorPagination):
    """Stable pages under concurrent inserts; newest first by primary key."""

    ordering = "-id"
    page_size_query_param = "page_size"
    max_page_size = 500
