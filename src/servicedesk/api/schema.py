"""Corrections to the generated OpenAPI schema, so that it documents every answer we give.

drf-spectacular documents only the success answer of each operation; these hooks run after
it (SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]) and add what it cannot see.
"""

from typing import Any

ERROR_COMPONENT = "Error"
ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": (
        'What is wrong: {"detail": "..."} for the request as a whole, or each field (or query '
        "parameter) at fault with its list of messages."
    ),
    "additionalProperties": {},
}
ERRORS = {
    "400": "The request (its body or a query parameter) is not valid.",
    "401": "No valid credentials: send `Authorization: Token <key>`.",
    "403": "The caller may not do this.",
    "404": "No such object, or one the caller may not see; or no such page.",
    "415": "The body is not in a media type the operation reads (see its request body).",
}


def document_errors(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Return the schema with the error answers each operation can give, and their body.

    400 where the caller sends a body or query parameters; 401 and 403 where credentials
    are needed; 404 where an object is named in the path or a page in the query; 415 where
    a body is read.
    """
    result.setdefault("components", {}).setdefault("schemas", {})[ERROR_COMPONENT] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": f"#/components/schemas/{ERROR_COMPONENT}"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            parameters = {(p["in"], p["name"]) for p in operation.get("parameters", [])}
            codes = []
            if "requestBody" in operation or any(where == "query" for where, _ in parameters):
                codes.append("400")
            if operation.get("security") and {} not in operation["security"]:
                codes += ["401", "403"]
            if any(where == "path" for where, _ in parameters) or ("query", "page") in parameters:
                codes.append("404")
            if "requestBody" in operation:
                codes.append("415")
            responses = operation.setdefault("responses", {})
            for code in codes:
                responses.setdefault(code, {"description": ERRORS[code], "content": error})
    return result


# Read-only choice fields lose `allow_blank` in DRF's model serializers, so the generated
# schema forbids the "" a ticket has until someone judges its impact or urgency.
BLANK_CHOICES = {"Ticket": ("impact", "urgency")}


def allow_blank_levels(result: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
    """Return the schema with "" allowed for the ticket's impact and urgency, as answered."""
    schemas = result.get("components", {}).get("schemas", {})
    schemas.setdefault("BlankEnum", {"enum": [""]})
    blank = {"$ref": "#/components/schemas/BlankEnum"}
    for component, names in BLANK_CHOICES.items():
        properties = schemas.get(component, {}).get("properties", {})
        for name in names:
            prop = properties.get(name)
            if prop is None or "oneOf" in prop:
                continue  # documented with its blank already
            read_only = prop.pop("readOnly", False)
            # drf-spectacular wraps a read-only enum in a one-item allOf.
            choices = prop["allOf"][0] if list(prop) == ["allOf"] else prop
            properties[name] = {"oneOf": [choices, blank]}
            if read_only:
                properties[name]["readOnly"] = True
    return result
