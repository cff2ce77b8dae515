"""The portal's own pages: the public front page, each role's home page, the audit log and
the main menu (URL names ``core:…``, kept from when they lived in core).

These pages put together what every app shows, so this package sits above all the apps
(tests/test_architecture.py): it may import any of them, and none imports it. ``core`` keeps
only the helpers the apps share.
"""
