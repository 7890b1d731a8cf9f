//! The MITRE *Rubric for Applying CVSS to Medical Devices* (MITRE 2019, FDA
//! Medical Device Development Tool qualified 20 Oct 2020): the questionnaire
//! and its decision logic, producing CVSS base metrics plus a record of which
//! answers set each metric.
//!
//! The rubric changes only how base-metric values are chosen, not the CVSS
//! formula. Its decision flow, per metric (source: `fda/requirements.md` §B3,
//! the MedSec calculator's logic):
//!
//! | metric | flow |
//! |---|---|
//! | AV | XAVN unknown → N. XAVN yes → XAVT: yes/unknown → N; no → XAVW: no/unknown → A; yes → XAVR: yes → L, no/unknown → A. XAVN no → XAVP: yes → P, no/unknown → L. XAVPA is recorded, never decisive. |
//! | AC | XACL yes/unknown → L; no → H |
//! | PR | XPRL no/unknown → N; yes → XPRZ: no/unknown → N; yes → XPRS: yes → H, no → L, unknown → N |
//! | UI | XUI yes → R; no/unknown → N |
//! | S  | XS no → U; yes/unknown → C |
//! | C, I, A | one value per category (six categories), the metric is the maximum; high/low/none → H/L/N, unknown → H. PHI confidentiality: XCP no → N; XCP yes → XCPM yes/unknown → H, no → L; XCP unknown → H |
//!
//! Every UNKNOWN, and every question on the path that was not answered,
//! resolves to the worse (higher-scoring) value; where the calculator leaves an
//! UNKNOWN undefined (XAVR) this module takes the worse of the two outcomes.
//!
//! Two points differ between readings of the rubric and are documented here
//! rather than hidden: the calculator maps XAVW = no to A (a third-party tool
//! maps it to L; A is the higher-scoring value and is kept), and the PHI
//! sub-question XCPM is applied as its wording intends (many patients → H,
//! few → L), where the MedSec sheet simplifies to "XCP yes → H".

mod answers;
mod questions;

pub use answers::Answers;
pub use questions::{question, Answer, AnswerKind, Category, Question, RubricMetric, QUESTIONS};

// The CVSS types are the cvss crate's, so the rubric's output is a vector that
// crate scores exactly like any other (DESIGN.md §7: `cvss` holds CVSS scoring).
use postmarket_cvss::{
    AttackComplexity, AttackVector, CvssV3, Impact, PrivilegesRequired, Scope, UserInteraction,
    V3Base,
};
use serde::Serialize;
use std::collections::BTreeSet;

/// One question consulted on the way to a metric value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Question id.
    pub question: &'static str,
    /// The answer used (`unknown` when none was given).
    pub answer: Answer,
    /// Whether the analyst answered it; `false` means it was left out and
    /// counted as unknown.
    pub answered: bool,
}

/// How one of AV, AC, PR, UI or S was set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MetricDerivation<V> {
    /// The resulting value.
    pub value: V,
    /// The questions on the decision path, in order; the last one decided.
    pub path: Vec<Step>,
    /// Questions recorded for the metric that do not change it (XAVPA).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub informational: Vec<Step>,
}

/// One category's contribution to C, I or A.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CategoryImpact {
    /// The category.
    pub category: Category,
    /// The value for this category.
    pub value: Impact,
    /// The questions that set it (two for PHI confidentiality when XCP is yes).
    pub path: Vec<Step>,
}

/// How C, I or A was set: the maximum across the six categories.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImpactDerivation {
    /// The maximum across categories.
    pub value: Impact,
    /// Every category's value, in rubric order.
    pub categories: Vec<CategoryImpact>,
    /// The categories that reached the maximum, i.e. set the metric.
    pub set_by: Vec<Category>,
}

/// Which answers set each metric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnswerRecord {
    /// Attack Vector.
    pub av: MetricDerivation<AttackVector>,
    /// Attack Complexity.
    pub ac: MetricDerivation<AttackComplexity>,
    /// Privileges Required.
    pub pr: MetricDerivation<PrivilegesRequired>,
    /// User Interaction.
    pub ui: MetricDerivation<UserInteraction>,
    /// Scope.
    pub s: MetricDerivation<Scope>,
    /// Confidentiality.
    pub c: ImpactDerivation,
    /// Integrity.
    pub i: ImpactDerivation,
    /// Availability.
    pub a: ImpactDerivation,
    /// Answered questions that the decision paths did not reach (for
    /// example XAVT when XAVN is no). Kept so nothing given is lost.
    pub not_on_path: Vec<&'static str>,
}

