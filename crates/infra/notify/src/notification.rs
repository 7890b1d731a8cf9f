//! The value that is delivered: what happened, for people (subject and body) and for machines
//! (kind, payload), with the key that lets a receiver drop a second copy of the same event.

use serde::Serialize;
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

/// What a notification is about.
///
/// The clocks are the ones FDA's postmarket guidance sets for an uncontrolled risk (section VI.B):
/// notice to customers within 30 days of learning of the vulnerability, a validated fix
/// distributed within 60 days, and the CVD acknowledgement time the manufacturer publishes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotificationKind {
    /// A clock will breach soon (its warning threshold was crossed).
    ClockDueSoon,
    /// A clock has breached.
    ClockBreached,
    /// A case was opened.
    CaseOpened,
    /// A case moved from one state to another.
    CaseTransition,
    /// A coordinated-disclosure report arrived and needs acknowledging.
    CvdReportReceived,
}

impl NotificationKind {
    pub const ALL: [NotificationKind; 5] = [
        Self::ClockDueSoon,
        Self::ClockBreached,
        Self::CaseOpened,
        Self::CaseTransition,
        Self::CvdReportReceived,
    ];

    /// The wire name (`clock_due_soon`, ...), as in the webhook body.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClockDueSoon => "clock_due_soon",
            Self::ClockBreached => "clock_breached",
            Self::CaseOpened => "case_opened",
            Self::CaseTransition => "case_transition",
            Self::CvdReportReceived => "cvd_report_received",
        }
    }
}

impl std::fmt::Display for NotificationKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for NotificationKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<_> = Self::ALL.iter().map(|k| k.as_str()).collect();
                format!(
                    "unknown notification kind `{s}` (expected one of {})",
                    names.join(", ")
                )
            })
    }
}

/// Longest idempotency key accepted; it travels in a mail header, so it stays well inside the
/// 998-character line limit of RFC 5322 section 2.1.1.
pub const MAX_KEY_LEN: usize = 200;

/// Why a notification could not be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    #[error(
        "notification key is empty (expected a stable id such as `case-42/notice-30/breached`)"
    )]
    EmptyKey,
    #[error("notification key is {len} characters long (expected at most {MAX_KEY_LEN})")]
    KeyTooLong { len: usize },
    #[error("notification key `{key}` has a character other than visible ASCII at position {position} (expected letters, digits and punctuation, no spaces)")]
    KeyCharacter { key: String, position: usize },
}

/// One event to tell people about.
#[derive(Debug, Clone, PartialEq)]
pub struct Notification {
    kind: NotificationKind,
    subject: String,
    body: String,
    payload: serde_json::Value,
    key: String,
    created_at: OffsetDateTime,
}

impl Notification {
    /// A notification created now, with a `null` payload.
    ///
    /// `key` identifies the *event*, not the attempt: the same clock breaching for the same case
    /// must always produce the same key, so a receiver that sees it twice (a retry after a lost
    /// answer, a second run of the clock job) can drop the copy. It is sent as the
    /// `X-Postmarket-Key` header (mail and webhook), in the webhook body and, hashed, as the
    /// mail's Message-ID. Visible ASCII only, at most [`MAX_KEY_LEN`] characters.
    ///
    /// A subject spanning lines is joined into one: a header cannot hold a line break.
    pub fn new(
        kind: NotificationKind,
        key: impl Into<String>,
        subject: impl Into<String>,
        body: impl Into<String>,
    ) -> Result<Self, NotificationError> {
        let key = key.into();
        if key.is_empty() {
            return Err(NotificationError::EmptyKey);
        }
        if key.len() > MAX_KEY_LEN {
            return Err(NotificationError::KeyTooLong { len: key.len() });
        }
        if let Some(position) = key.chars().position(|c| !c.is_ascii_graphic()) {
            return Err(NotificationError::KeyCharacter { key, position });
        }
        let subject: String = subject.into();
        let subject = subject.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(Self {
            kind,
            subject,
            body: body.into(),
            payload: serde_json::Value::Null,
            key,
            created_at: OffsetDateTime::now_utc(),
        })
    }

