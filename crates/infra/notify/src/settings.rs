//! Channel settings, parsed from strings that fit in an environment variable or a CLI flag.
//!
//! * SMTP: `smtp://[USER[:PASS]@]HOST[:PORT]?from=ADDR&to=ADDR[,ADDR…][&tls=none|starttls|tls][&timeout=30s][&helo=NAME][&ca=FILE.pem]`
//!   (`smtps://` means `tls=tls`). Default TLS for `smtp://` is `starttls`, and the default port
//!   follows the TLS mode: 25 for `none`, 587 for `starttls` (RFC 6409), 465 for `tls` (RFC 8314).
//! * Webhook: an `http://` or `https://` URL; the signing secret is given separately so it never
//!   sits in a URL that gets logged.
//!
//! Environment variables read by [`NotifySettings::from_env`]: `POSTMARKET_SMTP_URL`,
//! `POSTMARKET_SMTP_PASSWORD` (overrides a password in the URL), `POSTMARKET_WEBHOOK_URL`,
//! `POSTMARKET_WEBHOOK_SECRET`, `POSTMARKET_WEBHOOK_CA`, `POSTMARKET_NOTIFY_TIMEOUT`, `POSTMARKET_NOTIFY_RETRIES`,
//! `POSTMARKET_NOTIFY_BACKOFF_MS`.

use std::fmt;
use std::net::IpAddr;
use std::time::Duration;

use lettre::message::Mailbox;

/// A setting that could not be used: which one, what was expected and what was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{setting}: expected {expected}{}", found.as_ref().map(|f| format!(", found `{f}`")).unwrap_or_default())]
pub struct SettingsError {
    /// The variable or part of it, e.g. `POSTMARKET_SMTP_URL: to`.
    pub setting: String,
    pub expected: String,
    /// The offending value (never a password or secret).
    pub found: Option<String>,
}

impl SettingsError {
    pub fn new(
        setting: impl Into<String>,
        expected: impl Into<String>,
        found: Option<&str>,
    ) -> Self {
        Self {
            setting: setting.into(),
            expected: expected.into(),
            found: found.map(str::to_string),
        }
    }

    /// The same error, named after the variable it came from.
    fn within(mut self, variable: &str) -> Self {
        self.setting = match self.setting.split_once(": ") {
            Some((_, part)) => format!("{variable}: {part}"),
            None => variable.to_string(),
        };
        self
    }
}

/// A password or signing secret: kept out of `Debug` output and error messages.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// How the SMTP connection is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TlsMode {
    /// Plain text. Only for a relay on the same host or a test sink.
    None,
    /// Plain connection upgraded with STARTTLS, which is required: a server that does not offer
    /// it is refused rather than silently used in clear (RFC 3207 section 4).
    Starttls,
    /// TLS from the first byte ("implicit TLS", RFC 8314 section 3.3).
    Tls,
}

impl TlsMode {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Starttls => "starttls",
            Self::Tls => "tls",
        }
    }
    pub fn default_port(self) -> u16 {
        match self {
            Self::None => 25,
            Self::Starttls => 587,
            Self::Tls => 465,
        }
    }
}

/// Attempts and waits for a channel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts after the first, for transient failures only.
    pub retries: u32,
    /// First wait; doubled on each retry.
    pub backoff: Duration,
    /// Longest wait, whatever the doubling or a `Retry-After` asks.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            retries: 3,
            backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        Self {
            retries: 0,
            ..Self::default()
        }
    }

    /// The wait before attempt `attempt + 1`, after `attempt` failed attempts (1-based).
    pub fn wait(&self, attempt: u32, asked: Option<Duration>) -> Duration {
        let doubled = self.backoff.saturating_mul(
            1_u32
                .checked_shl(attempt.saturating_sub(1))
                .unwrap_or(u32::MAX),
        );
        asked.unwrap_or(doubled).min(self.max_backoff)
    }
}

/// Where and how to send mail.
#[derive(Debug, Clone, PartialEq)]
pub struct SmtpSettings {
    pub host: String,
    pub port: u16,
    pub tls: TlsMode,
    pub username: Option<String>,
    pub password: Option<Secret>,
    pub from: Mailbox,
    pub to: Vec<Mailbox>,
    /// Per network operation (connect, each command).
    pub timeout: Duration,
    /// The name given in EHLO; by default the domain of `from`.
    pub helo: Option<String>,
    /// PEM file of certificate authorities trusted besides the public ones (a relay with an
    /// in-house CA). Read when the sender is made.
    pub ca_file: Option<std::path::PathBuf>,
    pub retry: RetryPolicy,
}

pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

const SMTP: &str = "SMTP URL";
const SMTP_FORM: &str = "smtp://[USER[:PASS]@]HOST[:PORT]?from=ADDR&to=ADDR[,ADDR…][&tls=none|starttls|tls][&timeout=30s][&helo=NAME][&ca=FILE.pem]";

impl SmtpSettings {
    /// Parses an `smtp://` or `smtps://` URL (see the module documentation).
    pub fn parse(s: &str) -> Result<Self, SettingsError> {
        let s = s.trim();
        let url = url::Url::parse(s)
            .map_err(|e| SettingsError::new(SMTP, format!("{SMTP_FORM} ({e})"), None))?;
        let mut tls = match url.scheme() {
            "smtp" => TlsMode::Starttls,
            "smtps" => TlsMode::Tls,
            other => {
                return Err(SettingsError::new(
                    format!("{SMTP}: scheme"),
                    "`smtp` or `smtps`",
                    Some(other),
                ))
            }
        };
        let host = match url.host() {
            Some(url::Host::Ipv6(ip)) => ip.to_string(),
            Some(h) => decode(&h.to_string()),
            None => "".to_string(),
        };
        if host.is_empty() {
            return Err(SettingsError::new(
                format!("{SMTP}: host"),
                format!("a host name or address ({SMTP_FORM})"),
                None,
            ));
        }
        if !matches!(url.path(), "" | "/") {
            return Err(SettingsError::new(
                format!("{SMTP}: path"),
                "nothing after the host and port (settings go in the query: ?from=…&to=…)",
                Some(url.path()),
            ));
        }
        let username = Some(decode(url.username())).filter(|u| !u.is_empty());
        let password = url.password().map(|p| Secret::new(decode(p)));
        if password.is_some() && username.is_none() {
            return Err(SettingsError::new(
                format!("{SMTP}: user"),
                "a user name before the password (USER:PASS@HOST)",
                None,
            ));
        }

        let mut from = None;
        let mut to = Vec::new();
        let mut timeout = DEFAULT_TIMEOUT;
        let mut helo = None;
        let mut ca_file = None;
        let mut port_explicit = url.port();
        for (name, value) in url.query_pairs() {
            let setting = format!("{SMTP}: {name}");
            match name.as_ref() {
                "tls" => {
                    tls = match value.as_ref() {
                        "none" => TlsMode::None,
                        "starttls" => TlsMode::Starttls,
                        "tls" => TlsMode::Tls,
                        v => {
                            return Err(SettingsError::new(
                                setting,
                                "`none`, `starttls` or `tls`",
                                Some(v),
                            ))
                        }
                    }
                }
                "from" => from = Some(mailbox(&setting, &value)?),
                "to" => {
                    for part in split_addresses(&value) {
                        to.push(mailbox(&setting, part)?);
                    }
                }
                "timeout" => timeout = parse_duration(&setting, &value)?,
                "helo" => {
                    if value.is_empty() || !value.chars().all(|c| c.is_ascii_graphic()) {
                        return Err(SettingsError::new(
                            setting,
                            "a host name (visible ASCII, no spaces)",
                            Some(&value),
                        ));
                    }
                    helo = Some(value.into_owned());
                }
                "ca" => {
                    if value.is_empty() {
                        return Err(SettingsError::new(
                            setting,
                            "the path of a PEM file of CA certificates",
                            Some(""),
                        ));
                    }
                    ca_file = Some(std::path::PathBuf::from(value.as_ref()));
                }
                "port" => {
                    // Accepted in the query too, for tools that cannot put it in the authority.
                    port_explicit = Some(value.parse().map_err(|_| {
                        SettingsError::new(setting, "a port number 1-65535", Some(&value))
                    })?);
                }
                other => {
                    return Err(SettingsError::new(
                        format!("{SMTP}: query"),
                        "only tls, from, to, timeout, helo, ca or port",
                        Some(other),
                    ))
                }
            }
        }
        let from = from.ok_or_else(|| {
            SettingsError::new(
                format!("{SMTP}: from"),
                "the sender address (?from=postmarket@example.com)",
                None,
            )
        })?;
        if to.is_empty() {
            return Err(SettingsError::new(
                format!("{SMTP}: to"),
                "at least one recipient (?to=a@example.com,b@example.com)",
                None,
            ));
        }
        let port = port_explicit.unwrap_or(tls.default_port());
        if port == 0 {
            return Err(SettingsError::new(
                format!("{SMTP}: port"),
                "a port number 1-65535",
                Some("0"),
            ));
        }
        if tls == TlsMode::None && password.is_some() && !is_loopback(&host) {
            // A password in clear over the network is refused here rather than discovered later.
            return Err(SettingsError::new(
                format!("{SMTP}: tls"),
                format!("`starttls` or `tls` when a password is sent to {host} (tls=none sends it unencrypted; it is allowed only to a loopback host)"),
                Some("none"),
            ));
        }
        Ok(Self {
            host,
            port,
            tls,
            username,
            password,
            from,
            to,
            timeout,
            helo,
            ca_file,
            retry: RetryPolicy::default(),
        })
    }

