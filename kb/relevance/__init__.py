"""Search relevance measurement: the labelled set, a distractor knowledge base and the metrics (`eval_search`)."""
