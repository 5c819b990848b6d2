//! Japanese era dates (和暦), converted by day.
//!
//! Domain brief (b), dates row, and check #30: Japanese paper certificates date things by era
//! (令和6年4月1日), the era changes **on a day**, not at a year boundary, and the wire format
//! of both profiles is the Gregorian `full-date`. Conversion therefore happens at the issuer,
//! and this module is the conversion, with test vectors at every era boundary.
//!
//! # Eras supported
//!
//! | Era | First day | Last day | Gregorian year of 元年 |
//! |---|---|---|---|
//! | 明治 Meiji | 1868-01-25 (conversion supported from 1873-01-01 only) | 1912-07-30 | 1868 |
//! | 大正 Taishō | 1912-07-30 | 1926-12-25 | 1912 |
//! | 昭和 Shōwa | 1926-12-25 | 1989-01-07 | 1926 |
//! | 平成 Heisei | 1989-01-08 | 2019-04-30 | 1989 |
//! | 令和 Reiwa | 2019-05-01 | (current) | 2019 |
//!
//! - **Transition days.** The Taishō and Shōwa eras began on the day the previous emperor died
//!   (1912-07-30 and 1926-12-25), so documents of that day carry either name: 明治45年7月30日
//!   and 大正元年7月30日 are the same day, as are 大正15年12月25日 and 昭和元年12月25日.
//!   [`to_gregorian`] accepts both; [`from_gregorian`] gives the new era. Heisei and Reiwa
//!   began on the day after the previous era ended, so 昭和64年1月8日 and 平成31年5月1日 do not
//!   exist and are rejected.
//! - **Before 1873.** Japan used the lunisolar calendar until 明治5年12月2日; the next day was
//!   明治6年1月1日 = 1873-01-01. Earlier Meiji dates are not Gregorian month/day pairs, so they
//!   are refused ([`EraError::Lunisolar`]) rather than converted wrongly.
//! - **元年.** The first year of an era is written 元年 and is year 1.
//!
//! [`parse`] recognises the written forms met on certificates and in registers: 令和6年4月1日,
//! 令和元年5月1日, full-width digits (令和６年４月１日), kanji numerals (令和六年四月一日), the
//! one-character era symbols (㋿ U+32FF, ㍻ ㍼ ㍽ ㍾), romanised names (Reiwa 6.4.1) and the
//! initial-letter forms (R6.4.1, H31/4/30, S64-1-7).

use std::fmt;

use serde::Serialize;
use time::macros::date;
use time::{Date, Month};
use unicode_normalization::UnicodeNormalization;

/// A Japanese era (元号) of the modern calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Era {
    Meiji,
    Taisho,
    Showa,
    Heisei,
    Reiwa,
}

/// The first day on which Meiji dates are Gregorian (明治6年1月1日).
pub const SOLAR_CALENDAR_FROM: Date = date!(1873 - 01 - 01);

impl Era {
    /// Oldest first.
    pub const ALL: [Era; 5] = [Era::Meiji, Era::Taisho, Era::Showa, Era::Heisei, Era::Reiwa];

    /// The era name in kanji, e.g. `令和`.
    pub fn name_ja(self) -> &'static str {
        match self {
            Era::Meiji => "明治",
            Era::Taisho => "大正",
            Era::Showa => "昭和",
            Era::Heisei => "平成",
            Era::Reiwa => "令和",
        }
    }

    /// The era name in Hepburn with macrons, e.g. `Shōwa`.
    pub fn name_en(self) -> &'static str {
        match self {
            Era::Meiji => "Meiji",
            Era::Taisho => "Taishō",
            Era::Showa => "Shōwa",
            Era::Heisei => "Heisei",
            Era::Reiwa => "Reiwa",
        }
    }

    /// The initial used in abbreviated dates such as `R6.4.1`.
    pub fn initial(self) -> char {
        match self {
            Era::Meiji => 'M',
            Era::Taisho => 'T',
            Era::Showa => 'S',
            Era::Heisei => 'H',
            Era::Reiwa => 'R',
        }
    }

    /// The first day of the era.
    pub fn first_day(self) -> Date {
        match self {
            Era::Meiji => date!(1868 - 01 - 25),
            Era::Taisho => date!(1912 - 07 - 30),
            Era::Showa => date!(1926 - 12 - 25),
            Era::Heisei => date!(1989 - 01 - 08),
            Era::Reiwa => date!(2019 - 05 - 01),
        }
    }

    /// The last day a date may carry this era's name (inclusive); `None` for the current era.
    /// For Meiji and Taishō this is the transition day, which also begins the next era.
    pub fn last_day(self) -> Option<Date> {
        match self {
            Era::Meiji => Some(date!(1912 - 07 - 30)),
            Era::Taisho => Some(date!(1926 - 12 - 25)),
            Era::Showa => Some(date!(1989 - 01 - 07)),
            Era::Heisei => Some(date!(2019 - 04 - 30)),
            Era::Reiwa => None,
        }
    }

    /// Gregorian year = era year + offset.
    fn offset(self) -> i32 {
        match self {
            Era::Meiji => 1867,
            Era::Taisho => 1911,
            Era::Showa => 1925,
            Era::Heisei => 1988,
            Era::Reiwa => 2018,
        }
    }
}

