from drf_spectacular import openapi


class AutoSchema(openapi.AutoSchema):
    """Names serializers nested in views by their view (`InvitationListApi.InputSerializer`
    becomes `InvitationListApiInput`), so every view can call its own `InputSerializer`."""

    def get_serializer_name(self, serializer, direction) -> str:
        qualname = type(serializer).__qualname__
        if "." not in qualname:
            return super().get_serializer_name(serializer, direction)
        return "".join(part.removesuffix("Serializer") for part in qualname.split("."))