    /// `host:port`, as errors name the server.
    pub fn target(&self) -> String {
        if self.host.contains(':') {
            format!("[{}]:{}", self.host, self.port)
        } else {
            format!("{}:{}", self.host, self.port)
        }
    }
}

/// Where to POST, and how.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookSettings {
    pub url: url::Url,
    /// When set, each request carries `X-Postmarket-Signature: sha256=<hex HMAC of the body>`.
    pub secret: Option<Secret>,
    /// Whole-request timeout.
    pub timeout: Duration,
    /// PEM file of the certificate authorities that verify an `https` webhook in place of the
    /// public ones (a receiver inside the hospital or company network with an in-house CA).
    pub ca_file: Option<std::path::PathBuf>,
    pub retry: RetryPolicy,
}

const WEBHOOK: &str = "webhook URL";

impl WebhookSettings {
    /// Parses an `http://` or `https://` URL.
    pub fn parse(s: &str) -> Result<Self, SettingsError> {
        let s = s.trim();
        let url = url::Url::parse(s).map_err(|e| {
            SettingsError::new(
                WEBHOOK,
                format!("an absolute http:// or https:// URL ({e})"),
                // The URL is not echoed: its path or query may be a token.
                None,
            )
        })?;
        if !matches!(url.scheme(), "http" | "https") {
            return Err(SettingsError::new(
                format!("{WEBHOOK}: scheme"),
                "`http` or `https`",
                Some(url.scheme()),
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(SettingsError::new(
                format!("{WEBHOOK}: host"),
                "a host name or address",
                None,
            ));
        }
        Ok(Self {
            url,
            secret: None,
            timeout: DEFAULT_TIMEOUT,
            ca_file: None,
            retry: RetryPolicy::default(),
        })
    }

    pub fn with_ca_file(mut self, path: impl Into<std::path::PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }

    pub fn with_secret(mut self, secret: impl Into<String>) -> Self {
        self.secret = Some(Secret::new(secret));
        self
    }

    /// The URL as errors name it: scheme, host, port and path, without user info or query
    /// (either may carry a token).
    pub fn target(&self) -> String {
        let mut u = self.url.clone();
        let _ = u.set_username("");
        let _ = u.set_password(None);
        u.set_query(None);
        u.set_fragment(None);
        u.to_string()
    }
}

/// Every configured channel.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NotifySettings {
    pub smtp: Option<SmtpSettings>,
    pub webhook: Option<WebhookSettings>,
}

impl NotifySettings {
    /// Reads the `POSTMARKET_SMTP_*`, `POSTMARKET_WEBHOOK_*` and `POSTMARKET_NOTIFY_*` variables.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// As [`Self::from_env`], with the variables looked up by `get` (empty counts as unset).
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let get = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let timeout = get("POSTMARKET_NOTIFY_TIMEOUT")
            .map(|v| parse_duration("POSTMARKET_NOTIFY_TIMEOUT", &v))
            .transpose()?;
        let mut retry = RetryPolicy::default();
        if let Some(v) = get("POSTMARKET_NOTIFY_RETRIES") {
            retry.retries = v.trim().parse().map_err(|_| {
                SettingsError::new(
                    "POSTMARKET_NOTIFY_RETRIES",
                    "a whole number of retries (0 for none)",
                    Some(&v),
                )
            })?;
        }
        if let Some(v) = get("POSTMARKET_NOTIFY_BACKOFF_MS") {
            retry.backoff = Duration::from_millis(v.trim().parse().map_err(|_| {
                SettingsError::new(
                    "POSTMARKET_NOTIFY_BACKOFF_MS",
                    "milliseconds as a whole number",
                    Some(&v),
                )
            })?);
        }

