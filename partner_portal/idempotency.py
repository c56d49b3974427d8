"""Requests that are carried out once: the same request sent again (a double click, a
reload of a posted form, an API client's retry) gets the first answer instead of
changing anything a second time.

A request names what it wants done once with a key: a form carries one made when the
page was drawn (``new_key``), an API client sends an ``Idempotency-Key`` header. The
key is claimed before any work starts by inserting its row in idempotent_request, in a
transaction of its own, and the table's unique constraint decides between requests
sent at once. The winner does the work and stores its answer (status, headers, body)
on the row. A repeat that finds the row waits for that answer (polling, for at most
``WAIT_SECONDS``) and replays it byte for byte; a repeat whose method, path or body
differ is refused, as the key was spent on something else.

What is stored and replayed is any answer the handler gave (a redirect, a page with
the form's errors, JSON); a page drawn with an answer shows a fresh key in its forms,
so a corrected form is a new request. An exception or a server error stores nothing:
the key is released and the request may be sent again. Keys belong to the user who
sent them and are forgotten after ``KEY_LIFETIME`` (``purge_expired``).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Annotated, Any

from litestar import Response
from litestar.datastructures import UploadFile
from litestar.exceptions import ClientException, ValidationException
from litestar.params import HeaderParameter
from litestar.status_codes import HTTP_409_CONFLICT, HTTP_422_UNPROCESSABLE_ENTITY

from partner_portal import api
from partner_portal.access import Viewer
from partner_portal.accounts.tables import IdempotentRequest
from partner_portal.clock import utcnow
from partner_portal.database import write_transaction
from partner_portal.handler_types import AnyRequest
from partner_portal.i18n import gettext as _
from partner_portal.web import is_api_path

KEY_HEADER = "Idempotency-Key"
KEY_FIELD = "idempotency_key"
KEY_LIFETIME = timedelta(hours=24)
# A claim still without an answer after this long belongs to a request that died with
# its server; a repeat then takes the key over.
ABANDONED_AFTER = timedelta(minutes=2)
# How long a repeat waits for the first request's answer before it is told to retry.
WAIT_SECONDS = 30.0
FIRST_POLL_SECONDS = 0.01
LAST_POLL_SECONDS = 0.5
# Form fields that differ between two sendings of the same form without changing it.
NOT_PART_OF_THE_REQUEST = frozenset({"_csrf_token", KEY_FIELD})
# Headers of an answer that belong to the one response, not to its replays.
NOT_REPLAYED = frozenset({"set-cookie", "content-length"})

Respond = Callable[[], Awaitable[Response[Any]]]
# An API handler's parameter for the header, declared so in the OpenAPI document.
KeyHeader = Annotated[
    str | None,
    HeaderParameter(
        name=KEY_HEADER,
        description="8 to 80 characters naming this request: a retry with the same key "
        "gets the first answer (replayed, even while the first is still at work) and changes "
        "nothing; the same key with another body is refused (422). Keys expire after 24 hours.",
    ),
]


def new_key() -> str:
    """A key for a form drawn now: sending that form twice does its work once."""
    return secrets.token_urlsafe(24)


def valid_key(key: str) -> bool:
    return 8 <= len(key) <= 80 and key.isascii() and key.isprintable() and " " not in key


@dataclass(frozen=True)
class Answer:
    """A response as stored for replaying: its status, headers and encoded body."""

    status_code: int
    headers: list[tuple[str, str]]
    body: bytes

    @classmethod
    def of(cls, request: AnyRequest, response: Response[Any]) -> Answer:
        """The response encoded as Litestar would send it from this request's handler."""
        handler = request.route_handler
        encoded = response.to_asgi_response(
            None,
            request,
            status_code=handler.status_code,
            type_encoders=handler.resolve_type_encoders(),
        )
        return cls(
            status_code=encoded.status_code,
            headers=[
                (name, value)
                for name, value in encoded.headers.items()
                if name.lower() not in NOT_REPLAYED
            ],
            body=encoded.body,
        )

    def response(self, cookies: Any = None) -> Response[Any]:
        return Response(
            content=self.body,
            status_code=self.status_code,
            headers=dict(self.headers),
            cookies=cookies,
        )


