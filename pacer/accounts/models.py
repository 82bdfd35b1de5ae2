"""People sign in with their email. A person belongs to one organization."""

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils.crypto import salted_hmac

# Django's own salt: at generation 0 the session hash is Django's, so sessions signed in
# before `session_generation` existed stay valid.
SESSION_HASH_SALT = "django.contrib.auth.models.AbstractBaseUser.get_session_auth_hash"


def server_time_zone() -> str:
    """A new person's time zone: the server's (settings.TIME_ZONE)."""
    return str(settings.TIME_ZONE)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email_address(cls, email: str | None) -> str:
        """An email as Pacer stores it, trimmed and lowercased: it is the sign-in name."""
        return cls.normalize_email((email or "").strip()).lower()

    def get_by_natural_key(self, username: str | None) -> "User":
        """Sign-in (Django's ModelBackend) finds `Ada@Acme.test` as `ada@acme.test`."""
        return self.get(email=self.normalize_email_address(username))

    def create_user(self, email: str, password: str | None = None, **fields: Any) -> "User":
        if not email:
            raise ValueError("A person needs an email address.")
        user = self.model(email=self.normalize_email_address(email), **fields)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields: Any) -> "User":
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A person. Deactivated (is_active=False), never deleted, so history keeps its authors."""

    class Role(models.TextChoices):
        ADMIN = "admin", "Organization admin"
        MEMBER = "member", "Member"

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    organization = models.ForeignKey(
        "okrs.Organization",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="people",
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    # An IANA name (Europe/Berlin), checked by rules.time_zone_problems.
    time_zone = models.CharField(max_length=64, default=server_time_zone)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(auto_now_add=True)
    # Raised to end every session of the person at once (pacer.accounts.access.end_access).
    session_generation = models.PositiveIntegerField(default=0, db_default=0, editable=False)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["name", "email"]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def is_org_admin(self) -> bool:
        return self.role == self.Role.ADMIN

    def get_full_name(self) -> str:
        return self.name or self.email

    def get_short_name(self) -> str:
        return (self.name or self.email).split(" ")[0]

    def _get_session_auth_hash(self, secret: str | None = None) -> str:
        """Django's session hash (an HMAC of the password hash, checked on every request),
        with `session_generation` mixed in: raising it ends every session, wherever kept."""
        value = self.password
        if self.session_generation:
            value = f"{self.password}\x1f{self.session_generation}"
        return salted_hmac(SESSION_HASH_SALT, value, secret=secret, algorithm="sha256").hexdigest()
