"""The HTTP API described as OpenAPI 3 (served at /api/v1/openapi.json)."""

ERROR = {"$ref": "#/components/schemas/Error"}


def _error_responses(*codes: str) -> dict:
    return {code: {"description": "Error", "content": {"application/json": {"schema": ERROR}}} for code in codes}


SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "clinicbot API", "version": "1",
             "description": "Answers patients' questions from the clinic's own articles. General information, not medical advice."},
    "paths": {
        "/api/v1/ask": {"post": {
            "summary": "Answer a patient's question",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["question"],
                "properties": {"question": {"type": "string", "minLength": 1, "maxLength": 500}}}}}},
            "responses": {"200": {"description": "The answer", "content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Reply"}}}},
                **_error_responses("400", "405", "413", "415")},
        }},
        "/api/v1/feedback": {"post": {
            "summary": "Thumbs up or down on an answer (redacted before storage; no IPs kept)",
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["rating"],
                "properties": {"rating": {"type": "string", "enum": ["up", "down"]},
                               "question": {"type": "string", "maxLength": 500},
                               "status": {"type": "string", "enum": ["answered", "no_answer", "emergency"]},
                               "article_url": {"type": "string", "nullable": True}}}}}},
            "responses": {"201": {"description": "Stored", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"ok": {"type": "boolean"}}}}}},
                **_error_responses("400", "405", "413", "415")},
        }},
        "/api/v1/health": {"get": {
            "summary": "Liveness and the index being served",
            "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"status": {"type": "string"}, "index": {"type": "object"}}}}}}},
        }},
        "/api/v1/admin/report": {"get": {
            "summary": "Groups of unanswered questions, for deciding what to write next",
            "security": [{"bearer": []}],
            "responses": {"200": {"description": "Groups, largest first"}, **_error_responses("401", "404")},
        }},
    },
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
            "Source": {"type": "object", "properties": {
                "title": {"type": "string"}, "url": {"type": "string"},
                "snippet": {"type": "string"}, "score": {"type": "number"}}},
            "Reply": {"type": "object",
                      "required": ["status", "answer", "sources", "booking_url", "phone", "suggestions"],
                      "properties": {
                          "status": {"type": "string", "enum": ["answered", "no_answer", "emergency"]},
                          "answer": {"type": "string", "description": "Plain text for a chat bubble"},
                          "sources": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}},
                          "booking_url": {"type": "string"}, "phone": {"type": "string"},
                          "phone_href": {"type": "string"},
                          "suggestions": {"type": "array", "items": {"type": "string"}},
                          "kind": {"type": "string", "description": "article, a clinic topic, or the red flag"},
                          "score": {"type": "number", "description": "Retrieval score behind the decision (0-1)"},
                          "disclaimer": {"type": "string"}}},
        },
    },
}
