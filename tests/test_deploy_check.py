import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_check_deploy_passes_with_production_settings(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "a-long-random-production-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "SUBSCRIPTIONS_SUPPRESSION_KEY": "another-long-random-key-for-the-suppression-list-0123456789",
        "PRIVACY_AD_FEED_HASH_KEY": "a-third-long-random-key-for-the-ad-partner-feed-0123456789",
        "SITE_URL": "https://shop.example.com",
        "ALLOWED_HOSTS": "shop.example.com",
        "VAR_DIR": str(tmp_path),
        "ANYMAIL_WEBHOOK_SECRET": "webhook-user:Zq8XvT2mN7pL4kR9sW3yB6cD",
    }
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set by the browser tests in this process, never in production
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues (0 silenced)" in result.stdout
