//! CycloneDX 1.2–1.6 JSON (1.0/1.1 `specVersion` values are accepted too).

use crate::diag::{Code, ParseError, Severity};
use crate::model::{Component, ExternalReference, Format, Hash, Metadata, Sbom};
use crate::normalize::{finish, Ctx, Located};
use crate::Parsed;
use serde_json::Value;
use std::collections::HashSet;

pub(crate) const CDX_VERSIONS: &[&str] = &["1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6"];

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k)
        .and_then(|x| x.as_str())
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
}

fn entity_name(v: Option<&Value>) -> Option<String> {
    let v = v?;
    if let Some(t) = v.as_str() {
        return Some(t.to_string()).filter(|x| !x.trim().is_empty());
    }
    s(v, "name").or_else(|| {
        v.get("url")
            .and_then(|u| u.as_array())
            .and_then(|a| a.first())
            .and_then(|u| u.as_str())
            .map(|u| u.to_string())
    })
}

fn person_name(v: &Value) -> Option<String> {
    s(v, "name").or_else(|| s(v, "email"))
}

pub(crate) struct CdxParser {
    pub ctx: Ctx,
    pub comps: Vec<Located<Component>>,
    pub auto: usize,
    pub other_refs: HashSet<String>,
}

impl CdxParser {
    pub fn new() -> Self {
        CdxParser {
            ctx: Ctx::default(),
            comps: Vec::new(),
            auto: 0,
            other_refs: HashSet::new(),
        }
    }

    pub fn next_ref(&mut self) -> String {
        self.auto += 1;
        format!("postmarket:component-{}", self.auto)
    }

    fn component(&mut self, v: &Value, ptr: &str, parent: Option<&str>) -> Option<Component> {
        if !v.is_object() {
            self.ctx.push(
                Code::SkippedElement,
                Severity::Warning,
                ptr,
                "component is not an object; skipped",
            );
            return None;
        }
        let mut c = Component {
            bom_ref: s(v, "bom-ref").unwrap_or_else(|| self.next_ref()),
            name: s(v, "name").unwrap_or_default(),
            version: s(v, "version"),
            component_type: s(v, "type").map(|t| t.to_ascii_lowercase()),
            parent: parent.map(|p| p.to_string()),
            description: s(v, "description"),
            ..Default::default()
        };
        c.supplier = entity_name(v.get("supplier"))
            .or_else(|| entity_name(v.get("manufacturer")))
            .or_else(|| s(v, "publisher"))
            .or_else(|| s(v, "author"))
            .or_else(|| {
                v.get("authors")
                    .and_then(|a| a.as_array())
                    .and_then(|a| a.iter().find_map(person_name))
            });
        if let Some(p) = v.get("purl").and_then(|p| p.as_str()) {
            self.ctx.set_purl(&mut c, p, || format!("{ptr}/purl"));
        }
        if let Some(p) = v.get("cpe").and_then(|p| p.as_str()) {
            self.ctx.set_cpe(&mut c, p, || format!("{ptr}/cpe"));
        }
        c.swid = v.get("swid").and_then(|w| s(w, "tagId"));
        if let Some(hs) = v.get("hashes").and_then(|h| h.as_array()) {
            for h in hs {
                if let (Some(alg), Some(val)) = (s(h, "alg"), s(h, "content")) {
                    c.hashes.push(Hash {
                        alg,
                        value: val.to_ascii_lowercase(),
                    });
                }
            }
        }
        c.licenses = licenses(v.get("licenses"));
        if let Some(props) = v.get("properties").and_then(|p| p.as_array()) {
            for (i, p) in props.iter().enumerate() {
                if let Some(n) = s(p, "name") {
                    let val = p
                        .get("value")
                        .and_then(|x| x.as_str())
                        .unwrap_or("")
                        .to_string();
                    self.ctx
                        .apply_property(&mut c, &n, &val, || format!("{ptr}/properties/{i}/value"));
                    c.properties.push((n, val));
                }
            }
        }
        if let Some(refs) = v.get("externalReferences").and_then(|p| p.as_array()) {
            for r in refs {
                if let (Some(kind), Some(url)) = (s(r, "type"), s(r, "url")) {
                    c.external_references.push(ExternalReference { kind, url });
                }
            }
        }
        Some(c)
    }

