//! CSAF 2.0 reader (any category with `vulnerabilities[].product_status`, typically `csaf_vex`
//! and `csaf_security_advisory`).
//!
//! Product ids resolve through `product_tree` (branches at any depth, `full_product_names`,
//! `relationships[].full_product_name`) to their name and `purl` / `cpe` helpers; `group_ids`
//! expand through `product_groups`. Per product: the status group (`recommended` says nothing
//! about the vulnerability and gives no statement), the `vex_justification` flag, the `impact`
//! threat details, and the details of every remediation naming it.

use std::collections::BTreeMap;

use serde_json::Value;

use super::{at, invalid, At, Format, Imported, ProductIdentity, Statement};
use crate::error::ReadError;
use crate::vocab::{Justification, Status, VexJustification};

const GROUPS: [&str; 8] = [
    "first_affected",
    "first_fixed",
    "fixed",
    "known_affected",
    "known_not_affected",
    "last_affected",
    "recommended",
    "under_investigation",
];

struct Tree {
    products: BTreeMap<String, ProductIdentity>,
    groups: BTreeMap<String, Vec<String>>,
}

fn full_product_name(p: &At<'_>, tree: &mut Tree) -> Result<(), ReadError> {
    let id = p.str("product_id")?.to_string();
    let mut ident = ProductIdentity {
        id: Some(id.clone()),
        name: p.opt_str("name")?.map(str::to_string),
        ..Default::default()
    };
    if let Some(h) = p.child("product_identification_helper") {
        h.object()?;
        ident.purl = h.opt_str("purl")?.map(str::to_string);
        ident.cpe = h.opt_str("cpe")?.map(str::to_string);
    }
    if tree.products.insert(id.clone(), ident).is_some() {
        return Err(ReadError::Invalid {
            pointer: p.key("product_id"),
            expected: "a product id defined once (CSAF test 6.1.2)".into(),
            found: Some(format!("{id:?} defined again")),
        });
    }
    Ok(())
}

fn branches(b: &At<'_>, tree: &mut Tree, depth: usize) -> Result<(), ReadError> {
    if depth > 64 {
        return Err(invalid(&b.ptr, "branches nested at most 64 deep", b.v));
    }
    for br in b.items("branches")? {
        br.object()?;
        if let Some(p) = br.child("product") {
            full_product_name(&p, tree)?;
        }
        branches(&br, tree, depth + 1)?;
    }
    Ok(())
}

fn product_tree(doc: &At<'_>) -> Result<Tree, ReadError> {
    let mut tree = Tree {
        products: BTreeMap::new(),
        groups: BTreeMap::new(),
    };
    let Some(pt) = doc.child("product_tree") else {
        return Ok(tree);
    };
    pt.object()?;
    branches(&pt, &mut tree, 0)?;
    for p in pt.items("full_product_names")? {
        full_product_name(&p, &mut tree)?;
    }
    for r in pt.items("relationships")? {
        let p = r
            .child("full_product_name")
            .ok_or_else(|| super::missing(&r.key("full_product_name"), "an object"))?;
        full_product_name(&p, &mut tree)?;
    }
    for g in pt.items("product_groups")? {
        let id = g.str("group_id")?.to_string();
        let members = g
            .opt_strings("product_ids")?
            .into_iter()
            .map(str::to_string)
            .collect();
        tree.groups.insert(id, members);
    }
    Ok(tree)
}

impl Tree {
    /// The product ids an element names through `product_ids` and `group_ids`, each checked.
    fn refs(&self, el: &At<'_>) -> Result<Vec<String>, ReadError> {
        let mut out = Vec::new();
        for (i, id) in el.opt_strings("product_ids")?.into_iter().enumerate() {
            self.product(&format!("{}/{i}", el.key("product_ids")), id)?;
            out.push(id.to_string());
        }
        for (i, g) in el.opt_strings("group_ids")?.into_iter().enumerate() {
            let members = self.groups.get(g).ok_or_else(|| ReadError::Invalid {
                pointer: format!("{}/{i}", el.key("group_ids")),
                expected: "a group id defined in /product_tree/product_groups (CSAF test 6.1.4)"
                    .into(),
                found: Some(format!("{g:?}")),
            })?;
            out.extend(members.iter().cloned());
        }
        Ok(out)
    }

    fn product(&self, pointer: &str, id: &str) -> Result<&ProductIdentity, ReadError> {
        self.products.get(id).ok_or_else(|| ReadError::Invalid {
            pointer: pointer.to_string(),
            expected: "a product id defined in /product_tree (CSAF test 6.1.1)".into(),
            found: Some(format!("{id:?}")),
        })
    }
}

