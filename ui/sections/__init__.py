"""The sections of each page, one module per page (``ui/sections/<page>.py``): what a page
shows, drawn from the filters it is given. A file of ``pages/`` reads the shared filters
and calls its sections; widgets that several pages share stay in ``ui/``."""
