"""Pacer: an open-source OKR system."""

__version__ = "0.1.0"
