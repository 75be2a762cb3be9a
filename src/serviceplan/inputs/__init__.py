"""Inputs: the month's deliveries as the city receives them, checked against a contract per dataset and turned into
canonical tables (``canonical``); the StatFin client (``pxweb``, ``jsonstat``), the plan's own data (``plan``) and
the demo dataset (``demo``). Nothing downstream reads a raw file."""
