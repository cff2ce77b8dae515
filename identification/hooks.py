"""What identification announces to the apps above it, and what it asks them (tests/test_architecture.py).

Identification sits below risks, roadmaps, partnerships and teachers, so it never imports them:
they connect here in their ``AppConfig.ready``.

* ``recompute_after_import_done`` — a recompute that an import set off is done and its claim was
  won (identification.followups.recompute_followups). Sent inside the transaction that writes
  the draft runs, so a listener's job rows land with them or not at all. Keyword arguments:
  ``recompute`` and ``municipality_years`` (municipality id → year ids it touched). Each
  listener returns the ids of the job rows it wrote. Risks listens: signals and risk profiles.
* ``import_changes_found`` — «что изменилось» after an import (identification.selectors.import_changes)
  asks for what else appeared with the refresh. Keyword arguments: ``municipalities``,
  ``year_ids``, ``since``. Each listener returns ``(key, list)``; the notice carries it under
  ``key``. Risks answers with the new objectivity signals (``"signals"``).
* ``programme_measures`` — the programme's own indicators (identification.selectors.programme_kpis):
  of the given schools, which have the app's measure in a year. Keyword arguments: ``school_ids``
  (a set) and ``year``. Each listener returns ``(key, set of school ids)``: roadmaps
  (``with_programme``), partnerships (``with_partner``), teachers (``with_kpk``).
"""

from django.dispatch import Signal

recompute_after_import_done = Signal()
import_changes_found = Signal()
programme_measures = Signal()


def answers(signal: Signal, **kwargs) -> dict:
    """The listeners' ``(key, value)`` answers to ``signal`` as one dict, in the order they connected."""
    return dict(response for _receiver, response in signal.send(sender=None, **kwargs))
