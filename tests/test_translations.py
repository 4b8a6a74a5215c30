"""The zh-hans catalogue is complete, keeps every placeholder, and the committed .mo is compiled from it."""

from __future__ import annotations

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.utils import translation

LC_MESSAGES = Path(__file__).resolve().parent.parent / "locale" / "zh_Hans" / "LC_MESSAGES"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def parse_po(path: Path) -> list[dict]:
    """Entries of a PO file: msgctxt/msgid/msgid_plural/msgstr[n] texts and the set of flags."""
    entries: list[dict] = []
    entry: dict = {}
    key = ""
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if "msgid" in entry:
                entries.append(entry)
            entry, key = {}, ""
            continue
        if line.startswith("#~"):  # obsolete entries are not part of the catalogue
            entry["obsolete"] = True
            continue
        if line.startswith("#,"):
            entry.setdefault("flags", set()).update(f.strip() for f in line[2:].split(","))
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            entry[key] += ast.literal_eval(line)
            continue
        key, _, text = line.partition(" ")
        entry[key] = ast.literal_eval(text)
    return [e for e in entries if not e.get("obsolete")]


def translations(entry: dict) -> list[str]:
    return [v for k, v in entry.items() if k.startswith("msgstr")]


ENTRIES = parse_po(LC_MESSAGES / "django.po")
MESSAGES = [e for e in ENTRIES if e["msgid"]]  # all but the header


def label(entry: dict) -> str:
    return (entry.get("msgctxt", "") + "\x04" if "msgctxt" in entry else "") + entry["msgid"]


def test_the_catalogue_has_a_header_and_messages():
    assert ENTRIES[0]["msgid"] == "" and "nplurals=1; plural=0;" in ENTRIES[0]["msgstr"]
    assert len(MESSAGES) > 1000


def test_no_message_is_untranslated_or_fuzzy():
    untranslated = [label(e) for e in MESSAGES if not all(translations(e))]
    fuzzy = [label(e) for e in ENTRIES if "fuzzy" in e.get("flags", set())]
    assert untranslated == []
    assert fuzzy == []


def test_every_translation_keeps_the_placeholders():
    wrong = []
    for e in MESSAGES:
        expected = sorted(set(PLACEHOLDER.findall(e["msgid"].replace("%%", ""))))
        for text in translations(e):
            if sorted(set(PLACEHOLDER.findall(text.replace("%%", "")))) != expected:
                wrong.append((label(e), text))
    assert wrong == []


def test_the_committed_mo_is_compiled_from_the_po():
    with open(LC_MESSAGES / "django.mo", "rb") as f:
        catalogue = gettext.GNUTranslations(f)
    stale = []
    for e in MESSAGES:
        if "msgid_plural" in e:
            got = (
                catalogue.npgettext(e["msgctxt"], e["msgid"], e["msgid_plural"], 1)
                if "msgctxt" in e
                else catalogue.ngettext(e["msgid"], e["msgid_plural"], 1)
            )
            want = e["msgstr[0]"]
        else:
            got = (
                catalogue.pgettext(e["msgctxt"], e["msgid"])
                if "msgctxt" in e
                else catalogue.gettext(e["msgid"])
            )
            want = e["msgstr"]
        if got != want:
            stale.append(label(e))
    assert stale == []


@pytest.mark.parametrize(
    ("lang", "application", "base"),
    [("zh-hans", "已批准", "已审定"), ("en", "Approved", "Approved")],
)
def test_an_approved_application_and_an_approved_base_read_differently(lang, application, base):
    from applications.models import Status
    from bases.models import BaseStatus

    with translation.override(lang):
        assert str(Status.APPROVED.label) == application
        assert str(BaseStatus.APPROVED.label) == base
        assert str(Status.SUBMITTED.label) == ("已提交" if lang == "zh-hans" else "Submitted")


@pytest.mark.parametrize(
    ("lang", "themes", "roster_help"),
    [
        ("zh-hans", "主题", "不超过 2 MB，请按模板填写。"),
        ("en", "Themes", "At most 2 MB, filled in from the template."),
    ],
)
def test_form_texts_built_at_import_follow_the_language_of_the_request(lang, themes, roster_help):
    # Labels and help texts of form classes are built once, at import: they must stay lazy.
    from applications.forms import RosterUploadForm
    from bases.forms import BaseForm

    with translation.override(lang):
        assert str(BaseForm.base_fields["themes"].label) == themes
        assert str(RosterUploadForm.base_fields["file"].help_text) == roster_help
