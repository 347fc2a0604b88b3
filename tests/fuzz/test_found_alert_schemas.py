"""Found by fuzzing: the bodies of three alerts endpoints broke their documented schema.
- GET /api/v1/escalation-policies: `steps` is a list of steps, documented as an object;
- GET /api/v1/notifications/unread-count answers {"unread": n}, documented as a notification;
- POST /api/v1/notifications/read-all answers {"marked": n}, documented as a notification."""
import jsonschema_rs

from alerts.defaults import ensure_default_rules


def as_json_schema(node):
    """OpenAPI 3.0's `nullable: true` is JSON Schema's "or null"."""
    if isinstance(node, list):
        return [as_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: as_json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


def validate(openapi, path: str, method: str, body, status: str = "200"):
    schema = openapi["paths"][path][method]["responses"][status]["content"]["application/json"]["schema"]
    # Components resolve as JSON Schema once they travel with the document.
    jsonschema_rs.validate(as_json_schema({**schema, "components": openapi["components"]}), body)


def test_policies_read_back_as_documented(openapi, api_as, manager):
    ensure_default_rules()
    listing = api_as(manager).get("/api/v1/escalation-policies")
    assert listing.status_code == 200
    assert listing.json()["results"][0]["steps"], "the default policy has steps"
    validate(openapi, "/api/v1/escalation-policies", "get", listing.json())
    policy_id = listing.json()["results"][0]["id"]
    detail = api_as(manager).get(f"/api/v1/escalation-policies/{policy_id}")
    validate(openapi, "/api/v1/escalation-policies/{id}", "get", detail.json())
    step = openapi["components"]["schemas"]["PolicyStepRead"]
    assert set(step["properties"]) == set(detail.json()["steps"][0])


def test_the_unread_count_reads_as_documented(openapi, api_as, liaison):
    response = api_as(liaison).get("/api/v1/notifications/unread-count")
    assert response.json() == {"unread": 0}
    validate(openapi, "/api/v1/notifications/unread-count", "get", response.json())


def test_marking_all_read_answers_as_documented(openapi, api_as, liaison):
    response = api_as(liaison).post("/api/v1/notifications/read-all")
    assert response.json() == {"marked": 0}
    validate(openapi, "/api/v1/notifications/read-all", "post", response.json())
