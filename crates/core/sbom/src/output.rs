//! The JSON shape printed by `postmarket sbom parse --json`.

use crate::diag::Diagnostic;
use crate::model::{Hash, Sbom, SupportLevel};
use crate::quality::{quality_report, QualityReport};
use crate::Parsed;
use serde::{Deserialize, Serialize};

/// One component in the CLI output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputComponent {
    pub bom_ref: String,
    pub name: String,
    pub version: Option<String>,
    /// Canonical purl, or the raw value when it did not parse.
    pub purl: Option<String>,
    pub cpe: Option<String>,
    pub supplier: Option<String>,
    pub hashes: Vec<Hash>,
    pub licenses: Option<String>,
    pub support_level: Option<SupportLevel>,
    pub end_of_support: Option<String>,
}

/// `{"format","spec_version","components":[…],"dependencies":[[from,to]],"diagnostics":[…],"quality":{…}}`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ParseOutput {
    pub format: String,
    pub spec_version: String,
    pub components: Vec<OutputComponent>,
    pub dependencies: Vec<[String; 2]>,
    pub diagnostics: Vec<Diagnostic>,
    pub quality: QualityReport,
}

impl ParseOutput {
    /// Build the output for a parsed SBOM.
    pub fn new(parsed: &Parsed) -> Self {
        Self::from_parts(&parsed.sbom, &parsed.diagnostics)
    }

    pub fn from_parts(sbom: &Sbom, diagnostics: &[Diagnostic]) -> Self {
        ParseOutput {
            format: sbom.format.as_str().to_string(),
            spec_version: sbom.metadata.spec_version.clone(),
            components: sbom
                .components
                .iter()
                .map(|c| OutputComponent {
                    bom_ref: c.bom_ref.clone(),
                    name: c.name.clone(),
                    version: c.version.clone(),
                    purl: c.purl.clone().or_else(|| c.purl_raw.clone()),
                    cpe: c.cpe.clone(),
                    supplier: c.supplier.clone(),
                    hashes: c.hashes.clone(),
                    licenses: c.licenses.clone(),
                    support_level: c.support_level,
                    end_of_support: c.end_of_support.clone(),
                })
                .collect(),
            dependencies: sbom
                .dependencies
                .iter()
                .map(|(a, b)| [a.clone(), b.clone()])
                .collect(),
            diagnostics: diagnostics.to_vec(),
            quality: quality_report(sbom),
        }
    }
}
