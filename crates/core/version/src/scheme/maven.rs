//! Maven versions, ordered like Maven's `ComparableVersion`.
//!
//! The version is lower-cased and split into a tree of items:
//! * `.` separates items of the current list; an empty item is `0`;
//! * `-` closes the current item and opens a nested sub-list;
//! * a switch between digits and letters (`1a`, `rc1`) also opens a
//!   sub-list, as if a `-` were there (`1a1` = `1-a-1`);
//! * number items compare numerically (any size); string items compare by
//!   qualifier rank: `alpha` < `beta` < `milestone` < `rc` = `cr` <
//!   `snapshot` < `""` = `ga` = `final` = `release` < `sp` < any other
//!   qualifier (those compared alphabetically); a single `a`, `b`, `m`
//!   directly followed by a digit means alpha, beta, milestone;
//! * a release qualifier between two dashes is dropped (`1-ga-1` = `1-1`,
//!   as in the OSV/osv-scalibr vectors);
//! * trailing "null" items (`0`, `""`, `ga`, `final`, `release`, empty
//!   lists) are removed from each list, so `1` = `1.0` = `1.0.0` = `1-ga`;
//! * comparing across kinds: number > list > string; a missing item compares
//!   like the null item of the other side's kind.
//!
//! Every string is a valid Maven version.
//!
//! **Total order.** Maven's own `compareTo` is not transitive on some
//! inputs, e.g. `2.0.alpha < 2 < 2-1 < 2.0.alpha` and
//! `1-alpha < 1 < 1.sp < 1-alpha` (a number always beats a sub-list and a
//! sub-list always beats a qualifier, while both are compared with "nothing"
//! by content). Sorting needs a total order, so this crate compares the
//! flattened item spine lexicographically by a primary key (pre-release
//! qualifiers < {`0`, release qualifier, `-`, end} < `sp`/unknown qualifiers
//! < positive numbers) and breaks ties with Maven's kind order (qualifier <
//! `-` < number). This agrees with Maven on every OSV and vers-spec vector;
//! it differs where Maven is cyclic, e.g. `2.9.0-1` vs `2.9.0.RC1`
//! (Maven: `-1` < `.RC1` because a sub-list is below a number, yet
//! `2.9.0.RC1 < 2.9.0 < 2.9.0-1`). Maven's own pairwise answer is
//! [`MavenVersion::maven_compare`]; [`crate::Version::compare`] and every
//! range check use it, so containment decisions are exactly Maven's, while
//! `Ord` (sorting, `BTreeMap`) stays a total order.

use crate::num::Num;
use std::cmp::Ordering;

#[derive(Debug, Clone)]
enum Item {
    Int(Num),
    /// Qualifier rank (0..=6 known, 7 = unknown) and the unknown text.
    Str(u8, Box<str>),
    List(Vec<Item>),
}

const RELEASE_RANK: u8 = 5;

fn qualifier(s: &str, followed_by_digit: bool) -> Item {
    let s = if followed_by_digit && s.len() == 1 {
        match s {
            "a" => "alpha",
            "b" => "beta",
            "m" => "milestone",
            _ => s,
        }
    } else {
        s
    };
    let rank = match s {
        "alpha" => 0,
        "beta" => 1,
        "milestone" => 2,
        "rc" | "cr" => 3,
        "snapshot" => 4,
        "" | "ga" | "final" | "release" => RELEASE_RANK,
        "sp" => 6,
        _ => 7,
    };
    Item::Str(rank, if rank == 7 { s.into() } else { "".into() })
}

impl Item {
    fn is_null(&self) -> bool {
        match self {
            Item::Int(n) => n.is_zero(),
            Item::Str(r, _) => *r == RELEASE_RANK,
            Item::List(l) => l.is_empty(),
        }
    }

    /// Compare with an item; `None` is the missing item.
    fn cmp_opt(&self, other: Option<&Item>) -> Ordering {
        match other {
            None => match self {
                Item::Int(n) => {
                    if n.is_zero() {
                        Ordering::Equal
                    } else {
                        Ordering::Greater
                    }
                }
                Item::Str(r, s) => cmp_qual((*r, s), (RELEASE_RANK, "")),
                Item::List(l) => match l.first() {
                    None => Ordering::Equal,
                    Some(f) => f.cmp_opt(None),
                },
            },
            Some(o) => match (self, o) {
                (Item::Int(a), Item::Int(b)) => a.cmp(b),
                (Item::Int(_), _) => Ordering::Greater,
                (Item::Str(..), Item::Int(_)) => Ordering::Less,
                (Item::Str(ra, sa), Item::Str(rb, sb)) => cmp_qual((*ra, sa), (*rb, sb)),
                (Item::Str(..), Item::List(_)) => Ordering::Less,
                (Item::List(_), Item::Int(_)) => Ordering::Less,
                (Item::List(_), Item::Str(..)) => Ordering::Greater,
                (Item::List(a), Item::List(b)) => cmp_lists(a, b),
            },
        }
    }
}

