//! The XML Schema value types metadata attributes use: `xs:dateTime`
//! (`validUntil`), `xs:duration` (`cacheDuration`) and `xs:boolean`.

use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, Utc};

use crate::error::{Error, ErrorKind, Result};

fn invalid(detail: String) -> Error {
    Error::new(ErrorKind::MetadataInvalid, detail)
}

/// An `xs:dateTime`. SAML requires UTC (`Z`); an explicit offset is converted,
/// and a value without any zone is read as UTC.
pub(super) fn date_time(attr: &str, value: &str) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Ok(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(value, "%Y-%m-%dT%H:%M:%S%.f")
        .map(|t| t.and_utc())
        .map_err(|_| invalid(format!("{attr} {value:?} is not an xs:dateTime")))
}

/// An `xs:boolean`: `true`, `false`, `1` or `0`.
pub(super) fn boolean(attr: &str, value: &str) -> Result<bool> {
    match value {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(invalid(format!("{attr} {value:?} is not an xs:boolean"))),
    }
}

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// A non-negative `xs:duration` such as `PT1H`, `P1D` or `P1Y2M3DT4H5M6.5S`.
/// A year counts as 365 days and a month as 30 days (a cache duration has no
/// calendar to anchor it). Negative durations are refused.
pub(super) fn duration(attr: &str, value: &str) -> Result<Duration> {
    let bad = || {
        invalid(format!(
            "{attr} {value:?} is not a non-negative xs:duration"
        ))
    };
    let rest = value.strip_prefix('P').ok_or_else(bad)?;
    let (date, time) = match rest.split_once('T') {
        Some((date, time)) if !time.is_empty() => (date, Some(time)),
        Some(_) => return Err(bad()),
        None => (rest, None),
    };
    let mut seconds: u64 = 0;
    let mut nanos: u32 = 0;
    let mut any = false;
    for (is_time, part, units) in [
        (
            false,
            date,
            &[('Y', 365 * DAY), ('M', 30 * DAY), ('D', DAY)][..],
        ),
        (
            true,
            time.unwrap_or_default(),
            &[('H', HOUR), ('M', MINUTE)][..],
        ),
    ] {
        let mut rest = part;
        for &(designator, unit) in units {
            let Some((number, after)) = rest.split_once(designator) else {
                continue;
            };
            let n = digits(number).ok_or_else(bad)?;
            seconds = n
                .checked_mul(unit)
                .and_then(|s| seconds.checked_add(s))
                .ok_or_else(bad)?;
            rest = after;
            any = true;
        }
        if !is_time && !rest.is_empty() {
            return Err(bad());
        }
        if is_time && !rest.is_empty() {
            // Only seconds may remain: "6S" or "6.5S".
            let number = rest.strip_suffix('S').ok_or_else(bad)?;
            let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
            seconds = digits(whole)
                .and_then(|s| seconds.checked_add(s))
                .ok_or_else(bad)?;
            if !fraction.is_empty() {
                if !fraction.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                let mut padded: String = fraction.chars().take(9).collect();
                while padded.len() < 9 {
                    padded.push('0');
                }
                nanos = padded.parse().map_err(|_| bad())?;
            } else if number.contains('.') {
                return Err(bad());
            }
            any = true;
        }
    }
    if !any {
        return Err(bad());
    }
    Ok(Duration::new(seconds, nanos))
}

/// A run of ASCII digits (at least one) as a number.
fn digits(text: &str) -> Option<u64> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let d = |s: &str| duration("cacheDuration", s).map(|d| (d.as_secs(), d.subsec_nanos()));
        assert_eq!(d("PT1H"), Ok((3600, 0)));
        assert_eq!(d("P1D"), Ok((86_400, 0)));
        assert_eq!(d("PT5M"), Ok((300, 0)));
        assert_eq!(d("PT0S"), Ok((0, 0)));
        assert_eq!(d("PT1.5S"), Ok((1, 500_000_000)));
        assert_eq!(d("P1M"), Ok((30 * 86_400, 0)));
        assert_eq!(
            d("P1Y2M3DT4H5M6S"),
            Ok((
                365 * 86_400 + 60 * 86_400 + 3 * 86_400 + 4 * 3600 + 5 * 60 + 6,
                0
            ))
        );
        for bad in [
            "",
            "P",
            "PT",
            "-PT1H",
            "PT1H5",
            "P1H",
            "PT1D",
            "P1DT",
            "1D",
            "PTS",
            "PT1.S",
            "PT.5S",
            "P1.5D",
            "PT1H1H",
            "P99999999999999999999D",
            "PT1HM",
            "P1M1Y",
            "pt1h",
        ] {
            let err = duration("cacheDuration", bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::MetadataInvalid, "{bad:?}");
        }
    }

    #[test]
    fn date_times() {
        let t = |s: &str| date_time("validUntil", s).map(|t| t.to_rfc3339());
        assert_eq!(
            t("2027-07-20T09:18:00.000Z"),
            Ok("2027-07-20T09:18:00+00:00".into())
        );
        assert_eq!(
            t("2027-07-20T11:18:00+02:00"),
            Ok("2027-07-20T09:18:00+00:00".into())
        );
        assert_eq!(
            t("2027-07-20T09:18:00"),
            Ok("2027-07-20T09:18:00+00:00".into())
        );
        for bad in ["", "tomorrow", "2027-07-20", "2027-13-01T00:00:00Z"] {
            assert_eq!(
                date_time("validUntil", bad).unwrap_err().kind(),
                ErrorKind::MetadataInvalid
            );
        }
    }

    #[test]
    fn booleans() {
        assert_eq!(boolean("a", "true"), Ok(true));
        assert_eq!(boolean("a", "1"), Ok(true));
        assert_eq!(boolean("a", "0"), Ok(false));
        assert!(boolean("a", "yes").is_err());
        assert!(boolean("a", "TRUE").is_err());
    }
}
