//! SBOM workflows (issue 3): read and check a file, store it on a release as a revision, list the
//! stored inventory with Postmarket's support overrides applied, export it for customers, diff two
//! releases, set a component's support level.

use std::collections::{BTreeMap, HashMap};
use std::io::Read;
use std::path::Path;

use postmarket_ident::PackageUrl;
use postmarket_model::{Actor, Date, DeviceName, NewRelease, Release, ReleaseVersion};
use postmarket_sbom::{
    Code, Component, Diagnostic, ParseError, ParseOptions, Parsed, QualityReport, Sbom,
    SupportLevel,
};
use postmarket_store::{SbomRevision, SbomStored, SbomTarget, SupportOverride};
use serde::Serialize;

use crate::{App, AppError};

/// Default size limit for an SBOM file: 100 MiB.
pub const DEFAULT_MAX_SBOM_BYTES: u64 = 100 * 1024 * 1024;

/// An SBOM file read and parsed (no fatal error), ready to show or store.
#[derive(Debug, Clone)]
pub struct SbomFile {
    /// The file as named by the user, for messages.
    pub file: String,
    /// The document exactly as read (valid UTF-8: the parsers require it).
    pub content: String,
    pub parsed: Parsed,
}

impl SbomFile {
    pub fn quality(&self) -> QualityReport {
        postmarket_sbom::quality_report(&self.parsed.sbom)
    }
}

/// Reads and parses an SBOM file of at most `max_bytes`. A fatal parse error names the file,
/// the code and the place (JSON pointer or line:column).
pub fn read_sbom_file(path: &Path, max_bytes: u64) -> Result<SbomFile, AppError> {
    let file = path.display().to_string();
    let read_err = |source| AppError::Read {
        file: file.clone(),
        source,
    };
    let f = std::fs::File::open(path).map_err(read_err)?;
    let meta = f.metadata().map_err(read_err)?;
    if meta.is_dir() {
        return Err(AppError::BadInput(format!(
            "{file} is a directory; expected an SBOM file"
        )));
    }
    if meta.is_file() && meta.len() > max_bytes {
        return Err(too_large(&file, meta.len(), max_bytes));
    }
    // Pipes and other special files have no length: read one byte past the limit to know.
    let mut bytes = Vec::new();
    f.take(max_bytes.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(read_err)?;
    if bytes.len() as u64 > max_bytes {
        return Err(too_large(&file, bytes.len() as u64, max_bytes));
    }
    parse_sbom_bytes(&file, bytes)
}

fn too_large(file: &str, len: u64, max: u64) -> AppError {
    AppError::Sbom {
        file: file.to_string(),
        error: ParseError {
            code: Code::InputTooLarge,
            location: format!("byte {max}"),
            message: format!(
                "the file is {len} bytes, larger than the limit of {max} bytes (--max-size raises it)"
            ),
        },
    }
}

/// Parses SBOM bytes named `file` (for messages).
pub fn parse_sbom_bytes(file: &str, bytes: Vec<u8>) -> Result<SbomFile, AppError> {
    let opts = ParseOptions {
        max_bytes: usize::MAX,
    };
    let parsed = postmarket_sbom::parse(&bytes, &opts).map_err(|error| AppError::Sbom {
        file: file.to_string(),
        error,
    })?;
    // The parser accepted it, so it is UTF-8 (a byte-order mark is kept verbatim).
    let content = String::from_utf8(bytes).map_err(|e| {
        AppError::BadInput(format!(
            "{file}: not UTF-8 at byte {}",
            e.utf8_error().valid_up_to()
        ))
    })?;
    Ok(SbomFile {
        file: file.to_string(),
        content,
        parsed,
    })
}

/// A stored component with Postmarket's override applied.
#[derive(Debug, Clone, Serialize)]
pub struct ComponentView {
    #[serde(flatten)]
    pub component: Component,
    /// What overrides are keyed by: `purl:<canonical purl>` or `name:<name>@<version>|<supplier>`.
    pub key: String,
    /// The support level / end of support come from a Postmarket override, not the document.
    pub overridden: bool,
    /// The document's own values when overridden.
    pub document_support_level: Option<SupportLevel>,
    pub document_end_of_support: Option<String>,
}

/// A release's stored SBOM (latest revision) as Postmarket sees it.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseSbom {
    pub release: Release,
    pub revision: SbomRevision,
    pub revisions: Vec<SbomRevision>,
    pub components: Vec<ComponentView>,
    pub dependencies: Vec<(String, String)>,
    /// The quality of the document as received.
    pub quality: QualityReport,
    /// The quality with Postmarket's support overrides applied.
    pub effective_quality: QualityReport,
    pub diagnostics: Vec<Diagnostic>,
    pub overrides: Vec<SupportOverride>,
}

