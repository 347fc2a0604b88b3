"""The fault and load programs (bin/fault, bin/load) and the throw-away stack they run on.
CI runs their short forms from tests/reliability/test_fault_short.py and test_load_short.py."""
