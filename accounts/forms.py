from __future__ import annotations

import re
from typing import Any

from allauth.account.forms import LoginForm, RequestLoginCodeForm
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy

from portal.i18n import language_choices, time_zone_choices

from .access import INVITABLE_ROLES
from .models import (
    Account,
    AccountSSO,
    CustomerRole,
    Delivery,
    Invitation,
    NotificationKind,
    SelfJoin,
    SSOProtocol,
    User,
    VendorRole,
)


def add_service_errors(form: forms.BaseForm, error: forms.ValidationError) -> None:
    """Show a service's refusal on the form: on the field it names, else above the form."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            for message in messages:
                form.add_error(field if field in form.fields else None, message)
    else:
        form.add_error(None, error)


def contrast_with_white(hex_color: str) -> float:
    """The WCAG contrast ratio of white on ``#rrggbb``."""

    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(hex_color[i : i + 2], 16) for i in (1, 3, 5))
    luminance = 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)
    return 1.05 / (luminance + 0.05)


# The logo types the form accepts, as Pillow names them, and what the file picker offers.
# Not SVG: a logo is shown on pages and PDFs as an image, and an SVG can carry script.
LOGO_TYPES = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}
LOGO_MAX_BYTES = 2 * 1024 * 1024
HEX_COLOR = re.compile(r"#[0-9a-fA-F]{6}")


class ColorInput(forms.TextInput):
    """A text box for ``#rrggbb`` with a colour picker beside it.

    portal.js keeps the two in step. Without JavaScript the picker is sent as
    ``<name>_picker`` and counts when the text box was left as it was (see
    :meth:`AccountForm.clean_brand_color`).
    """

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(
            {
                "placeholder": settings.VENDOR_COLOR,
                "maxlength": 7,
                "spellcheck": "false",
                **(attrs or {}),
            }
        )

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        text = super().render(name, value, attrs, renderer)
        shown = (
            value
            if isinstance(value, str) and HEX_COLOR.fullmatch(value)
            else settings.VENDOR_COLOR
        )
        return format_html(
            '<div class="color-field">{}<input type="color" name="{}_picker" value="{}" '
            'aria-label="{}" data-color-for="{}"></div>',
            text,
            name,
            shown.lower(),
            gettext("Pick the colour"),
            (attrs or {}).get("id", ""),
        )


class LogoInput(forms.ClearableFileInput):
    """The file picker, with the current logo shown (through the account's logo view) and a
    box to remove it, instead of Django's "Currently: logos/…" line."""

    current_url = ""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        picker = super().render(name, None, attrs, renderer)
        if not (self.current_url and self.is_initial(value)):
            return picker
        clear = self.clear_checkbox_name(name)
        return format_html(
            '<div class="logo-current"><img src="{}" alt="{}" width="48" '
            'height="48"><span class="field-check"><input type="checkbox" name="{}" id="{}">'
            '<label for="{}">{}</label></span></div>{}',
            self.current_url,
            gettext("The current logo"),
            clear,
            self.clear_checkbox_id(clear),
            self.clear_checkbox_id(clear),
            gettext("Remove the logo"),
            picker,
        )


TAG_MAX_LENGTH = 40  # Tag.name
MAX_TAGS = 20


