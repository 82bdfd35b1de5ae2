"""Password reset: a known and an unknown email get the same answer; the known one gets an
email whose link sets a password that signs in. Sign-in and the reset ignore the email's case.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any

import pytest
from django.core import mail
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client

from pacer.mail import wait_for_mail
from tests.factories import make_organization, make_person

pytestmark = pytest.mark.django_db

EMAIL = "ada@acme.test"
OLD_PASSWORD = "an old long passphrase"
NEW_PASSWORD = "a new and longer passphrase 42"


@pytest.fixture(autouse=True)
def ada() -> Any:
    person = make_person(make_organization(), EMAIL)
    person.set_password(OLD_PASSWORD)
    person.save()
    return person


def ask_for_reset(email: str) -> Any:
    response = Client().post("/password-reset/", {"email": email})
    wait_for_mail()
    return response


def link_in(message: mail.EmailMessage) -> str:
    match = re.search(r"https?://\S+", message.body)
    assert match, message.body
    return match.group(0)


def test_known_and_unknown_emails_get_the_same_answer() -> None:
    known = ask_for_reset(EMAIL)
    unknown = ask_for_reset("nobody@acme.test")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/password-reset/sent/"
    assert known.content == unknown.content
    assert len(mail.outbox) == 1  # only the known address gets mail
    assert mail.outbox[0].to == [EMAIL]
    page = Client().get(known["Location"])
    assert page.status_code == 200
    assert "If an account uses that address" in page.content.decode()


def test_the_reset_email_is_pacers_own() -> None:
    ask_for_reset(EMAIL)
    (message,) = mail.outbox
    assert message.subject == "Choose a new password for Pacer"
    assert "\n" not in message.subject
    assert EMAIL in message.body
    assert link_in(message).startswith("http://testserver/reset/")


def test_the_full_reset_flow_signs_in_with_the_new_password() -> None:
    ask_for_reset(EMAIL)
    link = link_in(mail.outbox[0])
    browser = Client()
    form_page = browser.get(link, follow=True)  # Django swaps the token for a session
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    done = browser.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    assert done["Location"] == "/reset/done/"
    assert "Password saved" in browser.get(done["Location"]).content.decode()

    signed_in = Client().post("/login/", {"username": EMAIL, "password": NEW_PASSWORD})
    assert signed_in.status_code == 302
    old = Client().post("/login/", {"username": EMAIL, "password": OLD_PASSWORD})
    assert old.status_code == 200  # the form again, with its error
    assert browser.get(link, follow=True).context["validlink"] is False  # used once


def test_the_reset_finds_the_account_whatever_the_case_of_the_email() -> None:
    response = ask_for_reset("Ada@ACME.test")
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [EMAIL]


def test_a_deactivated_account_gets_no_mail_and_the_same_answer(ada: Any) -> None:
    unknown = ask_for_reset("nobody@acme.test")
    ada.is_active = False
    ada.save()
    inactive = ask_for_reset(EMAIL)
    assert inactive.status_code == unknown.status_code
    assert inactive["Location"] == unknown["Location"]
    assert inactive.content == unknown.content
    assert mail.outbox == []


def test_an_invited_person_whose_link_expired_gets_a_new_one() -> None:
    invited = make_person(make_organization("Beta"), "nina@beta.test")
    assert not invited.has_usable_password()
    ask_for_reset("nina@beta.test")
    (message,) = mail.outbox
    assert message.to == ["nina@beta.test"]
    browser = Client()
    form_page = browser.get(link_in(message), follow=True)
    done = browser.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert done.status_code == 302
    signed_in = Client().post("/login/", {"username": "nina@beta.test", "password": NEW_PASSWORD})
    assert signed_in.status_code == 302


class SlowMailServer(BaseEmailBackend):
    """Holds every mail until the test releases it, like an SMTP server that hangs."""

    release = threading.Event()
    sent: list[EmailMessage] = []

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        assert self.release.wait(timeout=30)
        self.sent.extend(email_messages)
        return len(email_messages)


def test_the_answer_does_not_wait_for_the_mail_server(settings: Any) -> None:
    settings.EMAIL_BACKEND = f"{__name__}.SlowMailServer"
    SlowMailServer.release.clear()
    SlowMailServer.sent.clear()
    response = Client().post("/password-reset/", {"email": EMAIL})
    assert response.status_code == 302  # answered while the server still holds the mail
    assert SlowMailServer.sent == []
    SlowMailServer.release.set()
    wait_for_mail()
    assert [message.to for message in SlowMailServer.sent] == [[EMAIL]]
