//! Folding text for search and ordering, and making slugs. Done in Rust and
//! stored, so that SQLite and PostgreSQL compare and order exactly alike.

/// Longest accepted `text` filter, in characters.
pub const MAX_TEXT_FILTER: usize = 200;

/// Lower-case ASCII transliteration: "Liège" and "LIEGE" both fold to "liege".
#[must_use]
pub fn fold(text: &str) -> String {
    deunicode::deunicode(text).to_lowercase()
}

/// Folds several fields into one searchable string, one field per line.
#[must_use]
pub fn fold_all<'a>(parts: impl IntoIterator<Item = &'a str>) -> String {
    parts.into_iter().map(fold).collect::<Vec<_>>().join("\n")
}

/// A URL-safe identifier from a name: "Detentiehuis Liège" → "detentiehuis-liege".
#[must_use]
pub fn slugify(name: &str) -> String {
    let mut slug = String::with_capacity(name.len());
    for c in fold(name).chars() {
        if c.is_ascii_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') && !slug.is_empty() {
            slug.push('-');
        }
    }
    let slug = slug.trim_end_matches('-');
    slug.chars()
        .take(120)
        .collect::<String>()
        .trim_end_matches('-')
        .to_owned()
}

/// A slug is lower-case ASCII letters and digits in dash-separated words.
#[must_use]
pub fn is_valid_slug(slug: &str) -> bool {
    !slug.is_empty()
        && slug.len() <= 200
        && slug.split('-').all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// A character no text this API accepts may hold: control characters other
/// than tab and line breaks (NUL among them, which PostgreSQL cannot store),
/// the invisible characters that reorder text (bidirectional embeddings,
/// overrides and isolates: "Trojan Source"), and Unicode's noncharacters.
#[must_use]
pub fn forbidden_in_text(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{8}'
        | '\u{b}'
        | '\u{c}'
        | '\u{e}'..='\u{1f}'
        | '\u{7f}'..='\u{9f}'
        | '\u{202a}'..='\u{202e}'
        | '\u{2066}'..='\u{2069}'
        | '\u{fff9}'..='\u{fffb}'
        | '\u{fdd0}'..='\u{fdef}'
    ) || (u32::from(c) & 0xfffe) == 0xfffe
}

/// A character a one-line name may not hold, beyond [`forbidden_in_text`]:
/// line breaks and tabs, and the invisible ones that make two names look
/// alike (zero-width spaces and joiners, direction marks, soft hyphens, the
/// byte-order mark).
#[must_use]
pub fn forbidden_in_name(c: char) -> bool {
    forbidden_in_text(c)
        || c.is_control()
        || matches!(c,
            '\u{ad}'
            | '\u{34f}'
            | '\u{61c}'
            | '\u{180e}'
            | '\u{200b}'..='\u{200f}'
            | '\u{2028}'
            | '\u{2029}'
            | '\u{2060}'..='\u{2064}'
            | '\u{feff}'
        )
}

/// Escapes `%`, `_` and the escape character itself for a SQL LIKE pattern.
#[must_use]
pub fn escape_like(term: &str) -> String {
    let mut out = String::with_capacity(term.len());
    for c in term.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_removes_accents_and_case() {
        assert_eq!(fold("Liège"), "liege");
        assert_eq!(fold("SAINT-GILLES"), "saint-gilles");
        assert_eq!(fold("Mtaħleb"), "mtahleb");
    }

    #[test]
    fn slugify_transliterates_and_dashes() {
        assert_eq!(slugify("Liège"), "liege");
        assert_eq!(
            slugify("  Věznice Světlá nad Sázavou, unit for mothers "),
            "veznice-svetla-nad-sazavou-unit-for-mothers"
        );
        assert_eq!(
            slugify("InSERRE Arras (Saint-Laurent-Blangy)"),
            "inserre-arras-saint-laurent-blangy"
        );
        assert_eq!(slugify("!!!"), "");
    }

    #[test]
    fn is_valid_slug_rejects_uppercase_and_double_dashes() {
        assert!(is_valid_slug("detentiehuis-kortrijk"));
        assert!(!is_valid_slug("Detentiehuis"));
        assert!(!is_valid_slug("a--b"));
        assert!(!is_valid_slug("-a"));
    }

    #[test]
    fn escape_like_escapes_wildcards() {
        assert_eq!(escape_like("50%_a\\"), "50\\%\\_a\\\\");
    }
}
