from django.urls import URLPattern, URLResolver, path, re_path

from pacer.api.api import api
from pacer.api.errors import not_found_view

urlpatterns: list[URLPattern | URLResolver] = [
    path("v1/", api.urls),
    re_path(r"^v1/(?P<rest>.*)$", not_found_view),
]
