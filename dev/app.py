"""The development gateway: the production one (gateway.app.create_app), plus the demo pages
when DEMO=1. dev/processes.py starts it in place of the Procfile's gateway when DEMO=1."""

import os

from gateway.app import create_app as create_gateway

from . import demo


def create_app(settings=None):
    return create_gateway(settings, more_blueprints=[demo.blp] if os.environ.get("DEMO") == "1" else [])
