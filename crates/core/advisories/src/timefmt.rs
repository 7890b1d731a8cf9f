//! Lenient timestamp parsing for the many ISO-8601 spellings the feeds use.
//!
//! Accepted: `YYYY-MM-DD`, optionally followed by `T` or a space, `HH:MM[:SS[.fraction]]`,
//! and optionally `Z`, `±HH:MM`, `±HHMM` or `±HH`. A missing offset means UTC
//! (NVD API 2.0 writes local-less timestamps that are UTC).

use time::{Date, Month, OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

fn num(s: &[u8]) -> Option<u32> {
    if s.is_empty() || !s.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut n: u32 = 0;
    for &c in s {
        n = n.checked_mul(10)?.checked_add(u32::from(c - b'0'))?;
    }
    Some(n)
}

/// Parse a timestamp; `None` when it is not recognisable.
pub fn parse_timestamp(input: &str) -> Option<OffsetDateTime> {
    let s = input.trim().as_bytes();
    if s.len() < 10 || s[4] != b'-' || s[7] != b'-' {
        return None;
    }
    let year = num(&s[0..4])? as i32;
    let month = Month::try_from(u8::try_from(num(&s[5..7])?).ok()?).ok()?;
    let day = u8::try_from(num(&s[8..10])?).ok()?;
    let date = Date::from_calendar_date(year, month, day).ok()?;
    let mut rest = &s[10..];
    if rest.is_empty() {
        return Some(PrimitiveDateTime::new(date, Time::MIDNIGHT).assume_utc());
    }
    if rest[0] != b'T' && rest[0] != b't' && rest[0] != b' ' {
        return None;
    }
    rest = &rest[1..];
    if rest.len() < 5 || rest[2] != b':' {
        return None;
    }
    let hour = u8::try_from(num(&rest[0..2])?).ok()?;
    let minute = u8::try_from(num(&rest[3..5])?).ok()?;
    rest = &rest[5..];
    let mut second = 0u8;
    let mut nanos = 0u32;
    if rest.first() == Some(&b':') {
        if rest.len() < 3 {
            return None;
        }
        second = u8::try_from(num(&rest[1..3])?).ok()?;
        rest = &rest[3..];
        if rest.first() == Some(&b'.') || rest.first() == Some(&b',') {
            let end = rest[1..]
                .iter()
                .position(|c| !c.is_ascii_digit())
                .map_or(rest.len(), |p| p + 1);
            let frac = &rest[1..end];
            if frac.is_empty() {
                return None;
            }
            let mut n = 0u32;
            for (i, &c) in frac.iter().take(9).enumerate() {
                n += u32::from(c - b'0') * 10u32.pow(8 - i as u32);
            }
            nanos = n;
            rest = &rest[end..];
        }
    }
    // Leap second 60 is clamped rather than rejected.
    let time = Time::from_hms_nano(hour, minute, second.min(59), nanos).ok()?;
    let pdt = PrimitiveDateTime::new(date, time);
    let rest = std::str::from_utf8(rest).ok()?.trim();
    if rest.is_empty() || rest == "Z" || rest == "z" {
        return Some(pdt.assume_utc());
    }
    let (sign, digits) = match rest.as_bytes()[0] {
        b'+' => (1i8, &rest[1..]),
        b'-' => (-1i8, &rest[1..]),
        _ => return None,
    };
    let digits: String = digits.chars().filter(|c| *c != ':').collect();
    let (h, m) = match digits.len() {
        2 => (num(digits.as_bytes())?, 0),
        4 => (num(&digits.as_bytes()[..2])?, num(&digits.as_bytes()[2..])?),
        _ => return None,
    };
    let off = UtcOffset::from_hms(
        sign * i8::try_from(h).ok()?,
        sign * i8::try_from(m).ok()?,
        0,
    )
    .ok()?;
    Some(pdt.assume_offset(off))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        for s in [
            "2023-10-18T16:15:09.853",
            "2016-05-02T10:59Z",
            "2024-07-18T18:52:05.976Z",
            "2024-10-24T06:00:00.000000Z",
            "2025-08-25T17:04:19.9796Z",
            "2025-08-25",
            "2025-08-16T00:00:00+0000",
            "2021-09-08T19:42:36+00:00",
            "2021-09-08 19:42:36",
        ] {
            assert!(parse_timestamp(s).is_some(), "{s}");
        }
        let t = parse_timestamp("2025-08-16T02:00:00+02:00").unwrap();
        assert_eq!(
            t.unix_timestamp(),
            parse_timestamp("2025-08-16").unwrap().unix_timestamp()
        );
        for s in [
            "",
            "2025",
            "2025-13-01",
            "2025-02-30",
            "2025-08-16T25:00",
            "x025-08-16",
            "2025-08-16Tab:cd",
        ] {
            assert!(parse_timestamp(s).is_none(), "{s}");
        }
    }
}
