from __future__ import annotations

import pytest

from accounts.models import AuditEvent, Worker
from tests.dates import years_ago
from tests.factories import valid_id_number

pytestmark = pytest.mark.django_db


def test_account_page_shows_masked_contact_details(client, tree):
    worker = tree.user("worker_a1").worker
    worker.phone = "13812345678"
    worker.id_number = valid_id_number(worker.birth_date, 12)
    worker.save()
    client.force_login(tree.user("worker_a1"))
    html = client.get("/account/").content.decode()
    assert "138****5678" in html
    assert "13812345678" not in html
    assert worker.id_number not in html
    assert worker.masked_id_number in html


def test_worker_updates_contact_details_and_the_change_is_audited_without_values(client, tree):
    user = tree.user("worker_a1")
    client.force_login(user)
    id_number = valid_id_number(user.worker.birth_date, 5)
    response = client.post("/account/", {"phone": "13900001111", "id_number": id_number})
    assert response.status_code == 302
    worker = Worker.objects.get(pk=user.worker.pk)
    assert (worker.phone, worker.id_number) == ("13900001111", id_number)
    event = AuditEvent.objects.get(action="contact_updated")
    assert event.actor == user
    assert set(event.data["fields"]) == {"phone", "id_number"}
    assert "13900001111" not in str(event.data)


@pytest.mark.parametrize(
    ("data", "field_error"),
    [
        ({"phone": "12345", "id_number": ""}, "11"),
        ({"phone": "", "id_number": "339901198506151234"}, "校验位"),
        (
            {"phone": "", "id_number": valid_id_number(years_ago(36, month=1, day=1))},
            "出生日期不符",
        ),
    ],
)
def test_invalid_contact_details_are_refused_with_a_field_message(client, tree, data, field_error):
    user = tree.user("worker_a1")
    client.force_login(user)
    response = client.post("/account/", data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "invalid-feedback" in html
    assert field_error in html
    worker = Worker.objects.get(pk=user.worker.pk)
    assert (worker.phone, worker.id_number) == ("", "")
    assert not AuditEvent.objects.exists()


def test_account_page_needs_login(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_members_list_is_scoped_and_masked(client, tree):
    worker = tree.user("worker_b1").worker
    worker.phone = "13812345678"
    worker.save()
    client.force_login(tree.user("organizer_a1"))
    html = client.get("/account/members/").content.decode()
    assert "张三" in html and "李四" not in html
    client.force_login(tree.user("county_b_staff"))
    html = client.get("/account/members/").content.decode()
    assert "李四" in html and "张三" not in html
    assert "138****5678" in html and "13812345678" not in html
    client.force_login(tree.user("city_staff"))
    html = client.get("/account/members/?q=张").content.decode()
    assert "张三" in html and "李四" not in html


@pytest.mark.parametrize("role", ["worker_a1", "operator", "agency", "outsider"])
def test_members_list_is_refused_to_roles_without_members(client, tree, role):
    client.force_login(tree.user(role))
    assert client.get("/account/members/").status_code == 403


def test_blank_contact_fields_keep_the_stored_values(client, tree):
    user = tree.user("worker_a1")
    Worker.objects.filter(pk=user.worker.pk).update(phone="13812345678")
    client.force_login(user)
    id_number = valid_id_number(user.worker.birth_date, 9)
    assert client.post("/account/", {"phone": "", "id_number": id_number}).status_code == 302
    worker = Worker.objects.get(pk=user.worker.pk)
    assert (worker.phone, worker.id_number) == ("13812345678", id_number)
    assert AuditEvent.objects.get().data == {"fields": ["id_number"]}


def test_an_id_number_already_used_by_someone_else_is_refused(client, tree):
    other = tree.user("worker_b1").worker
    other.id_number = valid_id_number(other.birth_date, 3)
    other.save()
    client.force_login(tree.user("worker_a1"))
    response = client.post("/account/", {"phone": "", "id_number": other.id_number})
    assert response.status_code == 200
    assert "invalid-feedback" in response.content.decode()
    assert Worker.objects.get(pk=tree.user("worker_a1").worker.pk).id_number == ""
