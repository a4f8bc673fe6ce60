"""Forms of the children registry, by noun: `registry`, `care`, `support`, `incidents`, `imports`."""
