//! Shared, table-driven tokenizer for `METRIC:VALUE/METRIC:VALUE…` bodies.

use crate::error::CvssError;

/// One metric of a CVSS version: its abbreviation and allowed value codes.
///
/// For optional metrics `values[0]` is the Not Defined value (`X`, or `ND` in 2.0);
/// an absent optional metric is stored as index 0.
pub(crate) struct MetricDef {
    pub name: &'static str,
    pub values: &'static [&'static str],
    pub mandatory: bool,
}

impl MetricDef {
    pub(crate) const fn base(name: &'static str, values: &'static [&'static str]) -> Self {
        MetricDef {
            name,
            values,
            mandatory: true,
        }
    }
    pub(crate) const fn opt(name: &'static str, values: &'static [&'static str]) -> Self {
        MetricDef {
            name,
            values,
            mandatory: false,
        }
    }
}

/// Parse the metric components of a vector (everything after the prefix).
///
/// `first_position` is the 1-based position of the first body component, used in errors.
/// Order is not checked (see the crate docs); everything else is strict.
/// Returns, for each definition, the index of its value in `values`.
pub(crate) fn parse_body<const N: usize>(
    body: &str,
    first_position: usize,
    defs: &[MetricDef; N],
    version: &'static str,
) -> Result<[u8; N], CvssError> {
    let mut seen = [false; N];
    let mut out = [0u8; N];
    for (i, component) in body.split('/').enumerate() {
        let position = first_position + i;
        if component.is_empty() {
            return Err(CvssError::EmptyComponent { position });
        }
        if component.starts_with("CVSS:") {
            return Err(CvssError::MisplacedPrefix {
                component: component.to_string(),
                position,
            });
        }
        let (metric, value) = match component.split_once(':') {
            Some((m, v)) if !m.is_empty() && !v.is_empty() && !v.contains(':') => (m, v),
            _ => {
                return Err(CvssError::MalformedComponent {
                    component: component.to_string(),
                })
            }
        };
        let Some(idx) = defs.iter().position(|d| d.name == metric) else {
            return Err(CvssError::UnknownMetric {
                version,
                metric: metric.to_string(),
            });
        };
        let def = &defs[idx];
        if seen[idx] {
            return Err(CvssError::DuplicateMetric {
                version,
                metric: def.name,
            });
        }
        seen[idx] = true;
        match def.values.iter().position(|v| *v == value) {
            Some(v) => out[idx] = v as u8,
            None if def.mandatory && (value == "X" || value == "ND") => {
                return Err(CvssError::NotDefinedMandatory {
                    version,
                    metric: def.name,
                    value: value.to_string(),
                })
            }
            None => {
                return Err(CvssError::UnknownValue {
                    version,
                    metric: def.name,
                    value: value.to_string(),
                    allowed: def.values.join("/"),
                })
            }
        }
    }
    if let Some(missing) = defs.iter().zip(seen).find(|(d, s)| d.mandatory && !s) {
        return Err(CvssError::MissingMetric {
            version,
            metric: missing.0.name,
        });
    }
    Ok(out)
}

/// Write `defs` and `values` back as a normalised body: specification order, with
/// optional metrics that are Not Defined (index 0) left out.
pub(crate) fn write_body<const N: usize>(
    out: &mut String,
    defs: &[MetricDef; N],
    values: &[u8; N],
) {
    let mut first = out.is_empty();
    for (def, &v) in defs.iter().zip(values) {
        if !def.mandatory && v == 0 {
            continue;
        }
        if !first {
            out.push('/');
        }
        first = false;
        out.push_str(def.name);
        out.push(':');
        out.push_str(def.values[v as usize]);
    }
}
