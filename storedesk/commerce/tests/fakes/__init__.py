"""Local HTTP servers that speak the documented subset of the store platforms' APIs."""
