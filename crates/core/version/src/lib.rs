//! # postmarket-version
//!
//! Per-ecosystem version orderings and range evaluation for Postmarket's
//! vulnerability matching:
//!
//! * [`Scheme`] — one total ordering per ecosystem family (semver, PEP 440,
//!   Maven, Debian, RPM, Alpine, RubyGems, NuGet, Composer, Pub and a
//!   documented generic scheme for C/firmware versions), selected with
//!   [`Scheme::from_ecosystem`] (OSV names) or [`Scheme::from_purl_type`].
//! * [`Version`] — a version parsed once under a scheme; `Ord` never panics.
//!   Input outside a scheme's grammar is kept and ordered *below* every
//!   valid version of that scheme, by the generic scheme among themselves
//!   ([`Version::is_valid`] tells which).
//! * [`vers::VersRange`] — `vers:` ranges (purl vers spec).
//! * [`osv::OsvAffected`] / [`osv::OsvRange`] — OSV `affected[]` ranges
//!   and version lists, evaluated with the OSV algorithm.
//! * [`nvd::NvdBounds`] — NVD CPE match bounds.
//!
//! Every range check can return an [`Explanation`] that says which bound
//! decided and which comparison was made.

#![warn(missing_docs)]

mod explain;
mod num;
pub mod nvd;
pub mod osv;
pub mod scheme;
pub mod vers;

pub use explain::{Explanation, Verdict};

use scheme::{
    alpine::AlpineVersion, composer::ComposerVersion, debian::DebianVersion,
    generic::GenericVersion, maven::MavenVersion, nuget::NugetVersion, pep440::Pep440Version,
    rpm::RpmVersion, rubygems::GemVersion, semver::SemverVersion,
};
use std::cmp::Ordering;
use std::fmt;

/// A version that does not follow its scheme's grammar.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {scheme} version {input:?}: {reason}")]
pub struct ParseError {
    /// Scheme name.
    pub scheme: &'static str,
    /// The offending input.
    pub input: String,
    /// Why it was rejected.
    pub reason: String,
}

impl ParseError {
    pub(crate) fn new(scheme: &'static str, input: &str, reason: &str) -> ParseError {
        ParseError {
            scheme,
            input: input.to_string(),
            reason: reason.to_string(),
        }
    }
}

/// A version ordering.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Scheme {
    /// SemVer 2.0.0 precedence: npm, crates.io, Go (incl. `v` prefix and
    /// pseudo-versions), Hex, GitHub Actions, SwiftURL.
    Semver,
    /// Dart/Flutter Pub: semver, but build metadata sorts after.
    Pub,
    /// PEP 440 (PyPI).
    Pep440,
    /// Maven `ComparableVersion`.
    Maven,
    /// Debian/Ubuntu (dpkg).
    Debian,
    /// RPM (`rpmvercmp`): Red Hat, Rocky, AlmaLinux, SUSE, openSUSE, Mageia…
    Rpm,
    /// Alpine apk (also Wolfi, Chainguard).
    Alpine,
    /// RubyGems `Gem::Version`.
    RubyGems,
    /// NuGet (SemVer 2 with four numeric parts).
    NuGet,
    /// Packagist/Composer (PHP `version_compare` on normalised versions).
    Composer,
    /// Generic C/firmware scheme (see the crate README).
    Generic,
    /// Plain byte order (vers `lexicographic`).
    Lexicographic,
}

impl Scheme {
    /// All schemes.
    pub const ALL: [Scheme; 12] = [
        Scheme::Semver,
        Scheme::Pub,
        Scheme::Pep440,
        Scheme::Maven,
        Scheme::Debian,
        Scheme::Rpm,
        Scheme::Alpine,
        Scheme::RubyGems,
        Scheme::NuGet,
        Scheme::Composer,
        Scheme::Generic,
        Scheme::Lexicographic,
    ];

