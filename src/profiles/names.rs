//! Person names: Unicode normalisation and matching across kanji, kana and Latin script.
//!
//! Domain brief (b), names row, and check #31: a degree names its holder as in the student
//! register, which may hold JIS-substituted kanji (髙 registered as 高), the kana reading and a
//! Hepburn form that may follow the passport ("OHNO") or the register ("Ōno"). A verifier
//! comparing that with a PID must not reject on such variants, and must send a real difference
//! to review rather than reject. The rules are **Accord's proposal** \[P\].
//!
//! Matching, per script where both names have a value:
//!
//! - everything is compared after NFC, so NFD input is the same name ([`NameMatch::Exact`]);
//! - Latin: case-insensitive with whitespace collapsed; then Hepburn variants are folded
//!   (macrons, `ou`/`oo`/`oh`/`uu` long vowels, `m`/`n` before b/m/p, apostrophes and
//!   hyphens): Ōno = Ohno = Ono = Oono;
//! - kana: hiragana ≡ katakana, half-width ≡ full-width;
//! - kanji: common variant kanji (異体字) and JIS substitutions are folded (髙 → 高, 﨑 → 崎 …);
//! - when one side has only kana and the other only Latin, the kana is romanised (Hepburn)
//!   and compared with the Latin form.
//!
//! If every compared form is equal after NFC the names match exactly; if they are equal after
//! folding they are [`NameMatch::Equivalent`]; if only the kanji differ while the kana or Latin
//! forms agree, they are equivalent **for review**; anything else is a [`NameMatch::Mismatch`].
//! Folding is lossy by design (小野 Ono and 大野 Ōno fold together), which is why a fold is
//! reported and never silently treated as equality.

use std::fmt;

use serde::Serialize;
use serde_json::{Map, Value};
use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// NFC form of `s` (UTF-8, NFC at issuance: domain (a) common envelope).
pub fn nfc(s: &str) -> String {
    s.nfc().collect()
}

/// True when `s` is already NFC.
pub fn is_nfc(s: &str) -> bool {
    unicode_normalization::is_nfc(s)
}

/// A person's name in the scripts a credential may carry. Every part is optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PersonName {
    /// The register form: kanji, possibly with kana (many given names are hiragana).
    pub family_kanji: Option<String>,
    pub given_kanji: Option<String>,
    /// The katakana (or hiragana) reading.
    pub family_kana: Option<String>,
    pub given_kana: Option<String>,
    /// The Latin (Hepburn, or any Latin-script) form.
    pub family_latin: Option<String>,
    pub given_latin: Option<String>,
}

impl PersonName {
    /// A name with Latin parts only, e.g. from an EU PID.
    pub fn latin(family: &str, given: &str) -> Self {
        Self {
            family_latin: Some(family.to_owned()),
            given_latin: Some(given.to_owned()),
            ..Self::default()
        }
    }

    /// Reads a name from claims: `family_name`/`given_name` go to the kanji (register) slot if
    /// they are written in Japanese script and to the Latin slot otherwise, and the
    /// `*_kana` / `*_latin` claims of the JP degree profile fill the other slots. Works for the
    /// EU diploma, the JP degree and a PID.
    pub fn from_claims(claims: &Map<String, Value>) -> Self {
        let s = |k: &str| {
            claims
                .get(k)
                .and_then(Value::as_str)
                .filter(|v| !v.trim().is_empty())
                .map(str::to_owned)
        };
        let mut name = Self {
            family_kana: s("family_name_kana"),
            given_kana: s("given_name_kana"),
            family_latin: s("family_name_latin"),
            given_latin: s("given_name_latin"),
            ..Self::default()
        };
        for (value, kanji, latin) in [
            (
                s("family_name"),
                &mut name.family_kanji,
                &mut name.family_latin,
            ),
            (
                s("given_name"),
                &mut name.given_kanji,
                &mut name.given_latin,
            ),
        ] {
            if let Some(v) = value {
                if has_japanese_script(&v) {
                    *kanji = Some(v);
                } else if latin.is_none() {
                    *latin = Some(v);
                }
            }
        }
        name
    }

