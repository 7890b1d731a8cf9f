//! NVD configuration logic over one component and its SBOM siblings.
//!
//! An NVD configuration is a tree of nodes (AND/OR, optionally negated) whose leaves are CPE
//! match criteria; `vulnerable: false` leaves are *platform* conditions ("running on", "with").
//!
//! What one component can satisfy (the decision, see the crate README):
//! * a leaf naming the component's own `vendor:product` is decided by its version bounds;
//! * a leaf naming another product is decided by the *other components of the same SBOM*
//!   (the environment): true when one of them has that `vendor:product` within the bounds,
//!   otherwise **unknown** for a platform (`vulnerable: false`) leaf — an SBOM rarely lists the OS or hardware a library runs on, and
//!   absence from the SBOM is not proof of absence — and **false** for another product's
//!   `vulnerable: true` leaf (that is a claim about the other product, not a condition on this one);
//! * nodes combine with three-valued logic (unknown propagates; `negate` keeps unknown unknown);
//! * a configuration yields a *finding* for the component only when it is true **and** the
//!   component itself satisfied at least one `vulnerable: true` leaf — so a `vulnerable: false`
//!   platform entry never matches on its own; when it is unknown only because a platform condition
//!   is not shown, it yields a *possible match* that names the missing condition.

use postmarket_advisories::{CpeConfiguration, CpeMatch, CpeNode, Operator};
use postmarket_version::nvd::{cpe23_fields, NvdBounds};
use postmarket_version::{Explanation, Scheme};

/// A CPE identity a component presents: `vendor:product`, version, scheme for comparisons.
#[derive(Debug, Clone)]
pub(crate) struct Ident {
    pub vp: String,
    pub version: String,
    pub scheme: Scheme,
    pub bom_ref: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Leaf {
    pub vulnerable: bool,
    pub vp: String,
    pub criteria: String,
    pub bounds: NvdBounds,
}

#[derive(Debug, Clone)]
pub(crate) struct Node {
    and: bool,
    negate: bool,
    leaves: Vec<Leaf>,
    children: Vec<Node>,
}

#[derive(Debug, Clone)]
pub(crate) struct Config {
    and: bool,
    negate: bool,
    nodes: Vec<Node>,
}

/// `vendor:product`, lowercased, from a CPE 2.3 formatted string.
pub(crate) fn vendor_product(cpe: &str) -> Option<String> {
    let f = cpe23_fields(cpe);
    if f.len() < 6 || f[0] != "cpe" || f[1] != "2.3" {
        return None;
    }
    let (v, p) = (f[3].to_ascii_lowercase(), f[4].to_ascii_lowercase());
    if v.is_empty() || p.is_empty() || v == "*" || p == "*" {
        return None;
    }
    Some(format!("{v}:{p}"))
}

fn leaf(m: &CpeMatch) -> Option<Leaf> {
    let vp = vendor_product(&m.criteria)?;
    let mut bounds = NvdBounds::from_cpe23(&m.criteria);
    bounds.version_start_including = m.version_start_including.clone();
    bounds.version_start_excluding = m.version_start_excluding.clone();
    bounds.version_end_including = m.version_end_including.clone();
    bounds.version_end_excluding = m.version_end_excluding.clone();
    Some(Leaf {
        vulnerable: m.vulnerable,
        vp,
        criteria: m.criteria.clone(),
        bounds,
    })
}

fn node(n: &CpeNode) -> Node {
    Node {
        and: n.operator == Operator::And,
        negate: n.negate,
        leaves: n.cpe_match.iter().filter_map(leaf).collect(),
        children: n.children.iter().map(node).collect(),
    }
}

impl Config {
    pub fn compile(c: &CpeConfiguration) -> Config {
        Config {
            // NVD 1.1 feeds and single-node 2.0 configurations have no operator: nodes are alternatives.
            and: c.operator == Some(Operator::And),
            negate: c.negate,
            nodes: c.nodes.iter().map(node).collect(),
        }
    }

    /// Every leaf's `vendor:product` with its `vulnerable` flag.
    pub fn leaves(&self) -> Vec<&Leaf> {
        fn walk<'a>(n: &'a Node, out: &mut Vec<&'a Leaf>) {
            out.extend(n.leaves.iter());
            for c in &n.children {
                walk(c, out);
            }
        }
        let mut out = Vec::new();
        for n in &self.nodes {
            walk(n, &mut out);
        }
        out
    }
}

/// The outcome of evaluating one configuration for one component.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// `Some(true)` affected, `None` unknown (a platform condition is not shown), `Some(false)` not.
    pub truth: Option<bool>,
    /// The component's own `vulnerable: true` leaf that hit, with its explanation.
    pub hit: Option<(Leaf, Explanation)>,
    /// Conditions met by other components (criteria, bom-ref).
    pub platforms: Vec<(String, String)>,
    /// Conditions no component showed.
    pub missing: Vec<String>,
}

struct Eval<'a> {
    me: &'a Ident,
    env: &'a [Ident],
    out: Outcome,
}

impl Eval<'_> {
    fn leaf(&mut self, l: &Leaf) -> Option<bool> {
        if l.vp == self.me.vp {
            let ex = l.bounds.explain(self.me.scheme, &self.me.version);
            let ok = ex.is_affected();
            if ok && l.vulnerable && self.out.hit.is_none() {
                self.out.hit = Some((l.clone(), ex));
            }
            return Some(ok);
        }
        if let Some(o) = self
            .env
            .iter()
            .find(|o| o.vp == l.vp && l.bounds.contains(o.scheme, &o.version))
        {
            self.out
                .platforms
                .push((l.criteria.clone(), o.bom_ref.clone()));
            return Some(true);
        }
        if l.vulnerable {
            // Another product's vulnerable entry that no component shows: a claim about that
            // product, not a condition on this one — false, or an OR of 50 products would turn
            // every non-matching version into "unknown".
            return Some(false);
        }
        self.out.missing.push(l.criteria.clone());
        None
    }

    fn node(&mut self, n: &Node) -> Option<bool> {
        let mut vals = Vec::with_capacity(n.leaves.len() + n.children.len());
        for l in &n.leaves {
            vals.push(self.leaf(l));
        }
        for c in &n.children {
            vals.push(self.node(c));
        }
        let v = combine(n.and, &vals);
        if n.negate {
            v.map(|b| !b)
        } else {
            v
        }
    }
}

/// Kleene three-valued AND / OR.
fn combine(and: bool, vals: &[Option<bool>]) -> Option<bool> {
    if and {
        if vals.contains(&Some(false)) {
            Some(false)
        } else if vals.iter().all(|v| *v == Some(true)) {
            Some(true)
        } else {
            None
        }
    } else if vals.contains(&Some(true)) {
        Some(true)
    } else if vals.iter().all(|v| *v == Some(false)) {
        Some(false)
    } else {
        None
    }
}

pub(crate) fn evaluate(cfg: &Config, me: &Ident, env: &[Ident]) -> Outcome {
    let mut e = Eval {
        me,
        env,
        out: Outcome {
            truth: None,
            hit: None,
            platforms: Vec::new(),
            missing: Vec::new(),
        },
    };
    let mut vals = Vec::with_capacity(cfg.nodes.len());
    for n in &cfg.nodes {
        vals.push(e.node(n));
    }
    let mut t = combine(cfg.and, &vals);
    if cfg.negate {
        t = t.map(|b| !b);
    }
    // Without a vulnerable leaf of its own hit, the component is never the affected one.
    e.out.truth = if e.out.hit.is_some() { t } else { Some(false) };
    e.out
}