/// The rubric's output.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RubricResult {
    /// The CVSS base metrics.
    pub metrics: V3Base,
    /// `CVSS:3.1/AV:…/A:…`.
    pub vector: String,
    /// The v3.x exploitability sub-score of these metrics (unrounded, from
    /// [`CvssV3::exploitability_subscore_raw`]), ready for the exploitability
    /// policy.
    pub exploitability_subscore: f64,
    /// Which answers set each metric.
    pub record: AnswerRecord,
    /// The answers as given.
    pub answers: Answers,
}

impl RubricResult {
    /// The CVSS 3.1 vector of the rubric's base metrics, to score with the
    /// cvss crate (base, impact and exploitability sub-scores, severity).
    pub fn cvss(&self) -> CvssV3 {
        CvssV3::v31_from_base(self.metrics)
    }
}

/// Runs the rubric's decision logic over a set of answers.
pub fn evaluate(answers: &Answers) -> RubricResult {
    let mut ask = Asker {
        answers,
        used: BTreeSet::new(),
    };
    let av = attack_vector(&mut ask);
    let ac = attack_complexity(&mut ask);
    let pr = privileges_required(&mut ask);
    let ui = user_interaction(&mut ask);
    let s = scope(&mut ask);
    let c = impact(&mut ask, RubricMetric::C);
    let i = impact(&mut ask, RubricMetric::I);
    let a = impact(&mut ask, RubricMetric::A);
    let not_on_path = answers
        .iter()
        .map(|(id, _)| id)
        .filter(|id| !ask.used.contains(id))
        .collect();
    let metrics = V3Base {
        av: av.value,
        ac: ac.value,
        pr: pr.value,
        ui: ui.value,
        s: s.value,
        c: c.value,
        i: i.value,
        a: a.value,
    };
    // The MITRE rubric was written for v3.0; its base metrics and values are
    // the same in v3.1, the current version, so the vector is issued as 3.1.
    let cvss = CvssV3::v31_from_base(metrics);
    RubricResult {
        vector: cvss.to_string(),
        exploitability_subscore: cvss.exploitability_subscore_raw(),
        metrics,
        record: AnswerRecord {
            av,
            ac,
            pr,
            ui,
            s,
            c,
            i,
            a,
            not_on_path,
        },
        answers: answers.clone(),
    }
}

/// Parses the JSON answers format (see [`Answers`]) and runs the rubric.
pub fn evaluate_json(text: &str) -> crate::Result<RubricResult> {
    Ok(evaluate(&Answers::from_json(text)?))
}

struct Asker<'a> {
    answers: &'a Answers,
    used: BTreeSet<&'static str>,
}

impl Asker<'_> {
    fn ask(&mut self, id: &'static str) -> Step {
        self.used.insert(id);
        match self.answers.get(id) {
            Some(answer) => Step {
                question: id,
                answer,
                answered: true,
            },
            None => Step {
                question: id,
                answer: Answer::Unknown,
                answered: false,
            },
        }
    }
}

fn derived<V>(value: V, path: Vec<Step>) -> MetricDerivation<V> {
    MetricDerivation {
        value,
        path,
        informational: Vec::new(),
    }
}

fn attack_vector(q: &mut Asker<'_>) -> MetricDerivation<AttackVector> {
    use AttackVector::*;
    let xavn = q.ask("XAVN");
    match xavn.answer {
        // Network use unknown: assume the worst, a routed network.
        Answer::No => {
            let xavp = q.ask("XAVP");
            let value = if xavp.answer == Answer::Yes {
                Physical
            } else {
                Local
            };
            let mut d = derived(value, vec![xavn, xavp]);
            d.informational.push(q.ask("XAVPA"));
            d
        }
        Answer::Yes => {
            let xavt = q.ask("XAVT");
            if xavt.answer != Answer::No {
                return derived(Network, vec![xavn, xavt]);
            }
            let xavw = q.ask("XAVW");
            if xavw.answer != Answer::Yes {
                return derived(Adjacent, vec![xavn, xavt, xavw]);
            }
            let xavr = q.ask("XAVR");
            let value = if xavr.answer == Answer::Yes {
                Local
            } else {
                Adjacent
            };
            derived(value, vec![xavn, xavt, xavw, xavr])
        }
        _ => derived(Network, vec![xavn]),
    }
}

