"""API paging. Page-numbered lists count at most `COUNT_CAP` rows (the web lists' rule);
lists that grow to millions (people, applications, background checks, notifications)
move by cursor, so every page costs what the first costs."""

from django.core.exceptions import ValidationError
from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination, PageNumberPagination
from rest_framework.response import Response

from entezam.core.pagination import CappedPaginator


class StandardPagination(PageNumberPagination):
    """Numbered pages; `count` is exact up to the cap and null past it (then
    `more_than` says how far it was counted and pages stop at the cap)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    django_paginator_class = CappedPaginator

    def get_paginated_response(self, data):
        assert self.page is not None
        paginator = self.page.paginator
        assert isinstance(paginator, CappedPaginator)
        capped = paginator.capped
        return Response(
            {
                "count": None if capped else paginator.count,
                "more_than": paginator.cap if capped else None,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema):
        response = super().get_paginated_response_schema(schema)
        response["properties"]["count"] = {"type": "integer", "nullable": True, "example": 123}
        response["properties"]["more_than"] = {
            "type": "integer",
            "nullable": True,
            "description": "Set when the list is longer than it is counted: more than this many.",
        }
        response["required"] = ["count", "more_than", "results"]
        return response


class LargeListPagination(CursorPagination):
    """Stable, index-friendly paging for lists that grow to millions of rows."""

    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
    ordering = "-id"

    def paginate_queryset(self, queryset, request, view=None):
        try:
            return super().paginate_queryset(queryset, request, view)
        except (ValueError, TypeError, ValidationError) as error:
            # A cursor is base64 text anyone can write: a position that is no value of the
            # ordering field (`p=x` for an id) is refused as DRF refuses a garbled cursor.
            raise NotFound(self.invalid_cursor_message) from error
