//! Mail over SMTP (RFC 5321) with `lettre`'s blocking transport.
//!
//! One connection per notification: notifications are rare (a handful a day), so a pool would
//! only hold connections open for servers to time out.

use std::error::Error as _;
use std::time::{Duration, SystemTime};

use lettre::message::header::{ContentType, HeaderName, HeaderValue, MIME_VERSION_1_0};
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::{Message, SmtpTransport, Transport};
use sha2::{Digest, Sha256};

use crate::settings::{read_ca_pem, SettingsError, SmtpSettings, TlsMode};
use crate::{DeliveryError, Notification};

/// The header carrying the notification's idempotency key, in mail and webhook alike.
pub const KEY_HEADER: &str = "X-Postmarket-Key";
/// The header carrying the notification's kind.
pub const KIND_HEADER: &str = "X-Postmarket-Kind";

/// Sends notifications as plain-text mail to the configured recipients.
#[derive(Clone)]
pub struct SmtpSender {
    settings: SmtpSettings,
    transport: SmtpTransport,
}

impl std::fmt::Debug for SmtpSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpSender")
            .field("settings", &self.settings)
            .finish_non_exhaustive()
    }
}

impl SmtpSender {
    /// Prepares the transport (and reads the `ca` file, if any); nothing is connected until
    /// [`Self::send`].
    pub fn new(settings: SmtpSettings) -> Result<Self, SettingsError> {
        let tls_params = || {
            let mut builder = TlsParameters::builder(settings.host.clone());
            if let Some(path) = &settings.ca_file {
                let setting = format!("SMTP URL: ca ({})", path.display());
                let pem = read_ca_pem("SMTP URL: ca", path)?;
                let certificate = Certificate::from_pem(&pem).map_err(|e| {
                    SettingsError::new(&setting, format!("PEM certificates ({e})"), None)
                })?;
                builder = builder.add_root_certificate(certificate);
            }
            builder.build().map_err(|e| {
                SettingsError::new(
                    "SMTP URL: host",
                    format!("a name TLS can verify ({})", describe(&e)),
                    Some(&settings.host),
                )
            })
        };
        // `builder_dangerous` only means "no TLS decided yet"; the mode is set right after.
        let mut builder = SmtpTransport::builder_dangerous(settings.host.clone())
            .port(settings.port)
            .timeout(Some(settings.timeout))
            .hello_name(ClientId::Domain(
                settings
                    .helo
                    .clone()
                    .unwrap_or_else(|| settings.from.email.domain().to_string()),
            ));
        builder = match settings.tls {
            TlsMode::None => builder.tls(Tls::None),
            TlsMode::Starttls => builder.tls(Tls::Required(tls_params()?)),
            TlsMode::Tls => builder.tls(Tls::Wrapper(tls_params()?)),
        };
        if let (Some(user), Some(pass)) = (&settings.username, &settings.password) {
            builder =
                builder.credentials(Credentials::new(user.clone(), pass.expose().to_string()));
        }
        Ok(Self {
            transport: builder.build(),
            settings,
        })
    }

    pub fn settings(&self) -> &SmtpSettings {
        &self.settings
    }

    /// `host:port`, as reports name this channel.
    pub fn target(&self) -> String {
        self.settings.target()
    }

    /// The message as it goes on the wire (headers and body), for one notification.
    pub fn message(&self, n: &Notification) -> Result<Message, DeliveryError> {
        build_message(&self.settings.from, &self.settings.to, n).map_err(|message| {
            DeliveryError::Invalid {
                target: self.target(),
                message,
            }
        })
    }

    /// Sends one notification; transient failures (4xx replies, connection and network errors)
    /// are retried as the settings' [`crate::RetryPolicy`] says, 5xx replies are final.
    /// Returns the number of attempts made.
    pub fn send(&self, n: &Notification) -> Result<u32, DeliveryError> {
        let message = self.message(n)?;
        let policy = &self.settings.retry;
        let mut attempt = 0;
        loop {
            attempt += 1;
            let failure = match self.transport.send(&message) {
                Ok(_) => return Ok(attempt),
                Err(e) => self.classify(&e, attempt),
            };
            if !failure.retryable || attempt > policy.retries {
                return Err(failure.error);
            }
            tracing::warn!(key = n.key(), "{}; retrying", failure.error);
            std::thread::sleep(policy.wait(attempt, None));
        }
    }

