"""The API's documentation page: our own page, rendered on the server from the served OpenAPI
schema, so that it needs no third-party script and passes the portal's Content-Security-Policy
as every other page does."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from ninja import NinjaAPI
from ninja.openapi.docs import DocsBase


class ApiDocs(DocsBase):
    """Plugged into the API as its ``docs``: ninja serves it at ``/api/v1/docs``."""

    def render_page(self, request: HttpRequest, api: NinjaAPI, **kwargs: Any) -> HttpResponse:
        schema = api.get_openapi_schema(path_params=kwargs)
        return render(request, "insights/api_docs.html", docs_context(schema))


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    ref = node.get("$ref")
    if ref:
        name = ref.rsplit("/", 1)[-1]
        return schema["components"]["schemas"][name] | {"title": name}
    return node


def _type_label(schema: dict[str, Any], node: dict[str, Any]) -> str:
    if "$ref" in node:
        return node["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in node:
        return " or ".join(_type_label(schema, n) for n in node["anyOf"])
    if "enum" in node:
        return " | ".join(f'"{v}"' for v in node["enum"])
    if "const" in node:
        return f'"{node["const"]}"'
    if node.get("type") == "array":
        return f"list of {_type_label(schema, node.get('items', {}))}"
    label = node.get("format") or node.get("type") or "any"
    return "null" if label == "null" else label


def _fields(schema: dict[str, Any], model: dict[str, Any]) -> list[dict[str, Any]]:
    model = _resolve(schema, model)
    required = set(model.get("required", []))
    return [
        {
            "name": name,
            "type": _type_label(schema, prop),
            "required": name in required,
            "description": prop.get("description", ""),
            "default": prop.get("default"),
        }
        for name, prop in model.get("properties", {}).items()
    ]


def _answer(status: Any, answer: dict[str, Any]) -> dict[str, Any]:
    """A status, what it means, and the example error the schema gives for it."""
    example = answer.get("content", {}).get("application/json", {}).get("example")
    return {
        "status": str(status),
        "description": answer.get("description", ""),
        "example": json.dumps(example, ensure_ascii=False) if example else "",
    }


def docs_context(schema: dict[str, Any]) -> dict[str, Any]:
    """Endpoints and the fields of their bodies, from the OpenAPI schema, for the docs page."""
    endpoints = []
    models: dict[str, list[dict[str, Any]]] = {}
    for path, operations in schema.get("paths", {}).items():
        for method, op in operations.items():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            params = [
                {
                    "name": p["name"],
                    "in": p["in"],
                    "type": _type_label(schema, p.get("schema", {})),
                    "required": p.get("required", False),
                    "description": p.get("description", "")
                    or p.get("schema", {}).get("description", ""),
                }
                for p in op.get("parameters", [])
            ]
            endpoints.append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "params": params,
                    "body": _type_label(schema, body["schema"]) if body else "",
                    "responses": [
                        _answer(status, answer)
                        for status, answer in sorted(op.get("responses", {}).items())
                    ],
                    "slug": f"{method}-{path}".replace("/", "-").replace("{", "").replace("}", ""),
                }
            )
    for name, model in schema.get("components", {}).get("schemas", {}).items():
        models[name] = _fields(schema, model)
    return {"endpoints": endpoints, "models": sorted(models.items())}
