//! CycloneDX XML (schema namespaces `http://cyclonedx.org/schema/bom/1.0` … `1.6`).
//!
//! Any DOCTYPE is refused before the XML parser runs (and roxmltree is additionally run with DTDs
//! disabled), so external entities and entity expansion can never happen.

use crate::cdx_json::{join_licenses, CdxParser, CDX_VERSIONS};
use crate::diag::{Code, ParseError, Severity};
use crate::line_col;
use crate::model::{Component, ExternalReference, Format, Hash, Metadata, Sbom};
use crate::normalize::{finish, Located};
use crate::Parsed;
use roxmltree::{Document, Node, ParsingOptions};

const NS_PREFIX: &str = "http://cyclonedx.org/schema/bom/";

/// Refuse any `<!DOCTYPE` (or other markup declaration) in the prolog.
fn check_prolog(text: &str) -> Result<(), ParseError> {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b' ' | b'\t' | b'\r' | b'\n' => i += 1,
            b'<' => {
                let rest = &text[i..];
                if rest.starts_with("<?") {
                    match rest.find("?>") {
                        Some(e) => i += e + 2,
                        None => return Ok(()), // the XML parser reports it
                    }
                } else if rest.starts_with("<!--") {
                    match rest.find("-->") {
                        Some(e) => i += e + 3,
                        None => return Ok(()),
                    }
                } else if rest.starts_with("<!") {
                    return Err(ParseError::new(
                        Code::XmlDoctype,
                        line_col(text, i),
                        "XML document type declarations (DOCTYPE, DTD, entities) are not accepted",
                    ));
                } else {
                    return Ok(()); // root element
                }
            }
            _ => return Ok(()),
        }
    }
    Ok(())
}

pub(crate) fn is_cyclonedx(text: &str) -> bool {
    if check_prolog(text).is_err() {
        return false;
    }
    match Document::parse(text) {
        Ok(d) => {
            let r = d.root_element();
            r.tag_name().name() == "bom"
                && r.tag_name()
                    .namespace()
                    .is_some_and(|n| n.starts_with(NS_PREFIX))
        }
        Err(_) => false,
    }
}

struct X<'a> {
    text: &'a str,
    /// byte offsets where lines start, for O(log n) line:column lookups
    line_starts: Vec<usize>,
    ns: String,
    p: CdxParser,
}

