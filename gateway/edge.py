"""The edge: a request is validated here once, with the contract's schema, and the service is
handed the wire form of what was loaded, the one shape every RPC carries (README "One boundary").

flask-smorest loads the input (a 422 in the contract's shape otherwise, and the schema in the
OpenAPI document); the view receives `schema.dump` of it: JSON, times as ISO-8601 strings,
defaults filled in. The service loads it once more with the same schema, as it loads any
broker client's call.
"""
import functools

import flask_smorest


class Blueprint(flask_smorest.Blueprint):
    def arguments(self, schema, **options):
        schema = schema() if isinstance(schema, type) else schema
        documented = super().arguments(schema, **options)

        def decorator(view):
            @functools.wraps(view)
            def with_wire_form(*args, **kwargs):
                *before, loaded = args  # flask-smorest appends the loaded input
                return view(*before, schema.dump(loaded), **kwargs)
            return documented(with_wire_form)
        return decorator
