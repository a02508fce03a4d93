"""The compact understanding tier: a small linear model the C++ core runs before ONNX Runtime has arrived.

A separate package (not files in scripts/train_lib/) so that the main model's fingerprint, which covers
scripts/train_lib/*.py, does not change when this one does. `scripts/train-compact` is its command line.
"""
