import sys
from pathlib import Path

# The example is tested from the sindri repository without installing it.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))
