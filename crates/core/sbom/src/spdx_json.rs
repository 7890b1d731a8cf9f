//! SPDX 2.x: the JSON reader and the model shared with the tag-value reader.

use crate::diag::{Code, ParseError, Severity};
use crate::model::{Component, ExternalReference, Format, Hash, Metadata, Sbom};
use crate::normalize::{finish, Ctx, Located};
use crate::Parsed;
use serde_json::Value;
use std::collections::HashSet;

pub(crate) const SPDX2_VERSIONS: &[&str] = &["SPDX-2.0", "SPDX-2.1", "SPDX-2.2", "SPDX-2.3"];

#[derive(Default)]
pub(crate) struct SpdxPkg {
    pub id: Option<String>,
    pub name: Option<String>,
    pub version: Option<String>,
    pub supplier: Option<String>,
    pub originator: Option<String>,
    pub checksums: Vec<(String, String)>,
    pub license_concluded: Option<String>,
    pub license_declared: Option<String>,
    /// (category, type, locator, location)
    pub external_refs: Vec<(String, String, String, String)>,
    pub homepage: Option<String>,
    pub purpose: Option<String>,
    pub summary: Option<String>,
    pub loc: String,
}

#[derive(Default)]
pub(crate) struct SpdxDoc {
    pub spec: String,
    pub doc_id: String,
    pub name: Option<String>,
    pub namespace: Option<String>,
    pub created: Option<String>,
    pub creators: Vec<String>,
    pub packages: Vec<SpdxPkg>,
    /// (from, type, to, location)
    pub relationships: Vec<(String, String, String, String)>,
    pub describes: Vec<String>,
    /// ids of files, snippets and other non-package elements
    pub other_ids: HashSet<String>,
    /// (subject, comment, location)
    pub annotations: Vec<(String, String, String)>,
}

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k)
        .and_then(|x| x.as_str())
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
}

/// Strip `Organization:` / `Person:` / `Tool:` and a trailing `(email)`; `NOASSERTION` → None.
pub(crate) fn agent_name(v: &str) -> Option<String> {
    let v = v.trim();
    if v.is_empty() || v.eq_ignore_ascii_case("NOASSERTION") || v.eq_ignore_ascii_case("NONE") {
        return None;
    }
    let v = ["Organization:", "Person:", "Tool:"]
        .iter()
        .find_map(|p| v.strip_prefix(p))
        .unwrap_or(v)
        .trim();
    let v = match (v.rfind('('), v.ends_with(')')) {
        (Some(i), true) if i > 0 => v[..i].trim(),
        _ => v,
    };
    Some(v.to_string()).filter(|x| !x.is_empty())
}

fn license_value(v: Option<&String>) -> Option<String> {
    v.filter(|x| !x.eq_ignore_ascii_case("NOASSERTION") && !x.is_empty())
        .cloned()
}

/// Split an annotation comment `key=value` (or `key: value`).
pub(crate) fn split_annotation(c: &str) -> Option<(String, String)> {
    let c = c.trim();
    let (k, v) = c.split_once('=').or_else(|| c.split_once(": "))?;
    Some((k.trim().to_string(), v.trim().to_string()))
}

pub(crate) fn edge_for(from: &str, ty: &str, to: &str) -> Option<(String, String)> {
    let t = ty.to_ascii_uppercase();
    match t.as_str() {
        "DEPENDS_ON" | "CONTAINS" | "STATIC_LINK" | "DYNAMIC_LINK" => {
            Some((from.to_string(), to.to_string()))
        }
        "DEPENDENCY_OF"
        | "CONTAINED_BY"
        | "BUILD_DEPENDENCY_OF"
        | "DEV_DEPENDENCY_OF"
        | "OPTIONAL_DEPENDENCY_OF"
        | "PROVIDED_DEPENDENCY_OF"
        | "TEST_DEPENDENCY_OF"
        | "RUNTIME_DEPENDENCY_OF" => Some((to.to_string(), from.to_string())),
        _ => None,
    }
}

fn is_external(id: &str) -> bool {
    id.starts_with("DocumentRef-") || id == "NONE" || id == "NOASSERTION"
}

