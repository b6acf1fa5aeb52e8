"""The web interface: HTML pages at the resources' own URLs (content negotiation), the
curator workbench, and the offline API docs. Pages are server-rendered Jinja2
templates (``api/templates``) that work without JavaScript; the small modules in
``api/static/js`` enhance them."""
