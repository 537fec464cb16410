"""tinygrad_edu.visualize: Graphviz pictures of computation graphs."""