fn attack_complexity(q: &mut Asker<'_>) -> MetricDerivation<AttackComplexity> {
    let xacl = q.ask("XACL");
    let value = if xacl.answer == Answer::No {
        AttackComplexity::High
    } else {
        AttackComplexity::Low
    };
    derived(value, vec![xacl])
}

fn privileges_required(q: &mut Asker<'_>) -> MetricDerivation<PrivilegesRequired> {
    use PrivilegesRequired::*;
    let xprl = q.ask("XPRL");
    if xprl.answer != Answer::Yes {
        return derived(None, vec![xprl]);
    }
    let xprz = q.ask("XPRZ");
    if xprz.answer != Answer::Yes {
        return derived(None, vec![xprl, xprz]);
    }
    let xprs = q.ask("XPRS");
    let value = match xprs.answer {
        Answer::Yes => High,
        Answer::No => Low,
        // The calculator resolves an unknown privilege level to N, the
        // highest-scoring value of the metric.
        _ => None,
    };
    derived(value, vec![xprl, xprz, xprs])
}

fn user_interaction(q: &mut Asker<'_>) -> MetricDerivation<UserInteraction> {
    let xui = q.ask("XUI");
    let value = if xui.answer == Answer::Yes {
        UserInteraction::Required
    } else {
        UserInteraction::None
    };
    derived(value, vec![xui])
}

fn scope(q: &mut Asker<'_>) -> MetricDerivation<Scope> {
    let xs = q.ask("XS");
    let value = if xs.answer == Answer::No {
        Scope::Unchanged
    } else {
        Scope::Changed
    };
    derived(value, vec![xs])
}

fn impact_of(answer: Answer) -> Impact {
    match answer {
        Answer::None => Impact::None,
        Answer::Low => Impact::Low,
        // high, and unknown resolved to the worse value.
        _ => Impact::High,
    }
}

/// None < Low < High, for the rubric's "maximum across the six categories"
/// (`fda/requirements.md` §B3). The cvss crate's `Impact` carries no order of
/// its own, so the order the rubric needs is stated here.
fn impact_rank(i: Impact) -> u8 {
    match i {
        Impact::None => 0,
        Impact::Low => 1,
        Impact::High => 2,
    }
}

fn impact(q: &mut Asker<'_>, metric: RubricMetric) -> ImpactDerivation {
    let categories: Vec<CategoryImpact> = Category::ALL
        .iter()
        .map(|&category| {
            let step = q.ask(questions::cia_question(metric, category).id);
            if metric == RubricMetric::C && category == Category::Phi {
                // XCP is yes/no: no exposure → N; exposure → size via XCPM.
                match step.answer {
                    Answer::No => CategoryImpact {
                        category,
                        value: Impact::None,
                        path: vec![step],
                    },
                    Answer::Yes => {
                        let xcpm = q.ask("XCPM");
                        let value = if xcpm.answer == Answer::No {
                            Impact::Low
                        } else {
                            Impact::High
                        };
                        CategoryImpact {
                            category,
                            value,
                            path: vec![step, xcpm],
                        }
                    }
                    _ => CategoryImpact {
                        category,
                        value: Impact::High,
                        path: vec![step],
                    },
                }
            } else {
                CategoryImpact {
                    category,
                    value: impact_of(step.answer),
                    path: vec![step],
                }
            }
        })
        .collect();
    let value = categories
        .iter()
        .map(|c| c.value)
        .max_by_key(|v| impact_rank(*v))
        .unwrap_or(Impact::High);
    let set_by = categories
        .iter()
        .filter(|c| c.value == value)
        .map(|c| c.category)
        .collect();
    ImpactDerivation {
        value,
        categories,
        set_by,
    }
}

#[cfg(test)]
mod tests {
    //! One test per decision path of each metric. Each case gives only the
    //! answers on its path; every other question is left out (unknown).
    use super::*;
    use postmarket_cvss::{
        AttackComplexity as AC, AttackVector as AV, Impact as Imp, PrivilegesRequired as PR,
        Scope as S, UserInteraction as UI,
    };

