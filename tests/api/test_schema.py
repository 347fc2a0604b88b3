from django.core.management import call_command


def test_the_openapi_schema_generates_and_validates_without_warnings(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    text = target.read_text()
    for documented in ("/api/v1/actions/{id}/transition", "/api/v1/situations/{situation_pk}/readings",
                       "knoxApiToken", "cookieAuth", "'412'", "'428'", "'409'"):
        assert documented in text, documented
