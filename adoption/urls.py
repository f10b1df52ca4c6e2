from django.urls import path

from .views import account, campaigns, recommendations

urlpatterns = [
    # The CS team's.
    path(
        "adoption/recommendations/",
        recommendations.recommendations,
        name="adoption_recommendations",
    ),
    path(
        "adoption/recommendations/<int:pk>/remove/",
        recommendations.recommendation_remove,
        name="adoption_recommendation_remove",
    ),
    path("adoption/campaigns/", campaigns.campaigns, name="adoption_campaigns"),
    path("adoption/campaigns/<int:pk>/", campaigns.campaign_detail, name="adoption_campaign"),
    path("adoption/campaigns/<int:pk>/launch/", campaigns.campaign_launch, name="adoption_launch"),
    # On an account.
    path("a/<slug:slug>/adoption/", account.adoption_page, name="adoption_page"),
    path("a/<slug:slug>/adoption/licence/", account.adoption_licence, name="adoption_licence"),
    path(
        "a/<slug:slug>/adoption/recommendations/",
        account.adoption_recommend,
        name="adoption_recommend",
    ),
    path(
        "a/<slug:slug>/adoption/recommendations/<int:pk>/remove/",
        account.adoption_recommendation_remove,
        name="adoption_account_recommendation_remove",
    ),
    path(
        "a/<slug:slug>/adoption/cards/<int:pk>/dismiss/",
        account.adoption_card_dismiss,
        name="adoption_card_dismiss",
    ),
]
