"""The one client module for storages: local folders under the operator's root, and S3.

Services and jobs reach objects only through `with backend_for(storage) as backend:` (the
context closes S3 connections). Keys are relative to
the storage (its folder, or its bucket prefix). Errors come out as our own exceptions with
our own messages: a provider's raw response never reaches a tenant.
"""

from __future__ import annotations

import io
import mimetypes
import os
import posixpath
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

import boto3
import botocore.awsrequest
import botocore.exceptions
import urllib3
from botocore.config import Config
from botocore.httpsession import get_cert_path
from django.conf import settings
from django.core import signing
from django.urls import reverse

from apps.core.crypto import decrypt
from apps.core.outbound import OutboundTarget, outbound_target
from apps.datasets.errors import ObjectNotFound, StoragePathRefused, StorageUnavailable
from apps.datasets.models import Storage

OBJECT_URL_SALT = "datasets.object"
S3_CONNECT_TIMEOUT = 5
S3_READ_TIMEOUT = 30


# Paths


def clean_relative_path(path: str, *, field: str = "path", allow_empty: bool = True) -> str:
    """A normalized relative POSIX path with no `..`, no absolute start, no NUL or backslash.

    Lexical only: symlinks are checked against the real filesystem by `LocalBackend`.
    """
    path = (path or "").strip()
    if "\x00" in path or "\\" in path:
        raise StoragePathRefused(
            "The path contains a forbidden character.",
            **{field: ["The path contains a forbidden character."]},
        )
    if path.startswith("/") or "://" in path:
        raise StoragePathRefused(
            "The path must be relative to the storage.",
            **{field: ["The path must be relative to the storage."]},
        )
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if ".." in parts:
        raise StoragePathRefused(
            "The path must not contain '..'.", **{field: ["The path must not contain '..'."]}
        )
    if not parts and not allow_empty:
        raise StoragePathRefused("The path is empty.", **{field: ["The path is empty."]})
    return "/".join(parts)


def local_root_for(organization_slug: str) -> Path:
    """Each organization's local storages live in its own folder under the operator root,
    so one tenant can never name another's files."""
    return Path(settings.DATASETS_LOCAL_ROOT) / organization_slug


