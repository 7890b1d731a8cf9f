//! Package URL (purl) parsing, validation and canonicalisation.
//!
//! Implements the parsing and building rules of the purl specification (ECMA-427) together with
//! the per-type normalisation rules of the purl type definitions (case folding of namespace, name
//! and version; PyPI `_` → `-`; required and prohibited namespaces; a few type-specific checks).
//!
//! ```
//! use postmarket_ident::purl::PackageUrl;
//! let p: PackageUrl = "pkg:PYPI/Django_package@1.11.1".parse().unwrap();
//! assert_eq!(p.to_string(), "pkg:pypi/django-package@1.11.1");
//! ```

use std::collections::BTreeMap;
use std::fmt;
use std::str::FromStr;

/// Why a purl string or set of components was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PurlError {
    #[error("purl must start with the scheme 'pkg:'")]
    MissingScheme,
    #[error("purl has no type")]
    MissingType,
    #[error("invalid purl type '{0}': only ASCII letters, digits, '.', '+' and '-' are allowed and it must not start with a digit")]
    InvalidType(String),
    #[error("purl has no name")]
    MissingName,
    #[error("invalid qualifier key '{0}': only ASCII letters, digits, '.', '-' and '_' are allowed and it must not start with a digit")]
    InvalidQualifierKey(String),
    #[error("duplicate qualifier key '{0}'")]
    DuplicateQualifier(String),
    #[error("invalid percent-encoding in '{0}'")]
    InvalidEncoding(String),
    #[error("a namespace segment may not contain '/' once decoded: '{0}'")]
    InvalidNamespaceSegment(String),
    #[error("purl type '{0}' does not allow a namespace")]
    NamespaceProhibited(String),
    #[error("purl type '{0}' requires a namespace")]
    NamespaceRequired(String),
    #[error("purl type '{ty}' requires the qualifier '{key}'")]
    QualifierRequired { ty: String, key: String },
    #[error("purl type '{ty}': {reason}")]
    TypeRule { ty: String, reason: String },
}

/// A parsed and canonicalised package URL. All components are stored decoded and normalised; the
/// [`Display`](fmt::Display) implementation yields the canonical string form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PackageUrl {
    ty: String,
    namespace: Option<String>,
    name: String,
    version: Option<String>,
    qualifiers: BTreeMap<String, String>,
    subpath: Option<String>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum NsRule {
    Optional,
    Required,
    Prohibited,
}

struct TypeRules {
    ns: NsRule,
    lower_ns: bool,
    lower_name: bool,
    lower_version: bool,
}

fn rules_for(ty: &str) -> TypeRules {
    use NsRule::*;
    let ns = match ty {
        "bazel" | "bitnami" | "cargo" | "chrome-extension" | "cocoapods" | "conda" | "cran"
        | "gem" | "hackage" | "julia" | "mlflow" | "nuget" | "oci" | "opam" | "otp" | "pub"
        | "pypi" | "vcpkg" => Prohibited,
        "alpm" | "apk" | "bitbucket" | "composer" | "deb" | "git" | "github" | "golang"
        | "huggingface" | "maven" | "qpkg" | "rpm" | "swift" | "vscode-extension" => Required,
        _ => Optional,
    };
    let lower_ns = matches!(
        ty,
        "alpm"
            | "apk"
            | "bitbucket"
            | "brew"
            | "composer"
            | "deb"
            | "git"
            | "github"
            | "hex"
            | "luarocks"
            | "qpkg"
            | "rpm"
            | "vscode-extension"
            | "yocto"
    );
    let lower_name = matches!(
        ty,
        "alpm"
            | "apk"
            | "bitbucket"
            | "bitnami"
            | "brew"
            | "chrome-extension"
            | "composer"
            | "deb"
            | "git"
            | "github"
            | "hex"
            | "luarocks"
            | "oci"
            | "otp"
            | "pub"
            | "pypi"
            | "vscode-extension"
    );
    let lower_version = matches!(ty, "huggingface" | "oci" | "pypi" | "vscode-extension");
    TypeRules {
        ns,
        lower_ns,
        lower_name,
        lower_version,
    }
}

fn valid_type(ty: &str) -> bool {
    !ty.is_empty()
        && !ty.as_bytes()[0].is_ascii_digit()
        && ty
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'+' || b == b'-')
}

