//! SPDX 2.x tag-value reader.

use crate::diag::{Code, ParseError};
use crate::model::Format;
use crate::spdx_json::{build, SpdxDoc, SpdxPkg, SPDX2_VERSIONS};
use crate::Parsed;

#[derive(PartialEq)]
enum Cur {
    Doc,
    Package,
    File,
    Snippet,
    Other,
}

fn valid_tag(t: &str) -> bool {
    !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

pub(crate) fn parse(text: &str) -> Result<Parsed, ParseError> {
    let mut doc = SpdxDoc {
        doc_id: "SPDXRef-DOCUMENT".into(),
        ..Default::default()
    };
    let mut cur = Cur::Doc;
    let mut spec_seen: Option<(String, usize)> = None;
    // (subject, comment, location)
    let mut ann: Option<(Option<String>, Option<String>, String)> = None;
    let mut anns = Vec::new();
    let lines: Vec<&str> = text.split('\n').collect();
    let mut i = 0;
    while i < lines.len() {
        let lineno = i + 1;
        let raw = lines[i].trim_end_matches('\r');
        i += 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((tag, rest)) = line.split_once(':') else {
            return Err(ParseError::new(
                Code::BadTagValueLine,
                format!("{lineno}:1"),
                format!("expected 'Tag: value', found '{}'", truncate(line)),
            ));
        };
        let tag = tag.trim();
        if !valid_tag(tag) {
            return Err(ParseError::new(
                Code::BadTagValueLine,
                format!("{lineno}:1"),
                format!("invalid tag '{}'", truncate(tag)),
            ));
        }
        let mut value = rest.trim().to_string();
        if let Some(start) = value.strip_prefix("<text>") {
            // multi-line text block
            if let Some(end) = start.find("</text>") {
                value = start[..end].to_string();
            } else {
                let mut buf = start.to_string();
                let mut closed = false;
                while i < lines.len() {
                    let l = lines[i].trim_end_matches('\r');
                    i += 1;
                    if let Some(end) = l.find("</text>") {
                        buf.push('\n');
                        buf.push_str(&l[..end]);
                        closed = true;
                        break;
                    }
                    buf.push('\n');
                    buf.push_str(l);
                }
                if !closed {
                    return Err(ParseError::new(
                        Code::BadTagValueLine,
                        format!("{lineno}:1"),
                        format!("<text> block of '{tag}' is never closed"),
                    ));
                }
                value = buf;
            }
        }
        let loc = format!("{lineno}:1");
        match tag {
            "SPDXVersion" => spec_seen = Some((value.clone(), lineno)),
            "DocumentName" => doc.name = Some(value),
            "DocumentNamespace" => doc.namespace = Some(value),
            "Creator" => doc.creators.push(value),
            "Created" => doc.created = Some(value),
            "PackageName" => {
                cur = Cur::Package;
                doc.packages.push(SpdxPkg {
                    name: Some(value).filter(|v| !v.is_empty()),
                    loc,
                    ..Default::default()
                });
            }
            "FileName" => cur = Cur::File,
            "SnippetSPDXID" => {
                cur = Cur::Snippet;
                doc.other_ids.insert(value);
            }
            "LicenseID" => cur = Cur::Other,
            "SPDXID" => match cur {
                Cur::Doc => doc.doc_id = value,
                Cur::Package => {
                    if let Some(p) = doc.packages.last_mut() {
                        p.id = Some(value);
                    }
                }
                Cur::File | Cur::Snippet | Cur::Other => {
                    doc.other_ids.insert(value);
                }
            },
            "Relationship" => {
                let parts: Vec<&str> = value.split_whitespace().collect();
                if parts.len() >= 3 {
                    doc.relationships.push((
                        parts[0].to_string(),
                        parts[1].to_string(),
                        parts[2].to_string(),
                        loc,
                    ));
                } else {
                    return Err(ParseError::new(
                        Code::BadTagValueLine,
                        loc,
                        "Relationship needs 'A TYPE B'",
                    ));
                }
            }
            "Annotator" => {
                if let Some(a) = ann.take() {
                    anns.push(a);
                }
                ann = Some((None, None, loc));
            }
            "SPDXREF" => {
                if let Some(a) = ann.as_mut() {
                    a.0 = Some(value);
                }
            }
            "AnnotationComment" => {
                if let Some(a) = ann.as_mut() {
                    a.1 = Some(value);
                    a.2 = loc;
                }
            }
            _ if cur == Cur::Package => {
                let Some(p) = doc.packages.last_mut() else {
                    continue;
                };
                match tag {
                    "PackageVersion" => p.version = Some(value),
                    "PackageSupplier" => p.supplier = Some(value),
                    "PackageOriginator" => p.originator = Some(value),
                    "PackageLicenseConcluded" => p.license_concluded = Some(value),
                    "PackageLicenseDeclared" => p.license_declared = Some(value),
                    "PackageHomePage" => p.homepage = Some(value),
                    "PrimaryPackagePurpose" => p.purpose = Some(value),
                    "PackageSummary" => p.summary = Some(value),
                    "PackageChecksum" => {
                        if let Some((a, v)) = value.split_once(':') {
                            p.checksums
                                .push((a.trim().to_string(), v.trim().to_string()));
                        }
                    }
                    "ExternalRef" => {
                        let parts: Vec<&str> = value.split_whitespace().collect();
                        if parts.len() >= 3 {
                            p.external_refs.push((
                                parts[0].to_string(),
                                parts[1].to_string(),
                                parts[2..].join(" "),
                                loc,
                            ));
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }
    if let Some(a) = ann.take() {
        anns.push(a);
    }
    for (s, c, l) in anns {
        if let (Some(s), Some(c)) = (s, c) {
            doc.annotations.push((s, c, l));
        }
    }
    let Some((spec, line)) = spec_seen else {
        return Err(ParseError::new(
            Code::UnsupportedSpecVersion,
            "1:1",
            "tag-value document has no SPDXVersion",
        ));
    };
    if !SPDX2_VERSIONS.contains(&spec.as_str()) {
        return Err(ParseError::new(
            Code::UnsupportedSpecVersion,
            format!("{line}:1"),
            format!("unsupported SPDXVersion '{spec}' (supported: SPDX-2.0 … SPDX-2.3)"),
        ));
    }
    doc.spec = spec;
    Ok(build(doc, Format::SpdxTagValue))
}

fn truncate(s: &str) -> String {
    s.chars().take(60).collect()
}
