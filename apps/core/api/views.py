from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView


class BaseAPIView(APIView):
    """APIView with the project's pagination; lists return `self.paginated(...)`."""

    pagination_class = api_settings.DEFAULT_PAGINATION_CLASS

    def paginated(self, queryset, serializer_class, **serializer_kwargs) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(queryset, self.request, view=self)
        data = serializer_class(page, many=True, **serializer_kwargs).data
        return paginator.get_paginated_response(data)
