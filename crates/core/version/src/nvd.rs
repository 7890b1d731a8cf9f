//! NVD CPE match bounds.
//!
//! An NVD `cpeMatch` entry names a CPE (whose version field is an exact
//! version, `*` = any, or `-` = not applicable) and optional bounds
//! `versionStartIncluding` / `versionStartExcluding` /
//! `versionEndIncluding` / `versionEndExcluding`.
//!
//! Evaluation: when any bound is present every present bound must hold (and
//! an exact CPE version, if also present, must be equal). Without bounds:
//! `*` (or an empty field) matches every version; an exact version matches
//! versions equal under the scheme; `-` (NA) matches only a component that
//! itself has no version (`""` or `-`). Comparisons use the caller's scheme
//! (use [`Scheme::Generic`] for CPE-only components).

use crate::explain::{invalid_note, Explanation, Verdict};
use crate::{Scheme, Version};
use serde::{Deserialize, Serialize};

/// NVD version bounds for one CPE match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NvdBounds {
    /// The CPE's version field (`*`, `-` or an exact version); `None` = `*`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cpe_version: Option<String>,
    /// `versionStartIncluding`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_start_including: Option<String>,
    /// `versionStartExcluding`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_start_excluding: Option<String>,
    /// `versionEndIncluding`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_end_including: Option<String>,
    /// `versionEndExcluding`
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_end_excluding: Option<String>,
}

/// Split a CPE 2.3 formatted string into its components, honouring `\`
/// escapes, and unescape them.
pub fn cpe23_fields(cpe: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut esc = false;
    for c in cpe.chars() {
        if esc {
            cur.push(c);
            esc = false;
        } else if c == '\\' {
            esc = true;
        } else if c == ':' {
            out.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    out.push(cur);
    out
}

impl NvdBounds {
    /// Bounds with the version field taken from a CPE 2.3 string
    /// (`cpe:2.3:a:vendor:product:VERSION:…`).
    pub fn from_cpe23(cpe: &str) -> NvdBounds {
        let f = cpe23_fields(cpe);
        NvdBounds {
            cpe_version: f.get(5).cloned(),
            ..NvdBounds::default()
        }
    }

    fn has_bounds(&self) -> bool {
        self.version_start_including.is_some()
            || self.version_start_excluding.is_some()
            || self.version_end_including.is_some()
            || self.version_end_excluding.is_some()
    }

    /// Is `version` matched?
    pub fn contains(&self, scheme: Scheme, version: &str) -> bool {
        self.explain(scheme, version).is_affected()
    }

    /// Decide and explain.
    pub fn explain(&self, scheme: Scheme, version: &str) -> Explanation {
        let v = Version::new(scheme, version);
        let mut notes: Vec<String> = invalid_note(&v).into_iter().collect();
        let exact = self
            .cpe_version
            .as_deref()
            .filter(|s| !s.is_empty() && *s != "*");
        let mk = |verdict: bool, text: String, notes: Vec<String>| Explanation {
            verdict: if verdict {
                Verdict::Affected
            } else {
                Verdict::NotAffected
            },
            scheme: Some(scheme),
            source: "nvd",
            text,
            notes,
        };
        if exact == Some("-") {
            let na = version.is_empty() || version == "-";
            notes.clear();
            return mk(
                na,
                if na {
                    "component has no version and the CPE version is '-' (not applicable)"
                        .to_string()
                } else {
                    format!("CPE version is '-' (not applicable); {version} is a concrete version")
                },
                notes,
            );
        }
        if !self.has_bounds() {
            return match exact {
                None => mk(
                    true,
                    format!("{version} matches CPE version * (any version)"),
                    notes,
                ),
                Some(e) => {
                    let eq = v.compare(&Version::new(scheme, e)).is_eq();
                    mk(
                        eq,
                        format!("{version} {} CPE version {e}", if eq { "=" } else { "!=" }),
                        notes,
                    )
                }
            };
        }
        let mut parts = Vec::new();
        let mut ok = true;
        let mut check =
            |name: &str, bound: &Option<String>, op: &str, pass: fn(std::cmp::Ordering) -> bool| {
                if let Some(b) = bound {
                    let o = v.compare(&Version::new(scheme, b));
                    let good = pass(o);
                    ok &= good;
                    let shown = if good {
                        op.to_string()
                    } else {
                        negate(op).to_string()
                    };
                    parts.push(format!("{version} {shown} {b} ({name})"));
                }
            };
        check(
            "versionStartIncluding",
            &self.version_start_including,
            ">=",
            |o| o.is_ge(),
        );
        check(
            "versionStartExcluding",
            &self.version_start_excluding,
            ">",
            |o| o.is_gt(),
        );
        check(
            "versionEndIncluding",
            &self.version_end_including,
            "<=",
            |o| o.is_le(),
        );
        check(
            "versionEndExcluding",
            &self.version_end_excluding,
            "<",
            |o| o.is_lt(),
        );
        if let Some(e) = exact {
            let eq = v.compare(&Version::new(scheme, e)).is_eq();
            ok &= eq;
            parts.push(format!(
                "{version} {} CPE version {e}",
                if eq { "=" } else { "!=" }
            ));
        }
        mk(ok, parts.join(" and "), notes)
    }
}

fn negate(op: &str) -> &'static str {
    match op {
        ">=" => "<",
        ">" => "<=",
        "<=" => ">",
        _ => ">=",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds() {
        let b = NvdBounds {
            version_start_including: Some("2.0".into()),
            version_end_excluding: Some("2.4.10".into()),
            ..Default::default()
        };
        assert!(b.contains(Scheme::Generic, "2.4.9"));
        assert!(!b.contains(Scheme::Generic, "2.4.10"));
        assert!(!b.contains(Scheme::Generic, "1.9"));
        let e = b.explain(Scheme::Generic, "2.4.9");
        assert_eq!(
            e.text,
            "2.4.9 >= 2.0 (versionStartIncluding) and 2.4.9 < 2.4.10 (versionEndExcluding)"
        );
        let e = b.explain(Scheme::Generic, "2.4.10");
        assert!(e.text.contains("2.4.10 >= 2.4.10 (versionEndExcluding)"));
    }

    #[test]
    fn exact_any_na() {
        let b = NvdBounds::from_cpe23("cpe:2.3:a:openssl:openssl:1.0.2k:*:*:*:*:*:*:*");
        assert!(b.contains(Scheme::Generic, "1.0.2k"));
        assert!(!b.contains(Scheme::Generic, "1.0.2l"));
        let b = NvdBounds::from_cpe23("cpe:2.3:a:x:y:*:*:*:*:*:*:*:*");
        assert!(b.contains(Scheme::Generic, "9.9"));
        let b = NvdBounds::from_cpe23("cpe:2.3:o:x:y:-:*:*:*:*:*:*:*");
        assert!(!b.contains(Scheme::Generic, "1.0"));
        assert!(b.contains(Scheme::Generic, "-"));
        assert_eq!(cpe23_fields(r"cpe:2.3:a:x:y:1.0\:beta:*")[5], "1.0:beta");
        let b = NvdBounds {
            cpe_version: Some("*".into()),
            version_end_including: Some("5.1".into()),
            ..Default::default()
        };
        assert!(b.contains(Scheme::Generic, "v5.1"));
        assert!(!b.contains(Scheme::Generic, "5.1.1"));
    }
}