/// A release in a listing, with its SBOM facts.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseSummary {
    #[serde(flatten)]
    pub release: Release,
    /// SBOM revisions stored (0 when none).
    pub sbom_revisions: i64,
    /// Components in the latest revision.
    pub components: Option<i64>,
}

/// One release's SBOM line on the device page.
#[derive(Debug, Clone, Serialize)]
pub struct ReleaseSbomLine {
    pub release: Release,
    pub revisions: i64,
    pub latest: Option<SbomRevision>,
    pub quality: Option<QualityReport>,
}

/// A component in a diff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffComponent {
    pub name: String,
    pub version: Option<String>,
    pub supplier: Option<String>,
    pub purl: Option<String>,
}

/// A component whose version differs between the two releases.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DiffChange {
    pub name: String,
    pub from_version: Option<String>,
    pub to_version: Option<String>,
    pub from_purl: Option<String>,
    pub to_purl: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SbomDiff {
    pub device: String,
    pub from: String,
    pub to: String,
    pub from_revision: i64,
    pub to_revision: i64,
    pub added: Vec<DiffComponent>,
    pub removed: Vec<DiffComponent>,
    pub changed: Vec<DiffChange>,
    pub unchanged: usize,
}

/// Export formats for customers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExportFormat {
    /// CycloneDX 1.6 JSON
    CycloneDx,
    /// SPDX 2.3 JSON
    Spdx,
}

/// The key an override is stored under: the canonical purl when there is one (it carries the
/// version), else name, version and supplier.
pub fn component_key(c: &Component) -> String {
    match &c.purl {
        Some(p) => format!("purl:{p}"),
        None => format!(
            "name:{}@{}|{}",
            c.name.to_lowercase(),
            c.version.as_deref().unwrap_or(""),
            c.supplier.as_deref().unwrap_or("").to_lowercase()
        ),
    }
}

/// The key `sbom diff` matches components by: the purl without its version, else name+supplier.
pub fn diff_key(c: &Component) -> String {
    let base = c
        .purl
        .as_deref()
        .and_then(|p| p.parse::<PackageUrl>().ok())
        .map(|p| p.without_version().to_string());
    match base {
        Some(b) => format!("purl:{b}"),
        None => format!(
            "name:{}|{}",
            c.name.trim().to_lowercase(),
            c.supplier.as_deref().unwrap_or("").trim().to_lowercase()
        ),
    }
}

fn apply_overrides(
    components: Vec<Component>,
    overrides: &[SupportOverride],
) -> Vec<ComponentView> {
    let by_key: HashMap<&str, &SupportOverride> = overrides
        .iter()
        .map(|o| (o.component_key.as_str(), o))
        .collect();
    components
        .into_iter()
        .map(|mut c| {
            let key = component_key(&c);
            let (document_support_level, document_end_of_support) =
                (c.support_level, c.end_of_support.clone());
            let overridden = match by_key.get(key.as_str()) {
                Some(o) => {
                    c.support_level = Some(o.support_level);
                    c.support_level_raw = Some(o.support_level.as_str().to_string());
                    if let Some(d) = &o.end_of_support {
                        c.end_of_support = Some(d.clone());
                        c.end_of_support_raw = Some(d.clone());
                    }
                    true
                }
                None => false,
            };
            ComponentView {
                component: c,
                key,
                overridden,
                document_support_level: overridden.then_some(document_support_level).flatten(),
                document_end_of_support: if overridden {
                    document_end_of_support
                } else {
                    None
                },
            }
        })
        .collect()
}