impl<'a> X<'a> {
    fn pos(&self, n: Node) -> String {
        let off = n.range().start.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= off);
        let start = self.line_starts[line - 1];
        let col = self
            .text
            .get(start..off)
            .map(|l| l.chars().count())
            .unwrap_or(off - start)
            + 1;
        format!("{line}:{col}")
    }
    fn is(&self, n: &Node, name: &str) -> bool {
        n.is_element()
            && n.tag_name().name() == name
            && n.tag_name().namespace() == Some(self.ns.as_str())
    }
    fn child<'b, 'i>(&self, n: Node<'b, 'i>, name: &str) -> Option<Node<'b, 'i>> {
        n.children().find(|c| self.is(c, name))
    }
    fn children<'b, 'i: 'b>(
        &self,
        n: Node<'b, 'i>,
        name: &'static str,
    ) -> impl Iterator<Item = Node<'b, 'i>> + 'b {
        let ns = self.ns.clone();
        n.children().filter(move |c| {
            c.is_element()
                && c.tag_name().name() == name
                && c.tag_name().namespace() == Some(ns.as_str())
        })
    }
    fn text_of(&self, n: Node, name: &str) -> Option<String> {
        self.child(n, name)
            .and_then(|c| c.text())
            .map(|t| t.trim().to_string())
            .filter(|t| !t.is_empty())
    }
    fn entity(&self, n: Node, name: &str) -> Option<String> {
        let e = self.child(n, name)?;
        self.text_of(e, "name").or_else(|| self.text_of(e, "url"))
    }

    fn component(&mut self, n: Node, parent: Option<&str>) -> Component {
        let mut c = Component {
            bom_ref: n
                .attribute("bom-ref")
                .map(|s| s.to_string())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| self.p.next_ref()),
            name: self.text_of(n, "name").unwrap_or_default(),
            version: self.text_of(n, "version"),
            component_type: n.attribute("type").map(|t| t.to_ascii_lowercase()),
            parent: parent.map(|p| p.to_string()),
            description: self.text_of(n, "description"),
            ..Default::default()
        };
        c.supplier = self
            .entity(n, "supplier")
            .or_else(|| self.entity(n, "manufacturer"))
            .or_else(|| self.text_of(n, "publisher"))
            .or_else(|| self.text_of(n, "author"))
            .or_else(|| {
                let a = self.child(n, "authors")?;
                let first = self.children(a, "author").next()?;
                self.text_of(first, "name")
                    .or_else(|| self.text_of(first, "email"))
            });
        if let Some(e) = self.child(n, "purl") {
            let loc = self.pos(e);
            let t = e.text().unwrap_or("").to_string();
            self.p.ctx.set_purl(&mut c, &t, || loc);
        }
        if let Some(e) = self.child(n, "cpe") {
            let loc = self.pos(e);
            let t = e.text().unwrap_or("").to_string();
            self.p.ctx.set_cpe(&mut c, &t, || loc);
        }
        c.swid = self
            .child(n, "swid")
            .and_then(|s| s.attribute("tagId"))
            .map(|s| s.to_string());
        if let Some(hs) = self.child(n, "hashes") {
            for h in self.children(hs, "hash") {
                if let (Some(alg), Some(v)) = (h.attribute("alg"), h.text()) {
                    let v = v.trim();
                    if !v.is_empty() {
                        c.hashes.push(Hash {
                            alg: alg.to_string(),
                            value: v.to_ascii_lowercase(),
                        });
                    }
                }
            }
        }
        if let Some(ls) = self.child(n, "licenses") {
            let mut parts = Vec::new();
            for l in ls.children().filter(|x| x.is_element()) {
                if self.is(&l, "expression") {
                    if let Some(t) = l.text().map(str::trim).filter(|t| !t.is_empty()) {
                        parts.push(t.to_string());
                    }
                } else if self.is(&l, "license") {
                    if let Some(t) = self.text_of(l, "id").or_else(|| self.text_of(l, "name")) {
                        parts.push(t);
                    }
                }
            }
            c.licenses = join_licenses(parts);
        }
        if let Some(ps) = self.child(n, "properties") {
            let props: Vec<_> = self.children(ps, "property").collect();
            for pr in props {
                if let Some(name) = pr.attribute("name") {
                    let v = pr.text().unwrap_or("").trim().to_string();
                    let loc = self.pos(pr);
                    self.p.ctx.apply_property(&mut c, name, &v, || loc);
                    c.properties.push((name.to_string(), v));
                }
            }
        }
        if let Some(rs) = self.child(n, "externalReferences") {
            for r in self.children(rs, "reference") {
                if let (Some(kind), Some(url)) = (r.attribute("type"), self.text_of(r, "url")) {
                    c.external_references.push(ExternalReference {
                        kind: kind.to_string(),
                        url,
                    });
                }
            }
        }
        c
    }

    fn walk(&mut self, list: Option<Node>, parent: Option<&str>, depth: usize) {
        let Some(list) = list else { return };
        if depth > 64 {
            let loc = self.pos(list);
            self.p.ctx.push(
                Code::SkippedElement,
                Severity::Warning,
                loc,
                "components nested deeper than 64 levels; skipped",
            );
            return;
        }
        let items: Vec<Node> = list
            .children()
            .filter(|c| self.is(c, "component"))
            .collect();
        for n in items {
            let c = self.component(n, parent);
            let r = c.bom_ref.clone();
            let loc = self.pos(n);
            self.p.comps.push(Located { value: c, loc });
            let nested = self.child(n, "components");
            self.walk(nested, Some(&r), depth + 1);
        }
    }

    fn tool(&self, t: Node) -> Option<String> {
        let parts: Vec<String> = ["vendor", "group", "name", "version"]
            .iter()
            .filter_map(|k| self.text_of(t, k))
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }

    fn deps(&self, d: Node, edges: &mut Vec<Located<(String, String)>>, depth: usize) {
        if depth > 64 {
            return;
        }
        for dep in self.children(d, "dependency").collect::<Vec<_>>() {
            let Some(from) = dep.attribute("ref") else {
                continue;
            };
            let kids: Vec<Node> = self.children(dep, "dependency").collect();
            if kids.is_empty() {
                edges.push(Located {
                    value: (from.to_string(), from.to_string()),
                    loc: self.pos(dep),
                });
            }
            for k in kids {
                if let Some(to) = k.attribute("ref") {
                    edges.push(Located {
                        value: (from.to_string(), to.to_string()),
                        loc: self.pos(k),
                    });
                }
            }
        }
    }
}

