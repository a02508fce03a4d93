"""Helper modules of scripts/train."""