    fn run(pairs: &[(&str, &str)]) -> RubricResult {
        evaluate(&Answers::from_pairs(pairs.iter().copied()).unwrap())
    }

    /// `path!(name, field, [answers], expected, [path ids])`: the metric's
    /// value and the exact questions on its decision path.
    macro_rules! path {
        ($name:ident, $field:ident, [$(($q:literal, $a:literal)),*], $expected:expr, [$($p:literal),*]) => {
            #[test]
            fn $name() {
                let r = run(&[$(($q, $a)),*]);
                assert_eq!(r.metrics.$field, $expected, "value");
                let path: Vec<_> = r.record.$field.path.iter().map(|s| s.question).collect();
                let expected: Vec<&str> = vec![$($p),*];
                assert_eq!(path, expected, "path");
            }
        };
    }

    // ---- AV ------------------------------------------------------------
    path!(
        av_network_unknown_is_n,
        av,
        [("XAVN", "unknown")],
        AV::Network,
        ["XAVN"]
    );
    path!(av_not_answered_is_n, av, [], AV::Network, ["XAVN"]);
    path!(
        av_layer3_is_n,
        av,
        [("XAVN", "yes"), ("XAVT", "yes")],
        AV::Network,
        ["XAVN", "XAVT"]
    );
    path!(
        av_layer3_unknown_is_n,
        av,
        [("XAVN", "yes"), ("XAVT", "unknown")],
        AV::Network,
        ["XAVN", "XAVT"]
    );
    path!(
        av_wired_non_ip_is_a,
        av,
        [("XAVN", "yes"), ("XAVT", "no"), ("XAVW", "no")],
        AV::Adjacent,
        ["XAVN", "XAVT", "XAVW"]
    );
    path!(
        av_wireless_unknown_is_a,
        av,
        [("XAVN", "yes"), ("XAVT", "no"), ("XAVW", "unknown")],
        AV::Adjacent,
        ["XAVN", "XAVT", "XAVW"]
    );
    path!(
        av_short_range_wireless_is_l,
        av,
        [
            ("XAVN", "yes"),
            ("XAVT", "no"),
            ("XAVW", "yes"),
            ("XAVR", "yes")
        ],
        AV::Local,
        ["XAVN", "XAVT", "XAVW", "XAVR"]
    );
    path!(
        av_long_range_wireless_is_a,
        av,
        [
            ("XAVN", "yes"),
            ("XAVT", "no"),
            ("XAVW", "yes"),
            ("XAVR", "no")
        ],
        AV::Adjacent,
        ["XAVN", "XAVT", "XAVW", "XAVR"]
    );
    path!(
        av_wireless_range_unknown_is_a,
        av,
        [
            ("XAVN", "yes"),
            ("XAVT", "no"),
            ("XAVW", "yes"),
            ("XAVR", "unknown")
        ],
        AV::Adjacent,
        ["XAVN", "XAVT", "XAVW", "XAVR"]
    );
    path!(
        av_physical_contact_is_p,
        av,
        [("XAVN", "no"), ("XAVP", "yes")],
        AV::Physical,
        ["XAVN", "XAVP"]
    );
    path!(
        av_no_physical_contact_is_l,
        av,
        [("XAVN", "no"), ("XAVP", "no")],
        AV::Local,
        ["XAVN", "XAVP"]
    );
    path!(
        av_physical_unknown_is_l,
        av,
        [("XAVN", "no"), ("XAVP", "unknown")],
        AV::Local,
        ["XAVN", "XAVP"]
    );

    #[test]
    fn av_human_user_interface_is_recorded_but_never_decisive() {
        for xavpa in ["yes", "no", "unknown"] {
            let r = run(&[("XAVN", "no"), ("XAVP", "no"), ("XAVPA", xavpa)]);
            assert_eq!(r.metrics.av, AV::Local);
            assert_eq!(r.record.av.informational[0].question, "XAVPA");
            assert!(r.record.av.informational[0].answered);
            let r = run(&[("XAVN", "no"), ("XAVP", "yes"), ("XAVPA", xavpa)]);
            assert_eq!(r.metrics.av, AV::Physical);
        }
    }

