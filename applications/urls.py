from django.urls import path

from applications.views import shared, staff

app_name = "applications"
urlpatterns: list = []

# --- Staff, auditors, operators, agencies; public batch and lottery pages; notifications ---------
urlpatterns += [
    path("queue/", staff.queue, name="queue"),
    path("queue/approve/", staff.queue_bulk_approve, name="queue_bulk_approve"),
    path("queue/<int:pk>/approve/", staff.queue_approve, name="queue_approve"),
    path("queue/<int:pk>/reject/", staff.queue_reject, name="queue_reject"),
    path("settlements/", staff.settlements, name="settlements"),
    path("settlements/<int:pk>/", staff.settlement_detail, name="settlement_detail"),
    path("settlements/<int:pk>/pay/", staff.settlement_pay, name="settlement_pay"),
    path("settlements/<int:pk>/return/", staff.settlement_return, name="settlement_return"),
    path("settlements/<int:pk>/invoice/", shared.invoice, name="invoice"),
    path("batches/<int:pk>/", shared.batch_page, name="batch"),
    path("batches/<int:pk>/lottery/", staff.lottery_manage, name="lottery_manage"),
    path("batches/<int:pk>/lottery/announce/", staff.lottery_announce, name="lottery_announce"),
    path("batches/<int:pk>/lottery/draw/", staff.lottery_draw, name="lottery_draw"),
    path("lotteries/<int:pk>/", shared.lottery_page, name="lottery"),
    path("rosters/", staff.rosters, name="rosters"),
    path("rosters/<int:pk>/", staff.roster, name="roster"),
    path("rosters/attendance/<int:pk>/", staff.roster_attendance, name="roster_attendance"),
    path("entrusted/", staff.entrusted, name="entrusted"),
    path("notifications/", shared.notifications, name="notifications"),
    path("notifications/read/", shared.notifications_read, name="notifications_read"),
    path("notifications/read-all/", shared.notifications_read_all, name="notifications_read_all"),
]
