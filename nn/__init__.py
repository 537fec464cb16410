"""tinygrad_edu.nn: modules, losses, optimizers."""
