//! Package keys: `type/namespace/name`, normalised by the purl spec (ECMA-427 and its type
//! definitions), so an OSV `(ecosystem, name)` pair and an SBOM purl meet on the same string.

use postmarket_ident::PackageUrl;

/// A package key (`pypi/jinja2`, `maven/org.apache.logging.log4j/log4j-core`, `deb/debian/openssl`)
/// plus, for distro packages, the distro release the record applies to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RecordKey {
    pub key: String,
    /// Release suffix of an OSV distro ecosystem (`Debian:11` → `11`, `Alpine:v3.18` → `v3.18`).
    pub release: Option<String>,
}

/// Key of a parsed purl: type, namespace and name (version, qualifiers and subpath dropped).
///
/// PyPI names are further folded by PEP 503 (runs of `-`, `_`, `.` → `-`), which the purl pypi
/// type definition defers to: OSV writes `pkg:pypi/jw-util` for the project `jw.util`
/// (PYSEC-2020-341), and an SBOM may write either.
pub(crate) fn purl_key(p: &PackageUrl) -> String {
    let name = if p.ty() == "pypi" {
        pep503(p.name())
    } else {
        p.name().to_string()
    };
    match p.namespace() {
        Some(ns) => format!("{}/{}/{}", p.ty(), ns, name),
        None => format!("{}/{}", p.ty(), name),
    }
}

