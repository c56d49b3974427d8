"""The JSON API's one contract, which every module's api.py follows (docs/ARCHITECTURE.md §4).

- Routes are declared with this module's ``get``/``post``/``put``/``patch``/``delete``: each
  documents the error answers below in the OpenAPI document. Request bodies are msgspec
  Structs taken as the handler's ``data`` (so they are documented too); checks that must
  come before the body is judged (403, 404) are a dependency or a guard of the route.
- Every error is an RFC 9457 problem (``application/problem+json``): ``title``,
  ``status``, ``detail`` in the reader's language and, for bad input, ``errors``: one
  ``{field, code, message}`` per field, the field named by its place in the JSON body
  (``lines[0].quantity``) or the query parameter or header. ``http_exception_handler``
  (partner_portal/web.py) hands every error of an /api/ path to ``problem_response``.
- Lists page with an opaque cursor (``page_of``): ``limit`` (1 to 200) items and a
  ``next_cursor`` to send back for the next ones, null on the last page.
- Money is a decimal string with the currency's own decimals (``money``): "5266.80" CNY,
  "190000" KRW, whatever the database hands back; timestamps are RFC 3339 with an offset
  (``timestamp``).
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from http import HTTPStatus
from typing import Annotated, Any, TypeVar

import litestar
import msgspec
from litestar import Response
from litestar.connection import ASGIConnection
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    SerializationException,
    ValidationException,
)
from litestar.handlers import BaseRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import QueryParameter

from partner_portal import access, i18n, inputs
from partner_portal.edits import SaveResult
from partner_portal.i18n import N_
from partner_portal.i18n import gettext as _

PROBLEM_MEDIA_TYPE = "application/problem+json"


class FieldError(msgspec.Struct):
    """What is wrong with one field: ``field`` is its place in the body (``lines[0].style``),
    or the query parameter or header; ``code`` is for programs, ``message`` for people."""

    field: str
    code: str
    message: str


class Change(msgspec.Struct):
    """An edit that got in before yours (in a 409 answer): each field's [before, after]."""

    by: str
    at: datetime
    fields: dict[str, list[Any]]


class Problem(msgspec.Struct, omit_defaults=True):
    """An error answer (RFC 9457). ``errors`` lists bad fields; a 409 after an edit based on
    an old version carries ``current_version`` and the ``changes`` made since."""

    title: str
    status: int
    detail: str
    type: str = "about:blank"
    errors: list[FieldError] = []
    current_version: int | None = None
    changes: list[Change] = []


class ProblemException(HTTPException):
    """Raised by a handler to answer with ``problem``."""

    def __init__(self, problem: Problem, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail=problem.detail, status_code=problem.status, headers=headers)
        self.problem = problem


