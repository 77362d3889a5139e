"""Published formats of third-party credentials, as data. Pure, no I/O.

Our own table rather than a library's: detect-secrets 1.5.0 (Yelp, Apache-2.0, last release May 2024)
was evaluated. Its plugins are line scanners that yield findings, not spans to mask; they run under
process-wide settings, took about 35 ms per assistant on our fixtures (350 s for 10,000 assistants),
flagged thousands of harmless strings with the default entropy plugins, and miss formats our users
paste (Anthropic, Groq, Hugging Face, Google ``AIza``/``ya29.``, Slack ``xapp-``, Stripe ``whsec_``).
Its plugin list and gitleaks' rule names served as a checklist; every regex below is written here from
the provider's own documentation of its key format (the source is named on each entry).

Every pattern is linear on hostile input: it is compiled behind a lookbehind that lets a match start
only where a run of token characters starts, and each pattern is a literal prefix followed by bounded
or open character runs with no condition after an open run that could fail and make the engine retry.
Lengths are lower bounds (``{20,}``), so a key longer than documented is masked whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class KeyFormat:
    """A credential format: what it is, its regex (without anchors) and where the format is documented."""

    name: str
    pattern: str
    source: str


KEY_FORMATS: tuple[KeyFormat, ...] = (
    # --- LLM, speech and AI providers (the keys a voice-assistant configuration most often holds) ---
    KeyFormat(
        "OpenAI, Anthropic, DeepSeek, OpenRouter API key",
        r"sk-[A-Za-z0-9_\-]{16,}",
        "OpenAI API reference (sk-, sk-proj-, sk-svcacct-, sk-admin-); Anthropic docs (sk-ant-api03-, "
        "sk-ant-admin01-); OpenRouter docs (sk-or-v1-)",
    ),
    KeyFormat(
        "Stripe, ElevenLabs, Cartesia secret key (sk_...)",
        r"sk_[A-Za-z0-9_]{16,}",
        "Stripe docs 'API keys' (sk_live_, sk_test_); ElevenLabs API keys (sk_ + 48 hex); Cartesia (sk_car_)",
    ),
    KeyFormat("Stripe restricted or publishable key", r"[rp]k_(?:live|test)_[A-Za-z0-9]{10,}", "Stripe docs"),
    KeyFormat("Stripe webhook signing secret", r"whsec_[A-Za-z0-9+/=]{16,}", "Stripe docs 'Check webhook signatures'"),
    KeyFormat("Groq API key", r"gsk_[A-Za-z0-9]{20,}", "Groq console (keys start with gsk_)"),
    KeyFormat("Hugging Face token", r"(?:hf_|api_org_)[A-Za-z0-9]{20,}", "Hugging Face docs 'User access tokens'"),
    KeyFormat("Together AI key", r"tgp_v1_[A-Za-z0-9_\-]{16,}", "Together AI API keys (tgp_v1_)"),
    KeyFormat("xAI API key", r"xai-[A-Za-z0-9]{20,}", "xAI console (xai-)"),
    KeyFormat("Perplexity API key", r"pplx-[A-Za-z0-9]{20,}", "Perplexity API docs (pplx-)"),
    KeyFormat("Replicate API token", r"r8_[A-Za-z0-9]{20,}", "Replicate docs (r8_)"),
    KeyFormat("Fireworks AI key", r"fw_[A-Za-z0-9]{20,}", "Fireworks AI docs (fw_)"),
    KeyFormat("LangSmith key", r"lsv2_(?:pt|sk)_[A-Za-z0-9_]{20,}", "LangSmith docs (lsv2_pt_, lsv2_sk_)"),
    KeyFormat("Pinecone key", r"pcsk_[A-Za-z0-9_]{20,}", "Pinecone docs (pcsk_)"),
    # --- Google ---
    KeyFormat("Google API key", r"AIza[0-9A-Za-z_\-]{30,}", "Google Cloud docs 'API keys' (AIza + 35 characters)"),
    KeyFormat("Google OAuth access token", r"ya29\.[0-9A-Za-z_\-.]{20,}", "Google OAuth 2.0 docs (ya29.)"),
    KeyFormat("Google OAuth refresh token", r"1//0[0-9A-Za-z_\-]{30,}", "Google OAuth 2.0 docs (1//0...)"),
    KeyFormat("Google OAuth client secret", r"GOCSPX-[0-9A-Za-z_\-]{20,}", "Google Cloud console (GOCSPX-)"),
    # --- messaging, telephony, e-mail ---
    KeyFormat("Twilio API key SID", r"SK[0-9a-fA-F]{32,}", "Twilio docs 'API keys' (SK + 32 hex)"),
    KeyFormat("Telnyx API key", r"KEY[0-9A-F]{32}_[A-Za-z0-9]{20,}", "Telnyx portal API keys (KEY...)"),
    KeyFormat("SendGrid API key", r"SG\.[A-Za-z0-9_\-]{16,}\.[A-Za-z0-9_\-]{16,}", "Twilio SendGrid docs (SG.x.y)"),
    KeyFormat(
        "Slack token",
        r"xox[abposre]-[A-Za-z0-9\-]{10,}|xoxe\.xox[bp]-[A-Za-z0-9\-]{10,}|xapp-[0-9]+-[A-Za-z0-9\-]{10,}",
        "Slack docs 'Token types' (xoxb-, xoxp-, xoxa-, xoxe-, app-level xapp-)",
    ),
    KeyFormat(
        "Discord bot token",
        r"[MNO][A-Za-z0-9_\-]{23,27}\.[A-Za-z0-9_\-]{6}\.[A-Za-z0-9_\-]{27,}",
        "Discord developer docs (three base64url parts)",
    ),
    KeyFormat("Mailgun API key", r"key-[0-9a-f]{32}", "Mailgun docs (key- + 32 hex)"),
    KeyFormat("Mailchimp API key", r"[0-9a-f]{32}-us[0-9]{1,2}", "Mailchimp docs (32 hex + data-centre suffix)"),
    KeyFormat("Resend API key", r"re_[A-Za-z0-9_]{20,}", "Resend docs (re_)"),
    KeyFormat("Postman API key", r"PMAK-[a-f0-9]{24}-[a-f0-9]{30,}", "Postman docs (PMAK-)"),
    # --- code hosting, registries, infrastructure ---
    KeyFormat(
        "GitHub token",
        r"gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,}",
        "GitHub docs 'About authentication' (ghp_, gho_, ghu_, ghs_, ghr_, github_pat_)",
    ),
    KeyFormat(
        "GitLab token",
        r"gl(?:pat|dt|ft|soat|rt|cbt|imt|ptt|agent|oas|ffct)-[A-Za-z0-9_\-]{20,}|GR1348941[A-Za-z0-9_\-]{20,}",
        "GitLab docs 'Token overview' (glpat-, gldt-, runner GR1348941...)",
    ),
    KeyFormat(
        "AWS access key id",
        r"(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16,}",
        "AWS IAM docs 'Unique identifiers' (AKIA, ASIA...); the secret key has no format and is masked by name",
    ),
    KeyFormat("npm token", r"npm_[A-Za-z0-9]{30,}", "npm docs 'About access tokens' (npm_)"),
    KeyFormat("PyPI token", r"pypi-[A-Za-z0-9_\-]{40,}", "PyPI help 'API tokens' (pypi-AgEI...)"),
    KeyFormat("Docker Hub token", r"dckr_pat_[A-Za-z0-9_\-]{20,}", "Docker docs 'Access tokens' (dckr_pat_)"),
    KeyFormat("HashiCorp Vault token", r"hv[sbr]\.[A-Za-z0-9_\-]{20,}", "Vault docs 'Tokens' (hvs., hvb., hvr.)"),
    KeyFormat("DigitalOcean token", r"do[opr]_v1_[a-f0-9]{32,}", "DigitalOcean docs (dop_v1_, doo_v1_, dor_v1_)"),
    KeyFormat("Doppler token", r"dp\.(?:pt|st|sa|ct|scim|audit)\.[A-Za-z0-9]{30,}", "Doppler docs (dp.pt., dp.st.)"),
    KeyFormat("Databricks token", r"dapi[0-9a-f]{32}", "Databricks docs (dapi + 32 hex)"),
    KeyFormat("Sentry auth token", r"sntry[su]_[A-Za-z0-9_=+/\-]{30,}", "Sentry docs (sntrys_, sntryu_)"),
    KeyFormat("age secret key", r"AGE-SECRET-KEY-1[0-9A-Z]{50,}", "age specification (AGE-SECRET-KEY-1)"),
    # --- business tools an assistant's custom tools call ---
    KeyFormat("Shopify token", r"shp(?:at|ca|pa|ss)_[a-fA-F0-9]{20,}", "Shopify docs (shpat_, shpca_, shppa_, shpss_)"),
    KeyFormat("HubSpot private app token", r"pat-(?:na|eu)[0-9]-[0-9a-f\-]{30,}", "HubSpot docs (pat-na1-...)"),
    KeyFormat("Notion token", r"(?:secret|ntn)_[A-Za-z0-9]{30,}", "Notion docs (secret_, ntn_)"),
    KeyFormat("Linear API key", r"lin_(?:api|oauth)_[A-Za-z0-9]{30,}", "Linear docs (lin_api_)"),
    KeyFormat("Atlassian API token", r"ATATT3[A-Za-z0-9_\-=]{20,}", "Atlassian docs (ATATT3...)"),
    KeyFormat("Airtable token", r"pat[A-Za-z0-9]{14}\.[a-f0-9]{32,}", "Airtable docs 'Personal access tokens'"),
    KeyFormat(
        "Square or Meta access token",
        r"sq0(?:atp|csp|idp)-[A-Za-z0-9_\-]{20,}|EAA[A-Za-z0-9]{40,}",
        "Square docs (sq0atp-, sq0csp-); Meta Graph API (EAA...)",
    ),
    KeyFormat("Zoho OAuth token", r"1000\.[0-9a-f]{32}\.[0-9a-f]{32}", "Zoho OAuth docs (1000.hex.hex)"),
    KeyFormat("Cal.com API key", r"cal_(?:live|test)_[A-Za-z0-9]{16,}", "Cal.com docs (cal_live_)"),
    # --- generic structures ---
    KeyFormat(
        "JSON Web Token",
        r"eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}(?:\.[A-Za-z0-9_\-]*){0,3}",
        "RFC 7519 (base64url header, always '{\"' -> eyJ)",
    ),
)

# Characters a token is made of (base64, base64url, hex, and the separators keys use). A format may
# only start where a run of these starts, so no pattern is retried from inside a run.
TOKEN_CHARS = r"A-Za-z0-9_\-"  # noqa: S105 - a character class, not a password
KEY_FORMAT = re.compile(
    rf"(?<![{TOKEN_CHARS}])(?:" + "|".join(f"(?:{fmt.pattern})" for fmt in KEY_FORMATS) + ")",
)
# Telegram bot tokens: "<bot id>:<35 characters>", often in a URL path as /bot<id>:<secret>/sendMessage,
# so the id may follow letters; it may not start inside a longer number. (Telegram Bot API docs.)
TELEGRAM_BOT_TOKEN = re.compile(r"(?<![0-9])[0-9]{5,12}:[A-Za-z0-9_\-]{30,}")

# PEM private keys (RFC 7468) and OpenSSH / PGP / SSH2 ones: the whole block goes, markers stay.
PRIVATE_KEY_BEGIN = re.compile(r"-{4,5} ?BEGIN ([A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)?) ?-{4,5}")
PRIVATE_KEY_END = re.compile(r"-{4,5} ?END [A-Z0-9 ]{0,40}PRIVATE KEY(?: BLOCK)? ?-{4,5}")
# PuTTY key files have no END marker: everything after the header goes.
PUTTY_KEY = "PuTTY-User-Key-File-"

# Webhook URLs whose path *is* the credential (Slack, Discord, Zapier, Make, Teams, IFTTT, Telegram):
# every path segment after the first that carries a digit or is long is masked.
WEBHOOK_HOSTS = frozenset(
    [
        "hooks.slack.com",
        "hooks.zapier.com",
        "discord.com",
        "discordapp.com",
        "canary.discord.com",
        "ptb.discord.com",
        "maker.ifttt.com",
        "outlook.office.com",
        "outlook.office365.com",
        "api.telegram.org",
        "hooks.airtable.com",
    ]
)
WEBHOOK_HOST_SUFFIXES = (".webhook.office.com", ".make.com", ".logic.azure.com")
