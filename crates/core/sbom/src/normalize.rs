//! Shared normalisation used by every parser: purl/CPE validation, FDA support-level and
//! end-of-support extraction, and the document-wide checks (names, duplicate refs, dangling
//! dependency refs).

use crate::diag::{Code, Diagnostic, Severity};
use crate::model::{Component, SupportLevel};
use postmarket_ident::{Cpe23, PackageUrl};
use std::collections::{HashMap, HashSet};

/// Property / annotation names read as the FDA support level (compared case-insensitively after
/// dropping everything but letters and digits). `postmarket:support_level` is ours; `Level of
/// Support` is what the real medical-device SBOMs use.
pub const SUPPORT_LEVEL_NAMES: &[&str] = &[
    "postmarket:support_level",
    "Level of Support",
    "Support Level",
    "support_level",
    "cdx:support_level",
    "fda:support_level",
];
/// Property / annotation names read as the end-of-support date. `postmarket:end_of_support` is
/// ours; `End-of-Support` is what the real medical-device SBOMs use.
pub const END_OF_SUPPORT_NAMES: &[&str] = &[
    "postmarket:end_of_support",
    "End-of-Support",
    "End of Support",
    "End of Support Date",
    "end_of_support",
    "cdx:end_of_support",
    "fda:end_of_support",
];

/// Our own property names (values are validated strictly).
pub const PROP_SUPPORT_LEVEL: &str = "postmarket:support_level";
pub const PROP_END_OF_SUPPORT: &str = "postmarket:end_of_support";

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// [`SUPPORT_LEVEL_NAMES`] squashed (lowercase letters and digits only).
const SUPPORT_LEVEL_SQUASHED: &[&str] = &[
    "postmarketsupportlevel",
    "levelofsupport",
    "supportlevel",
    "cdxsupportlevel",
    "fdasupportlevel",
];
/// [`END_OF_SUPPORT_NAMES`] squashed.
const END_OF_SUPPORT_SQUASHED: &[&str] = &[
    "postmarketendofsupport",
    "endofsupport",
    "endofsupportdate",
    "cdxendofsupport",
    "fdaendofsupport",
];

fn is_support_level_name(squashed: &str) -> bool {
    SUPPORT_LEVEL_SQUASHED.contains(&squashed)
}

fn is_eos_name(squashed: &str) -> bool {
    END_OF_SUPPORT_SQUASHED.contains(&squashed)
}

/// A support-level text that is not understood.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unrecognised support level")]
pub struct UnrecognisedSupportLevel;

/// Map a support-level text to a [`SupportLevel`]. `Ok(None)` for explicit unknowns
/// (`unknown`, `n/a`, empty), `Err` for text that is not understood.
pub fn parse_support_level(v: &str) -> Result<Option<SupportLevel>, UnrecognisedSupportLevel> {
    match squash(v).as_str() {
        "maintained" | "activelymaintained" | "active" | "supported" | "activelysupported" => {
            Ok(Some(SupportLevel::Maintained))
        }
        "nolongermaintained" | "notmaintained" | "unmaintained" | "deprecated"
        | "nolongersupported" | "unsupported" | "endoflife" | "eol" => {
            Ok(Some(SupportLevel::NoLongerMaintained))
        }
        "abandoned" | "inactive" => Ok(Some(SupportLevel::Abandoned)),
        "" | "unknown" | "na" | "noassertion" | "none" => Ok(None),
        _ => Err(UnrecognisedSupportLevel),
    }
}

/// Accept `YYYY-MM-DD` optionally followed by a time (`T…`); return the date part when it is a
/// real calendar date.
pub fn parse_date(v: &str) -> Option<String> {
    let v = v.trim();
    let d = v.get(..10)?;
    let rest = &v[10..];
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with('t') || rest.starts_with(' '))
    {
        return None;
    }
    let b = d.as_bytes();
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let num = |r: std::ops::Range<usize>| -> Option<u32> {
        let s = d.get(r)?;
        if s.bytes().all(|c| c.is_ascii_digit()) {
            s.parse().ok()
        } else {
            None
        }
    };
    let (y, m, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let dim = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if day == 0 || day > dim {
        return None;
    }
    Some(d.to_string())
}

/// Collects diagnostics during a parse.
#[derive(Default)]
pub(crate) struct Ctx {
    pub diags: Vec<Diagnostic>,
}

impl Ctx {
    pub fn push(
        &mut self,
        code: Code,
        severity: Severity,
        location: impl Into<String>,
        message: impl Into<String>,
    ) {
        self.diags.push(Diagnostic {
            code,
            severity,
            location: location.into(),
            message: message.into(),
        });
    }

    /// Record a purl; invalid ones raise `invalid-purl` and keep only `purl_raw`.
    pub fn set_purl(&mut self, c: &mut Component, raw: &str, loc: impl FnOnce() -> String) {
        let raw = raw.trim();
        if raw.is_empty() {
            return;
        }
        c.purl_raw = Some(raw.to_string());
        match PackageUrl::parse(raw) {
            Ok(p) => c.purl = Some(p.to_string()),
            Err(e) => {
                c.purl = None;
                self.push(
                    Code::InvalidPurl,
                    Severity::Warning,
                    loc(),
                    format!("invalid purl '{raw}': {e}"),
                );
            }
        }
    }

    /// Record a CPE; invalid ones raise `invalid-cpe` and are kept as written.
    pub fn set_cpe(&mut self, c: &mut Component, raw: &str, loc: impl FnOnce() -> String) {
        let raw = raw.trim();
        if raw.is_empty() {
            return;
        }
        if let Err(e) = Cpe23::parse(raw) {
            self.push(
                Code::InvalidCpe,
                Severity::Warning,
                loc(),
                format!("invalid CPE 2.3 name '{raw}': {e}"),
            );
        }
        c.cpe = Some(raw.to_string());
    }