    fn classify(&self, e: &lettre::transport::smtp::Error, attempts: u32) -> Failure {
        let target = self.target();
        if let Some(code) = e.status() {
            let code: u16 = code.to_string().parse().unwrap_or(0);
            let text = e.source().map(|s| s.to_string()).unwrap_or_default();
            return Failure {
                retryable: e.is_transient(),
                error: DeliveryError::SmtpReply {
                    target,
                    code,
                    text,
                    attempts,
                },
            };
        }
        if is_timeout(e) {
            return Failure {
                retryable: true,
                error: DeliveryError::Network {
                    target,
                    message: format!("no answer within {}", humanize(self.settings.timeout)),
                    attempts,
                },
            };
        }
        if let Some(tls) = tls_failure(e) {
            let hint = if matches!(
                tls,
                rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer)
            ) && self.settings.ca_file.is_none()
            {
                " (a server with an in-house CA needs ?ca=FILE.pem in the SMTP URL)"
            } else {
                ""
            };
            return Failure {
                retryable: false,
                error: DeliveryError::Smtp {
                    target,
                    message: format!("TLS failed: {tls}{hint}"),
                    attempts,
                },
            };
        }
        // lettre has no predicate for its connection kind; its message names it.
        let text = e.to_string();
        if text.starts_with("Connection error") {
            return Failure {
                retryable: true,
                error: DeliveryError::Connect {
                    target,
                    message: describe(e),
                    attempts,
                },
            };
        }
        let retryable = !(e.is_client() || e.is_tls() || e.is_response());
        let message = if e.is_tls() {
            format!("TLS failed: {}", describe(e))
        } else if text.contains("No compatible authentication mechanism") {
            "the server offers no authentication mechanism that can be used (PLAIN or LOGIN); \
             leave the user out of the SMTP URL if the server takes mail without AUTH"
                .to_string()
        } else {
            describe(e)
        };
        Failure {
            retryable,
            error: if retryable {
                DeliveryError::Network {
                    target,
                    message,
                    attempts,
                }
            } else {
                DeliveryError::Smtp {
                    target,
                    message,
                    attempts,
                }
            },
        }
    }
}

/// lettre's `is_timeout` looks for `TimedOut`, but a socket read timeout surfaces as
/// `WouldBlock` on Unix (std's `set_read_timeout` documents both).
fn is_timeout(e: &lettre::transport::smtp::Error) -> bool {
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(io) = s.downcast_ref::<std::io::Error>() {
            return matches!(
                io.kind(),
                std::io::ErrorKind::TimedOut | std::io::ErrorKind::WouldBlock
            );
        }
        source = s.source();
    }
    false
}

/// The handshake runs inside the first read or write, so a certificate problem reaches us as an
/// I/O error carrying rustls' own; retrying would meet the same certificate.
fn tls_failure(e: &lettre::transport::smtp::Error) -> Option<&rustls::Error> {
    let mut source = e.source();
    while let Some(s) = source {
        if let Some(tls) = s.downcast_ref::<rustls::Error>() {
            return Some(tls);
        }
        if let Some(tls) = s
            .downcast_ref::<std::io::Error>()
            .and_then(|io| io.get_ref())
            .and_then(|inner| inner.downcast_ref::<rustls::Error>())
        {
            return Some(tls);
        }
        source = s.source();
    }
    None
}

struct Failure {
    retryable: bool,
    error: DeliveryError,
}

/// The innermost useful text of an error chain ("Connection refused (os error 111)" rather
/// than "Connection error").
fn describe(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts = vec![e.to_string()];
    let mut source = e.source();
    while let Some(s) = source {
        parts.push(s.to_string());
        source = s.source();
    }
    // lettre's outer text repeats the inner one ("network error: X" then "X"); keep the last.
    parts.pop().unwrap_or_default()
}

fn humanize(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{} ms", d.as_millis())
    }
}

/// RFC 5322 message: From, To, Subject, Date, Message-ID, MIME-Version, text/plain in UTF-8, plus the
/// key and kind as `X-Postmarket-*` headers.
///
/// The Message-ID is derived from the key (RFC 5322 section 3.6.4 only asks that it be unique
/// to the message), so a resent copy of the same event carries the same id and mail clients
/// and archives can recognise it.
fn build_message(from: &Mailbox, to: &[Mailbox], n: &Notification) -> Result<Message, String> {
    let domain = from.email.domain();
    let digest = hex::encode(Sha256::digest(n.key().as_bytes()));
    let message_id = format!("<{}.notify@{domain}>", &digest[..32]);
    let mut builder = Message::builder()
        .from(from.clone())
        .subject(n.subject())
        .date(SystemTime::now())
        .message_id(Some(message_id))
        // RFC 2045 section 4: MIME header fields need MIME-Version beside them.
        .header(MIME_VERSION_1_0)
        .header(ContentType::TEXT_PLAIN)
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str(KEY_HEADER),
            n.key().to_string(),
        ))
        .raw_header(HeaderValue::new(
            HeaderName::new_from_ascii_str(KIND_HEADER),
            n.kind().as_str().to_string(),
        ));
    for m in to {
        builder = builder.to(m.clone());
    }
    builder
        .body(n.body().to_string())
        .map_err(|e| format!("the message could not be built: {e}"))
}