fn to_diff_component(c: &Component) -> DiffComponent {
    DiffComponent {
        name: c.name.clone(),
        version: c.version.clone(),
        supplier: c.supplier.clone(),
        purl: c.purl.clone().or_else(|| c.purl_raw.clone()),
    }
}

/// Added, removed and changed components between two component lists.
pub fn diff_components(
    old: &[Component],
    new: &[Component],
) -> (
    Vec<DiffComponent>,
    Vec<DiffComponent>,
    Vec<DiffChange>,
    usize,
) {
    let mut groups: BTreeMap<String, (Vec<&Component>, Vec<&Component>)> = BTreeMap::new();
    for c in old {
        groups.entry(diff_key(c)).or_default().0.push(c);
    }
    for c in new {
        groups.entry(diff_key(c)).or_default().1.push(c);
    }
    let (mut added, mut removed, mut changed, mut unchanged) = (vec![], vec![], vec![], 0);
    for (_, (mut a, mut b)) in groups {
        // Versions present on both sides are unchanged; the rest pair up as version changes.
        a.retain(|x| {
            if let Some(i) = b.iter().position(|y| y.version == x.version) {
                b.remove(i);
                unchanged += 1;
                false
            } else {
                true
            }
        });
        a.sort_by(|x, y| x.version.cmp(&y.version));
        b.sort_by(|x, y| x.version.cmp(&y.version));
        let pairs = a.len().min(b.len());
        for (x, y) in a.iter().zip(b.iter()).take(pairs) {
            changed.push(DiffChange {
                name: y.name.clone(),
                from_version: x.version.clone(),
                to_version: y.version.clone(),
                from_purl: x.purl.clone().or_else(|| x.purl_raw.clone()),
                to_purl: y.purl.clone().or_else(|| y.purl_raw.clone()),
            });
        }
        removed.extend(a[pairs..].iter().map(|c| to_diff_component(c)));
        added.extend(b[pairs..].iter().map(|c| to_diff_component(c)));
    }
    let by_name = |x: &DiffComponent, y: &DiffComponent| {
        (x.name.to_lowercase(), &x.version).cmp(&(y.name.to_lowercase(), &y.version))
    };
    added.sort_by(by_name);
    removed.sort_by(by_name);
    changed.sort_by_key(|c| c.name.to_lowercase());
    (added, removed, changed, unchanged)
}

/// The first NUL character of a text, as `line:column`: PostgreSQL text cannot hold it.
fn nul_position(text: &str) -> Option<String> {
    let at = text.find('\0')?;
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    Some(format!("{line}:{col}"))
}

impl App {
    /// Stores an SBOM file on a release (see [`postmarket_store::Store::store_sbom`]).
    pub async fn add_sbom(
        &self,
        actor: &Actor,
        target: SbomTarget<'_>,
        file: &SbomFile,
        reason: Option<&str>,
    ) -> Result<SbomStored, AppError> {
        if let Some(at) = nul_position(&file.content) {
            return Err(AppError::BadInput(format!(
                "{}: NUL character at {at}: Postmarket keeps SBOMs as text, which cannot hold NUL; expected a text document",
                file.file
            )));
        }
        if let SbomTarget::CreateIfMissing(new) = target {
            let given =
                new.released_at.is_some() || new.end_of_support.is_some() || new.install_base != 0;
            if given
                && self
                    .store()
                    .release(&new.device, &new.version)
                    .await
                    .is_ok()
            {
                return Err(AppError::BadInput(format!(
                    "release {:?} of device {:?} exists already: --released-at, --end-of-support and --install-base apply only to a new release; leave them out to attach the SBOM",
                    new.version.as_str(),
                    new.device.as_str()
                )));
            }
        }
        let stored = self
            .store()
            .store_sbom(actor, target, &file.content, &file.parsed, reason)
            .await?;
        if !stored.unchanged {
            // A new revision gets its findings in the same workflow (issue 5).
            self.match_new_revision(
                actor,
                stored.release.id,
                stored.revision.revision,
                stored.release.device.as_str(),
                stored.release.version.as_str(),
            )
            .await?;
        }
        Ok(stored)
    }