def _inside(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


# Local folders


class _Closing:
    def __enter__(self):
        return self

    def __exit__(self, *exc_info) -> None:
        self.close()

    def close(self) -> None:
        pass


class LocalBackend(_Closing):
    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.org_root = Path(os.path.realpath(local_root_for(storage.organization.slug)))
        self.root = self._real(clean_relative_path(storage.path), base=self.org_root)

    def _real(self, relative: str, *, base: Path) -> Path:
        real = Path(os.path.realpath(base / relative)) if relative else base
        if not _inside(real, base):  # `..` was refused lexically: this is a symlink escaping
            raise StoragePathRefused()
        return real

    def path_for(self, key: str) -> Path:
        """The real path of `key`, refused if it (or a symlink on the way) leaves the storage."""
        return self._real(clean_relative_path(key, field="key", allow_empty=False), base=self.root)

    def check(self) -> None:
        if not self.root.is_dir():
            raise StorageUnavailable("The folder does not exist on the server.")
        try:
            with os.scandir(self.root) as entries:
                next(entries, None)
        except OSError:
            raise StorageUnavailable("The folder cannot be read.") from None

    @contextmanager
    def open(self, key: str) -> Iterator[BinaryIO]:
        path = self.path_for(key)
        try:
            handle = open(path, "rb")  # noqa: SIM115 - closed by the context manager
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise ObjectNotFound() from None
        except OSError:
            raise StorageUnavailable("The file cannot be read.") from None
        with handle:
            yield handle

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        prefix = clean_relative_path(prefix, field="prefix")
        start = self._real(prefix, base=self.root) if prefix else self.root
        if not start.is_dir():
            return
        for folder, directories, files in os.walk(start):  # does not follow symlinked folders
            directories.sort()
            for name in sorted(files):
                path = Path(folder) / name
                if path.is_symlink() and not _inside(Path(os.path.realpath(path)), self.root):
                    continue
                yield path.relative_to(self.root).as_posix()

    def write(self, key: str, chunks: Iterable[bytes]) -> None:
        """Write to a temporary name beside the target, then rename: readers never see half."""
        path = self.path_for(key)
        partial = path.with_name(f".{path.name}.partial-{os.getpid()}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            if not _inside(Path(os.path.realpath(path.parent)), self.root):
                raise StoragePathRefused()
            with open(partial, "wb") as handle:
                for chunk in chunks:
                    handle.write(chunk)
            os.replace(partial, path)
        except OSError:  # the folder is gone, read-only or full: our message, not the OS's
            raise StorageUnavailable("The file cannot be written.") from None
        finally:
            with suppress(OSError):  # no partial file, or no folder to have one in
                partial.unlink()

    def ref_for(self, key: str) -> str:
        return key

    def read_url(
        self,
        key: str,
        *,
        expires_in: int,
        filename: str | None = None,
        source_networks: tuple[str, ...] = (),
    ) -> str:
        self.path_for(key)  # refuse now rather than when the worker follows the link
        return object_route_url(
            self.storage, key, expires_in=expires_in, source_networks=source_networks
        )


def object_route_url(
    storage: Storage, key: str, *, expires_in: int, source_networks: tuple[str, ...]
) -> str:
    """Our signed, expiring route to one object of `storage` (apps/datasets/views.py
    `object_read`), readable only from `source_networks` when any are given."""
    token = signing.dumps(
        {
            "s": storage.pk,
            "o": storage.organization_id,
            "k": key,
            "e": int(time.time()) + expires_in,
            "n": list(source_networks),
        },
        salt=OBJECT_URL_SALT,
        compress=True,
    )
    return f"{settings.BASE_URL}{reverse('datasets:object', args=[token])}"


def object_from_token(token: str) -> tuple[int, int, str, list[str]]:
    """(organization id, storage id, key, source networks) of a signed object URL;
    BadSignature if forged or expired. Networks, when given, are the only ones it may be
    read from (a private workforce's IP ranges)."""
    payload = signing.loads(token, salt=OBJECT_URL_SALT)
    if int(payload["e"]) < time.time():
        raise signing.BadSignature("expired")
    return int(payload["o"]), int(payload["s"]), str(payload["k"]), list(payload.get("n", []))


# S3


S3_ERROR_MESSAGES = {
    "InvalidAccessKeyId": "The access key is not valid.",
    "SignatureDoesNotMatch": "The secret access key is not valid.",
    "InvalidToken": "The credentials are not valid.",
    "ExpiredToken": "The credentials have expired.",
    "NoSuchBucket": "The bucket does not exist.",
    "AccessDenied": "Access denied: the credentials may not list or read this bucket.",
    "AllAccessDisabled": "Access denied: the credentials may not list or read this bucket.",
    "NoSuchKey": "No such object in the storage.",
    "PermanentRedirect": "The bucket is in another region.",
    "AuthorizationHeaderMalformed": "The region does not match the bucket's region.",
}


def s3_error(error: Exception) -> Exception:
    """Our exception for a boto3 failure: a fixed message per known code, nothing else."""
    if isinstance(error, botocore.exceptions.ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code in ("NoSuchKey", "404") or (status == 404 and code != "NoSuchBucket"):
            return ObjectNotFound()
        if code in S3_ERROR_MESSAGES:
            return StorageUnavailable(S3_ERROR_MESSAGES[code], s3_code=code)
        if status == 403:
            return StorageUnavailable(S3_ERROR_MESSAGES["AccessDenied"], s3_code="AccessDenied")
        return StorageUnavailable("The storage answered with an error.", s3_code=code[:64])
    if isinstance(error, botocore.exceptions.NoCredentialsError):
        return StorageUnavailable("No credentials: give an access key, or configure the server's.")
    if isinstance(
        error,
        (botocore.exceptions.EndpointConnectionError, botocore.exceptions.ConnectTimeoutError),
    ):
        return StorageUnavailable("The storage endpoint could not be reached.")
    if isinstance(error, botocore.exceptions.ReadTimeoutError):
        return StorageUnavailable("The storage did not answer in time.")
    return StorageUnavailable()


class PinnedSender:
    """Sends botocore's requests to the one address the endpoint resolved to when checked.

    Registered on `before-send`, so a DNS answer that changes later (rebinding) or an S3
    redirect to another host can never reach an internal address.
    """

    def __init__(self, target: OutboundTarget) -> None:
        self.target = target
        options = {
            "timeout": urllib3.Timeout(connect=S3_CONNECT_TIMEOUT, read=S3_READ_TIMEOUT),
            "maxsize": 4,
        }
        if target.scheme == "https":
            self.pool = botocore.awsrequest.AWSHTTPSConnectionPool(
                target.address,
                target.port,
                server_hostname=target.host,
                assert_hostname=target.host,
                cert_reqs="CERT_REQUIRED",
                ca_certs=get_cert_path(True),
                **options,
            )
        else:
            self.pool = botocore.awsrequest.AWSHTTPConnectionPool(
                target.address, target.port, **options
            )

    def __call__(self, request, **kwargs):
        parts = urlsplit(request.url)
        default_port = 443 if parts.scheme == "https" else 80
        if (parts.scheme, parts.hostname, parts.port or default_port) != (
            self.target.scheme,
            self.target.host,
            self.target.port,
        ):
            raise botocore.exceptions.EndpointConnectionError(endpoint_url="(refused)")
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = dict(request.headers.items())
        headers["Host"] = parts.netloc
        try:
            response = self.pool.urlopen(
                request.method,
                path,
                body=request.body,
                headers=headers,
                retries=False,
                redirect=False,
                assert_same_host=False,
                preload_content=False,
                decode_content=False,
                chunked=headers.get("Transfer-Encoding", "") == "chunked",
            )
        except urllib3.exceptions.ConnectTimeoutError as error:
            raise botocore.exceptions.ConnectTimeoutError(endpoint_url="(pinned)") from error
        except urllib3.exceptions.ReadTimeoutError as error:
            raise botocore.exceptions.ReadTimeoutError(endpoint_url="(pinned)") from error
        except urllib3.exceptions.HTTPError as error:
            raise botocore.exceptions.EndpointConnectionError(endpoint_url="(pinned)") from error
        http_response = botocore.awsrequest.AWSResponse(
            request.url, response.status, response.headers, response
        )
        if not request.stream_output:
            http_response.content  # noqa: B018 - reads the body now, as botocore does
        return http_response


def s3_client(storage: Storage, *, field: str = "endpoint_url"):
    """A boto3 S3 client for `storage`; a custom endpoint is checked and pinned."""
    target = None
    if storage.endpoint_url:
        target = outbound_target(storage.endpoint_url, field=field)
    credentials = {}
    if storage.access_key_id_encrypted:
        credentials = {
            "aws_access_key_id": decrypt(storage.access_key_id_encrypted),
            "aws_secret_access_key": decrypt(storage.secret_access_key_encrypted),
        }
    config = Config(
        connect_timeout=S3_CONNECT_TIMEOUT,
        read_timeout=S3_READ_TIMEOUT,
        retries={"max_attempts": 2, "mode": "standard"},
        s3={"addressing_style": "path" if target else "auto"},
        signature_version="s3v4",
    )
    client = boto3.session.Session().client(
        "s3",
        region_name=storage.region or "us-east-1",
        endpoint_url=target.url if target else None,
        config=config,
        **credentials,
    )
    if target is not None:
        client.meta.pinned_sender = PinnedSender(target)
        client.meta.events.register_first("before-send.s3", client.meta.pinned_sender)
    return client


class _ChunkReader(io.RawIOBase):
    """A file object over an iterable of byte chunks, for boto3's streaming upload."""

    def __init__(self, chunks: Iterable[bytes]) -> None:
        self._chunks = iter(chunks)
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        while not self._buffer:
            chunk = next(self._chunks, None)
            if chunk is None:
                return 0
            self._buffer = chunk
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


class S3Backend(_Closing):
    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.prefix = storage.prefix
        self.client = s3_client(storage)

    def close(self) -> None:
        sender = getattr(self.client.meta, "pinned_sender", None)
        if sender is not None:
            sender.pool.close()
        self.client.close()

    def object_key(self, key: str) -> str:
        return f"{self.prefix}{clean_relative_path(key, field='key', allow_empty=False)}"

    def check(self) -> None:
        try:
            self.client.list_objects_v2(Bucket=self.storage.bucket, Prefix=self.prefix, MaxKeys=1)
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
            raise s3_error(error) from None

    @contextmanager
    def open(self, key: str) -> Iterator[BinaryIO]:
        try:
            response = self.client.get_object(Bucket=self.storage.bucket, Key=self.object_key(key))
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
            raise s3_error(error) from None
        body = response["Body"]
        try:
            yield io.BufferedReader(_StreamingBodyRaw(body), buffer_size=1 << 20)
        finally:
            body.close()

    def iter_keys(self, prefix: str = "") -> Iterator[str]:
        prefix = clean_relative_path(prefix, field="prefix")
        full_prefix = f"{self.prefix}{prefix}"
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(Bucket=self.storage.bucket, Prefix=full_prefix):
                for entry in page.get("Contents", []):
                    key = entry["Key"][len(self.prefix) :]
                    if key and not key.endswith("/"):
                        yield key
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
            raise s3_error(error) from None

    def write(self, key: str, chunks: Iterable[bytes]) -> None:
        from boto3.s3.transfer import TransferConfig

        # Multipart in 8 MB parts, one at a time: memory stays ~ one part whatever the size.
        config = TransferConfig(multipart_chunksize=8 << 20, max_concurrency=1, use_threads=False)
        try:
            self.client.upload_fileobj(
                io.BufferedReader(_ChunkReader(chunks), buffer_size=1 << 20),
                self.storage.bucket,
                self.object_key(key),
                Config=config,
            )
        except (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError) as error:
            raise s3_error(error) from None
        except Exception as error:  # boto3 wraps ClientError in S3UploadFailedError
            cause = error.__cause__ or error.__context__
            if isinstance(cause, botocore.exceptions.ClientError):
                raise s3_error(cause) from None
            raise

    def ref_for(self, key: str) -> str:
        return f"s3://{self.storage.bucket}/{self.prefix}{key}"

    def read_url(
        self,
        key: str,
        *,
        expires_in: int,
        filename: str | None = None,
        source_networks: tuple[str, ...] = (),
    ) -> str:
        if source_networks:
            # A presigned URL cannot carry an address condition, so objects for a
            # private workforce's IP ranges go through our route, which checks them.
            self.object_key(key)  # refuse a bad key now, not when the worker follows it
            return object_route_url(
                self.storage, key, expires_in=expires_in, source_networks=source_networks
            )
        name = filename or posixpath.basename(key)
        content_type = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return self.client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.storage.bucket,
                "Key": self.object_key(key),
                "ResponseContentType": content_type,
                "ResponseContentDisposition": content_disposition(name, content_type),
            },
            ExpiresIn=expires_in,
        )


class _StreamingBodyRaw(io.RawIOBase):
    def __init__(self, body) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, target) -> int:
        data = self._body.read(len(target))
        target[: len(data)] = data
        return len(data)


# Objects shown to workers: media inline, anything else (HTML, SVG, scripts) as a download.
INLINE_TYPES = ("image/", "video/", "audio/", "text/plain", "application/json", "application/pdf")


def content_disposition(name: str, content_type: str) -> str:
    safe = "".join(c for c in name if c.isalnum() or c in "._- ")[:100] or "object"
    inline = content_type.startswith(INLINE_TYPES) and content_type != "image/svg+xml"
    return f'{"inline" if inline else "attachment"}; filename="{safe}"'


def backend_for(storage: Storage) -> LocalBackend | S3Backend:
    if storage.kind == Storage.Kind.LOCAL:
        return LocalBackend(storage)
    return S3Backend(storage)