    /// Short name used in explanations.
    pub fn name(self) -> &'static str {
        match self {
            Scheme::Semver => "semver",
            Scheme::Pub => "pub",
            Scheme::Pep440 => "pep440",
            Scheme::Maven => "maven",
            Scheme::Debian => "debian",
            Scheme::Rpm => "rpm",
            Scheme::Alpine => "alpine",
            Scheme::RubyGems => "rubygems",
            Scheme::NuGet => "nuget",
            Scheme::Composer => "composer",
            Scheme::Generic => "generic",
            Scheme::Lexicographic => "lexicographic",
        }
    }

    /// Map an OSV ecosystem name (`"PyPI"`, `"Debian:11"`, `"Alpine:v3.18"`,
    /// `"Red Hat"`, …) to its scheme. The `:<release>` suffix is ignored.
    /// Returns `None` for ecosystems without a supported ordering
    /// (e.g. CRAN, Hackage, opam, GHC, Julia, ConanCenter) — callers decide
    /// whether to fall back to [`Scheme::Generic`].
    pub fn from_ecosystem(ecosystem: &str) -> Option<Scheme> {
        let base = ecosystem.split(':').next().unwrap_or("").trim();
        Some(match base {
            "npm" | "crates.io" | "Go" | "Hex" | "GitHub Actions" | "SwiftURL" | "VSCode" => {
                Scheme::Semver
            }
            "Pub" => Scheme::Pub,
            "PyPI" => Scheme::Pep440,
            "Maven" => Scheme::Maven,
            "Debian" | "Ubuntu" => Scheme::Debian,
            "Alpine" | "Wolfi" | "Chainguard" | "MinimOS" => Scheme::Alpine,
            "Red Hat" | "Rocky Linux" | "AlmaLinux" | "SUSE" | "openSUSE" | "Mageia"
            | "openEuler" | "Photon OS" | "Azure Linux" => Scheme::Rpm,
            "RubyGems" => Scheme::RubyGems,
            "NuGet" => Scheme::NuGet,
            "Packagist" => Scheme::Composer,
            "Linux" | "OSS-Fuzz" | "Android" | "Bitnami" => Scheme::Generic,
            _ => return None,
        })
    }

    /// Map a purl type (`pypi`, `npm`, `cargo`, `golang`, `deb`, …) or a vers
    /// versioning scheme name to its scheme. `generic` and `github` (C and
    /// firmware components) map to [`Scheme::Generic`].
    pub fn from_purl_type(purl_type: &str) -> Option<Scheme> {
        Some(match purl_type.trim().to_ascii_lowercase().as_str() {
            "npm" | "cargo" | "golang" | "hex" | "semver" | "swift" | "githubactions"
            | "cocoapods" => Scheme::Semver,
            "pub" => Scheme::Pub,
            "pypi" => Scheme::Pep440,
            "maven" => Scheme::Maven,
            "deb" | "debian" => Scheme::Debian,
            "rpm" => Scheme::Rpm,
            "apk" | "alpine" => Scheme::Alpine,
            "gem" => Scheme::RubyGems,
            "nuget" => Scheme::NuGet,
            "composer" => Scheme::Composer,
            "generic" | "github" | "bitbucket" | "gitlab" => Scheme::Generic,
            "lexicographic" => Scheme::Lexicographic,
            _ => return None,
        })
    }

    /// Parse `s` under this scheme, keeping input outside the grammar (see
    /// [`Version`]).
    pub fn parse(self, s: &str) -> Version {
        Version::new(self, s)
    }

    /// Compare two version strings under this scheme the way the ecosystem
    /// itself answers one comparison ([`Version::compare`]). Never panics.
    pub fn compare(self, a: &str, b: &str) -> Ordering {
        Version::new(self, a).compare(&Version::new(self, b))
    }
}

impl fmt::Display for Scheme {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

#[derive(Debug, Clone)]
enum Parsed {
    /// Outside the scheme's grammar: ordered by the generic scheme, below
    /// every valid version.
    Invalid(GenericVersion),
    Semver(SemverVersion),
    Pep440(Pep440Version),
    Maven(MavenVersion),
    Debian(DebianVersion),
    Rpm(RpmVersion),
    Alpine(AlpineVersion),
    Gem(GemVersion),
    NuGet(NugetVersion),
    Composer(ComposerVersion),
    Generic(GenericVersion),
    Lexicographic,
}

/// A version string parsed under a [`Scheme`].
///
/// `Ord` compares by the scheme's ordering (versions of different schemes
/// compare by scheme first, so the order stays total). `Eq` means "equal
/// precedence" (`1.0` == `1.0.0` under Maven), not equal text.
#[derive(Debug, Clone)]
pub struct Version {
    scheme: Scheme,
    raw: Box<str>,
    parsed: Parsed,
}

impl Version {
    /// Parse leniently: never fails. Input outside the scheme's grammar is
    /// kept and sorts below every valid version (see [`Version::is_valid`]).
    pub fn new(scheme: Scheme, s: &str) -> Version {
        let parsed = match scheme {
            Scheme::Semver | Scheme::Pub => SemverVersion::parse(s).map(Parsed::Semver).ok(),
            Scheme::Pep440 => Pep440Version::parse(s).map(Parsed::Pep440).ok(),
            Scheme::Maven => Some(Parsed::Maven(MavenVersion::parse(s))),
            Scheme::Debian => DebianVersion::parse(s).map(Parsed::Debian).ok(),
            Scheme::Rpm => Some(Parsed::Rpm(RpmVersion::parse(s))),
            Scheme::Alpine => Some(Parsed::Alpine(AlpineVersion::parse(s))),
            Scheme::RubyGems => GemVersion::parse(s).map(Parsed::Gem).ok(),
            Scheme::NuGet => NugetVersion::parse(s).map(Parsed::NuGet).ok(),
            Scheme::Composer => Some(Parsed::Composer(ComposerVersion::parse(s))),
            Scheme::Generic => Some(Parsed::Generic(GenericVersion::parse(s))),
            Scheme::Lexicographic => Some(Parsed::Lexicographic),
        }
        .unwrap_or_else(|| Parsed::Invalid(GenericVersion::parse(s)));
        Version {
            scheme,
            raw: s.into(),
            parsed,
        }
    }

