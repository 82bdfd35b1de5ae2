"""The admins' Webhooks settings pages."""

from django.urls import URLPattern, path

from pacer.webhooks import views

urlpatterns: list[URLPattern] = [
    path("settings/webhooks/", views.webhook_list, name="webhook_list"),
    path("settings/webhooks/<int:webhook_id>/", views.webhook_detail, name="webhook_detail"),
    path("settings/webhooks/<int:webhook_id>/delete/", views.webhook_delete, name="webhook_delete"),
    path(
        "settings/webhooks/<int:webhook_id>/deliveries/<uuid:delivery_id>/redeliver/",
        views.redeliver,
        name="webhook_redeliver",
    ),
]