fn valid_qualifier_key(k: &str) -> bool {
    !k.is_empty()
        && !k.as_bytes()[0].is_ascii_digit()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_')
}

/// Percent-decode a purl component. Invalid escapes and non-UTF-8 results are errors.
pub fn percent_decode(s: &str) -> Result<String, PurlError> {
    if !s.contains('%') {
        return Ok(s.to_string());
    }
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = |c: u8| (c as char).to_digit(16);
            match (
                b.get(i + 1).copied().and_then(hex),
                b.get(i + 2).copied().and_then(hex),
            ) {
                (Some(h), Some(l)) => {
                    out.push((h * 16 + l) as u8);
                    i += 3;
                }
                _ => return Err(PurlError::InvalidEncoding(s.to_string())),
            }
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PurlError::InvalidEncoding(s.to_string()))
}

/// Percent-encode a purl component for the canonical form: everything except ASCII letters,
/// digits, `.`, `-`, `_`, `~` and `:` is encoded (and `/` when `keep_slash`).
fn encode_into(out: &mut String, s: &str, keep_slash: bool) {
    for &b in s.as_bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'.' | b'-' | b'_' | b'~' | b':')
            || (keep_slash && b == b'/');
        if keep {
            out.push(b as char);
        } else {
            out.push('%');
            out.push(
                char::from_digit((b >> 4) as u32, 16)
                    .unwrap_or('0')
                    .to_ascii_uppercase(),
            );
            out.push(
                char::from_digit((b & 15) as u32, 16)
                    .unwrap_or('0')
                    .to_ascii_uppercase(),
            );
        }
    }
}

fn clean_subpath(raw_segments: &[String]) -> Option<String> {
    let segs: Vec<&str> = raw_segments
        .iter()
        .map(|s| s.as_str())
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .collect();
    if segs.is_empty() {
        None
    } else {
        Some(segs.join("/"))
    }
}

impl PackageUrl {
    /// Parse a purl string and return its canonical, validated form.
    pub fn parse(input: &str) -> Result<Self, PurlError> {
        let s = input.trim();
        // subpath
        let (rest, subpath) = match s.rfind('#') {
            Some(i) => (&s[..i], Some(&s[i + 1..])),
            None => (s, None),
        };
        let subpath = match subpath {
            Some(sp) => {
                let segs = sp
                    .split('/')
                    .map(percent_decode)
                    .collect::<Result<Vec<_>, _>>()?;
                clean_subpath(&segs)
            }
            None => None,
        };
        // qualifiers
        let (rest, quals) = match rest.rfind('?') {
            Some(i) => (&rest[..i], Some(&rest[i + 1..])),
            None => (rest, None),
        };
        let mut qualifiers = BTreeMap::new();
        if let Some(q) = quals {
            for pair in q.split('&').filter(|p| !p.is_empty()) {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                let key = percent_decode(k)?.to_ascii_lowercase();
                if !valid_qualifier_key(&key) {
                    return Err(PurlError::InvalidQualifierKey(key));
                }
                let value = percent_decode(v)?;
                if value.is_empty() {
                    continue;
                }
                if qualifiers.insert(key.clone(), value).is_some() {
                    return Err(PurlError::DuplicateQualifier(key));
                }
            }
        }
        // scheme
        let (scheme, rest) = rest.split_once(':').ok_or(PurlError::MissingScheme)?;
        if !scheme.eq_ignore_ascii_case("pkg") {
            return Err(PurlError::MissingScheme);
        }
        let rest = rest.trim_start_matches('/');
        // type
        let (ty, rest) = rest.split_once('/').ok_or(PurlError::MissingType)?;
        let ty = ty.to_ascii_lowercase();
        if ty.is_empty() {
            return Err(PurlError::MissingType);
        }
        if !valid_type(&ty) {
            return Err(PurlError::InvalidType(ty));
        }
        let rest = rest.trim_end_matches('/');
        // version: an '@' after the last '/'
        let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
        let (rest, version) = match rest[last_slash..].rfind('@') {
            Some(i) => (
                &rest[..last_slash + i],
                Some(percent_decode(&rest[last_slash + i + 1..])?),
            ),
            None => (rest, None),
        };
        let segments: Vec<&str> = rest.split('/').collect();
        let (ns_segs, name_raw): (Vec<&str>, String) = if ty == "git" && segments.len() > 1 {
            // git: the namespace is the host, the name is the repository path on that host
            let name = segments[1..]
                .iter()
                .filter(|s| !s.is_empty())
                .map(|s| percent_decode(s))
                .collect::<Result<Vec<_>, _>>()?
                .join("/");
            (vec![segments[0]], name)
        } else {
            let (name, ns) = segments.split_last().ok_or(PurlError::MissingName)?;
            (ns.to_vec(), percent_decode(name)?)
        };
        let mut ns_decoded = Vec::new();
        for seg in ns_segs.into_iter().filter(|s| !s.is_empty()) {
            let d = percent_decode(seg)?;
            if d.contains('/') {
                return Err(PurlError::InvalidNamespaceSegment(d));
            }
            ns_decoded.push(d);
        }
        let namespace = if ns_decoded.is_empty() {
            None
        } else {
            Some(ns_decoded.join("/"))
        };
        Self::finish(ty, namespace, name_raw, version, qualifiers, subpath)
    }