impl fmt::Display for Era {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name_ja())
    }
}

/// Writes an era year as on paper: 1 is 元.
fn era_year(year: u32) -> String {
    if year == 1 {
        "元".to_owned()
    } else {
        year.to_string()
    }
}

/// Why an era date cannot be converted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EraError {
    #[error("{era}0年 does not exist: the first year of an era is 元年 (year 1)")]
    YearZero { era: Era },
    #[error("{era}{}年{month}月{day}日 is not a calendar date", era_year(*year))]
    NotACalendarDate {
        era: Era,
        year: u32,
        month: u8,
        day: u8,
    },
    #[error(
        "{era}{}年{month}月{day}日 would be {gregorian}, outside the {era} era ({} to {})",
        era_year(*year),
        era.first_day(),
        era.last_day().map_or_else(|| "today".to_owned(), |d| d.to_string())
    )]
    OutsideEra {
        era: Era,
        year: u32,
        month: u8,
        day: u8,
        gregorian: Date,
    },
    #[error(
        "明治{}年 is before 1873-01-01, when Japan still used the lunisolar calendar; its month and day are not Gregorian and Accord does not convert them",
        era_year(*year)
    )]
    Lunisolar { year: u32 },
    #[error("{0} is before the Meiji era (1868-01-25)")]
    BeforeMeiji(Date),
    #[error("{0} is before 1873-01-01, when Japan still used the lunisolar calendar")]
    BeforeSolarCalendar(Date),
    #[error(
        "`{0}` names a Japanese era but is not a full era date (era, year, month, day); note that a 年度 (academic year) is not a date"
    )]
    Malformed(String),
}

/// Converts an era date to the Gregorian calendar, by day.
///
/// `year` 1 is 元年. A date outside the era is rejected (平成31年5月1日 does not exist: that
/// day is 令和元年5月1日), except on the two transition days, see the module docs.
pub fn to_gregorian(era: Era, year: u32, month: u8, day: u8) -> Result<Date, EraError> {
    if year == 0 {
        return Err(EraError::YearZero { era });
    }
    if era == Era::Meiji && year < 6 {
        return Err(EraError::Lunisolar { year });
    }
    let not_a_date = EraError::NotACalendarDate {
        era,
        year,
        month,
        day,
    };
    // No era is longer than 64 years so far; anything past four-digit years is not a date.
    let Some(g_year) = i32::try_from(year)
        .ok()
        .and_then(|y| y.checked_add(era.offset()))
        .filter(|y| *y <= 9999)
    else {
        return Err(not_a_date);
    };
    let Ok(m) = Month::try_from(month) else {
        return Err(not_a_date);
    };
    let Ok(gregorian) = Date::from_calendar_date(g_year, m, day) else {
        return Err(not_a_date);
    };
    let before = gregorian < era.first_day();
    let after = era.last_day().is_some_and(|last| gregorian > last);
    if before || after {
        return Err(EraError::OutsideEra {
            era,
            year,
            month,
            day,
            gregorian,
        });
    }
    Ok(gregorian)
}

