import os

from hypothesis import settings


# The machines are shared and noisy: a time limit per example only measures
# the neighbours. Under CI, examples are derived from each test's name, so
# that a run never depends on a random draw; locally, they are random.
settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")