/// Turn the format-neutral SPDX 2 document into the normalised model.
pub(crate) fn build(doc: SpdxDoc, format: Format) -> Parsed {
    let mut ctx = Ctx::default();
    let mut auto = 0;
    let mut comps: Vec<Located<Component>> = Vec::new();
    for p in doc.packages {
        let id = p.id.clone().unwrap_or_else(|| {
            auto += 1;
            format!("postmarket:component-{auto}")
        });
        let mut c = Component {
            bom_ref: id,
            name: p.name.clone().unwrap_or_default(),
            version: p.version.clone(),
            supplier: p
                .supplier
                .as_deref()
                .and_then(agent_name)
                .or_else(|| p.originator.as_deref().and_then(agent_name)),
            licenses: license_value(p.license_concluded.as_ref())
                .or_else(|| license_value(p.license_declared.as_ref())),
            component_type: p.purpose.as_ref().map(|x| x.to_ascii_lowercase()),
            description: p.summary.clone(),
            ..Default::default()
        };
        for (alg, val) in &p.checksums {
            c.hashes.push(Hash {
                alg: alg.clone(),
                value: val.to_ascii_lowercase(),
            });
        }
        for (cat, ty, loc_v, loc) in &p.external_refs {
            match ty.as_str() {
                "purl" if c.purl_raw.is_none() => ctx.set_purl(&mut c, loc_v, || loc.clone()),
                "cpe23Type" if c.cpe.is_none() => ctx.set_cpe(&mut c, loc_v, || loc.clone()),
                "swid" if c.swid.is_none() => c.swid = Some(loc_v.clone()),
                _ => c.external_references.push(ExternalReference {
                    kind: format!("{cat}/{ty}"),
                    url: loc_v.clone(),
                }),
            }
        }
        if let Some(h) = &p.homepage {
            if !h.eq_ignore_ascii_case("NOASSERTION") && !h.eq_ignore_ascii_case("NONE") {
                c.external_references.push(ExternalReference {
                    kind: "website".into(),
                    url: h.clone(),
                });
            }
        }
        comps.push(Located {
            value: c,
            loc: p.loc,
        });
    }
    // annotations carry support level / end of support
    for (subject, comment, loc) in &doc.annotations {
        if let Some((k, v)) = split_annotation(comment) {
            if let Some(lc) = comps.iter_mut().find(|c| &c.value.bom_ref == subject) {
                if ctx.apply_property(&mut lc.value, &k, &v, || loc.clone()) {
                    lc.value.properties.push((k, v));
                }
            }
        }
    }
    // the device: the single package the document describes
    let mut described: Vec<String> = doc.describes.clone();
    for (a, t, b, _) in &doc.relationships {
        if t.eq_ignore_ascii_case("DESCRIBES") && *a == doc.doc_id {
            described.push(b.clone());
        } else if t.eq_ignore_ascii_case("DESCRIBED_BY") && *b == doc.doc_id {
            described.push(a.clone());
        }
    }
    described.sort();
    described.dedup();
    let mut device = None;
    if described.len() == 1 {
        if let Some(i) = comps.iter().position(|c| c.value.bom_ref == described[0]) {
            device = Some(comps.remove(i).value);
        }
    }
    let mut edges = Vec::new();
    for (a, t, b, loc) in &doc.relationships {
        if is_external(a) || is_external(b) {
            continue;
        }
        if let Some(e) = edge_for(a, t, b) {
            edges.push(Located {
                value: e,
                loc: loc.clone(),
            });
        }
    }
    let mut known = doc.other_ids.clone();
    known.insert(doc.doc_id.clone());
    let dependencies = finish(&mut ctx, &comps, device.as_ref(), edges, &known);
    let mut authors = Vec::new();
    let mut tools = Vec::new();
    for c in &doc.creators {
        let c = c.trim();
        if c.starts_with("Tool:") {
            tools.extend(agent_name(c));
        } else {
            authors.extend(agent_name(c));
        }
    }
    Parsed {
        sbom: Sbom {
            format,
            metadata: Metadata {
                spec_version: doc.spec.trim_start_matches("SPDX-").to_string(),
                name: doc.name,
                serial_number: doc.namespace,
                authors,
                timestamp: doc.created,
                tools,
                device,
            },
            components: comps.into_iter().map(|c| c.value).collect(),
            dependencies,
        },
        diagnostics: ctx.diags,
    }
}

