"""The bench: load tests and the synthetic data they run on (bench/README.md). Development tooling
beside the application, not part of the runtime package `caseapp`."""
