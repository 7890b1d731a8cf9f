use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::{check_label, Date, DeviceName, InvalidValue};

/// A release's version as the manufacturer labels it (firmware and software versions follow no
/// single scheme, so this is kept verbatim after trimming).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ReleaseVersion(String);

impl FromStr for ReleaseVersion {
    type Err = InvalidValue;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        check_label("release version", s, 100, "1 to 100 printable characters").map(Self)
    }
}

impl TryFrom<String> for ReleaseVersion {
    type Error = InvalidValue;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        s.parse()
    }
}

impl From<ReleaseVersion> for String {
    fn from(v: ReleaseVersion) -> Self {
        v.0
    }
}

impl ReleaseVersion {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ReleaseVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// What a user supplies to record a device release.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewRelease {
    pub device: DeviceName,
    pub version: ReleaseVersion,
    pub released_at: Option<Date>,
    /// FDA's premarket guidance asks for the end of support of the device and its components.
    pub end_of_support: Option<Date>,
    /// Units in the field; FDA's deployment metric needs it.
    pub install_base: i64,
}

impl NewRelease {
    pub fn validate(&self) -> Result<(), InvalidValue> {
        if self.install_base < 0 {
            return Err(InvalidValue::new(
                "install base",
                self.install_base.to_string(),
                "a count of units in the field, 0 or more",
            ));
        }
        if let (Some(released), Some(eos)) = (self.released_at, self.end_of_support) {
            if eos < released {
                return Err(InvalidValue::new(
                    "end of support",
                    eos.to_string(),
                    "a date on or after the release date",
                ));
            }
        }
        Ok(())
    }
}

/// A release as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Release {
    pub id: i64,
    pub device_id: i64,
    pub device: DeviceName,
    pub version: ReleaseVersion,
    pub released_at: Option<Date>,
    pub end_of_support: Option<Date>,
    pub install_base: i64,
    pub created_at: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn release(released: &str, eos: &str, base: i64) -> NewRelease {
        NewRelease {
            device: "Pump".parse().unwrap(),
            version: "1.0".parse().unwrap(),
            released_at: Some(released.parse().unwrap()),
            end_of_support: Some(eos.parse().unwrap()),
            install_base: base,
        }
    }

    #[test]
    fn end_of_support_before_release_is_refused() {
        assert!(release("2024-01-01", "2023-12-31", 0).validate().is_err());
        release("2024-01-01", "2024-01-01", 0).validate().unwrap();
    }

    #[test]
    fn negative_install_base_is_refused() {
        let err = release("2024-01-01", "2030-01-01", -1)
            .validate()
            .unwrap_err();
        assert!(err.to_string().contains("install base"));
    }
}
