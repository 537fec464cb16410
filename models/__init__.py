"""tinygrad_edu.models: the lecture's models as small graphs."""
