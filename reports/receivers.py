"""reports' answers to what the roadmaps announce (roadmaps/hooks.py): one service call each."""

from reports.services import snapshot_queue


def snapshot_after_approval(sender, *, roadmap, **_) -> None:
    snapshot_queue(roadmap=roadmap)


def snapshot_after_submission(sender, *, roadmap, report, **_) -> None:
    snapshot_queue(roadmap=roadmap, report=report)
