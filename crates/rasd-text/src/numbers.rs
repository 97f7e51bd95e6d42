//! Numbers as Arabic news writes them.
//!
//! Casualty counts and territory shares come as digits in three scripts ("12", "١٢", "۱۲"), with thousands
//! separators, as words ("اثنا عشر", "خمسة وعشرون", "ثلاثة آلاف"), as vague quantities ("عشرات" — which ACLED
//! codes conservatively as 10), with qualifiers ("نحو", "أكثر من", "ما لا يقل عن", "على الأقل"), as percentages
//! ("40 في المئة", "%50") and as ranges ("بين 40 و50"). Each mention carries a conservative `value`, a `min` and
//! `max`, and its byte span in the original text.

use crate::normalize::{Mode, push_folded};
use crate::tokenize::{Token, TokenKind, digit_value};
use serde::Serialize;

/// A count or a percentage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum NumberKind {
    Count,
    Percent,
}

/// A qualifier that widens the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Qualifier {
    /// نحو، حوالي، قرابة، زهاء، ما يقارب
    About,
    /// ما لا يقل عن، على الأقل
    AtLeast,
    /// أكثر من، ما يزيد عن
    MoreThan,
    /// أقل من
    LessThan,
}

/// One number found in the text.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NumberMention {
    pub start: usize,
    pub end: usize,
    /// The conservative value (ACLED's rule): the lower figure of a range, 10 for "عشرات", none for "عدد كبير".
    pub value: Option<f64>,
    pub min: Option<f64>,
    pub max: Option<f64>,
    pub kind: NumberKind,
    pub qualifier: Option<Qualifier>,
    /// A vague quantity ("عشرات", "مئات", "عدد كبير").
    pub vague: bool,
}

/// Key-normalized words of the token stream, with a leading و / ف / ب / ل stripped where that leaves a number word.
struct Keys {
    buf: String,
    ranges: Vec<(u32, u32)>,
}

impl Keys {
    fn build(text: &str, tokens: &[Token]) -> Keys {
        let mut buf = String::new();
        let mut ranges = Vec::with_capacity(tokens.len());
        for t in tokens {
            let s = buf.len() as u32;
            let surface = t.surface(text);
            match t.kind {
                TokenKind::Arabic | TokenKind::Punct | TokenKind::Symbol => {
                    for c in surface.chars() {
                        push_folded(c, Mode::Key, &mut buf);
                    }
                }
                _ => buf.push_str(surface),
            }
            ranges.push((s, buf.len() as u32));
        }
        Keys { buf, ranges }
    }

    fn get(&self, i: usize) -> &str {
        self.ranges
            .get(i)
            .map_or("", |&(s, e)| &self.buf[s as usize..e as usize])
    }
}

/// Strips one conjunction or preposition letter when the rest is a number word or qualifier.
fn bare(key: &str) -> (&str, bool) {
    if let Some(rest) = key.strip_prefix(['و', 'ف', 'ب', 'ل'])
        && rest.chars().count() >= 3
        && (word_value(rest).is_some() || is_marker(rest))
    {
        return (rest, true);
    }
    (key, false)
}

fn is_marker(k: &str) -> bool {
    matches!(
        k,
        "نحو"
            | "حوالي"
            | "قرابه"
            | "زهاء"
            | "اكثر"
            | "اقل"
            | "عشرات"
            | "مئات"
            | "ميات"
            | "الاف"
            | "العشرات"
            | "المئات"
            | "الميات"
    )
}

/// Value of a single number word (key-normalized), and whether it multiplies what precedes it.
#[derive(Debug, Clone, Copy)]
enum Word {
    Unit(f64),
    Ten(f64),
    Hundred(f64),
    /// ألف, مليون, مليار: multiply the current group.
    Scale(f64),
    /// آلاف / ملايين after a unit ("ثلاثة آلاف"); vague on their own.
    PluralScale(f64),
}

