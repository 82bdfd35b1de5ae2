"""URLs of the people pages: the list, invitations, changes to a person, deactivation."""

from django.urls import URLPattern, path

from pacer.web.views import people

urlpatterns: list[URLPattern] = [
    path("people/", people.people_list, name="people"),
    path("people/invite/", people.person_invite, name="person_invite"),
    path("people/<int:person_id>/edit/", people.person_edit, name="person_edit"),
    path(
        "people/<int:person_id>/resend/",
        people.person_resend_invitation,
        name="person_resend_invitation",
    ),
    path(
        "people/<int:person_id>/deactivate/",
        people.person_deactivate,
        name="person_deactivate",
    ),
    path(
        "people/<int:person_id>/reactivate/",
        people.person_reactivate,
        name="person_reactivate",
    ),
]