    /// Flatten `components` arrays depth-first.
    fn walk(&mut self, arr: Option<&Value>, ptr: &str, parent: Option<&str>, depth: usize) {
        let Some(arr) = arr else { return };
        let Some(items) = arr.as_array() else {
            self.ctx.push(
                Code::SkippedElement,
                Severity::Warning,
                ptr,
                "components is not an array; skipped",
            );
            return;
        };
        if depth > 64 {
            self.ctx.push(
                Code::SkippedElement,
                Severity::Warning,
                ptr,
                "components nested deeper than 64 levels; skipped",
            );
            return;
        }
        for (i, v) in items.iter().enumerate() {
            let p = format!("{ptr}/{i}");
            if let Some(c) = self.component(v, &p, parent) {
                let r = c.bom_ref.clone();
                self.comps.push(Located {
                    value: c,
                    loc: p.clone(),
                });
                self.walk(
                    v.get("components"),
                    &format!("{p}/components"),
                    Some(&r),
                    depth + 1,
                );
            }
        }
    }

    fn collect_other_refs(&mut self, v: Option<&Value>, depth: usize) {
        // services (and nested services) have bom-refs that dependencies may name
        let Some(arr) = v.and_then(|x| x.as_array()) else {
            return;
        };
        if depth > 64 {
            return;
        }
        for sv in arr {
            if let Some(r) = s(sv, "bom-ref") {
                self.other_refs.insert(r);
            }
            self.collect_other_refs(sv.get("services"), depth + 1);
        }
    }
}

pub(crate) fn licenses(v: Option<&Value>) -> Option<String> {
    let arr = v?.as_array()?;
    let mut parts = Vec::new();
    for l in arr {
        if let Some(e) = s(l, "expression") {
            parts.push(e);
        } else if let Some(lic) = l.get("license") {
            if let Some(id) = s(lic, "id").or_else(|| s(lic, "name")) {
                parts.push(id);
            }
        }
    }
    join_licenses(parts)
}

pub(crate) fn join_licenses(parts: Vec<String>) -> Option<String> {
    match parts.len() {
        0 => None,
        1 => parts.into_iter().next(),
        _ => Some(
            parts
                .iter()
                .map(|p| {
                    if p.contains(' ') {
                        format!("({p})")
                    } else {
                        p.clone()
                    }
                })
                .collect::<Vec<_>>()
                .join(" AND "),
        ),
    }
}

fn tool_string(t: &Value) -> Option<String> {
    let parts: Vec<String> = ["vendor", "name", "version"]
        .iter()
        .filter_map(|k| s(t, k))
        .collect();
    let parts = if parts.is_empty() {
        // 1.5+ tool components: group/name/version, supplier name
        ["group", "name", "version"]
            .iter()
            .filter_map(|k| s(t, k))
            .collect()
    } else {
        parts
    };
    if parts.is_empty() {
        None
    } else {
        Some(parts.join(" "))
    }
}