fn word_value(k: &str) -> Option<Word> {
    let unit = |v: f64| Some(Word::Unit(v));
    match k {
        "واحد" | "واحده" => unit(1.0),
        "اثنان" | "اثنين" | "اثنتان" | "اثنتين" | "اثنا" | "اثني" | "اثنتا" | "اثنتي" => {
            unit(2.0)
        }
        // The dual of a person noun counts two ("قتل شخصان", "إصابة جنديين"); only nouns whose plural is not
        // -ين, so "مدنيين" (civilians) stays a plural.
        "شخصان" | "شخصين" | "جنديان" | "جنديين" | "طفلان" | "طفلين" | "طفلتان" | "طفلتين" | "عنصران" | "عنصرين"
        | "قتيلان" | "قتيلين" | "شهيدان" | "شهيدين" | "ضابطان" | "ضابطين" | "رجلان" | "رجلين" | "شابان" | "شابين"
        | "امراتان" | "امراتين" | "مدنيان" | "مواطنان" | "مسلحان" | "مقاتلان" | "جريحان" | "جريحين" | "شرطيان"
        | "فلسطينيان" | "صحفيان" | "شرطيين" | "حارسان" | "حارسين" => unit(2.0),
        "ثلاث" | "ثلاثه" => unit(3.0),
        "اربع" | "اربعه" => unit(4.0),
        "خمس" | "خمسه" => unit(5.0),
        // The feminine counts before a masculine plural: "ست جثث", "سبع قذائف".
        "ست" | "سته" => unit(6.0),
        "سبع" | "سبعه" => unit(7.0),
        "ثماني" | "ثمانيه" | "ثمان" => unit(8.0),
        "تسع" | "تسعه" => unit(9.0),
        "عشر" | "عشره" => unit(10.0),
        "عشرون" | "عشرين" => Some(Word::Ten(20.0)),
        "ثلاثون" | "ثلاثين" => Some(Word::Ten(30.0)),
        "اربعون" | "اربعين" => Some(Word::Ten(40.0)),
        "خمسون" | "خمسين" => Some(Word::Ten(50.0)),
        "ستون" | "ستين" => Some(Word::Ten(60.0)),
        "سبعون" | "سبعين" => Some(Word::Ten(70.0)),
        "ثمانون" | "ثمانين" => Some(Word::Ten(80.0)),
        "تسعون" | "تسعين" => Some(Word::Ten(90.0)),
        "ميه" | "مايه" => Some(Word::Hundred(100.0)),
        "ميتان" | "ميتين" | "مايتان" | "مايتين" | "ميتا" | "مايتا" | "ميتي" | "مايتي" => {
            Some(Word::Hundred(200.0))
        }
        "الف" => Some(Word::Scale(1e3)),
        "الفان" | "الفين" | "الفا" => Some(Word::Unit(2e3)),
        "الاف" => Some(Word::PluralScale(1e3)),
        "مليون" => Some(Word::Scale(1e6)),
        "مليونان" | "مليونين" | "مليونا" => Some(Word::Unit(2e6)),
        "ملايين" => Some(Word::PluralScale(1e6)),
        "مليار" => Some(Word::Scale(1e9)),
        "ملياران" | "مليارين" => Some(Word::Unit(2e9)),
        "مليارات" => Some(Word::PluralScale(1e9)),
        _ => {
            // ثلاثمئة … تسعمائة, written as one word.
            for (prefix, v) in [
                ("ثلاث", 3.0),
                ("اربع", 4.0),
                ("خمس", 5.0),
                ("ست", 6.0),
                ("سبع", 7.0),
                ("ثمان", 8.0),
                ("ثماني", 8.0),
                ("تسع", 9.0),
            ] {
                if let Some(rest) = k.strip_prefix(prefix)
                    && (rest == "ميه" || rest == "مايه")
                {
                    return Some(Word::Hundred(v * 100.0));
                }
            }
            None
        }
    }
}

/// Parses digits of any script with separators: "1,250" → 1250, "1.7" → 1.7, "١٬٢٥٠" → 1250, "٣٫٥" → 3.5.
pub fn parse_digits(s: &str) -> Option<f64> {
    parse_digit_parts(s).map(|(m, p)| m / p)
}

