"""people's part of pages owned by apps below it (the registry's school card).

The registry (schools) sits below people (tests/test_architecture.py): its page names this tag,
and the tag decides through people's own rules whether the user may assign curators here.
"""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from accounts.models import Role
from people.rules import managed_roles, schools_for_people

register = template.Library()


@register.simple_tag(takes_context=True)
def curator_assign_link(context, school):
    """«закрепить» next to a school's curators, for those who may assign curators to this school."""
    user = context["request"].user
    if Role.CURATOR not in managed_roles(user) or not schools_for_people(user).filter(pk=school.pk).exists():
        return ""
    url = f"{reverse('people:curators')}?m={school.municipality_id}"
    return format_html(' <a class="small ms-1" href="{}">закрепить</a>', url)
