from apps.core.errors import Conflict, DomainError


class StoragePathRefused(DomainError):
    code = "path_not_allowed"
    message = "This path is outside the storage."


class StorageUnavailable(DomainError):
    """The storage answered with an error, or could not be reached; the message is ours,
    never the provider's response."""

    code, status = "storage_error", 502
    message = "The storage could not be reached."


class ObjectNotFound(DomainError):
    code, status = "object_not_found", 404
    message = "No such object in the storage."


class StorageInUse(Conflict):
    code = "storage_in_use"
    message = "Datasets still use this storage."


class NameTaken(Conflict):
    code = "name_taken"
    message = "This name is taken."


class ImportInProgress(Conflict):
    code = "import_in_progress"
    message = "An import into this dataset is already running."
