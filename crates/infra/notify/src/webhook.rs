//! Webhooks: a JSON POST, signed with HMAC-SHA256 (RFC 2104) when a secret is set, retried on
//! 429, 5xx and network failures. Uses the blocking `ureq` client the feeds crate uses.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::email::{KEY_HEADER, KIND_HEADER};
use crate::settings::{read_ca_pem, SettingsError, WebhookSettings};
use crate::{DeliveryError, Notification};

/// `sha256=<lower-case hex HMAC-SHA256 of the exact body bytes, keyed with the secret>`.
pub const SIGNATURE_HEADER: &str = "X-Postmarket-Signature";
/// Unix seconds at which the request was sent, so a receiver can refuse stale replays.
pub const TIMESTAMP_HEADER: &str = "X-Postmarket-Timestamp";

/// The signature header's value for `body`.
pub fn sign(secret: &str, body: &[u8]) -> String {
    format!(
        "sha256={}",
        hex::encode(mac(secret, body).finalize().into_bytes())
    )
}

/// Checks a signature header value in constant time, as a receiver would.
pub fn verify(secret: &str, body: &[u8], header: &str) -> bool {
    let Some(hex_sig) = header.trim().strip_prefix("sha256=") else {
        return false;
    };
    let Ok(sig) = hex::decode(hex_sig) else {
        return false;
    };
    mac(secret, body).verify_slice(&sig).is_ok()
}

fn mac(secret: &str, body: &[u8]) -> Hmac<Sha256> {
    // HMAC takes keys of any length (RFC 2104 section 2), so this cannot fail.
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(secret.as_bytes())
        .unwrap_or_else(|_| unreachable!("HMAC accepts any key length"));
    m.update(body);
    m
}

/// Posts notifications to one URL.
#[derive(Debug, Clone)]
pub struct WebhookSender {
    settings: WebhookSettings,
    agent: ureq::Agent,
}

/// The longest stretch of an error response kept for the message.
const DETAIL_LIMIT: u64 = 512;