/// Digits as `mantissa / pow10`, so that scaling ("1.7 مليار") stays exact: 17 × 10⁹ / 10.
fn parse_digit_parts(s: &str) -> Option<(f64, f64)> {
    let mut mantissa = 0f64;
    let mut pow10 = 1f64;
    let mut in_frac = false;
    let mut any = false;
    // A comma is a thousands separator only when every later group has three digits.
    let mut groups = s.split([',', '٬']);
    groups.next();
    let comma_ok = groups.all(|g| {
        let int_part = g.split(['.', '٫']).next().unwrap_or("");
        int_part.chars().filter(|c| digit_value(*c).is_some()).count() == 3
    });
    for c in s.chars() {
        if let Some(d) = digit_value(c) {
            any = true;
            mantissa = mantissa * 10.0 + f64::from(d);
            if in_frac {
                pow10 *= 10.0;
            }
        } else if matches!(c, '.' | '٫') {
            if in_frac {
                return None;
            }
            in_frac = true;
        } else if matches!(c, ',' | '٬') {
            if !comma_ok || in_frac {
                return None;
            }
        } else {
            return None;
        }
    }
    any.then_some((mantissa, pow10))
}

/// Finds every number mention in `tokens` of `text`.
pub fn find_numbers(text: &str, tokens: &[Token]) -> Vec<NumberMention> {
    let keys = Keys::build(text, tokens);
    let mut out = Vec::new();
    let mut i = 0usize;
    while i < tokens.len() {
        match parse_at(text, tokens, &keys, i) {
            Some((m, next)) => {
                out.push(m);
                i = next;
            }
            None => i += 1,
        }
    }
    out
}

/// A bare quantity: a value (or none for "عدد كبير"), vague or not, over tokens `[from, to)`.
struct Quantity {
    value: Option<f64>,
    vague: bool,
    to: usize,
}

/// Reads a quantity (digits or words, with scale words) starting at token `i`.
fn quantity(text: &str, tokens: &[Token], keys: &Keys, i: usize) -> Option<Quantity> {
    let tok = tokens.get(i)?;
    if tok.kind == TokenKind::Number {
        let (m, p) = parse_digit_parts(tok.surface(text))?;
        let mut v = m / p;
        let mut to = i + 1;
        // "1.7 مليار", "5 آلاف", "3 ملايين"
        if let Some(Word::Scale(s) | Word::PluralScale(s)) = word_value(bare(keys.get(to)).0) {
            v = m * s / p;
            to += 1;
        }
        return Some(Quantity {
            value: Some(v),
            vague: false,
            to,
        });
    }
    if tok.kind != TokenKind::Arabic {
        return None;
    }
    let (k, _) = bare(keys.get(i));
    // Vague quantities.
    let vague_base = match k {
        "عشرات" | "العشرات" => Some(10.0),
        "مئات" | "ميات" | "المئات" | "الميات" => Some(100.0),
        "الاف" | "الالاف" => Some(1000.0),
        "ملايين" => Some(1e6),
        _ => None,
    };
    if let Some(base) = vague_base {
        let mut to = i + 1;
        let mut v = base;
        // "عشرات الآلاف" = 10,000; "مئات الآلاف" = 100,000
        if matches!(keys.get(to), "الالاف" | "الاف") {
            v *= 1000.0;
            to += 1;
        }
        return Some(Quantity {
            value: Some(v),
            vague: true,
            to,
        });
    }
    if matches!(k, "عدد" | "اعداد") && matches!(keys.get(i + 1), "كبير" | "كبيره" | "هايل" | "هايله" | "غفير")
    {
        return Some(Quantity {
            value: None,
            vague: true,
            to: i + 2,
        });
    }
    if k == "العديد" || k == "عديد" {
        return Some(Quantity {
            value: None,
            vague: true,
            to: i + 1,
        });
    }
    // Number words: total = sum of completed groups; group accumulates units, tens and hundreds.
    let mut total = 0f64;
    let mut group = 0f64;
    let mut j = i;
    let mut any = false;
    // The unit just read, when the word before this one was a unit: two units in a row never add up.
    let mut last_unit: Option<f64> = None;
    loop {
        let (k, _) = bare(keys.get(j));
        // "احد عشر", "احدى عشره", "اثنا عشر" …
        if matches!(k, "احد" | "احدي") && matches!(bare(keys.get(j + 1)).0, "عشر" | "عشره") {
            group += 11.0;
            j += 2;
            any = true;
            continue;
        }
        let Some(w) = word_value(k) else { break };
        if tokens.get(j).is_none_or(|t| t.kind != TokenKind::Arabic) {
            break;
        }
        match w {
            Word::Unit(v) => {
                // unit + عشر = teen
                if v < 10.0 && matches!(bare(keys.get(j + 1)).0, "عشر" | "عشره") {
                    group += v + 10.0;
                    j += 2;
                    any = true;
                    continue;
                }
                if let Some(prev) = last_unit
                    && v < 1000.0
                {
                    // "مدنيان اثنان", "شخصين اثنين": "two" after a dual repeats it; any other unit after a unit
                    // starts another quantity.
                    if prev == 2.0 && v == 2.0 {
                        j += 1;
                    }
                    break;
                }
                if v >= 1000.0 {
                    total += group + v;
                    group = 0.0;
                    last_unit = None;
                } else {
                    group += v;
                    last_unit = Some(v);
                }
                any = true;
                j += 1;
                continue;
            }
            Word::Ten(v) | Word::Hundred(v) => group += v,
            Word::Scale(s) | Word::PluralScale(s) => {
                if !any && matches!(w, Word::PluralScale(_)) {
                    break;
                }
                total += if group == 0.0 { 1.0 } else { group } * s;
                group = 0.0;
            }
        }
        last_unit = None;
        any = true;
        j += 1;
    }
    if !any {
        return None;
    }
    Some(Quantity {
        value: Some(total + group),
        vague: false,
        to: j,
    })
}