    // ---- AC ------------------------------------------------------------
    path!(ac_at_will_is_l, ac, [("XACL", "yes")], AC::Low, ["XACL"]);
    path!(
        ac_unknown_is_l,
        ac,
        [("XACL", "unknown")],
        AC::Low,
        ["XACL"]
    );
    path!(
        ac_special_conditions_is_h,
        ac,
        [("XACL", "no")],
        AC::High,
        ["XACL"]
    );

    // ---- PR ------------------------------------------------------------
    path!(
        pr_no_login_model_is_n,
        pr,
        [("XPRL", "no")],
        PR::None,
        ["XPRL"]
    );
    path!(
        pr_login_model_unknown_is_n,
        pr,
        [("XPRL", "unknown")],
        PR::None,
        ["XPRL"]
    );
    path!(
        pr_no_authorization_needed_is_n,
        pr,
        [("XPRL", "yes"), ("XPRZ", "no")],
        PR::None,
        ["XPRL", "XPRZ"]
    );
    path!(
        pr_authorization_unknown_is_n,
        pr,
        [("XPRL", "yes"), ("XPRZ", "unknown")],
        PR::None,
        ["XPRL", "XPRZ"]
    );
    path!(
        pr_system_level_is_h,
        pr,
        [("XPRL", "yes"), ("XPRZ", "yes"), ("XPRS", "yes")],
        PR::High,
        ["XPRL", "XPRZ", "XPRS"]
    );
    path!(
        pr_user_level_is_l,
        pr,
        [("XPRL", "yes"), ("XPRZ", "yes"), ("XPRS", "no")],
        PR::Low,
        ["XPRL", "XPRZ", "XPRS"]
    );
    path!(
        pr_level_unknown_is_n,
        pr,
        [("XPRL", "yes"), ("XPRZ", "yes"), ("XPRS", "unknown")],
        PR::None,
        ["XPRL", "XPRZ", "XPRS"]
    );

    // ---- UI ------------------------------------------------------------
    path!(
        ui_victim_must_act_is_r,
        ui,
        [("XUI", "yes")],
        UI::Required,
        ["XUI"]
    );
    path!(ui_no_victim_is_n, ui, [("XUI", "no")], UI::None, ["XUI"]);
    path!(ui_unknown_is_n, ui, [("XUI", "unknown")], UI::None, ["XUI"]);

    // ---- S -------------------------------------------------------------
    path!(
        s_same_authority_is_u,
        s,
        [("XS", "no")],
        S::Unchanged,
        ["XS"]
    );
    path!(
        s_other_authority_is_c,
        s,
        [("XS", "yes")],
        S::Changed,
        ["XS"]
    );
    path!(s_unknown_is_c, s, [("XS", "unknown")], S::Changed, ["XS"]);

    // ---- C/I/A per category --------------------------------------------

    /// Answers every C/I/A question `none` except the ones given.
    fn cia_all_none_except(extra: &[(&'static str, &'static str)]) -> RubricResult {
        let mut pairs: Vec<(&str, &str)> = QUESTIONS
            .iter()
            .filter(|q| q.category.is_some() && !extra.iter().any(|(id, _)| *id == q.id))
            .map(|q| {
                (
                    q.id,
                    if q.kind == AnswerKind::YesNo {
                        "no"
                    } else {
                        "none"
                    },
                )
            })
            .collect();
        pairs.extend_from_slice(extra);
        run(&pairs)
    }

    #[test]
    fn cia_all_none_is_none() {
        let r = cia_all_none_except(&[]);
        assert_eq!(
            (r.metrics.c, r.metrics.i, r.metrics.a),
            (Imp::None, Imp::None, Imp::None)
        );
        assert_eq!(r.record.c.set_by, Category::ALL.to_vec());
    }

    #[test]
    fn cia_each_category_answer_maps_high_low_none_and_unknown_is_high() {
        for q in QUESTIONS
            .iter()
            .filter(|q| q.category.is_some() && q.kind == AnswerKind::Impact)
        {
            for (answer, expected) in [
                ("high", Imp::High),
                ("low", Imp::Low),
                ("none", Imp::None),
                ("unknown", Imp::High),
            ] {
                let r = cia_all_none_except(&[(q.id, answer)]);
                let d = match q.metric {
                    RubricMetric::C => &r.record.c,
                    RubricMetric::I => &r.record.i,
                    _ => &r.record.a,
                };
                assert_eq!(d.value, expected, "{} = {answer}", q.id);
                let cat = d
                    .categories
                    .iter()
                    .find(|c| Some(c.category) == q.category)
                    .unwrap();
                assert_eq!(cat.value, expected);
                assert_eq!(cat.path[0].question, q.id);
            }
        }
    }

