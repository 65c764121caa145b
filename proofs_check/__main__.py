"""``python -m proofs_check ARGS`` is ``proofs-check ARGS``."""
import sys

from proofs_check.cli import main

if __name__ == "__main__":
    sys.exit(main())