/// Reads a qualifier starting at token `i`: returns it and the index after it.
fn qualifier(keys: &Keys, i: usize) -> Option<(Qualifier, usize)> {
    let k = bare(keys.get(i)).0;
    let k1 = keys.get(i + 1);
    match k {
        "نحو" | "حوالي" | "قرابه" | "زهاء" | "تقريبا" => Some((Qualifier::About, i + 1)),
        "اكثر" | "ازيد" if k1 == "من" => Some((Qualifier::MoreThan, i + 2)),
        "اقل" if k1 == "من" => Some((Qualifier::LessThan, i + 2)),
        // "قتل على الأقل خمسة مدنيين": "at least" before the number too.
        "علي" if k1 == "الاقل" => Some((Qualifier::AtLeast, i + 2)),
        "ما" => match (k1, keys.get(i + 2), keys.get(i + 3)) {
            ("يزيد", "عن" | "علي", _) => Some((Qualifier::MoreThan, i + 3)),
            ("يقارب" | "يناهز", _, _) => Some((Qualifier::About, i + 2)),
            ("لا", "يقل", "عن") => Some((Qualifier::AtLeast, i + 4)),
            _ => None,
        },
        "يناهز" | "يقارب" => Some((Qualifier::About, i + 1)),
        _ => None,
    }
}

/// Is there a percent marker at `i`? Returns the index after it.
fn percent_after(keys: &Keys, i: usize) -> Option<usize> {
    match keys.get(i) {
        "%" => Some(i + 1),
        "بالميه" | "بالمايه" => Some(i + 1),
        "في" if matches!(keys.get(i + 1), "الميه" | "المايه") => Some(i + 2),
        _ => None,
    }
}

