//! SPDX 3.0 JSON-LD (`@context` `https://spdx.org/rdf/3.0.x/spdx-context.jsonld`, elements in
//! `@graph`). Components are `software_Package` elements and their subclasses
//! (`ai_AIPackage`, `dataset_DatasetPackage`).

use crate::diag::{Code, ParseError};
use crate::model::{Component, ExternalReference, Format, Hash, Metadata, Sbom};
use crate::normalize::{finish, Ctx, Located};
use crate::Parsed;
use serde_json::Value;
use std::collections::{HashMap, HashSet};

const PACKAGE_TYPES: &[&str] = &["software_Package", "ai_AIPackage", "dataset_DatasetPackage"];

fn s(v: &Value, k: &str) -> Option<String> {
    v.get(k)
        .and_then(|x| x.as_str())
        .map(|x| x.trim().to_string())
        .filter(|x| !x.is_empty())
}

fn ids(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::String(x)) => vec![x.clone()],
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(|s| s.to_string()))
            .collect(),
        _ => vec![],
    }
}

fn ty(v: &Value) -> &str {
    v.get("type")
        .or_else(|| v.get("@type"))
        .and_then(|t| t.as_str())
        .unwrap_or("")
}

fn id_of(v: &Value) -> Option<String> {
    s(v, "spdxId").or_else(|| s(v, "@id"))
}