pub(crate) fn parse(text: &str) -> Result<Parsed, ParseError> {
    check_prolog(text)?;
    let opts = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(text, opts).map_err(|e| {
        let code = if matches!(e, roxmltree::Error::DtdDetected) {
            Code::XmlDoctype
        } else {
            Code::MalformedXml
        };
        let p = e.pos();
        ParseError::new(
            code,
            format!("{}:{}", p.row, p.col),
            format!("invalid XML: {e}"),
        )
    })?;
    let root = doc.root_element();
    let ns = root.tag_name().namespace().unwrap_or("").to_string();
    if root.tag_name().name() != "bom" || !ns.starts_with(NS_PREFIX) {
        return Err(ParseError::new(
            Code::UnknownFormat,
            line_col(text, root.range().start),
            "XML document is not a CycloneDX bom (root element 'bom' in a http://cyclonedx.org/schema/bom/ namespace)",
        ));
    }
    let spec = ns[NS_PREFIX.len()..].to_string();
    if !CDX_VERSIONS.contains(&spec.as_str()) {
        return Err(ParseError::new(
            Code::UnsupportedSpecVersion,
            line_col(text, root.range().start),
            format!("unsupported CycloneDX version '{spec}' (namespace {ns})"),
        ));
    }
    let line_starts = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let mut x = X {
        text,
        line_starts,
        ns,
        p: CdxParser::new(),
    };
    let mut meta = Metadata {
        spec_version: spec,
        serial_number: root.attribute("serialNumber").map(|s| s.to_string()),
        ..Default::default()
    };
    let mut device = None;
    if let Some(m) = x.child(root, "metadata") {
        meta.timestamp = x.text_of(m, "timestamp");
        if let Some(a) = x.child(m, "authors") {
            meta.authors = x
                .children(a, "author")
                .filter_map(|au| x.text_of(au, "name").or_else(|| x.text_of(au, "email")))
                .collect();
        }
        if let Some(ts) = x.child(m, "tools") {
            let mut tools: Vec<String> = x.children(ts, "tool").filter_map(|t| x.tool(t)).collect();
            for k in ["components", "services"] {
                if let Some(list) = x.child(ts, k) {
                    for t in list.children().filter(|c| c.is_element()) {
                        tools.extend(x.tool(t));
                    }
                }
            }
            meta.tools = tools;
        }
        if let Some(dc) = x.child(m, "component") {
            let d = x.component(dc, None);
            meta.name = Some(d.name.clone()).filter(|n| !n.is_empty());
            let r = d.bom_ref.clone();
            device = Some(d);
            let nested = x.child(dc, "components");
            x.walk(nested, Some(&r), 1);
        }
        if meta.authors.is_empty() {
            if let Some(n) = x
                .entity(m, "manufacture")
                .or_else(|| x.entity(m, "manufacturer"))
            {
                meta.authors.push(n);
            }
        }
    }
    let comps = x.child(root, "components");
    x.walk(comps, None, 0);
    if let Some(svcs) = x.child(root, "services") {
        for d in svcs
            .descendants()
            .filter(|n| n.is_element() && n.tag_name().name() == "service")
        {
            if let Some(r) = d.attribute("bom-ref") {
                x.p.other_refs.insert(r.to_string());
            }
        }
    }
    let mut edges = Vec::new();
    if let Some(d) = x.child(root, "dependencies") {
        x.deps(d, &mut edges, 0);
    }
    let mut p = x.p;
    let dependencies = finish(&mut p.ctx, &p.comps, device.as_ref(), edges, &p.other_refs)
        .into_iter()
        .filter(|(a, b)| a != b)
        .collect();
    meta.device = device;
    Ok(Parsed {
        sbom: Sbom {
            format: Format::CycloneDxXml,
            metadata: meta,
            components: p.comps.into_iter().map(|c| c.value).collect(),
            dependencies,
        },
        diagnostics: p.ctx.diags,
    })
}
