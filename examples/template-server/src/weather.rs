//! `api://weather/{city}/{date}`: an ISO date type and deterministic generated weather.

use std::fmt;
use std::str::FromStr;

use mcp_server::mcp_core::uri_template::{UriTemplate, Value};
use serde::Serialize;

/// The template of the weather resources.
pub(crate) const TEMPLATE: &str = "api://weather/{city}/{date}";

/// The URI of the weather of `city` on `date` (the city percent-encoded as needed).
pub(crate) fn uri(city: &str, date: Date) -> String {
    let template = UriTemplate::parse(TEMPLATE).expect("the template is valid");
    template.expand(|name| match name {
        "city" => Some(Value::from(city)),
        "date" => Some(Value::from(date.to_string())),
        _ => None,
    })
}

/// The cities `city` completes to.
pub(crate) const CITIES: &[&str] = &[
    "Amsterdam",
    "Berlin",
    "Buenos Aires",
    "Cairo",
    "Lisbon",
    "London",
    "Madrid",
    "Nairobi",
    "New York",
    "Paris",
    "Rome",
    "Seoul",
    "Sydney",
    "Tokyo",
    "Toronto",
];

/// A calendar date, written `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Date {
    year: u16,
    month: u8,
    day: u8,
}

/// Why a date did not parse.
#[derive(Debug)]
pub(crate) struct DateError(&'static str);

impl fmt::Display for DateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: expected an ISO date YYYY-MM-DD, such as 2025-01-31",
            self.0
        )
    }
}

impl std::error::Error for DateError {}

fn days_in_month(year: u16, month: u8) -> u8 {
    match month {
        2 if year.is_multiple_of(4) && (!year.is_multiple_of(100) || year.is_multiple_of(400)) => {
            29
        }
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Date {
    /// The date, if it exists.
    pub(crate) fn new(year: u16, month: u8, day: u8) -> Result<Self, DateError> {
        if !(1..=12).contains(&month) {
            return Err(DateError("the month must be 01 to 12"));
        }
        if day == 0 || day > days_in_month(year, month) {
            return Err(DateError("that month has no such day"));
        }
        Ok(Self { year, month, day })
    }
}

impl FromStr for Date {
    type Err = DateError;

    fn from_str(s: &str) -> Result<Self, DateError> {
        let b = s.as_bytes();
        let shape = b.len() == 10
            && b[4] == b'-'
            && b[7] == b'-'
            && b.iter()
                .enumerate()
                .all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
        if !shape {
            return Err(DateError("not a date"));
        }
        let num = |r: std::ops::Range<usize>| s[r].parse::<u16>().unwrap_or(0);
        let month = u8::try_from(num(5..7)).unwrap_or(0);
        let day = u8::try_from(num(8..10)).unwrap_or(0);
        Self::new(num(0..4), month, day)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// The weather of one day in one city.
#[derive(Debug, Serialize)]
pub(crate) struct Weather {
    pub(crate) city: String,
    pub(crate) date: String,
    conditions: &'static str,
    high_c: i32,
    low_c: i32,
    precipitation_mm: u32,
    wind_kmh: u32,
}

/// FNV-1a: a stable hash, so the same city and date always give the same weather.
fn fnv1a(bytes: impl IntoIterator<Item = u8>) -> u64 {
    bytes.into_iter().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

impl Weather {
    /// Generated, but the same for the same city (ignoring case) and date.
    pub(crate) fn generate(city: &str, date: Date) -> Self {
        let key = format!("{}|{date}", city.to_lowercase());
        let h = fnv1a(key.bytes());
        let pick = |shift: u32, n: u64| (h >> shift) % n;
        // Warmer in the northern summer, colder in winter.
        let season = [-4, -3, 1, 6, 11, 15, 18, 17, 13, 7, 2, -2][usize::from(date.month - 1)];
        let high = season + 4 + i32::try_from(pick(0, 12)).unwrap_or(0);
        let low = high - 3 - i32::try_from(pick(8, 8)).unwrap_or(0);
        let conditions = [
            "sunny",
            "partly cloudy",
            "cloudy",
            "rain",
            "showers",
            "windy",
            "fog",
            "snow",
        ][usize::try_from(pick(16, 8)).unwrap_or(0)];
        let precipitation_mm = match conditions {
            "rain" | "showers" | "snow" => 1 + u32::try_from(pick(24, 20)).unwrap_or(0),
            _ => 0,
        };
        Self {
            city: city.to_owned(),
            date: date.to_string(),
            conditions,
            high_c: high,
            low_c: low,
            precipitation_mm,
            wind_kmh: 5 + u32::try_from(pick(32, 40)).unwrap_or(0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_strictly() {
        assert_eq!(
            "2024-02-29".parse::<Date>().unwrap().to_string(),
            "2024-02-29"
        );
        for bad in [
            "2023-02-29",
            "2025-13-01",
            "2025-00-10",
            "2025-1-01",
            "20250101",
            "tomorrow",
            "2025-01-32",
            "+025-01-01",
        ] {
            assert!(bad.parse::<Date>().is_err(), "{bad}");
        }
    }

    #[test]
    fn uris_are_encoded() {
        let d: Date = "2025-07-14".parse().unwrap();
        assert_eq!(uri("New York", d), "api://weather/New%20York/2025-07-14");
    }

    #[test]
    fn weather_is_deterministic() {
        let d: Date = "2025-07-14".parse().unwrap();
        let a = serde_json::to_string(&Weather::generate("Paris", d)).unwrap();
        let b = serde_json::to_string(&Weather::generate("paris", d)).unwrap();
        assert_eq!(
            a.replace("\"paris\"", "\"Paris\""),
            b.replace("\"paris\"", "\"Paris\"")
        );
    }
}
