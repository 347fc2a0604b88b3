"""Signals an upper layer sends and a lower one listens to, so that neither imports the
other's internals. Kept free of Django REST Framework so that models may import it."""
from django.dispatch import Signal

# After a CSV export is written (core/api/base.py CsvExportMixin), with request,
# model_label, file, rows and filters: who took which rows out of Concert. The audit
# log listens (accounts/audit.py).
rows_exported = Signal()
