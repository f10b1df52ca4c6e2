"""The superuser back door. CSMs work in the portal itself, never here."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Account, Activity, Invitation, Membership, NotificationSetting, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "name", "vendor_role", "is_active", "is_superuser"]
    list_filter = ["vendor_role", "is_active", "is_superuser"]
    search_fields = ["email", "name"]
    fieldsets = [
        (None, {"fields": ["email", "password", "name"]}),
        ("Role", {"fields": ["vendor_role", "is_active", "is_superuser", "deactivated_at"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "name", "password1", "password2"]})]
    filter_horizontal = ()


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "segment", "stage", "owner", "renewal_date"]
    list_filter = ["segment", "stage", "touch_model"]
    search_fields = ["name", "slug"]
    inlines = [MembershipInline]


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "account", "role", "created_at", "accepted_at", "revoked_at"]
    exclude = ["nonce"]


@admin.register(Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["created_at", "account", "actor", "verb", "target_label"]
    list_filter = ["verb"]
    readonly_fields = [f.name for f in Activity._meta.fields]


admin.site.register(NotificationSetting)
