"""The messages that cross between the gateway and the services: HTTP bodies and queries,
RPC arguments and answers. Both sides import them from here, and only these: no service
internals (rules, stores, presenters) live here, and nothing here imports them.

The rule (README "One boundary"): the gateway validates each request once, at the edge, with
the contract's schema (flask-smorest, which also writes it into the OpenAPI document), and
hands the service the wire form of what it loaded (`schema.dump` of it: JSON, times as
ISO-8601 strings). Each service loads its RPC input once, on entry, with the same schema
(services.common.loading.load): the broker is a boundary of its own. A check that needs a
service's own knowledge (which sides take part in an event kind, whether a webhook's address
is allowed) is added by the service, in a subclass in its schemas.py. Answers are dumped once,
in the service, with the contract's answer schema (services.common.answers.Answer), and the
gateway forwards them as they came.
"""