        let smtp = get("POSTMARKET_SMTP_URL")
            .map(|v| {
                let mut s = SmtpSettings::parse(&v).map_err(|e| e.within("POSTMARKET_SMTP_URL"))?;
                if let Some(p) = get("POSTMARKET_SMTP_PASSWORD") {
                    if s.username.is_none() {
                        return Err(SettingsError::new(
                            "POSTMARKET_SMTP_URL: user",
                            "a user name (smtp://USER@HOST) when POSTMARKET_SMTP_PASSWORD is set",
                            None,
                        ));
                    }
                    s.password = Some(Secret::new(p));
                    if s.tls == TlsMode::None && !is_loopback(&s.host) {
                        return Err(SettingsError::new(
                            "POSTMARKET_SMTP_URL: tls",
                            "`starttls` or `tls` when a password is sent over the network",
                            Some("none"),
                        ));
                    }
                }
                if let Some(t) = timeout {
                    s.timeout = t;
                }
                s.retry = retry.clone();
                Ok(s)
            })
            .transpose()?;
        let webhook = get("POSTMARKET_WEBHOOK_URL")
            .map(|v| {
                let mut w =
                    WebhookSettings::parse(&v).map_err(|e| e.within("POSTMARKET_WEBHOOK_URL"))?;
                w.secret = get("POSTMARKET_WEBHOOK_SECRET").map(Secret::new);
                w.ca_file = get("POSTMARKET_WEBHOOK_CA").map(std::path::PathBuf::from);
                if let Some(t) = timeout {
                    w.timeout = t;
                }
                w.retry = retry.clone();
                Ok(w)
            })
            .transpose()?;
        if webhook.is_none() && get("POSTMARKET_WEBHOOK_SECRET").is_some() {
            return Err(SettingsError::new(
                "POSTMARKET_WEBHOOK_URL",
                "a URL when POSTMARKET_WEBHOOK_SECRET is set",
                None,
            ));
        }
        Ok(Self { smtp, webhook })
    }

    pub fn is_empty(&self) -> bool {
        self.smtp.is_none() && self.webhook.is_none()
    }
}

/// The contents of a PEM file of CA certificates, or an error naming the setting and the file.
pub(crate) fn read_ca_pem(setting: &str, path: &std::path::Path) -> Result<Vec<u8>, SettingsError> {
    let setting = format!("{setting} ({})", path.display());
    let pem = std::fs::read(path).map_err(|e| {
        SettingsError::new(
            &setting,
            format!("a readable PEM file of CA certificates ({e})"),
            None,
        )
    })?;
    if !String::from_utf8_lossy(&pem).contains("-----BEGIN CERTIFICATE-----") {
        return Err(SettingsError::new(
            &setting,
            "PEM certificates (-----BEGIN CERTIFICATE-----)",
            None,
        ));
    }
    Ok(pem)
}

/// `30s`, `500ms`, `2m`, or a bare number of seconds.
pub fn parse_duration(setting: &str, value: &str) -> Result<Duration, SettingsError> {
    let v = value.trim();
    let err = || {
        SettingsError::new(
            setting,
            "a positive duration such as `30s`, `500ms` or `2m`",
            Some(value),
        )
    };
    let (num, unit) = match v.find(|c: char| !c.is_ascii_digit()) {
        Some(i) => v.split_at(i),
        None => (v, "s"),
    };
    let n: u64 = num.parse().map_err(|_| err())?;
    let d = match unit {
        "ms" => Duration::from_millis(n),
        "s" => Duration::from_secs(n),
        "m" => Duration::from_secs(n.saturating_mul(60)),
        _ => return Err(err()),
    };
    if d.is_zero() {
        return Err(err());
    }
    Ok(d)
}