TITLES = {
    400: N_("Invalid request"),
    401: N_("Sign-in required"),
    403: N_("Not allowed"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    413: N_("Request too large"),
    422: N_("Request not accepted"),
    429: N_("Too many requests"),
    500: N_("Server error"),
    503: N_("Temporarily unavailable"),
}
# Details of Litestar's own errors, which are not written for the reader: replaced by these.
GENERIC_DETAILS = {
    401: N_("Send an API token as Authorization: Bearer <token>."),
    405: N_("This address does not take this method."),
    500: N_("Something went wrong on our side. Try again later."),
}
INVALID_FIELDS = N_("Some fields are invalid; see errors.")
NOT_JSON = N_("The request body is not valid JSON.")


def title(status: int) -> str:
    if status in TITLES:
        return _(TITLES[status])
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return _(TITLES[400])


def problem(
    status: int, detail: str, errors: Sequence[FieldError] = (), **extensions: Any
) -> Problem:
    return Problem(
        title=title(status), status=status, detail=detail, errors=list(errors), **extensions
    )


def field_path(name: str) -> str:
    """A form field's name as its place in a JSON body: ``lines-0-style`` is
    ``lines[0].style``; a plain name stays as it is."""
    return re.sub(r"-(\d+)-", r"[\1].", re.sub(r"-(\d+)$", r"[\1]", name))


def invalid(errors: dict[str, str], renamed: dict[str, str] | None = None) -> ProblemException:
    """A 400 for messages by field, as services return them (already in the reader's
    language); ``renamed`` maps a form's field names to the body's where they differ."""
    renamed = renamed or {}
    fields = []
    for name, message in errors.items():
        path = field_path(name)
        head, _dot, rest = path.partition("[")
        path = renamed.get(head, head) + (f"[{rest}" if rest else "")
        fields.append(FieldError(field=path, code="invalid", message=str(message)))
    return ProblemException(problem(400, _(INVALID_FIELDS), fields))


def field_refused(status: int, field: str, message: str, code: str = "invalid") -> ProblemException:
    """A refusal of one field's value: 422 for a value not accepted, 409 (code "conflict")
    for one another record holds; ``message`` (in the reader's language) is the detail and
    the field's message."""
    return ProblemException(
        problem(status, message, [FieldError(field=field, code=code, message=message)])
    )


def refused(result: SaveResult, renamed: dict[str, str] | None = None) -> ProblemException:
    """The problem for a save that did not happen: a 409 when the version sent was stale
    (with the changes that got in first), else a 400 with the messages by field."""
    if result.current_version is None:
        return invalid(result.errors, renamed)
    return ProblemException(
        problem(
            409,
            _("The record was changed since the version you sent."),
            current_version=result.current_version,
            changes=[
                Change(
                    by=change["actor_label"],
                    at=timestamp(change["occurred_at"]),
                    fields=dict(change["fields"]),
                )
                for change in result.conflicts
            ],
        )
    )


# ---------------------------------------------------------------------------
# Bodies as form fields


def form_fields(body: msgspec.Struct, renamed: Mapping[str, str] | None = None) -> dict[str, str]:
    """A JSON body as the page form's fields, so that the form's one parser checks both.

    ``renamed`` maps a form's field names to the body's where they differ, the mapping
    ``invalid`` reads the form's messages back with. A field the body left out
    (``msgspec.UNSET``) is left out; None is empty; a bool is a checkbox ("on" or empty); a
    list of words is one field of words separated by spaces; a list of objects is the
    form's numbered rows (``addresses[1].city`` is the field ``address-1-city`` when
    ``renamed`` maps "address" to "addresses"); a mapping is left to the caller.
    """
    form_names = {body_name: form_name for form_name, body_name in (renamed or {}).items()}
    fields: dict[str, str] = {}
    for name in body.__struct_fields__:
        value = getattr(body, name)
        if value is msgspec.UNSET or isinstance(value, Mapping):
            continue
        form_name = form_names.get(name, name)
        if isinstance(value, list) and value and isinstance(value[0], msgspec.Struct):
            for index, row in enumerate(value):
                for field, item in form_fields(row).items():
                    fields[f"{form_name}-{index}-{field}"] = item
        elif isinstance(value, list):
            fields[form_name] = " ".join(str(item) for item in value)
        elif isinstance(value, bool):
            fields[form_name] = "on" if value else ""
        else:
            fields[form_name] = "" if value is None else str(value)
    return fields


# ---------------------------------------------------------------------------
# Decoding errors: Litestar's validation of bodies and parameters, in the reader's words

MSGSPEC_MESSAGES: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (re.compile(r"^Object missing required field `(?P<name>.+)`$"), "required", ""),
    (re.compile(r"^Object contains unknown field `(?P<name>.+)`$"), "unknown_field", ""),
    (re.compile(r"^Expected `(?P<expected>[^`]+)`, got `(?P<got>[^`]+)`$"), "type", ""),
    (
        re.compile(r"^Expected `[^`]+` of length (?P<bound>[<>]=? ?\d+)$"),
        "length",
        "",
    ),
    (re.compile(r"^Expected `[^`]+` (?P<bound>[<>]=? ?-?[\d.]+)$"), "out_of_range", ""),
    (re.compile(r"^Invalid enum value (?P<value>.+)$"), "invalid_choice", ""),
    (re.compile(r"^Missing required \w+ parameter '(?P<name>[^']+)'"), "required", ""),
)


