from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from accounts.api import MeView, OrganizationViewSet, TokenView
from portal.views import healthz
from recuperation.media import public_media

router = DefaultRouter()
router.register("orgs", OrganizationViewSet, basename="org")

api_urlpatterns = [
    path("auth/token/", TokenView.as_view(), name="api-token"),
    path("me/", MeView.as_view(), name="api-me"),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("portal.api_urls")),
    path("", include("bases.api_urls")),
    path("", include("applications.api_urls")),
    path("funds/", include("funds.api_urls")),
    path("", include("publicity.api_urls")),
    path("", include(router.urls)),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Public uploads, DEBUG or not (a web server in front may serve the folder itself).
    re_path(r"^media/(?P<path>.+)$", public_media, name="media"),
    path("api/v1/", include(api_urlpatterns)),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(success_url="/account/"),
        name="password_change",
    ),
    path("account/", include("accounts.urls")),
    path("bases/", include("portal.catalogue.urls")),  # the priced catalogue, then bases' pages
    path("bases/", include("bases.urls")),
    path("applications/", include("applications.urls")),
    path("funds/", include("funds.urls")),
    path("", include("publicity.urls")),
    path("", include("portal.urls")),
]
handler400 = "recuperation.api.bad_request"
handler404 = "recuperation.api.not_found"
