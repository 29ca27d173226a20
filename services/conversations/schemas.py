"""The conversations service's boundary is the shared contract (services/contracts/
conversations.py), loaded once on entry with services.common.loading.load; nothing here adds
to it. Kept so the service's modules read `schemas.X` as before."""
from services.common.loading import load  # noqa: F401
from services.contracts.conversations import *  # noqa: F401,F403
