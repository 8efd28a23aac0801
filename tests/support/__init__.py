"""Helpers shared by the tests of more than one folder: data factories, people, strategies, servers.

A test module imports shared helpers from here only, never from another folder's test module or conftest
(tests/architecture/test_test_layout.py holds it).
"""