async def respond_once(
    request: AnyRequest, viewer: Viewer, key: str | None, respond: Respond
) -> Response[Any]:
    """``respond()``'s answer, computed once per key and user: a repeat replays it.

    ``key`` is the form's field or the API's header, as sent; without one the request is
    simply carried out. A malformed key is a 400, the key with another request a 422, and
    a repeat that waited ``WAIT_SECONDS`` in vain a 409 (with Retry-After): the first
    request is still at work."""
    key = (key or "").strip()
    if not key:
        return await respond()
    if not valid_key(key):
        message = _("An idempotency key has 8 to 80 characters without spaces.")
        field = KEY_HEADER if is_api_path(request.url.path) else KEY_FIELD
        raise ValidationException(message, extra={field: message})
    user_key = f"{viewer.user_id}:{key}"
    fingerprint = await request_fingerprint(request)
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while True:
        claim = await _claim(viewer.user_id, user_key, fingerprint)
        if claim is None:
            earlier = await _first_answer(request, user_key, fingerprint, deadline)
            if isinstance(earlier, Answer):
                return earlier.response()
            claim = earlier
        if claim is not None:
            return await _answer_and_keep(request, claim, respond)


async def _first_answer(
    request: AnyRequest, user_key: str, fingerprint: str, deadline: float
) -> Answer | int | None:
    """Wait for the answer of the request holding the key, reading its row (no write lock
    taken while waiting). Returns the answer; or the claim, if that request died and this
    one took the key over; or None if the key was released or expired (claim it again)."""
    pause = FIRST_POLL_SECONDS
    while True:
        row = await _claimed(user_key)
        if row is None or row["expires_at"] <= utcnow():
            return None
        if row["fingerprint"] != fingerprint:
            raise ClientException(
                _refusal_message(request), status_code=HTTP_422_UNPROCESSABLE_ENTITY
            )
        if row["status_code"] is not None:
            # None if the key expired and was forgotten just now: then claim it again.
            return await _stored_answer(row["id"])
        taken = await _take_over_if_abandoned(row)
        if taken is not None:
            return taken
        if asyncio.get_running_loop().time() >= deadline:
            raise ClientException(
                _("This request is still being processed. Send it again in a moment."),
                status_code=HTTP_409_CONFLICT,
                headers={"Retry-After": "5"},
            )
        await asyncio.sleep(pause)
        pause = min(pause * 2, LAST_POLL_SECONDS)


def _refusal_message(request: AnyRequest) -> str:
    if is_api_path(request.url.path):
        return _(
            "This Idempotency-Key was already used for a different request. "
            "Use a new key for a new request."
        )
    return _("This form was already sent with other values. Open the page again to start anew.")


async def request_fingerprint(request: AnyRequest) -> str:
    """What makes two requests the same request: method, path and body (a form's fields
    in any order, uploaded files by their content; JSON whatever its spacing and order)."""
    digest = hashlib.sha256(f"{request.method} {request.url.path}\n".encode())
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        fields = sorted(
            [
                (name, await _field_text(value))
                for name, value in form.multi_items()
                if name not in NOT_PART_OF_THE_REQUEST
            ]
        )
        digest.update(json.dumps(fields, ensure_ascii=False).encode())
    else:
        body = await request.body()
        try:
            digest.update(json.dumps(json.loads(body), sort_keys=True).encode())
        except ValueError:
            digest.update(body)
    return digest.hexdigest()


async def _field_text(value: Any) -> str:
    if not isinstance(value, UploadFile):
        return str(value)
    content = await value.read()
    await value.seek(0)  # the handler reads it again
    return f"{value.filename}:{hashlib.sha256(content).hexdigest()}"


