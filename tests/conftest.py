import os
import sys
from pathlib import Path

# `check` leaves its zygote waiting for the next check; tests that want that say so (test_check_linger).
os.environ["AUTOGRADER_CHECK_LINGER"] = "0"

sys.path.insert(0, str(Path(__file__).resolve().parent))
