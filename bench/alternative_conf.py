"""gunicorn settings of the single-process alternative (bench/alternative.py): the gateway's own,
whatever they become (workers, threads, keep-alive, logs), so the two are served alike; only
the address differs, 127.0.0.1:$ALTERNATIVE_PORT."""

import os

from gateway.gunicorn_conf import *  # noqa: F403  (every setting the gateway runs with)

bind = f"127.0.0.1:{os.environ['ALTERNATIVE_PORT']}"