    /// Interpret a property / annotation. Returns `true` if it was a support property.
    /// Our own `postmarket:*` names win over the aliases.
    pub fn apply_property(
        &mut self,
        c: &mut Component,
        name: &str,
        value: &str,
        loc: impl FnOnce() -> String,
    ) -> bool {
        let ours_level = name == PROP_SUPPORT_LEVEL;
        let ours_eos = name == PROP_END_OF_SUPPORT;
        let sq = squash(name);
        if is_support_level_name(&sq) {
            if c.support_level_raw.is_some() && !ours_level {
                return true;
            }
            c.support_level_raw = Some(value.to_string());
            match parse_support_level(value) {
                Ok(l) => c.support_level = l,
                Err(UnrecognisedSupportLevel) => {
                    c.support_level = None;
                    if ours_level {
                        self.push(
                            Code::InvalidSupportLevel,
                            Severity::Warning,
                            loc(),
                            format!("support level '{value}' is not one of maintained, no_longer_maintained, abandoned"),
                        );
                    }
                }
            }
            true
        } else if is_eos_name(&sq) {
            if c.end_of_support_raw.is_some() && !ours_eos {
                return true;
            }
            c.end_of_support_raw = Some(value.to_string());
            c.end_of_support = parse_date(value);
            if c.end_of_support.is_none() && ours_eos {
                self.push(
                    Code::InvalidEndOfSupport,
                    Severity::Warning,
                    loc(),
                    format!("end of support '{value}' is not a YYYY-MM-DD date"),
                );
            }
            true
        } else {
            false
        }
    }
}

/// Where each component came from, for document-wide diagnostics.
pub(crate) struct Located<T> {
    pub value: T,
    pub loc: String,
}

/// Document-wide checks: missing names, duplicate refs, dangling dependency refs (dropped),
/// duplicate edges (dropped silently).
pub(crate) fn finish(
    ctx: &mut Ctx,
    components: &[Located<Component>],
    device: Option<&Component>,
    edges: Vec<Located<(String, String)>>,
    extra_known: &HashSet<String>,
) -> Vec<(String, String)> {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    if let Some(d) = device {
        seen.insert(d.bom_ref.as_str(), "metadata component");
    }
    for lc in components {
        let c = &lc.value;
        if c.name.trim().is_empty() {
            ctx.push(
                Code::MissingName,
                Severity::Error,
                lc.loc.clone(),
                format!("component '{}' has no name", c.bom_ref),
            );
        }
        if let Some(prev) = seen.get(c.bom_ref.as_str()) {
            ctx.push(
                Code::DuplicateBomRef,
                Severity::Error,
                lc.loc.clone(),
                format!("duplicate reference '{}' (first used at {prev})", c.bom_ref),
            );
        } else {
            seen.insert(c.bom_ref.as_str(), lc.loc.as_str());
        }
    }
    let mut out = Vec::with_capacity(edges.len());
    let mut dedup: HashSet<(String, String)> = HashSet::new();
    for e in edges {
        let (from, to) = &e.value;
        let mut ok = true;
        for r in [from, to] {
            if !seen.contains_key(r.as_str()) && !extra_known.contains(r) {
                ctx.push(
                    Code::UnknownDependencyRef,
                    Severity::Warning,
                    e.loc.clone(),
                    format!("dependency refers to unknown ref '{r}'; edge {from} -> {to} dropped"),
                );
                ok = false;
                break;
            }
        }
        if ok
            && seen.contains_key(from.as_str())
            && seen.contains_key(to.as_str())
            && dedup.insert(e.value.clone())
        {
            out.push(e.value);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_date("2030-12-31").as_deref(), Some("2030-12-31"));
        assert_eq!(
            parse_date("2028-02-29T00:00:00Z").as_deref(),
            Some("2028-02-29")
        );
        assert_eq!(parse_date("2027-02-29"), None);
        assert_eq!(parse_date("Open source"), None);
        assert_eq!(parse_date("2030-13-01"), None);
        assert_eq!(parse_date("20301-01-01"), None);
    }

    #[test]
    fn squashed_names_match_documented_names() {
        let mut a: Vec<String> = SUPPORT_LEVEL_NAMES.iter().map(|n| squash(n)).collect();
        a.sort();
        a.dedup();
        let mut b: Vec<String> = SUPPORT_LEVEL_SQUASHED
            .iter()
            .map(|n| n.to_string())
            .collect();
        b.sort();
        assert_eq!(a, b);
        let mut a: Vec<String> = END_OF_SUPPORT_NAMES.iter().map(|n| squash(n)).collect();
        a.sort();
        a.dedup();
        let mut b: Vec<String> = END_OF_SUPPORT_SQUASHED
            .iter()
            .map(|n| n.to_string())
            .collect();
        b.sort();
        assert_eq!(a, b);
    }

    #[test]
    fn levels() {
        assert_eq!(
            parse_support_level("Actively maintained"),
            Ok(Some(SupportLevel::Maintained))
        );
        assert_eq!(
            parse_support_level("Deprecated"),
            Ok(Some(SupportLevel::NoLongerMaintained))
        );
        assert_eq!(
            parse_support_level("no_longer_maintained"),
            Ok(Some(SupportLevel::NoLongerMaintained))
        );
        assert_eq!(
            parse_support_level("Inactive"),
            Ok(Some(SupportLevel::Abandoned))
        );
        assert_eq!(parse_support_level("Unknown"), Ok(None));
        assert_eq!(
            parse_support_level("sometimes"),
            Err(UnrecognisedSupportLevel)
        );
    }
}
