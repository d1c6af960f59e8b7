"""Test helpers shared across the test suite (mail building, SMTP delivery, SSE reading)."""
