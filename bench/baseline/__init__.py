"""A bench-only app: the baseline the campaign signing endpoint is compared with.

Installed only by bench/settings_campaigns.py, never by alongside/settings.py.
"""
