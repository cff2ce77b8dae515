"""Figures of the teachers app for the school card (the department's home: teachers/home.py).

An inclusion tag keeps the shared views untouched: the pages include one line each.
The figures carry no names, so every reader of the school sees them.
"""

from django import template

from schools.models import AcademicYear, School
from schools.scopes import schools_for
from teachers import selectors

register = template.Library()


@register.inclusion_tag("teachers/_school_card.html", takes_context=True)
def school_teacher_figures(context, school: School) -> dict:
    user = context["request"].user
    year = AcademicYear.current()
    # The school came through the page's scoped fetch; the figures are scoped again all the same.
    schools = schools_for(user).filter(pk=school.pk)
    return {
        "school": school,
        "year": year,
        "figures": selectors.teacher_figures(schools=schools, year=year),
        "may_read_names": selectors.name_schools_for(user).filter(pk=school.pk).exists(),
    }
