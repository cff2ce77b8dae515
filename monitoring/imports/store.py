"""Stage 1: store the upload and queue its processing."""

from __future__ import annotations

import hashlib
from typing import IO

from django.core.files.base import ContentFile

from accounts.models import Role, User
from core.jobs.services import job_enqueue
from core.tabular import read_upload
from monitoring.imports.permissions import UPLOAD_NOT_ALLOWED, ImportRefused, can_upload_results
from monitoring.models import ImportJob, Subject
from schools.models import Municipality, School

FORM_SCHOOL_OUT_OF_SCOPE = "Выбранная школа вне вашей области: загружать можно только результаты своих школ."
MUNICIPALITY_NOT_YOURS = "Этот муниципалитет вне ваших прав: загружать можно только данные своих школ."


def results_import_create(
    *,
    user: User | None,
    uploaded_file: IO[bytes],
    original_name: str,
    queue: bool = True,
    form_school: School | None = None,
    form_subject: Subject | None = None,
    form_grade: int | None = None,
    own_municipality_only: bool = False,
    municipality: Municipality | None = None,
) -> ImportJob:
    """Store the upload under a name of our own and queue its processing after commit.

    ``queue=False`` leaves the job for the caller to run (``manage.py import_results``).

    The job's scope is taken from the user: a department's job may touch only its
    municipality's schools, a director's job only their own school; a job without a user
    (``manage.py import_results`` with no ``--user``) is an operator's and may touch any.

    ``form_school``, ``form_subject``, ``form_grade``: what a school's ВПР collection form does
    not say (monitoring.formats.school_form), chosen in the upload form; the school must be in
    the uploader's scope.
    ``municipality`` narrows an operator's or the region role's job to one municipality (the
    command's ``--municipality``); ``own_municipality_only``: a department's region-wide file,
    whose other municipalities' rows are skipped on purpose (monitoring.imports.names).
    """
    data, kind = read_upload(uploaded_file, original_name)
    job = ImportJob(original_name=original_name[:255], file_kind=kind, sha256=hashlib.sha256(data).hexdigest())
    if user is not None:
        if not user.is_superuser and not can_upload_results(user):
            raise ImportRefused(UPLOAD_NOT_ALLOWED)
        job.uploaded_by = user
        if not user.is_superuser:
            if user.role == Role.DIRECTOR:
                school = user.school
                assert school is not None  # can_upload_results: a director has a school  # nosec B101
                job.school = school
                job.municipality_id = school.municipality_id
            elif user.role == Role.REGION:
                if municipality is not None and municipality.region_id != user.region_id:
                    raise ImportRefused(MUNICIPALITY_NOT_YOURS)
                job.municipality = municipality
            else:
                job.municipality_id = user.municipality_id
                if municipality is not None and municipality.pk != user.municipality_id:
                    raise ImportRefused(MUNICIPALITY_NOT_YOURS)
    elif municipality is not None:
        job.municipality = municipality
    job.own_municipality_only = own_municipality_only and job.municipality_id is not None
    in_scope = form_school is None or user is None or user.is_superuser
    if not in_scope and form_school is not None:
        in_scope = form_school.municipality_id == job.municipality_id and job.school_id in (None, form_school.pk)
    if not in_scope:
        raise ImportRefused(FORM_SCHOOL_OUT_OF_SCOPE)
    job.form_school, job.form_subject, job.form_grade = form_school, form_subject, form_grade
    job.file.save(f"upload.{kind}", ContentFile(data), save=False)
    job.save()
    if queue:
        job_enqueue(job)
    return job
