//! NTIA minimum elements and FDA support information coverage for one SBOM.

use crate::model::{Component, Sbom};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashSet};

/// `count` of `total` components have the element (`percent` = 100·count/total, 0 when empty,
/// rounded to one decimal).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Coverage {
    pub count: usize,
    pub total: usize,
    pub percent: f64,
}

impl Coverage {
    fn of(count: usize, total: usize) -> Self {
        let percent = if total == 0 {
            0.0
        } else {
            (1000.0 * count as f64 / total as f64).round() / 10.0
        };
        Coverage {
            count,
            total,
            percent,
        }
    }
}

/// A short reference to a component in a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ComponentRef {
    pub bom_ref: String,
    pub name: String,
    pub version: Option<String>,
}

impl From<&Component> for ComponentRef {
    fn from(c: &Component) -> Self {
        ComponentRef {
            bom_ref: c.bom_ref.clone(),
            name: c.name.clone(),
            version: c.version.clone(),
        }
    }
}

/// Components sharing a name+version or a purl.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Duplicate {
    /// `name_version` or `purl`.
    pub kind: String,
    /// `name@version` or the canonical purl.
    pub key: String,
    pub bom_refs: Vec<String>,
}

/// Quality report. Component-level elements are coverages over the components (the device
/// excluded); author and timestamp are document-level booleans.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QualityReport {
    pub component_count: usize,
    /// NTIA: supplier name.
    pub supplier: Coverage,
    /// NTIA: component name.
    pub component_name: Coverage,
    /// NTIA: version of the component.
    pub version: Coverage,
    /// NTIA: other unique identifiers (purl, CPE or SWID).
    pub unique_identifier: Coverage,
    /// NTIA: dependency relationship (the component is on either end of at least one edge).
    pub dependency_relationship: Coverage,
    /// NTIA: author of the SBOM data.
    pub author: bool,
    /// NTIA: timestamp.
    pub timestamp: bool,
    /// FDA: support level.
    pub support_level: Coverage,
    /// FDA: end-of-support date (a real `YYYY-MM-DD` date; free text does not count).
    pub end_of_support: Coverage,
    /// Percent of the NTIA elements present: the five component coverages averaged, with author
    /// and timestamp counting 100 or 0.
    pub ntia_score: f64,
    /// Components with no purl, CPE or SWID.
    pub components_without_identifier: Vec<ComponentRef>,
    pub duplicates: Vec<Duplicate>,
}

/// Compute the quality report of an SBOM.
pub fn quality_report(sbom: &Sbom) -> QualityReport {
    let cs = &sbom.components;
    let n = cs.len();
    let count = |f: &dyn Fn(&Component) -> bool| cs.iter().filter(|c| f(c)).count();
    let mut in_edge: HashSet<&str> = HashSet::new();
    for (a, b) in &sbom.dependencies {
        in_edge.insert(a);
        in_edge.insert(b);
    }
    let supplier = Coverage::of(
        count(&|c| c.supplier.as_deref().is_some_and(|s| !s.trim().is_empty())),
        n,
    );
    let component_name = Coverage::of(count(&|c| !c.name.trim().is_empty()), n);
    let version = Coverage::of(
        count(&|c| c.version.as_deref().is_some_and(|s| !s.trim().is_empty())),
        n,
    );
    let unique_identifier = Coverage::of(count(&|c| c.has_identifier()), n);
    let dependency_relationship = Coverage::of(count(&|c| in_edge.contains(c.bom_ref.as_str())), n);
    let author = !sbom.metadata.authors.is_empty();
    let timestamp = sbom.metadata.timestamp.is_some();
    let support_level = Coverage::of(count(&|c| c.support_level.is_some()), n);
    let end_of_support = Coverage::of(count(&|c| c.end_of_support.is_some()), n);
    let ntia_score = {
        let parts = [
            supplier.percent,
            component_name.percent,
            version.percent,
            unique_identifier.percent,
            dependency_relationship.percent,
            if author { 100.0 } else { 0.0 },
            if timestamp { 100.0 } else { 0.0 },
        ];
        (10.0 * parts.iter().sum::<f64>() / parts.len() as f64).round() / 10.0
    };
    let components_without_identifier = cs
        .iter()
        .filter(|c| !c.has_identifier())
        .map(ComponentRef::from)
        .collect();
    let mut by_nv: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut by_purl: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in cs {
        if !c.name.is_empty() {
            let key = format!("{}@{}", c.name, c.version.as_deref().unwrap_or(""));
            by_nv.entry(key).or_default().push(c.bom_ref.clone());
        }
        if let Some(p) = c.purl.as_ref().or(c.purl_raw.as_ref()) {
            by_purl
                .entry(p.clone())
                .or_default()
                .push(c.bom_ref.clone());
        }
    }
    let mut duplicates = Vec::new();
    for (kind, map) in [("name_version", by_nv), ("purl", by_purl)] {
        for (key, refs) in map {
            if refs.len() > 1 {
                duplicates.push(Duplicate {
                    kind: kind.to_string(),
                    key,
                    bom_refs: refs,
                });
            }
        }
    }
    QualityReport {
        component_count: n,
        supplier,
        component_name,
        version,
        unique_identifier,
        dependency_relationship,
        author,
        timestamp,
        support_level,
        end_of_support,
        ntia_score,
        components_without_identifier,
        duplicates,
    }
}