class NamesSelect(forms.Select):
    """A menu whose options are names, not words: languages each in its own tongue (marked
    with their ``lang``), IANA time zones. Marked ``translate="no"`` for browsers' translators
    and the pseudo-translation check (tests/pseudo.py); the empty choice is a word."""

    def __init__(self, *args: Any, languages: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.languages = languages

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        if option["value"]:
            option["attrs"]["translate"] = "no"
            if self.languages:
                option["attrs"]["lang"] = option["value"]
        return option


class AccountForm(forms.ModelForm):
    class Meta:
        model = Account
        # In pairs, as the form's two columns show them; the logo and domains take a row each.
        fields = [
            "name",
            "slug",
            "segment",
            "touch_model",
            "stage",
            "owner",
            "renewal_date",
            "brand_color",
            "logo",
            "email_domains",
            "language",
            "time_zone",
        ]
        widgets = {
            "renewal_date": forms.DateInput(attrs={"type": "date"}),
            "brand_color": ColorInput(),
            "logo": LogoInput(attrs={"accept": ",".join(LOGO_TYPES.values())}),
            "email_domains": forms.TextInput(attrs={"placeholder": "acme.com, acme.co.uk"}),
            "language": NamesSelect(languages=True),
            "time_zone": NamesSelect(),
        }
        # The model's fields carry no verbose_name of their own: the form names them.
        labels = {
            "name": gettext_lazy("Name"),
            "slug": gettext_lazy("Address"),
            "segment": gettext_lazy("Segment"),
            "touch_model": gettext_lazy("Touch model"),
            "stage": gettext_lazy("Stage"),
            "renewal_date": gettext_lazy("Renewal date"),
            "brand_color": gettext_lazy("Brand colour"),
            "logo": gettext_lazy("Logo"),
        }
        help_texts = {
            "slug": gettext_lazy(
                "Used in the portal's addresses: /a/<slug>/. Left empty, it follows the name."
            ),
            "brand_color": gettext_lazy(
                "Shown to the account's people in the portal and on their PDFs. "
                "Dark enough for white text."
            ),
            "logo": gettext_lazy("PNG, JPEG or WebP, up to 2 MB. A square logo looks best."),
        }
        error_messages = {
            "logo": {
                "invalid_image": gettext_lazy(
                    "This file is not an image the portal accepts: upload a PNG, JPEG or "
                    "WebP file (SVG is not accepted)."
                ),
            }
        }

    tags = forms.CharField(
        label=gettext_lazy("Tags"),
        required=False,
        max_length=400,
        help_text=gettext_lazy(
            "Comma-separated, like strategic, beta, EMEA. A new name makes a new tag; "
            "playbooks can be limited to accounts with a tag."
        ),
        widget=forms.TextInput(
            # Tags as a CSM might name them: words of the interface's language.
            attrs={"placeholder": gettext_lazy("strategic, beta")}
        ),
    )

    def __init__(self, *args: Any, acting_user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        if self.instance.pk and not self.is_bound:
            self.initial["tags"] = ", ".join(tag.name for tag in self.instance.tags.all())
        owner = self.fields["owner"]
        owner.queryset = User.objects.filter(vendor_role=VendorRole.CSM, is_active=True)  # type: ignore[attr-defined]
        owner.label = gettext("Owner (CSM)")
        # Empty: each person's browser picks the language, and the site's zone applies.
        self.fields["language"].choices = [  # type: ignore[attr-defined]
            ("", gettext_lazy("Each person's browser")),
            *language_choices(),
        ]
        self.fields["time_zone"].choices = [  # type: ignore[attr-defined]
            ("", gettext("The site's (%(zone)s)") % {"zone": settings.TIME_ZONE}),
            *time_zone_choices(),
        ]
        if acting_user.vendor_role == VendorRole.CSM:
            # A CSM's new or edited account stays in their own portfolio.
            owner.disabled = True
            if self.instance.pk is None:
                self.initial["owner"] = acting_user.pk
        logo = self.fields["logo"].widget
        if isinstance(logo, LogoInput) and self.instance.pk and self.instance.logo:
            logo.current_url = reverse("account_logo", args=[self.instance.slug])

    def clean_tags(self) -> list[str]:
        """The comma-separated names, each once (case aside), in the order typed."""
        names: list[str] = []
        for raw in self.cleaned_data.get("tags", "").split(","):
            name = " ".join(raw.split())
            if not name or name.lower() in (n.lower() for n in names):
                continue
            if len(name) > TAG_MAX_LENGTH:
                raise forms.ValidationError(
                    gettext("“%(name)s…” is too long for a tag (at most %(count)d characters).")
                    % {"name": name[:20], "count": TAG_MAX_LENGTH}
                )
            names.append(name)
        if len(names) > MAX_TAGS:
            raise forms.ValidationError(
                gettext("An account has at most %(count)d tags.") % {"count": MAX_TAGS}
            )
        return names

    def clean_slug(self) -> str:
        slug = slugify(self.cleaned_data.get("slug") or self.cleaned_data.get("name") or "")[:60]
        if not slug:
            raise forms.ValidationError(
                gettext("Give the account a name made of letters or digits.")
            )
        clash = Account.objects.filter(slug=slug).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(gettext("Another account already uses this address."))
        return slug

    def clean_brand_color(self) -> str:
        color = self.cleaned_data.get("brand_color", "") or ""
        before = self.instance.brand_color or ""
        picked = str(self.data.get("brand_color_picker", "")).lower()
        shown = (before or settings.VENDOR_COLOR).lower()
        if color.lower() == before.lower() and HEX_COLOR.fullmatch(picked) and picked != shown:
            # Only the picker moved: a browser without JavaScript did not copy it across.
            color = picked
        if HEX_COLOR.fullmatch(color) and contrast_with_white(color) < 3:
            raise forms.ValidationError(
                gettext(
                    "This colour is too light: white text on it would be hard to read. "
                    "Choose a darker shade."
                )
            )
        return color.lower()

    def clean_logo(self) -> Any:
        logo = self.cleaned_data.get("logo")
        image = getattr(logo, "image", None)  # set by ImageField for a new upload only
        if image is not None and image.format not in LOGO_TYPES:
            raise forms.ValidationError(
                gettext("A %(format)s image is not accepted: upload a PNG, JPEG or WebP file.")
                % {"format": image.format}
            )
        if logo and getattr(logo, "size", 0) > LOGO_MAX_BYTES:
            raise forms.ValidationError(gettext("The logo must be smaller than 2 MB."))
        return logo

    def clean_email_domains(self) -> str:
        raw = self.cleaned_data.get("email_domains", "")
        domains = [d.strip().lower().lstrip("@") for d in raw.split(",") if d.strip()]
        for domain in domains:
            if "." not in domain or " " in domain:
                raise forms.ValidationError(
                    gettext("“%(domain)s” is not a domain name.") % {"domain": domain}
                )
        return ", ".join(domains)


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("E-mail address"))
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=CustomerRole.choices)

    def __init__(self, *args: Any, acting_role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = INVITABLE_ROLES.get(acting_role, ())
        self.fields["role"].choices = [c for c in CustomerRole.choices if c[0] in allowed]  # type: ignore[attr-defined]
        self.fields["email"].widget.attrs["autocomplete"] = "off"


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=CustomerRole.choices)


