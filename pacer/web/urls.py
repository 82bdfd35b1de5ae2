"""The web app's URLs. Pages live in `views/` modules, one per area."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from pacer.web.forms import EmailAuthenticationForm, PasswordResetForm

urlpatterns = [
    path(
        "login/",
        auth_views.LoginView.as_view(authentication_form=EmailAuthenticationForm),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=PasswordResetForm,
            # Pacer's own mail; not Django's names, which django.contrib.auth half-provides.
            subject_template_name="registration/reset_subject.txt",
            email_template_name="registration/reset_email.txt",
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("", include("pacer.notifications.urls")),  # inbox, preferences, follow buttons
    path("", include("pacer.web.views.teams_urls")),  # before the overview's teams/<ref>/
    path("", include("pacer.web.views.cycles_urls")),  # before the overview's cycles/<ref>/
    path("", include("pacer.web.views.review_urls")),  # a cycle's quarterly review
    path("", include("pacer.web.views.calibration_urls")),  # a person's and a team's
    path("", include("pacer.web.views.work_urls")),  # initiatives, tasks, a cycle's Work
    path("", include("pacer.web.views.dashboards_urls")),  # dashboards, TV links, /tv/<token>/
    path("", include("pacer.web.views.overview_urls")),
    path("", include("pacer.web.views.kpis_urls")),  # KPIs: health metrics outside cycles
    path("", include("pacer.web.views.suggestions_urls")),  # the form's suggested parents
    path("", include("pacer.web.views.objective_urls")),
    path("", include("pacer.web.views.okr_templates_urls")),  # Start from a template
    path("", include("pacer.web.views.comments_urls")),
    path("", include("pacer.web.views.people_urls")),
    path("", include("pacer.web.views.tokens_urls")),
    path("", include("pacer.web.views.tasks_urls")),
    path("", include("pacer.webhooks.urls")),  # /settings/webhooks/ (admins)
    path("", include("pacer.initiatives.urls")),  # /settings/trackers/, an initiative's Sync now
    path("", include("pacer.datasources.urls")),  # a key result's data source page
    path("", include("pacer.web.views.search_urls")),
    path("", include("pacer.web.views.coach_urls")),  # the forms' hints, Settings: Lint rules
    path("", include("pacer.reminders.urls")),
    path("", include("pacer.reports.urls")),  # a cycle's XLSX and PPTX, prepared reports
]
