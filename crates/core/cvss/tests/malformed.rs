//! Malformed vectors: each kind is refused with the right error, naming the metric.

use postmarket_cvss::{CvssError, Vector};

const V31: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H";
const V40: &str = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N";
const V2: &str = "AV:N/AC:L/Au:N/C:P/I:P/A:P";

fn err(s: &str) -> CvssError {
    match s.parse::<Vector>() {
        Ok(v) => panic!("{s:?} was accepted as {v}"),
        Err(e) => e,
    }
}

/// (input, expected error, text the Display message must contain)
fn cases() -> Vec<(String, CvssError, &'static str)> {
    use CvssError::*;
    let unknown_value = |version, metric, value: &str, allowed: &str| UnknownValue {
        version,
        metric,
        value: value.into(),
        allowed: allowed.into(),
    };
    vec![
        // 1. empty
        ("".into(), Empty, "empty"),
        // 2. whitespace only
        ("   ".into(), Empty, "empty"),
        // 3. lower-case prefix
        (
            V31.replace("CVSS:", "cvss:"),
            BadPrefix {
                found: "cvss:3.1".into(),
            },
            "cvss:3.1",
        ),
        // 4. prefix without colon
        (
            V31.replace("CVSS:3.1", "CVSS3.1"),
            BadPrefix {
                found: "CVSS3.1".into(),
            },
            "CVSS3.1",
        ),
        // 5. unsupported version
        (
            V31.replace("3.1", "3.2"),
            UnsupportedVersion {
                version: "3.2".into(),
            },
            "3.2",
        ),
        // 6. CVSS 2.0 written with a prefix
        (
            format!("CVSS:2.0/{V2}"),
            UnsupportedVersion {
                version: "2.0".into(),
            },
            "2.0",
        ),
        // 7. prefix not first
        (
            "AV:N/CVSS:3.1/AC:L".into(),
            MisplacedPrefix {
                component: "CVSS:3.1".into(),
                position: 2,
            },
            "CVSS:3.1",
        ),
        // 8. trailing slash
        (
            format!("{V31}/"),
            EmptyComponent { position: 10 },
            "position 10",
        ),
        // 9. doubled slash
        (
            V31.replace("/AC:L", "//AC:L"),
            EmptyComponent { position: 3 },
            "position 3",
        ),
        // 10. nothing after the prefix slash
        (
            "CVSS:3.1/".into(),
            EmptyComponent { position: 2 },
            "position 2",
        ),
        // 11. component without colon
        (
            V31.replace("AC:L", "ACL"),
            MalformedComponent {
                component: "ACL".into(),
            },
            "ACL",
        ),
        // 12. component with two colons
        (
            V31.replace("AC:L", "AC:L:H"),
            MalformedComponent {
                component: "AC:L:H".into(),
            },
            "AC:L:H",
        ),
        // 13. component with empty value
        (
            V31.replace("AC:L", "AC:"),
            MalformedComponent {
                component: "AC:".into(),
            },
            "AC:",
        ),
        // 14. component with empty metric
        (
            V31.replace("AC:L", ":L"),
            MalformedComponent {
                component: ":L".into(),
            },
            ":L",
        ),
        // 15. unknown metric (3.1)
        (
            format!("{V31}/XX:N"),
            UnknownMetric {
                version: "3.1",
                metric: "XX".into(),
            },
            "XX",
        ),
        // 16. metric of another version (4.0 metric in 3.1)
        (
            format!("{V31}/AT:N"),
            UnknownMetric {
                version: "3.1",
                metric: "AT".into(),
            },
            "AT",
        ),
        // 17. lower-case metric name
        (
            V31.replace("AV:N", "av:N"),
            UnknownMetric {
                version: "3.1",
                metric: "av".into(),
            },
            "av",
        ),
        // 18. unknown value
        (
            V31.replace("AV:N", "AV:Q"),
            unknown_value("3.1", "AV", "Q", "N/A/L/P"),
            "AV",
        ),
        // 19. lower-case value
        (
            V31.replace("AV:N", "AV:n"),
            unknown_value("3.1", "AV", "n", "N/A/L/P"),
            "AV",
        ),
        // 20. value with trailing whitespace
        (
            format!("{V31} "),
            unknown_value("3.1", "A", "H ", "N/L/H"),
            "metric A",
        ),
        // 21. duplicate metric, same value
        (
            format!("{V31}/AV:N"),
            DuplicateMetric {
                version: "3.1",
                metric: "AV",
            },
            "AV",
        ),
        // 22. duplicate metric, different value
        (
            format!("{V31}/C:L"),
            DuplicateMetric {
                version: "3.1",
                metric: "C",
            },
            "metric C",
        ),
        // 23. missing mandatory metric
        (
            V31.replace("/S:U", ""),
            MissingMetric {
                version: "3.1",
                metric: "S",
            },
            "S",
        ),
        // 24. prefix only
        (
            "CVSS:3.0".into(),
            MissingMetric {
                version: "3.0",
                metric: "AV",
            },
            "AV",
        ),
        // 25. base metric Not Defined
        (
            V31.replace("AC:L", "AC:X"),
            NotDefinedMandatory {
                version: "3.1",
                metric: "AC",
                value: "X".into(),
            },
            "AC",
        ),
        // 26. temporal value out of range
        (
            format!("{V31}/E:A"),
            unknown_value("3.1", "E", "A", "X/U/P/F/H"),
            "metric E",
        ),
        // 27. modified metric value out of range
        (
            format!("{V31}/MAV:Q"),
            unknown_value("3.1", "MAV", "Q", "X/N/A/L/P"),
            "MAV",
        ),
        // 28. 4.0: missing subsequent-system metric
        (
            V40.replace("/SA:N", ""),
            MissingMetric {
                version: "4.0",
                metric: "SA",
            },
            "SA",
        ),
        // 29. 4.0: Safety value on base SI (only MSI allows S)
        (
            V40.replace("SI:N", "SI:S"),
            unknown_value("4.0", "SI", "S", "H/L/N"),
            "SI",
        ),
        // 30. 4.0: 3.x metric
        (
            format!("{V40}/S:U"),
            unknown_value("4.0", "S", "U", "X/N/P"),
            "metric S",
        ),
        // 31. 4.0: 3.x-only metric name
        (
            format!("{V40}/RL:O"),
            UnknownMetric {
                version: "4.0",
                metric: "RL".into(),
            },
            "RL",
        ),
        // 32. 4.0: base metric Not Defined
        (
            V40.replace("AV:N", "AV:X"),
            NotDefinedMandatory {
                version: "4.0",
                metric: "AV",
                value: "X".into(),
            },
            "AV",
        ),
        // 33. 4.0: duplicate threat metric
        (
            format!("{V40}/E:A/E:P"),
            DuplicateMetric {
                version: "4.0",
                metric: "E",
            },
            "E",
        ),
        // 34. 4.0: provider urgency with wrong case
        (
            format!("{V40}/U:red"),
            unknown_value("4.0", "U", "red", "X/Clear/Green/Amber/Red"),
            "red",
        ),
        // 35. 2.0: 3.x vector without prefix is read as 2.0 and refused on its first 3.x metric
        (
            V31.trim_start_matches("CVSS:3.1/").into(),
            UnknownMetric {
                version: "2.0",
                metric: "PR".into(),
            },
            "PR",
        ),
        // 36. 2.0: wrong case of Au
        (
            V2.replace("Au:N", "AU:N"),
            UnknownMetric {
                version: "2.0",
                metric: "AU".into(),
            },
            "AU",
        ),
        // 37. 2.0: missing metric
        (
            V2.replace("/A:P", ""),
            MissingMetric {
                version: "2.0",
                metric: "A",
            },
            "metric A",
        ),
        // 38. 2.0: 3.x value
        (
            V2.replace("C:P", "C:H"),
            unknown_value("2.0", "C", "H", "N/P/C"),
            "metric C",
        ),
        // 39. 2.0: base metric ND
        (
            V2.replace("AV:N", "AV:ND"),
            NotDefinedMandatory {
                version: "2.0",
                metric: "AV",
                value: "ND".into(),
            },
            "AV",
        ),
        // 40. 2.0: duplicate
        (
            format!("{V2}/E:F/E:H"),
            DuplicateMetric {
                version: "2.0",
                metric: "E",
            },
            "E",
        ),
    ]
}

