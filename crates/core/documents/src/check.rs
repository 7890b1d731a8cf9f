//! Checks every writer makes on the input model before writing, and the ids derived from it.

use std::collections::{BTreeMap, BTreeSet};

use crate::error::WriteError;
use crate::model::{ProductRef, Publication};
use crate::vocab::Status;

/// The checked model with its derived product ids.
pub(crate) struct Checked<'a> {
    pub publication: &'a Publication,
    ids: BTreeMap<ProductRef, String>,
}

impl Checked<'_> {
    /// The product id (CSAF `product_id`, CycloneDX `bom-ref`) of a release.
    pub fn id(&self, r: &ProductRef) -> &str {
        // Every reference was resolved in `check`.
        self.ids.get(r).map(String::as_str).unwrap_or_default()
    }
}

/// A product id derived from the device name and version: lower case, runs of anything but
/// letters, digits and dots become one `-`. Readable in every format and stable across runs.
pub fn product_id(device: &str, version: &str) -> String {
    let slug = |part: &str| {
        let mut s = String::new();
        for c in part.chars() {
            if c.is_ascii_alphanumeric() || c == '.' {
                s.push(c.to_ascii_lowercase());
            } else if !s.ends_with('-') {
                s.push('-');
            }
        }
        s.trim_matches('-').to_string()
    };
    format!("{}-{}", slug(device), slug(version))
}

/// RFC 3339 date-time with a time zone, as CSAF (`date-time`), CycloneDX and OpenVEX require.
pub fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|x| x.iter().all(u8::is_ascii_digit));
    if b.len() < 20
        || !digits(0..4)
        || b[4] != b'-'
        || !digits(5..7)
        || b[7] != b'-'
        || !digits(8..10)
        || !(b[10] == b'T' || b[10] == b't')
        || !digits(11..13)
        || b[13] != b':'
        || !digits(14..16)
        || b[16] != b':'
        || !digits(17..19)
    {
        return false;
    }
    let num = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(99);
    if !(1..=12).contains(&num(5..7))
        || !(1..=31).contains(&num(8..10))
        || num(11..13) > 23
        || num(14..16) > 59
        || num(17..19) > 60
    {
        return false;
    }
    let mut i = 19;
    if b[i] == b'.' {
        i += 1;
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
    }
    match &s[i..] {
        "Z" | "z" => true,
        tz => {
            let t = tz.as_bytes();
            t.len() == 6
                && (t[0] == b'+' || t[0] == b'-')
                && t[1..3].iter().all(u8::is_ascii_digit)
                && t[3] == b':'
                && t[4..6].iter().all(u8::is_ascii_digit)
        }
    }
}

fn date(place: String, s: &str) -> Result<(), WriteError> {
    if is_rfc3339(s) {
        Ok(())
    } else {
        Err(WriteError::new(
            place,
            format!(
                "expected an RFC 3339 date-time with time zone (2026-03-01T00:00:00Z), found {s:?}"
            ),
        ))
    }
}

fn nonblank(place: String, s: &str) -> Result<(), WriteError> {
    if s.trim().is_empty() {
        Err(WriteError::new(
            place,
            "expected text, found an empty string",
        ))
    } else {
        Ok(())
    }
}

