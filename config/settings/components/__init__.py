"""Settings components, not modules to import: config/settings/__init__.py runs them in order."""
