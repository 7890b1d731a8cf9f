//! # postmarket-notify
//!
//! Telling people that something needs them: a clock of an uncontrolled-risk case is about to
//! breach or has breached (FDA postmarket guidance section VI.B: customer notice within 30 days,
//! validated fix distributed within 60 days; the published CVD acknowledgement time), a case was
//! opened or moved, a coordinated-disclosure report came in.
//!
//! A [`Notification`] goes out over every configured channel — mail over SMTP ([`SmtpSender`])
//! and a signed JSON webhook ([`WebhookSender`]) — and [`Notifier::deliver`] returns one
//! [`ChannelOutcome`] per channel: a failing channel never stops another.
//!
//! The API is blocking (SMTP through `lettre`'s blocking transport, HTTP through `ureq`, the
//! client the feeds crate uses), which keeps it usable from the CLI and from threads without a
//! runtime. From async code call [`Notifier::deliver_async`], which runs the blocking work on
//! tokio's blocking pool so a slow mail server never stalls the executor.
//!
//! Settings come from strings (see [`settings`]): `smtp://user:pass@host:port?tls=starttls&from=…&to=…`
//! and a webhook URL, or the `POSTMARKET_SMTP_*` / `POSTMARKET_WEBHOOK_*` environment variables.

pub mod email;
pub mod notification;
pub mod settings;
pub mod webhook;

use serde::Serialize;

pub use email::{SmtpSender, KEY_HEADER, KIND_HEADER};
pub use notification::{Notification, NotificationError, NotificationKind, MAX_KEY_LEN};
pub use settings::{
    NotifySettings, RetryPolicy, Secret, SettingsError, SmtpSettings, TlsMode, WebhookSettings,
};
pub use webhook::{sign, verify, WebhookSender, SIGNATURE_HEADER, TIMESTAMP_HEADER};

/// Why a channel did not deliver. Every message names the server (`host:port` or the URL) and
/// what it said.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeliveryError {
    /// No connection could be made (refused, unreachable, name not found).
    #[error("{target}: cannot connect: {message} (after {attempts} attempt(s))")]
    Connect {
        target: String,
        message: String,
        attempts: u32,
    },
    /// The SMTP server answered with a 4xx or 5xx reply.
    #[error("{target}: SMTP server replied {code} {text} (after {attempts} attempt(s))")]
    SmtpReply {
        target: String,
        code: u16,
        text: String,
        attempts: u32,
    },
    /// Another SMTP failure that retrying will not fix (STARTTLS not offered, TLS handshake,
    /// no usable authentication mechanism, a malformed reply).
    #[error("{target}: {message}")]
    Smtp {
        target: String,
        message: String,
        attempts: u32,
    },
    /// The webhook answered with a status other than 2xx.
    #[error("{target}: HTTP {status}{detail} (after {attempts} attempt(s))")]
    HttpStatus {
        target: String,
        status: u16,
        /// `: <start of the response body>`, or empty.
        detail: String,
        attempts: u32,
    },
    /// The connection broke or timed out.
    #[error("{target}: {message} (after {attempts} attempt(s))")]
    Network {
        target: String,
        message: String,
        attempts: u32,
    },
    /// The notification could not be turned into a message for this channel.
    #[error("{target}: {message}")]
    Invalid { target: String, message: String },
}

impl DeliveryError {
    /// Attempts made before giving up.
    pub fn attempts(&self) -> u32 {
        match self {
            Self::Connect { attempts, .. }
            | Self::SmtpReply { attempts, .. }
            | Self::Smtp { attempts, .. }
            | Self::HttpStatus { attempts, .. }
            | Self::Network { attempts, .. } => *attempts,
            Self::Invalid { .. } => 0,
        }
    }
}

/// Which kind of channel an outcome is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    Email,
    Webhook,
}

impl std::fmt::Display for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Email => "email",
            Self::Webhook => "webhook",
        })
    }
}

/// What happened on one channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChannelOutcome {
    pub channel: Channel,
    /// `host:port` for mail, the URL (without user info or query) for a webhook.
    pub target: String,
    pub attempts: u32,
    /// `None` when delivered.
    #[serde(serialize_with = "error_text")]
    pub error: Option<DeliveryError>,
}

fn error_text<S: serde::Serializer>(e: &Option<DeliveryError>, s: S) -> Result<S::Ok, S::Error> {
    match e {
        Some(e) => s.serialize_str(&e.to_string()),
        None => s.serialize_none(),
    }
}

impl ChannelOutcome {
    pub fn is_ok(&self) -> bool {
        self.error.is_none()
    }

    fn from_result(channel: Channel, target: String, r: Result<u32, DeliveryError>) -> Self {
        match r {
            Ok(attempts) => Self {
                channel,
                target,
                attempts,
                error: None,
            },
            Err(e) => Self {
                channel,
                target,
                attempts: e.attempts(),
                error: Some(e),
            },
        }
    }
}

