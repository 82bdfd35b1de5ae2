"""`pacer openapi [-o FILE]`: the API's OpenAPI 3.1 document, as committed in docs/openapi.json."""

import json
from typing import Any

from django.core.management.base import BaseCommand

from pacer.api.api import api

PATH_PREFIX = "/api/v1/"


def openapi_text() -> str:
    schema = api.get_openapi_schema(path_prefix=PATH_PREFIX)
    return json.dumps(schema, indent=2, ensure_ascii=False, sort_keys=False) + "\n"


class Command(BaseCommand):
    help = "Print the OpenAPI document of the REST API (or write it with -o FILE)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("-o", "--output", metavar="FILE")

    def handle(self, *args: Any, **options: Any) -> None:
        text = openapi_text()
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8") as out:
                out.write(text)
        else:
            self.stdout.write(text, ending="")