/// True when the number token at `i` is a component of a date, a time or an ISO date ("11/11/2017", "12:04",
/// "2017-11-09"): such digits are not quantities.
fn is_date_part(text: &str, tokens: &[Token], i: usize) -> bool {
    let glued = |a: usize, b: usize| tokens[a].end == tokens[b].start;
    let sep_at = |j: usize, seps: &[&str]| {
        tokens
            .get(j)
            .is_some_and(|t| t.kind != TokenKind::Arabic && seps.contains(&t.surface(text)))
    };
    let num_at = |j: usize| tokens.get(j).is_some_and(|t| t.kind == TokenKind::Number);
    let before = i >= 2 && sep_at(i - 1, &["/", ":"]) && num_at(i - 2) && glued(i - 1, i) && glued(i - 2, i - 1);
    let after = sep_at(i + 1, &["/", ":"])
        && (num_at(i + 2) || tokens.get(i + 2).is_some_and(|t| t.kind == TokenKind::Arabic))
        && glued(i, i + 1);
    // ISO dates: three numbers joined by two dashes.
    let iso = (sep_at(i + 1, &["-"]) && num_at(i + 2) && sep_at(i + 3, &["-"]) && num_at(i + 4) && glued(i, i + 1))
        || (i >= 2
            && sep_at(i - 1, &["-"])
            && num_at(i - 2)
            && glued(i - 1, i)
            && ((i >= 4 && sep_at(i - 3, &["-"])) || sep_at(i + 1, &["-"])));
    before || after || iso
}

