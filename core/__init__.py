"""What every app of Concert uses and no app owns: domain errors and roles.

The bottom layer (.importlinter): it imports nothing of the project, so accounts,
coordination and alerts can all lean on it without reaching into a sibling.
"""
