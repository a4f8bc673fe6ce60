"""Development only: the benchmarks of `make bench`, their baselines (django-import-export resources
the fast imports are compared with) and the bench settings and URLs. Installed only by
`bench.settings`; nothing in the product imports it, and the Docker image leaves it out."""
