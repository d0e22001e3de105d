//! Calendar dates of the format (`accepted`, `expires`, `due`) and of
//! `--date`: ISO `YYYY-MM-DD`, checked and compared with `jiff`.

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Serialize, Serializer};
use std::borrow::Cow;
use std::fmt;

/// A calendar day, written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(jiff::civil::Date);

impl Date {
    /// Parses a real calendar date written `YYYY-MM-DD`; the error says what
    /// is wrong (the shape, the month, or the day of that month).
    pub fn parse(s: &str) -> Result<Date, String> {
        let b = s.as_bytes();
        let shaped = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shaped {
            return Err("expected a date written YYYY-MM-DD".into());
        }
        let num = |r: std::ops::Range<usize>| s[r].parse::<i16>().unwrap_or(0);
        let (y, m, d) = (num(0..4), num(5..7), num(8..10));
        if !(1..=12).contains(&m) {
            return Err(format!("there is no month {m:02} (months are 01 to 12)"));
        }
        let first = jiff::civil::Date::new(y, m as i8, 1).map_err(|e| e.to_string())?;
        let days = first.days_in_month();
        if !(1..=i16::from(days)).contains(&d) {
            return Err(format!(
                "{y:04}-{m:02} has no day {d:02} (it has {days} days)"
            ));
        }
        jiff::civil::Date::new(y, m as i8, d as i8)
            .map(Date)
            .map_err(|e| e.to_string())
    }

    /// Today in UTC, from the clock: the default "today" of the commands
    /// that count days, when no `--date` is given.
    pub fn today_utc() -> Date {
        Date(
            jiff::tz::TimeZone::UTC
                .to_datetime(jiff::Timestamp::now())
                .date(),
        )
    }

    /// The UTC calendar day of a Unix time in seconds (a commit's time,
    /// `SOURCE_DATE_EPOCH`); None outside the years 1 to 9999.
    pub fn from_unix_seconds(secs: i64) -> Option<Date> {
        let t = jiff::Timestamp::from_second(secs).ok()?;
        Some(Date(jiff::tz::TimeZone::UTC.to_datetime(t).date()))
    }

    /// Days from `self` to `later` (negative when `later` is before).
    pub fn days_until(self, later: Date) -> i64 {
        self.0
            .until((jiff::Unit::Day, later.0))
            .map(|s| i64::from(s.get_days()))
            .unwrap_or(0)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02}",
            self.0.year(),
            self.0.month(),
            self.0.day()
        )
    }
}

impl std::str::FromStr for Date {
    type Err = String;
    fn from_str(s: &str) -> Result<Date, String> {
        Date::parse(s)
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl JsonSchema for Date {
    fn schema_name() -> Cow<'static, str> {
        "Date".into()
    }
    fn inline_schema() -> bool {
        true
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "format": "date",
            "pattern": r"^\d{4}-\d{2}-\d{2}$",
            "description": "A calendar date, YYYY-MM-DD."
        })
    }
}

/// Parses a number of days: `30d` or `30` (`--expiring-within`,
/// `--fail-on expiring:30d`).
pub fn parse_days(s: &str) -> Result<u32, String> {
    let t = s.trim();
    let n = t.strip_suffix('d').unwrap_or(t);
    n.parse::<u32>()
        .ok()
        .filter(|&n| n <= 36_600)
        .ok_or_else(|| format!("expected a number of days such as `30d`, not `{s}`"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_strictly_and_count_days() {
        let d = Date::parse("2024-02-29").expect("leap day");
        assert_eq!(d.to_string(), "2024-02-29");
        assert!(
            Date::parse("2023-02-29")
                .unwrap_err()
                .contains("has no day 29")
        );
        assert!(
            Date::parse("2023-13-01")
                .unwrap_err()
                .contains("no month 13")
        );
        assert!(Date::parse("2023-1-01").unwrap_err().contains("YYYY-MM-DD"));
        assert!(Date::parse("20230101").is_err());
        let a = Date::parse("2026-01-01").expect("date");
        let b = Date::parse("2026-03-01").expect("date");
        assert_eq!(a.days_until(b), 59);
        assert_eq!(b.days_until(a), -59);
        assert!(a < b);
    }

    #[test]
    fn days_are_written_with_an_optional_d() {
        assert_eq!(parse_days("30d"), Ok(30));
        assert_eq!(parse_days("7"), Ok(7));
        assert!(parse_days("30w").is_err());
        assert!(parse_days("-1d").is_err());
    }
}
