"""The API's error contract: every answer under the API prefix is JSON `{"detail": ...}` with a
status its OpenAPI schema documents.

- `ApiJsonErrorsMiddleware` turns whatever Django itself answers under the prefix (an unknown
  route's 404, a 405 from the wrong method, the 500 page of an unhandled exception, a 400 for a
  bad Host) into `{"detail": "<reason>"}` with the same status (and `Allow` kept on 405).
- `public_validation_errors` names the fields as the client sent them: Ninja reports a body
  field as `["body", "payload", "email"]` (`payload` is the handler's parameter name, an
  internal detail); we answer `["body", "email"]`.
- `document_error_responses` adds the error statuses each operation can answer to the schema.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse

ERROR_SCHEMA = {
    "type": "object",
    "properties": {"detail": {"description": "What went wrong (a string, or a list of "
                                             "field errors for 422)."}},
    "required": ["detail"],
}

ERROR_DESCRIPTIONS = {
    400: "The request cannot be carried out as asked (or its body is not valid JSON)",
    401: "Missing, unknown, revoked or expired token",
    403: "Your role does not allow this operation",
    404: "No such object in your account (or not visible to you)",
    409: "The change conflicts with the object's state (e.g. a status transition)",
    413: "The request body is too large",
    422: "A parameter or body field is invalid; `detail` lists each with its location",
    429: "Too many requests for this seat; retry after a minute",
}


def _prefix() -> str:
    return str(getattr(settings, "API_PREFIX", "/api/v1/"))


class ApiJsonErrorsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(_prefix()) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        try:
            reason = HTTPStatus(response.status_code).phrase
        except ValueError:
            reason = "Error"
        replaced = JsonResponse({"detail": reason}, status=response.status_code)
        for header in ("Allow", "Retry-After"):
            if header in response:
                replaced[header] = response[header]
        return replaced


# pydantic adds the union member it tried to a location ("function-after[...]", "literal['']",
# "str"): internal names, dropped from what the client sees.
_VALIDATOR_TAG = re.compile(r"^([\w-]+\[.*\]|str|int|float|bool|none|list|dict)$", re.DOTALL)


def _public_loc(loc: list[Any], body_params: set[str]) -> list[Any]:
    if len(loc) >= 2 and loc[0] == "body" and loc[1] in body_params:
        loc = [loc[0], *loc[2:]]
    return [loc[0], *(p for p in loc[1:2]),
            *(p for p in loc[2:] if not (isinstance(p, str) and _VALIDATOR_TAG.match(p)))]


def public_validation_errors(errors: list[dict[str, Any]], body_params: set[str]) -> list[dict]:
    public = []
    for error in errors:
        msg = str(error.get("msg", "Invalid value"))
        msg = msg.removeprefix("Value error, ")
        public.append({
            "loc": _public_loc(list(error.get("loc", [])), body_params),
            "msg": msg,
            "type": error.get("type", "value_error"),
        })
    # Only JSON-safe values (pydantic's ctx may hold exceptions).
    return json.loads(json.dumps(public, default=str))


def document_error_responses(schema: dict[str, Any]) -> dict[str, Any]:
    """Add to each operation of an OpenAPI document the error statuses it can answer."""
    for item in schema.get("paths", {}).values():
        for method, operation in item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            codes = {400, 401, 403, 422, 429}
            parameters = operation.get("parameters", [])
            # An object named in the path, or by a required id in the query (?store=12),
            # may be missing or another account's: 404.
            if any(p.get("in") == "path" or (
                    p.get("in") == "query" and p.get("required")
                    and p.get("schema", {}).get("type") == "integer") for p in parameters):
                codes.add(404)
            if method != "get":
                codes |= {404, 409, 413}
            responses = {str(code): value for code, value in operation.get("responses", {}).items()}
            operation["responses"] = responses
            for code in sorted(codes):
                responses.setdefault(str(code), {
                    "description": ERROR_DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": ERROR_SCHEMA}},
                })
    return schema
