//! Name heuristic for components without a usable identity (DESIGN.md §6: real device SBOMs are
//! full of `pkg:generic/…` and `pkg:github/…` components): component name (+ supplier, + GitHub
//! owner) → candidate CPE `vendor:product`, each with a confidence and a reason.
//!
//! Normalisation: lowercase; `-`, `.`, space and `_` fold to `_` (NVD's CPE dictionary writes
//! products with `_`); a trailing `-devel`/`-dev`/`-libs`/`-bin`/`_project` etc. is dropped, and a
//! leading `lib` gives an *alternate* form (`libcurl` → `curl`) at lower confidence.
//!
//! Confidence scale (why these numbers: they order the evidence, and the default threshold 0.7
//! admits exactly the cases where a second, independent signal agrees with the product name):
//! * 0.95 product and vendor both named by the component (GitHub owner or supplier = vendor);
//! * 0.80 product matches and the CPE vendor equals the product (`openssl:openssl`,
//!   `zlib:zlib`): the project is its own vendor, the common case for C libraries;
//! * 0.60 product matches, one vendor in the dictionary, no vendor evidence;
//! * 0.40 product matches, several vendors: ambiguous;
//! * −0.15 when only the alternate (`lib`-stripped / suffix-stripped) form matched.

/// Suffixes that name a packaging variant rather than the product.
const SUFFIXES: &[&str] = &[
    "_devel", "_dev", "_libs", "_lib", "_bin", "_project", "_library", "_sdk",
];

/// Lowercase and fold separators to `_`, collapsing runs.
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.trim().chars() {
        let c = c.to_ascii_lowercase();
        if matches!(c, '-' | '.' | ' ' | '_' | '/') {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
        } else {
            out.push(c);
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// The normalised forms of a name: the exact form first, then alternates.
pub fn forms(name: &str) -> Vec<(String, bool)> {
    let n = normalize(name);
    let mut v: Vec<(String, bool)> = vec![(n.clone(), true)];
    let mut push = |s: String| {
        if s.len() >= 2 && !v.iter().any(|(x, _)| *x == s) {
            v.push((s, false));
        }
    };
    let mut base = n.clone();
    for suf in SUFFIXES {
        if let Some(b) = base.strip_suffix(suf) {
            base = b.to_string();
            push(base.clone());
            break;
        }
    }
    if let Some(b) = base.strip_prefix("lib") {
        if b.len() >= 3 {
            push(b.trim_start_matches('_').to_string());
        }
    }
    // `fatFS` vs `fatfs`, `Jinja2`: also the form with separators removed (NVD sometimes joins words)
    push(n.replace('_', ""));
    v
}

/// Does supplier text name this vendor? (`Amazon Web Services` ~ `amazon`, `The OpenSSL Project`
/// ~ `openssl`.)
pub fn supplier_names_vendor(supplier: &str, vendor: &str) -> bool {
    let s = normalize(supplier);
    let v = normalize(vendor);
    if s.is_empty() || v.is_empty() {
        return false;
    }
    s == v
        || s.split('_').any(|t| t == v)
        || v.split('_').any(|t| t.len() >= 4 && t == s)
        || s.replace('_', "") == v.replace('_', "")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalisation() {
        assert_eq!(
            normalize("UniFi Network-Application"),
            "unifi_network_application"
        );
        assert_eq!(normalize("  zlib "), "zlib");
        let f: Vec<String> = forms("libcurl-devel").into_iter().map(|x| x.0).collect();
        assert_eq!(f[0], "libcurl_devel");
        assert!(f.contains(&"libcurl".to_string()));
        assert!(f.contains(&"curl".to_string()));
        // `zlib` is not `z` + `lib`: only prefixes are stripped, and only when 3+ chars remain
        assert!(!forms("zlib").iter().any(|(x, _)| x == "z"));
    }

    #[test]
    fn supplier_vendor() {
        assert!(supplier_names_vendor("Amazon Web Services", "amazon"));
        assert!(supplier_names_vendor("The OpenSSL Project", "openssl"));
        assert!(!supplier_names_vendor("Microsoft", "openssl"));
    }
}