    /// Records a release with its SBOM in one transaction; an existing release gets the SBOM.
    pub async fn add_release_with_sbom(
        &self,
        actor: &Actor,
        new: &NewRelease,
        file: &SbomFile,
        reason: Option<&str>,
    ) -> Result<SbomStored, AppError> {
        self.add_sbom(actor, SbomTarget::CreateIfMissing(new), file, reason)
            .await
    }

    async fn latest_revision(
        &self,
        device: &DeviceName,
        version: &ReleaseVersion,
    ) -> Result<(Release, Vec<SbomRevision>), AppError> {
        let release = self.store().release(device, version).await?;
        let revisions = self.store().sbom_revisions(release.id).await?;
        if revisions.is_empty() {
            return Err(AppError::NotFound(format!(
                "release {:?} of device {:?} has no SBOM (postmarket sbom attach DEVICE VERSION FILE adds one)",
                release.version.as_str(),
                release.device.as_str()
            )));
        }
        Ok((release, revisions))
    }

    /// The latest stored SBOM of a release, with overrides applied.
    pub async fn release_sbom(
        &self,
        device: &DeviceName,
        version: &ReleaseVersion,
    ) -> Result<ReleaseSbom, AppError> {
        let (release, revisions) = self.latest_revision(device, version).await?;
        let revision = revisions.last().cloned().expect("checked non-empty");
        let sbom = self.store().load_sbom(revision.id).await?;
        let overrides = self.store().support_overrides(release.id).await?;
        let components = apply_overrides(sbom.components.clone(), &overrides);
        let effective = Sbom {
            components: components.iter().map(|c| c.component.clone()).collect(),
            ..sbom.clone()
        };
        let doc = self.store().sbom_document(revision.id).await?;
        Ok(ReleaseSbom {
            release,
            revision,
            revisions,
            components,
            dependencies: sbom.dependencies,
            quality: doc.quality,
            effective_quality: postmarket_sbom::quality_report(&effective),
            diagnostics: doc.diagnostics,
            overrides,
        })
    }

    /// The latest SBOM of a release as a document for customers, overrides applied.
    pub async fn export_sbom(
        &self,
        device: &DeviceName,
        version: &ReleaseVersion,
        format: ExportFormat,
    ) -> Result<serde_json::Value, AppError> {
        let (release, revisions) = self.latest_revision(device, version).await?;
        let revision = revisions.last().expect("checked non-empty");
        let mut sbom = self.store().load_sbom(revision.id).await?;
        let overrides = self.store().support_overrides(release.id).await?;
        sbom.components = apply_overrides(std::mem::take(&mut sbom.components), &overrides)
            .into_iter()
            .map(|c| c.component)
            .collect();
        Ok(match format {
            ExportFormat::CycloneDx => postmarket_sbom::to_cyclonedx_json(&sbom),
            ExportFormat::Spdx => postmarket_sbom::to_spdx_json(&sbom),
        })
    }

    /// Components added, removed and changed in version from release `from` to release `to`.
    pub async fn sbom_diff(
        &self,
        device: &DeviceName,
        from: &ReleaseVersion,
        to: &ReleaseVersion,
    ) -> Result<SbomDiff, AppError> {
        let (a_rel, a) = self.latest_revision(device, from).await?;
        let (_, b) = self.latest_revision(device, to).await?;
        let (a, b) = (a.last().expect("non-empty"), b.last().expect("non-empty"));
        let old = self.store().load_sbom(a.id).await?.components;
        let new = self.store().load_sbom(b.id).await?.components;
        let (added, removed, changed, unchanged) = diff_components(&old, &new);
        Ok(SbomDiff {
            device: a_rel.device.to_string(),
            from: from.to_string(),
            to: to.to_string(),
            from_revision: a.revision,
            to_revision: b.revision,
            added,
            removed,
            changed,
            unchanged,
        })
    }

