from django.urls import path

from .views import console

urlpatterns = [
    # The vendor's list of the accounts likeliest to churn (the 360° page's card is a panel).
    path("forecast/", console.forecast_console, name="forecast"),
]