/// Converts a Gregorian date to its era date `(era, year, month, day)`; year 1 is 元年.
///
/// On a transition day the new era is returned. Dates before 1873-01-01 are refused: the
/// calendar then was lunisolar, so no era month/day can be given for them.
pub fn from_gregorian(date: Date) -> Result<(Era, u32, u8, u8), EraError> {
    if date < Era::Meiji.first_day() {
        return Err(EraError::BeforeMeiji(date));
    }
    if date < SOLAR_CALENDAR_FROM {
        return Err(EraError::BeforeSolarCalendar(date));
    }
    let era = Era::ALL
        .iter()
        .rev()
        .copied()
        .find(|e| e.first_day() <= date)
        .unwrap_or(Era::Meiji);
    // Non-negative: the era's first day is on or before `date`.
    let year = u32::try_from(date.year() - era.offset()).unwrap_or(0);
    Ok((era, year, u8::from(date.month()), date.day()))
}

/// Formats a Gregorian date as a Japanese era date, e.g. `令和元年5月1日`.
pub fn format_ja(date: Date) -> Result<String, EraError> {
    let (era, year, month, day) = from_gregorian(date)?;
    Ok(format!("{era}{}年{month}月{day}日", era_year(year)))
}

/// Era names as written in kanji and in Latin letters (lower case, after NFKC).
const ERA_NAMES: &[(&str, Era)] = &[
    ("明治", Era::Meiji),
    ("大正", Era::Taisho),
    ("昭和", Era::Showa),
    ("平成", Era::Heisei),
    ("令和", Era::Reiwa),
    ("meiji", Era::Meiji),
    ("taishō", Era::Taisho),
    ("taishou", Era::Taisho),
    ("taisho", Era::Taisho),
    ("shōwa", Era::Showa),
    ("shouwa", Era::Showa),
    ("showa", Era::Showa),
    ("heisei", Era::Heisei),
    ("reiwa", Era::Reiwa),
];

/// Recognises a Japanese era date.
///
/// Returns `None` when `text` is not written as an era date at all, `Some(Ok(date))` with
/// the Gregorian date when it is one, and `Some(Err(_))` when it names an era but is not a
/// convertible date (a date outside its era, 令和6年度, a pre-1873 Meiji date…).
///
/// The text is read after NFKC, so full-width digits and letters and the square era symbols
/// (㋿ → 令和, ㍻ → 平成) need no special handling.
pub fn parse(text: &str) -> Option<Result<Date, EraError>> {
    let norm: String = text.nfkc().collect();
    let norm = norm.trim();
    let lower = norm.to_lowercase();
    for (name, era) in ERA_NAMES {
        if let Some(rest) = lower.strip_prefix(name) {
            // A romanised name must not run on into another word ("Meijidai…").
            if name.is_ascii() && rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
                continue;
            }
            return Some(match parse_ymd(rest) {
                Some((y, m, d)) => convert(*era, y, m, d, text),
                None => Err(EraError::Malformed(text.to_owned())),
            });
        }
    }
    // Initial-letter forms: R6.4.1, H31/4/30, r01-05-01. The letter must be followed by a
    // year at once, or this would read ordinary words.
    let mut chars = lower.chars();
    let first = chars.next()?;
    let era = Era::ALL
        .iter()
        .copied()
        .find(|e| e.initial().to_ascii_lowercase() == first)?;
    let rest = chars.as_str();
    if !rest.starts_with(|c: char| c.is_ascii_digit() || c == '元') {
        return None;
    }
    let (y, m, d) = parse_ymd(rest)?;
    Some(convert(era, y, m, d, text))
}

/// True when `text` contains an era name, an era symbol or starts like `R6.`: a date claim
/// holding such text is an era date even when [`parse`] cannot read all of it.
pub fn contains_era_marker(text: &str) -> bool {
    if parse(text).is_some() {
        return true;
    }
    let norm: String = text.nfkc().collect::<String>().to_lowercase();
    ERA_NAMES[..5].iter().any(|(name, _)| norm.contains(name))
}

fn convert(era: Era, year: u32, month: u32, day: u32, text: &str) -> Result<Date, EraError> {
    match (u8::try_from(month), u8::try_from(day)) {
        (Ok(m), Ok(d)) => to_gregorian(era, year, m, d),
        _ => Err(EraError::Malformed(text.to_owned())),
    }
}