    /// Sets the support level (and optionally the end of support) of one component of a
    /// release's latest SBOM. `component` is a bom-ref, a purl or a name.
    #[allow(clippy::too_many_arguments)]
    pub async fn set_component_support(
        &self,
        actor: &Actor,
        device: &DeviceName,
        version: &ReleaseVersion,
        component: &str,
        level: SupportLevel,
        end_of_support: Option<Date>,
        reason: &str,
    ) -> Result<SupportOverride, AppError> {
        if reason.trim().is_empty() {
            return Err(AppError::BadInput(
                "--reason must say why the support level is set (it goes into the audit trail)"
                    .into(),
            ));
        }
        let (release, revisions) = self.latest_revision(device, version).await?;
        let revision = revisions.last().expect("non-empty");
        let components: Vec<Component> = self
            .store()
            .sbom_components(revision.id)
            .await?
            .into_iter()
            .map(|c| c.component)
            .collect();
        let target = find_component(&components, component).map_err(|e| match e {
            FindError::None => AppError::NotFound(format!(
                "component {component:?} is not in the latest SBOM of {:?} {:?} (postmarket sbom components lists them; give a bom-ref, purl or name)",
                release.device.as_str(),
                release.version.as_str()
            )),
            FindError::Ambiguous(list) => AppError::BadInput(format!(
                "component {component:?} matches {} components: {}; give the bom-ref or purl",
                list.len(),
                list.join(", ")
            )),
        })?;
        Ok(self
            .store()
            .set_support_override(
                actor,
                release.id,
                &component_key(target),
                &target.name,
                level,
                end_of_support.map(|d| d.to_string()).as_deref(),
                Some(reason),
            )
            .await?)
    }

    /// Releases (newest first) with their SBOM revision count and component count.
    pub async fn release_summaries(
        &self,
        device: Option<&DeviceName>,
    ) -> Result<Vec<ReleaseSummary>, AppError> {
        let releases = self.store().releases(device).await?;
        let sboms: HashMap<i64, _> = self
            .store()
            .sbom_summaries()
            .await?
            .into_iter()
            .map(|s| (s.release_id, s))
            .collect();
        Ok(releases
            .into_iter()
            .map(|release| {
                let s = sboms.get(&release.id);
                ReleaseSummary {
                    sbom_revisions: s.map_or(0, |s| s.revisions),
                    components: s.map(|s| s.latest.component_count),
                    release,
                }
            })
            .collect())
    }

    /// Each release of a device with its latest SBOM revision and quality report.
    pub async fn device_sboms(
        &self,
        device: &DeviceName,
    ) -> Result<Vec<ReleaseSbomLine>, AppError> {
        let releases = self.store().releases(Some(device)).await?;
        let mut sboms: HashMap<i64, _> = self
            .store()
            .sbom_summaries()
            .await?
            .into_iter()
            .map(|s| (s.release_id, s))
            .collect();
        let mut out = Vec::new();
        for release in releases {
            let (revisions, latest, quality) = match sboms.remove(&release.id) {
                Some(s) => {
                    let q = self.store().sbom_quality(s.latest.id).await?;
                    (s.revisions, Some(s.latest), Some(q))
                }
                None => (0, None, None),
            };
            out.push(ReleaseSbomLine {
                release,
                revisions,
                latest,
                quality,
            });
        }
        Ok(out)
    }
}

enum FindError {
    None,
    Ambiguous(Vec<String>),
}