    #[test]
    fn cia_unanswered_category_counts_as_unknown_high() {
        // Only XIT answered (low); the five other integrity categories are
        // left out and resolve to HIGH.
        let r = run(&[("XIT", "low")]);
        assert_eq!(r.metrics.i, Imp::High);
        let unanswered: Vec<_> = r
            .record
            .i
            .categories
            .iter()
            .filter(|c| !c.path[0].answered)
            .map(|c| c.category)
            .collect();
        assert_eq!(unanswered.len(), 5);
        assert!(!r.record.i.set_by.contains(&Category::Therapy));
    }

    #[test]
    fn c_phi_not_exposed_is_none() {
        let r = cia_all_none_except(&[("XCP", "no")]);
        assert_eq!(r.metrics.c, Imp::None);
        assert_eq!(r.record.c.categories[0].path.len(), 1, "XCPM is not asked");
    }

    #[test]
    fn c_phi_exposed_many_patients_is_high() {
        let r = cia_all_none_except(&[("XCP", "yes"), ("XCPM", "yes")]);
        assert_eq!(r.metrics.c, Imp::High);
        assert_eq!(r.record.c.set_by, [Category::Phi]);
        let path: Vec<_> = r.record.c.categories[0]
            .path
            .iter()
            .map(|s| s.question)
            .collect();
        assert_eq!(path, ["XCP", "XCPM"]);
    }

    #[test]
    fn c_phi_exposed_few_patients_is_low() {
        let r = cia_all_none_except(&[("XCP", "yes"), ("XCPM", "no")]);
        assert_eq!(r.metrics.c, Imp::Low);
    }

    #[test]
    fn c_phi_exposed_size_unknown_is_high() {
        let r = cia_all_none_except(&[("XCP", "yes"), ("XCPM", "unknown")]);
        assert_eq!(r.metrics.c, Imp::High);
    }

    #[test]
    fn c_phi_exposure_unknown_is_high() {
        let r = cia_all_none_except(&[("XCP", "unknown")]);
        assert_eq!(r.metrics.c, Imp::High);
    }

    #[test]
    fn cia_metric_is_the_maximum_across_the_six_categories() {
        // Integrity: therapy low, clinical workflow high, rest none → H,
        // set by clinical workflow only.
        let r = cia_all_none_except(&[("XIT", "low"), ("XIW", "high")]);
        assert_eq!(r.metrics.i, Imp::High);
        assert_eq!(r.record.i.set_by, [Category::ClinicalWorkflow]);
        // Availability: two categories low, rest none → L, set by both.
        let r = cia_all_none_except(&[("XAD", "low"), ("XAT", "low")]);
        assert_eq!(r.metrics.a, Imp::Low);
        assert_eq!(
            r.record.a.set_by,
            [Category::DiagnosisOrMonitoring, Category::Therapy]
        );
        // Confidentiality: PHI few patients (L) and private keys high → H.
        let r = cia_all_none_except(&[("XCP", "yes"), ("XCPM", "no"), ("XCS", "high")]);
        assert_eq!(r.metrics.c, Imp::High);
        assert_eq!(r.record.c.set_by, [Category::SystemData]);
        // Every single category can raise each metric to the maximum.
        for cat in Category::ALL {
            for m in [RubricMetric::I, RubricMetric::A] {
                let id = questions::cia_question(m, cat).id;
                let r = cia_all_none_except(&[(id, "high")]);
                let v = if m == RubricMetric::I {
                    r.metrics.i
                } else {
                    r.metrics.a
                };
                assert_eq!(v, Imp::High, "{id}");
            }
        }
    }

    // ---- the cvss crate's types as the rubric uses them -------------------

    fn worst() -> V3Base {
        V3Base {
            av: AV::Network,
            ac: AC::Low,
            pr: PR::None,
            ui: UI::None,
            s: S::Changed,
            c: Imp::High,
            i: Imp::High,
            a: Imp::High,
        }
    }

