"""Organizations (the union tree plus base operators and agencies), users and workers."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.validators import (
    id_number_birth_date,
    mask_id_number,
    mask_phone,
    validate_id_number,
    validate_not_future,
    validate_phone,
)


class OrgKind(models.TextChoices):
    PROVINCE = "province", _("Provincial federation")
    CITY = "city", _("City federation")
    COUNTY = "county", _("County federation")
    GRASSROOTS = "grassroots", _("Grassroots union")
    BASE_OPERATOR = "base_operator", _("Base operator")
    AGENCY = "agency", _("Travel agency")


FEDERATION_KINDS = frozenset({OrgKind.PROVINCE, OrgKind.CITY, OrgKind.COUNTY})
UNION_KINDS = FEDERATION_KINDS | {OrgKind.GRASSROOTS}

# Which kinds of organization may sit directly under which (None: a root).
ALLOWED_PARENT_KINDS: dict[str, frozenset] = {
    OrgKind.PROVINCE: frozenset({None}),
    OrgKind.CITY: frozenset({OrgKind.PROVINCE, None}),
    OrgKind.COUNTY: frozenset({OrgKind.CITY}),
    OrgKind.GRASSROOTS: frozenset({OrgKind.CITY, OrgKind.COUNTY}),
    OrgKind.BASE_OPERATOR: FEDERATION_KINDS,
    OrgKind.AGENCY: FEDERATION_KINDS,
}


class Organization(models.Model):
    code = models.CharField(
        _("code"),
        max_length=32,
        unique=True,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]+$", _("Use letters, digits, - and _ only."))],
    )
    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # Materialised path of codes, "/PROV/CITY/CNTY/": a subtree is one indexed prefix match.
    path = models.CharField(max_length=400, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(
        _("contact phone"), max_length=20, blank=True, validators=[validate_phone]
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        ordering = ["path"]
        indexes = [
            models.Index(fields=["path"], name="org_path_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["kind", "path"], name="org_kind_path_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        old_path = self.path
        self.path = self._computed_path()
        self.depth = self.path.count("/") - 2
        super().save(*args, **kwargs)
        if old_path and old_path != self.path:
            # Rare (a re-parenting or a new code): rewrite every descendant's path.
            for child in self.children.all():
                child.save()

    def clean(self) -> None:
        parent_kind = self.parent.kind if self.parent_id else None
        if parent_kind not in ALLOWED_PARENT_KINDS.get(self.kind, ()):
            raise ValidationError(
                {"parent": _("This kind of organization cannot sit under that parent.")}
            )
        if self.pk and self.parent_id and self.parent.path.startswith(self.path or "\0"):
            raise ValidationError({"parent": _("An organization cannot be its own ancestor.")})

    def _computed_path(self) -> str:
        return (self.parent.path if self.parent_id else "/") + self.code + "/"

    @property
    def is_federation(self) -> bool:
        return self.kind in FEDERATION_KINDS

    def is_within(self, other: Organization | None) -> bool:
        """True when ``self`` is ``other`` or one of its descendants."""
        return other is not None and self.path.startswith(other.path)

    def subtree(self) -> models.QuerySet[Organization]:
        return Organization.objects.filter(path__startswith=self.path)

    def ancestors(self) -> models.QuerySet[Organization]:
        codes = [c for c in self.path.split("/") if c][:-1]
        return Organization.objects.filter(code__in=codes).order_by("depth")

    def county(self) -> Organization | None:
        """The county federation this organization belongs to, if any."""
        if self.kind == OrgKind.COUNTY:
            return self
        return self.ancestors().filter(kind=OrgKind.COUNTY).first()


class Role(models.TextChoices):
    WORKER = "worker", _("Worker")
    ORGANIZER = "organizer", _("Union organizer")
    FEDERATION_STAFF = "federation_staff", _("Federation staff")
    BASE_OPERATOR = "base_operator", _("Base operator")
    AGENCY = "agency", _("Travel agency")
    AUDITOR = "auditor", _("Auditor")


# The kinds of organization each role may belong to.
ROLE_ORG_KINDS: dict[str, frozenset] = {
    Role.WORKER: frozenset({OrgKind.GRASSROOTS}),
    Role.ORGANIZER: frozenset({OrgKind.GRASSROOTS}),
    Role.FEDERATION_STAFF: FEDERATION_KINDS,
    Role.BASE_OPERATOR: frozenset({OrgKind.BASE_OPERATOR}),
    Role.AGENCY: frozenset({OrgKind.AGENCY}),
    Role.AUDITOR: FEDERATION_KINDS,
}


class User(AbstractUser):
    full_name = models.CharField(_("full name"), max_length=50, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, blank=True)
    org = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.username

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username

    def clean(self) -> None:
        super().clean()
        if self.role:
            if not self.org_id:
                raise ValidationError({"org": _("This role needs an organization.")})
            if self.org.kind not in ROLE_ORG_KINDS[self.role]:
                raise ValidationError({"org": _("This organization's kind does not fit the role.")})

    @property
    def is_worker(self) -> bool:
        return self.role == Role.WORKER

    @property
    def is_organizer(self) -> bool:
        return self.role == Role.ORGANIZER

    @property
    def is_federation_staff(self) -> bool:
        return self.role == Role.FEDERATION_STAFF

    @property
    def is_auditor(self) -> bool:
        return self.role == Role.AUDITOR

    @property
    def is_base_operator(self) -> bool:
        return self.role == Role.BASE_OPERATOR

    @property
    def is_agency(self) -> bool:
        return self.role == Role.AGENCY


class WorkerCategory(models.TextChoices):
    MODEL_WORKER = "model_worker", _("Model worker / advanced individual")
    SENIOR_TECHNICIAN = "senior_technician", _("Senior technician")
    TECHNICIAN = "technician", _("Technician")
    SENIOR_WORKER = "senior_worker", _("Senior skilled worker")
    MEMBER = "member", _("Union member")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


ID_NUMBER_TAKEN = _("This ID number is already registered to another member.")
PRIORITY_LABELS = {
    "model_worker": _("Model worker"),
    "skilled": _("Outstanding skilled worker"),
    "competition_winner": _("Skills competition winner"),
    "hazardous_job": _("Heavy or hazardous job"),
    "hardship": _("Hardship worker"),
    "near_retirement": _("Near retirement"),
}


class Worker(models.Model):
    """A union member. May exist without a login (e.g. imported onto a group-trip roster)."""

    user = models.OneToOneField(
        User,
        verbose_name=_("login account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="worker",
    )
    union = models.ForeignKey(
        Organization,
        verbose_name=_("grassroots union"),
        on_delete=models.PROTECT,
        related_name="workers",
        limit_choices_to={"kind": OrgKind.GRASSROOTS},
    )
    real_name = models.CharField(_("real name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_date = models.DateField(_("birth date"), validators=[validate_not_future])
    category = models.CharField(
        _("worker category"),
        max_length=20,
        choices=WorkerCategory.choices,
        default=WorkerCategory.MEMBER,
    )
    in_good_standing = models.BooleanField(
        _("member in good standing"),
        default=True,
        help_text=_("Dues paid and membership active; only such members may apply."),
    )
    joined_union_on = models.DateField(
        _("joined the union on"), null=True, blank=True, validators=[validate_not_future]
    )
    id_number = models.CharField(
        _("ID card number"), max_length=18, blank=True, validators=[validate_id_number]
    )
    phone = models.CharField(
        _("mobile phone"), max_length=11, blank=True, validators=[validate_phone]
    )
    # Priority groups (DESIGN §3); "model worker" is a category and "never been" is derived.
    hazardous_job = models.BooleanField(_("heavy or hazardous job"), default=False)
    hardship = models.BooleanField(_("hardship worker"), default=False)
    near_retirement = models.BooleanField(_("near retirement"), default=False)
    competition_winner = models.BooleanField(_("skills competition winner"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        ordering = ["union_id", "real_name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=~models.Q(id_number=""),
                name="worker_unique_id_number",
                violation_error_message=ID_NUMBER_TAKEN,
            ),
        ]

    def __str__(self) -> str:
        return self.real_name

    def clean(self) -> None:
        if self.union_id and self.union.kind != OrgKind.GRASSROOTS:
            raise ValidationError({"union": _("A worker belongs to a grassroots union.")})
        if self.id_number:
            self.id_number = self.id_number.upper()
            born = id_number_birth_date(self.id_number)
            if born and self.birth_date and born != self.birth_date:
                raise ValidationError(
                    {"id_number": _("The ID number does not match the birth date.")}
                )
            if Worker.objects.exclude(pk=self.pk).filter(id_number=self.id_number).exists():
                raise ValidationError({"id_number": ID_NUMBER_TAKEN})

    def age_on(self, day: date | None = None) -> int:
        day = day or timezone.localdate()
        born = self.birth_date
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def age(self) -> int:
        return self.age_on()

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def masked_phone(self) -> str:
        return mask_phone(self.phone)

    @property
    def priority_groups(self) -> list[str]:
        groups = []
        if self.category == WorkerCategory.MODEL_WORKER:
            groups.append("model_worker")
        if self.category in (WorkerCategory.SENIOR_TECHNICIAN, WorkerCategory.TECHNICIAN):
            groups.append("skilled")
        for flag in ("competition_winner", "hazardous_job", "hardship", "near_retirement"):
            if getattr(self, flag):
                groups.append(flag)
        return groups

    @property
    def priority_labels(self) -> list[str]:
        return [PRIORITY_LABELS[g] for g in self.priority_groups]


class AuditEvent(models.Model):
    """One row per consequential action: who did what to which object, in which organization.

    Written by services of every app through ``accounts.audit.audit``; never updated.
    """

    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User, verbose_name=_("actor"), on_delete=models.PROTECT, null=True, blank=True
    )
    action = models.CharField(_("action"), max_length=50)
    target_type = models.CharField(_("object type"), max_length=50)
    target_id = models.CharField(_("object id"), max_length=50)
    org = models.ForeignKey(
        Organization,
        verbose_name=_("organization"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reason = models.TextField(_("reason"), blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target_idx")]

    def __str__(self) -> str:
        return f"{self.action} {self.target_type}#{self.target_id}"


class Notification(models.Model):
    """A message to one user: shown in the portal (with an unread count) and sent by e-mail.

    Written by services of every app through ``accounts.notify.notify``; ``key`` makes a reminder
    idempotent (the same reminder twice is one row).
    """

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.CASCADE, related_name="notifications"
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=200, blank=True)
    key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "key"], condition=~models.Q(key=""), name="notification_once"
            ),
        ]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return self.subject