/// A component by bom-ref, then by purl (canonical or as written), then by name (ignoring case).
fn find_component<'a>(
    components: &'a [Component],
    wanted: &str,
) -> Result<&'a Component, FindError> {
    if let Some(c) = components.iter().find(|c| c.bom_ref == wanted) {
        return Ok(c);
    }
    let canonical = wanted.parse::<PackageUrl>().ok().map(|p| p.to_string());
    let by: [&dyn Fn(&Component) -> bool; 2] = [
        &|c: &Component| {
            c.purl_raw.as_deref() == Some(wanted) || (canonical.is_some() && c.purl == canonical)
        },
        &|c: &Component| c.name.eq_ignore_ascii_case(wanted.trim()),
    ];
    for f in by {
        let found: Vec<&Component> = components.iter().filter(|c| f(c)).collect();
        match found.len() {
            0 => continue,
            1 => return Ok(found[0]),
            _ => {
                return Err(FindError::Ambiguous(
                    found
                        .iter()
                        .map(|c| {
                            format!(
                                "{} {} (bom-ref {})",
                                c.name,
                                c.version.as_deref().unwrap_or("-"),
                                c.bom_ref
                            )
                        })
                        .collect(),
                ))
            }
        }
    }
    Err(FindError::None)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comp(name: &str, version: &str, purl: Option<&str>) -> Component {
        Component {
            bom_ref: format!("{name}-{version}"),
            name: name.into(),
            version: Some(version.into()),
            purl: purl.map(String::from),
            purl_raw: purl.map(String::from),
            ..Component::default()
        }
    }

    #[test]
    fn diff_matches_by_purl_without_version_then_by_name() {
        let old = vec![
            comp("openssl", "1.1.1w", Some("pkg:generic/openssl@1.1.1w")),
            comp("zlib", "1.2.13", Some("pkg:generic/zlib@1.2.13")),
            comp("busybox", "1.35.0", None),
            comp("gone", "1", None),
        ];
        let new = vec![
            comp("OpenSSL", "3.0.13", Some("pkg:generic/openssl@3.0.13")),
            comp("zlib", "1.2.13", Some("pkg:generic/zlib@1.2.13")),
            comp("BusyBox", "1.36.1", None),
            comp("lwip", "2.2.0", None),
        ];
        let (added, removed, changed, unchanged) = diff_components(&old, &new);
        assert_eq!(unchanged, 1);
        assert_eq!(
            added.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["lwip"]
        );
        assert_eq!(
            removed.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(),
            ["gone"]
        );
        let ch: Vec<(String, String, String)> = changed
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    c.from_version.clone().unwrap(),
                    c.to_version.clone().unwrap(),
                )
            })
            .collect();
        assert_eq!(
            ch,
            [
                ("BusyBox".into(), "1.35.0".into(), "1.36.1".into()),
                ("OpenSSL".into(), "1.1.1w".into(), "3.0.13".into())
            ]
        );
    }

    #[test]
    fn find_component_prefers_ref_then_purl_then_unique_name() {
        let cs = vec![
            comp("openssl", "1.1.1w", Some("pkg:generic/openssl@1.1.1w")),
            comp("openssl", "3.0.13", Some("pkg:generic/openssl@3.0.13")),
            comp("zlib", "1.3", None),
        ];
        assert_eq!(
            find_component(&cs, "openssl-3.0.13").ok().unwrap().bom_ref,
            "openssl-3.0.13"
        );
        assert_eq!(
            find_component(&cs, "pkg:generic/openssl@1.1.1w")
                .ok()
                .unwrap()
                .bom_ref,
            "openssl-1.1.1w"
        );
        assert_eq!(
            find_component(&cs, "ZLIB").ok().unwrap().bom_ref,
            "zlib-1.3"
        );
        assert!(
            matches!(find_component(&cs, "openssl"), Err(FindError::Ambiguous(l)) if l.len() == 2)
        );
        assert!(matches!(find_component(&cs, "curl"), Err(FindError::None)));
    }

    #[test]
    fn nul_is_located() {
        assert_eq!(nul_position("ab\ncd\0e").as_deref(), Some("2:3"));
        assert_eq!(nul_position("abc"), None);
    }
}
