"""The test suite; ``tests.support`` holds what tests, benchmarks and scripts share."""
