"""The fixtures tests/ and bench/ share live in testkit/fixtures.py; registering the
plugin here, at the root, gives both folders the same ones whichever is run."""
pytest_plugins = ["testkit.fixtures"]