impl WebhookSender {
    /// Prepares the client (and reads the CA file, if any); nothing is sent until [`Self::send`].
    pub fn new(settings: WebhookSettings) -> Result<Self, SettingsError> {
        let mut config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            // A redirect would turn the POST into a GET or resend it elsewhere; report it instead.
            .max_redirects(0)
            .timeout_global(Some(settings.timeout))
            .user_agent(concat!("postmarket/", env!("CARGO_PKG_VERSION")));
        if let Some(path) = &settings.ca_file {
            let setting = "webhook CA";
            let pem = read_ca_pem(setting, path)?;
            let certificates = ureq::tls::parse_pem(&pem)
                .filter_map(|item| match item {
                    Ok(ureq::tls::PemItem::Certificate(c)) => Some(Ok(c)),
                    Ok(_) => None,
                    Err(e) => Some(Err(e)),
                })
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| {
                    SettingsError::new(
                        format!("{setting} ({})", path.display()),
                        format!("PEM certificates ({e})"),
                        None,
                    )
                })?;
            config = config.tls_config(
                ureq::tls::TlsConfig::builder()
                    .root_certs(ureq::tls::RootCerts::new_with_certs(&certificates))
                    .build(),
            );
        }
        Ok(Self {
            agent: config.build().into(),
            settings,
        })
    }

    pub fn settings(&self) -> &WebhookSettings {
        &self.settings
    }

    /// The URL without user info or query, as reports name this channel.
    pub fn target(&self) -> String {
        self.settings.target()
    }

    /// Posts one notification. 2xx is success; 429, 5xx and network failures are retried as
    /// the settings' [`crate::RetryPolicy`] says (a `Retry-After` in seconds is honoured up to
    /// its cap); any other status fails at once. Returns the number of attempts made.
    pub fn send(&self, n: &Notification) -> Result<u32, DeliveryError> {
        let body = n.to_json();
        let signature = self
            .settings
            .secret
            .as_ref()
            .map(|s| sign(s.expose(), &body));
        let policy = &self.settings.retry;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let timestamp = SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0)
                .to_string();
            let mut req = self
                .agent
                .post(self.settings.url.as_str())
                .header("Content-Type", "application/json")
                .header(TIMESTAMP_HEADER, &timestamp)
                .header(KEY_HEADER, n.key())
                .header(KIND_HEADER, n.kind().as_str());
            if let Some(sig) = &signature {
                req = req.header(SIGNATURE_HEADER, sig);
            }
            let (error, retryable, asked) = match req.send(&body[..]) {
                Ok(mut resp) => {
                    let status = resp.status().as_u16();
                    if (200..300).contains(&status) {
                        return Ok(attempt);
                    }
                    let asked = resp
                        .headers()
                        .get("retry-after")
                        .and_then(|v| v.to_str().ok())
                        .and_then(|v| v.trim().parse::<u64>().ok())
                        .map(Duration::from_secs);
                    let text = resp
                        .body_mut()
                        .with_config()
                        .limit(DETAIL_LIMIT)
                        .read_to_string()
                        .unwrap_or_default();
                    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    let detail = if text.is_empty() {
                        String::new()
                    } else {
                        format!(": {text}")
                    };
                    (
                        DeliveryError::HttpStatus {
                            target: self.target(),
                            status,
                            detail,
                            attempts: attempt,
                        },
                        status == 429 || status >= 500,
                        asked,
                    )
                }
                Err(e) => match tls_failure(&e) {
                    // The same certificate will fail the same way: no retry.
                    Some(tls) => (
                        DeliveryError::Network {
                            target: self.target(),
                            message: format!("TLS failed: {tls}"),
                            attempts: attempt,
                        },
                        false,
                        None,
                    ),
                    None => (self.network_error(&e, attempt), true, None),
                },
            };
            if !retryable || attempt > policy.retries {
                return Err(error);
            }
            tracing::warn!(key = n.key(), "{error}; retrying");
            std::thread::sleep(policy.wait(attempt, asked));
        }
    }

    fn network_error(&self, e: &ureq::Error, attempts: u32) -> DeliveryError {
        let target = self.target();
        let authority = match (
            self.settings.url.host_str(),
            self.settings.url.port_or_known_default(),
        ) {
            (Some(h), Some(p)) => format!("{h}:{p}"),
            (Some(h), None) => h.to_string(),
            _ => target.clone(),
        };
        match e {
            ureq::Error::Io(io)
                if matches!(
                    io.kind(),
                    std::io::ErrorKind::ConnectionRefused
                        | std::io::ErrorKind::ConnectionReset
                        | std::io::ErrorKind::HostUnreachable
                        | std::io::ErrorKind::NetworkUnreachable
                ) =>
            {
                DeliveryError::Connect {
                    target: authority,
                    message: format!("{io} (posting to {target})"),
                    attempts,
                }
            }
            // std reports a failed name lookup as an uncategorised I/O error; only its text says so.
            ureq::Error::Io(io) if io.to_string().contains("lookup address") => {
                DeliveryError::Connect {
                    target: authority,
                    message: format!("{io} (posting to {target})"),
                    attempts,
                }
            }
            ureq::Error::ConnectionFailed | ureq::Error::HostNotFound => DeliveryError::Connect {
                target: authority,
                message: format!("{e} (posting to {target})"),
                attempts,
            },
            ureq::Error::Timeout(_) => DeliveryError::Network {
                target,
                message: format!("no answer within {:?}", self.settings.timeout),
                attempts,
            },
            other => DeliveryError::Network {
                target,
                message: other.to_string(),
                attempts,
            },
        }
    }
}

fn tls_failure(e: &ureq::Error) -> Option<&rustls::Error> {
    match e {
        ureq::Error::Rustls(tls) => Some(tls),
        ureq::Error::Io(io) => io
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<rustls::Error>()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_match_rfc_4231_test_case_2() {
        // RFC 4231 section 4.3: key "Jefe", data "what do ya want for nothing?".
        assert_eq!(
            sign("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert!(verify(
            "Jefe",
            b"what do ya want for nothing?",
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        ));
        assert!(!verify(
            "Jefe",
            b"what do ya want for something?",
            &sign("Jefe", b"x")
        ));
        assert!(!verify("Jefe", b"x", "md5=00"));
        assert!(!verify("Jefe", b"x", "sha256=zz"));
    }
}
