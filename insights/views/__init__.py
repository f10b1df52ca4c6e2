"""Console views of the insights app, one module per screen."""
