"""The OpenAPI document tells the truth about failures too: every operation lists the
errors it can answer with (drf-spectacular postprocessing hook)."""

from __future__ import annotations

ERROR = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
    "description": "`detail`, or field name → list of messages (400).",
}
FIELD_ERRORS = {
    "type": "object",
    "additionalProperties": {
        "oneOf": [
            {"type": "array", "items": {"type": "string"}},
            {"type": "string"},
            {"type": "object"},
        ]
    },
    "description": "Field name (or `non_field_errors`) → the reasons, in the active language.",
}


def _response(description: str, schema_ref: str) -> dict:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": schema_ref}}},
    }


def document_errors(result, generator, request, public):
    """Add 400 (invalid input or filter), 401, 403, 404 and 429 to every operation, and 415
    (a body in a format the operation does not read) to every operation that takes one."""
    components = result.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("Error", ERROR)
    components.setdefault("FieldErrors", FIELD_ERRORS)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            responses.setdefault(
                "400", _response("Invalid input or filter", "#/components/schemas/FieldErrors")
            )
            responses.setdefault("401", _response("Not signed in", "#/components/schemas/Error"))
            responses.setdefault(
                "403", _response("Not allowed for your role", "#/components/schemas/Error")
            )
            responses.setdefault(
                "404",
                _response(
                    "Not found, or outside your area (not told apart)",
                    "#/components/schemas/Error",
                ),
            )
            responses.setdefault(
                "429", _response("Too many requests", "#/components/schemas/Error")
            )
            if "requestBody" in operation:
                responses.setdefault(
                    "415", _response("Unsupported body format", "#/components/schemas/Error")
                )
    return result
