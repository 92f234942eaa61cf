//! Timestamps as RFC 3339 text without a calendar dependency.

/// Formats nanoseconds since the Unix epoch as `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` (UTC).
pub fn rfc3339_ns(ts_ns: i64) -> String {
    let secs = ts_ns.div_euclid(1_000_000_000);
    let nanos = ts_ns.rem_euclid(1_000_000_000);
    let days = secs.div_euclid(86_400);
    let sod = secs.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{nanos:09}Z",
        sod / 3600,
        (sod / 60) % 60,
        sod % 60
    )
}

/// Days since 1970-01-01 to a proleptic Gregorian date (H. Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_is_1970() {
        assert_eq!(rfc3339_ns(0), "1970-01-01T00:00:00.000000000Z");
    }

    #[test]
    fn known_instants() {
        // `date -u -d @1700000000` prints Tue Nov 14 22:13:20 UTC 2023.
        assert_eq!(
            rfc3339_ns(1_700_000_000_123_456_789),
            "2023-11-14T22:13:20.123456789Z"
        );
        // 2000-02-29 (leap day): 951782400 s per `date -u -d 2000-02-29 +%s`.
        assert_eq!(
            rfc3339_ns(951_782_400 * 1_000_000_000),
            "2000-02-29T00:00:00.000000000Z"
        );
        // One nanosecond before the epoch.
        assert_eq!(rfc3339_ns(-1), "1969-12-31T23:59:59.999999999Z");
    }
}
