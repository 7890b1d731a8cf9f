//! Writers: CycloneDX 1.6 JSON and SPDX 2.3 JSON for a normalised [`Sbom`].
//!
//! Support level and end of support are written as CycloneDX properties
//! `postmarket:support_level` / `postmarket:end_of_support` and as SPDX package annotations
//! `postmarket:support_level=…` / `postmarket:end_of_support=…`, so they round-trip.
//! Output is deterministic: identifiers are derived from a SHA-256 of the input model.

use crate::model::{Component, Sbom};
use crate::normalize::{parse_date, PROP_END_OF_SUPPORT, PROP_SUPPORT_LEVEL};
use postmarket_ident::Cpe23;
use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap, HashSet};

const TOOL_NAME: &str = "postmarket-sbom";
const TOOL_VERSION: &str = env!("CARGO_PKG_VERSION");

fn digest(sbom: &Sbom) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(serde_json::to_vec(sbom).unwrap_or_default());
    h.finalize().into()
}

fn uuid_from(d: &[u8; 32]) -> String {
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50; // version 5-style
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// `YYYY-MM-DDThh:mm:ss` + `Z` when the timestamp is in UTC (`Z`, `+00:00`, or no zone);
/// timestamps with another offset keep it (CycloneDX) — SPDX needs `Z`, see [`spdx_time`].
fn valid_datetime(ts: &str) -> bool {
    let ts = ts.trim();
    parse_date(ts).is_some()
        && ts.len() >= 19
        && ts.as_bytes()[10] == b'T'
        && ts[11..19].bytes().enumerate().all(|(i, c)| {
            if i == 2 || i == 5 {
                c == b':'
            } else {
                c.is_ascii_digit()
            }
        })
}

fn spdx_time(ts: Option<&str>) -> String {
    if let Some(ts) = ts.map(str::trim) {
        if valid_datetime(ts) {
            let zone = ts[19..].trim_start_matches(|c: char| c == '.' || c.is_ascii_digit());
            if zone.is_empty() || zone == "Z" || zone == "z" || zone == "+00:00" || zone == "-00:00"
            {
                return format!("{}Z", &ts[..19]);
            }
            // another offset: keep the calendar date (the instant is not needed for SBOM use)
            return format!("{}T00:00:00Z", &ts[..10]);
        }
        if let Some(d) = parse_date(ts) {
            return format!("{d}T00:00:00Z");
        }
    }
    "1970-01-01T00:00:00Z".to_string()
}

fn cdx_hash_alg(a: &str) -> Option<&'static str> {
    let n: String = a
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    Some(match n.as_str() {
        "MD5" => "MD5",
        "SHA1" => "SHA-1",
        "SHA256" => "SHA-256",
        "SHA384" => "SHA-384",
        "SHA512" => "SHA-512",
        "SHA3256" => "SHA3-256",
        "SHA3384" => "SHA3-384",
        "SHA3512" => "SHA3-512",
        "BLAKE2B256" => "BLAKE2b-256",
        "BLAKE2B384" => "BLAKE2b-384",
        "BLAKE2B512" => "BLAKE2b-512",
        "BLAKE3" => "BLAKE3",
        _ => return None,
    })
}

fn spdx_hash_alg(a: &str) -> Option<&'static str> {
    let n: String = a
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    Some(match n.as_str() {
        "MD2" => "MD2",
        "MD4" => "MD4",
        "MD5" => "MD5",
        "MD6" => "MD6",
        "SHA1" => "SHA1",
        "SHA224" => "SHA224",
        "SHA256" => "SHA256",
        "SHA384" => "SHA384",
        "SHA512" => "SHA512",
        "SHA3256" => "SHA3-256",
        "SHA3384" => "SHA3-384",
        "SHA3512" => "SHA3-512",
        "BLAKE2B256" => "BLAKE2b-256",
        "BLAKE2B384" => "BLAKE2b-384",
        "BLAKE2B512" => "BLAKE2b-512",
        "BLAKE3" => "BLAKE3",
        "ADLER32" => "ADLER32",
        _ => return None,
    })
}

