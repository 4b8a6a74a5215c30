from django.urls import path

from applications.views import organizer, shared, staff, worker

app_name = "applications"
urlpatterns: list = [
    # Workers (the application page also serves organizers and staff in scope)
    path("apply/<int:batch_id>/", worker.apply, name="apply"),
    path("mine/", worker.mine, name="mine"),
    path("<int:pk>/", worker.detail, name="detail"),
    path("<int:pk>/withdraw/", worker.withdraw, name="withdraw"),
    path("<int:pk>/review/", worker.review, name="review"),
    # Organizers: their union's applications and members
    path("<int:pk>/endorse/", organizer.endorse, name="endorse"),
    path("<int:pk>/reject/", organizer.reject, name="reject"),
    path("<int:pk>/attendance/", organizer.attendance, name="attendance"),
    path("union/", organizer.union, name="union"),
    path("union/endorse/", organizer.union_endorse, name="union_endorse"),
    path("members/", organizer.members, name="members"),
    # Group trips, joint groups, the open-seats board, roster import, settlement
    path("groups/", organizer.groups, name="groups"),
    path("groups/new/", organizer.group_new, name="group_new"),
    path("groups/board/", organizer.board, name="board"),
    path("groups/<int:pk>/", organizer.group_detail, name="group_detail"),
    path("groups/<int:pk>/join/", organizer.board_join, name="board_join"),
    path("groups/<int:pk>/members/add/", organizer.group_add_member, name="group_add_member"),
    path(
        "groups/<int:pk>/members/<int:application_id>/remove/",
        organizer.group_remove_member,
        name="group_remove_member",
    ),
    path("groups/<int:pk>/endorse/", organizer.group_endorse, name="group_endorse"),
    path("groups/<int:pk>/resize/", organizer.group_resize, name="group_resize"),
    path("groups/<int:pk>/invite/", organizer.group_invite, name="group_invite"),
    path("groups/<int:pk>/respond/", organizer.group_respond, name="group_respond"),
    path("groups/<int:pk>/entrust/", organizer.group_entrust, name="group_entrust"),
    path("groups/<int:pk>/cancel/", organizer.group_cancel, name="group_cancel"),
    path("groups/<int:pk>/import/", organizer.group_import, name="group_import"),
    path(
        "groups/<int:pk>/import/template/",
        organizer.group_import_template,
        name="group_import_template",
    ),
    path(
        "groups/<int:pk>/import/<int:import_id>/",
        organizer.group_import_detail,
        name="group_import_detail",
    ),
    path(
        "groups/<int:pk>/import/<int:import_id>/status/",
        organizer.group_import_status,
        name="group_import_status",
    ),
    path("groups/<int:pk>/settlement/", organizer.group_settlement, name="group_settlement"),
    path("groups/<int:pk>/attendance/", organizer.group_attendance, name="group_attendance"),
]

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