    #[test]
    fn vector_string_lists_all_eight_metrics_in_spec_order() {
        assert_eq!(
            CvssV3::v31_from_base(worst()).to_string(),
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"
        );
        assert_eq!(
            CvssV3::from_base(postmarket_cvss::V3Minor::V3_0, worst()).to_string(),
            "CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"
        );
    }

    #[test]
    fn exploitability_subscore_matches_nvd_published_values() {
        // NVD publishes 3.9 for AV:N/AC:L/PR:N/UI:N and 2.8 for AV:N/AC:L/PR:L/UI:N (S:U).
        let raw = |b: V3Base| CvssV3::v31_from_base(b).exploitability_subscore_raw();
        assert!((raw(worst()) - 3.887).abs() < 0.001);
        let m = V3Base {
            pr: PR::Low,
            s: S::Unchanged,
            ..worst()
        };
        assert!((raw(m) - 2.835).abs() < 0.001);
        // PR:L weighs 0.68 under S:C.
        let m = V3Base {
            pr: PR::Low,
            ..worst()
        };
        assert!((raw(m) - 3.110).abs() < 0.001);
    }

    #[test]
    fn impact_orders_none_low_high() {
        assert!(impact_rank(Imp::None) < impact_rank(Imp::Low));
        assert!(impact_rank(Imp::Low) < impact_rank(Imp::High));
    }

    #[test]
    fn result_carries_the_cvss_vector_it_names() {
        let r = run(&[("XAVN", "no"), ("XAVP", "yes")]);
        assert_eq!(r.cvss().to_string(), r.vector);
        assert_eq!(r.vector.parse::<CvssV3>().unwrap(), r.cvss());
        assert_eq!(
            r.exploitability_subscore,
            r.cvss().exploitability_subscore_raw()
        );
        // The serialised metrics use the vector codes.
        let j = serde_json::to_value(&r).unwrap();
        assert_eq!(j["metrics"]["av"], "P");
        assert_eq!(j["metrics"]["c"], "H");
    }

    #[test]
    fn empty_answers_give_the_worst_case_vector() {
        let r = run(&[]);
        assert_eq!(r.vector, "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H");
        assert!(r.record.av.path.iter().all(|s| !s.answered));
    }

    #[test]
    fn full_questionnaire_example_and_record() {
        // An implant programmed over short-range wireless telemetry, hard-coded
        // credential, therapy modifiable.
        let json = r#"{
            "XAVN": "yes", "XAVT": "no", "XAVW": "yes", "XAVR": "no",
            "XACL": "yes", "XPRL": "no", "XUI": "no", "XS": "no",
            "XCP": "yes", "XCPM": "no", "XIP": "none", "XAP": "none",
            "XCD": "low", "XID": "low", "XAD": "none",
            "XCT": "none", "XIT": "high", "XAT": "high",
            "XCW": "none", "XIW": "none", "XAW": "none",
            "XCS": "none", "XIS": "none", "XAS": "none",
            "XCO": "none", "XIO": "none", "XAO": "none",
            "XPRS": "yes"
        }"#;
        let r = evaluate_json(json).unwrap();
        assert_eq!(r.vector, "CVSS:3.1/AV:A/AC:L/PR:N/UI:N/S:U/C:L/I:H/A:H");
        // XPRS was answered but XPRL = no ends the PR path before it.
        assert_eq!(r.record.not_on_path, ["XPRS"]);
        assert_eq!(r.record.i.set_by, [Category::Therapy]);
        assert!((r.exploitability_subscore - 2.835).abs() < 1e-3);
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["record"]["av"]["value"], "A");
        assert_eq!(json["record"]["i"]["set_by"][0], "therapy");
        assert_eq!(json["answers"]["XAVR"], "no");
    }

    #[test]
    fn unknown_question_or_answer_is_refused_by_evaluate_json() {
        let err = evaluate_json(r#"{"XAV": "yes"}"#).unwrap_err();
        assert!(
            err.to_string().contains("unknown rubric question 'XAV'"),
            "{err}"
        );
        let err = evaluate_json(r#"{"XS": "maybe"}"#).unwrap_err();
        assert!(
            err.to_string()
                .contains("invalid answer 'maybe' to rubric question XS"),
            "{err}"
        );
    }
}
