//! OpenVEX reader (0.2.0; also the 0.0.x shape where `vulnerability` and products are strings).
//!
//! One statement per product, or per subcomponent when a product lists them (component level;
//! `parent` keeps the product's `@id`). The specification's requirements are enforced:
//! `not_affected` needs a justification or an impact statement, `affected` an action statement.

use serde_json::Value;

use super::{at, invalid, missing, At, Format, Imported, ProductIdentity, Statement};
use crate::error::ReadError;
use crate::vocab::{Justification, Status, VexJustification};

fn identity(p: &At<'_>) -> Result<ProductIdentity, ReadError> {
    if let Some(s) = p.v.as_str() {
        return Ok(ProductIdentity {
            id: Some(s.to_string()),
            purl: s.starts_with("pkg:").then(|| s.to_string()),
            ..Default::default()
        });
    }
    p.object()?;
    let id = p.opt_str("@id")?;
    let mut out = ProductIdentity {
        id: id.map(str::to_string),
        ..Default::default()
    };
    if let Some(ids) = p.child("identifiers") {
        ids.object()?;
        out.purl = ids.opt_str("purl")?.map(str::to_string);
        out.cpe = match ids.opt_str("cpe23")? {
            Some(c) => Some(c.to_string()),
            None => ids.opt_str("cpe22")?.map(str::to_string),
        };
    }
    if out.purl.is_none() {
        out.purl = id.filter(|s| s.starts_with("pkg:")).map(str::to_string);
    }
    if out.id.is_none() && out.purl.is_none() && out.cpe.is_none() {
        return Err(missing(
            &p.key("@id"),
            "an @id or identifiers naming the product",
        ));
    }
    Ok(out)
}

/// Reads an OpenVEX document.
pub fn read_openvex(v: &Value) -> Result<Imported, ReadError> {
    let root = at(v, "");
    root.object()?;
    let context = root.str("@context")?;
    if !context.starts_with("https://openvex.dev/ns") {
        return Err(invalid(
            "/@context",
            "an OpenVEX context (https://openvex.dev/ns/v0.2.0)",
            root.get("@context").unwrap_or(&Value::Null),
        ));
    }
    let doc_time = root
        .opt_str("last_updated")?
        .or(root.opt_str("timestamp")?)
        .map(str::to_string);
    let mut statements = Vec::new();
    let list = root.array("statements")?;
    for (si, _) in list.iter().enumerate() {
        let st = at(&list[si], format!("/statements/{si}"));
        st.object()?;
        let (name, aliases) = match st.get("vulnerability") {
            Some(Value::String(s)) => (s.clone(), Vec::new()),
            Some(Value::Object(_)) => {
                let vu = st
                    .child("vulnerability")
                    .unwrap_or_else(|| at(&Value::Null, st.key("vulnerability")));
                let name = match vu.opt_str("name")? {
                    Some(n) => n.to_string(),
                    None => vu.str("@id")?.to_string(),
                };
                let aliases = vu
                    .opt_strings("aliases")?
                    .into_iter()
                    .map(str::to_string)
                    .collect();
                (name, aliases)
            }
            Some(other) => {
                return Err(invalid(
                    &st.key("vulnerability"),
                    "an object with a name",
                    other,
                ))
            }
            None => return Err(missing(&st.key("vulnerability"), "an object with a name")),
        };
        let status_s = st.str("status")?;
        let status = Status::from_openvex(status_s).ok_or_else(|| {
            invalid(
                &st.key("status"),
                "one of not_affected, affected, fixed, under_investigation",
                st.get("status").unwrap_or(&Value::Null),
            )
        })?;
        let justification = match st.opt_str("justification")? {
            Some(j) => Some(VexJustification::parse(j).ok_or_else(|| {
                invalid(&st.key("justification"), "one of component_not_present, vulnerable_code_not_present, vulnerable_code_cannot_be_controlled_by_adversary, vulnerable_code_not_in_execute_path, inline_mitigations_already_exist", st.get("justification").unwrap_or(&Value::Null))
            })?),
            None => None,
        };
        let impact = st
            .opt_str("impact_statement")?
            .or(st.opt_str("status_notes")?);
        let action = st.opt_str("action_statement")?;
        if status == Status::NotAffected
            && justification.is_none()
            && st.get("impact_statement").is_none()
        {
            return Err(missing(
                &st.key("justification"),
                "a justification or an impact_statement for not_affected",
            ));
        }
        if status == Status::Affected && action.is_none() {
            return Err(missing(
                &st.key("action_statement"),
                "an action_statement for affected",
            ));
        }
        let timestamp = st
            .opt_str("timestamp")?
            .map(str::to_string)
            .or_else(|| doc_time.clone());
        let products = st.array("products")?;
        if products.is_empty() {
            return Err(missing(
                &format!("{}/0", st.key("products")),
                "at least one product",
            ));
        }
        for (pi, p) in products.iter().enumerate() {
            let pa = at(p, format!("{}/{pi}", st.key("products")));
            let product = identity(&pa)?;
            let subs = if p.is_object() {
                pa.items("subcomponents")?
            } else {
                Vec::new()
            };
            let mut targets = Vec::new();
            if subs.is_empty() {
                targets.push((product, pa.ptr.clone()));
            } else {
                for sub in subs {
                    let mut s = identity(&sub)?;
                    s.parent = product.id.clone().or(product.purl.clone());
                    targets.push((s, sub.ptr.clone()));
                }
            }
            for (product, pointer) in targets {
                let j = justification.map(Justification::Vex);
                statements.push(Statement {
                    vulnerability: name.clone(),
                    aliases: aliases.clone(),
                    product,
                    status,
                    native_status: status_s.to_string(),
                    justification: j,
                    neutral_justification: justification,
                    impact_statement: impact.map(str::to_string),
                    action_statement: action.map(str::to_string),
                    timestamp: timestamp.clone(),
                    pointer,
                });
            }
        }
    }
    Ok(Imported {
        format: Format::Openvex,
        statements,
    })
}