impl std::fmt::Display for ChannelOutcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.error {
            None => write!(
                f,
                "{} {}: delivered (attempts: {})",
                self.channel, self.target, self.attempts
            ),
            Some(e) => write!(f, "{} failed: {e}", self.channel),
        }
    }
}

/// The outcome of one notification on every channel, in the notifier's channel order
/// (mail first, then the webhooks).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeliveryReport {
    pub key: String,
    pub outcomes: Vec<ChannelOutcome>,
}

impl DeliveryReport {
    /// True when every channel delivered (and there was at least one).
    pub fn all_delivered(&self) -> bool {
        !self.outcomes.is_empty() && self.outcomes.iter().all(ChannelOutcome::is_ok)
    }
    /// True when at least one channel delivered.
    pub fn any_delivered(&self) -> bool {
        self.outcomes.iter().any(ChannelOutcome::is_ok)
    }
    pub fn failures(&self) -> impl Iterator<Item = &ChannelOutcome> {
        self.outcomes.iter().filter(|o| !o.is_ok())
    }
}

/// Every channel a notification goes to. Cheap to clone; share it between tasks.
#[derive(Debug, Clone, Default)]
pub struct Notifier {
    email: Option<SmtpSender>,
    webhooks: Vec<WebhookSender>,
}

impl Notifier {
    /// A notifier with no channels; add them with [`Self::with_email`] / [`Self::with_webhook`].
    pub fn new() -> Self {
        Self::default()
    }

    /// All channels the settings configure.
    pub fn from_settings(settings: NotifySettings) -> Result<Self, SettingsError> {
        let mut n = Self::new();
        if let Some(s) = settings.smtp {
            n = n.with_email(SmtpSender::new(s)?);
        }
        if let Some(w) = settings.webhook {
            n = n.with_webhook(WebhookSender::new(w)?);
        }
        Ok(n)
    }

    pub fn with_email(mut self, sender: SmtpSender) -> Self {
        self.email = Some(sender);
        self
    }

    pub fn with_webhook(mut self, sender: WebhookSender) -> Self {
        self.webhooks.push(sender);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.email.is_none() && self.webhooks.is_empty()
    }

    /// Sends `n` on every channel at once (one thread each, so a slow or retrying channel does
    /// not hold up the others) and waits for all of them.
    pub fn deliver(&self, n: &Notification) -> DeliveryReport {
        let outcomes = std::thread::scope(|scope| {
            let mut handles = Vec::new();
            if let Some(email) = &self.email {
                handles.push((
                    Channel::Email,
                    email.target(),
                    scope.spawn(move || email.send(n)),
                ));
            }
            for hook in &self.webhooks {
                handles.push((
                    Channel::Webhook,
                    hook.target(),
                    scope.spawn(move || hook.send(n)),
                ));
            }
            handles
                .into_iter()
                .map(|(channel, target, h)| {
                    let result = h.join().unwrap_or_else(|panic| {
                        Err(DeliveryError::Invalid {
                            target: target.clone(),
                            message: format!("the sender panicked: {}", panic_text(&panic)),
                        })
                    });
                    ChannelOutcome::from_result(channel, target, result)
                })
                .collect()
        });
        let report = DeliveryReport {
            key: n.key().to_string(),
            outcomes,
        };
        for o in &report.outcomes {
            match &o.error {
                None => tracing::info!(key = n.key(), kind = %n.kind(), "{o}"),
                Some(_) => tracing::warn!(key = n.key(), kind = %n.kind(), "{o}"),
            }
        }
        report
    }

    /// [`Self::deliver`] on tokio's blocking pool, for async callers.
    pub async fn deliver_async(&self, n: Notification) -> DeliveryReport {
        let notifier = self.clone();
        let key = n.key().to_string();
        match tokio::task::spawn_blocking(move || notifier.deliver(&n)).await {
            Ok(report) => report,
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            // Only a runtime shutting down cancels a blocking task.
            Err(e) => DeliveryReport {
                key,
                outcomes: self
                    .channels()
                    .map(|(channel, target)| ChannelOutcome {
                        channel,
                        error: Some(DeliveryError::Invalid {
                            target: target.clone(),
                            message: format!("not sent: {e}"),
                        }),
                        target,
                        attempts: 0,
                    })
                    .collect(),
            },
        }
    }

    /// The configured channels and their targets, in delivery-report order.
    pub fn channels(&self) -> impl Iterator<Item = (Channel, String)> + '_ {
        self.email
            .iter()
            .map(|e| (Channel::Email, e.target()))
            .chain(self.webhooks.iter().map(|w| (Channel::Webhook, w.target())))
    }
}

fn panic_text(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".to_string())
}
