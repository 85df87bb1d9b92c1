import time

import pytest
from django.core import signing
from django.core.cache import cache
from django.test import Client

from apps.taskui import frames
from apps.taskui.services import PREVIEW_TTL_SECONDS, preview_create
from tests.factories import MembershipFactory

EXPECTED_CSP = (
    "default-src 'none'; "
    "script-src http://testserver/static/crowd/ 'unsafe-inline'; "
    "style-src http://testserver/static/crowd/ 'unsafe-inline'; "
    "img-src https: data: blob: http://testserver/objects/; "
    "media-src https: data: blob: http://testserver/objects/; font-src data:; "
    "frame-src https:; connect-src 'none'; form-action 'none'; base-uri 'none'; "
    "frame-ancestors 'self'; sandbox allow-scripts allow-forms"
)


def test_the_frame_serves_the_rendered_task_under_a_strict_policy(db):
    preview = preview_create(
        source='<script src="https://assets.crowd.aws/crowd-html-elements.js"></script>\n'
        "<crowd-form><p>{{ task.input.text }}</p></crowd-form>",
        task_input={"text": "<b>hi</b>"},
    )

    response = Client().get(preview.frame_url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert response["Content-Security-Policy"] == EXPECTED_CSP
    assert response["Referrer-Policy"] == "no-referrer"
    assert "X-Frame-Options" not in response  # framing is the CSP's frame-ancestors
    assert "no-store" in response["Cache-Control"]
    body = response.content.decode()
    assert "assets.crowd.aws" not in body  # AWS's library is replaced by ours
    assert '<script type="module" src="/static/crowd/index.js"></script>' in body
    assert '<script type="module" src="/static/crowd/bridge.js"></script>' in body
    assert "<crowd-form><p>&lt;b&gt;hi&lt;/b&gt;</p></crowd-form>" in body


def test_the_frame_sets_no_cookie_and_does_not_vary_on_one(db):
    member = MembershipFactory()
    client = Client()
    client.force_login(member.user)
    preview = preview_create(source="<crowd-form></crowd-form>", task_input={})

    response = client.get(preview.frame_url)

    assert response.status_code == 200
    assert response.cookies == {}
    assert "Set-Cookie" not in response
    assert "Cookie" not in response.get("Vary", "")


def test_the_frame_answers_404_to_a_bad_or_tampered_token(db):
    preview = preview_create(source="<crowd-form></crowd-form>", task_input={})
    token = preview.frame_url.split("/")[2]

    assert Client().get("/task-frame/not-a-token/").status_code == 404
    assert Client().get(f"/task-frame/{token[:-2]}xx/").status_code == 404
    unknown_kind = signing.dumps({"kind": "nonsense", "id": 1}, salt=frames.SALT)
    assert Client().get(f"/task-frame/{unknown_kind}/").status_code == 404
    malformed = signing.dumps({"kind": "assignment", "id": 1}, salt=frames.SALT)
    assert Client().get(f"/task-frame/{malformed}/").status_code == 404
    other_salt = signing.dumps({"kind": "preview", "key": "x"})
    assert Client().get(f"/task-frame/{other_salt}/").status_code == 404


def test_the_frame_answers_404_once_the_preview_expired(db, monkeypatch):
    preview = preview_create(source="<crowd-form></crowd-form>", task_input={})
    cache.clear()
    assert Client().get(preview.frame_url).status_code == 404

    preview = preview_create(source="<crowd-form></crowd-form>", task_input={})
    later = time.time() + PREVIEW_TTL_SECONDS + 5
    monkeypatch.setattr(signing.time, "time", lambda: later)
    assert Client().get(preview.frame_url).status_code == 404


def test_the_frame_accepts_only_get(db):
    preview = preview_create(source="<crowd-form></crowd-form>", task_input={})
    assert Client().post(preview.frame_url).status_code == 405


def test_frame_kinds_are_a_registry(db, monkeypatch):
    monkeypatch.setattr(frames, "FRAME_KINDS", dict(frames.FRAME_KINDS))
    frames.register_frame_kind(
        "assignment",
        resolve=lambda payload, address: f"<p>assignment {payload['id']} for {address}</p>",
        max_age=60,
    )

    response = Client().get(frames.frame_url("assignment", id=7))

    assert response.status_code == 200
    assert "<p>assignment 7 for 127.0.0.1</p>" in response.content.decode()
    with pytest.raises(ValueError):
        frames.frame_token("nope", id=1)


def test_registered_media_paths_are_allowed_images(db, monkeypatch):
    monkeypatch.setattr(frames, "MEDIA_PATH_PREFIXES", [])
    frames.register_media_path("/files/signed/")
    preview = preview_create(source="<crowd-form></crowd-form>", task_input={})

    policy = Client().get(preview.frame_url)["Content-Security-Policy"]

    assert "img-src https: data: blob: http://testserver/files/signed/;" in policy
    assert "media-src https: data: blob: http://testserver/files/signed/;" in policy


def test_static_crowd_modules_are_served_with_cors_for_the_opaque_frame_origin(settings, db):
    """The sandboxed frame loads its module scripts in CORS mode from origin "null";
    WhiteNoise answers every static file with Access-Control-Allow-Origin: *."""
    # `db`: Django's request_started handler checks an open connection left by earlier tests.
    settings.WHITENOISE_USE_FINDERS = True  # as with DEBUG; production serves STATIC_ROOT
    response = Client().get("/static/crowd/index.js")

    body = b"".join(response.streaming_content)
    response.close()  # a file response: unclosed, it warns in whichever test runs next

    assert response.status_code == 200
    assert response["Access-Control-Allow-Origin"] == "*"
    assert response["Content-Type"].startswith("text/javascript")
    assert b"customElements.define(name, element)" in body
