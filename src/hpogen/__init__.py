"""hpogen: deterministic SMAC3 setups from dataset facts."""

__version__ = "0.1.0"