pub(crate) fn parse(doc: &Value) -> Result<Parsed, ParseError> {
    let graph = match doc.get("@graph") {
        Some(Value::Array(g)) => g,
        Some(_) => {
            return Err(ParseError::new(
                Code::InvalidStructure,
                "/@graph",
                "@graph must be an array",
            ))
        }
        None => {
            return Err(ParseError::new(
                Code::InvalidStructure,
                "/@graph",
                "SPDX 3 JSON-LD document has no @graph",
            ))
        }
    };
    let mut by_id: HashMap<String, (usize, &Value)> = HashMap::new();
    for (i, e) in graph.iter().enumerate() {
        if let Some(id) = id_of(e) {
            by_id.entry(id).or_insert((i, e));
        }
    }
    // spec version from CreationInfo (inline or referenced)
    let mut creation: Option<&Value> = None;
    let mut spec_loc = String::from("/@context");
    for (i, e) in graph.iter().enumerate() {
        if ty(e) == "SpdxDocument" {
            match e.get("creationInfo") {
                Some(Value::String(r)) => {
                    if let Some((j, ci)) = by_id.get(r) {
                        creation = Some(ci);
                        spec_loc = format!("/@graph/{j}/specVersion");
                    }
                }
                Some(o @ Value::Object(_)) => {
                    creation = Some(o);
                    spec_loc = format!("/@graph/{i}/creationInfo/specVersion");
                }
                _ => {}
            }
        }
    }
    if creation.is_none() {
        if let Some((i, e)) = graph
            .iter()
            .enumerate()
            .find(|(_, e)| ty(e) == "CreationInfo")
        {
            creation = Some(e);
            spec_loc = format!("/@graph/{i}/specVersion");
        }
    }
    let spec = creation.and_then(|c| s(c, "specVersion"));
    let spec = match spec {
        Some(v) if v.starts_with("3.0") => v,
        Some(v) => {
            return Err(ParseError::new(
                Code::UnsupportedSpecVersion,
                spec_loc,
                format!("unsupported SPDX specVersion '{v}' (supported: 3.0.x)"),
            ))
        }
        None => {
            return Err(ParseError::new(
                Code::UnsupportedSpecVersion,
                spec_loc,
                "SPDX 3 document has no CreationInfo specVersion",
            ))
        }
    };
    let agent_name = |id: &str| -> Option<String> {
        by_id
            .get(id)
            .and_then(|(_, e)| s(e, "name"))
            .or_else(|| Some(id.to_string()))
    };
    let mut ctx = Ctx::default();
    let mut comps: Vec<Located<Component>> = Vec::new();
    let mut package_ids: HashSet<String> = HashSet::new();
    let mut licenses: HashMap<String, (Option<String>, Option<String>)> = HashMap::new();
    // license relationships first
    for e in graph {
        let t = ty(e);
        if t == "Relationship" || t == "LifecycleScopedRelationship" {
            let rt = s(e, "relationshipType").unwrap_or_default();
            if rt == "hasConcludedLicense" || rt == "hasDeclaredLicense" {
                if let Some(from) = s(e, "from") {
                    let expr: Vec<String> = ids(e.get("to"))
                        .iter()
                        .filter_map(|t| by_id.get(t))
                        .filter_map(|(_, l)| {
                            s(l, "simplelicensing_licenseExpression").or_else(|| s(l, "name"))
                        })
                        .collect();
                    if let Some(x) = expr.into_iter().next() {
                        let ent = licenses.entry(from).or_default();
                        if rt == "hasConcludedLicense" {
                            ent.0 = Some(x);
                        } else {
                            ent.1 = Some(x);
                        }
                    }
                }
            }
        }
    }
    let mut auto = 0;
    for (i, e) in graph.iter().enumerate() {
        if !PACKAGE_TYPES.contains(&ty(e)) {
            continue;
        }
        let ptr = format!("/@graph/{i}");
        let id = id_of(e).unwrap_or_else(|| {
            auto += 1;
            format!("postmarket:component-{auto}")
        });
        package_ids.insert(id.clone());
        let mut c = Component {
            bom_ref: id.clone(),
            name: s(e, "name").unwrap_or_default(),
            version: s(e, "software_packageVersion"),
            component_type: s(e, "software_primaryPurpose").map(|p| p.to_ascii_lowercase()),
            description: s(e, "summary").or_else(|| s(e, "description")),
            ..Default::default()
        };
        c.supplier = ids(e.get("suppliedBy"))
            .first()
            .and_then(|a| agent_name(a))
            .or_else(|| {
                ids(e.get("originatedBy"))
                    .first()
                    .and_then(|a| agent_name(a))
            });
        if let Some(p) = s(e, "software_packageUrl") {
            ctx.set_purl(&mut c, &p, || format!("{ptr}/software_packageUrl"));
        }
        if let Some(xs) = e.get("externalIdentifier").and_then(|x| x.as_array()) {
            for (j, x) in xs.iter().enumerate() {
                let (Some(t), Some(v)) = (s(x, "externalIdentifierType"), s(x, "identifier"))
                else {
                    continue;
                };
                let loc = format!("{ptr}/externalIdentifier/{j}/identifier");
                match t.as_str() {
                    "packageUrl" if c.purl_raw.is_none() => ctx.set_purl(&mut c, &v, || loc),
                    "cpe23" if c.cpe.is_none() => ctx.set_cpe(&mut c, &v, || loc),
                    "swid" if c.swid.is_none() => c.swid = Some(v),
                    _ => c
                        .external_references
                        .push(ExternalReference { kind: t, url: v }),
                }
            }
        }
        if let Some(hs) = e.get("verifiedUsing").and_then(|x| x.as_array()) {
            for h in hs {
                if let (Some(a), Some(v)) = (s(h, "algorithm"), s(h, "hashValue")) {
                    c.hashes.push(Hash {
                        alg: a,
                        value: v.to_ascii_lowercase(),
                    });
                }
            }
        }
        if let Some(h) = s(e, "software_homePage") {
            c.external_references.push(ExternalReference {
                kind: "website".into(),
                url: h,
            });
        }
        if let Some((concl, decl)) = licenses.get(&id) {
            c.licenses = concl
                .clone()
                .filter(|x| x != "NOASSERTION")
                .or_else(|| decl.clone().filter(|x| x != "NOASSERTION"));
        }
        comps.push(Located { value: c, loc: ptr });
    }
    // annotations
    for (i, e) in graph.iter().enumerate() {
        if ty(e) != "Annotation" {
            continue;
        }
        let (Some(subj), Some(st)) = (s(e, "subject"), s(e, "statement")) else {
            continue;
        };
        if let Some((k, v)) = crate::spdx_json::split_annotation(&st) {
            if let Some(lc) = comps.iter_mut().find(|c| c.value.bom_ref == subj) {
                if ctx.apply_property(&mut lc.value, &k, &v, || format!("/@graph/{i}/statement")) {
                    lc.value.properties.push((k, v));
                }
            }
        }
    }
    // device
    let mut described: Vec<String> = Vec::new();
    let mut containers: HashSet<String> = HashSet::new();
    for e in graph {
        let t = ty(e);
        if t == "software_Sbom" || t == "SpdxDocument" || t == "Bom" {
            if let Some(id) = id_of(e) {
                containers.insert(id);
            }
            described.extend(ids(e.get("rootElement")));
        }
    }
    for e in graph {
        let t = ty(e);
        if (t == "Relationship" || t == "LifecycleScopedRelationship")
            && s(e, "relationshipType").as_deref() == Some("describes")
            && s(e, "from").is_some_and(|f| containers.contains(&f))
        {
            described.extend(ids(e.get("to")));
        }
    }
    described.retain(|d| package_ids.contains(d));
    described.sort();
    described.dedup();
    let mut device = None;
    if described.len() == 1 {
        if let Some(i) = comps.iter().position(|c| c.value.bom_ref == described[0]) {
            device = Some(comps.remove(i).value);
        }
    }
    // dependency edges
    let mut edges = Vec::new();
    for (i, e) in graph.iter().enumerate() {
        let t = ty(e);
        if t != "Relationship" && t != "LifecycleScopedRelationship" {
            continue;
        }
        let rt = s(e, "relationshipType").unwrap_or_default();
        if !matches!(
            rt.as_str(),
            "dependsOn" | "contains" | "hasStaticLink" | "hasDynamicLink"
        ) {
            continue;
        }
        let Some(from) = s(e, "from") else { continue };
        for (j, to) in ids(e.get("to")).into_iter().enumerate() {
            let from_pkg = package_ids.contains(&from);
            let to_pkg = package_ids.contains(&to);
            if from_pkg && to_pkg {
                edges.push(Located {
                    value: (from.clone(), to),
                    loc: format!("/@graph/{i}/to/{j}"),
                });
            } else {
                // an edge to a non-package element (file, …) is not a component edge; an edge to
                // an id that is nowhere in the graph is reported
                for r in [&from, &to] {
                    if !by_id.contains_key(r.as_str()) && !package_ids.contains(r) {
                        edges.push(Located {
                            value: (from.clone(), to.clone()),
                            loc: format!("/@graph/{i}/to/{j}"),
                        });
                        break;
                    }
                }
            }
        }
    }
    // ids imported from other documents (SpdxDocument.import[].externalSpdxId) are external
    let imported: HashSet<String> = graph
        .iter()
        .filter_map(|e| e.get("import").and_then(|i| i.as_array()))
        .flatten()
        .filter_map(|m| s(m, "externalSpdxId"))
        .collect();
    edges.retain(|e| !imported.contains(&e.value.0) && !imported.contains(&e.value.1));
    let known: HashSet<String> = HashSet::new();
    let dependencies = finish(&mut ctx, &comps, device.as_ref(), edges, &known);
    let mut meta = Metadata {
        spec_version: spec,
        ..Default::default()
    };
    if let Some(ci) = creation {
        meta.timestamp = s(ci, "created");
        meta.authors = ids(ci.get("createdBy"))
            .iter()
            .filter_map(|a| agent_name(a))
            .collect();
        meta.tools = ids(ci.get("createdUsing"))
            .iter()
            .filter_map(|a| agent_name(a))
            .collect();
    }
    if let Some(d) = graph.iter().find(|e| ty(e) == "SpdxDocument") {
        meta.name = s(d, "name");
        meta.serial_number = id_of(d);
    }
    meta.device = device;
    Ok(Parsed {
        sbom: Sbom {
            format: Format::Spdx3JsonLd,
            metadata: meta,
            components: comps.into_iter().map(|c| c.value).collect(),
            dependencies,
        },
        diagnostics: ctx.diags,
    })
}