pub(crate) fn parse(v: &Value) -> Result<Parsed, ParseError> {
    let Some(root) = v.as_object() else {
        return Err(ParseError::new(
            Code::InvalidStructure,
            "",
            "top level is not an object",
        ));
    };
    let spec = match root.get("spdxVersion") {
        Some(Value::String(s)) => s.clone(),
        _ => {
            return Err(ParseError::new(
                Code::UnsupportedSpecVersion,
                "/spdxVersion",
                "spdxVersion is not a string",
            ))
        }
    };
    if !SPDX2_VERSIONS.contains(&spec.as_str()) {
        return Err(ParseError::new(
            Code::UnsupportedSpecVersion,
            "/spdxVersion",
            format!("unsupported spdxVersion '{spec}' (supported: SPDX-2.0 … SPDX-2.3)"),
        ));
    }
    for key in [
        "packages",
        "relationships",
        "files",
        "snippets",
        "annotations",
        "documentDescribes",
    ] {
        if let Some(x) = root.get(key) {
            if !x.is_array() {
                return Err(ParseError::new(
                    Code::InvalidStructure,
                    format!("/{key}"),
                    format!("{key} must be an array"),
                ));
            }
        }
    }
    let mut doc = SpdxDoc {
        spec,
        doc_id: s(v, "SPDXID").unwrap_or_else(|| "SPDXRef-DOCUMENT".into()),
        name: s(v, "name"),
        namespace: s(v, "documentNamespace"),
        ..Default::default()
    };
    if let Some(ci) = v.get("creationInfo") {
        doc.created = s(ci, "created");
        if let Some(cs) = ci.get("creators").and_then(|c| c.as_array()) {
            doc.creators = cs
                .iter()
                .filter_map(|c| c.as_str().map(|x| x.to_string()))
                .collect();
        }
    }
    let mut warn = Vec::new();
    if let Some(pk) = v.get("packages").and_then(|p| p.as_array()) {
        for (i, p) in pk.iter().enumerate() {
            let ptr = format!("/packages/{i}");
            if !p.is_object() {
                warn.push(ptr);
                continue;
            }
            let mut sp = SpdxPkg {
                id: s(p, "SPDXID"),
                name: s(p, "name"),
                version: s(p, "versionInfo"),
                supplier: s(p, "supplier"),
                originator: s(p, "originator"),
                license_concluded: s(p, "licenseConcluded"),
                license_declared: s(p, "licenseDeclared"),
                homepage: s(p, "homepage"),
                purpose: s(p, "primaryPackagePurpose"),
                summary: s(p, "summary").or_else(|| s(p, "description")),
                loc: ptr.clone(),
                ..Default::default()
            };
            if let Some(cs) = p.get("checksums").and_then(|c| c.as_array()) {
                for c in cs {
                    if let (Some(a), Some(val)) = (s(c, "algorithm"), s(c, "checksumValue")) {
                        sp.checksums.push((a, val));
                    }
                }
            }
            if let Some(rs) = p.get("externalRefs").and_then(|c| c.as_array()) {
                for (j, r) in rs.iter().enumerate() {
                    if let (Some(ty), Some(l)) = (s(r, "referenceType"), s(r, "referenceLocator")) {
                        sp.external_refs.push((
                            s(r, "referenceCategory").unwrap_or_default(),
                            ty,
                            l,
                            format!("{ptr}/externalRefs/{j}/referenceLocator"),
                        ));
                    }
                }
            }
            if let Some(an) = p.get("annotations").and_then(|c| c.as_array()) {
                for (j, a) in an.iter().enumerate() {
                    if let (Some(id), Some(c)) = (sp.id.clone(), s(a, "comment")) {
                        doc.annotations
                            .push((id, c, format!("{ptr}/annotations/{j}/comment")));
                    }
                }
            }
            doc.packages.push(sp);
        }
    }
    for key in ["files", "snippets"] {
        if let Some(fs) = v.get(key).and_then(|p| p.as_array()) {
            for f in fs {
                if let Some(id) = s(f, "SPDXID") {
                    doc.other_ids.insert(id);
                }
            }
        }
    }
    if let Some(d) = v.get("documentDescribes").and_then(|p| p.as_array()) {
        doc.describes = d
            .iter()
            .filter_map(|x| x.as_str().map(|s| s.to_string()))
            .collect();
    }
    if let Some(rs) = v.get("relationships").and_then(|p| p.as_array()) {
        for (i, r) in rs.iter().enumerate() {
            if let (Some(a), Some(t), Some(b)) = (
                s(r, "spdxElementId"),
                s(r, "relationshipType"),
                s(r, "relatedSpdxElement"),
            ) {
                doc.relationships
                    .push((a, t, b, format!("/relationships/{i}")));
            }
        }
    }
    if let Some(an) = v.get("annotations").and_then(|p| p.as_array()) {
        // SPDX 2.2 JSON has no subject on document-level annotations; only our writer's
        // `spdxElementId` extension is read here.
        for (j, a) in an.iter().enumerate() {
            if let (Some(id), Some(c)) = (s(a, "spdxElementId"), s(a, "comment")) {
                doc.annotations
                    .push((id, c, format!("/annotations/{j}/comment")));
            }
        }
    }
    // licenses that are a single extracted LicenseRef read back as that license's name
    let mut extracted: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    if let Some(xs) = v
        .get("hasExtractedLicensingInfos")
        .and_then(|p| p.as_array())
    {
        for x in xs {
            if let (Some(id), Some(name)) = (s(x, "licenseId"), s(x, "name")) {
                extracted.insert(id, name);
            }
        }
    }
    if !extracted.is_empty() {
        for p in &mut doc.packages {
            for l in [&mut p.license_concluded, &mut p.license_declared] {
                if let Some(n) = l.as_ref().and_then(|x| extracted.get(x)) {
                    *l = Some(n.clone());
                }
            }
        }
    }
    let mut parsed = build(doc, Format::SpdxJson);
    for ptr in warn {
        parsed.diagnostics.push(crate::Diagnostic {
            code: Code::SkippedElement,
            severity: Severity::Warning,
            location: ptr,
            message: "package is not an object; skipped".into(),
        });
    }
    Ok(parsed)
}