/// Reads `<year><sep><month><sep><day>[日]` where the year may be 元, numbers are ASCII or
/// kanji numerals, and separators are 年/月, `.`, `/` or `-`. Whitespace between parts is
/// allowed. The whole input must be consumed.
fn parse_ymd(rest: &str) -> Option<(u32, u32, u32)> {
    let mut cur = Cursor { s: rest };
    cur.skip_ws();
    let year = if cur.eat('元') { 1 } else { cur.number()? };
    cur.skip_ws();
    if !(cur.eat('年') || cur.eat('.') || cur.eat('/') || cur.eat('-')) {
        return None;
    }
    cur.skip_ws();
    let month = cur.number()?;
    cur.skip_ws();
    if !(cur.eat('月') || cur.eat('.') || cur.eat('/') || cur.eat('-')) {
        return None;
    }
    cur.skip_ws();
    let day = cur.number()?;
    cur.skip_ws();
    cur.eat('日');
    cur.skip_ws();
    cur.s.is_empty().then_some((year, month, day))
}

struct Cursor<'a> {
    s: &'a str,
}

impl Cursor<'_> {
    fn skip_ws(&mut self) {
        self.s = self.s.trim_start();
    }

    fn eat(&mut self, c: char) -> bool {
        match self.s.strip_prefix(c) {
            Some(rest) => {
                self.s = rest;
                true
            }
            None => false,
        }
    }

    /// ASCII digits, or kanji numerals (〇一二…九 and 十, e.g. 三十一, 二〇).
    fn number(&mut self) -> Option<u32> {
        let ascii_len = self.s.bytes().take_while(u8::is_ascii_digit).count();
        if ascii_len > 0 {
            if ascii_len > 4 {
                return None;
            }
            let n = self.s[..ascii_len].parse().ok()?;
            self.s = &self.s[ascii_len..];
            return Some(n);
        }
        let kanji: String = self.s.chars().take_while(|c| is_kanji_digit(*c)).collect();
        if kanji.is_empty() {
            return None;
        }
        self.s = &self.s[kanji.len()..];
        kanji_number(&kanji)
    }
}

fn is_kanji_digit(c: char) -> bool {
    kanji_digit(c).is_some() || c == '十'
}

