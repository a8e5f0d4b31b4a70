"""The baseline of the request-rate figures: a bare WSGI hello-world served by the same
gunicorn settings as the portal."""


def application(environ, start_response):
    body = b"Hello, world"
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", str(len(body)))])
    return [body]
