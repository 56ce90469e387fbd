"""The one rate limiter lives in privacy (the lowest app that needs one); this name stays for its callers."""

from privacy.throttle import allow, client_ip

__all__ = ["allow", "client_ip"]
