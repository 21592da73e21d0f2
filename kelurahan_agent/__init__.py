"""kelurahan-agent: the office agent. It checks the office camera on its own schedule with the
product's pure planner and check pipeline, queues every result locally, and forwards the queue
to the server whenever a link is up. No Django, no database server, no broker on the box."""

__version__ = "0.1.0"