    /// The machine-readable details (case id, clock, due date, ...), sent as `payload`.
    pub fn with_payload(mut self, payload: serde_json::Value) -> Self {
        self.payload = payload;
        self
    }

    /// When the event happened, if not now (e.g. the moment the clock crossed its threshold).
    pub fn with_created_at(mut self, at: OffsetDateTime) -> Self {
        self.created_at = at;
        self
    }

    pub fn kind(&self) -> NotificationKind {
        self.kind
    }
    pub fn subject(&self) -> &str {
        &self.subject
    }
    pub fn body(&self) -> &str {
        &self.body
    }
    pub fn payload(&self) -> &serde_json::Value {
        &self.payload
    }
    pub fn key(&self) -> &str {
        &self.key
    }
    pub fn created_at(&self) -> OffsetDateTime {
        self.created_at
    }

    /// `created_at` as RFC 3339 in UTC.
    pub fn created_at_rfc3339(&self) -> String {
        self.created_at
            .to_offset(time::UtcOffset::UTC)
            .format(&Rfc3339)
            .unwrap_or_else(|_| self.created_at.unix_timestamp().to_string())
    }

    /// The webhook body: `{kind, subject, body, payload, key, created_at}` as compact JSON.
    pub fn to_json(&self) -> Vec<u8> {
        #[derive(Serialize)]
        struct Wire<'a> {
            kind: NotificationKind,
            subject: &'a str,
            body: &'a str,
            payload: &'a serde_json::Value,
            key: &'a str,
            created_at: String,
        }
        let wire = Wire {
            kind: self.kind,
            subject: &self.subject,
            body: &self.body,
            payload: &self.payload,
            key: &self.key,
            created_at: self.created_at_rfc3339(),
        };
        // Serialising plain strings and a `Value` cannot fail.
        serde_json::to_vec(&wire).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_must_be_visible_ascii_and_bounded() {
        let k = NotificationKind::ClockBreached;
        assert_eq!(
            Notification::new(k, "", "s", "b"),
            Err(NotificationError::EmptyKey)
        );
        assert!(matches!(
            Notification::new(k, "a b", "s", "b"),
            Err(NotificationError::KeyCharacter { position: 1, .. })
        ));
        assert!(matches!(
            Notification::new(k, "a\r\nBcc: x@y", "s", "b"),
            Err(NotificationError::KeyCharacter { position: 1, .. })
        ));
        assert!(matches!(
            Notification::new(k, "x".repeat(MAX_KEY_LEN + 1), "s", "b"),
            Err(NotificationError::KeyTooLong { .. })
        ));
        assert!(Notification::new(k, "case-7/notice-30/breached", "s", "b").is_ok());
    }

    #[test]
    fn a_subject_never_spans_lines() {
        let n = Notification::new(
            NotificationKind::CaseOpened,
            "k",
            "Case 7\r\nBcc: victim@example.org",
            "b",
        )
        .unwrap();
        assert_eq!(n.subject(), "Case 7 Bcc: victim@example.org");
    }

    #[test]
    fn json_has_the_documented_fields() {
        let at = time::macros::datetime!(2026-12-02 09:30:00 UTC);
        let n = Notification::new(NotificationKind::ClockDueSoon, "k1", "S", "B")
            .unwrap()
            .with_payload(serde_json::json!({"case": 7}))
            .with_created_at(at);
        let v: serde_json::Value = serde_json::from_slice(&n.to_json()).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"kind": "clock_due_soon", "subject": "S", "body": "B",
                "payload": {"case": 7}, "key": "k1", "created_at": "2026-12-02T09:30:00Z"})
        );
    }

    #[test]
    fn kinds_round_trip_through_their_names() {
        for k in NotificationKind::ALL {
            assert_eq!(k.as_str().parse::<NotificationKind>(), Ok(k));
        }
        assert!("clock_late"
            .parse::<NotificationKind>()
            .unwrap_err()
            .contains("clock_breached"));
    }
}