fn hex_hash_ok(v: &str) -> bool {
    matches!(v.len(), 32 | 40 | 64 | 96 | 128) && v.bytes().all(|b| b.is_ascii_hexdigit())
}

const CDX_TYPES: &[&str] = &[
    "application",
    "framework",
    "library",
    "container",
    "platform",
    "operating-system",
    "device",
    "device-driver",
    "firmware",
    "file",
    "machine-learning-model",
    "data",
    "cryptographic-asset",
];

const CDX_REF_TYPES: &[&str] = &[
    "vcs",
    "issue-tracker",
    "website",
    "advisories",
    "bom",
    "mailing-list",
    "social",
    "chat",
    "documentation",
    "support",
    "source-distribution",
    "distribution",
    "distribution-intake",
    "license",
    "build-meta",
    "build-system",
    "release-notes",
    "security-contact",
    "model-card",
    "log",
    "configuration",
    "evidence",
    "formulation",
    "attestation",
    "threat-model",
    "adversary-model",
    "risk-assessment",
    "vulnerability-assertion",
    "exploitability-statement",
    "pentest-report",
    "static-analysis-report",
    "dynamic-analysis-report",
    "runtime-analysis-report",
    "component-analysis-report",
    "maturity-report",
    "certification-report",
    "codified-infrastructure",
    "quality-metrics",
    "poam",
    "electronic-signature",
    "digital-signature",
    "rfc-9116",
    "other",
];

fn cdx_type(t: Option<&str>, default: &str) -> String {
    let t = t.unwrap_or(default).to_ascii_lowercase().replace('_', "-");
    if CDX_TYPES.contains(&t.as_str()) {
        t
    } else {
        default.to_string()
    }
}

/// Is the license string an expression (SPDX-style ids joined by AND/OR/WITH) rather than a name?
fn looks_like_expression(l: &str) -> bool {
    l.split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|t| !t.is_empty())
        .all(|t| {
            matches!(t, "AND" | "OR" | "WITH")
                || t.bytes().all(|b| {
                    b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'+' || b == b':'
                })
        })
        && !l.trim().is_empty()
}

/// Give every component (and the device) a unique reference; returns ref → unique ref for the
/// first holder of each reference.
fn unique_refs(sbom: &Sbom) -> (Vec<String>, Option<String>, HashMap<String, String>) {
    let mut used: HashSet<String> = HashSet::new();
    let mut first: HashMap<String, String> = HashMap::new();
    let mut take = |r: &str, used: &mut HashSet<String>| -> String {
        let mut cand = r.to_string();
        let mut n = 1;
        while !used.insert(cand.clone()) {
            n += 1;
            cand = format!("{r}#{n}");
        }
        first.entry(r.to_string()).or_insert_with(|| cand.clone());
        cand
    };
    let dev = sbom
        .metadata
        .device
        .as_ref()
        .map(|d| take(&d.bom_ref, &mut used));
    let comps = sbom
        .components
        .iter()
        .map(|c| take(&c.bom_ref, &mut used))
        .collect();
    (comps, dev, first)
}

fn support_props(c: &Component) -> Vec<(String, String)> {
    let mut props: Vec<(String, String)> = c
        .properties
        .iter()
        .filter(|(k, _)| k != PROP_SUPPORT_LEVEL && k != PROP_END_OF_SUPPORT)
        .cloned()
        .collect();
    if let Some(l) = c.support_level {
        props.push((PROP_SUPPORT_LEVEL.to_string(), l.as_str().to_string()));
    }
    if let Some(d) = &c.end_of_support {
        props.push((PROP_END_OF_SUPPORT.to_string(), d.clone()));
    }
    props
}

