from __future__ import annotations

from django import forms
from django.db.models import Case, Value, When
from django.utils.translation import gettext_lazy as _

from accounts.forms import OrgChoiceField
from accounts.models import FEDERATION_KINDS, Organization
from bases.forms import BootstrapMixin
from bases.models import Itinerary
from bases.selectors import itineraries_for_catalogue
from publicity.models import Article, Kind, Status
from publicity.permissions import check_article_org, orgs_offered
from publicity.validators import IMAGE_FORMATS, validate_image


class ItineraryChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, itinerary: Itinerary) -> str:
        return f"{itinerary.base.name} · {itinerary.title}（{itinerary.days}天）"


class ArticleForm(BootstrapMixin, forms.ModelForm):
    """Create and change an article. The publishing organization offers what the user may set
    and accepts any federation, so a forged value meets the scope check's message."""

    org = OrgChoiceField(
        label=_("Published by"),
        queryset=Organization.objects.filter(kind__in=FEDERATION_KINDS),
    )
    itineraries = ItineraryChoiceField(
        label=_("Itineraries (featured routes)"),
        queryset=Itinerary.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("A featured route links to one or more itineraries of the catalogue."),
    )
    image = forms.FileField(
        label=_("Add an image"),
        required=False,
        validators=[validate_image],
        widget=forms.ClearableFileInput(
            attrs={"accept": ",".join(f"image/{f.lower()}" for f in sorted(IMAGE_FORMATS))}
        ),
        help_text=_("JPEG, PNG or WebP, at most 3 MB."),
    )
    signup_url = forms.URLField(
        label=_("Sign-up link"),
        required=False,
        max_length=300,
        assume_scheme="https",
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
        help_text=_("Optional: a web page where people sign up."),
    )
    image_caption = forms.CharField(label=_("Caption of the image"), max_length=100, required=False)
    remove_images = forms.MultipleChoiceField(
        label=_("Remove images"), required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = Article
        fields = [
            "kind",
            "org",
            "title",
            "summary",
            "body",
            "theme",
            "itineraries",
            "event_date",
            "event_place",
            "signup_url",
            "contact",
        ]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 2}),
            "body": forms.Textarea(attrs={"rows": 14}),
            "event_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["org"].offer(orgs_offered(user))
        catalogue = itineraries_for_catalogue(user=user).order_by("base__name", "days", "pk")
        if self.instance.pk:
            # Keep an itinerary the article links to even if it has left the catalogue since.
            linked = Itinerary.objects.filter(featured_in=self.instance).values("pk")
            catalogue = (
                (
                    Itinerary.objects.filter(pk__in=catalogue.values("pk"))
                    | Itinerary.objects.filter(pk__in=linked)
                )
                .select_related("base")
                .order_by("base__name", "days", "pk")
            )
            self.fields["remove_images"].choices = [
                (str(image.pk), image.caption or image.image.name)
                for image in self.instance.images.all()
            ]
        # The linked ones first, then by base: a long catalogue stays easy to review.
        chosen = (
            [i.pk for i in Itinerary.objects.filter(featured_in=self.instance)]
            if self.instance.pk
            else []
        )
        self.fields["itineraries"].queryset = catalogue.annotate(
            linked=Case(When(pk__in=chosen, then=Value(0)), default=Value(1))
        ).order_by("linked", "base__name", "days", "pk")
        self.fields["kind"].choices = Kind.choices

    def clean_org(self):
        org = self.cleaned_data["org"]
        try:
            check_article_org(self.user, org)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.message_dict["org"]) from None
        return org

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        upload = data.pop("image", None)
        caption = data.pop("image_caption", "")
        removed = data.pop("remove_images", [])
        kwargs = {**data, "images": [(upload, caption)] if upload else []}
        if self.instance.pk:
            kwargs["remove_images"] = [int(pk) for pk in removed]
        return kwargs


class ManageFilterForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All kinds")), *Kind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *Status.choices], required=False
    )
