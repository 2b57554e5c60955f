"""The PICS: what the CSMS under test claims, and the test data its operator provisions."""

from octt.pics.model import Pics, Profile, load_pics

__all__ = ["Pics", "Profile", "load_pics"]