/// Percent-encode the characters an IRI reference may not contain (RFC 3987), e.g. the `${…}`
/// placeholders some Maven-generated SBOMs carry.
fn iri_escape(u: &str) -> String {
    let mut out = String::with_capacity(u.len());
    for ch in u.chars() {
        if ch.is_ascii_control()
            || matches!(
                ch,
                ' ' | '<' | '>' | '"' | '{' | '}' | '|' | '\\' | '^' | '`'
            )
        {
            let mut buf = [0u8; 4];
            for b in ch.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("%{b:02X}"));
            }
        } else {
            out.push(ch);
        }
    }
    out
}

fn cdx_component(c: &Component, bom_ref: &str, default_type: &str) -> Value {
    let mut o = Map::new();
    o.insert(
        "type".into(),
        json!(cdx_type(c.component_type.as_deref(), default_type)),
    );
    o.insert("bom-ref".into(), json!(bom_ref));
    if let Some(s) = &c.supplier {
        o.insert("supplier".into(), json!({ "name": s }));
    }
    o.insert("name".into(), json!(c.name));
    if let Some(v) = &c.version {
        o.insert("version".into(), json!(v));
    }
    if let Some(d) = &c.description {
        o.insert("description".into(), json!(d));
    }
    let hashes: Vec<Value> = c
        .hashes
        .iter()
        .filter_map(|h| {
            Some(json!({ "alg": cdx_hash_alg(&h.alg)?, "content": h.value }))
                .filter(|_| hex_hash_ok(&h.value))
        })
        .collect();
    if !hashes.is_empty() {
        o.insert("hashes".into(), Value::Array(hashes));
    }
    if let Some(l) = &c.licenses {
        if looks_like_expression(l) {
            o.insert("licenses".into(), json!([{ "expression": l }]));
        } else {
            o.insert("licenses".into(), json!([{ "license": { "name": l } }]));
        }
    }
    if let Some(cpe) = &c.cpe {
        o.insert("cpe".into(), json!(cpe));
    }
    if let Some(p) = c.purl.as_ref().or(c.purl_raw.as_ref()) {
        o.insert("purl".into(), json!(p));
    }
    if let Some(t) = &c.swid {
        o.insert("swid".into(), json!({ "tagId": t, "name": c.name }));
    }
    let refs: Vec<Value> = c
        .external_references
        .iter()
        .filter(|r| !r.url.trim().is_empty())
        .map(|r| {
            let k = if CDX_REF_TYPES.contains(&r.kind.as_str()) {
                r.kind.as_str()
            } else {
                "other"
            };
            json!({ "type": k, "url": iri_escape(r.url.trim()) })
        })
        .collect();
    if !refs.is_empty() {
        o.insert("externalReferences".into(), Value::Array(refs));
    }
    let props: Vec<Value> = support_props(c)
        .into_iter()
        .map(|(k, v)| json!({ "name": k, "value": v }))
        .collect();
    if !props.is_empty() {
        o.insert("properties".into(), Value::Array(props));
    }
    Value::Object(o)
}