    /// Parse strictly: input outside the scheme's grammar is an error.
    /// (Maven, RPM, Composer, generic and lexicographic accept every string;
    /// Alpine rejects strings with an invalid token.)
    pub fn parse(scheme: Scheme, s: &str) -> Result<Version, ParseError> {
        let v = Version::new(scheme, s);
        if v.is_valid() {
            Ok(v)
        } else {
            Err(ParseError::new(
                scheme.name(),
                s,
                "not a valid version for this scheme",
            ))
        }
    }

    /// The scheme.
    pub fn scheme(&self) -> Scheme {
        self.scheme
    }

    /// The original text.
    pub fn as_str(&self) -> &str {
        &self.raw
    }

    /// False when the text is outside the scheme's grammar (it is then
    /// ordered by the generic scheme, below every valid version).
    pub fn is_valid(&self) -> bool {
        match &self.parsed {
            Parsed::Invalid(_) => false,
            Parsed::Alpine(a) => a.is_valid(),
            _ => true,
        }
    }
}

impl Version {
    /// The ecosystem's own answer for one comparison. Identical to
    /// [`Ord::cmp`] for every scheme except Maven, where it is Maven's
    /// `ComparableVersion.compareTo` (not transitive on some inputs, see
    /// [`scheme::maven`]); `Ord` is a total order that agrees with it on all
    /// but a few cyclic cases. Range checks use this method.
    pub fn compare(&self, other: &Version) -> Ordering {
        if let (Parsed::Maven(a), Parsed::Maven(b)) = (&self.parsed, &other.parsed) {
            return a.maven_compare(b);
        }
        self.cmp(other)
    }
}

impl Ord for Version {
    fn cmp(&self, other: &Self) -> Ordering {
        if self.scheme != other.scheme {
            return self.scheme.cmp(&other.scheme);
        }
        match (&self.parsed, &other.parsed) {
            (Parsed::Invalid(a), Parsed::Invalid(b)) => {
                a.cmp(b).then_with(|| self.raw.cmp(&other.raw))
            }
            (Parsed::Invalid(_), _) => Ordering::Less,
            (_, Parsed::Invalid(_)) => Ordering::Greater,
            (Parsed::Semver(a), Parsed::Semver(b)) => {
                if self.scheme == Scheme::Pub {
                    a.cmp_pub(b)
                } else {
                    a.cmp_semver(b)
                }
            }
            (Parsed::Pep440(a), Parsed::Pep440(b)) => a.cmp(b),
            (Parsed::Maven(a), Parsed::Maven(b)) => a.cmp(b),
            (Parsed::Debian(a), Parsed::Debian(b)) => a.cmp(b),
            (Parsed::Rpm(a), Parsed::Rpm(b)) => a.cmp(b),
            (Parsed::Alpine(a), Parsed::Alpine(b)) => a.cmp(b),
            (Parsed::Gem(a), Parsed::Gem(b)) => a.cmp(b),
            (Parsed::NuGet(a), Parsed::NuGet(b)) => a.cmp(b),
            (Parsed::Composer(a), Parsed::Composer(b)) => a.cmp(b),
            (Parsed::Generic(a), Parsed::Generic(b)) => a.cmp(b),
            (Parsed::Lexicographic, Parsed::Lexicographic) => {
                self.raw.as_bytes().cmp(other.raw.as_bytes())
            }
            // same scheme always yields the same variant (or Invalid)
            _ => Ordering::Equal,
        }
    }
}
impl PartialOrd for Version {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for Version {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Version {}

impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.raw)
    }
}

/// Stable insertion sort by the pairwise [`Version::compare`]. Unlike
/// `slice::sort_by`, it cannot panic when a scheme's pairwise answer is not
/// transitive (Maven); used for the short constraint/event lists of ranges.
pub(crate) fn insertion_sort_by<T>(v: &mut [T], mut cmp: impl FnMut(&T, &T) -> Ordering) {
    for i in 1..v.len() {
        let mut j = i;
        while j > 0 && cmp(&v[j - 1], &v[j]) == Ordering::Greater {
            v.swap(j - 1, j);
            j -= 1;
        }
    }
}

/// Compare two version strings under `scheme` (shorthand for
/// [`Scheme::compare`], the ecosystem's pairwise answer).
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Ordering {
    scheme.compare(a, b)
}
