"""What the roadmaps announce to the apps above them (tests/test_architecture.py).

The reports app listens (reports/apps.py): it freezes a PDF of a roadmap as approved and of a
progress report as submitted. Sent inside the writing transaction; the listener queues its
work on commit.
"""

from django.dispatch import Signal

# A roadmap or programme was approved. Keyword argument: roadmap.
roadmap_approved = Signal()
# A progress report was submitted. Keyword arguments: roadmap, report.
progress_report_submitted = Signal()
