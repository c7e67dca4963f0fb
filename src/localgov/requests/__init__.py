"""Citizens' requests and the lifecycle engine that moves them."""