/// Reads a CSAF 2.0 document.
pub fn read_csaf(v: &Value) -> Result<Imported, ReadError> {
    let root = at(v, "");
    root.object()?;
    let doc = root
        .child("document")
        .ok_or_else(|| super::missing("/document", "an object"))?;
    doc.object()?;
    let version = doc.str("csaf_version")?;
    if version != "2.0" {
        return Err(invalid(
            "/document/csaf_version",
            "\"2.0\"",
            &Value::String(version.into()),
        ));
    }
    doc.str("category")?;
    let current = doc
        .child("tracking")
        .ok_or_else(|| super::missing("/document/tracking", "an object"))?
        .str("current_release_date")?
        .to_string();
    let tree = product_tree(&root)?;
    let mut statements = Vec::new();
    for vuln in root.items("vulnerabilities")? {
        vuln.object()?;
        let mut ids: Vec<String> = Vec::new();
        if let Some(cve) = vuln.opt_str("cve")? {
            ids.push(cve.to_string());
        }
        for id in vuln.items("ids")? {
            ids.push(id.str("text")?.to_string());
        }
        let Some((primary, aliases)) = ids.split_first() else {
            if vuln.get("product_status").is_some() {
                return Err(super::missing(
                    &vuln.key("cve"),
                    "a cve or ids naming the vulnerability",
                ));
            }
            continue;
        };
        let release = vuln.opt_str("release_date")?;

        let mut justification: BTreeMap<String, (VexJustification, Option<String>)> =
            BTreeMap::new();
        for flag in vuln.items("flags")? {
            let label = flag.str("label")?;
            let j = VexJustification::parse(label).ok_or_else(|| {
                invalid(&flag.key("label"), "one of component_not_present, vulnerable_code_not_present, vulnerable_code_cannot_be_controlled_by_adversary, vulnerable_code_not_in_execute_path, inline_mitigations_already_exist", flag.get("label").unwrap_or(&Value::Null))
            })?;
            let date = flag.opt_str("date")?.map(str::to_string);
            for id in tree.refs(&flag)? {
                justification.insert(id, (j, date.clone()));
            }
        }
        let mut impact: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for t in vuln.items("threats")? {
            let category = t.str("category")?;
            let details = t.str("details")?;
            let refs = tree.refs(&t)?;
            if category == "impact" {
                for id in refs {
                    impact.entry(id).or_default().push(details.to_string());
                }
            }
        }
        let mut action: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for r in vuln.items("remediations")? {
            r.str("category")?;
            let details = r.str("details")?;
            for id in tree.refs(&r)? {
                action.entry(id).or_default().push(details.to_string());
            }
        }
        for s in vuln.items("scores")? {
            for (i, id) in s.opt_strings("products")?.into_iter().enumerate() {
                tree.product(&format!("{}/{i}", s.key("products")), id)?;
            }
        }

        let Some(ps) = vuln.child("product_status") else {
            continue;
        };
        for (group, members) in ps.object()? {
            let gp = ps.key(group);
            if !GROUPS.contains(&group.as_str()) {
                return Err(invalid(
                    &gp,
                    &format!("a product status group ({})", GROUPS.join(", ")),
                    &Value::String(group.clone()),
                ));
            }
            let Some(status) = Status::from_csaf_group(group) else {
                continue;
            };
            let list = at(members, gp.clone());
            let arr = members
                .as_array()
                .ok_or_else(|| invalid(&list.ptr, "an array of product ids", members))?;
            for (i, id) in arr.iter().enumerate() {
                let ptr = format!("{gp}/{i}");
                let id = id
                    .as_str()
                    .ok_or_else(|| invalid(&ptr, "a product id", id))?;
                let product = tree.product(&ptr, id)?.clone();
                let flag = justification
                    .get(id)
                    .filter(|_| status == Status::NotAffected);
                let native = flag.map(|(j, _)| Justification::Vex(*j));
                statements.push(Statement {
                    vulnerability: primary.clone(),
                    aliases: aliases.to_vec(),
                    product,
                    status,
                    native_status: group.clone(),
                    justification: native,
                    neutral_justification: native.map(|j| j.to_vex().0),
                    impact_statement: impact.get(id).map(|t| t.join("\n")),
                    action_statement: action.get(id).map(|t| t.join("\n")),
                    timestamp: flag
                        .and_then(|(_, d)| d.clone())
                        .or_else(|| release.map(str::to_string))
                        .or_else(|| Some(current.clone())),
                    pointer: ptr,
                });
            }
        }
    }
    Ok(Imported {
        format: Format::Csaf,
        statements,
    })
}
