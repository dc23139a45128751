//! ISO 639-1 language codes: the languages a work exists in, which are any
//! language, not only the four the API serves its own prose in.

/// Every ISO 639-1 two-letter code.
const CODES: &str = "aa ab ae af ak am an ar as av ay az ba be bg bi bm bn bo br bs ca ce ch co cr cs cu cv cy \
da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz \
ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv \
mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu \
rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty \
ug uk ur uz ve vi vo wa wo xh yi yo za zh zu";

/// The code in lower case if it is an ISO 639-1 code.
#[must_use]
pub fn normalize(code: &str) -> Option<String> {
    let lower = code.trim().to_ascii_lowercase();
    (lower.len() == 2 && CODES.split(' ').any(|c| c == lower)).then_some(lower)
}

/// Every code normalised, or `BAD_USER_INPUT` on `field` naming the first bad one.
///
/// # Errors
/// A code that is not ISO 639-1.
pub fn normalize_all(codes: &[String], field: &str) -> Result<Vec<String>, crate::error::AppError> {
    codes
        .iter()
        .map(|code| {
            normalize(code)
                .ok_or_else(|| crate::error::AppError::bad_input(field, not_a_language(code)))
        })
        .collect()
}

/// What a caller is told of a code that is not ISO 639-1.
#[must_use]
pub fn not_a_language(code: &str) -> String {
    format!("`{code}` is not an ISO 639-1 language code (for example en, fr, nl, de)")
}

#[cfg(test)]
mod tests {
    use super::normalize;

    #[test]
    fn codes_are_iso_639_1_in_lower_case() {
        assert_eq!(normalize(" NL ").as_deref(), Some("nl"));
        assert_eq!(normalize("de").as_deref(), Some("de"));
        assert_eq!(normalize("xx"), None);
        assert_eq!(normalize("eng"), None);
        assert_eq!(super::CODES.split(' ').count(), 183);
    }
}
