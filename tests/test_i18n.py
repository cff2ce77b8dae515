"""Django 6.1 added messages its Russian catalogue does not translate yet; ours does (locale/ru)."""

import re
from pathlib import Path

from django.conf import settings
from django.db.models.fields import BLANK_CHOICE_LABEL
from django.utils import translation

PO = Path(settings.BASE_DIR) / "locale" / "ru" / "LC_MESSAGES" / "django.po"


def test_the_blank_choice_of_a_form_is_in_russian():
    with translation.override("ru"):
        assert str(BLANK_CHOICE_LABEL) == "— выберите —"


def test_every_message_of_our_catalogue_is_compiled_into_the_mo():
    pairs = re.findall(r'^msgid "(.+)"\nmsgstr "(.+)"$', PO.read_text(encoding="utf-8"), flags=re.MULTILINE)

    assert pairs
    with translation.override("ru"):
        for msgid, msgstr in pairs:
            assert translation.gettext(msgid) == msgstr, f"{msgid}: run msgfmt on {PO.name}"
