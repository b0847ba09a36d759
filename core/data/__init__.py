"""The datasets the lecture shows: toy 2-D sets, images and text, each loaded offline first."""
from core.data.sources import DataUnavailable

__all__ = ["DataUnavailable"]
