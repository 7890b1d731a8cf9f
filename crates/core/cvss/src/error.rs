//! Typed parse errors. Every variant names the offending metric, value or text.

use thiserror::Error;

/// Why a CVSS vector string was refused.
///
/// The `version` fields hold the CVSS version the vector was being parsed as
/// (`"2.0"`, `"3.0"`, `"3.1"` or `"4.0"`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CvssError {
    /// The input was empty (or only whitespace).
    #[error("empty CVSS vector")]
    Empty,

    /// The input starts with something that looks like a prefix but is not
    /// one of `CVSS:3.0/`, `CVSS:3.1/`, `CVSS:4.0/` (e.g. `cvss:3.1/`, `CVSS3.1/`).
    #[error("bad CVSS prefix {found:?}: expected \"CVSS:3.0/\", \"CVSS:3.1/\", \"CVSS:4.0/\" or a bare CVSS 2.0 vector")]
    BadPrefix {
        /// The first `/`-separated component as found.
        found: String,
    },

    /// A well-formed `CVSS:x.y` prefix naming a version this crate does not score.
    #[error("unsupported CVSS version {version:?} in prefix (supported: 3.0, 3.1, 4.0; 2.0 has no prefix)")]
    UnsupportedVersion {
        /// The version text after `CVSS:`.
        version: String,
    },

    /// A `CVSS:x.y` component appeared somewhere other than the start of the vector.
    /// The prefix must come first (this is the one ordering rule enforced).
    #[error("prefix {component:?} must be the first component, found at position {position}")]
    MisplacedPrefix {
        /// The prefix component as found.
        component: String,
        /// 1-based component position.
        position: usize,
    },

    /// A component between two `/` was empty (leading, trailing or doubled `/`).
    #[error("empty component at position {position} (leading, trailing or doubled '/')")]
    EmptyComponent {
        /// 1-based component position (the prefix, if any, is position 1).
        position: usize,
    },

    /// A component without exactly one `:` separating metric and value.
    #[error("malformed component {component:?}: expected METRIC:VALUE")]
    MalformedComponent {
        /// The component as found.
        component: String,
    },

    /// A metric abbreviation this CVSS version does not define.
    #[error("unknown metric {metric:?} for CVSS {version}")]
    UnknownMetric {
        /// CVSS version being parsed.
        version: &'static str,
        /// The metric abbreviation as found.
        metric: String,
    },

    /// A value the metric does not allow.
    #[error("unknown value {value:?} for metric {metric} in CVSS {version} (allowed: {allowed})")]
    UnknownValue {
        /// CVSS version being parsed.
        version: &'static str,
        /// The metric abbreviation.
        metric: &'static str,
        /// The value as found.
        value: String,
        /// The allowed values, `/`-separated.
        allowed: String,
    },

    /// The same metric appeared twice.
    #[error("duplicate metric {metric} in CVSS {version} vector")]
    DuplicateMetric {
        /// CVSS version being parsed.
        version: &'static str,
        /// The repeated metric abbreviation.
        metric: &'static str,
    },

    /// A mandatory (base) metric is absent.
    #[error("missing mandatory metric {metric} in CVSS {version} vector")]
    MissingMetric {
        /// CVSS version being parsed.
        version: &'static str,
        /// The first missing metric, in specification order.
        metric: &'static str,
    },

    /// A metric value that is syntactically allowed but not in this position
    /// (the Not Defined value `X` / `ND` given for a mandatory base metric).
    #[error(
        "metric {metric} is mandatory and cannot be {value:?} (Not Defined) in CVSS {version}"
    )]
    NotDefinedMandatory {
        /// CVSS version being parsed.
        version: &'static str,
        /// The base metric.
        metric: &'static str,
        /// The value found (`X` or `ND`).
        value: String,
    },
}

impl CvssError {
    /// The metric (or offending text) this error is about, if any.
    pub fn metric(&self) -> Option<&str> {
        match self {
            CvssError::Empty
            | CvssError::EmptyComponent { .. }
            | CvssError::UnsupportedVersion { .. } => None,
            CvssError::BadPrefix { found } => Some(found),
            CvssError::MisplacedPrefix { component, .. } => Some(component),
            CvssError::MalformedComponent { component } => Some(component),
            CvssError::UnknownMetric { metric, .. } => Some(metric),
            CvssError::UnknownValue { metric, .. }
            | CvssError::DuplicateMetric { metric, .. }
            | CvssError::MissingMetric { metric, .. }
            | CvssError::NotDefinedMandatory { metric, .. } => Some(metric),
        }
    }
}
