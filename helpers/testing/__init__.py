"""Test infrastructure of the course: drivers for real browsers and servers that the tests use."""