fn cmp_qual(a: (u8, &str), b: (u8, &str)) -> Ordering {
    a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1))
}

fn cmp_lists(a: &[Item], b: &[Item]) -> Ordering {
    let n = a.len().max(b.len());
    for i in 0..n {
        let r = match (a.get(i), b.get(i)) {
            (Some(x), y) => x.cmp_opt(y),
            (None, Some(y)) => y.cmp_opt(None).reverse(),
            (None, None) => Ordering::Equal,
        };
        if r != Ordering::Equal {
            return r;
        }
    }
    Ordering::Equal
}

fn normalize(list: &mut Vec<Item>) {
    let mut i = list.len();
    while i > 0 {
        i -= 1;
        if list[i].is_null() {
            list.remove(i);
        } else if !matches!(list[i], Item::List(_)) {
            break;
        }
    }
}

/// One atom of the flattened item tree (a nested list is always the last
/// item of its parent, so the tree is a spine: `1.2-rc-1` = `1 2 ‹-› rc ‹-› 1`).
#[derive(Debug, Clone)]
enum Atom {
    Int(Num),
    Str(u8, Box<str>),
    Dash,
}

impl Atom {
    /// Primary key: Maven's comparison against "nothing" — pre-release
    /// qualifiers < {0, release qualifiers, `-`, end} < `sp`/unknown
    /// qualifiers < positive numbers.
    fn primary(&self, other: &Atom) -> Ordering {
        fn class(a: Option<&Atom>) -> u8 {
            match a {
                None | Some(Atom::Dash) => 1,
                Some(Atom::Int(n)) if n.is_zero() => 1,
                Some(Atom::Str(r, _)) if *r < RELEASE_RANK => 0,
                Some(Atom::Str(r, _)) if *r == RELEASE_RANK => 1,
                Some(Atom::Str(..)) => 2,
                Some(Atom::Int(_)) => 3,
            }
        }
        let (ca, cb) = (class(Some(self)), class(Some(other)));
        ca.cmp(&cb).then_with(|| match (self, other) {
            (Atom::Int(a), Atom::Int(b)) if ca == 3 => a.cmp(b),
            (Atom::Str(ra, sa), Atom::Str(rb, sb)) if ca != 1 => cmp_qual((*ra, sa), (*rb, sb)),
            _ => Ordering::Equal,
        })
    }
    fn primary_vs_end(&self) -> Ordering {
        match self {
            Atom::Dash => Ordering::Equal,
            Atom::Int(n) => {
                if n.is_zero() {
                    Ordering::Equal
                } else {
                    Ordering::Greater
                }
            }
            Atom::Str(r, _) => r.cmp(&RELEASE_RANK),
        }
    }
    /// Secondary key, only among atoms the primary key finds equal:
    /// release qualifier < `-` < `0` (Maven: string < list < number).
    fn secondary(&self) -> u8 {
        match self {
            Atom::Str(..) => 0,
            Atom::Dash => 1,
            Atom::Int(_) => 2,
        }
    }
}

fn flatten(items: &[Item], out: &mut Vec<Atom>) {
    for it in items {
        match it {
            Item::Int(n) => out.push(Atom::Int(n.clone())),
            Item::Str(r, s) => out.push(Atom::Str(*r, s.clone())),
            Item::List(l) => {
                out.push(Atom::Dash);
                flatten(l, out);
            }
        }
    }
}

/// A parsed Maven version.
#[derive(Debug, Clone)]
pub struct MavenVersion {
    items: Vec<Item>,
    atoms: Vec<Atom>,
}

fn parse_item(s: &str, is_digit: bool, followed_by_digit: bool) -> Item {
    if is_digit {
        Item::Int(Num::from_digits(s))
    } else {
        qualifier(s, followed_by_digit)
    }
}

