"""The two annotations every handler file uses, defined once.

`data: Form` is a page's posted form; `request: AnyRequest` is a request whatever its user
and state types (handlers take the viewer from `CurrentViewer` in partner_portal/web.py,
not from request.user). This module imports nothing of the project, so the kernel's lowest
layers (partner_portal/api.py, idempotency.py) can use it too.
"""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Request
from litestar.enums import RequestEncodingType
from litestar.params import Body

Form = Annotated[dict[str, str], Body(media_type=RequestEncodingType.URL_ENCODED)]
AnyRequest = Request[Any, Any, Any]
