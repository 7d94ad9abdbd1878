from .base import *  # noqa: F401,F403
from .base import env_bool, mail_settings

DEBUG = env_bool("DEBUG", True)
globals().update(mail_settings("django.core.mail.backends.console.EmailBackend"))