impl MavenVersion {
    /// Parse (total: never fails).
    pub fn parse(input: &str) -> MavenVersion {
        let v = input.trim().to_lowercase();
        // A stack of lists; the last one is the current list. Each nested list
        // is attached to its parent when it is closed (at the end).
        let mut stack: Vec<Vec<Item>> = vec![Vec::new()];
        let b: Vec<char> = v.chars().collect();
        let mut start = 0usize;
        let mut is_digit = false;
        let sub = |b: &[char], s: usize, e: usize| -> String { b[s..e].iter().collect() };
        for i in 0..b.len() {
            let c = b[i];
            if c == '.' {
                let item = if i == start {
                    Item::Int(Num::Small(0))
                } else {
                    parse_item(&sub(&b, start, i), is_digit, false)
                };
                if let Some(l) = stack.last_mut() {
                    l.push(item);
                }
                start = i + 1;
            } else if c == '-' {
                let item = if i == start {
                    Item::Int(Num::Small(0))
                } else {
                    parse_item(&sub(&b, start, i), is_digit, false)
                };
                start = i + 1;
                // `-ga-`, `-final-`, `-release-`: a release qualifier between
                // two dashes is dropped (`1-ga-1` = `1-1`)
                if matches!(item, Item::Str(RELEASE_RANK, _))
                    && stack.len() > 1
                    && stack.last().is_some_and(|l| l.is_empty())
                {
                    continue;
                }
                if let Some(l) = stack.last_mut() {
                    l.push(item);
                }
                stack.push(Vec::new());
            } else if c.is_ascii_digit() {
                if !is_digit && i > start {
                    let item = qualifier(&sub(&b, start, i), true);
                    if let Some(l) = stack.last_mut() {
                        l.push(item);
                    }
                    start = i;
                    stack.push(Vec::new());
                }
                is_digit = true;
            } else {
                if is_digit && i > start {
                    let item = Item::Int(Num::from_digits(&sub(&b, start, i)));
                    if let Some(l) = stack.last_mut() {
                        l.push(item);
                    }
                    start = i;
                    stack.push(Vec::new());
                }
                is_digit = false;
            }
        }
        if b.len() > start {
            let item = parse_item(&sub(&b, start, b.len()), is_digit, false);
            if let Some(l) = stack.last_mut() {
                l.push(item);
            }
        }
        // close nested lists innermost first
        while stack.len() > 1 {
            let mut l = stack.pop().unwrap_or_default();
            normalize(&mut l);
            if let Some(parent) = stack.last_mut() {
                parent.push(Item::List(l));
            }
        }
        let mut items = stack.pop().unwrap_or_default();
        normalize(&mut items);
        let mut atoms = Vec::new();
        flatten(&items, &mut atoms);
        MavenVersion { items, atoms }
    }

    /// Maven's own pairwise answer (`ComparableVersion.compareTo`). It is
    /// what Maven decides for one comparison, but it is not transitive on
    /// some inputs (see the module docs); range checks use it, sorting uses
    /// the total [`Ord`].
    pub fn maven_compare(&self, other: &Self) -> Ordering {
        cmp_lists(&self.items, &other.items)
    }
}

impl Ord for MavenVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        let (a, b) = (&self.atoms, &other.atoms);
        let n = a.len().max(b.len());
        for i in 0..n {
            let r = match (a.get(i), b.get(i)) {
                (Some(x), Some(y)) => x.primary(y),
                (Some(x), None) => x.primary_vs_end(),
                (None, Some(y)) => y.primary_vs_end().reverse(),
                (None, None) => Ordering::Equal,
            };
            if r != Ordering::Equal {
                return r;
            }
        }
        for (x, y) in a.iter().zip(b.iter()) {
            let r = x.secondary().cmp(&y.secondary());
            if r != Ordering::Equal {
                return r;
            }
        }
        a.len().cmp(&b.len())
    }
}
impl PartialOrd for MavenVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl PartialEq for MavenVersion {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for MavenVersion {}

#[cfg(test)]
mod tests {
    use super::*;
    fn m(s: &str) -> MavenVersion {
        MavenVersion::parse(s)
    }

    #[test]
    fn qualifiers() {
        let asc = [
            "1.0-alpha-1",
            "1.0-alpha-2",
            "1.0-beta-1",
            "1.0-milestone-1",
            "1.0-rc1",
            "1.0-SNAPSHOT",
            "1.0",
            "1.0-sp1",
            "1.0-xyz",
            "1.0-1",
            "1.0.1",
        ];
        for w in asc.windows(2) {
            assert!(m(w[0]) < m(w[1]), "{} < {}", w[0], w[1]);
        }
        assert_eq!(m("1"), m("1.0.0"));
        assert_eq!(m("1-ga"), m("1"));
        assert_eq!(m("1.0.FINAL"), m("1"));
        assert_eq!(m("1cr"), m("1rc"));
        assert_eq!(m("1a1"), m("1-alpha-1"));
    }
}
