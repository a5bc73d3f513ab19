"""mask_secrets hides passwords, tokens and webhook paths, and leaves ordinary text alone."""

from __future__ import annotations

import string

from hypothesis import given
from hypothesis import strategies as st

from dbguard.redact import mask_secrets, mask_url

SECRET_ALPHABET = string.ascii_letters + string.digits + "-_.~!$*+"


def test_password_in_database_url_is_masked() -> None:
    assert (
        mask_secrets("postgresql://bob:s3cr3t@db.example.com:5432/app")
        == "postgresql://bob:****@db.example.com:5432/app"
    )


def test_password_with_an_unencoded_at_sign_is_masked_whole() -> None:
    # urllib takes everything up to the last @ before the host as the password.
    assert mask_secrets("https://ops:p@ss@app.example.com/health") == (
        "https://ops:****@app.example.com/health"
    )


def test_token_in_webhook_query_is_masked_and_other_parameters_kept() -> None:
    masked = mask_secrets("POST https://hooks.example.com/x?token=abc123&room=ops failed")
    assert masked == "POST https://hooks.example.com/x?token=****&room=ops failed"


def test_slack_webhook_path_token_is_masked() -> None:
    masked = mask_secrets("https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX")
    assert "XXXXXXXXXXXX" not in masked and masked.startswith("https://hooks.slack.com/services/")


def test_assigned_password_in_free_text_is_masked() -> None:
    assert mask_secrets("DB_PASSWORD=hunter2 PORT=5432") == "DB_PASSWORD=**** PORT=5432"


def test_literal_configured_secret_is_masked_anywhere() -> None:
    webhook = "https://chat.example.com/incoming/abcdef123456"
    masked = mask_secrets(f"sent to {webhook}.", [webhook])
    assert "abcdef123456" not in masked and "chat.example.com" in masked


def test_ordinary_paths_and_settings_are_left_alone() -> None:
    for text in (
        "/work/main/demo/db.sqlite3",
        "file:/tmp/db.sqlite3?mode=ro",
        "keep_within = 30d",
        "a monkey: banana",
        "https://example.com/page?page=2",
        "tokenizer=1",
    ):
        assert mask_secrets(text) == text


def test_mask_url_keeps_only_scheme_and_host() -> None:
    assert mask_url("https://user:pw@hooks.example.com:8443/a/b?token=x") == (
        "https://hooks.example.com:8443/****?****"
    )


@given(
    user=st.text(string.ascii_lowercase, min_size=1, max_size=8),
    password=st.text(SECRET_ALPHABET, min_size=6, max_size=30),
    prefix=st.text(string.ascii_letters + " :=", max_size=20),
)
def test_no_url_password_survives_masking(user: str, password: str, prefix: str) -> None:
    text = f"{prefix} sqlite+pysqlite://{user}:{password}@db.internal/app"
    masked = mask_secrets(text)
    assert masked.endswith(f"sqlite+pysqlite://{user}:****@db.internal/app")


@given(token=st.text(SECRET_ALPHABET.replace("&", ""), min_size=8, max_size=40))
def test_no_query_token_survives_masking(token: str) -> None:
    masked = mask_secrets(f"https://hooks.example.com/notify?room=1&access_token={token}")
    assert token not in masked
