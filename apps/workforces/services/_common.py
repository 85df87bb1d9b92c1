UNSET = object()  # "leave this field as it is" in partial updates