fn kanji_digit(c: char) -> Option<u32> {
    Some(match c {
        '〇' | '零' => 0,
        '一' => 1,
        '二' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

/// 十 = 10, 十五 = 15, 三十一 = 31; without 十 the digits are positional (二〇 = 20).
fn kanji_number(s: &str) -> Option<u32> {
    let chars: Vec<char> = s.chars().collect();
    match chars.iter().position(|c| *c == '十') {
        Some(pos) => {
            if pos > 1 || chars.len() > pos + 2 {
                return None;
            }
            let tens = match pos {
                0 => 1,
                _ => kanji_digit(chars[0])?,
            };
            let units = match chars.get(pos + 1) {
                Some(c) => kanji_digit(*c)?,
                None => 0,
            };
            Some(tens * 10 + units)
        }
        None => {
            if chars.len() > 4 {
                return None;
            }
            chars
                .iter()
                .try_fold(0u32, |acc, c| Some(acc * 10 + kanji_digit(*c)?))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g(era: Era, y: u32, m: u8, d: u8) -> Date {
        to_gregorian(era, y, m, d).unwrap()
    }

    #[test]
    fn domain_vectors() {
        // Domain check #30: 平成31-04-30 → 2019-04-30; 令和元-05-01 → 2019-05-01.
        assert_eq!(g(Era::Heisei, 31, 4, 30), date!(2019 - 04 - 30));
        assert_eq!(g(Era::Reiwa, 1, 5, 1), date!(2019 - 05 - 01));
        assert_eq!(parse("平成31年4月30日"), Some(Ok(date!(2019 - 04 - 30))));
        assert_eq!(parse("令和元年5月1日"), Some(Ok(date!(2019 - 05 - 01))));
    }

    /// Every boundary, both directions: the last day of each era and the first of the next.
    #[test]
    fn boundaries_both_directions() {
        let vectors: &[(Era, u32, u8, u8, Date)] = &[
            // Meiji → Taishō (transition day 1912-07-30)
            (Era::Meiji, 45, 7, 29, date!(1912 - 07 - 29)),
            (Era::Taisho, 1, 7, 30, date!(1912 - 07 - 30)),
            // Taishō → Shōwa (transition day 1926-12-25)
            (Era::Taisho, 15, 12, 24, date!(1926 - 12 - 24)),
            (Era::Showa, 1, 12, 25, date!(1926 - 12 - 25)),
            // Shōwa → Heisei
            (Era::Showa, 64, 1, 7, date!(1989 - 01 - 07)),
            (Era::Heisei, 1, 1, 8, date!(1989 - 01 - 08)),
            // Heisei → Reiwa
            (Era::Heisei, 31, 4, 30, date!(2019 - 04 - 30)),
            (Era::Reiwa, 1, 5, 1, date!(2019 - 05 - 01)),
            // Start of the solar calendar
            (Era::Meiji, 6, 1, 1, date!(1873 - 01 - 01)),
        ];
        for &(era, y, m, d, greg) in vectors {
            assert_eq!(to_gregorian(era, y, m, d), Ok(greg), "{era}{y}年{m}月{d}日");
            assert_eq!(from_gregorian(greg), Ok((era, y, m, d)), "{greg}");
        }
    }

    #[test]
    fn transition_days_accept_both_names() {
        assert_eq!(g(Era::Meiji, 45, 7, 30), date!(1912 - 07 - 30));
        assert_eq!(g(Era::Taisho, 15, 12, 25), date!(1926 - 12 - 25));
        // …but not the day after.
        assert!(matches!(
            to_gregorian(Era::Meiji, 45, 7, 31),
            Err(EraError::OutsideEra { .. })
        ));
        assert!(matches!(
            to_gregorian(Era::Taisho, 15, 12, 26),
            Err(EraError::OutsideEra { .. })
        ));
        assert_eq!(
            from_gregorian(date!(1926 - 12 - 25)),
            Ok((Era::Showa, 1, 12, 25))
        );
    }

    #[test]
    fn dates_outside_their_era_are_rejected() {
        for (era, y, m, d) in [
            (Era::Heisei, 31, 5, 1),
            (Era::Showa, 64, 1, 8),
            (Era::Reiwa, 1, 4, 30),
            (Era::Heisei, 1, 1, 7),
            (Era::Taisho, 1, 7, 29),
            (Era::Showa, 1, 12, 24),
            (Era::Heisei, 32, 1, 1),
        ] {
            let r = to_gregorian(era, y, m, d);
            assert!(
                matches!(r, Err(EraError::OutsideEra { .. })),
                "{era}{y}年{m}月{d}日 gave {r:?}"
            );
        }
    }

    #[test]
    fn gannen_and_calendar_errors() {
        assert_eq!(g(Era::Heisei, 1, 12, 31), date!(1989 - 12 - 31));
        assert_eq!(
            to_gregorian(Era::Reiwa, 0, 5, 1),
            Err(EraError::YearZero { era: Era::Reiwa })
        );
        assert!(matches!(
            to_gregorian(Era::Reiwa, 5, 2, 29),
            Err(EraError::NotACalendarDate { .. })
        ));
        // 令和6年 = 2024, a leap year.
        assert_eq!(g(Era::Reiwa, 6, 2, 29), date!(2024 - 02 - 29));
        assert!(matches!(
            to_gregorian(Era::Reiwa, 6, 13, 1),
            Err(EraError::NotACalendarDate { .. })
        ));
        assert!(matches!(
            to_gregorian(Era::Reiwa, u32::MAX, 1, 1),
            Err(EraError::NotACalendarDate { .. })
        ));
        assert_eq!(
            to_gregorian(Era::Meiji, 5, 12, 2),
            Err(EraError::Lunisolar { year: 5 })
        );
        assert!(matches!(
            from_gregorian(date!(1870 - 06 - 01)),
            Err(EraError::BeforeSolarCalendar(_))
        ));
        assert!(matches!(
            from_gregorian(date!(1850 - 06 - 01)),
            Err(EraError::BeforeMeiji(_))
        ));
    }

    #[test]
    fn round_trip_every_day_around_boundaries() {
        for era in Era::ALL {
            let first = era.first_day().max(SOLAR_CALENDAR_FROM);
            let mut d = first - time::Duration::days(3);
            for _ in 0..7 {
                if d >= SOLAR_CALENDAR_FROM {
                    let (e, y, m, dd) = from_gregorian(d).unwrap();
                    assert_eq!(to_gregorian(e, y, m, dd), Ok(d));
                }
                d = d.next_day().unwrap();
            }
        }
    }

    #[test]
    fn written_forms() {
        let want = date!(2024 - 04 - 01);
        for text in [
            "令和6年4月1日",
            "令和６年４月１日",
            "令和 6 年 4 月 1 日",
            "令和六年四月一日",
            "㋿6年4月1日",
            "R6.4.1",
            "R06.04.01",
            "r6/4/1",
            "Ｒ６．４．１",
            "R6年4月1日",
            "Reiwa 6.4.1",
            "令和6.4.1",
        ] {
            assert_eq!(parse(text), Some(Ok(want)), "{text}");
        }
        assert_eq!(parse("H31/4/30"), Some(Ok(date!(2019 - 04 - 30))));
        assert_eq!(parse("㍻31年4月30日"), Some(Ok(date!(2019 - 04 - 30))));
        assert_eq!(parse("S64-1-7"), Some(Ok(date!(1989 - 01 - 07))));
        assert_eq!(
            parse("昭和六十四年一月七日"),
            Some(Ok(date!(1989 - 01 - 07)))
        );
        assert_eq!(parse("平成元年1月8日"), Some(Ok(date!(1989 - 01 - 08))));
        assert_eq!(parse("R1.5.1"), Some(Ok(date!(2019 - 05 - 01))));
        assert_eq!(parse("Shōwa 51.3.31"), Some(Ok(date!(1976 - 03 - 31))));
        assert_eq!(
            parse("大正十年十二月三十一日"),
            Some(Ok(date!(1921 - 12 - 31)))
        );
        assert_eq!(
            parse("明治三十三年二月十日"),
            Some(Ok(date!(1900 - 02 - 10)))
        );
    }

    #[test]
    fn written_forms_that_are_not_dates() {
        assert!(matches!(
            parse("平成31年5月1日"),
            Some(Err(EraError::OutsideEra { .. }))
        ));
        assert!(matches!(
            parse("令和6年度"),
            Some(Err(EraError::Malformed(_)))
        ));
        assert!(matches!(parse("令和"), Some(Err(EraError::Malformed(_)))));
        assert!(matches!(parse("R6.4.31"), Some(Err(_))));
        assert!(matches!(
            parse("R6.400.1"),
            Some(Err(EraError::Malformed(_)))
        ));
        assert!(matches!(
            parse("R6.13.1"),
            Some(Err(EraError::NotACalendarDate { .. }))
        ));
        assert!(matches!(
            parse("R6.4.1000"),
            Some(Err(EraError::Malformed(_)))
        ));
        // Five digits is not a number a date has: not read as an era date at all.
        assert_eq!(parse("R6.4.99999"), None);
        assert_eq!(parse("2024-04-01"), None);
        assert_eq!(parse("Reims"), None);
        assert_eq!(parse("Romero"), None);
        assert_eq!(parse("S"), None);
        assert_eq!(parse(""), None);
        assert!(contains_era_marker("令和6年度"));
        assert!(contains_era_marker("卒業 平成三十年三月"));
        assert!(!contains_era_marker("2024-04-01"));
    }

    #[test]
    fn formats_gannen() {
        assert_eq!(format_ja(date!(2019 - 05 - 01)).unwrap(), "令和元年5月1日");
        assert_eq!(format_ja(date!(2024 - 04 - 01)).unwrap(), "令和6年4月1日");
        assert_eq!(format_ja(date!(1989 - 01 - 07)).unwrap(), "昭和64年1月7日");
    }

    #[test]
    fn error_messages_say_what_and_why() {
        let e = to_gregorian(Era::Heisei, 31, 5, 1).unwrap_err().to_string();
        assert!(
            e.contains("平成31年5月1日") && e.contains("2019-04-30"),
            "{e}"
        );
        let e = to_gregorian(Era::Reiwa, 1, 4, 30).unwrap_err().to_string();
        assert!(e.contains("令和元年4月30日"), "{e}");
    }
}