/// Checks what every format needs and derives the product ids.
pub(crate) fn check(p: &Publication) -> Result<Checked<'_>, WriteError> {
    let d = &p.document;
    nonblank("document.id".into(), &d.id)?;
    nonblank("document.title".into(), &d.title)?;
    nonblank("document.summary".into(), &d.summary)?;
    nonblank("document.publisher.name".into(), &d.publisher.name)?;
    if !(d.publisher.namespace.starts_with("https://")
        || d.publisher.namespace.starts_with("http://"))
    {
        return Err(WriteError::new(
            "document.publisher.namespace",
            format!("expected an http(s) URL, found {:?}", d.publisher.namespace),
        ));
    }
    if d.revisions.is_empty() {
        return Err(WriteError::new(
            "document.revisions",
            "expected at least one revision",
        ));
    }
    for (i, r) in d.revisions.iter().enumerate() {
        date(format!("document.revisions[{i}].date"), &r.date)?;
        nonblank(format!("document.revisions[{i}].summary"), &r.summary)?;
    }
    // CSAF 6.1.14: revisions are sorted by number, and dates may not go backwards.
    for (i, w) in d.revisions.windows(2).enumerate() {
        if w[1].date < w[0].date {
            return Err(WriteError::new(
                format!("document.revisions[{}].date", i + 1),
                format!(
                    "expected revisions oldest first, but {} is before {}",
                    w[1].date, w[0].date
                ),
            ));
        }
    }
    if let Some(url) = &d.canonical_url {
        let file = crate::csaf::csaf_file_name(&d.id);
        if !url.starts_with("https://") || !url.ends_with(&format!("/{file}")) {
            return Err(WriteError::new(
                "document.canonical_url",
                format!("expected an https URL ending in /{file} (CSAF §5.1 file name of the id), found {url:?}"),
            ));
        }
    }
    for (i, r) in d.references.iter().enumerate() {
        nonblank(format!("document.references[{i}].url"), &r.url)?;
    }

    let mut ids = BTreeMap::new();
    let mut seen_ids = BTreeMap::new();
    if p.products.is_empty() {
        return Err(WriteError::new("products", "expected at least one device"));
    }
    for (di, dev) in p.products.iter().enumerate() {
        nonblank(format!("products[{di}].name"), &dev.name)?;
        nonblank(format!("products[{di}].vendor"), &dev.vendor)?;
        if dev.releases.is_empty() {
            return Err(WriteError::new(
                format!("products[{di}].releases"),
                "expected at least one release",
            ));
        }
        for (ri, rel) in dev.releases.iter().enumerate() {
            let place = format!("products[{di}].releases[{ri}]");
            nonblank(format!("{place}.version"), &rel.version)?;
            if let Some(purl) = &rel.purl {
                if !purl.starts_with("pkg:") || purl.len() < 7 {
                    return Err(WriteError::new(
                        format!("{place}.purl"),
                        format!("expected a package URL (pkg:type/name), found {purl:?}"),
                    ));
                }
            }
            if let Some(cpe) = &rel.cpe {
                if !cpe.starts_with("cpe:2.3:") || cpe.split(':').count() != 13 {
                    return Err(WriteError::new(format!("{place}.cpe"), format!("expected a CPE 2.3 formatted string (cpe:2.3: and 11 fields), found {cpe:?}")));
                }
            }
            let r = ProductRef::new(&dev.name, &rel.version);
            let id = product_id(&dev.name, &rel.version);
            if ids.contains_key(&r) {
                return Err(WriteError::new(
                    place,
                    format!("{} {} is listed twice", dev.name, rel.version),
                ));
            }
            if let Some(other) = seen_ids.insert(id.clone(), r.clone()) {
                return Err(WriteError::new(
                    place,
                    format!(
                        "{} {} and {} {} give the same product id {id:?}; rename one",
                        dev.name, rel.version, other.device, other.version
                    ),
                ));
            }
            ids.insert(r, id);
        }
    }
    let resolve = |place: String, r: &ProductRef| -> Result<(), WriteError> {
        if ids.contains_key(r) {
            Ok(())
        } else {
            Err(WriteError::new(
                place,
                format!("no release {} {} among the products", r.device, r.version),
            ))
        }
    };

    let mut vuln_ids = BTreeSet::new();
    for (vi, v) in p.vulnerabilities.iter().enumerate() {
        let vp = format!("vulnerabilities[{vi}]");
        nonblank(format!("{vp}.id"), &v.id)?;
        nonblank(format!("{vp}.description"), &v.description)?;
        for a in std::iter::once(&v.id).chain(&v.aliases) {
            if !vuln_ids.insert(a.to_ascii_uppercase()) {
                return Err(WriteError::new(
                    format!("{vp}.id"),
                    format!("{a} is named by two vulnerabilities (or twice in one)"),
                ));
            }
        }
        if v.aliases
            .iter()
            .chain([&v.id])
            .filter(|a| a.starts_with("CVE-"))
            .count()
            > 1
        {
            return Err(WriteError::new(
                format!("{vp}.aliases"),
                "expected at most one CVE id per vulnerability",
            ));
        }
        for (field, s) in [
            ("discovery_date", &v.discovery_date),
            ("release_date", &v.release_date),
        ] {
            if let Some(s) = s {
                date(format!("{vp}.{field}"), s)?;
            }
        }
        if let Some(c) = &v.component {
            if !c.starts_with("pkg:") {
                return Err(WriteError::new(
                    format!("{vp}.component"),
                    format!("expected a package URL, found {c:?}"),
                ));
            }
        }
        if let Some(cwe) = &v.cwe {
            let ok = cwe
                .id
                .strip_prefix("CWE-")
                .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()));
            if !ok {
                return Err(WriteError::new(
                    format!("{vp}.cwe.id"),
                    format!("expected CWE-<number>, found {:?}", cwe.id),
                ));
            }
        }
        if v.statuses.is_empty() {
            return Err(WriteError::new(
                format!("{vp}.statuses"),
                "expected at least one product status",
            ));
        }
        let mut seen = BTreeSet::new();
        for (si, s) in v.statuses.iter().enumerate() {
            let sp = format!("{vp}.statuses[{si}]");
            resolve(format!("{sp}.product"), &s.product)?;
            if !seen.insert(&s.product) {
                return Err(WriteError::new(
                    sp,
                    format!(
                        "{} {} has two statuses for {} (CSAF test 6.1.6)",
                        s.product.device, s.product.version, v.id
                    ),
                ));
            }
            match s.status {
                Status::NotAffected
                    if s.justification.is_none() && s.impact_statement.is_none() =>
                {
                    return Err(WriteError::new(sp, "not_affected needs a justification or an impact statement (CSAF §4.5, OpenVEX, CycloneDX)"));
                }
                Status::Affected if v.action_statement(&s.product).is_none() => {
                    return Err(WriteError::new(sp, "affected needs an action statement: a remediation naming this product (CSAF test 6.1.27.10)"));
                }
                _ => {}
            }
            if s.justification.is_some() && s.status != Status::NotAffected {
                return Err(WriteError::new(
                    format!("{sp}.justification"),
                    format!("a justification belongs to not_affected, not {}", s.status),
                ));
            }
            if s.first_fixed && s.status != Status::Fixed {
                return Err(WriteError::new(
                    format!("{sp}.first_fixed"),
                    format!("first_fixed belongs to fixed, not {}", s.status),
                ));
            }
        }
        for (ri, r) in v.remediations.iter().enumerate() {
            let rp = format!("{vp}.remediations[{ri}]");
            nonblank(format!("{rp}.details"), &r.details)?;
            if r.products.is_empty() {
                return Err(WriteError::new(
                    format!("{rp}.products"),
                    "expected at least one product (CSAF test 6.1.29)",
                ));
            }
            for (pi, pr) in r.products.iter().enumerate() {
                resolve(format!("{rp}.products[{pi}]"), pr)?;
            }
            if let Some(dt) = &r.date {
                date(format!("{rp}.date"), dt)?;
            }
        }
        for (si, sc) in v.scores.iter().enumerate() {
            for (pi, pr) in sc.products.iter().enumerate() {
                resolve(format!("{vp}.scores[{si}].products[{pi}]"), pr)?;
            }
            if let Err(e) = sc.vector.parse::<postmarket_cvss::Vector>() {
                return Err(WriteError::new(
                    format!("{vp}.scores[{si}].vector"),
                    format!("{:?}: {e}", sc.vector),
                ));
            }
        }
        for (ii, inv) in v.involvements.iter().enumerate() {
            let ip = format!("{vp}.involvements[{ii}]");
            if !["coordinator", "discoverer", "other", "user", "vendor"]
                .contains(&inv.party.as_str())
            {
                return Err(WriteError::new(
                    format!("{ip}.party"),
                    format!(
                        "expected coordinator, discoverer, other, user or vendor, found {:?}",
                        inv.party
                    ),
                ));
            }
            if ![
                "completed",
                "contact_attempted",
                "disputed",
                "in_progress",
                "not_contacted",
                "open",
            ]
            .contains(&inv.status.as_str())
            {
                return Err(WriteError::new(format!("{ip}.status"), format!("expected completed, contact_attempted, disputed, in_progress, not_contacted or open, found {:?}", inv.status)));
            }
            if let Some(dt) = &inv.date {
                date(format!("{ip}.date"), dt)?;
            }
        }
    }
    Ok(Checked {
        publication: p,
        ids,
    })
}
