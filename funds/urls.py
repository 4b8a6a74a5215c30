from django.urls import path

from funds import views

app_name = "funds"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("grant/", views.grant, name="grant"),
    path("allocate/", views.allocate, name="allocate"),
    path("ledger/", views.ledger, name="ledger"),
    path("policies/", views.policies, name="policies"),
    path("policies/new/", views.policy_edit, name="policy-new"),
    path("policies/<int:year>/", views.policy_edit, name="policy-edit"),
    path("close-year/", views.close_year, name="close-year"),
]
