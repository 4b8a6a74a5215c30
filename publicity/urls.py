from __future__ import annotations

from django.urls import path

from publicity.views import manage, public

app_name = "publicity"
urlpatterns = [
    # Public (no login): articles, the subsidy policy, the fund-use disclosure (DESIGN §5).
    path("publicity/", public.article_list, name="list"),
    path("publicity/<int:pk>/", public.article_detail, name="detail"),
    path("policy/", public.policy, name="policy"),
    path("disclosure/", public.disclosure, name="disclosure"),
    # Federation staff (auditors read only).
    path("publicity/manage/", manage.manage, name="manage"),
    path("publicity/manage/new/", manage.article_new, name="new"),
    path("publicity/manage/<int:pk>/edit/", manage.article_edit, name="edit"),
    path("publicity/manage/<int:pk>/publish/", manage.article_publish, name="publish"),
    path("publicity/manage/<int:pk>/withdraw/", manage.article_withdraw, name="withdraw"),
]