fn pep503(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '-' | '_' | '.') {
            if !out.ends_with('-') {
                out.push('-');
            }
        } else {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Map an OSV ecosystem and package name to a purl type, namespace and name, following the
/// mapping OSV itself documents (ecosystem → purl type) and the purl type definitions for the
/// namespace split (Maven `group:artifact`, npm `@scope/name`, Go module paths, Packagist
/// `vendor/name`, distro namespaces).
pub(crate) fn ecosystem_key(ecosystem: &str, name: &str) -> Option<RecordKey> {
    let (base, release) = match ecosystem.split_once(':') {
        Some((b, r)) => (
            b.trim(),
            Some(r.trim().to_string()).filter(|r| !r.is_empty()),
        ),
        None => (ecosystem.trim(), None),
    };
    let split_last = |n: &str, sep: char| -> (Option<String>, String) {
        match n.rsplit_once(sep) {
            Some((ns, nm)) => (Some(ns.to_string()), nm.to_string()),
            None => (None, n.to_string()),
        }
    };
    let (ty, ns, nm): (&str, Option<String>, String) = match base {
        "PyPI" => ("pypi", None, name.to_string()),
        "npm" => {
            let (ns, nm) = if name.starts_with('@') {
                split_last(name, '/')
            } else {
                (None, name.to_string())
            };
            ("npm", ns, nm)
        }
        "crates.io" => ("cargo", None, name.to_string()),
        "Go" => {
            let (ns, nm) = split_last(name, '/');
            ("golang", ns, nm)
        }
        "Maven" => {
            let (ns, nm) = split_last(name, ':');
            ("maven", ns, nm)
        }
        "RubyGems" => ("gem", None, name.to_string()),
        "NuGet" => ("nuget", None, name.to_string()),
        "Packagist" => {
            let (ns, nm) = split_last(name, '/');
            ("composer", ns, nm)
        }
        "Hex" => ("hex", None, name.to_string()),
        "Pub" => ("pub", None, name.to_string()),
        "Debian" => ("deb", Some("debian".into()), name.to_string()),
        "Ubuntu" => ("deb", Some("ubuntu".into()), name.to_string()),
        "Alpine" => ("apk", Some("alpine".into()), name.to_string()),
        "Wolfi" => ("apk", Some("wolfi".into()), name.to_string()),
        "Red Hat" => ("rpm", Some("redhat".into()), name.to_string()),
        "Rocky Linux" => ("rpm", Some("rocky-linux".into()), name.to_string()),
        "AlmaLinux" => ("rpm", Some("almalinux".into()), name.to_string()),
        "SUSE" => ("rpm", Some("suse".into()), name.to_string()),
        "openSUSE" => ("rpm", Some("opensuse".into()), name.to_string()),
        "Mageia" => ("rpm", Some("mageia".into()), name.to_string()),
        "GitHub Actions" => {
            let (ns, nm) = split_last(name, '/');
            ("githubactions", ns, nm)
        }
        "SwiftURL" => ("swift", None, name.to_string()),
        _ => return None,
    };
    let p = PackageUrl::new(ty, ns.as_deref(), &nm, None, Vec::new(), None).ok()?;
    Some(RecordKey {
        key: purl_key(&p),
        release,
    })
}

/// Debian and Ubuntu code names, so a purl `distro=bookworm` meets an OSV `Debian:12` record.
/// Only releases with OSV data in the last decade; unknown names fall back to text comparison.
const CODENAMES: &[(&str, &str)] = &[
    ("stretch", "9"),
    ("buster", "10"),
    ("bullseye", "11"),
    ("bookworm", "12"),
    ("trixie", "13"),
    ("bionic", "18.04"),
    ("focal", "20.04"),
    ("jammy", "22.04"),
    ("noble", "24.04"),
];

/// Does a component's `distro` qualifier agree with a record's ecosystem release?
///
/// The purl spec leaves `distro` free-form (`debian-11`, `bullseye`, `el8`, `3.18`), so this is a
/// tolerant comparison: the release (or its code name) must appear as a `-`/`.`-separated token
/// sequence of the qualifier. `None` on either side means "no restriction" (the caller notes it).
pub(crate) fn distro_agrees(component_distro: &str, release: &str) -> bool {
    let d = component_distro.to_ascii_lowercase();
    let r = release.to_ascii_lowercase();
    let r = r.trim_start_matches('v');
    let norm = |s: &str| -> String {
        CODENAMES
            .iter()
            .find(|(c, _)| *c == s)
            .map(|(_, n)| n.to_string())
            .unwrap_or_else(|| s.to_string())
    };
    let r = norm(r);
    // tokens of the qualifier: `debian-11` → [debian, 11]; `bookworm` → [12]
    let tokens: Vec<String> = d
        .split(['-', '_', ' '])
        .map(|t| norm(t.trim_start_matches('v')))
        .collect();
    tokens
        .iter()
        .any(|t| *t == r || t.starts_with(&format!("{r}.")))
        || d.trim_start_matches('v') == r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ecosystem_keys_follow_purl_normalisation() {
        assert_eq!(ecosystem_key("PyPI", "Jinja2").unwrap().key, "pypi/jinja2");
        assert_eq!(
            ecosystem_key("PyPI", "zope_interface").unwrap().key,
            "pypi/zope-interface"
        );
        assert_eq!(
            ecosystem_key("Maven", "org.apache.logging.log4j:log4j-core")
                .unwrap()
                .key,
            "maven/org.apache.logging.log4j/log4j-core"
        );
        assert_eq!(
            ecosystem_key("npm", "@babel/core").unwrap().key,
            "npm/@babel/core"
        );
        assert_eq!(
            ecosystem_key("Go", "github.com/gin-gonic/gin").unwrap().key,
            "golang/github.com/gin-gonic/gin"
        );
        let d = ecosystem_key("Debian:11", "openssl").unwrap();
        assert_eq!(
            (d.key.as_str(), d.release.as_deref()),
            ("deb/debian/openssl", Some("11"))
        );
        assert!(ecosystem_key("CRAN", "x").is_none());
    }

    #[test]
    fn distro_qualifiers() {
        assert!(distro_agrees("debian-11", "11"));
        assert!(distro_agrees("bullseye", "11"));
        assert!(!distro_agrees("debian-12", "11"));
        assert!(distro_agrees("3.18", "v3.18"));
        assert!(!distro_agrees("debian-11", "1"));
    }
}