/// Export as CycloneDX 1.6 JSON (a `serde_json::Value`; serialise with `to_string_pretty`).
pub fn to_cyclonedx_json(sbom: &Sbom) -> Value {
    let d = digest(sbom);
    let (refs, dev_ref, first) = unique_refs(sbom);
    let mut meta = Map::new();
    if let Some(ts) = sbom
        .metadata
        .timestamp
        .as_deref()
        .filter(|t| valid_datetime(t))
    {
        meta.insert("timestamp".into(), json!(ts.trim()));
    }
    meta.insert(
        "tools".into(),
        json!({ "components": [{ "type": "application", "name": TOOL_NAME, "version": TOOL_VERSION }] }),
    );
    if !sbom.metadata.authors.is_empty() {
        meta.insert(
            "authors".into(),
            Value::Array(
                sbom.metadata
                    .authors
                    .iter()
                    .map(|a| json!({ "name": a }))
                    .collect(),
            ),
        );
    }
    if let (Some(dev), Some(r)) = (&sbom.metadata.device, &dev_ref) {
        meta.insert("component".into(), cdx_component(dev, r, "device"));
    }
    let components: Vec<Value> = sbom
        .components
        .iter()
        .zip(&refs)
        .map(|(c, r)| cdx_component(c, r, "library"))
        .collect();
    let mut deps: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    for (a, b) in &sbom.dependencies {
        let (Some(a), Some(b)) = (first.get(a), first.get(b)) else {
            continue;
        };
        if !deps.contains_key(a) {
            order.push(a.clone());
        }
        let e = deps.entry(a.clone()).or_default();
        if !e.contains(b) {
            e.push(b.clone());
        }
    }
    let dependencies: Vec<Value> = order
        .iter()
        .map(|a| json!({ "ref": a, "dependsOn": deps[a] }))
        .collect();
    let mut o = Map::new();
    o.insert(
        "$schema".into(),
        json!("http://cyclonedx.org/schema/bom-1.6.schema.json"),
    );
    o.insert("bomFormat".into(), json!("CycloneDX"));
    o.insert("specVersion".into(), json!("1.6"));
    o.insert(
        "serialNumber".into(),
        json!(format!("urn:uuid:{}", uuid_from(&d))),
    );
    o.insert("version".into(), json!(1));
    o.insert("metadata".into(), Value::Object(meta));
    o.insert("components".into(), Value::Array(components));
    if !dependencies.is_empty() {
        o.insert("dependencies".into(), Value::Array(dependencies));
    }
    Value::Object(o)
}

fn spdx_id_token(r: &str) -> String {
    let r = r.strip_prefix("SPDXRef-").unwrap_or(r);
    let t: String = r
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if t.is_empty() {
        "x".into()
    } else {
        t
    }
}

/// The SPDXIDs [`to_spdx_json`] gives to each component/device reference (first holder of a
/// reference wins, like the edges).
pub fn spdx_ids(sbom: &Sbom) -> HashMap<String, String> {
    let mut used: HashSet<String> = HashSet::new();
    let mut map = HashMap::new();
    let all = sbom.metadata.device.iter().chain(sbom.components.iter());
    for c in all {
        let base = format!("SPDXRef-{}", spdx_id_token(&c.bom_ref));
        let mut cand = base.clone();
        let mut n = 1;
        while !used.insert(cand.clone()) || cand == "SPDXRef-DOCUMENT" {
            n += 1;
            cand = format!("{base}-{n}");
        }
        map.entry(c.bom_ref.clone()).or_insert(cand);
    }
    map
}

fn spdx_ids_ordered(sbom: &Sbom) -> Vec<String> {
    // same algorithm as spdx_ids, but one id per element (duplicates get their own ids)
    let mut used: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for c in sbom.metadata.device.iter().chain(sbom.components.iter()) {
        let base = format!("SPDXRef-{}", spdx_id_token(&c.bom_ref));
        let mut cand = base.clone();
        let mut n = 1;
        while !used.insert(cand.clone()) || cand == "SPDXRef-DOCUMENT" {
            n += 1;
            cand = format!("{base}-{n}");
        }
        out.push(cand);
    }
    out
}

/// Common SPDX license list ids (and exceptions) written verbatim; other license texts become
/// `LicenseRef-postmarket-N` with a `hasExtractedLicensingInfos` entry carrying the text.
const COMMON_SPDX_IDS: &[&str] = &[
    "0BSD",
    "AGPL-3.0-only",
    "AGPL-3.0-or-later",
    "Apache-1.1",
    "Apache-2.0",
    "Artistic-2.0",
    "BSD-2-Clause",
    "BSD-3-Clause",
    "BSD-4-Clause",
    "BSL-1.0",
    "CC-BY-4.0",
    "CC-BY-SA-4.0",
    "CC0-1.0",
    "CDDL-1.0",
    "CDDL-1.1",
    "EPL-1.0",
    "EPL-2.0",
    "EUPL-1.2",
    "GPL-2.0",
    "GPL-2.0-only",
    "GPL-2.0-or-later",
    "GPL-3.0",
    "GPL-3.0-only",
    "GPL-3.0-or-later",
    "ISC",
    "LGPL-2.0-only",
    "LGPL-2.0-or-later",
    "LGPL-2.1",
    "LGPL-2.1-only",
    "LGPL-2.1-or-later",
    "LGPL-3.0",
    "LGPL-3.0-only",
    "LGPL-3.0-or-later",
    "MIT",
    "MIT-0",
    "MPL-1.1",
    "MPL-2.0",
    "MS-PL",
    "NCSA",
    "OpenSSL",
    "PostgreSQL",
    "Python-2.0",
    "Unicode-DFS-2016",
    "Unlicense",
    "WTFPL",
    "X11",
    "Zlib",
    "curl",
    "Classpath-exception-2.0",
    "LLVM-exception",
    "GCC-exception-3.1",
];