    fn is_empty(&self) -> bool {
        *self == Self::default()
    }
}

/// Why two different strings are taken to name the same person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Fold {
    /// Latin forms differ only in case or spacing.
    LatinCaseOrSpacing,
    /// Kanji forms differ only in spacing (高橋 翔太 / 高橋翔太).
    Spacing,
    /// Latin forms differ as Hepburn variants do (Ōno / Ohno / Ono / Oono).
    HepburnVariant,
    /// Kana forms differ only as hiragana / katakana or half / full width.
    KanaScript,
    /// Kanji forms differ only by variant kanji (異体字) or JIS substitution (髙 / 高).
    KanjiVariant,
    /// Only kana on one side and only Latin on the other; the romanised kana matches.
    CrossScript,
    /// The kanji differ even after folding; the kana or Latin forms agree.
    KanjiDiffer,
}

impl fmt::Display for Fold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Fold::LatinCaseOrSpacing => "Latin forms differ only in case or spacing",
            Fold::Spacing => "forms differ only in spacing",
            Fold::HepburnVariant => {
                "Latin forms are Hepburn variants of each other (long vowels, macrons, m/n)"
            }
            Fold::KanaScript => "kana forms differ only as hiragana/katakana or width",
            Fold::KanjiVariant => "kanji differ only by variant kanji or JIS substitution",
            Fold::CrossScript => "the romanised kana matches the Latin form",
            Fold::KanjiDiffer => "the kanji differ, but the kana or Latin forms agree",
        })
    }
}

/// The folds that made two names equivalent, and whether a person should look at it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Equivalence {
    pub folds: Vec<Fold>,
    /// True when the kanji differ even after folding (domain check #31: review, not reject).
    pub review: bool,
}

impl fmt::Display for Equivalence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, fold) in self.folds.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{fold}")?;
        }
        Ok(())
    }
}

/// The outcome of [`names_match`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "match", rename_all = "kebab-case")]
pub enum NameMatch {
    /// Every form both names have is equal after NFC.
    Exact,
    /// Equal after the folds listed; see [`Equivalence::review`].
    Equivalent(Equivalence),
    /// A form differs, or the names share no script to compare.
    Mismatch,
}

