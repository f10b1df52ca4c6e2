from django.urls import path

from .views import account, inbox, join, me, panels, people, portfolio, settings, sso, staff

urlpatterns = [
    path("portfolio/", portfolio.portfolio, name="portfolio"),
    path("console/accounts/new/", account.account_create, name="account_create"),
    path("console/settings/", settings.console_settings, name="console_settings"),
    path("console/staff/", staff.staff, name="staff"),
    path("console/staff/add/", staff.staff_add, name="staff_add"),
    path("console/staff/<int:pk>/role/", staff.staff_role, name="staff_role"),
    path("console/staff/<int:pk>/team/", staff.staff_team, name="staff_team"),
    path("console/staff/<int:pk>/deactivate/", staff.staff_deactivate, name="staff_deactivate"),
    path("console/staff/<int:pk>/reactivate/", staff.staff_reactivate, name="staff_reactivate"),
    path("sso/", sso.sso_discover, name="sso_discover"),
    path("sso/start/", sso.sso_start, name="sso_start"),
    path("a/<slug:slug>/sso/", sso.account_sso, name="account_sso"),
    path("a/<slug:slug>/sso/disable/", sso.account_sso_disable, name="account_sso_disable"),
    path("invitations/<str:token>/", me.invitation_accept, name="accept_invitation"),
    path("settings/profile/", me.profile, name="profile"),
    path("settings/notifications/", me.notifications, name="notifications"),
    path("settings/notifications/off/<str:token>/", me.account_mail_off, name="account_mail_off"),
    path("inbox/", inbox.inbox, name="inbox"),
    path("inbox/bell/", inbox.inbox_bell, name="inbox_bell"),
    path("inbox/read/", inbox.inbox_read_all, name="inbox_read_all"),
    path("inbox/<int:pk>/read/", inbox.inbox_read, name="inbox_read"),
    path("inbox/<int:pk>/open/", inbox.inbox_open, name="inbox_open"),
    path("unsubscribe/<str:token>/", inbox.unsubscribe_view, name="unsubscribe"),
    path("a/<slug:slug>/", account.account_home, name="account_home"),
    path("a/<slug:slug>/panels/<slug:name>/", panels.account_panel, name="account_panel"),
    path("a/<slug:slug>/logo/", account.account_logo, name="account_logo"),
    path("a/<slug:slug>/edit/", account.account_edit, name="account_edit"),
    path("a/<slug:slug>/activity/", account.account_activity, name="account_activity"),
    path("a/<slug:slug>/view-as/", account.view_as_start, name="view_as_start"),
    path("a/<slug:slug>/view-as/end/", account.view_as_end, name="view_as_end"),
    path("a/<slug:slug>/people/", people.people, name="people"),
    path("a/<slug:slug>/people/invite/", people.people_invite, name="people_invite"),
    path(
        "a/<slug:slug>/invitations/<int:pk>/resend/",
        people.invitation_resend,
        name="invitation_resend",
    ),
    path(
        "a/<slug:slug>/invitations/<int:pk>/revoke/",
        people.invitation_revoke,
        name="invitation_revoke",
    ),
    path("a/<slug:slug>/people/<int:pk>/role/", people.membership_role, name="membership_role"),
    path(
        "a/<slug:slug>/people/<int:pk>/remove/",
        people.membership_remove,
        name="membership_remove",
    ),
    path(
        "a/<slug:slug>/users/<int:pk>/deactivate/",
        people.user_deactivate,
        name="user_deactivate",
    ),
    path(
        "a/<slug:slug>/users/<int:pk>/reactivate/",
        people.user_reactivate,
        name="user_reactivate",
    ),
]

# Self-join (accounts.join): the public pages, and the answers on the People page.
urlpatterns += [
    path("join/", join.join, name="join"),
    path("join/sent/", join.join_sent, name="join_sent"),
    path("join/confirm/<str:token>/", join.join_confirm, name="join_confirm"),
    path("join/withdraw/<str:token>/", join.join_withdraw, name="join_withdraw"),
    path("a/<slug:slug>/people/self-join/", join.people_self_join, name="people_self_join"),
    path(
        "a/<slug:slug>/join-requests/<int:pk>/approve/",
        join.join_request_approve,
        name="join_request_approve",
    ),
    path(
        "a/<slug:slug>/join-requests/<int:pk>/decline/",
        join.join_request_decline,
        name="join_request_decline",
    ),
]
