"""catalog_context: what a thread is about, and whose it is.

It keeps the products, orders and vendors the storefront pushes (or that are pulled from its
REST API) and resolves an object to its vendor and to the context a thread page shows.
"""
