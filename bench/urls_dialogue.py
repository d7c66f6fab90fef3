"""The project's URLs, with the thread page's size taken from BENCH_POSTS_PER_PAGE.

Only for bench/settings_dialogue.py: production keeps dialogue/views/threads.py's own
POSTS_PER_PAGE. The view reads the module constant at each request, so setting it here,
once the URLconf is loaded, changes the page size and nothing else.
"""

from __future__ import annotations

import os

from alongside.dialogue.views import threads as dialogue_views
from alongside.urls import urlpatterns as project_urlpatterns

if os.environ.get("BENCH_POSTS_PER_PAGE"):
    dialogue_views.POSTS_PER_PAGE = int(os.environ["BENCH_POSTS_PER_PAGE"])

urlpatterns = list(project_urlpatterns)