def _decoding_error(key: str, message: str, source: str) -> FieldError:
    """One of Litestar's validation messages (msgspec's, in English) as a field error."""
    field = "" if key == "data" else key
    for pattern, code, _unused in MSGSPEC_MESSAGES:
        found = pattern.match(message)
        if found is None:
            continue
        values = found.groupdict()
        if "name" in values and source != "query":
            field = f"{field}.{values['name']}" if field else values["name"]
        elif "name" in values:
            field = values["name"]
        return FieldError(field=field, code=code, message=_decoding_message(code, values))
    return FieldError(
        field=field,
        code="invalid",
        message=_("This value is not valid (%(reason)s).", reason=message.rstrip(".")),
    )


def _decoding_message(code: str, values: dict[str, str]) -> str:
    if code == "required":
        return _("This field is required.")
    if code == "unknown_field":
        return _("This field is not part of the request.")
    if code == "type":
        return _(
            "Expected %(expected)s, got %(got)s.", expected=values["expected"], got=values["got"]
        )
    if code == "length":
        return _("The length must be %(bound)s.", bound=values["bound"])
    if code == "out_of_range":
        return _("The value must be %(bound)s.", bound=values["bound"])
    return _("%(value)s is not one of the allowed values.", value=values["value"])


def _field_errors(error: HTTPException) -> list[FieldError]:
    extra = getattr(error, "extra", None)
    if isinstance(extra, list):
        return [
            _decoding_error(str(item.get("key", "")), str(item["message"]), item.get("source", ""))
            for item in extra
            if isinstance(item, dict) and "message" in item
        ]
    if isinstance(extra, dict) and "parameter" in extra and "problem" in extra:
        # web.RefusedInput: the request guard names the parameter and the problem.
        code = str(extra["problem"]).replace(" ", "_").lower()
        return [FieldError(field=str(extra["parameter"]), code=code, message=str(error.detail))]
    if isinstance(extra, dict):
        return [
            FieldError(field=field_path(str(name)), code="invalid", message=str(message))
            for name, message in extra.items()
        ]
    return []


def problem_for(error: HTTPException) -> Problem:
    """The problem an error of an /api/ path answers with."""
    if isinstance(error, ProblemException):
        return error.problem
    status = error.status_code
    if isinstance(error.__cause__, SerializationException):
        return problem(400, _(NOT_JSON), [FieldError(field="", code="json", message=_(NOT_JSON))])
    errors = _field_errors(error)
    if isinstance(error, ValidationException) and isinstance(error.extra, list):
        detail = _(INVALID_FIELDS)
    elif status in GENERIC_DETAILS:
        detail = _(GENERIC_DETAILS[status])
    else:
        # Our own refusals are written for the reader (translated where raised, or a marked
        # message translated here); Litestar's are replaced by the title.
        detail = i18n.translate(str(error.detail)) if error.detail else title(status)
    return problem(status, detail, errors)


def problem_response(error: HTTPException) -> Response[Problem]:
    found = problem_for(error)
    return Response(
        found,
        status_code=found.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers=getattr(error, "headers", None),
    )


def server_error_response() -> Response[Problem]:
    return Response(
        problem(500, _(GENERIC_DETAILS[500])),
        status_code=500,
        media_type=PROBLEM_MEDIA_TYPE,
    )


# ---------------------------------------------------------------------------
# Routes

PROBLEM_RESPONSES = {
    status: ResponseSpec(
        data_container=Problem,
        media_type=PROBLEM_MEDIA_TYPE,
        description=TITLES[status],
        generate_examples=False,
    )
    for status in (400, 401, 403, 404, 409, 413, 422)
}


def _options(options: dict[str, Any]) -> dict[str, Any]:
    return {
        "cache": False,
        **options,
        "responses": {**PROBLEM_RESPONSES, **(options.get("responses") or {})},
    }


def get(path: str, **options: Any) -> litestar.get:
    return litestar.get(path, **_options(options))


def post(path: str, **options: Any) -> litestar.post:
    return litestar.post(path, **_options(options))


def put(path: str, **options: Any) -> litestar.put:
    return litestar.put(path, **_options(options))


def patch(path: str, **options: Any) -> litestar.patch:
    return litestar.patch(path, **_options(options))