fn decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

fn split_addresses(v: &str) -> impl Iterator<Item = &str> {
    v.split([',', ';'])
        .map(str::trim)
        .filter(|part| !part.is_empty())
}

fn mailbox(setting: &str, value: &str) -> Result<Mailbox, SettingsError> {
    value.trim().parse::<Mailbox>().map_err(|_| {
        SettingsError::new(
            setting,
            "an email address like `name@example.com` or `Name <name@example.com>`",
            Some(value),
        )
    })
}

fn is_loopback(host: &str) -> bool {
    host.eq_ignore_ascii_case("localhost")
        || host
            .trim_matches(['[', ']'])
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_form() {
        let s = SmtpSettings::parse(
            "smtp://alert%40ops:p%40ss@mail.example.com:2525?tls=starttls&from=Postmarket%20%3Cpm@example.com%3E&to=a@example.com,b@example.com&timeout=10s&helo=pm.example.com",
        )
        .unwrap();
        assert_eq!(s.host, "mail.example.com");
        assert_eq!(s.port, 2525);
        assert_eq!(s.tls, TlsMode::Starttls);
        assert_eq!(s.username.as_deref(), Some("alert@ops"));
        assert_eq!(s.password.as_ref().map(Secret::expose), Some("p@ss"));
        assert_eq!(s.from.to_string(), "Postmarket <pm@example.com>");
        assert_eq!(
            s.to.iter().map(|m| m.email.to_string()).collect::<Vec<_>>(),
            ["a@example.com", "b@example.com"]
        );
        assert_eq!(s.timeout, Duration::from_secs(10));
        assert_eq!(s.helo.as_deref(), Some("pm.example.com"));
        assert_eq!(s.target(), "mail.example.com:2525");
        assert!(
            !format!("{s:?}").contains("p@ss"),
            "Debug hides the password"
        );
    }

    #[test]
    fn default_ports_follow_the_tls_mode() {
        let q = "?from=a@b.example&to=c@d.example";
        let port = |u: &str| SmtpSettings::parse(&format!("{u}{q}")).unwrap();
        assert_eq!(port("smtp://h").port, 587);
        assert_eq!(port("smtp://h").tls, TlsMode::Starttls);
        assert_eq!(port("smtps://h").port, 465);
        assert_eq!(port("smtps://h").tls, TlsMode::Tls);
        let none = SmtpSettings::parse(&format!("smtp://h{q}&tls=none")).unwrap();
        assert_eq!((none.port, none.tls), (25, TlsMode::None));
        let v6 = SmtpSettings::parse(&format!("smtp://[::1]:2525{q}&tls=none")).unwrap();
        assert_eq!(v6.target(), "[::1]:2525");
    }

    #[test]
    fn bad_settings_name_the_setting_and_what_was_expected() {
        let err = |u: &str| SmtpSettings::parse(u).unwrap_err().to_string();
        assert_eq!(
            err("smtp://h?from=a@b.example&to=c@d.example&tls=ssl"),
            "SMTP URL: tls: expected `none`, `starttls` or `tls`, found `ssl`"
        );
        assert!(err("smtp://h?from=a@b.example&to=nobody")
            .starts_with("SMTP URL: to: expected an email address like `name@example.com`"));
        assert!(err("smtp://h?from=a@b.example&to=nobody").ends_with("found `nobody`"));
        assert!(err("smtp://h?to=c@d.example").starts_with("SMTP URL: from: expected the sender"));
        assert!(err("smtp://h?from=a@b.example").starts_with("SMTP URL: to: expected at least one"));
        assert!(err("http://h?from=a@b.example&to=c@d.example")
            .contains("scheme: expected `smtp` or `smtps`, found `http`"));
        assert!(
            err("smtp://h?from=a@b.example&to=c@d.example&cc=x@y.example").contains(
                "query: expected only tls, from, to, timeout, helo, ca or port, found `cc`"
            )
        );
        assert!(err("smtp://h?from=a@b.example&to=c@d.example&timeout=soon")
            .contains("timeout: expected a positive duration"));
        assert!(err("smtp://h/inbox?from=a@b.example&to=c@d.example").contains("path"));
        assert!(err("not a url").starts_with("SMTP URL: expected smtp://"));
        // A password in clear to a remote host is refused, and the message does not echo it.
        let e = err("smtp://u:hunter2@mail.example.com?tls=none&from=a@b.example&to=c@d.example");
        assert!(e.contains("tls: expected `starttls` or `tls`"), "{e}");
        assert!(!e.contains("hunter2"));
        assert!(SmtpSettings::parse(
            "smtp://u:pw@127.0.0.1?tls=none&from=a@b.example&to=c@d.example"
        )
        .is_ok());
    }

    #[test]
    fn webhook_urls_are_checked_and_shown_without_tokens() {
        let w = WebhookSettings::parse("https://user:pw@hooks.example.com/pm?token=abc").unwrap();
        assert_eq!(w.target(), "https://hooks.example.com/pm");
        assert_eq!(
            WebhookSettings::parse("ftp://x.example/")
                .unwrap_err()
                .to_string(),
            "webhook URL: scheme: expected `http` or `https`, found `ftp`"
        );
        assert!(WebhookSettings::parse("/relative")
            .unwrap_err()
            .to_string()
            .starts_with("webhook URL: expected an absolute http:// or https:// URL"));
        let w = WebhookSettings::parse("http://h.example/x")
            .unwrap()
            .with_secret("s3cret");
        assert!(!format!("{w:?}").contains("s3cret"));
    }

    #[test]
    fn environment_variables_are_named_in_errors() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(n, _)| *n == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        let e = NotifySettings::from_lookup(env(&[(
            "POSTMARKET_SMTP_URL",
            "smtp://h?to=x@y.example&from=bad",
        )]))
        .unwrap_err();
        assert_eq!(e.setting, "POSTMARKET_SMTP_URL: from");
        let e =
            NotifySettings::from_lookup(env(&[("POSTMARKET_NOTIFY_RETRIES", "many")])).unwrap_err();
        assert_eq!(
            e.to_string(),
            "POSTMARKET_NOTIFY_RETRIES: expected a whole number of retries (0 for none), found `many`"
        );
        let e =
            NotifySettings::from_lookup(env(&[("POSTMARKET_WEBHOOK_SECRET", "s")])).unwrap_err();
        assert_eq!(e.setting, "POSTMARKET_WEBHOOK_URL");

        let s = NotifySettings::from_lookup(env(&[
            (
                "POSTMARKET_SMTP_URL",
                "smtp://ops@mail.example.com?from=a@b.example&to=c@d.example",
            ),
            ("POSTMARKET_SMTP_PASSWORD", "pw"),
            ("POSTMARKET_WEBHOOK_URL", "https://hooks.example.com/pm"),
            ("POSTMARKET_WEBHOOK_SECRET", "s3cret"),
            ("POSTMARKET_WEBHOOK_CA", "ca/internal.pem"),
            ("POSTMARKET_NOTIFY_TIMEOUT", "5s"),
            ("POSTMARKET_NOTIFY_RETRIES", "1"),
            ("POSTMARKET_NOTIFY_BACKOFF_MS", "10"),
        ]))
        .unwrap();
        let smtp = s.smtp.unwrap();
        assert_eq!(smtp.password.unwrap().expose(), "pw");
        assert_eq!(smtp.timeout, Duration::from_secs(5));
        assert_eq!(smtp.retry.retries, 1);
        let hook = s.webhook.unwrap();
        assert_eq!(hook.secret.unwrap().expose(), "s3cret");
        assert_eq!(hook.retry.backoff, Duration::from_millis(10));
        assert_eq!(
            hook.ca_file.as_deref(),
            Some(std::path::Path::new("ca/internal.pem"))
        );
        assert!(NotifySettings::from_lookup(|_| None).unwrap().is_empty());
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = RetryPolicy {
            retries: 5,
            backoff: Duration::from_millis(100),
            max_backoff: Duration::from_millis(350),
        };
        assert_eq!(p.wait(1, None), Duration::from_millis(100));
        assert_eq!(p.wait(2, None), Duration::from_millis(200));
        assert_eq!(p.wait(3, None), Duration::from_millis(350));
        assert_eq!(p.wait(40, None), Duration::from_millis(350));
        assert_eq!(
            p.wait(1, Some(Duration::from_secs(9))),
            Duration::from_millis(350)
        );
    }
}