class ViewAsForm(forms.Form):
    role = forms.ChoiceField(label=gettext_lazy("Role"), choices=CustomerRole.choices)


class AcceptInvitationForm(forms.Form):
    """A newcomer names themselves and sets their password on arrival."""

    name = forms.CharField(max_length=150, label=gettext_lazy("Your name"))
    password1 = forms.CharField(
        label=gettext_lazy("Password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=gettext_lazy("Password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, invitation: Invitation, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.invitation = invitation
        # The rules the password is checked against (AUTH_PASSWORD_VALIDATORS), said up front.
        self.fields[
            "password1"
        ].help_text = password_validation.password_validators_help_text_html()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", gettext("The two passwords differ."))
        elif p1:
            candidate = User(email=self.invitation.email, name=data.get("name", ""))
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return data


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["name", "language", "time_zone"]
        labels = {
            "name": gettext_lazy("Your name"),
            "language": gettext_lazy("Language"),
            "time_zone": gettext_lazy("Time zone"),
        }
        widgets = {"language": NamesSelect(languages=True), "time_zone": NamesSelect()}
        help_texts = {
            "language": gettext_lazy(
                "The portal and its e-mails in this language. Automatic: your account's, "
                "else your browser's."
            ),
            "time_zone": gettext_lazy(
                "Dates and times are shown in this zone, and the morning e-mails arrive at "
                "7:00 there. Automatic: your account's."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        automatic = ("", gettext_lazy("Automatic"))
        self.fields["language"].choices = [automatic, *language_choices()]  # type: ignore[attr-defined]
        self.fields["time_zone"].choices = [automatic, *time_zone_choices()]  # type: ignore[attr-defined]
        self.fields["language"].widget.attrs["autocomplete"] = "language"


class NotificationForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label, choices=Delivery.choices, widget=forms.RadioSelect
            )


class StaffForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=150)
    email = forms.EmailField(label=gettext_lazy("E-mail address"))
    vendor_role = forms.ChoiceField(label=gettext_lazy("Role"), choices=VendorRole.choices)


class StaffRoleForm(forms.Form):
    vendor_role = forms.ChoiceField(label=gettext_lazy("Role"), choices=VendorRole.choices)


class StaffTeamForm(forms.Form):
    team = forms.CharField(label=gettext_lazy("Team"), max_length=60, required=False, strip=True)


# Self-join (accounts.join) ----------------------------------------------------------------------

JOIN_MESSAGE_MAX = 1000


class JoinForm(forms.Form):
    """/join/: a person asks to join their company's portal."""

    email = forms.EmailField(
        label=gettext_lazy("Your work e-mail address"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True}),
    )
    name = forms.CharField(
        label=gettext_lazy("Your name"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    message = forms.CharField(
        label=gettext_lazy("A note for the people who let you in"),
        required=False,
        max_length=JOIN_MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Your team, or why you need the portal."),
    )

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()


class ApproveJoinForm(forms.Form):
    role = forms.ChoiceField(
        label=gettext_lazy("Role"), choices=CustomerRole.choices, initial=CustomerRole.MEMBER
    )

    def __init__(self, *args: Any, acting_role: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = INVITABLE_ROLES.get(acting_role, ())
        # Member first: the role most people join with.
        self.fields["role"].choices = [  # type: ignore[attr-defined]
            c for c in reversed(CustomerRole.choices) if c[0] in allowed
        ]


class DeclineJoinForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason (optional, e-mailed to them)"),
        required=False,
        max_length=JOIN_MESSAGE_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SelfJoinForm(forms.Form):
    self_join = forms.ChoiceField(
        label=gettext_lazy("When someone asks to join"),
        choices=SelfJoin.choices,
        widget=forms.RadioSelect,
    )


# Single sign-on (accounts.sso).


def _https_unless_private(url: str) -> str:
    """Identity provider URLs are fetched by the portal's server: https in production; the
    first look and the tests may use http on loopback (OUTBOUND_ALLOW_PRIVATE)."""
    if url and not url.lower().startswith("https://") and not settings.OUTBOUND_ALLOW_PRIVATE:
        raise forms.ValidationError(gettext("Enter an https:// address."))
    return url


def parse_role_mapping(text: str) -> dict[str, str]:
    """``group = role`` lines (``:`` works too) into {group: role}."""
    roles = {choice.value for choice in CustomerRole}
    mapping: dict[str, str] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            continue
        group, sep, role = line.rpartition("=") if "=" in line else line.rpartition(":")
        group, role = group.strip(), role.strip().lower()
        if not sep or not group or role not in roles:
            raise forms.ValidationError(
                gettext(
                    "Line %(number)d: write “group = role”, the role one of champion, "
                    "executive, member."
                )
                % {"number": number}
            )
        mapping[group] = role
    return mapping


class SSOForm(forms.Form):
    """A CS admin's setup of an account's single sign-on. The client secret is write-only:
    never shown again, and left blank to keep the one stored."""

    protocol = forms.ChoiceField(
        label=gettext_lazy("Protocol"),
        choices=SSOProtocol.choices,
        widget=forms.RadioSelect,
        initial=SSOProtocol.OIDC,
    )
    server_url = forms.URLField(
        label=gettext_lazy("Issuer URL"),
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy(
            "The identity provider's issuer, where /.well-known/openid-configuration is found."
        ),
    )
    client_id = forms.CharField(label=gettext_lazy("Client ID"), required=False, max_length=191)
    client_secret = forms.CharField(
        label=gettext_lazy("Client secret"),
        required=False,
        max_length=191,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    saml_entity_id = forms.CharField(
        label=gettext_lazy("Identity provider entity ID"), required=False, max_length=300
    )
    saml_sso_url = forms.URLField(
        label=gettext_lazy("Identity provider sign-in (SSO) URL"),
        required=False,
        assume_scheme="https",
    )
    saml_x509cert = forms.CharField(
        label=gettext_lazy("Identity provider signing certificate"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false"}),
        help_text=gettext_lazy("PEM (-----BEGIN CERTIFICATE-----…) or the base64 text alone."),
    )
    saml_metadata_url = forms.URLField(
        label=gettext_lazy("…or the identity provider's metadata URL"),
        required=False,
        assume_scheme="https",
        help_text=gettext_lazy(
            "Instead of the sign-in URL and certificate: the portal reads them from here."
        ),
    )
    group_claim = forms.CharField(
        label=gettext_lazy("Group claim"),
        required=False,
        max_length=100,
        help_text=gettext_lazy(
            "Optional: the claim or attribute listing the person's groups, like “groups”."
        ),
    )
    role_mapping = forms.CharField(
        label=gettext_lazy("Roles from groups"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "One “group = role” a line (champion, executive or member), for a first "
            "sign-in. Everyone else joins as a member."
        ),
    )
    require_sso = forms.BooleanField(
        label=gettext_lazy("Require single sign-on for this account's people"),
        required=False,
        help_text=gettext_lazy("Password and e-mailed code log-in are then refused for them."),
    )

    def __init__(self, *args: Any, account: Account, has_secret: bool = False, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.account = account
        self.has_secret = has_secret
        if has_secret:
            self.fields["client_secret"].help_text = gettext("Stored. Leave blank to keep it.")

    def clean_server_url(self) -> str:
        return _https_unless_private(self.cleaned_data["server_url"]).rstrip("/")

    def clean_saml_sso_url(self) -> str:
        return _https_unless_private(self.cleaned_data["saml_sso_url"])

    def clean_saml_metadata_url(self) -> str:
        return _https_unless_private(self.cleaned_data["saml_metadata_url"])

    def clean_saml_x509cert(self) -> str:
        text = self.cleaned_data["saml_x509cert"].strip()
        if not text:
            return ""
        from cryptography import x509

        body = "".join(
            line.strip() for line in text.splitlines() if line.strip() and "-----" not in line
        )
        pem = f"-----BEGIN CERTIFICATE-----\n{body}\n-----END CERTIFICATE-----\n"
        try:
            x509.load_pem_x509_certificate(pem.encode())
        except ValueError as error:
            raise forms.ValidationError(gettext("This is not an X.509 certificate.")) from error
        return body

    def clean_role_mapping(self) -> dict[str, str]:
        return parse_role_mapping(self.cleaned_data["role_mapping"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.account.allowed_domains:
            raise forms.ValidationError(
                gettext(
                    "Set the account's allowed e-mail domains first (Edit account): single "
                    "sign-on admits only people at those domains."
                )
            )
        required: list[str]
        if data.get("protocol") == SSOProtocol.OIDC:
            required = ["server_url", "client_id"]
            if not self.has_secret:
                required.append("client_secret")
        elif data.get("saml_metadata_url"):
            required = ["saml_entity_id"]
        else:
            required = ["saml_entity_id", "saml_sso_url", "saml_x509cert"]
        for name in required:
            if not data.get(name) and name not in self.errors:
                self.add_error(name, gettext("Enter this for the protocol chosen."))
        if data.get("role_mapping") and not data.get("group_claim"):
            self.add_error("group_claim", gettext("Name the claim the groups come in."))
        return data


class SSODiscoveryForm(forms.Form):
    """Home realm discovery: a work e-mail finds the account's single sign-on."""

    email = forms.EmailField(
        label=gettext_lazy("Work e-mail"),
        widget=forms.EmailInput(
            attrs={"autocomplete": "email", "placeholder": gettext_lazy("you@company.com")}
        ),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class SSOStartForm(forms.Form):
    """allauth's "sign in via …" page, continued through home realm discovery's redirect page."""

    provider = forms.CharField(max_length=200)
    next = forms.CharField(required=False)


def sso_required_message(sso: AccountSSO) -> str:
    return gettext(
        "Your company signs in with single sign-on: use ‘%(button)s’ instead of a password "
        "or an e-mailed code."
    ) % {"button": sso.button_label}


class PortalLoginForm(LoginForm):
    """allauth's log-in, refused before any password check for people whose account
    requires single sign-on (``sso_required`` then names it, for the page's button)."""

    sso_required: AccountSSO | None = None

    def clean(self) -> dict[str, Any]:
        from .sso import sso_required_for

        self.sso_required = sso_required_for(str(self.data.get("login", "")))
        if self.sso_required is not None:
            raise forms.ValidationError(sso_required_message(self.sso_required))
        return dict(super().clean())


class PortalRequestLoginCodeForm(RequestLoginCodeForm):
    """allauth's "e-mail me a code", refused (no code sent) for people whose account
    requires single sign-on."""

    sso_required: AccountSSO | None = None

    def clean_email(self) -> str:
        from .sso import sso_required_for

        self.sso_required = sso_required_for(str(self.cleaned_data.get("email", "")))
        if self.sso_required is not None:
            raise forms.ValidationError(sso_required_message(self.sso_required))
        return str(super().clean_email())