pub(crate) fn parse(doc: &Value) -> Result<Parsed, ParseError> {
    let Some(root) = doc.as_object() else {
        return Err(ParseError::new(
            Code::InvalidStructure,
            "",
            "top level is not an object",
        ));
    };
    let spec = match root.get("specVersion") {
        Some(Value::String(v)) => v.clone(),
        Some(_) => {
            return Err(ParseError::new(
                Code::UnsupportedSpecVersion,
                "/specVersion",
                "specVersion is not a string",
            ))
        }
        None => {
            return Err(ParseError::new(
                Code::UnsupportedSpecVersion,
                "/specVersion",
                "CycloneDX document has no specVersion",
            ))
        }
    };
    if !CDX_VERSIONS.contains(&spec.as_str()) {
        return Err(ParseError::new(
            Code::UnsupportedSpecVersion,
            "/specVersion",
            format!("unsupported CycloneDX specVersion '{spec}' (supported: 1.0–1.6)"),
        ));
    }
    for key in ["components", "dependencies", "services"] {
        if let Some(v) = root.get(key) {
            if !v.is_array() {
                return Err(ParseError::new(
                    Code::InvalidStructure,
                    format!("/{key}"),
                    format!("{key} must be an array"),
                ));
            }
        }
    }
    if let Some(m) = root.get("metadata") {
        if !m.is_object() {
            return Err(ParseError::new(
                Code::InvalidStructure,
                "/metadata",
                "metadata must be an object",
            ));
        }
    }
    let mut p = CdxParser::new();
    let mut meta = Metadata {
        spec_version: spec,
        serial_number: s(doc, "serialNumber"),
        ..Default::default()
    };
    let mut device = None;
    if let Some(m) = root.get("metadata") {
        meta.timestamp = s(m, "timestamp");
        if let Some(a) = m.get("authors").and_then(|a| a.as_array()) {
            meta.authors = a.iter().filter_map(person_name).collect();
        }
        match m.get("tools") {
            Some(Value::Array(ts)) => meta.tools = ts.iter().filter_map(tool_string).collect(),
            Some(Value::Object(o)) => {
                for k in ["components", "services"] {
                    if let Some(ts) = o.get(k).and_then(|x| x.as_array()) {
                        meta.tools.extend(ts.iter().filter_map(tool_string));
                    }
                }
            }
            _ => {}
        }
        if let Some(dc) = m.get("component") {
            if let Some(d) = p.component(dc, "/metadata/component", None) {
                meta.name = Some(d.name.clone()).filter(|n| !n.is_empty());
                let r = d.bom_ref.clone();
                device = Some(d);
                p.walk(
                    dc.get("components"),
                    "/metadata/component/components",
                    Some(&r),
                    1,
                );
            }
        }
        if meta.authors.is_empty() {
            // CycloneDX 1.6 puts document authorship on the manufacturer/supplier too
            if let Some(n) =
                entity_name(m.get("manufacture")).or_else(|| entity_name(m.get("manufacturer")))
            {
                meta.authors.push(n);
            }
        }
    }
    p.walk(root.get("components"), "/components", None, 0);
    p.collect_other_refs(root.get("services"), 0);
    let mut edges = Vec::new();
    if let Some(deps) = root.get("dependencies").and_then(|d| d.as_array()) {
        for (i, d) in deps.iter().enumerate() {
            let Some(from) = s(d, "ref") else {
                p.ctx.push(
                    Code::SkippedElement,
                    Severity::Warning,
                    format!("/dependencies/{i}"),
                    "dependency without ref; skipped",
                );
                continue;
            };
            if let Some(to) = d.get("dependsOn").and_then(|x| x.as_array()) {
                for (j, t) in to.iter().enumerate() {
                    if let Some(t) = t.as_str() {
                        edges.push(Located {
                            value: (from.clone(), t.to_string()),
                            loc: format!("/dependencies/{i}/dependsOn/{j}"),
                        });
                    }
                }
            }
            // a dependency entry with an unknown ref and no dependsOn is still a dangling ref
            if d.get("dependsOn")
                .and_then(|x| x.as_array())
                .is_none_or(|a| a.is_empty())
            {
                edges.push(Located {
                    value: (from.clone(), from.clone()),
                    loc: format!("/dependencies/{i}/ref"),
                });
            }
        }
    }
    let dependencies = finish(&mut p.ctx, &p.comps, device.as_ref(), edges, &p.other_refs)
        .into_iter()
        .filter(|(a, b)| a != b)
        .collect();
    meta.device = device;
    Ok(Parsed {
        sbom: Sbom {
            format: Format::CycloneDxJson,
            metadata: meta,
            components: p.comps.into_iter().map(|c| c.value).collect(),
            dependencies,
        },
        diagnostics: p.ctx.diags,
    })
}
