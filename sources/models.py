"""Feeds, the reports polled from them, and their links to timeline events."""