fn parse_at(text: &str, tokens: &[Token], keys: &Keys, i: usize) -> Option<(NumberMention, usize)> {
    if tokens[i].kind == TokenKind::Number && is_date_part(text, tokens, i) {
        return None;
    }
    let start_tok = i;
    let mut j = i;
    let mut q = None;
    let mut leading_percent = false;
    if let Some((qual, next)) = qualifier(keys, j) {
        q = Some(qual);
        j = next;
    }
    if keys.get(j) == "%" && tokens.get(j + 1).is_some_and(|t| t.kind == TokenKind::Number) {
        leading_percent = true;
        j += 1;
    }
    let first = quantity(text, tokens, keys, j)?;
    let mut end_tok = first.to;
    let mut value = first.value;
    let mut min = first.value;
    let mut max = first.value;
    let vague = first.vague;
    // Ranges: "A - B", "A إلى B", "A او B", "بين A و B" (the بين sits before A).
    let between = start_tok > 0 && keys.get(start_tok - 1) == "بين" && q.is_none();
    let range_sep = match keys.get(end_tok) {
        "-" | "–" | "الي" | "او" | "حتي" => Some(end_tok + 1),
        k if between && k == "و" => Some(end_tok + 1),
        _ => None,
    };
    let mut second_start = range_sep;
    if second_start.is_none() && between {
        // "بين 40 و50": the و is glued to the second number.
        if let Some(t) = tokens.get(end_tok)
            && t.kind == TokenKind::Arabic
            && keys.get(end_tok) == "و"
        {
            second_start = Some(end_tok + 1);
        }
    }
    if let Some(s) = second_start
        && let Some(second) = quantity(text, tokens, keys, s)
        && !first.vague
        && !second.vague
        && second.value.is_some()
    {
        let (a, b) = (value.unwrap_or(0.0), second.value.unwrap_or(0.0));
        min = Some(a.min(b));
        max = Some(a.max(b));
        value = min;
        end_tok = second.to;
    }
    if vague {
        max = None;
    }
    let mut kind = NumberKind::Count;
    if leading_percent {
        kind = NumberKind::Percent;
    } else if let Some(next) = percent_after(keys, end_tok) {
        kind = NumberKind::Percent;
        end_tok = next;
    }
    match q {
        Some(Qualifier::MoreThan) | Some(Qualifier::AtLeast) => max = None,
        Some(Qualifier::LessThan) => {
            min = None;
            value = None;
        }
        _ => {}
    }
    // "على الأقل" after the number
    // "على الأقل" after the number, or after the counted noun ("12 مدنيا على الأقل").
    for skip in [0usize, 1] {
        let at = end_tok + skip;
        if keys.get(at) == "علي" && keys.get(at + 1) == "الاقل" {
            q = Some(Qualifier::AtLeast);
            max = None;
            end_tok = at + 2;
            break;
        }
    }
    let start = tokens[start_tok].start;
    let end = tokens[end_tok - 1].end;
    Some((
        NumberMention {
            start,
            end,
            value,
            min,
            max,
            kind,
            qualifier: q,
            vague,
        },
        end_tok,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tokenize::tokenize;

    type Row = (String, Option<f64>, Option<f64>, Option<f64>, NumberKind);

    fn nums(text: &str) -> Vec<Row> {
        let toks = tokenize(text);
        find_numbers(text, &toks)
            .into_iter()
            .map(|m| (text[m.start..m.end].to_string(), m.value, m.min, m.max, m.kind))
            .collect()
    }

    #[test]
    fn digits_in_all_scripts_and_separators() {
        assert_eq!(parse_digits("1,250"), Some(1250.0));
        assert_eq!(parse_digits("١٬٢٥٠"), Some(1250.0));
        assert_eq!(parse_digits("۱۲"), Some(12.0));
        assert_eq!(parse_digits("3٫5"), Some(3.5));
        assert_eq!(nums("خصص 1.7 مليار")[0].1, Some(1.7e9));
    }

    #[test]
    fn number_words() {
        assert_eq!(nums("مقتل سبعة أشخاص")[0].1, Some(7.0));
        assert_eq!(nums("مقتل اثني عشر مدنيا")[0].1, Some(12.0));
        assert_eq!(nums("خمسة وعشرون قتيلا")[0].1, Some(25.0));
        assert_eq!(nums("ثلاثة آلاف نازح")[0].1, Some(3000.0));
        assert_eq!(nums("مئة وخمسون عنصرا")[0].1, Some(150.0));
        assert_eq!(nums("ألفين ومئتي شخص")[0].1, Some(2200.0));
        assert_eq!(nums("وصلت ست جثث")[0].1, Some(6.0));
        assert_eq!(nums("سقطت سبع قذائف")[0].1, Some(7.0));
        assert_eq!(nums("استشهد اثنى عشر مدنيا")[0].1, Some(12.0));
    }

    #[test]
    fn two_after_a_dual_repeats_it_and_units_in_a_row_do_not_add() {
        let n = nums("قتل مدنيان اثنان");
        assert_eq!((n[0].0.as_str(), n[0].1), ("مدنيان اثنان", Some(2.0)));
        assert_eq!(nums("إصابة شخصين اثنين")[0].1, Some(2.0));
        assert_eq!(nums("قتل شخصان")[0].1, Some(2.0));
        // Two quantities side by side stay two.
        let n = nums("ثلاثة أربعة");
        assert_eq!(n.iter().map(|r| r.1).collect::<Vec<_>>(), [Some(3.0), Some(4.0)]);
    }

    #[test]
    fn vague_qualified_percent_and_ranges() {
        let n = nums("قتل العشرات");
        assert_eq!((n[0].1, n[0].3), (Some(10.0), None));
        assert_eq!(nums("مقتل عدد كبير من العناصر")[0].1, None);
        let n = nums("استعاد أكثر من 40 في المئة من المدينة");
        assert_eq!(
            (n[0].0.as_str(), n[0].2, n[0].3, n[0].4),
            ("أكثر من 40 في المئة", Some(40.0), None, NumberKind::Percent)
        );
        assert_eq!(nums("نحو %50")[0].1, Some(50.0));
        let n = nums("ما بين 40 و50 بالمئة");
        assert_eq!((n[0].2, n[0].3, n[0].4), (Some(40.0), Some(50.0), NumberKind::Percent));
        let n = nums("قتل على الأقل خمسة مدنيين");
        assert_eq!((n[0].0.as_str(), n[0].1, n[0].3), ("على الأقل خمسة", Some(5.0), None));
        let n = nums("مقتل 12 مدنيا على الأقل");
        assert_eq!(
            (n[0].0.as_str(), n[0].1, n[0].3),
            ("12 مدنيا على الأقل", Some(12.0), None)
        );
    }
}