    /// Build a purl from decoded components (the purl spec's "build" operation), applying the
    /// same normalisation and validation as [`PackageUrl::parse`].
    pub fn new(
        ty: &str,
        namespace: Option<&str>,
        name: &str,
        version: Option<&str>,
        qualifiers: impl IntoIterator<Item = (String, String)>,
        subpath: Option<&str>,
    ) -> Result<Self, PurlError> {
        let ty = ty.to_ascii_lowercase();
        if ty.is_empty() {
            return Err(PurlError::MissingType);
        }
        if !valid_type(&ty) {
            return Err(PurlError::InvalidType(ty));
        }
        let namespace = namespace
            .map(|n| {
                n.split('/')
                    .filter(|s| !s.is_empty())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .filter(|n| !n.is_empty());
        let mut q = BTreeMap::new();
        for (k, v) in qualifiers {
            let key = k.to_ascii_lowercase();
            if !valid_qualifier_key(&key) {
                return Err(PurlError::InvalidQualifierKey(key));
            }
            if v.is_empty() {
                continue;
            }
            if q.insert(key.clone(), v).is_some() {
                return Err(PurlError::DuplicateQualifier(key));
            }
        }
        let subpath = subpath
            .and_then(|s| clean_subpath(&s.split('/').map(|x| x.to_string()).collect::<Vec<_>>()));
        Self::finish(
            ty,
            namespace,
            name.to_string(),
            version.map(|v| v.to_string()),
            q,
            subpath,
        )
    }

    fn finish(
        ty: String,
        mut namespace: Option<String>,
        mut name: String,
        mut version: Option<String>,
        qualifiers: BTreeMap<String, String>,
        subpath: Option<String>,
    ) -> Result<Self, PurlError> {
        let rules = rules_for(&ty);
        if name.is_empty() {
            return Err(PurlError::MissingName);
        }
        match (rules.ns, &namespace) {
            (NsRule::Prohibited, Some(_)) => return Err(PurlError::NamespaceProhibited(ty)),
            (NsRule::Required, None) => return Err(PurlError::NamespaceRequired(ty)),
            _ => {}
        }
        if rules.lower_ns {
            namespace = namespace.map(|n| n.to_lowercase());
        }
        if rules.lower_name {
            name = name.to_lowercase();
        }
        if rules.lower_version {
            version = version.map(|v| v.to_lowercase());
        }
        if version.as_deref() == Some("") {
            version = None;
        }
        let rule_err = |reason: &str| PurlError::TypeRule {
            ty: ty.clone(),
            reason: reason.to_string(),
        };
        match ty.as_str() {
            "pypi" => name = name.replace('_', "-"),
            "mlflow"
                if qualifiers
                    .get("repository_url")
                    .is_some_and(|u| u.to_ascii_lowercase().contains("databricks")) =>
            {
                name = name.to_lowercase();
            }
            "cpan" if name.contains("::") => {
                return Err(rule_err(
                    "the name is a distribution name and may not contain '::'",
                ));
            }
            "julia" if !qualifiers.contains_key("uuid") => {
                return Err(PurlError::QualifierRequired {
                    ty,
                    key: "uuid".into(),
                });
            }
            "chrome-extension" => {
                if name.len() != 32 || !name.bytes().all(|b| (b'a'..=b'p').contains(&b)) {
                    return Err(rule_err(
                        "the name must be a 32-character extension id of letters a-p",
                    ));
                }
                if let Some(v) = &version {
                    let parts: Vec<&str> = v.split('.').collect();
                    let ok = parts.len() <= 4
                        && parts.iter().all(|p| {
                            !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit())
                        });
                    if !ok {
                        return Err(rule_err(
                            "the version must be one to four dot-separated integers",
                        ));
                    }
                }
            }
            _ => {}
        }
        Ok(PackageUrl {
            ty,
            namespace,
            name,
            version,
            qualifiers,
            subpath,
        })
    }

    /// The (lowercase) package type, e.g. `npm`.
    pub fn ty(&self) -> &str {
        &self.ty
    }
    /// The decoded namespace (segments joined by `/`), if any.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }
    /// The decoded name.
    pub fn name(&self) -> &str {
        &self.name
    }
    /// The decoded version, if any.
    pub fn version(&self) -> Option<&str> {
        self.version.as_deref()
    }
    /// The decoded qualifiers, sorted by key.
    pub fn qualifiers(&self) -> &BTreeMap<String, String> {
        &self.qualifiers
    }
    /// The decoded subpath, if any.
    pub fn subpath(&self) -> Option<&str> {
        self.subpath.as_deref()
    }
    /// The same purl without version, qualifiers and subpath (useful for matching).
    pub fn without_version(&self) -> PackageUrl {
        PackageUrl {
            ty: self.ty.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
            version: None,
            qualifiers: BTreeMap::new(),
            subpath: None,
        }
    }
}

impl fmt::Display for PackageUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::with_capacity(64);
        out.push_str("pkg:");
        out.push_str(&self.ty);
        out.push('/');
        if let Some(ns) = &self.namespace {
            for seg in ns.split('/') {
                encode_into(&mut out, seg, false);
                out.push('/');
            }
        }
        // git names are repository paths and keep their '/'
        encode_into(&mut out, &self.name, self.ty == "git");
        if let Some(v) = &self.version {
            out.push('@');
            encode_into(&mut out, v, false);
        }
        if !self.qualifiers.is_empty() {
            out.push('?');
            for (i, (k, v)) in self.qualifiers.iter().enumerate() {
                if i > 0 {
                    out.push('&');
                }
                out.push_str(k);
                out.push('=');
                encode_into(&mut out, v, false);
            }
        }
        if let Some(sp) = &self.subpath {
            out.push('#');
            for (i, seg) in sp.split('/').enumerate() {
                if i > 0 {
                    out.push('/');
                }
                encode_into(&mut out, seg, false);
            }
        }
        f.write_str(&out)
    }
}

