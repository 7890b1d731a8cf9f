//! Postmarket's domain model (DESIGN.md §3): the nouns every other crate speaks.
//!
//! Values that arrive as text (a device class, a date, a device name) are newtypes or enums with
//! `FromStr`, so a bad value is refused where it enters, with a message that says what was expected.

mod date;
mod device;
mod release;

pub use date::{Date, DateError};
pub use device::{Device, DeviceClass, DeviceName, NewDevice, Pathway};
pub use release::{NewRelease, Release, ReleaseVersion};

/// A value that did not have the expected form, with what was expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {what} {value:?}: expected {expected}")]
pub struct InvalidValue {
    pub what: &'static str,
    pub value: String,
    pub expected: &'static str,
}

impl InvalidValue {
    pub fn new(what: &'static str, value: impl Into<String>, expected: &'static str) -> Self {
        Self {
            what,
            value: value.into(),
            expected,
        }
    }
}

/// Who did something: a user name, `cli:<login>`, or `system` for scheduled work.
/// Every audit event names one (21 CFR Part 11 style attribution).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct Actor(String);

impl Actor {
    pub fn new(name: impl Into<String>) -> Result<Self, InvalidValue> {
        let name = name.into();
        let trimmed = name.trim();
        if trimmed.is_empty() || trimmed.len() > 200 || trimmed.chars().any(char::is_control) {
            return Err(InvalidValue::new(
                "actor",
                name,
                "a non-empty name of at most 200 printable characters",
            ));
        }
        Ok(Self(trimmed.to_string()))
    }

    pub fn system() -> Self {
        Self("system".into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for Actor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Shared check for short identifying text (device names, release versions).
pub(crate) fn check_label(
    what: &'static str,
    value: &str,
    max: usize,
    expected: &'static str,
) -> Result<String, InvalidValue> {
    let trimmed = value.trim();
    if trimmed.is_empty() || trimmed.chars().count() > max || trimmed.chars().any(char::is_control)
    {
        return Err(InvalidValue::new(what, value, expected));
    }
    Ok(trimmed.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actor_rejects_empty_and_control_characters() {
        assert!(Actor::new("  ").is_err());
        assert!(Actor::new("a\u{7}b").is_err());
        assert_eq!(Actor::new(" alice ").unwrap().as_str(), "alice");
    }
}