#[test]
fn each_malformed_kind_is_refused_precisely() {
    let cases = cases();
    let mut kinds = std::collections::HashSet::new();
    for (input, want, needle) in &cases {
        let got = err(input);
        assert_eq!(&got, want, "input {input:?}");
        let msg = got.to_string();
        assert!(
            msg.contains(needle),
            "message {msg:?} for {input:?} lacks {needle:?}"
        );
        kinds.insert(std::mem::discriminant(&got));
    }
    eprintln!(
        "{} malformed vectors refused, {} distinct error variants",
        cases.len(),
        kinds.len()
    );
    assert!(cases.len() >= 20);
    assert_eq!(kinds.len(), 11, "every error variant is exercised");
}

#[test]
fn errors_name_the_metric() {
    let e = err(&V31.replace("PR:N", "PR:Z"));
    assert_eq!(e.metric(), Some("PR"));
    assert_eq!(
        e.to_string(),
        "unknown value \"Z\" for metric PR in CVSS 3.1 (allowed: N/L/H)"
    );
    assert_eq!(err(&V31.replace("/UI:N", "")).metric(), Some("UI"));
    assert_eq!(err(&format!("{V40}/FOO:1")).metric(), Some("FOO"));
    assert_eq!(err("").metric(), None);
}

#[test]
fn order_is_lenient_and_normalised() {
    // Any order is accepted (see crate docs) and the normalised vector is in spec order.
    let shuffled = "CVSS:3.1/A:H/I:H/C:H/S:U/UI:N/PR:N/AC:L/AV:N";
    let v: Vector = shuffled.parse().unwrap();
    assert_eq!(v.to_string(), V31);
    assert_eq!(v.scores().base, 9.8);
    let v4: Vector = "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/SC:N/VI:H/SI:N/VA:H/SA:N"
        .parse()
        .unwrap();
    assert_eq!(
        v4.to_string(),
        "CVSS:4.0/AV:N/AC:L/AT:N/PR:L/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N"
    );
    // Explicit Not Defined optional metrics are accepted and dropped from the normal form.
    let v: Vector = format!("{V31}/E:X/MAV:X").parse().unwrap();
    assert_eq!(v.to_string(), V31);
    assert_eq!(v.scores().temporal, None);
}
