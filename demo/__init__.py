"""The demo: seed data for every app, the demo mailbox. Installed only when settings.DEMO is on (`make demo`)."""
