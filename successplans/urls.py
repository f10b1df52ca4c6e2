from django.urls import include, path

urlpatterns = [
    path("console/templates/", include("successplans.template_urls")),
]