impl FromStr for PackageUrl {
    type Err = PurlError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PackageUrl::parse(s)
    }
}

impl serde::Serialize for PackageUrl {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for PackageUrl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        PackageUrl::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_forms() {
        let cases = [
            ("pkg:npm/@babel/core@7.0.0", "pkg:npm/%40babel/core@7.0.0"),
            (
                "PKG:GitHub/Package-URL/purl-spec",
                "pkg:github/package-url/purl-spec",
            ),
            ("pkg:pypi/Foo_Bar@1.0", "pkg:pypi/foo-bar@1.0"),
            (
                "pkg:deb/debian/curl@7.50.3-1?distro=jessie&arch=i386",
                "pkg:deb/debian/curl@7.50.3-1?arch=i386&distro=jessie",
            ),
            ("pkg:generic/x@1?empty=", "pkg:generic/x@1"),
            (
                "pkg:golang/github.com/a/b#/x/./y/",
                "pkg:golang/github.com/a/b#x/y",
            ),
        ];
        for (i, o) in cases {
            assert_eq!(PackageUrl::parse(i).unwrap().to_string(), o, "{i}");
        }
    }

    #[test]
    fn errors() {
        assert_eq!(PackageUrl::parse("npm/x"), Err(PurlError::MissingScheme));
        assert_eq!(PackageUrl::parse("pkg:x"), Err(PurlError::MissingType));
        assert!(matches!(
            PackageUrl::parse("pkg:1x/y"),
            Err(PurlError::InvalidType(_))
        ));
        assert_eq!(
            PackageUrl::parse("pkg:maven/x"),
            Err(PurlError::NamespaceRequired("maven".into()))
        );
        assert!(matches!(
            PackageUrl::parse("pkg:generic/x%zz"),
            Err(PurlError::InvalidEncoding(_))
        ));
    }
}