fn known_spdx_expression(l: &str) -> bool {
    let mut any = false;
    for t in l
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|t| !t.is_empty())
    {
        if matches!(t, "AND" | "OR" | "WITH") {
            continue;
        }
        if !COMMON_SPDX_IDS.contains(&t.trim_end_matches('+')) {
            return false;
        }
        any = true;
    }
    any
}

const SPDX_PURPOSES: &[&str] = &[
    "APPLICATION",
    "FRAMEWORK",
    "LIBRARY",
    "CONTAINER",
    "OPERATING-SYSTEM",
    "DEVICE",
    "FIRMWARE",
    "SOURCE",
    "ARCHIVE",
    "FILE",
    "INSTALL",
    "OTHER",
];

/// Export as SPDX 2.3 JSON.
pub fn to_spdx_json(sbom: &Sbom) -> Value {
    let d = digest(sbom);
    let ids = spdx_ids(sbom);
    let elem_ids = spdx_ids_ordered(sbom);
    let created = spdx_time(sbom.metadata.timestamp.as_deref());
    let mut creators = vec![format!("Tool: {TOOL_NAME}-{TOOL_VERSION}")];
    creators.extend(sbom.metadata.authors.iter().map(|a| format!("Person: {a}")));
    let mut extracted: BTreeMap<String, String> = BTreeMap::new(); // text -> LicenseRef id
    let mut packages = Vec::new();
    let elements: Vec<&Component> = sbom
        .metadata
        .device
        .iter()
        .chain(sbom.components.iter())
        .collect();
    for (c, id) in elements.iter().zip(&elem_ids) {
        let mut o = Map::new();
        o.insert("SPDXID".into(), json!(id));
        o.insert("name".into(), json!(c.name));
        if let Some(v) = &c.version {
            o.insert("versionInfo".into(), json!(v));
        }
        o.insert("downloadLocation".into(), json!("NOASSERTION"));
        o.insert("filesAnalyzed".into(), json!(false));
        let supplier = c
            .supplier
            .as_ref()
            .map(|s| format!("Organization: {}", s.replace(['(', ')'], "")))
            .unwrap_or_else(|| "NOASSERTION".into());
        o.insert("supplier".into(), json!(supplier));
        let sums: Vec<Value> = c
            .hashes
            .iter()
            .filter(|h| h.value.bytes().all(|b| b.is_ascii_hexdigit()) && !h.value.is_empty())
            .filter_map(|h| {
                Some(json!({ "algorithm": spdx_hash_alg(&h.alg)?, "checksumValue": h.value }))
            })
            .collect();
        if !sums.is_empty() {
            o.insert("checksums".into(), Value::Array(sums));
        }
        let lic = match &c.licenses {
            Some(l) if known_spdx_expression(l) => l.clone(),
            Some(l) => {
                let n = extracted.len() + 1;
                extracted
                    .entry(l.clone())
                    .or_insert_with(|| format!("LicenseRef-postmarket-{n}"))
                    .clone()
            }
            None => "NOASSERTION".into(),
        };
        o.insert("licenseConcluded".into(), json!("NOASSERTION"));
        o.insert("licenseDeclared".into(), json!(lic));
        o.insert("copyrightText".into(), json!("NOASSERTION"));
        if let Some(desc) = &c.description {
            o.insert("summary".into(), json!(desc));
        }
        if let Some(t) = c.component_type.as_deref() {
            let up = t.to_ascii_uppercase().replace('_', "-");
            let p = if SPDX_PURPOSES.contains(&up.as_str()) {
                up
            } else {
                "OTHER".into()
            };
            o.insert("primaryPackagePurpose".into(), json!(p));
        }
        let mut refs = Vec::new();
        if let Some(p) = &c.purl {
            refs.push(json!({ "referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl", "referenceLocator": p }));
        }
        if let Some(cpe) = c.cpe.as_ref().filter(|x| Cpe23::parse(x).is_ok()) {
            refs.push(json!({ "referenceCategory": "SECURITY", "referenceType": "cpe23Type", "referenceLocator": cpe }));
        }
        if !refs.is_empty() {
            o.insert("externalRefs".into(), Value::Array(refs));
        }
        let mut anns = Vec::new();
        if let Some(l) = c.support_level {
            anns.push(json!({ "annotationDate": created, "annotationType": "OTHER", "annotator": format!("Tool: {TOOL_NAME}-{TOOL_VERSION}"), "comment": format!("{PROP_SUPPORT_LEVEL}={}", l.as_str()) }));
        }
        if let Some(e) = &c.end_of_support {
            anns.push(json!({ "annotationDate": created, "annotationType": "OTHER", "annotator": format!("Tool: {TOOL_NAME}-{TOOL_VERSION}"), "comment": format!("{PROP_END_OF_SUPPORT}={e}") }));
        }
        if !anns.is_empty() {
            o.insert("annotations".into(), Value::Array(anns));
        }
        packages.push(Value::Object(o));
    }
    let mut rels = Vec::new();
    if let Some(dev) = &sbom.metadata.device {
        rels.push(json!({ "spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": ids[&dev.bom_ref] }));
    } else if sbom.components.len() > 1 {
        // no device: the document describes every component (a single described package would
        // read back as the device, so a lone component is not described)
        for id in elem_ids.iter() {
            rels.push(json!({ "spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": id }));
        }
    } else if sbom.components.is_empty() {
        // nothing to describe: SPDX still wants a DESCRIBES relationship
        rels.push(json!({ "spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "NONE" }));
    }
    let mut seen = HashSet::new();
    for (a, b) in &sbom.dependencies {
        let (Some(a), Some(b)) = (ids.get(a), ids.get(b)) else {
            continue;
        };
        if seen.insert((a.clone(), b.clone())) {
            rels.push(json!({ "spdxElementId": a, "relationshipType": "DEPENDS_ON", "relatedSpdxElement": b }));
        }
    }
    let name = sbom
        .metadata
        .name
        .clone()
        .or_else(|| sbom.metadata.device.as_ref().map(|d| d.name.clone()))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "sbom".into());
    let mut o = Map::new();
    o.insert("spdxVersion".into(), json!("SPDX-2.3"));
    o.insert("dataLicense".into(), json!("CC0-1.0"));
    o.insert("SPDXID".into(), json!("SPDXRef-DOCUMENT"));
    o.insert("name".into(), json!(name));
    o.insert(
        "documentNamespace".into(),
        json!(format!("https://postmarket.invalid/spdx/{}", uuid_from(&d))),
    );
    o.insert(
        "creationInfo".into(),
        json!({ "created": created, "creators": creators }),
    );
    o.insert("packages".into(), Value::Array(packages));
    o.insert("relationships".into(), Value::Array(rels));
    if !extracted.is_empty() {
        let infos: Vec<Value> = extracted
            .iter()
            .map(|(text, id)| json!({ "licenseId": id, "extractedText": text, "name": text }))
            .collect();
        o.insert("hasExtractedLicensingInfos".into(), Value::Array(infos));
    }
    Value::Object(o)
}
