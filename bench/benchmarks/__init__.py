"""The measures, one module per area; importing a module registers its measures
(`bench.measure.benchmark`)."""