async def _claim(user_id: int, user_key: str, fingerprint: str) -> int | None:
    """Insert the key's row; its id if this request won the key, None if it exists.

    On PostgreSQL an insert that meets another transaction's uncommitted row of the same
    key waits for that transaction, so the unique index alone decides the winner."""
    now = utcnow()
    async with write_transaction():
        await IdempotentRequest.delete().where(
            (IdempotentRequest.user_key == user_key) & (IdempotentRequest.expires_at <= now)
        )
        inserted = (
            await IdempotentRequest.insert(
                IdempotentRequest(
                    user=user_id,
                    user_key=user_key,
                    fingerprint=fingerprint,
                    claimed_at=now,
                    expires_at=now + KEY_LIFETIME,
                )
            )
            .on_conflict(target=IdempotentRequest.user_key, action="DO NOTHING")
            .returning(IdempotentRequest.id)
        )
    return inserted[0]["id"] if inserted else None


async def _claimed(user_key: str) -> dict[str, Any] | None:
    """The key's row as a waiting repeat reads it (without the answer's body)."""
    return await (
        IdempotentRequest.select(
            IdempotentRequest.id,
            IdempotentRequest.fingerprint,
            IdempotentRequest.claimed_at,
            IdempotentRequest.expires_at,
            IdempotentRequest.status_code,
        )
        .where(IdempotentRequest.user_key == user_key)
        .first()
    )


async def _take_over_if_abandoned(row: dict[str, Any]) -> int | None:
    """Claim a key whose first request never answered (its server died): a conditional
    update, so of several repeats exactly one takes it over."""
    now = utcnow()
    if row["claimed_at"] > now - ABANDONED_AFTER:
        return None
    async with write_transaction():
        taken = await (
            IdempotentRequest.update({IdempotentRequest.claimed_at: now})
            .where(
                (IdempotentRequest.id == row["id"])
                & IdempotentRequest.status_code.is_null()
                & (IdempotentRequest.claimed_at == row["claimed_at"])
            )
            .returning(IdempotentRequest.id)
        )
    return taken[0]["id"] if taken else None


async def _answer_and_keep(request: AnyRequest, claim: int, respond: Respond) -> Response[Any]:
    """Do the work of a claimed key and store its answer; on a failure release the key.
    An API handler's refusal (a problem it raises) is an answer too, kept like any other."""
    try:
        try:
            response: Response[Any] = await respond()
        except api.ProblemException as refusal:
            response = api.problem_response(refusal)
        answer = Answer.of(request, response)
    except BaseException:
        await _release(claim)
        raise
    if answer.status_code >= 500:
        await _release(claim)
        return response
    async with write_transaction():
        await IdempotentRequest.update(
            {
                IdempotentRequest.status_code: answer.status_code,
                IdempotentRequest.headers: json.dumps(answer.headers),
                IdempotentRequest.body: answer.body,
            }
        ).where(IdempotentRequest.id == claim)
    # The first answer too is sent as stored, so it is the replays' twin (with the
    # response's cookies, which belong to it alone).
    return answer.response(response.cookies)


async def _stored_answer(claim: int) -> Answer | None:
    row = await (
        IdempotentRequest.select(
            IdempotentRequest.status_code, IdempotentRequest.headers, IdempotentRequest.body
        )
        .where(IdempotentRequest.id == claim)
        .first()
    )
    if row is None:
        return None
    return Answer(
        status_code=row["status_code"],
        headers=[(name, value) for name, value in json.loads(row["headers"])],
        body=bytes(row["body"]),
    )


async def _release(claim: int) -> None:
    async with write_transaction():
        await IdempotentRequest.delete().where(IdempotentRequest.id == claim)


async def purge_expired() -> str:
    """Forget keys older than KEY_LIFETIME (a scheduled job; a claim also replaces its own
    expired key)."""
    async with write_transaction():
        purged = await (
            IdempotentRequest.delete()
            .where(IdempotentRequest.expires_at <= utcnow())
            .returning(IdempotentRequest.id)
        )
    return f"{len(purged)} expired idempotency keys forgotten"
