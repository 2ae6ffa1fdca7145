"""The HTTP service (Litestar app, controllers, wire schemas, settings, errors) and the `llt` CLI."""
