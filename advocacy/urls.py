"""Advocacy: an account's page for the CS team, the ask as the person asked sees it, the
customer's referral form, case studies (/a/<slug>/...), and the team's board (/advocacy/)."""

from django.urls import path

from .views import account, board, case_study, my_ask, refer

A = "a/<slug:slug>/advocacy/"
C = f"{A}case-studies/"

urlpatterns = [
    path(A, account.account_advocacy, name="advocacy_account"),
    path(f"{A}ask/", account.ask, name="advocacy_ask"),
    path(f"{A}asks/<int:pk>/", my_ask.my_ask, name="advocacy_my_ask"),
    path(f"{A}asks/<int:pk>/done/", account.ask_done, name="advocacy_ask_done"),
    path(f"{A}calls/", account.book_call, name="advocacy_call_book"),
    path(f"{A}calls/<int:pk>/done/", account.call_done, name="advocacy_call_done"),
    path(f"{A}referrals/<int:pk>/", account.referral, name="advocacy_referral"),
    path("a/<slug:slug>/refer/", refer.refer, name="advocacy_refer"),
    path(f"{C}new/", case_study.case_study_new, name="advocacy_case_study_new"),
    path(f"{C}<int:pk>/", case_study.case_study, name="advocacy_case_study"),
    path(f"{C}<int:pk>/send/", case_study.case_study_send, name="advocacy_case_study_send"),
    path(f"{C}<int:pk>/review/", case_study.case_study_review, name="advocacy_case_study_review"),
    path(f"{C}<int:pk>/pdf/", case_study.case_study_download, name="advocacy_case_study_pdf"),
    path("advocacy/", board.board, name="advocacy_board"),
]
