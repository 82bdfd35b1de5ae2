import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pacer.settings")
application = get_wsgi_application()

from pacer.startup import freeze_startup_heap  # noqa: E402 (needs the settings above)

freeze_startup_heap()