def delete(path: str, **options: Any) -> litestar.delete:
    return litestar.delete(path, **_options(options))


def requires(
    action: access.ActionSet,
) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]:
    """A route guard: the caller's role must allow ``action`` (else 403), checked before the
    body is read, so a caller without the right learns nothing about the body. A coroutine
    so that Litestar calls it on the event loop rather than in its thread pool."""

    async def guard(
        connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler
    ) -> None:
        viewer = connection.scope.get("user")
        if viewer is None:
            raise NotAuthorizedException("Please sign in.")
        access.require(viewer, action)

    return guard


# ---------------------------------------------------------------------------
# Values

# A decimal string in the currency's own decimals ("5266.80" CNY, "190000" KRW).
Money = Annotated[
    str,
    msgspec.Meta(
        pattern=r"^-?\d+(\.\d+)?$",
        description="A decimal string with the currency's own decimals (CNY 2, KRW 0).",
    ),
]
# Quantities kept to a fixed number of decimals (percentages, points).
DecimalText = Annotated[
    str, msgspec.Meta(pattern=r"^-?\d+(\.\d+)?$", description="A decimal number as a string.")
]


def money(amount: Decimal | int | float | None, currency: str) -> str:
    """``amount`` as a decimal string with exactly the currency's decimals (SQLite hands back
    5266.8 and 24000 where PostgreSQL hands back 5266.80 and 24000.00)."""
    value = Decimal(str(amount or 0))
    return str(value.quantize(Decimal(1).scaleb(-inputs.minor_units(currency))))


def decimal_text(value: Decimal | int | float | None, places: int = 2) -> str:
    return str(Decimal(str(value or 0)).quantize(Decimal(1).scaleb(-places)))


def timestamp(value: datetime) -> datetime:
    """A moment with its offset (a database that hands back a naive time stores UTC)."""
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


# ---------------------------------------------------------------------------
# Paging

MAX_LIMIT = 200
DEFAULT_LIMIT = 50
Limit = Annotated[
    int,
    QueryParameter(
        name="limit",
        ge=1,
        le=MAX_LIMIT,
        description=f"How many items to return, 1 to {MAX_LIMIT}.",
    ),
]
Cursor = Annotated[
    str,
    QueryParameter(
        name="cursor",
        max_length=200,
        description="The next_cursor of the previous page; empty for the first page.",
    ),
]


def encode_cursor(position: Sequence[Any]) -> str:
    """An opaque cursor for the position after the last item of a page."""
    return base64.urlsafe_b64encode(msgspec.json.encode(list(position))).decode().rstrip("=")


Row = TypeVar("Row")


def page_of(
    rows: Sequence[Row], limit: int, position: Callable[[Row], Sequence[Any]]
) -> tuple[list[Row], str | None]:
    """A page of a list read with ``limit + 1`` rows: the first ``limit`` and the cursor
    after the last of them (``position`` gives a row's keys, as ``decode_cursor`` reads
    them back), or None when no row was left over (the last page)."""
    shown = list(rows[:limit])
    if len(rows) <= limit or not shown:
        return shown, None
    return shown, encode_cursor(position(shown[-1]))


def decode_cursor(cursor: str, kinds: Sequence[type]) -> list[Any] | None:
    """The position a cursor names, each part converted to its kind; None for no cursor.
    A cursor not made by ``encode_cursor`` is a 400 on the field ``cursor``."""
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        parts = msgspec.json.decode(raw, type=list[Any])
        position: list[Any] = [
            msgspec.convert(part, kind, strict=False)
            for part, kind in zip(parts, kinds, strict=True)
        ]
        # A forged cursor's number must still fit the database's 64-bit ids.
        if any(isinstance(part, int) and not -(2**63) <= part < 2**63 for part in position):
            raise ValueError("a cursor number out of range")
        return position
    except (ValueError, binascii.Error, msgspec.DecodeError, msgspec.ValidationError) as error:
        raise ProblemException(
            problem(
                400,
                _(INVALID_FIELDS),
                [
                    FieldError(
                        field="cursor",
                        code="invalid",
                        message=_("Send the next_cursor of a page as it was given."),
                    )
                ],
            )
        ) from error