impl NameMatch {
    /// True when a person should look at the match (domain check #31, F).
    pub fn needs_review(&self) -> bool {
        match self {
            NameMatch::Exact => false,
            NameMatch::Equivalent(e) => e.review,
            NameMatch::Mismatch => true,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Exact,
    Folded(Fold),
    Differs,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Kanji,
    Kana,
    Latin,
    Cross,
}

/// Compares two names across scripts. See the module docs for the rules.
pub fn names_match(a: &PersonName, b: &PersonName) -> NameMatch {
    if a.is_empty() || b.is_empty() {
        return NameMatch::Mismatch;
    }
    let mut results: Vec<(Script, Outcome)> = Vec::new();
    let parts = |n: &PersonName, script: Script| match script {
        Script::Kanji => [n.family_kanji.clone(), n.given_kanji.clone()],
        Script::Kana => [n.family_kana.clone(), n.given_kana.clone()],
        Script::Latin | Script::Cross => [n.family_latin.clone(), n.given_latin.clone()],
    };
    for script in [Script::Kanji, Script::Kana, Script::Latin] {
        let (pa, pb) = (parts(a, script), parts(b, script));
        for (x, y) in pa.iter().zip(&pb) {
            if let (Some(x), Some(y)) = (x, y) {
                let outcome = match script {
                    Script::Kanji => compare_kanji(x, y),
                    Script::Kana => compare_kana(x, y),
                    Script::Latin | Script::Cross => compare_latin(x, y),
                };
                results.push((script, outcome));
            }
        }
    }
    let phonetic_compared = results
        .iter()
        .any(|(s, _)| matches!(s, Script::Kana | Script::Latin));
    if !phonetic_compared {
        // Kana on one side, Latin on the other: romanise the kana.
        for (kana_side, latin_side) in [(a, b), (b, a)] {
            let kana = parts(kana_side, Script::Kana);
            let latin = parts(latin_side, Script::Latin);
            for (k, l) in kana.iter().zip(&latin) {
                if let (Some(k), Some(l)) = (k, l) {
                    let same = hepburn_fold(&romanise(k)) == hepburn_fold(l);
                    let outcome = if same {
                        Outcome::Folded(Fold::CrossScript)
                    } else {
                        Outcome::Differs
                    };
                    results.push((Script::Cross, outcome));
                }
            }
        }
    }
    if results.is_empty() {
        return NameMatch::Mismatch;
    }
    if results.iter().all(|(_, o)| *o == Outcome::Exact) {
        return NameMatch::Exact;
    }
    let mut folds: Vec<Fold> = Vec::new();
    for (_, o) in &results {
        if let Outcome::Folded(f) = o
            && !folds.contains(f)
        {
            folds.push(*f);
        }
    }
    let kanji_differ = results
        .iter()
        .any(|(s, o)| *s == Script::Kanji && *o == Outcome::Differs);
    let other_differ = results
        .iter()
        .any(|(s, o)| *s != Script::Kanji && *o == Outcome::Differs);
    let phonetic_agree = results
        .iter()
        .any(|(s, o)| *s != Script::Kanji && *o != Outcome::Differs);
    match (kanji_differ, other_differ) {
        (false, false) => NameMatch::Equivalent(Equivalence {
            folds,
            review: false,
        }),
        (true, false) if phonetic_agree => {
            folds.push(Fold::KanjiDiffer);
            NameMatch::Equivalent(Equivalence {
                folds,
                review: true,
            })
        }
        _ => NameMatch::Mismatch,
    }
}

// ---------------------------------------------------------------------------------------------
// Latin
// ---------------------------------------------------------------------------------------------

fn compare_latin(a: &str, b: &str) -> Outcome {
    let (a, b) = (nfc(a), nfc(b));
    if a == b {
        return Outcome::Exact;
    }
    if latin_basic_fold(&a) == latin_basic_fold(&b) {
        return Outcome::Folded(Fold::LatinCaseOrSpacing);
    }
    if hepburn_fold(&a) == hepburn_fold(&b) {
        return Outcome::Folded(Fold::HepburnVariant);
    }
    Outcome::Differs
}

/// Lower case, whitespace collapsed to single spaces, trimmed.
fn latin_basic_fold(s: &str) -> String {
    s.split_whitespace()
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// Folds the variants Hepburn romanisation allows for one name: diacritics removed (ō → o),
/// spaces, hyphens and apostrophes removed (Shin'ichi = Shinichi = Shin-ichi), `m` before
/// b/m/p read as `n` (Homma = Honma), and long vowels shortened: `oo`, `ou`, `uu`, and `oh`
/// before a consonant or at the end (Ohno = Ono, but Ohashi keeps its h).
pub fn hepburn_fold(s: &str) -> String {
    let plain: Vec<char> = s
        .nfd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect();
    let is_vowel = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u');
    let mut out = String::with_capacity(plain.len());
    let mut i = 0;
    while i < plain.len() {
        let c = plain[i];
        let next = plain.get(i + 1).copied();
        let prev = out.chars().last();
        match c {
            // Long vowels: the second vowel (or the h) is dropped.
            'o' | 'u' if prev == Some('o') => {}
            'u' if prev == Some('u') => {}
            'h' if prev == Some('o') && !next.is_some_and(is_vowel) && next != Some('y') => {}
            'm' if matches!(next, Some('b' | 'm' | 'p')) => out.push('n'),
            _ => out.push(c),
        }
        i += 1;
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Kana
// ---------------------------------------------------------------------------------------------

fn compare_kana(a: &str, b: &str) -> Outcome {
    let (a, b) = (nfc(a), nfc(b));
    if a == b {
        return Outcome::Exact;
    }
    if kana_fold(&a) == kana_fold(&b) {
        return Outcome::Folded(Fold::KanaScript);
    }
    Outcome::Differs
}

/// NFKC (half-width → full-width), hiragana → katakana, separators removed.
pub fn kana_fold(s: &str) -> String {
    s.nfkc()
        .filter(|c| !c.is_whitespace() && *c != '・' && *c != '゠')
        .map(hiragana_to_katakana)
        .collect()
}

fn hiragana_to_katakana(c: char) -> char {
    match c {
        '\u{3041}'..='\u{3096}' | '\u{309D}'..='\u{309E}' => {
            char::from_u32(u32::from(c) + 0x60).unwrap_or(c)
        }
        _ => c,
    }
}

/// Romanises kana (Hepburn), for comparing a kana reading with a Latin name. Characters other
/// than kana are dropped.
pub fn romanise(kana: &str) -> String {
    let mut out = String::new();
    let mut geminate = false;
    for c in kana_fold(kana).chars() {
        match c {
            'ッ' => {
                geminate = true;
                continue;
            }
            'ー' => {
                if let Some(v) = out.chars().last().filter(|v| "aeiou".contains(*v)) {
                    out.push(v);
                }
                continue;
            }
            'ャ' | 'ュ' | 'ョ' => {
                let vowel = match c {
                    'ャ' => 'a',
                    'ュ' => 'u',
                    _ => 'o',
                };
                // キ+ャ → kya, シ+ャ → sha, チ+ャ → cha, ジ+ャ → ja.
                if out.ends_with('i') {
                    out.pop();
                    if !(out.ends_with("sh") || out.ends_with("ch") || out.ends_with('j')) {
                        out.push('y');
                    }
                } else {
                    out.push('y');
                }
                out.push(vowel);
                continue;
            }
            'ァ' | 'ィ' | 'ゥ' | 'ェ' | 'ォ' => {
                // フ+ァ → fa, テ+ィ → ti: the small vowel replaces the previous vowel.
                if out.chars().last().is_some_and(|v| "aeiou".contains(v)) {
                    out.pop();
                }
                out.push(match c {
                    'ァ' => 'a',
                    'ィ' => 'i',
                    'ゥ' => 'u',
                    'ェ' => 'e',
                    _ => 'o',
                });
                continue;
            }
            _ => {}
        }
        let Some(syllable) = katakana_syllable(c) else {
            continue;
        };
        if geminate {
            if syllable.starts_with("ch") {
                out.push('t');
            } else if let Some(first) = syllable.chars().next().filter(|c| !"aeiou".contains(*c)) {
                out.push(first);
            }
            geminate = false;
        }
        out.push_str(syllable);
    }
    out
}

fn katakana_syllable(c: char) -> Option<&'static str> {
    const TABLE: &[(char, &str)] = &[
        ('ア', "a"),
        ('イ', "i"),
        ('ウ', "u"),
        ('エ', "e"),
        ('オ', "o"),
        ('カ', "ka"),
        ('キ', "ki"),
        ('ク', "ku"),
        ('ケ', "ke"),
        ('コ', "ko"),
        ('サ', "sa"),
        ('シ', "shi"),
        ('ス', "su"),
        ('セ', "se"),
        ('ソ', "so"),
        ('タ', "ta"),
        ('チ', "chi"),
        ('ツ', "tsu"),
        ('テ', "te"),
        ('ト', "to"),
        ('ナ', "na"),
        ('ニ', "ni"),
        ('ヌ', "nu"),
        ('ネ', "ne"),
        ('ノ', "no"),
        ('ハ', "ha"),
        ('ヒ', "hi"),
        ('フ', "fu"),
        ('ヘ', "he"),
        ('ホ', "ho"),
        ('マ', "ma"),
        ('ミ', "mi"),
        ('ム', "mu"),
        ('メ', "me"),
        ('モ', "mo"),
        ('ヤ', "ya"),
        ('ユ', "yu"),
        ('ヨ', "yo"),
        ('ラ', "ra"),
        ('リ', "ri"),
        ('ル', "ru"),
        ('レ', "re"),
        ('ロ', "ro"),
        ('ワ', "wa"),
        ('ヰ', "i"),
        ('ヱ', "e"),
        ('ヲ', "o"),
        ('ン', "n"),
        ('ガ', "ga"),
        ('ギ', "gi"),
        ('グ', "gu"),
        ('ゲ', "ge"),
        ('ゴ', "go"),
        ('ザ', "za"),
        ('ジ', "ji"),
        ('ズ', "zu"),
        ('ゼ', "ze"),
        ('ゾ', "zo"),
        ('ダ', "da"),
        ('ヂ', "ji"),
        ('ヅ', "zu"),
        ('デ', "de"),
        ('ド', "do"),
        ('バ', "ba"),
        ('ビ', "bi"),
        ('ブ', "bu"),
        ('ベ', "be"),
        ('ボ', "bo"),
        ('パ', "pa"),
        ('ピ', "pi"),
        ('プ', "pu"),
        ('ペ', "pe"),
        ('ポ', "po"),
        ('ヴ', "vu"),
        ('ヮ', "wa"),
        ('ヵ', "ka"),
        ('ヶ', "ke"),
    ];
    TABLE.iter().find(|(k, _)| *k == c).map(|(_, r)| *r)
}

// ---------------------------------------------------------------------------------------------
// Kanji
// ---------------------------------------------------------------------------------------------

/// Variant kanji (異体字) and JIS substitutions common in names, folded to the form on the
/// left of the pair's second element. Compatibility ideographs with a canonical decomposition
/// (e.g. U+FA10 塚) need no entry: NFC already maps them; 﨑 (U+FA11) is one of the twelve
/// without one, so it is listed.
///
/// 齋 齊 斎 斉 are folded together although 斎 and 斉 are distinct characters: registers and
/// forms confuse them constantly (齋藤, 斉藤, 斎藤), and a fold is reported, never hidden.
pub static KANJI_VARIANTS: &[(char, char)] = &[
    ('髙', '高'),
    ('﨑', '崎'),
    ('嵜', '崎'),
    ('邊', '辺'),
    ('邉', '辺'),
    ('澤', '沢'),
    ('齋', '斎'),
    ('齊', '斎'),
    ('斉', '斎'),
    ('濱', '浜'),
    ('廣', '広'),
    ('國', '国'),
    ('櫻', '桜'),
    ('德', '徳'),
    ('惠', '恵'),
    ('眞', '真'),
    ('嶋', '島'),
    ('嶌', '島'),
    ('冨', '富'),
    ('瀧', '滝'),
    ('淵', '渕'),
    ('槇', '槙'),
    ('曻', '昇'),
    ('桒', '桑'),
    ('藪', '薮'),
    ('龍', '竜'),
    ('峯', '峰'),
    ('實', '実'),
    ('榮', '栄'),
    ('壽', '寿'),
    ('會', '会'),
    ('關', '関'),
    ('薗', '園'),
    ('籠', '篭'),
];

/// NFC, whitespace removed, variant kanji folded, hiragana → katakana.
pub fn kanji_fold(s: &str) -> String {
    nfc(s)
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| {
            KANJI_VARIANTS
                .iter()
                .find(|(v, _)| *v == c)
                .map_or(c, |(_, std)| *std)
        })
        .map(hiragana_to_katakana)
        .collect()
}

fn compare_kanji(a: &str, b: &str) -> Outcome {
    let (na, nb) = (nfc(a), nfc(b));
    if na == nb {
        return Outcome::Exact;
    }
    let strip = |s: &str| s.chars().filter(|c| !c.is_whitespace()).collect::<String>();
    if strip(&na) == strip(&nb) {
        return Outcome::Folded(Fold::Spacing);
    }
    if kanji_fold(&na) == kanji_fold(&nb) {
        return Outcome::Folded(Fold::KanjiVariant);
    }
    Outcome::Differs
}

/// True when `s` has a kanji or kana character.
pub fn has_japanese_script(s: &str) -> bool {
    s.chars().any(|c| {
        matches!(c,
            '\u{3005}'                      // 々
            | '\u{3040}'..='\u{30FF}'       // hiragana, katakana
            | '\u{3400}'..='\u{4DBF}'       // CJK extension A
            | '\u{4E00}'..='\u{9FFF}'       // CJK unified ideographs
            | '\u{F900}'..='\u{FAFF}'       // CJK compatibility ideographs
            | '\u{FF66}'..='\u{FF9F}'       // half-width katakana
            | '\u{20000}'..='\u{3FFFF}') // CJK extensions B…
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn jp(kanji: (&str, &str), kana: (&str, &str), latin: (&str, &str)) -> PersonName {
        PersonName {
            family_kanji: Some(kanji.0.into()),
            given_kanji: Some(kanji.1.into()),
            family_kana: Some(kana.0.into()),
            given_kana: Some(kana.1.into()),
            family_latin: Some(latin.0.into()),
            given_latin: Some(latin.1.into()),
        }
    }

    fn kanji_only(f: &str, g: &str) -> PersonName {
        PersonName {
            family_kanji: Some(f.into()),
            given_kanji: Some(g.into()),
            ..PersonName::default()
        }
    }

    fn kana_only(f: &str, g: &str) -> PersonName {
        PersonName {
            family_kana: Some(f.into()),
            given_kana: Some(g.into()),
            ..PersonName::default()
        }
    }

    fn equivalent(m: &NameMatch, fold: Fold, review: bool) {
        match m {
            NameMatch::Equivalent(e) => {
                assert!(e.folds.contains(&fold), "{m:?} lacks {fold:?}");
                assert_eq!(e.review, review, "{m:?}");
            }
            other => panic!("expected Equivalent({fold:?}), got {other:?}"),
        }
    }

    #[test]
    fn nfd_and_nfc_are_the_same_name() {
        let nfc_name = PersonName::latin("Ōno", "Amélie");
        let nfd_name = PersonName::latin("O\u{0304}no", "Ame\u{0301}lie");
        assert_ne!(nfc_name, nfd_name);
        assert_eq!(names_match(&nfc_name, &nfd_name), NameMatch::Exact);
        assert_eq!(nfc("O\u{0304}no"), "Ōno");
        assert!(is_nfc("Ōno") && !is_nfc("O\u{0304}no"));
        // Kana: が as か + combining dakuten (U+3099).
        let a = kana_only("カ\u{3099}ク", "タロウ");
        let b = kana_only("ガク", "タロウ");
        assert_eq!(names_match(&a, &b), NameMatch::Exact);
    }

    #[test]
    fn taka_variant_matches_via_kana_and_romaji() {
        // Domain check #31: 髙橋 in the register, 高橋 on the PID.
        let degree = jp(
            ("髙橋", "翔太"),
            ("タカハシ", "ショウタ"),
            ("TAKAHASHI", "Shota"),
        );
        let pid = jp(
            ("高橋", "翔太"),
            ("タカハシ", "ショウタ"),
            ("TAKAHASHI", "Shota"),
        );
        let m = names_match(&degree, &pid);
        equivalent(&m, Fold::KanjiVariant, false);
        assert!(!m.needs_review());
        // Kanji only on both sides: the variant table alone makes them equivalent.
        equivalent(
            &names_match(&kanji_only("髙橋", "翔太"), &kanji_only("高橋", "翔太")),
            Fold::KanjiVariant,
            false,
        );
    }

    #[test]
    fn variant_table() {
        for (a, b) in [
            ("山﨑", "山崎"),
            ("渡邊", "渡辺"),
            ("渡邉", "渡辺"),
            ("齋藤", "斉藤"),
            ("齊藤", "斎藤"),
            ("澤田", "沢田"),
            ("濱口", "浜口"),
            ("廣田", "広田"),
            ("國分", "国分"),
            ("櫻井", "桜井"),
            ("德川", "徳川"),
            ("惠子", "恵子"),
        ] {
            assert_eq!(kanji_fold(a), kanji_fold(b), "{a} / {b}");
            assert_eq!(compare_kanji(a, b), Outcome::Folded(Fold::KanjiVariant));
        }
        assert_eq!(
            compare_kanji("高橋", "髙橋"),
            Outcome::Folded(Fold::KanjiVariant)
        );
        assert_eq!(compare_kanji("高橋", "高橋"), Outcome::Exact);
        assert_eq!(compare_kanji("高橋", "高梨"), Outcome::Differs);
        // U+FA10 (compatibility 塚) is NFC-equal to U+585A.
        assert_eq!(compare_kanji("大\u{FA10}", "大\u{585A}"), Outcome::Exact);
        for (v, s) in KANJI_VARIANTS {
            assert_ne!(v, s);
            assert!(
                !KANJI_VARIANTS.iter().any(|(x, _)| x == s),
                "{s} is itself folded"
            );
        }
    }

    #[test]
    fn kanji_differ_but_reading_agrees_goes_to_review() {
        let degree = jp(("大野", "翔太"), ("オオノ", "ショウタ"), ("OHNO", "Shota"));
        let other = jp(("太野", "翔太"), ("オオノ", "ショウタ"), ("OHNO", "Shota"));
        let m = names_match(&degree, &other);
        equivalent(&m, Fold::KanjiDiffer, true);
        assert!(m.needs_review());
    }

    #[test]
    fn hepburn_variants() {
        for (a, b) in [
            ("Ōno", "Ohno"),
            ("Ōno", "Ono"),
            ("Ōno", "Oono"),
            ("Ohno", "OONO"),
            ("Satō", "Satou"),
            ("Satō", "Sato"),
            ("Yūki", "Yuuki"),
            ("Yūki", "Yuki"),
            ("Shin'ichi", "Shinichi"),
            ("Jun-ichi", "Junichi"),
            ("Homma", "Honma"),
            ("Namba", "Nanba"),
            ("Ōhashi", "Ohashi"),
            ("Kōno", "Kohno"),
        ] {
            assert_eq!(hepburn_fold(a), hepburn_fold(b), "{a} / {b}");
            assert!(
                matches!(compare_latin(a, b), Outcome::Folded(_)),
                "{a} / {b}"
            );
        }
        // `h` is kept before a vowel: Ohashi is not Oashi.
        assert_eq!(hepburn_fold("Ohashi"), "ohashi");
        assert_ne!(hepburn_fold("Sato"), hepburn_fold("Saito"));
        assert_eq!(compare_latin("Tanaka", "Tanaka"), Outcome::Exact);
        assert_eq!(
            compare_latin("TANAKA  Hanako", "tanaka hanako"),
            Outcome::Folded(Fold::LatinCaseOrSpacing)
        );
        assert_eq!(compare_latin("Tanaka", "Nakata"), Outcome::Differs);
    }

    #[test]
    fn latin_names_from_an_eu_pid() {
        let degree = jp(("大野", "翔太"), ("オオノ", "ショウタ"), ("ŌNO", "Shōta"));
        let pid = PersonName::latin("OHNO", "SHOTA");
        let m = names_match(&degree, &pid);
        equivalent(&m, Fold::HepburnVariant, false);
        assert_eq!(
            names_match(&degree, &PersonName::latin("ONO", "Kenta")),
            NameMatch::Mismatch
        );
    }

    #[test]
    fn hiragana_equals_katakana() {
        let m = names_match(
            &kana_only("たかはし", "しょうた"),
            &kana_only("タカハシ", "ショウタ"),
        );
        equivalent(&m, Fold::KanaScript, false);
        // Half-width katakana.
        let m = names_match(
            &kana_only("ﾀｶﾊｼ", "ｼｮｳﾀ"),
            &kana_only("タカハシ", "ショウタ"),
        );
        equivalent(&m, Fold::KanaScript, false);
        assert_eq!(
            names_match(
                &kana_only("タカハシ", "ショウタ"),
                &kana_only("タカギ", "ショウタ")
            ),
            NameMatch::Mismatch
        );
    }

    #[test]
    fn kana_against_latin() {
        assert_eq!(romanise("タカハシ"), "takahashi");
        assert_eq!(romanise("ショウタ"), "shouta");
        assert_eq!(romanise("キョウコ"), "kyouko");
        assert_eq!(romanise("ジュンイチ"), "junichi");
        assert_eq!(romanise("ハットリ"), "hattori");
        assert_eq!(romanise("イッチ"), "itchi");
        assert_eq!(romanise("ほんま"), "honma");
        assert_eq!(romanise("ユーキ"), "yuuki");
        let m = names_match(
            &kana_only("オオノ", "ショウタ"),
            &PersonName::latin("OHNO", "Shota"),
        );
        equivalent(&m, Fold::CrossScript, false);
        let m = names_match(
            &PersonName::latin("Honma", "Kyoko"),
            &kana_only("ホンマ", "キョウコ"),
        );
        equivalent(&m, Fold::CrossScript, false);
        assert_eq!(
            names_match(
                &kana_only("オオノ", "ショウタ"),
                &PersonName::latin("OHNO", "Kenta")
            ),
            NameMatch::Mismatch
        );
    }

    #[test]
    fn nothing_to_compare_is_a_mismatch() {
        assert_eq!(
            names_match(
                &kanji_only("高橋", "翔太"),
                &PersonName::latin("TAKAHASHI", "Shota")
            ),
            NameMatch::Mismatch
        );
        assert_eq!(
            names_match(&PersonName::default(), &PersonName::latin("A", "B")),
            NameMatch::Mismatch
        );
    }

    #[test]
    fn reads_names_from_claims() {
        let claims = json!({
            "family_name": "髙橋", "given_name": "翔太",
            "family_name_kana": "タカハシ", "given_name_kana": "ショウタ",
            "family_name_latin": "TAKAHASHI", "given_name_latin": "Shota"
        });
        let n = PersonName::from_claims(claims.as_object().unwrap());
        assert_eq!(
            n,
            jp(
                ("髙橋", "翔太"),
                ("タカハシ", "ショウタ"),
                ("TAKAHASHI", "Shota")
            )
        );
        let pid = json!({"family_name": "Peeters", "given_name": "Lotte"});
        let n = PersonName::from_claims(pid.as_object().unwrap());
        assert_eq!(n, PersonName::latin("Peeters", "Lotte"));
        // A hiragana given name in the register stays in the register slot.
        let claims = json!({"family_name": "田中", "given_name": "さくら"});
        let n = PersonName::from_claims(claims.as_object().unwrap());
        assert_eq!(n.given_kanji.as_deref(), Some("さくら"));
    }

    #[test]
    fn symmetric() {
        let names = [
            jp(
                ("髙橋", "翔太"),
                ("タカハシ", "ショウタ"),
                ("TAKAHASHI", "Shota"),
            ),
            jp(
                ("高橋", "翔太"),
                ("たかはし", "しょうた"),
                ("Takahashi", "Shōta"),
            ),
            PersonName::latin("TAKAHASHI", "Shota"),
            kana_only("タカハシ", "ショウタ"),
            kanji_only("太橋", "翔太"),
        ];
        for a in &names {
            for b in &names {
                assert_eq!(names_match(a, b), names_match(b, a), "{a:?} / {b:?}");
            }
        }
    }
}
